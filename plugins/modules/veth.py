#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: veth
short_description: A veth pair between two network namespaces, with its addresses, MTU and link state
version_added: 0.1.0
description:
  - Ensures that interface O(ifname) in namespace O(netns) and interface O(peer.ifname) in namespace
    O(peer.netns) are the two ends of one veth pair, that both are up, and that they carry exactly the
    wanted addresses and MTU.
  - The pair is read back from the kernel with C(ip -j -d link show); an end that exists but belongs to
    another pair is deleted and the pair is made again. An existing interface that is not a veth is never
    deleted; the module fails instead.
  - Each end records the namespace of its peer in its interface alias, so that a pair whose other end
    lives in a namespace that has been replaced (a restarted container) is recognised and made again.
  - Used by the emulated lab to wire podman hosts with point-to-point links, and for NF sandboxes.
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - iproute2 (C(ip)) and util-linux (C(nsenter)) on the host that owns the namespaces
options:
  ifname:
    description: Name of this end (at most 15 characters).
    type: str
    required: true
  netns:
    description:
      - Namespace of this end, as a PID (C(/proc/PID/ns/net)), a name under C(/run/netns) or an absolute path.
      - Omit it for the namespace the module runs in.
    type: str
  addresses:
    description:
      - Addresses of this end in CIDR form. Addresses not listed are removed unless O(purge_addresses=false) (link-local IPv6 addresses are the
        kernel's and are left alone). Omit to leave the addresses unmanaged.
    type: list
    elements: str
  peer:
    description: The other end.
    type: dict
    required: true
    suboptions:
      ifname:
        description: Name of the other end (at most 15 characters).
        type: str
        required: true
      netns:
        description: Namespace of the other end, in the same forms as O(netns).
        type: str
      addresses:
        description: Addresses of the other end in CIDR form; omit to leave them unmanaged.
        type: list
        elements: str
  mtu:
    description: MTU of both ends. Omit to leave it as the kernel made it (1500).
    type: int
  keep_mtu:
    description: Set O(mtu) only on a pair being made; an existing pair keeps the MTU it has (set by someone else).
    type: bool
    default: false
  purge_addresses:
    description:
      - Remove the addresses of an end that O(addresses) (or the peer's) does not list. V(false) only adds the listed
        ones, leaving addresses others put there (the traffic ends' addresses on the emulated lab's links).
    type: bool
    default: true
  keep_moved_addresses:
    description:
      - When an address wanted on an existing end is missing there but is on another interface of the same
        namespace, leave it where it is instead of adding it again (a switch took the interface over and moved the
        link's address to its bridge, as OVS's userspace tunnels need). Reported in RV(moved_addresses).
    type: bool
    default: false
  state:
    description: V(present) makes the pair, V(absent) deletes it (deleting one end deletes both).
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reads both ends and reports the C(ip) commands it would run, running none of them.
    support: full
  diff_mode:
    description: Shows both ends (existence, state, MTU, addresses) before and after.
    support: full
"""

EXAMPLES = r"""
- name: Wire container nf1 to container chain
  nfvlab.interconnect.veth:
    ifname: xe0
    netns: "{{ nf1_pid }}"
    addresses: [198.18.1.1/24]
    peer:
      ifname: xe0
      netns: "{{ chain_pid }}"
      addresses: [198.18.1.2/24]
    mtu: 1500

- name: Remove the link again
  nfvlab.interconnect.veth:
    ifname: xe0
    netns: "{{ nf1_pid }}"
    peer:
      ifname: xe0
      netns: "{{ chain_pid }}"
    state: absent
"""

RETURN = r"""
ends:
  description: Both ends as they are after the module ran (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    ifname:
      description: Interface name.
      type: str
      sample: xe0
    netns:
      description: Namespace file, or null for the module's own namespace.
      type: str
      sample: /proc/4242/ns/net
    exists:
      description: Whether the interface exists.
      type: bool
    up:
      description: Whether the interface is administratively up.
      type: bool
    mtu:
      description: MTU.
      type: int
      sample: 1500
    addresses:
      description: Addresses other than link-local ones.
      type: list
      elements: str
      sample: [198.18.1.1/24]
commands:
  description: The C(ip) command lines run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["nsenter --net=/proc/4242/ns/net ip link set dev xe0 up"]
moved_addresses:
  description: Wanted addresses left on another interface of their namespace (O(keep_moved_addresses)), address -> interface.
  returned: always
  type: dict
  sample: {198.18.1.2/24: brp-xe0}
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.iproute import (
    IpRoute,
    IpRouteError,
    link_is_up,
    link_kind,
)

ALIAS_PREFIX = "nfvlab-veth peer-netns:"


def netns_inode(path):
    """Inode of a namespace file (the namespace's identity); that of our own namespace for None."""
    return os.stat(path or "/proc/self/ns/net").st_ino


def netns_exists(path):
    return os.path.exists(path)


class End(object):
    def __init__(self, module, spec):
        self.ifname = spec["ifname"]
        self.ip = IpRoute(module, spec.get("netns"))
        self.netns = self.ip.netns
        self.addresses = spec.get("addresses")
        self.link = None
        self.have_addresses = []

    def read(self):
        """Read the interface and its addresses from the kernel."""
        self.link = self.ip.link(self.ifname)
        self.have_addresses = sorted(self.ip.addresses(self.ifname)) if self.link is not None else []
        return self.link

    def state(self):
        if self.link is None:
            return dict(ifname=self.ifname, netns=self.netns, exists=False, up=False, mtu=None, addresses=[])
        return dict(
            ifname=self.ifname,
            netns=self.netns,
            exists=True,
            up=link_is_up(self.link),
            mtu=self.link.get("mtu"),
            addresses=list(self.have_addresses),
        )


class Veth(object):
    def __init__(self, module):
        self.module = module
        self.check_mode = module.check_mode
        params = module.params
        for spec in (params, params["peer"]):
            if len(spec["ifname"]) > 15:
                module.fail_json(msg="ifname %r is longer than the 15 characters Linux allows" % spec["ifname"])
        self.a = End(module, dict(ifname=params["ifname"], netns=params["netns"], addresses=params["addresses"]))
        self.b = End(module, params["peer"])
        for end in (self.a, self.b):
            if end.netns and not netns_exists(end.netns):
                module.fail_json(msg="network namespace %s of %s does not exist" % (end.netns, end.ifname))
        if self.a.netns == self.b.netns and self.a.ifname == self.b.ifname:
            module.fail_json(msg="both ends are %s in the same namespace" % self.a.ifname)
        self.mtu = params["mtu"]
        self.commands = []
        self.changed = False
        self.moved = {}

    def _do(self, end, *args):
        self.commands.append(" ".join(end.ip.argv(*args)))
        self.changed = True
        if not self.check_mode:
            end.ip.run(*args)

    def _alias_for(self, peer):
        return "%s%d" % (ALIAS_PREFIX, netns_inode(peer.netns))

    def paired(self):
        """Whether the two existing ends are each other's peer."""
        a, b = self.a.link, self.b.link
        if a is None or b is None or link_kind(a) != "veth" or link_kind(b) != "veth":
            return False
        if self.a.netns == self.b.netns or netns_inode(self.a.netns) == netns_inode(self.b.netns):
            return a.get("link") == self.b.ifname and b.get("link") == self.a.ifname
        return (
            a.get("link_index") == b.get("ifindex")
            and b.get("link_index") == a.get("ifindex")
            and a.get("ifalias") == self._alias_for(self.b)
            and b.get("ifalias") == self._alias_for(self.a)
        )

    def _refuse_foreign(self, end):
        kind = link_kind(end.link)
        if end.link is not None and kind != "veth":
            self.module.fail_json(
                msg="%s exists in namespace %s and is a %s device, not a veth: refusing to replace it"
                % (end.ifname, end.netns or "(current)", kind or "physical")
            )

    def _delete_ends(self):
        """Delete both ends; deleting a veth takes its peer with it, so re-read the second end first."""
        was_paired = self.paired()
        if self.a.link is not None:
            self._do(self.a, "link", "del", "dev", self.a.ifname)
            self.a.link = None
            if self.check_mode:
                self.b.link = None if was_paired else self.b.link
            else:
                self.b.read()
        if self.b.link is not None:
            self._do(self.b, "link", "del", "dev", self.b.ifname)
            self.b.link = None

    def absent(self):
        for end in (self.a, self.b):
            self._refuse_foreign(end)
        self._delete_ends()

    def present(self):
        for end in (self.a, self.b):
            self._refuse_foreign(end)
        created = False
        if not self.paired():
            self._delete_ends()
            peer_ns = self.b.netns or "/proc/%d/ns/net" % os.getpid()
            self._do(self.a, "link", "add", self.a.ifname, "type", "veth", "peer", "name", self.b.ifname, "netns", peer_ns)
            created = True
        for end, peer in ((self.a, self.b), (self.b, self.a)):
            if created and not self.check_mode:
                end.read()
            self._converge_end(end, peer, None if created and self.check_mode else end.link)

    def _converge_end(self, end, peer, link):
        alias = self._alias_for(peer)
        if link is None or link.get("ifalias") != alias:
            self._do(end, "link", "set", "dev", end.ifname, "alias", alias)
        keep = self.module.params["keep_mtu"]
        if self.mtu is not None and (link is None or (link.get("mtu") != self.mtu and not keep)):
            self._do(end, "link", "set", "dev", end.ifname, "mtu", self.mtu)
        if end.addresses is not None:
            have = set(end.have_addresses) if link is not None else set()
            want = set(end.addresses)
            for address in sorted(have - want) if self.module.params["purge_addresses"] else []:
                self._do(end, "addr", "del", address, "dev", end.ifname)
            missing = sorted(want - have)
            if missing and link is not None and self.module.params["keep_moved_addresses"]:
                owners = end.ip.address_owners()
                for address in [a for a in missing if owners.get(a) not in (None, end.ifname)]:
                    self.moved[address] = owners[address]
                    missing.remove(address)
            for address in missing:
                self._do(end, "addr", "add", address, "dev", end.ifname)
        if link is None or not link_is_up(link):
            self._do(end, "link", "set", "dev", end.ifname, "up")

    def planned_state(self, end, state):
        """What an end will look like after a check-mode run."""
        if self.module.params["state"] == "absent":
            return dict(ifname=end.ifname, netns=end.netns, exists=False, up=False, mtu=None, addresses=[])
        params = self.module.params
        planned = dict(state, exists=True, up=True)
        if self.mtu is not None and not (params["keep_mtu"] and state["exists"]):
            planned["mtu"] = self.mtu
        elif planned["mtu"] is None:
            planned["mtu"] = 1500
        if end.addresses is not None:
            wanted = set(end.addresses) - set(self.moved)
            if not params["purge_addresses"]:
                wanted |= set(state["addresses"])
            planned["addresses"] = sorted(wanted)
        return planned


def main():
    end_spec = dict(
        ifname=dict(type="str", required=True),
        netns=dict(type="str"),
        addresses=dict(type="list", elements="str"),
    )
    module = AnsibleModule(
        argument_spec=dict(
            ifname=dict(type="str", required=True),
            netns=dict(type="str"),
            addresses=dict(type="list", elements="str"),
            peer=dict(type="dict", required=True, options=end_spec),
            mtu=dict(type="int"),
            keep_moved_addresses=dict(type="bool", default=False),
            purge_addresses=dict(type="bool", default=True),
            keep_mtu=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    veth = Veth(module)
    try:
        for end in (veth.a, veth.b):
            end.read()
        before = [veth.a.state(), veth.b.state()]
        if module.params["state"] == "present":
            veth.present()
        else:
            veth.absent()
        if not veth.changed:
            after = before
        elif module.check_mode:
            after = [veth.planned_state(veth.a, before[0]), veth.planned_state(veth.b, before[1])]
        else:
            for end in (veth.a, veth.b):
                end.read()
            after = [veth.a.state(), veth.b.state()]
    except IpRouteError as exc:
        module.fail_json(msg=str(exc), rc=exc.rc, stdout=exc.out, stderr=exc.err, commands=veth.commands)
    result = dict(changed=veth.changed, ends=after, commands=veth.commands, moved_addresses=veth.moved)
    if module._diff:
        result["diff"] = dict(before=dict(ends=before), after=dict(ends=after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
