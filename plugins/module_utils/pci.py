# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PCI devices as sysfs shows them (/sys/bus/pci): the bound driver, driver_override,
the network interfaces of a device, its IOMMU group; and binding through
driver_override, unbind and drivers_probe."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

PCI_RE = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
# Mellanox ConnectX (mlx4/mlx5) keep their kernel driver: DPDK's mlx PMDs work beside it (bifurcated).
BIFURCATED_DRIVERS = ("mlx4_core", "mlx5_core")
MELLANOX_VENDOR = "0x15b3"
IFF_UP = 0x1


class PciError(Exception):
    pass


def read(path, default=None):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return default


class PciDevice(object):
    """One device under <sysfs>/bus/pci/devices/<address>."""

    def __init__(self, sysfs, address):
        self.sysfs = sysfs
        self.address = address
        self.bus = os.path.join(sysfs, "bus", "pci")
        self.path = os.path.join(self.bus, "devices", address)

    def exists(self):
        return os.path.isdir(self.path)

    def vendor(self):
        return read(os.path.join(self.path, "vendor"))

    def device_id(self):
        return read(os.path.join(self.path, "device"))

    def driver(self):
        """Name of the bound driver, or None."""
        link = os.path.join(self.path, "driver")
        if not os.path.islink(link):
            return None
        return os.path.basename(os.readlink(link))

    def override(self):
        value = read(os.path.join(self.path, "driver_override"))
        return None if value in (None, "", "(null)") else value

    def iommu_group(self):
        link = os.path.join(self.path, "iommu_group")
        return os.path.basename(os.readlink(link)) if os.path.islink(link) else None

    def interfaces(self):
        net = os.path.join(self.path, "net")
        return sorted(os.listdir(net)) if os.path.isdir(net) else []

    def is_bifurcated(self):
        return self.driver() in BIFURCATED_DRIVERS or self.vendor() == MELLANOX_VENDOR

    def driver_loaded(self, driver):
        return os.path.isdir(os.path.join(self.bus, "drivers", driver))

    def interface_up(self, ifname):
        flags = read(os.path.join(self.sysfs, "class", "net", ifname, "flags"), "0x0")
        return bool(int(flags, 16) & IFF_UP)

    def state(self):
        return dict(pci=self.address, driver=self.driver(), driver_override=self.override(),
                    interfaces=self.interfaces(), iommu_group=self.iommu_group())


class Binder(object):
    """Writes the sysfs files that move a device between drivers."""

    def __init__(self, device, writer=None):
        self.device = device
        self.writer = writer or self.write

    @staticmethod
    def write(path, value):
        with open(path, "w") as handle:
            handle.write(value)

    def bind(self, driver):
        """Bind to `driver`, or with None back to the kernel's own driver for the device."""
        device = self.device
        self.writer(os.path.join(device.path, "driver_override"), (driver or "") + "\n")
        if device.driver() is not None:
            self.writer(os.path.join(device.path, "driver", "unbind"), device.address)
        self.writer(os.path.join(device.bus, "drivers_probe"), device.address)
        if driver is not None and device.driver() != driver:
            raise PciError("%s did not bind to %s (bound to %s); see dmesg" % (device.address, driver, device.driver()))
