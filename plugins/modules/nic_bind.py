#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: nic_bind
short_description: Bind a PCI network device to a DPDK driver (vfio-pci, uio_pci_generic, igb_uio) or back to its kernel driver
version_added: 0.1.0
description:
  - Binds one PCI device through sysfs C(driver_override), C(unbind) and C(drivers_probe), and makes the binding
    persistent the way driverctl does (a file C(<persist_dir>/pci-<address>) holding the driver, applied at boot by
    driverctl's udev rule).
  - O(driver=kernel) clears the override and lets the kernel bind its own driver again.
  - Refuses a device whose network interface is up with an address or a route, unless O(force=true), since taking it
    away would cut the host off that network.
  - Mellanox ConnectX devices (mlx4/mlx5) are left alone with a message, because their DPDK drivers work beside the
    kernel driver (bifurcated) and need no binding.
  - vfio-pci needs an IOMMU group for the device; without an IOMMU, O(vfio_noiommu=true) turns on vfio's unsafe
    no-IOMMU mode.
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - the driver's kernel module (vfio-pci, uio_pci_generic or igb_uio), loaded or loadable with modprobe
options:
  pci:
    description: PCI address, domain included (C(0000:03:00.0), as C(lspci -D) prints it).
    type: str
    required: true
  driver:
    description: The driver to bind to; V(kernel) for the device's own kernel driver.
    type: str
    required: true
    choices: [vfio-pci, uio_pci_generic, igb_uio, kernel]
  force:
    description: Bind even when the device's interface is up with an address or a route.
    type: bool
    default: false
  vfio_noiommu:
    description: Turn on vfio's unsafe no-IOMMU mode when binding to vfio-pci a device with no IOMMU group.
    type: bool
    default: false
  persistent:
    description: Keep the binding across reboots (driverctl's override file).
    type: bool
    default: true
  persist_dir:
    description: driverctl's override directory.
    type: path
    default: /etc/driverctl.d
extends_documentation_fragment:
  - nfvlab.interconnect.sysfs
attributes:
  check_mode:
    description: Reads the device and reports what it would do; writes nothing.
    support: full
  diff_mode:
    description: Shows the driver, the override and the persisted driver before and after.
    support: full
"""

EXAMPLES = r"""
- name: Give the X710 port to DPDK
  nfvlab.interconnect.nic_bind:
    pci: "0000:03:00.0"
    driver: vfio-pci

- name: Without an IOMMU (a VM, or intel_iommu off)
  nfvlab.interconnect.nic_bind:
    pci: "0000:03:00.1"
    driver: vfio-pci
    vfio_noiommu: true

- name: Back to the kernel driver
  nfvlab.interconnect.nic_bind:
    pci: "0000:03:00.0"
    driver: kernel
"""

RETURN = r"""
pci:
  description: The device.
  returned: always
  type: str
  sample: "0000:03:00.0"
driver:
  description: The driver bound after the module ran (in check mode, the one it would bind; null for none).
  returned: always
  type: str
  sample: vfio-pci
driver_before:
  description: The driver bound before.
  returned: always
  type: str
  sample: i40e
interfaces:
  description: The kernel network interfaces the device had before.
  returned: always
  type: list
  elements: str
  sample: [ens1f0]
skipped_reason:
  description: Why the device was left alone (a bifurcated Mellanox device).
  returned: when the device was left alone
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.iproute import IpRoute
from ansible_collections.nfvlab.interconnect.plugins.module_utils.pci import (
    PCI_RE,
    Binder,
    PciDevice,
    PciError,
    read,
)

MODULES = {"vfio-pci": "vfio-pci", "uio_pci_generic": "uio_pci_generic", "igb_uio": "igb_uio"}


def persisted(params):
    return read(os.path.join(params["persist_dir"], "pci-%s" % params["pci"]))


def busy_interfaces(module, device):
    """Interfaces of the device that are up with an address or a route."""
    busy = []
    ip = None
    for ifname in device.interfaces():
        if not device.interface_up(ifname):
            continue
        ip = ip or IpRoute(module)
        addresses = ip.addresses(ifname)
        routes = [route.get("dst") for route in ip.json("route", "show", "dev", ifname)]
        if addresses or routes:
            busy.append("%s is up with %s" % (ifname, ", ".join(addresses + ["route " + r for r in routes if r])))
    return busy


def ensure_driver_loaded(module, device, driver):
    if device.driver_loaded(driver):
        return
    if module.check_mode:
        return
    rc, out, err = module.run_command([module.get_bin_path("modprobe", required=True), MODULES[driver]])
    if rc != 0 or not device.driver_loaded(driver):
        module.fail_json(msg="driver %s is not available on this host (modprobe %s: %s)"
                         % (driver, MODULES[driver], (err or out).strip() or "no such driver after loading"))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pci=dict(type="str", required=True),
            driver=dict(type="str", required=True, choices=["vfio-pci", "uio_pci_generic", "igb_uio", "kernel"]),
            force=dict(type="bool", default=False),
            vfio_noiommu=dict(type="bool", default=False),
            persistent=dict(type="bool", default=True),
            persist_dir=dict(type="path", default="/etc/driverctl.d"),
            sysfs=dict(type="path", default="/sys"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    address = params["pci"]
    if not PCI_RE.match(address):
        module.fail_json(msg="pci: %r is not a PCI address of the form 0000:03:00.0 (lower-case hex, domain included)"
                         % address)
    device = PciDevice(params["sysfs"], address)
    if not device.exists():
        module.fail_json(msg="pci: no PCI device %s on this host (lspci -D lists them)" % address)

    before = dict(device.state(), persisted=persisted(params))
    result = dict(changed=False, pci=address, driver_before=before["driver"], driver=before["driver"],
                  interfaces=before["interfaces"])
    if device.is_bifurcated():
        result["skipped_reason"] = ("%s is a Mellanox device (%s): its DPDK driver works beside the kernel driver "
                                    "(bifurcated), so it needs no binding" % (address, before["driver"] or "mlx"))
        module.exit_json(**result)

    wanted = None if params["driver"] == "kernel" else params["driver"]
    runtime_ok = (before["driver"] == wanted and before["driver_override"] == wanted) if wanted else (
        before["driver_override"] is None and before["driver"] not in MODULES)
    want_persisted = wanted if params["persistent"] else None
    persist_ok = before["persisted"] == want_persisted

    if not runtime_ok and wanted:
        busy = busy_interfaces(module, device)
        if busy and not params["force"]:
            module.fail_json(msg="refusing to take %s from the kernel: %s; this would cut the host off that network. "
                             "Set force=true to bind it anyway" % (address, "; ".join(busy)), **result)
        if wanted == "vfio-pci" and device.iommu_group() is None and not params["vfio_noiommu"]:
            module.fail_json(msg="%s has no IOMMU group: turn the IOMMU on (intel_iommu=on iommu=pt on the kernel "
                             "command line) or set vfio_noiommu=true for vfio's unsafe no-IOMMU mode" % address, **result)
        ensure_driver_loaded(module, device, wanted)

    if not runtime_ok:
        result["changed"] = True
        if not module.check_mode:
            if wanted == "vfio-pci" and device.iommu_group() is None:
                Binder.write(os.path.join(params["sysfs"], "module", "vfio", "parameters", "enable_unsafe_noiommu_mode"), "Y\n")
            try:
                Binder(device).bind(wanted)
            except (PciError, IOError, OSError) as exc:
                module.fail_json(msg="binding %s to %s failed: %s" % (address, params["driver"], exc), **result)
    if not persist_ok:
        result["changed"] = True
        if not module.check_mode:
            path = os.path.join(params["persist_dir"], "pci-%s" % address)
            if want_persisted:
                if not os.path.isdir(params["persist_dir"]):
                    os.makedirs(params["persist_dir"], 0o755)
                Binder.write(path, want_persisted + "\n")
            elif os.path.exists(path):
                os.remove(path)

    if module.check_mode:
        after = dict(before, driver=wanted if wanted else (before["driver"] if before["driver"] not in MODULES else None),
                     driver_override=wanted, persisted=want_persisted)
    else:
        after = dict(device.state(), persisted=persisted(params))
    result["driver"] = after["driver"]
    if module._diff:
        keys = ("driver", "driver_override", "persisted")
        result["diff"] = dict(before=dict((k, before[k]) for k in keys), after=dict((k, after[k]) for k in keys))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
