# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the OpenNetVM manager: the checks on its settings, its ports (DPDK vdevs or PCI
devices), the port and NF core masks, and the manager's command line (EAL arguments, then
onvm_mgr's own). Documentation: onvm_*.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six import integer_types, string_types

# onvm/onvm_nflib/onvm_common.h (v21.10): MAX_SERVICES 32
MAX_SERVICES = 32
# The manager's three threads: main (stats), RX, TX (the TX thread moves packets between NFs).
MANAGER_LCORES = 3
PCI_ADDRESS = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
VDEV = re.compile(r"^(net_[a-z_]+)([0-9]+)(,.*)?$")
IFACE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
FILE_PREFIX = re.compile(r"^[A-Za-z0-9_-]+$")


def _cpus(value, name):
    """A list of distinct CPU numbers, in order."""
    if isinstance(value, (string_types, integer_types)) or value is None:
        value = [value]
    out = []
    for cpu in value:
        if isinstance(cpu, bool) or not isinstance(cpu, integer_types + string_types) or not re.match(r"^[0-9]+$", to_text(cpu).strip()):
            raise AnsibleFilterError("%s: %r is not a CPU number" % (name, cpu))
        cpu = int(to_text(cpu).strip())
        if cpu not in out:
            out.append(cpu)
    return out


def onvm_cpu_overlap(manager_cpus, nf_cpus):
    """The CPUs in both lists, sorted."""
    return sorted(set(_cpus(manager_cpus, "manager CPUs")) & set(_cpus(nf_cpus, "NF CPUs")))


def onvm_coremask(cpus):
    """The hex mask of a list of CPUs ([1, 2] -> '0x6')."""
    mask = 0
    for cpu in _cpus(cpus, "CPUs"):
        mask |= 1 << cpu
    return "0x%x" % mask


def onvm_lcores(manager_cpus):
    """The manager's 3 lcores mapped onto its CPUs, round robin: [0] -> '0@0,1@0,2@0'."""
    cpus = _cpus(manager_cpus, "manager CPUs")
    if not cpus:
        raise AnsibleFilterError("manager CPUs: empty; the manager needs at least one CPU for its 3 lcores")
    return ",".join("%d@%d" % (lcore, cpus[lcore % len(cpus)]) for lcore in range(MANAGER_LCORES))


def onvm_ports(ports):
    """The manager's ports with their DPDK port index: PCI devices first (the PCI bus is probed before
    the virtual devices), then vdevs, each in list order. An entry with only C(iface) becomes a
    net_tap vdev of that name. Raises on a malformed entry."""
    problems = _port_problems(ports)
    if problems:
        raise AnsibleFilterError("; ".join(problems))
    pci = [{"pci": to_text(port["pci"]).lower()} for port in ports if port.get("pci")]
    vdevs = []
    taps = 0
    for port in ports:
        if port.get("pci"):
            continue
        vdev = port.get("vdev") or "net_tap%d,iface=%s" % (taps, port["iface"])
        if vdev.startswith("net_tap"):
            taps += 1
        entry = {"vdev": vdev}
        iface = port.get("iface") or _vdev_iface(vdev)
        if iface:
            entry["iface"] = iface
        vdevs.append(entry)
    out = []
    for index, entry in enumerate(pci + vdevs):
        out.append(dict(entry, index=index))
    return out


def _vdev_iface(vdev):
    match = re.search(r"(?:^|,)iface=([^,]+)", vdev)
    return match.group(1) if match else None


def _port_problems(ports, name="opennetvm_ports"):
    if not isinstance(ports, list):
        return ["%s: must be a list of {vdev, iface} or {pci} (got %r)" % (name, ports)]
    problems = []
    names = []
    ifaces = []
    for index, port in enumerate(ports):
        where = "%s[%d]" % (name, index)
        if not isinstance(port, dict):
            problems.append("%s: %r is not a dict with vdev/iface or pci" % (where, port))
            continue
        unknown = sorted(set(port) - set(["vdev", "iface", "pci"]))
        if unknown:
            problems.append("%s: unknown keys %s (vdev, iface, pci)" % (where, ", ".join(unknown)))
        if port.get("pci"):
            if port.get("vdev") or port.get("iface"):
                problems.append("%s: give either pci or vdev/iface, not both" % where)
            if not PCI_ADDRESS.match(to_text(port["pci"]).lower()):
                problems.append("%s: pci %r is not a PCI address such as 0000:01:00.0" % (where, port["pci"]))
            continue
        vdev = port.get("vdev")
        iface = port.get("iface")
        if not vdev and not iface:
            problems.append("%s: needs pci, vdev or iface" % where)
            continue
        if vdev:
            match = VDEV.match(to_text(vdev))
            if not match:
                problems.append("%s: vdev %r is not of the form net_<driver><N>[,args]" % (where, vdev))
                continue
            if match.group(1) != "net_tap":
                problems.append(
                    "%s: vdev %r: only net_tap works with OpenNetVM here (the manager asks for RX checksum offloads, "
                    "which %s lacks)" % (where, vdev, match.group(1)))
            names.append(match.group(1) + match.group(2))
            vdev_iface = _vdev_iface(vdev)
            if iface and vdev_iface and vdev_iface != iface:
                problems.append("%s: iface %s differs from the vdev's iface=%s" % (where, iface, vdev_iface))
            iface = iface or vdev_iface
        if iface:
            if not IFACE.match(to_text(iface)):
                problems.append("%s: iface %r is not a Linux interface name (1 to 15 of A-Z a-z 0-9 _ . -)" % (where, iface))
            ifaces.append(iface)
    for label, values in (("vdev names", names), ("interface names", ifaces)):
        repeated = sorted(set(value for value in values if values.count(value) > 1))
        if repeated:
            problems.append("%s: repeated %s: %s" % (name, label, ", ".join(repeated)))
    taps_auto = [port for port in ports if isinstance(port, dict) and not port.get("pci") and not port.get("vdev")]
    if taps_auto and names:
        auto_names = ["net_tap%d" % index for index in range(len(taps_auto))]
        clash = sorted(set(auto_names) & set(names))
        if clash:
            problems.append("%s: entries with only iface become %s, which clash with the vdevs given" % (name, ", ".join(clash)))
    return problems


def onvm_portmask(ports):
    """The manager's -p mask: one bit per port ([] -> '0x0', 2 ports -> '0x3')."""
    return "0x%x" % ((1 << len(onvm_ports(ports))) - 1)


def onvm_problems(settings):
    """Every problem in the manager's settings, each message naming its variable; [] when all is well.
    settings: manager_cpus, nf_cpus, services, ports, file_prefix (the role's opennetvm_* values)."""
    problems = []
    manager = nf = None
    try:
        manager = _cpus(settings.get("manager_cpus"), "opennetvm_manager_cpus")
    except AnsibleFilterError as exc:
        problems.append(to_text(exc))
    try:
        nf = _cpus(settings.get("nf_cpus"), "opennetvm_nf_cpus")
    except AnsibleFilterError as exc:
        problems.append(to_text(exc))
    if manager is not None and not manager:
        problems.append("opennetvm_manager_cpus: empty; the manager needs at least one CPU for its 3 lcores")
    if nf is not None and not nf:
        problems.append("opennetvm_nf_cpus: empty; NFs need at least one CPU")
    if manager and nf:
        both = sorted(set(manager) & set(nf))
        if both:
            problems.append(
                "opennetvm_manager_cpus %s overlaps opennetvm_nf_cpus %s on CPU %s: the manager's RX/TX threads "
                "busy-poll, keep NFs off their CPUs" % (manager, nf, ", ".join(str(cpu) for cpu in both)))
    services = settings.get("services")
    if isinstance(services, bool) or not re.match(r"^[0-9]+$", to_text(services).strip()) or not (
            1 <= int(to_text(services).strip()) <= MAX_SERVICES):
        problems.append("opennetvm_services: %s is out of range 1..%d (MAX_SERVICES in onvm_common.h)" % (services, MAX_SERVICES))
    problems.extend(_port_problems(settings.get("ports", [])))
    prefix = settings.get("file_prefix", "onvm")
    if not FILE_PREFIX.match(to_text(prefix)):
        problems.append("opennetvm_file_prefix: %r is not a DPDK file prefix (A-Z a-z 0-9 _ -)" % (prefix,))
    elif to_text(prefix) == "rte":
        problems.append("opennetvm_file_prefix: rte is DPDK's default prefix, which OVS-DPDK on the same host uses")
    return problems


def onvm_manager_argv(settings):
    """onvm_mgr's full command line as a list: EAL arguments, then '--' and the manager's own.
    settings: binary, manager_cpus, nf_cpus, ports, services, file_prefix, hugetlbfs, base_virtaddr,
    memory_channels, stats (stdout, stderr or web), verbosity, default_service, extra_eal_args, extra_args."""
    ports = onvm_ports(settings.get("ports", []))
    argv = [
        settings["binary"],
        "--lcores=" + onvm_lcores(settings["manager_cpus"]),
        "-n", to_text(settings.get("memory_channels", 4)),
        "--proc-type=primary",
        "--file-prefix", to_text(settings.get("file_prefix", "onvm")),
        "--huge-dir", to_text(settings["hugetlbfs"]),
    ]
    if settings.get("base_virtaddr"):
        argv.append("--base-virtaddr=" + to_text(settings["base_virtaddr"]))
    pci = [port for port in ports if "pci" in port]
    if pci:
        for port in pci:
            argv.extend(["-w", port["pci"]])
    else:
        argv.append("--no-pci")
    for port in ports:
        if "vdev" in port:
            argv.extend(["--vdev", port["vdev"]])
    argv.extend([to_text(arg) for arg in settings.get("extra_eal_args") or []])
    argv.extend([
        "--",
        "-p", onvm_portmask(settings.get("ports", [])),
        "-n", onvm_coremask(settings["nf_cpus"]),
        "-r", to_text(settings.get("services", 16)),
    ])
    if settings.get("default_service") is not None:
        argv.extend(["-d", to_text(settings["default_service"])])
    if settings.get("stats"):
        argv.extend(["-s", to_text(settings["stats"])])
    if settings.get("verbosity") is not None:
        argv.extend(["-v", to_text(settings["verbosity"])])
    argv.extend([to_text(arg) for arg in settings.get("extra_args") or []])
    return argv


class FilterModule(object):
    def filters(self):
        return {
            "onvm_problems": onvm_problems,
            "onvm_cpu_overlap": onvm_cpu_overlap,
            "onvm_coremask": onvm_coremask,
            "onvm_lcores": onvm_lcores,
            "onvm_ports": onvm_ports,
            "onvm_portmask": onvm_portmask,
            "onvm_manager_argv": onvm_manager_argv,
        }
