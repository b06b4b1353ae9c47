"""chain_plan and switch_ports: worked examples of the per-host plans for the paper's placements."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.chain_plan import FilterModule
from ansible_collections.nfvlab.interconnect.plugins.filter.placement import FilterModule as PlacementFilters

FILTERS = FilterModule().filters()
PLACE = PlacementFilters().filters()["chain_placement"]
PLAN = FILTERS["chain_plan"]
NF = ["nf1", "nf2"]


def plan(length, policy="sc", replicas=1, wiring="multi-host", vni_base=4096):
    placement = PLACE(length * replicas, NF, policy, None, wiring)
    ingress, egress = ("xe2", "xe3") if wiring == "multi-host" else ("xe1", "xe2")
    switch = "chain" if wiring == "multi-host" else "nf1"
    return PLAN(placement, "c1", replicas, wiring, switch, ingress, egress, vni_base)


def test_single_host_three_nfs_in_a_row_between_source_and_sink_ports():
    result = plan(3, wiring="single-host")
    assert result["traversals"] == 0
    assert list(result["hosts"]) == ["nf1"]
    assert result["hosts"]["nf1"]["segments"] == [[
        {"east": "xe1"},
        {"west": "c1s1-p0", "east": "c1s1-p1"},
        {"west": "c1s2-p0", "east": "c1s2-p1"},
        {"west": "c1s3-p0", "east": "c1s3-p1"},
        {"west": "xe2"},
    ]]
    assert [p["ofport"] for i in result["instances"] for p in i["ports"]] == [1000, 1001, 1002, 1003, 1004, 1005]


def test_single_host_replicated_stage():
    result = plan(1, replicas=2, wiring="single-host")
    assert result["hosts"]["nf1"]["segments"] == [[
        {"east": "xe1"},
        {"replicas": [{"west": "c1s1r1-p0", "east": "c1s1r1-p1"}, {"west": "c1s1r2-p0", "east": "c1s1r2-p1"}]},
        {"west": "xe2"},
    ]]


def test_shortcut_two_segments_through_the_chaining_server():
    result = plan(4, "sc")
    assert result["traversals"] == 4
    assert [i["host"] for i in result["instances"]] == ["nf1", "nf1", "nf2", "nf2"]
    nf1 = result["hosts"]["nf1"]["segments"]
    assert nf1 == [[
        {"east": {"port": "vx-chain", "tun_id": 4096 + 1000}},
        {"west": "c1s1-p0", "east": "c1s1-p1"},
        {"west": "c1s2-p0", "east": "c1s2-p1"},
        {"west": {"port": "vx-chain", "tun_id": 4096 + 1003}},
    ]]
    assert result["hosts"]["chain"]["segments"] == [[
        {"east": "xe2"},
        {"west": {"port": "vx-nf1", "tun_id": 5096}, "east": {"port": "vx-nf1", "tun_id": 5099}},
        {"west": {"port": "vx-nf2", "tun_id": 5096}, "east": {"port": "vx-nf2", "tun_id": 5099}},
        {"west": "xe3"},
    ]]


def test_back_and_forth_one_segment_per_hop():
    result = plan(3, "bf")
    assert result["traversals"] == 6
    assert [i["host"] for i in result["instances"]] == ["nf1", "nf2", "nf1"]
    assert len(result["hosts"]["nf1"]["segments"]) == 2
    assert result["hosts"]["nf1"]["segments"][1] == [
        {"east": {"port": "vx-chain", "tun_id": 5098}},
        {"west": "c1s3-p0", "east": "c1s3-p1"},
        {"west": {"port": "vx-chain", "tun_id": 5099}},
    ]
    chain = result["hosts"]["chain"]["segments"][0]
    assert [e.get("west", {}).get("port") if isinstance(e.get("west"), dict) else e.get("west") for e in chain] == [
        None, "vx-nf1", "vx-nf2", "vx-nf1", "xe3"]


def test_multi_host_replicas_are_balanced_on_the_chaining_server():
    result = plan(1, "bf", replicas=2)
    chain = result["hosts"]["chain"]["segments"][0]
    assert chain[1] == {"replicas": [
        {"west": {"port": "vx-nf1", "tun_id": 5096}, "east": {"port": "vx-nf1", "tun_id": 5097}},
        {"west": {"port": "vx-nf2", "tun_id": 5096}, "east": {"port": "vx-nf2", "tun_id": 5097}},
    ]}


def test_vni_outside_the_range_stops_with_the_variable_named():
    with pytest.raises(AnsibleFilterError, match=r"VNI 16778215 .* outside 1\.\.16777215: nf_chain_vni_base 16777215"):
        plan(2, vni_base=16777215)


@pytest.mark.parametrize("name", ["", "C1", "chain12", "1c", None])
def test_bad_chain_name(name):
    placement = PLACE(1, NF, "sc")
    with pytest.raises(AnsibleFilterError, match="nf_chain_name"):
        PLAN(placement, name)


def test_switch_ports_emulated_and_hardware():
    interfaces = [
        {"host": "nf1", "port": "xe2", "ifname": "xe2", "peer_host": "sink", "kind": "ethernet", "link": "nf1-sink"},
        {"host": "nf1", "port": "xe1", "ifname": "xe1", "peer_host": "source", "kind": "ethernet", "link": "source-nf1"},
        {"host": "nf1", "port": "xe0", "ifname": "xe0", "peer_host": "chain", "kind": "ethernet", "link": "nf1-chain-eth"},
    ]
    ports = FILTERS["switch_ports"](interfaces, ["source", "sink"], "emulated")
    assert ports == [
        {"name": "xe1", "type": "dpdk", "options": {"dpdk-devargs": "net_af_packet_xe1,iface=xe1"}, "ofport_request": 1},
        {"name": "xe2", "type": "dpdk", "options": {"dpdk-devargs": "net_af_packet_xe2,iface=xe2"}, "ofport_request": 2},
    ]
    hw = FILTERS["switch_ports"](interfaces, ["chain"], "hardware", {"xe0": {"pci": "0000:03:00.0"}}, "ethernet", 1, 9000)
    assert hw == [{"name": "xe0", "type": "dpdk", "options": {"dpdk-devargs": "0000:03:00.0"}, "ofport_request": 1, "mtu_request": 9000}]
    with pytest.raises(AnsibleFilterError, match="nfvlab_hw_ports.xe0.pci on nf1: unset"):
        FILTERS["switch_ports"](interfaces, ["chain"], "hardware", {"xe0": {"pci": None}})


@pytest.mark.parametrize("wiring,host,ingress,egress", [("single-host", "nf1", "xe1", "xe2"), ("multi-host", "chain", "xe2", "xe3")])
def test_no_nfs_is_the_switch_alone(wiring, host, ingress, egress):
    result = PLAN(None, "c1", 1, wiring, host, ingress, egress)
    assert result["instances"] == []
    assert result["hosts"] == {host: {"instances": [], "segments": [[{"east": ingress}, {"west": egress}]]}}
