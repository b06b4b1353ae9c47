# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iproute2 as modules use it: JSON reads (`ip -j`), argument lists, and a network
namespace given as a PID, a name under /run/netns or a path (entered with nsenter)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.nfvlab.interconnect.plugins.module_utils.command import CommandError


def netns_path(netns):
    """The file of a network namespace given as a PID, a /run/netns name or a path (None: the current one)."""
    if netns is None or netns == "":
        return None
    text = str(netns)
    if text.isdigit():
        return "/proc/%s/ns/net" % text
    if text.startswith("/"):
        return text
    return "/run/netns/%s" % text


class IpRouteError(CommandError):
    """A failed ip command."""


class IpRoute(object):
    """Runs `ip` in one network namespace through module.run_command, never through a shell."""

    def __init__(self, module, netns=None):
        self.module = module
        self.netns = netns_path(netns)
        self.ip = module.get_bin_path("ip", required=True)
        self.nsenter = module.get_bin_path("nsenter", required=True) if self.netns else None

    def argv(self, *args):
        cmd = [self.ip] + [str(arg) for arg in args]
        if self.netns:
            cmd = [self.nsenter, "--net=%s" % self.netns] + cmd
        return cmd

    def run(self, *args):
        argv = self.argv(*args)
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            raise IpRouteError(argv, rc, out, err)
        return out

    def json(self, *args):
        out = self.run("-j", *args)
        return json.loads(out) if out.strip() else []

    def link(self, ifname):
        """`ip -d link show` of one interface as a dict, or None when it does not exist."""
        argv = self.argv("-j", "-d", "link", "show", "dev", ifname)
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            if "does not exist" in err or "Cannot find device" in err:
                return None
            raise IpRouteError(argv, rc, out, err)
        links = json.loads(out) if out.strip() else []
        return links[0] if links else None

    def address_owners(self):
        """Every global/host-scope address of the namespace as 'ip/prefix' -> interface name."""
        owners = {}
        for entry in self.json("addr", "show"):
            for info in entry.get("addr_info", []):
                if info.get("scope") != "link":
                    owners["%s/%s" % (info["local"], info["prefixlen"])] = entry.get("ifname")
        return owners

    def addresses(self, ifname):
        """The global and host-scope addresses of an interface as 'ip/prefix' (link-local ones are the kernel's)."""
        result = []
        for entry in self.json("addr", "show", "dev", ifname):
            for info in entry.get("addr_info", []):
                if info.get("scope") == "link":
                    continue
                result.append("%s/%s" % (info["local"], info["prefixlen"]))
        return result


def link_kind(link):
    """The rtnetlink kind of a link from `ip -d -j link show` ('veth', 'bridge', ... or None)."""
    return ((link or {}).get("linkinfo") or {}).get("info_kind")


def link_is_up(link):
    return "UP" in (link or {}).get("flags", [])


def addresses_by_interface(addr_json):
    """`ip -j addr show` output (text or parsed) -> {ifname: ['198.18.1.1/24', ...]}, IPv4 and IPv6."""
    import json
    data = json.loads(addr_json) if isinstance(addr_json, str) else addr_json
    result = {}
    for link in data or []:
        result[link.get("ifname")] = ["%s/%s" % (a["local"], a["prefixlen"]) for a in link.get("addr_info", []) if "local" in a]
    return result
