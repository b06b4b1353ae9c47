#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ovs_bridge
short_description: An Open vSwitch bridge and its ports, with interface types, options and OpenFlow port numbers
version_added: 0.1.0
description:
  - Reads the bridge and the interfaces of its ports with C(ovs-vsctl --format=json list), compares them with
    the wanted bridge (datapath type, fail mode, other_config keys) and ports (type, options, OpenFlow port
    number, MTU) and applies every difference in B(one) ovs-vsctl transaction (commands joined by C(--)).
  - A port whose interface type changes is deleted and added again in that transaction. Interface options are
    set exactly - keys that differ are set, keys not wanted are removed. O(ports[].ofport_request) and
    O(ports[].mtu_request) are left as they are when omitted.
  - ovs-vsctl waits until ovs-vswitchd has applied the change. The module then reads the interfaces back
    and fails, with OVS's own text, when a wanted port's C(error) column is set (a missing network device,
    an AF_XDP or DPDK device that cannot be opened). It fails the same way when a wanted port that did not change
    has an error.
  - community.general.openvswitch_bridge and community.general.openvswitch_port cannot manage interface types,
    options and OpenFlow port numbers idempotently, nor purge ports, hence this module.
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - ovs-vsctl, a running ovsdb-server and ovs-vswitchd
options:
  name:
    description: The bridge (at most 15 characters, its own internal port is a Linux interface of that name).
    type: str
    required: true
  state:
    description: V(present), or V(absent) (C(ovs-vsctl --if-exists del-br), which deletes its ports too).
    type: str
    choices: [present, absent]
    default: present
  datapath_type:
    description: V(netdev) (the userspace datapath, OVS-DPDK and AF_XDP) or V(system) (the kernel datapath).
    type: str
    choices: [netdev, system]
    default: netdev
  fail_mode:
    description:
      - V(secure) (only OpenFlow rules forward) or V(standalone) (NORMAL switching while no controller is connected).
      - Omit it to leave the bridge's fail mode as it is.
    type: str
    choices: [secure, standalone]
  other_config:
    description:
      - Bridge other_config keys (C(hwaddr), C(mac-aging-time), C(disable-in-band) ...), key -> value; a null value removes the key.
      - Only the keys named are managed; others are left alone.
    type: dict
  ports:
    description: Ports wanted on the bridge, each with one interface of the same name. Ports not listed are left alone unless purged.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Port and interface name.
        type: str
        required: true
      type:
        description: Interface type (V(system) is stored by OVS as the empty string).
        type: str
        choices: [system, internal, dpdk, afxdp, dpdkvhostuserclient, dpdkvhostuser, vxlan, patch, tap]
        default: system
      options:
        description:
          - Interface options, exactly (keys not given are removed), e.g. C(dpdk-devargs), C(vhost-server-path),
            C(remote_ip), C(local_ip), C(key), C(peer), C(n_rxq), C(xdp-mode).
          - Values are stored as strings (booleans as V(true)/V(false)).
        type: dict
        default: {}
      ofport_request:
        description: OpenFlow port number asked for, 1..65279. Omit to leave it as it is.
        type: int
      mtu_request:
        description: MTU asked for, 68..65535. Omit to leave it as it is.
        type: int
  purge_ports:
    description: Delete every port of the bridge not in O(ports) (never the bridge's own internal port).
    type: bool
    default: false
  purge_ports_matching:
    description:
      - Delete the ports not in O(ports) whose names match this Python regular expression (re.search), e.g. the NF
        ports of a chain, leaving the bridge's other ports alone.
    type: str
  timeout:
    description:
      - Seconds each ovs-vsctl may take (C(ovs-vsctl --timeout)), including its wait for ovs-vswitchd to apply a
        change.
    type: int
    default: 30
attributes:
  check_mode:
    description: Reads the bridge and reports the transaction it would run, running nothing that changes it.
    support: full
  diff_mode:
    description: Shows the bridge (datapath type, fail mode, other_config) and all its ports before and after.
    support: full
seealso:
  - module: nfvlab.interconnect.ovs_other_config
  - module: community.general.openvswitch_bridge
"""

EXAMPLES = r"""
- name: Integration bridge of OVS-DPDK with a DPDK NIC, a VXLAN tunnel and a vhost-user port
  nfvlab.interconnect.ovs_bridge:
    name: br-int
    datapath_type: netdev
    fail_mode: secure
    ports:
      - name: xe1
        type: dpdk
        options: {dpdk-devargs: "0000:03:00.0", n_rxq: 2}
        ofport_request: 1
        mtu_request: 9000
      - name: vx-chain
        type: vxlan
        options: {remote_ip: 198.18.1.2, key: flow}
        ofport_request: 100
      - name: c1s1-p0
        type: dpdkvhostuserclient
        options: {vhost-server-path: /run/nfvlab/vhost/c1s1-p0.sock}
        ofport_request: 1000
    purge_ports_matching: "^c1s[0-9]+-p[01]$"

- name: An AF_XDP port on a veth end, in the emulated lab
  nfvlab.interconnect.ovs_bridge:
    name: br-lab
    ports:
      - {name: xe1, type: afxdp, options: {xdp-mode: generic}, ofport_request: 1}
    purge_ports: true

- name: No bridge
  nfvlab.interconnect.ovs_bridge:
    name: br-lab
    state: absent
"""

RETURN = r"""
bridge:
  description: The bridge after the run (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    name:
      description: Bridge name.
      type: str
      sample: br-int
    exists:
      description: Whether the bridge exists.
      type: bool
    datapath_type:
      description: Datapath type (V(system) also when OVS stores the empty string); null when the bridge does not exist.
      type: str
      sample: netdev
    fail_mode:
      description: Fail mode, null when unset.
      type: str
      sample: secure
    other_config:
      description: All the bridge's other_config keys.
      type: dict
ports:
  description:
    - All the bridge's ports after the run (in check mode, as they would be), name -> interface; the bridge's own
      internal port is not listed.
    - In check mode the OpenFlow port of a new port is null.
  returned: always
  type: dict
  sample:
    vx-chain: {type: vxlan, options: {key: flow, remote_ip: 198.18.1.2}, ofport: 100, ofport_request: 100, mtu_request: null, error: null}
    xe1: {type: afxdp, options: {}, ofport: -1, ofport_request: 1, mtu_request: null, error: "could not open network device xe1 (No such device)"}
commands:
  description: The ovs-vsctl argument list of the transaction run (in check mode, that would run); empty when nothing changes.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-vsctl", "--timeout=30", "add-port", "br-int", "xe1", "--", "set", "Interface", "xe1", "type=afxdp", "ofport_request=1"]]
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.ovs_vsctl import (
    OvsVsctl,
    OvsVsctlError,
    config_string,
    key,
    optional,
    quote,
)

BRIDGE_COLUMNS = ["name", "datapath_type", "fail_mode", "other_config"]
INTERFACE_COLUMNS = ["name", "type", "options", "ofport_request", "mtu_request", "ofport", "error"]
PORT_TYPES = ["system", "internal", "dpdk", "afxdp", "dpdkvhostuserclient", "dpdkvhostuser", "vxlan", "patch", "tap"]
# Types whose interface is a Linux network device, whose name IFNAMSIZ limits to 15 characters.
NETDEV_TYPES = ("system", "internal", "afxdp", "tap")


def bridge_view(name, row):
    if row is None:
        return dict(name=name, exists=False, datapath_type=None, fail_mode=None, other_config={})
    return dict(name=name, exists=True, datapath_type=row["datapath_type"] or "system",
                fail_mode=optional(row["fail_mode"]), other_config=row["other_config"] or {})


def port_view(row):
    if row is None:  # a port whose interface has another name (a bond): not one this module made
        return dict(type=None, options={}, ofport=None, ofport_request=None, mtu_request=None, error=None)
    return dict(type=row["type"] or "system", options=row["options"] or {}, ofport=optional(row["ofport"]),
                ofport_request=optional(row["ofport_request"]), mtu_request=optional(row["mtu_request"]),
                error=optional(row["error"]))


def read(vsctl, name):
    """(bridge view, {port name: port view}) as ovs-vsctl reports them."""
    found = vsctl.list("Bridge", BRIDGE_COLUMNS, name, if_exists=True)
    if not found:
        return bridge_view(name, None), {}
    names = vsctl.run("list-ports", name).split()
    interfaces = {}
    if names:
        interfaces = dict((row["name"], row) for row in vsctl.list("Interface", INTERFACE_COLUMNS, *names, if_exists=True))
    return bridge_view(name, found[0]), dict((port, port_view(interfaces.get(port))) for port in names)


def wanted_ports(params):
    ports = []
    for port in params["ports"]:
        options = dict((k, config_string(v)) for k, v in (port["options"] or {}).items() if v is not None)
        ports.append(dict(port, options=options))
    return ports


def interface_settings(port, have_options=None):
    """`set Interface` arguments for a new port (have_options None) or the changes of an existing one."""
    args = []
    if have_options is None:
        args.append("type=%s" % port["type"])
        have_options = {}
    args += ["options:%s=%s" % (key(k), quote(v)) for k, v in sorted(port["options"].items()) if have_options.get(k) != v]
    return args


def plan(params, bridge, ports):
    """(commands of the one transaction, the bridge and ports it leaves)."""
    name = params["name"]
    if params["state"] == "absent":
        if not bridge["exists"]:
            return [], bridge, ports
        return [["--if-exists", "del-br", name]], bridge_view(name, None), {}
    commands = []
    after_bridge = dict(bridge, exists=True, other_config=dict(bridge["other_config"]))
    after_ports = dict((port, dict(view)) for port, view in ports.items())
    bridge_set = []
    if not bridge["exists"]:
        commands.append(["add-br", name])
    if bridge["datapath_type"] != params["datapath_type"]:
        bridge_set.append("datapath_type=%s" % params["datapath_type"])
        after_bridge["datapath_type"] = params["datapath_type"]
    if params["fail_mode"] and bridge["fail_mode"] != params["fail_mode"]:
        bridge_set.append("fail_mode=%s" % params["fail_mode"])
        after_bridge["fail_mode"] = params["fail_mode"]
    drop = []
    for k, v in sorted((params["other_config"] or {}).items()):
        if v is None:
            if k in bridge["other_config"]:
                drop.append(k)
                after_bridge["other_config"].pop(k)
        elif bridge["other_config"].get(k) != config_string(v):
            bridge_set.append("other_config:%s=%s" % (key(k), quote(config_string(v))))
            after_bridge["other_config"][k] = config_string(v)
    if bridge_set:
        commands.append(["set", "Bridge", name] + bridge_set)
    if drop:
        commands.append(["remove", "Bridge", name, "other_config"] + [key(k) for k in drop])

    wanted = set()
    for port in wanted_ports(params):
        pname = port["name"]
        wanted.add(pname)
        have = ports.get(pname)
        planned = dict(have) if have is not None else dict(ofport=None, ofport_request=None, mtu_request=None)
        if have is None or have["type"] != port["type"]:
            if have is not None:
                commands.append(["del-port", name, pname])
                planned = dict(ofport=None, ofport_request=None, mtu_request=None)
            commands.append(["add-port", name, pname])
            settings, removed = interface_settings(port), []
        else:
            settings = interface_settings(port, have["options"])
            removed = sorted(k for k in have["options"] if k not in port["options"])
        for column in ("ofport_request", "mtu_request"):
            if port[column] is not None and planned[column] != port[column]:
                settings.append("%s=%d" % (column, port[column]))
                planned[column] = port[column]
        if settings:
            commands.append(["set", "Interface", pname] + settings)
        if removed:
            commands.append(["remove", "Interface", pname, "options"] + [key(k) for k in removed])
        if settings or removed:
            planned.update(type=port["type"], options=dict(port["options"]), error=None)
            if have is None or have["type"] != port["type"]:
                planned["ofport"] = None
            after_ports[pname] = planned
    pattern = re.compile(params["purge_ports_matching"]) if params["purge_ports_matching"] else None
    for pname in sorted(ports):
        if pname not in wanted and (params["purge_ports"] or (pattern is not None and pattern.search(pname))):
            commands.append(["del-port", name, pname])
            del after_ports[pname]
    return commands, after_bridge, after_ports


def check_params(module):
    params = module.params
    if len(params["name"]) > 15:
        module.fail_json(msg="name: %r is longer than the 15 characters of a Linux interface name (the bridge's own port)" % params["name"])
    for index, port in enumerate(params["ports"]):
        where = "ports[%d] (%s)" % (index, port["name"])
        if port["name"] == params["name"]:
            module.fail_json(msg="%s: the bridge's own internal port is not managed as one of its ports" % where)
        request = port["ofport_request"]
        if request is not None and not 1 <= request <= 65279:
            module.fail_json(msg="%s: ofport_request %d is outside 1..65279" % (where, request))
        mtu = port["mtu_request"]
        if mtu is not None and not 68 <= mtu <= 65535:
            module.fail_json(msg="%s: mtu_request %d is outside 68..65535" % (where, mtu))
        if len(port["name"]) > 15 and port["type"] in NETDEV_TYPES:
            module.fail_json(msg="%s: the name is longer than the 15 characters of a Linux interface name" % where)
        for k, v in (port["options"] or {}).items():
            if isinstance(v, (dict, list, tuple)):
                module.fail_json(msg="%s: options.%s: a value is a string, a number or a boolean, not %r" % (where, k, v))
    names = [port["name"] for port in params["ports"]]
    if len(names) != len(set(names)):
        module.fail_json(msg="ports: names given twice: %s" % sorted(set(n for n in names if names.count(n) > 1)))
    requests = [port["ofport_request"] for port in params["ports"] if port["ofport_request"] is not None]
    if len(requests) != len(set(requests)):
        module.fail_json(msg="ports: ofport_request given twice: %s" % sorted(set(r for r in requests if requests.count(r) > 1)))
    if params["purge_ports_matching"]:
        try:
            re.compile(params["purge_ports_matching"])
        except re.error as exc:
            module.fail_json(msg="purge_ports_matching: not a regular expression: %s" % exc)


def main():
    port_spec = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", default="system", choices=PORT_TYPES),
        options=dict(type="dict", default={}),
        ofport_request=dict(type="int"),
        mtu_request=dict(type="int"),
    )
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            datapath_type=dict(type="str", choices=["netdev", "system"], default="netdev"),
            fail_mode=dict(type="str", choices=["secure", "standalone"]),
            other_config=dict(type="dict"),
            ports=dict(type="list", elements="dict", options=port_spec, default=[]),
            purge_ports=dict(type="bool", default=False),
            purge_ports_matching=dict(type="str"),
            timeout=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    check_params(module)
    vsctl = OvsVsctl(module, module.params["timeout"])
    name = module.params["name"]
    stderr = ""
    try:
        bridge, ports = read(vsctl, name)
        commands, after_bridge, after_ports = plan(module.params, bridge, ports)
        if commands:
            _argv, stderr = vsctl.transact(commands)
            if not module.check_mode:
                after_bridge, after_ports = read(vsctl, name)
    except OvsVsctlError as exc:
        module.fail_json(msg=str(exc), rc=exc.rc, stdout=exc.out, stderr=exc.err, commands=vsctl.commands)
    result = dict(changed=bool(commands), bridge=after_bridge, ports=after_ports, commands=vsctl.commands)
    if module._diff:
        result["diff"] = dict(before=dict(bridge=bridge, ports=ports), after=dict(bridge=after_bridge, ports=after_ports))
    if module.params["state"] == "present":
        errors = ["%s: %s" % (port["name"], after_ports[port["name"]]["error"]) for port in module.params["ports"]
                  if (after_ports.get(port["name"]) or {}).get("error")]
        if errors:
            if stderr:
                result["stderr"] = stderr
            module.fail_json(msg="OVS could not set up port %s" % "; ".join(errors), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
