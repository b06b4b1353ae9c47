"""nfvlab.interconnect.ovs_chain against canned ovs-ofctl 3.1 outputs (tests/unit/plugins/modules/test_ovs_chain.yaml),
and a check, on a small OpenFlow interpreter, that a load-balanced stage carries both directions of a connection
through the same replica.

On real OVS 3.1 (netdev bridge h2-br, chain B of the YAML cases: h2src2 -> h2d1|h2d2 -> replicas h2b1|h2b2 and
h2c1|h2c2 -> h2vx VNI 100|101 -> h2sink2) `ovs-appctl ofproto/trace` of a TCP packet entering from h2d2
(in_port=10, 10.0.0.1:SPORT -> 10.0.0.2:80, dl 02:..:01 -> 02:..:02) and of its reply entering from h2vx with
tun_id=100 (addresses and ports swapped) gave, for SPORT 1000..1003, 40000, 40001:
  forward to h2c1, reply to h2c2; forward to h2b1, reply to h2b2; h2b1/h2b2; h2c1/h2c2; h2b1/h2b2; h2c1/h2c2
i.e. every connection crossed one replica both ways and both replicas were used. A trace of chain C's dispatch
flow `set_field:0xd2->tun_id,load:0->NXM_OF_IN_PORT[],output:11` for a packet that came in on h2vx showed
"output to native tunnel" (the packet is sent back out of its input port instead of being skipped).
"""

import json
import os
import re
import zlib

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.nfvlab.interconnect.plugins.module_utils import ovs_ofctl
from ansible_collections.nfvlab.interconnect.plugins.modules import ovs_chain

from .run_command_cases import BIN_PATHS, CommandMock, assert_case, call_main, load_cases

HERE = os.path.dirname(__file__)
CASES = load_cases(os.path.join(HERE, "test_ovs_chain.yaml"), fixtures_dir="openvswitch")
FIXTURES = os.path.join(HERE, "fixtures", "openvswitch")


class StdinCheckingMock(CommandMock):
    """CommandMock that also compares the standard input (run_command data=) with the case's `data`."""

    def __call__(self, args, check_rc=False, **kwargs):
        call = self.expected[0] if self.expected else {}
        result = super(StdinCheckingMock, self).__call__(args, check_rc=check_rc, **kwargs)
        if "data" in call:
            assert kwargs.get("data") == call["data"], "stdin of %s: expected %r, got %r" % (args, call["data"], kwargs.get("data"))
        else:
            assert kwargs.get("data") is None, "unexpected stdin for %s: %r" % (args, kwargs.get("data"))
        return result


@pytest.fixture(autouse=True)
def own_warnings(monkeypatch):
    """module.warn() collects into a process-wide dict: give every test its own."""
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})


SEEN_WARNINGS = []


@pytest.fixture(autouse=True)
def record_warnings(monkeypatch):
    """Once controller-side code is imported (the filter tests do), module warnings go to the display instead of
    the result: record what the module warns directly."""
    del SEEN_WARNINGS[:]
    original = basic.AnsibleModule.warn

    def warn(self, warning):
        SEEN_WARNINGS.append(warning)
        return original(self, warning)
    monkeypatch.setattr(basic.AnsibleModule, "warn", warn)


@pytest.mark.parametrize("case", CASES)
def test_ovs_chain(case, monkeypatch, capsys):
    mock = StdinCheckingMock(case.get("mocks", {}).get("run_command", []))
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, args, **kwargs: mock(args, **kwargs))
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: BIN_PATHS[name])
    flags = case.get("flags", {})
    result = call_main(ovs_chain.main, case["input"], capsys, check=flags.get("check", False), diff=flags.get("diff", False))
    case = dict(case, output=dict(case.get("output", {})))
    warning = case["output"].pop("warnings_contain", None)
    if warning is not None:
        assert warning in json.dumps(SEEN_WARNINGS), (SEEN_WARNINGS, result)
    if flags.get("check"):
        changing = [argv for argv in mock.seen if "add-flows" in argv or "del-flows" in argv]
        assert not changing, "check mode ran %s" % changing
    assert_case(result, mock, case)


def test_default_cookie_is_nf_prefix_and_crc32_of_name():
    assert ovs_chain.default_cookie("h2-chain-a") == 0x4E46 << 48 | zlib.crc32(b"h2-chain-a")
    assert ovs_ofctl.format_cookie(ovs_chain.default_cookie("h2-chain-a")) == "0x4e460000a75d6311"


def test_normalize_flow_drops_cookie_and_stats_and_sorts_match():
    line = (" cookie=0x4e46000000000001, duration=0.004s, table=0, n_packets=0, n_bytes=0, idle_age=0, "
            "priority=100,tun_id=0x64,in_port=11 actions=set_field:0x65->tun_id,output:11")
    assert ovs_ofctl.normalize_flow(line) == "priority=100,in_port=11,tun_id=0x64 actions=set_field:0x65->tun_id,output:11"
    assert ovs_ofctl.normalize_flow(" cookie=0x77, reset_counts priority=5,in_port=2 actions=drop") == \
        "priority=5,in_port=2,reset_counts actions=drop"
    assert ovs_ofctl.normalize_flow(" cookie=0x1, table=1, priority=100,reg0=0x1,reg1=0x5 actions=output:7") == \
        "table=1, priority=100,reg0=0x1,reg1=0x5 actions=output:7"


def test_show_parser_reads_every_port_and_local():
    with open(os.path.join(FIXTURES, "ovs_chain-show.txt")) as handle:
        ports = ovs_ofctl.parse_ports(handle.read())
    assert ports["h2src"] == 1 and ports["h2vx"] == 11 and ports["h2e3"] == 16
    assert ports["h2-br"] == ovs_ofctl.OFPP_LOCAL
    assert len(ports) == 17


# --- symmetric load balancing, checked on the generated flows ------------------------------------------


def split_actions(text):
    """Split an action list at the commas that are not inside parentheses."""
    actions, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            actions.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    return actions + [current] if current else actions


def parse_flow(line):
    match, actions = line.split(" actions=")
    fields = {"table": "0"}
    for token in re.split(r"[,\s]+", match):
        key, value = token.split("=", 1)
        fields[key] = value
    table = int(fields.pop("table"))
    priority = int(fields.pop("priority"))
    return table, priority, dict((key, int(value, 0)) for key, value in fields.items()), split_actions(actions)


def symmetric_hash(connection, basis):
    """A stand-in for OVS's symmetric_l4 hash: a function of the unordered pair of the connection's ends."""
    return zlib.crc32(repr((basis, sorted(connection))).encode())


def hrw(value, n_links):
    return max(range(n_links), key=lambda link: (zlib.crc32(repr((value, link)).encode()), link))


class Switch(object):
    """Interprets the action and match subset the module generates, with OpenFlow's output-to-in_port rule."""

    def __init__(self, flows):
        self.flows = [parse_flow(line) for line in flows]

    def receive(self, in_port, tun_id, connection):
        packet = dict(in_port=in_port, tun_id=tun_id or 0, reg0=0, reg1=0)
        outputs = []
        self._table(0, packet, connection, outputs)
        return outputs

    def _table(self, table, packet, connection, outputs):
        hits = [flow for flow in self.flows
                if flow[0] == table and all(packet.get(key, 0) == value for key, value in flow[2].items())]
        assert hits, "no flow in table %d for %s" % (table, packet)
        best = max(flow[1] for flow in hits)
        hits = [flow for flow in hits if flow[1] == best]
        assert len(hits) == 1, "ambiguous flows for %s: %s" % (packet, hits)
        for action in hits[0][3]:
            if action.startswith("set_field:"):
                value, field = action[len("set_field:"):].split("->")
                packet[field] = int(value, 0)
            elif action == "load:0->NXM_OF_IN_PORT[]":
                packet["in_port"] = 0
            elif action.startswith("multipath("):
                fields, basis, algorithm, n_links, arg, dst = action[len("multipath("):-1].split(",")
                assert (fields, algorithm, arg, dst) == ("symmetric_l4", "hrw", "0", "NXM_NX_REG0[]")
                packet["reg0"] = hrw(symmetric_hash(connection, int(basis)), int(n_links))
            elif action.startswith("resubmit(,"):
                self._table(int(action[len("resubmit(,"):-1]), packet, connection, outputs)
            elif action == "IN_PORT":
                outputs.append((packet["in_port"], packet["tun_id"]))
            elif action.startswith("output:"):
                port = int(action[len("output:"):])
                if port != packet["in_port"]:  # OpenFlow never outputs to the input port this way
                    outputs.append((port, packet["tun_id"]))
            else:
                raise AssertionError("unknown action %s" % action)


PORTS = dict(("p%d" % number, number) for number in range(1, 30))
PORTS["vx"] = 40


def endpoint_key(endpoint):
    return (endpoint.ofport, endpoint.tun_id or 0)


def walk(chain, switch, connection, forward):
    """Send one packet of `connection` from one edge of the chain to the other; the NFs pass it on
    unchanged from the side it came in on to their other side. Return (element, replica) visited."""
    last = len(chain.stages) - 1
    sides = {}
    for index, stage in enumerate(chain.stages):
        for number, replica in enumerate(stage):
            if replica.west is not None and index > 0:
                sides[endpoint_key(replica.west)] = (index, number, "west")
            if replica.east is not None and index < last:
                sides[endpoint_key(replica.east)] = (index, number, "east")
    edge = chain.stages[0][0].east if forward else chain.stages[last][0].west
    key, visited = endpoint_key(edge), []
    for _hop in range(len(chain.stages)):
        outputs = switch.receive(key[0], key[1], connection)
        assert len(outputs) == 1, outputs
        port, tun_id = outputs[0]
        # the tunnel metadata of a packet that came in on a tunnel means nothing on a plain port
        index, number, side = sides[(port, tun_id)] if (port, tun_id) in sides else sides[(port, 0)]
        visited.append((index, number))
        if index in (0, last):
            return visited
        replica = chain.stages[index][number]
        key = endpoint_key(replica.east if side == "west" else replica.west)
    raise AssertionError("packet looped: %s" % visited)


def make_chain(elements):
    stages = ovs_chain.parse_elements(elements)
    chain = ovs_chain.Chain(stages, ovs_chain.default_cookie("t"), 100, 0, 1, "symmetric_l4")
    chain.resolve(PORTS, "br-test")
    return chain


@pytest.mark.parametrize("elements", [
    pytest.param([{"east": "p1"}, {"replicas": [{"west": "p2", "east": "p3"}, {"west": "p4", "east": "p5"}]}, {"west": "p6"}],
                 id="one-2-replica-stage"),
    pytest.param([{"east": "p1"}, {"west": "p2", "east": "p3"},
                  {"replicas": [{"west": "p4", "east": "p5"}, {"west": "p6", "east": "p7"}]},
                  {"replicas": [{"west": "p8", "east": "p9"}, {"west": "p10", "east": "p11"}, {"west": "p12", "east": "p13"}]},
                  {"west": {"port": "vx", "tun_id": 100}, "east": {"port": "vx", "tun_id": 101}},
                  {"west": {"port": "vx", "tun_id": 102}}],
                 id="two-stages-and-tunnel-hairpins"),
    pytest.param([{"replicas": [{"east": {"port": "vx", "tun_id": 200}}, {"east": "p1"}]},
                  {"replicas": [{"west": {"port": "vx", "tun_id": 210}, "east": {"port": "vx", "tun_id": 211}},
                                {"west": "p2", "east": "p3"}]},
                  {"west": {"port": "vx", "tun_id": 220}}],
                 id="replicas-behind-the-input-port"),
])
def test_both_directions_of_a_connection_cross_the_same_replicas(elements):
    chain = make_chain(elements)
    switch = Switch(chain.flows())
    used = set()
    for sport in range(64):
        connection = (("10.0.0.1", 1024 + sport), ("10.0.0.2", 80))
        there = walk(chain, switch, connection, forward=True)
        back = walk(chain, switch, connection, forward=False)
        assert there[:-1] == list(reversed(back[:-1])), (connection, there, back)
        used.update(there)
    for index, stage in enumerate(chain.stages[1:-1], 1):
        assert set(number for element, number in used if element == index) == set(range(len(stage))), "a replica got no traffic"


def test_two_replica_stage_flows_text():
    """The same reasoning on the flow text: the forward and reverse dispatch into a 2-replica stage use the
    identical multipath(symmetric_l4, basis, hrw, 2, 0, reg0) (a symmetric hash of the same fields with the
    same basis and link count gives the same reg0 for a packet and its reply), and reg0=J leads to the west
    port of replica J forward and to the east port of the same replica J in reverse."""
    chain = make_chain([{"east": "p1"}, {"replicas": [{"west": "p2", "east": "p3"}, {"west": "p4", "east": "p5"}]}, {"west": "p6"}])
    flows = chain.flows()
    forward = [flow for flow in flows if flow.startswith("priority=100,in_port=1 ")]
    reverse = [flow for flow in flows if flow.startswith("priority=100,in_port=6 ")]
    assert len(forward) == len(reverse) == 1
    mp = re.compile(r"set_field:(0x[0-9a-f]+)->reg1,(multipath\(symmetric_l4,1,hrw,2,0,NXM_NX_REG0\[\]\)),resubmit\(,1\)$")
    hop_forward, multipath_forward = mp.search(forward[0]).groups()
    hop_reverse, multipath_reverse = mp.search(reverse[0]).groups()
    assert multipath_forward == multipath_reverse and hop_forward != hop_reverse
    for index, west, east in ((0, 2, 3), (1, 4, 5)):
        reg0 = "0x%x" % index if index else "0"
        assert "table=1, priority=100,reg0=%s,reg1=%s actions=output:%d" % (reg0, hop_forward, west) in flows
        assert "table=1, priority=100,reg0=%s,reg1=%s actions=output:%d" % (reg0, hop_reverse, east) in flows
    # replies leaving a replica go straight back towards the source, whichever replica they crossed
    assert "priority=100,in_port=2 actions=output:1" in flows and "priority=100,in_port=4 actions=output:1" in flows


def _segment_params(segments):
    return dict(name="c1", cookie=None, state="present", priority=100, table=0, lb_table=1,
                hash_fields="symmetric_l4", elements=None, segments=segments)


def test_segments_share_one_cookie_and_keep_their_hops_apart():
    """Two runs of NFs on one NF server (back-and-forth placement), each entered and left through the
    tunnel with VNIs of its own, and a replicated stage in each: one cookie, distinct dispatch registers."""
    segments = [
        [{"east": {"port": "vx", "tun_id": 5096}},
         {"replicas": [{"west": "a0", "east": "a1"}, {"west": "b0", "east": "b1"}]},
         {"west": {"port": "vx", "tun_id": 5097}}],
        [{"east": {"port": "vx", "tun_id": 5098}},
         {"replicas": [{"west": "c0", "east": "c1"}, {"west": "d0", "east": "d1"}]},
         {"west": {"port": "vx", "tun_id": 5099}}],
    ]
    cookie, chain = ovs_chain.check_params(_segment_params(segments))
    chain.resolve({"vx": 100, "a0": 1000, "a1": 1001, "b0": 1002, "b1": 1003,
                   "c0": 1004, "c1": 1005, "d0": 1006, "d1": 1007}, "br-int")
    flows = chain.flows()
    assert "priority=100,in_port=100,tun_id=0x13e8 actions=set_field:0x%x->reg1,multipath(symmetric_l4,1,hrw,2,0,NXM_NX_REG0[]),resubmit(,1)" % (
        ovs_chain.hop_id(cookie, 1, True, 0)) in flows
    assert "priority=100,in_port=100,tun_id=0x13ea actions=set_field:0x%x->reg1,multipath(symmetric_l4,1,hrw,2,0,NXM_NX_REG0[]),resubmit(,1)" % (
        ovs_chain.hop_id(cookie, 1, True, 1)) in flows
    registers = set(re.findall(r"reg1=(0x[0-9a-f]+)", " ".join(flows)))
    assert len(registers) == 4, registers
    assert len(flows) == len(set(flows))


def test_segments_cannot_reuse_a_tunnel_hop():
    segments = [
        [{"east": {"port": "vx", "tun_id": 5096}}, {"west": "a0", "east": "a1"}, {"west": {"port": "vx", "tun_id": 5097}}],
        [{"east": {"port": "vx", "tun_id": 5096}}, {"west": "c0", "east": "c1"}, {"west": {"port": "vx", "tun_id": 5099}}],
    ]
    with pytest.raises(ovs_chain.ChainError, match="receives the traffic of both segment 0 element 0 east and segment 1 element 0 east"):
        ovs_chain.check_params(_segment_params(segments))
