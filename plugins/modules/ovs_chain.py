#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ovs_chain
short_description: A service function chain as OpenFlow rules on one Open vSwitch bridge
version_added: 0.1.0
description:
  - Turns a chain of network functions (NFs), given in forward order, into OpenFlow rules on bridge O(bridge)
    that carry traffic through the chain in both directions, with symmetric load balancing over replicated stages.
  - "Serial chaining: for each pair of consecutive elements I(i), I(i+1), packets received on the east endpoint
    of I(i) are output to the west endpoint of I(i+1), and packets received on the west endpoint of I(i+1) are
    output to the east endpoint of I(i)."
  - "Load balancing: when the element traffic is sent to has k > 1 replicas, the flow in table O(table) hashes the
    packet with C(multipath(HASH,BASIS,hrw,k,0,NXM_NX_REG0[])) (HASH is O(hash_fields), BASIS is the index of the
    replicated element), stores a hop id in C(reg1) and resubmits to O(lb_table), where one flow per replica
    (C(reg1=HOP,reg0=J)) outputs to replica J. Both directions of a connection hash the same way (the hash is
    symmetric and both directions use the same basis and replica count), so the reply of a connection crosses
    the same replica as its request. The C(hrw) algorithm moves only about 1/k of the connections when a
    replica is added or removed. A select group is not used: its hash is not symmetric."
  - "The hop id (32 bits) is the low 24 bits of the cookie followed by a byte N, with N = 2 * element index + 1
    for traffic entering the element from the west and 2 * element index + 2 for traffic entering it from the
    east; registers C(reg0) and C(reg1) are overwritten by these flows."
  - Every flow carries the chain's O(cookie); the module reads, replaces and deletes only flows with exactly
    that cookie (C(cookie=C/-1)), so the other flows on the bridge are never touched. When the flows differ
    from the wanted ones, all flows of the cookie are replaced in one OpenFlow 1.4 bundle
    (C(ovs-ofctl --bundle add-flows BRIDGE -) with a C(delete cookie=C/-1) line followed by C(add) lines),
    which OVS applies atomically.
  - Port names are resolved to OpenFlow port numbers with C(ovs-ofctl show); when a port is re-added and gets
    another number, the next run rewrites the flows.
  - The flows are compared in the form C(ovs-ofctl -O OpenFlow14 --no-stats --no-names dump-flows) prints them
    (OVS 3.1), normalised (cookie left out, match fields sorted). The module honours the environment of the
    task, e.g. E(OVS_RUNDIR) to reach a vswitchd whose management sockets are not in the default directory.
  - Error messages count elements and replicas from 0, as in C(elements[0]).
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - Open vSwitch 3.1 C(ovs-ofctl) on the host running the bridge; the bridge must allow OpenFlow 1.4
    (the default set of protocols does)
options:
  bridge:
    description: The bridge.
    type: str
    required: true
  name:
    description: Name of the chain; the default O(cookie) is derived from it.
    type: str
    required: true
  cookie:
    description:
      - OpenFlow cookie of all the chain's flows, 1 to 2^64-2; it identifies the chain's flows, so two chains
        on one bridge need different cookies, and two chains that share O(lb_table) need cookies whose low
        24 bits differ (they make the hop ids).
      - Default C(0x4e46 << 48 | CRC), where CRC is the CRC-32 (C(zlib.crc32)) of the UTF-8 O(name); that is
        C(0x4e460000) followed by the 8 hex digits of CRC (C(0x4e46) is "NF").
    type: int
  state:
    description: V(present) installs the chain's flows (replacing any other flows with its cookie), V(absent) deletes all flows with its cookie.
    type: str
    choices: [present, absent]
    default: present
  priority:
    description: Priority of all the chain's flows (0 to 65535).
    type: int
    default: 100
  table:
    description: Table (0 to 253) of the flows that match on the input port.
    type: int
    default: 0
  lb_table:
    description:
      - Table (0 to 253) of the replica dispatch flows (C(reg1=HOP,reg0=J)); must differ from O(table) when an
        element has more than one replica.
    type: int
    default: 1
  hash_fields:
    description:
      - Symmetric hash of the C(multipath) action used to pick a replica (see ovs-actions(7)).
      - V(symmetric_l4) hashes Ethernet addresses and type, VLAN id, IP addresses and protocol, TCP/SCTP ports;
        it is symmetric when the NFs leave the Ethernet addresses as they are (bump-in-the-wire NFs).
      - V(symmetric_l3l4) leaves out the L2 headers (for NFs that rewrite MAC addresses; non-IP traffic always
        goes to replica 0); V(symmetric_l3l4+udp) also hashes UDP ports; V(symmetric_l3) hashes the IP
        addresses only.
    type: str
    choices: [symmetric_l4, symmetric_l3l4, symmetric_l3l4+udp, symmetric_l3]
    default: symmetric_l4
  elements:
    description:
      - The chain, in forward order (from the traffic source towards the sink); at least 2 elements, at most 127.
        Required when O(state=present).
      - Each element is either a dict with keys C(west) and C(east) (an NF, or a pass-through) or a dict with the
        single key C(replicas), a non-empty list of such C(west)/C(east) dicts (a load-balanced stage).
      - The first element may omit C(west) and the last may omit C(east), as they are the edges of the chain
        (e.g. the port to the traffic source, given as C(east) of the first element, and the port to the sink,
        given as C(west) of the last element). When given they are checked but used in no flow.
      - "An endpoint is a port name, or a dict C({port: NAME, tun_id: VNI}) for a VXLAN (or other tunnel) port
        created with C(options:key=flow): packets of this hop are matched on C(in_port) and C(tun_id=VNI) and
        sent with C(set_field:VNI->tun_id). VNI is 1 to 16777215."
      - A port (or port and VNI) may receive the traffic of only one hop. Port names are OpenFlow port names,
        at most 15 characters.
      - Every port must be on O(bridge); otherwise the module fails before changing any flow.
      - Mutually exclusive with O(segments).
    type: list
    elements: dict
  segments:
    description:
      - Several chains' worth of elements on this bridge under the one cookie, each a list as O(elements) takes
        it; e.g. the two runs of NFs an NF server holds in a back-and-forth placement, each entered and left
        through the tunnel with VNIs of their own. Ports (or port and VNI) may receive the traffic of only one hop
        across all segments. Replaced and removed together.
      - Mutually exclusive with O(elements); one of them is required when O(state=present).
    type: list
    elements: list
attributes:
  check_mode:
    description: Reads the bridge's ports and the chain's flows and reports the change it would make, running no changing command.
    support: full
  diff_mode:
    description: Shows the chain's flows (normalised, sorted, one per line) before and after.
    support: full
notes:
  - Packets whose output port is their input port (two hops over one tunnel port with different VNIs) are sent
    with the C(IN_PORT) action, or after C(load:0->NXM_OF_IN_PORT[]) in dispatch flows, since OpenFlow drops
    a plain output to the input port.
seealso:
  - name: ovs-actions(7), the multipath action
    description: Hash fields and algorithms of C(multipath).
    link: https://www.openvswitch.org/support/dist-docs/ovs-actions.7.html
"""

EXAMPLES = r"""
- name: An NF server's two segments of a back-and-forth chain, both through the tunnel to the chaining server
  nfvlab.interconnect.ovs_chain:
    bridge: br-int
    name: c1
    segments:
      - - east: {port: vx-chain, tun_id: 5096}
        - {west: c1s1-p0, east: c1s1-p1}
        - west: {port: vx-chain, tun_id: 5097}
      - - east: {port: vx-chain, tun_id: 5098}
        - {west: c1s3-p0, east: c1s3-p1}
        - west: {port: vx-chain, tun_id: 5099}

- name: Source -> firewall -> two load balanced IDS replicas -> NF on host 5 over VXLAN -> sink
  nfvlab.interconnect.ovs_chain:
    bridge: br-int
    name: chain1
    elements:
      - east: src0                      # port to the traffic source
      - west: fw-in
        east: fw-out
      - replicas:
          - {west: ids1-in, east: ids1-out}
          - {west: ids2-in, east: ids2-out}
      - west: {port: vx-h5, tun_id: 100}
        east: {port: vx-h5, tun_id: 101}
      - west: sink0                     # port to the traffic sink

- name: Remove the chain's flows
  nfvlab.interconnect.ovs_chain:
    bridge: br-int
    name: chain1
    state: absent
"""

RETURN = r"""
cookie:
  description: The chain's cookie as a hex string.
  returned: always
  type: str
  sample: "0x4e46000077ee7a44"
cookie_int:
  description: The chain's cookie as an integer.
  returned: always
  type: int
  sample: 5640535102069242436
flows:
  description:
    - The wanted flows in normalised C(dump-flows) form (no cookie; C(table=0) left out; match fields sorted),
      forward and reverse flows of each pair of elements, then the dispatch flows. Empty for O(state=absent).
  returned: always
  type: list
  elements: str
  sample:
    - "priority=100,in_port=1 actions=output:3"
    - "priority=100,in_port=3 actions=output:1"
    - "priority=100,in_port=4 actions=set_field:0x77ee7a05->reg1,multipath(symmetric_l4,2,hrw,2,0,NXM_NX_REG0[]),resubmit(,1)"
    - "table=1, priority=100,reg0=0x1,reg1=0x77ee7a05 actions=output:7"
commands:
  description: The changing C(ovs-ofctl) argument lists run (in check mode, that would run); the flow_mods of C(add-flows -) go to its standard input.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-ofctl", "-O", "OpenFlow14", "--bundle", "add-flows", "br-int", "-"]]
ports:
  description: OpenFlow port number of each port the chain names (65534 is the bridge's LOCAL port). Empty for O(state=absent).
  returned: always
  type: dict
  sample: {src0: 1, fw-in: 3, fw-out: 4}
"""

import zlib

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.ovs_ofctl import (
    COOKIE_PREFIX,
    MAX_PORT_NAME,
    OvsOfctl,
    OvsOfctlError,
    format_cookie,
    format_port,
    normalize_flow,
    output_action,
)

MAX_TUN_ID = 0xFFFFFF
MAX_ELEMENTS = 127  # hop numbers 2 * index + 2 fit in the low 8 bits of the hop id
MAX_COOKIE = 0xFFFFFFFFFFFFFFFE  # all ones is reserved by OpenFlow


class ChainError(Exception):
    pass


def default_cookie(name):
    """0x4e46 << 48 | crc32(name): 'NF', 16 zero bits, the CRC-32 of the UTF-8 name."""
    return COOKIE_PREFIX << 48 | (zlib.crc32(name.encode("utf-8")) & 0xFFFFFFFF)


def hop_id(cookie, index, from_west, segment=0):
    """reg1 value of the traffic entering element `index` (of segment `segment`) from the west (forward) or
    the east (reverse): the cookie's low 24 bits (the segment number XORed into their top byte), then one byte."""
    return ((((cookie & 0xFFFFFF) ^ (segment << 16)) & 0xFFFFFF) << 8) | (2 * index + (1 if from_west else 2))


class Endpoint(object):
    def __init__(self, port, tun_id, where):
        self.port = port
        self.tun_id = tun_id
        self.where = where
        self.ofport = None

    def match(self):
        text = "in_port=%s" % format_port(self.ofport)
        if self.tun_id is not None:
            text += ",tun_id=0x%x" % self.tun_id
        return text

    def deliver(self, sources):
        """Actions that send a packet out of this endpoint, given the endpoints it may have come in on."""
        actions = []
        if self.tun_id is not None:
            actions.append("set_field:0x%x->tun_id" % self.tun_id)
        source_ports = set(source.ofport for source in sources)
        if source_ports == set([self.ofport]):
            actions.append("IN_PORT")
        elif self.ofport in source_ports:
            actions.extend(["load:0->NXM_OF_IN_PORT[]", output_action(self.ofport)])
        else:
            actions.append(output_action(self.ofport))
        return ",".join(actions)


def parse_tun_id(value, where):
    if isinstance(value, bool):
        raise ChainError("%s: tun_id %r is not an integer" % (where, value))
    if isinstance(value, str):
        try:
            value = int(value.strip(), 0)
        except ValueError:
            raise ChainError("%s: tun_id %r is not an integer" % (where, value))
    if not isinstance(value, int):
        raise ChainError("%s: tun_id %r is not an integer" % (where, value))
    if not 1 <= value <= MAX_TUN_ID:
        raise ChainError("%s: tun_id %d is out of range 1..%d" % (where, value, MAX_TUN_ID))
    return value


def parse_endpoint(value, where):
    if value is None:
        return None
    tun_id = None
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(["port", "tun_id"]))
        if unknown:
            raise ChainError("%s: unknown key(s) %s (an endpoint is a port name or {port, tun_id})" % (where, ", ".join(unknown)))
        port = value.get("port")
        if value.get("tun_id") is not None:
            tun_id = parse_tun_id(value["tun_id"], where)
    else:
        port = value
    if not isinstance(port, str) or not port:
        raise ChainError("%s: the port must be a non-empty port name, got %r" % (where, port))
    if len(port) > MAX_PORT_NAME:
        raise ChainError("%s: port name '%s' is longer than the %d characters OpenFlow allows" % (where, port, MAX_PORT_NAME))
    return Endpoint(port, tun_id, where)


class Replica(object):
    def __init__(self, spec, where, need_west, need_east):
        if not isinstance(spec, dict):
            raise ChainError("%s must be a dict with west and east, got %r" % (where, spec))
        unknown = sorted(set(spec) - set(["west", "east"]))
        if unknown:
            raise ChainError("%s: unknown key(s) %s" % (where, ", ".join(unknown)))
        self.west = parse_endpoint(spec.get("west"), "%s west" % where)
        self.east = parse_endpoint(spec.get("east"), "%s east" % where)
        for side, needed, endpoint in (("west", need_west, self.west), ("east", need_east, self.east)):
            if needed and endpoint is None:
                raise ChainError("%s has no %s endpoint" % (where, side))

    def endpoints(self):
        return [endpoint for endpoint in (self.west, self.east) if endpoint is not None]


def parse_elements(elements, prefix="", check=True):
    """The chain as a list of stages, each a list of Replica (an NF is a stage of one)."""
    name = "%selements" % prefix if prefix else "elements"
    if not isinstance(elements, list) or len(elements) < 2:
        raise ChainError("%s: a chain needs at least 2 elements" % name)
    if len(elements) > MAX_ELEMENTS:
        raise ChainError("%s: a chain has at most %d elements, got %d" % (name, MAX_ELEMENTS, len(elements)))
    stages = []
    last = len(elements) - 1
    for index, element in enumerate(elements):
        where = "%selement %d" % (prefix, index)
        need_west, need_east = index > 0, index < last
        if not isinstance(element, dict):
            raise ChainError("%s must be a dict ({west, east} or {replicas}), got %r" % (where, element))
        if "replicas" in element:
            if set(element) != set(["replicas"]):
                raise ChainError("%s: replicas cannot be combined with %s" % (where, ", ".join(sorted(set(element) - set(["replicas"])))))
            replicas = element["replicas"]
            if not isinstance(replicas, list) or not replicas:
                raise ChainError("%s: replicas must be a list of at least 1 {west, east}" % where)
            stages.append([Replica(spec, "%s replica %d" % (where, number), need_west, need_east) for number, spec in enumerate(replicas)])
        else:
            stages.append([Replica(element, where, need_west, need_east)])
    if check:
        check_ingress([stages])
    return stages


def check_ingress(segments):
    """A port (or port and tun_id) may start only one hop, and a port matched without tun_id cannot also be
    matched with one (both flows would match its packets at the same priority); across all segments."""
    seen = {}
    first_on_port = {}
    for stages in segments:
        _check_segment_ingress(stages, seen, first_on_port)


def _check_segment_ingress(stages, seen, first_on_port):
    last = len(stages) - 1
    for index, stage in enumerate(stages):
        for replica in stage:
            for endpoint in ((replica.west if index > 0 else None), (replica.east if index < last else None)):
                if endpoint is None:
                    continue
                other = seen.get((endpoint.port, endpoint.tun_id))
                if other is not None:
                    raise ChainError("port '%s'%s receives the traffic of both %s and %s: it can start only one hop" % (
                        endpoint.port, "" if endpoint.tun_id is None else " tun_id %d" % endpoint.tun_id, other.where, endpoint.where))
                other = first_on_port.setdefault(endpoint.port, endpoint)
                if (other.tun_id is None) != (endpoint.tun_id is None):
                    raise ChainError("port '%s' is matched with tun_id in %s and without in %s: use tun_id on both or neither" % (
                        endpoint.port, (other if other.tun_id is not None else endpoint).where,
                        (endpoint if other.tun_id is not None else other).where))
                seen[(endpoint.port, endpoint.tun_id)] = endpoint


class Chain(object):
    """The flows of one or more segments (element lists) under one cookie."""

    def __init__(self, segments, cookie, priority, table, lb_table, hash_fields):
        if segments and segments[0] and isinstance(segments[0][0], Replica):
            segments = [segments]  # one segment's stages, as parse_elements returns them
        self.segments = segments
        self.stages = segments[0]
        self.segment = 0
        self.cookie = cookie
        self.priority = priority
        self.table = table
        self.lb_table = lb_table
        self.hash_fields = hash_fields
        if table == lb_table and any(len(stage) > 1 for stages in segments for stage in stages):
            raise ChainError("table and lb_table are both %d: the replica dispatch flows need a table of their own" % table)

    def endpoints(self):
        return [endpoint for stages in self.segments for stage in stages for replica in stage for endpoint in replica.endpoints()]

    def resolve(self, ports, bridge):
        """Give every endpoint its OpenFlow port number; fail on the first port not on the bridge."""
        used = {}
        for endpoint in self.endpoints():
            if endpoint.port not in ports:
                raise ChainError("port '%s' (%s) is not on bridge %s" % (endpoint.port, endpoint.where, bridge))
            endpoint.ofport = ports[endpoint.port]
            used[endpoint.port] = endpoint.ofport
        return used

    def _flow(self, table, match, actions):
        head = "" if table == 0 else "table=%d, " % table
        return normalize_flow("%spriority=%d,%s actions=%s" % (head, self.priority, match, actions))

    def _towards(self, index, sources, from_west):
        """Actions that send traffic coming from `sources` into element `index` (from its west or east side)."""
        stage = self.stages[index]
        if len(stage) == 1:
            target = stage[0].west if from_west else stage[0].east
            return target.deliver(sources)
        return "set_field:0x%x->reg1,multipath(%s,%d,hrw,%d,0,NXM_NX_REG0[]),resubmit(,%d)" % (
            hop_id(self.cookie, index, from_west, self.segment), self.hash_fields, index, len(stage), self.lb_table)

    def flows(self):
        """The wanted flows (normalised) of every segment."""
        flows = []
        for number, stages in enumerate(self.segments):
            self.stages, self.segment = stages, number
            flows.extend(self._segment_flows())
        return flows

    def _segment_flows(self):
        """One segment's flows: per pair forward then reverse, then the dispatch flows."""
        flows = []
        for index in range(len(self.stages) - 1):
            here, there = self.stages[index], self.stages[index + 1]
            for replica in here:
                flows.append(self._flow(self.table, replica.east.match(), self._towards(index + 1, [replica.east], True)))
            for replica in there:
                flows.append(self._flow(self.table, replica.west.match(), self._towards(index, [replica.west], False)))
        last = len(self.stages) - 1
        for index, stage in enumerate(self.stages):
            if len(stage) == 1:
                continue
            if index > 0:
                sources = [replica.east for replica in self.stages[index - 1]]
                for number, replica in enumerate(stage):
                    match = "reg0=%s,reg1=0x%x" % (number and "0x%x" % number or "0", hop_id(self.cookie, index, True, self.segment))
                    flows.append(self._flow(self.lb_table, match, replica.west.deliver(sources)))
            if index < last:
                sources = [replica.west for replica in self.stages[index + 1]]
                for number, replica in enumerate(stage):
                    match = "reg0=%s,reg1=0x%x" % (number and "0x%x" % number or "0", hop_id(self.cookie, index, False, self.segment))
                    flows.append(self._flow(self.lb_table, match, replica.east.deliver(sources)))
        return flows


def flow_text(flows):
    return "".join("%s\n" % flow for flow in sorted(flows))


def check_params(params):
    """Validate everything that needs no command; return (cookie, Chain or None)."""
    cookie = params["cookie"]
    if cookie is None:
        cookie = default_cookie(params["name"])
    elif not 1 <= cookie <= MAX_COOKIE:
        raise ChainError("cookie %d is out of range 1..0x%x" % (cookie, MAX_COOKIE))
    for key in ("table", "lb_table"):
        if not 0 <= params[key] <= 253:
            raise ChainError("%s %d is out of range 0..253" % (key, params[key]))
    if not 0 <= params["priority"] <= 65535:
        raise ChainError("priority %d is out of range 0..65535" % params["priority"])
    if params["state"] == "absent":
        return cookie, None
    if params["elements"]:
        segments = [parse_elements(params["elements"], check=False)]
    elif params["segments"]:
        segments = [parse_elements(elements, "segment %d " % number, check=False) for number, elements in enumerate(params["segments"])]
        if len(segments) > 255:
            raise ChainError("segments: at most 255 segments, got %d" % len(segments))
    else:
        raise ChainError("elements or segments is required when state is present")
    check_ingress(segments)
    return cookie, Chain(segments, cookie, params["priority"], params["table"], params["lb_table"], params["hash_fields"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bridge=dict(type="str", required=True),
            name=dict(type="str", required=True),
            cookie=dict(type="int"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            priority=dict(type="int", default=100),
            table=dict(type="int", default=0),
            lb_table=dict(type="int", default=1),
            hash_fields=dict(type="str", choices=["symmetric_l4", "symmetric_l3l4", "symmetric_l3l4+udp", "symmetric_l3"],
                             default="symmetric_l4"),
            elements=dict(type="list", elements="dict"),
            segments=dict(type="list", elements="list"),
        ),
        mutually_exclusive=[("elements", "segments")],
        supports_check_mode=True,
    )
    params = module.params
    bridge = params["bridge"]
    try:
        cookie, chain = check_params(params)
    except ChainError as exc:
        module.fail_json(msg=str(exc))
    result = dict(changed=False, cookie=format_cookie(cookie), cookie_int=cookie, flows=[], commands=[], ports={})
    ofctl = OvsOfctl(module, bridge)
    try:
        if chain is not None:
            ports = ofctl.ports()
            try:
                result["ports"] = chain.resolve(ports, bridge)
            except ChainError as exc:
                module.fail_json(msg=str(exc), **result)
            wanted = chain.flows()
        else:
            wanted = []
        result["flows"] = wanted
        have = ofctl.dump_flows(cookie)
        after = have
        if sorted(have) != sorted(wanted):
            result["changed"] = True
            after = wanted
            if wanted:
                result["commands"].append(ofctl.replace_argv())
                if not module.check_mode:
                    ofctl.replace_flows(cookie, wanted)
            else:
                result["commands"].append(ofctl.delete_argv(cookie))
                if not module.check_mode:
                    ofctl.delete_flows(cookie)
            if not module.check_mode:
                after = ofctl.dump_flows(cookie)
                if sorted(after) != sorted(wanted):
                    module.warn("OVS prints the flows of cookie %s differently from the module's form, so every run will "
                                "report a change; OVS: %s; module: %s" % (format_cookie(cookie), sorted(after), sorted(wanted)))
    except OvsOfctlError as exc:
        module.fail_json(msg=str(exc), rc=exc.rc, stdout=exc.out, stderr=exc.err, **result)
    if module._diff:
        header = "%s flows of cookie %s" % (bridge, format_cookie(cookie))
        result["diff"] = dict(before=flow_text(have), after=flow_text(after), before_header=header, after_header=header)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
