# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the lab topology: validation, active links with derived addresses,
the links safe to unwire, and one host's interfaces. Documentation: the *.yml files beside this one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.topology import (
    TopologyError,
    expand_links,
    host_interfaces,
    inactive_links,
    topology_errors,
)

HOST_KEYS = ("nfvlab_hw_ports", "nfvlab_hw_memory_mb", "hugepages_pages")


def _host_data(hostvars, hosts):
    """The few per-host variables the topology reads, as plain dicts."""
    data = {}
    for host in hosts:
        try:
            variables = hostvars[host]
        except KeyError:
            continue
        data[host] = dict((key, variables.get(key)) for key in HOST_KEYS)
    return data


def _ports(hostvars, links):
    hosts = set()
    for link in links:
        for end in link.get("endpoints", []):
            hosts.add(end.get("host"))
    return dict((host, data.get("nfvlab_hw_ports")) for host, data in _host_data(hostvars, sorted(hosts)).items())


def _errors(links, wiring, groups, hostvars, required_groups, lab="hardware"):
    try:
        return topology_errors(links, wiring, groups, _host_data(hostvars, groups.get("all", [])), required_groups, lab)
    except TopologyError as exc:
        raise AnsibleFilterError(str(exc))


def _over_links(func, links, hostvars, *args):
    """Call func(links, *args, ports_by_host) with each host's nfvlab_hw_ports read from hostvars
    (when given), reporting the library's errors as filter errors."""
    try:
        return func(links, *args, ports_by_host=_ports(hostvars, links) if hostvars is not None else None)
    except TopologyError as exc:
        raise AnsibleFilterError(str(exc))


def _links(links, wiring, hostvars=None):
    return _over_links(expand_links, links, hostvars, wiring)


def _inactive(links, wiring, hostvars=None):
    return _over_links(inactive_links, links, hostvars, wiring)


def _interfaces(links, host, wiring, hostvars=None):
    return _over_links(host_interfaces, links, hostvars, host, wiring)


class FilterModule(object):
    def filters(self):
        return {
            "topology_errors": _errors,
            "topology_links": _links,
            "topology_interfaces": _interfaces,
            "topology_inactive_links": _inactive,
        }
