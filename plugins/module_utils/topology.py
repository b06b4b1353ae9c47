# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab topology: which links are active, the addresses derived from each
link's subnet, and the checks that run before any host is touched.

Pure functions over plain data, shared by the filter plugins and the unit tests.
Addresses are derived with netaddr: endpoint N of a link gets host N+1 of the
link's subnet unless the endpoint names its own ``host_index``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

try:
    import netaddr
except ImportError:  # pragma: no cover - reported by the callers
    netaddr = None

LINK_KINDS = ("ethernet", "infiniband")
WIRINGS = ("single-host", "multi-host")
LAB_KINDS = ("hardware", "emulated")
PCI_RE = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
# An InfiniBand port GUID: 64 bits, written 0x0002c903000e1f01 or 0002:c903:000e:1f01.
GUID_RES = (re.compile(r"^0x[0-9a-f]{16}$"), re.compile(r"^([0-9a-f]{4}:){3}[0-9a-f]{4}$"))
IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
PAGE_SIZES_MB = {"2M": 2, "1G": 1024}


class TopologyError(Exception):
    """Raised when the topology cannot be expanded (see topology_errors for the reasons)."""


def _require_netaddr():
    if netaddr is None:
        raise TopologyError("the python library 'netaddr' is required on the controller (pip install netaddr)")


def active_links(links, wiring):
    """The links cabled in the given wiring modes (a list or one mode)."""
    if isinstance(wiring, str):
        wiring = [wiring]
    wanted = set(wiring)
    return [link for link in links if wanted.intersection(link.get("wiring", WIRINGS))]


def port_ifname(host_ports, port):
    """The interface name of a host's port: its ``ifname`` or, without one, the port name."""
    spec = (host_ports or {}).get(port) or {}
    return spec.get("ifname") or port


def expand_links(links, wiring, ports_by_host=None):
    """Active links with each endpoint's address, ip, prefix length and interface name.

    ``ports_by_host`` maps host -> nfvlab_hw_ports (port -> {ifname, pci, guid, ...}).
    """
    _require_netaddr()
    ports_by_host = ports_by_host or {}
    expanded = []
    for link in active_links(links, wiring):
        net = netaddr.IPNetwork(link["subnet"])
        endpoints = []
        for index, endpoint in enumerate(link["endpoints"]):
            host_index = endpoint.get("host_index", index + 1)
            ip = net[host_index]
            endpoints.append(dict(
                endpoint,
                end=index,
                host_index=host_index,
                ip=str(ip),
                prefix=net.prefixlen,
                address="%s/%d" % (ip, net.prefixlen),
                ifname=port_ifname(ports_by_host.get(endpoint["host"]), endpoint["port"]),
            ))
        for endpoint, peer in ((endpoints[0], endpoints[1]), (endpoints[1], endpoints[0])):
            endpoint["peer_host"] = peer["host"]
            endpoint["peer_port"] = peer["port"]
            endpoint["peer_ip"] = peer["ip"]
        expanded.append(dict(link, subnet=str(net.cidr), endpoints=endpoints))
    return expanded


def inactive_links(links, wiring, ports_by_host=None):
    """Links of the other wiring modes whose interfaces no active link uses (safe to unwire)."""
    active = expand_links(links, wiring, ports_by_host)
    active_names = set(link["name"] for link in active)
    in_use = set((end["host"], end["ifname"]) for link in active for end in link["endpoints"])
    return [
        link for link in expand_links(links, WIRINGS, ports_by_host)
        if link["name"] not in active_names
        and not any((end["host"], end["ifname"]) in in_use for end in link["endpoints"])
    ]


def host_interfaces(links, host, wiring, ports_by_host=None):
    """The interfaces of one host on the active links, one entry per link end."""
    result = []
    for link in expand_links(links, wiring, ports_by_host):
        for endpoint in link["endpoints"]:
            if endpoint["host"] == host:
                result.append(dict(endpoint, link=link["name"], kind=link["kind"], subnet=link["subnet"]))
    return result


def _check_link_shape(index, link, errors):
    where = "topology_links[%d]" % index
    name = link.get("name") if isinstance(link, dict) else None
    if name:
        where = "topology_links[%d] (%s)" % (index, name)
    if not isinstance(link, dict):
        errors.append("%s: must be a mapping with name, kind, subnet, wiring and endpoints" % where)
        return None
    if not name:
        errors.append("%s: 'name' is required" % where)
    if link.get("kind") not in LINK_KINDS:
        errors.append("%s: kind %r is not one of %s" % (where, link.get("kind"), ", ".join(LINK_KINDS)))
    for mode in link.get("wiring", WIRINGS):
        if mode not in WIRINGS:
            errors.append("%s: wiring %r is not one of %s" % (where, mode, ", ".join(WIRINGS)))
    endpoints = link.get("endpoints")
    if not isinstance(endpoints, list) or len(endpoints) != 2:
        errors.append("%s: 'endpoints' must list exactly two {host, port} ends" % where)
        endpoints = None
    else:
        for end in endpoints:
            if not isinstance(end, dict) or not end.get("host") or not end.get("port"):
                errors.append("%s: every endpoint needs a 'host' and a 'port', got %r" % (where, end))
                endpoints = None
                break
    net = None
    try:
        net = netaddr.IPNetwork(link.get("subnet"))
        if net.ip != net.network:
            errors.append("%s: subnet %s has host bits set; did you mean %s?" % (where, link["subnet"], net.cidr))
            net = None
    except (netaddr.AddrFormatError, TypeError, ValueError):
        errors.append("%s: subnet %r is not an IP network in CIDR form" % (where, link.get("subnet")))
    if net is not None and endpoints:
        for pos, end in enumerate(endpoints):
            host_index = end.get("host_index", pos + 1)
            usable = net.size - (2 if net.version == 4 and net.prefixlen < 31 else 0)
            if not isinstance(host_index, int) or host_index < 1 or host_index > usable:
                errors.append("%s: endpoint %s has no address: host_index %r is outside subnet %s"
                              % (where, end.get("host"), host_index, net.cidr))
        if endpoints[0].get("host_index", 1) == endpoints[1].get("host_index", 2):
            errors.append("%s: both endpoints get the same address" % where)
    return net


def _check_hw_ports(host, ports, used_ports, lab, errors):
    """Hardware identifiers of the ports the active links use."""
    var = "nfvlab_hw_ports"
    if ports is not None and not isinstance(ports, dict):
        errors.append("%s on %s: must map port names to {ifname, pci, guid, ...}" % (var, host))
        return
    ports = ports or {}
    seen_pci = {}
    seen_ifname = {}
    for port, kind in sorted(used_ports.items()):
        spec = ports.get(port)
        if spec is None:
            if lab == "hardware":
                errors.append("%s.%s on %s: unset; the topology uses this port, give its ifname and %s"
                              % (var, port, host, "guid" if kind == "infiniband" else "pci"))
                continue
            spec = {}
        ifname = spec.get("ifname") or port
        if not IFNAME_RE.match(str(ifname)):
            errors.append("%s.%s.ifname on %s: %r is not a Linux interface name (1-15 of A-Z a-z 0-9 _ . -)"
                          % (var, port, host, ifname))
        if ifname in seen_ifname:
            errors.append("%s on %s: ports %s and %s both use interface %s" % (var, host, seen_ifname[ifname], port, ifname))
        seen_ifname[ifname] = port
        pci = spec.get("pci")
        if pci is None:
            if lab == "hardware" and kind == "ethernet":
                errors.append("%s.%s.pci on %s: unset; give the PCI address of this 10 GbE port "
                              "(domain:bus:device.function, e.g. 0000:03:00.0, from lspci -D)" % (var, port, host))
        elif not PCI_RE.match(str(pci)):
            errors.append("%s.%s.pci on %s: %r is not a PCI address of the form 0000:03:00.0 (lower-case hex)"
                          % (var, port, host, pci))
        elif pci in seen_pci and kind == "ethernet":
            errors.append("%s on %s: ports %s and %s have the same PCI address %s" % (var, host, seen_pci[pci], port, pci))
        else:
            seen_pci[pci] = port
        guid = spec.get("guid")
        if kind == "infiniband":
            if guid is None:
                if lab == "hardware":
                    errors.append("%s.%s.guid on %s: unset; give the port GUID of this InfiniBand port "
                                  "(ibstat shows it, e.g. 0x0002c903000e1f01)" % (var, port, host))
            elif not any(regex.match(str(guid)) for regex in GUID_RES):
                errors.append("%s.%s.guid on %s: %r is not a 64-bit port GUID (0x0002c903000e1f01 or 0002:c903:000e:1f01)"
                              % (var, port, host, guid))


def _check_hugepages(host, pages, memory_mb, errors):
    var = "hugepages_pages"
    if pages is None:
        return
    if not isinstance(pages, list):
        errors.append("%s on %s: must be a list of {size: 2M|1G, count: N, node: N}" % (var, host))
        return
    total = 0
    for pos, entry in enumerate(pages):
        size = entry.get("size") if isinstance(entry, dict) else None
        count = entry.get("count") if isinstance(entry, dict) else None
        if size not in PAGE_SIZES_MB:
            errors.append("%s[%d] on %s: size %r is not one of 2M, 1G" % (var, pos, host, size))
            continue
        if not isinstance(count, int) or count < 0:
            errors.append("%s[%d] on %s: count %r is not a whole number >= 0" % (var, pos, host, count))
            continue
        total += PAGE_SIZES_MB[size] * count
    if memory_mb is not None and total > int(memory_mb):
        errors.append("%s on %s: asks for %d MB of hugepages but the host has %d MB (nfvlab_hw_memory_mb)"
                      % (var, host, total, int(memory_mb)))


def topology_errors(links, wiring, groups, hosts, required_groups, lab="hardware"):
    """Every problem with the topology and the inventory, as messages naming the variable.

    ``groups``: inventory group -> host names; ``hosts``: host -> its variables
    (nfvlab_hw_ports, nfvlab_hw_memory_mb, hugepages_pages); ``required_groups``:
    group -> minimum number of hosts.
    """
    _require_netaddr()
    errors = []
    if lab not in LAB_KINDS:
        errors.append("nfvlab_lab: %r is not one of %s" % (lab, ", ".join(LAB_KINDS)))
    wiring_list = [wiring] if isinstance(wiring, str) else list(wiring or [])
    if not wiring_list:
        errors.append("topology_wiring: empty; choose single-host, multi-host or both")
    for mode in wiring_list:
        if mode not in WIRINGS:
            errors.append("topology_wiring: %r is not one of %s" % (mode, ", ".join(WIRINGS)))
    if not isinstance(links, list) or not links:
        errors.append("topology_links: must be a non-empty list of links")
        return errors

    known_hosts = set(groups.get("all", []))
    lab_hosts = set()
    for group in required_groups:
        lab_hosts.update(groups.get(group, []))
    for group, minimum in sorted(required_groups.items()):
        members = groups.get(group, [])
        if len(members) < minimum:
            errors.append("inventory group %s: has %d host(s) (%s), the lab needs at least %d"
                          % (group, len(members), ", ".join(members) or "none", minimum))

    names = {}
    nets = []
    used = {}  # host -> {port: kind} over the active links
    for index, link in enumerate(links):
        net = _check_link_shape(index, link, errors)
        if not isinstance(link, dict):
            continue
        name = link.get("name")
        if name in names:
            errors.append("topology_links[%d]: name %s is already used by topology_links[%d]" % (index, name, names[name]))
        names.setdefault(name, index)
        if net is not None:
            for other_name, other in nets:
                if net == other:
                    errors.append("topology_links[%d] (%s): subnet %s duplicates the subnet of link %s"
                                  % (index, name, net.cidr, other_name))
                elif net in other or other in net:
                    errors.append("topology_links[%d] (%s): subnet %s overlaps %s of link %s"
                                  % (index, name, net.cidr, other.cidr, other_name))
            nets.append((name, net))
        endpoints = link.get("endpoints") if isinstance(link.get("endpoints"), list) else []
        hosts_of_link = [end.get("host") for end in endpoints if isinstance(end, dict)]
        if len(hosts_of_link) == 2 and hosts_of_link[0] == hosts_of_link[1]:
            errors.append("topology_links[%d] (%s): both ends are on host %s" % (index, name, hosts_of_link[0]))
        is_active = set(wiring_list).intersection(link.get("wiring", WIRINGS))
        for end in endpoints:
            if not isinstance(end, dict) or not end.get("host"):
                continue
            host = end["host"]
            if host not in known_hosts:
                errors.append("topology_links[%d] (%s): host %s is not in the inventory" % (index, name, host))
                continue
            if host not in lab_hosts:
                errors.append("topology_links[%d] (%s): host %s is in none of the lab groups %s"
                              % (index, name, host, ", ".join(sorted(required_groups))))
            if is_active and end.get("port"):
                ports = used.setdefault(host, {})
                if end["port"] in ports:
                    errors.append("topology_links[%d] (%s): port %s of host %s is already cabled to another active link"
                                  % (index, name, end["port"], host))
                ports[end["port"]] = link.get("kind")

    for host in sorted(known_hosts):
        hostvars = hosts.get(host, {})
        if host in used:
            _check_hw_ports(host, hostvars.get("nfvlab_hw_ports"), used[host], lab, errors)
        _check_hugepages(host, hostvars.get("hugepages_pages"), hostvars.get("nfvlab_hw_memory_mb"), errors)
    return errors
