"""The switching plane on the emulated lab: OVS-DPDK on nf1, nf2 and the chaining
server, VXLAN tunnels, chains of l2fwd NFs (DPDK testpmd in network-namespace
sandboxes, vhost-user ports) carrying iperf3 traffic from the source to the sink,
single-host and across hosts in both placements, a symmetric load-balanced stage,
reruns that change nothing, and every bad input of the issue stopping before a
flow changes.

Needs root and podman. Tests run in file order on the session's lab (conftest.py)."""

import json
import os
import re
import time

import pytest
import testinfra

from tests.playbook_runner import ansible_playbook, recap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATED = os.path.join(ROOT, "inventories", "emulated")
SINGLE_SINK = "198.18.41.2"
MULTI_SINK = "198.18.42.2"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated lab needs root (podman, veth, hugepages)")


def playbook(name, *args):
    return ansible_playbook(name, *args, inventory=EMULATED)


def changed(output):
    return dict((name, counters["changed"]) for name, counters in recap(output).items())


def host(name):
    return testinfra.get_host("podman://nfvlab-" + name)


def flows(name, bridge="br-int"):
    """The bridge's flows without statistics (what a failed run must leave as it was)."""
    out = host(name).check_output("ovs-ofctl -O OpenFlow14 --no-stats --no-names dump-flows %s", bridge)
    return sorted(line.strip() for line in out.splitlines() if "actions=" in line)


def iperf3(sink, seconds=4, streams=4):
    """Gb/s received by the sink, from iperf3's JSON."""
    out = host("source").check_output("iperf3 -J -c %s -P %s -t %s", sink, str(streams), str(seconds))
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def deploy(*extra):
    code, out = playbook("chain.yml", *extra)
    assert code == 0, out[-4000:]
    return out


@pytest.fixture(scope="module", autouse=True)
def switching_plane(lab):
    """The session's lab: lab.yml built the switching plane (conftest.py). The benchmark tests
    before these killed ovs-vswitchd and an NF; systemd restarted them, and the rerun of
    dataplane.yml below must find nothing to change."""
    assert lab[0] == 0, lab[1][-3000:]
    return lab[1]


def test_dataplane_runs_ovs_dpdk_with_one_pmd_thread(switching_plane):
    for name in ("nf1", "nf2", "chain"):
        h = host(name)
        assert h.service("openvswitch-switch").is_running
        assert h.check_output("ovs-vsctl get Open_vSwitch . dpdk_initialized") == "true"
        assert h.check_output("ovs-vsctl get Open_vSwitch . other_config:pmd-cpu-mask") == '"0x2"'
        pmds = h.check_output("ovs-appctl dpif-netdev/pmd-rxq-show")
        assert len(re.findall(r"^pmd thread numa_id \d+ core_id \d+:", pmds, re.M)) == 1, pmds
        assert h.check_output("ovs-vsctl get Bridge br-int datapath_type") == "netdev"


def test_tunnels_carry_the_underlay_addresses(switching_plane):
    chain = host("chain")
    assert "198.18.1.2/24" in chain.check_output("ip -br addr show dev brp-xe0")
    assert chain.check_output("ovs-vsctl get Interface vx-nf1 options:remote_ip") == '"198.18.1.1"'
    assert host("nf2").check_output("ovs-vsctl get Interface vx-chain options:remote_ip") == '"198.18.2.2"'
    # the ping across each underlay ran in the play; prove the tunnel's ARP is resolved on OVS's side
    assert "198.18.1.1" in chain.check_output("ovs-appctl tnl/arp/show")


def test_dataplane_rerun_changes_nothing(switching_plane):
    code, out = playbook("dataplane.yml")
    assert code == 0, out[-3000:]
    assert set(changed(out).values()) == {0}, changed(out)


def test_three_l2fwd_nfs_on_nf1_carry_iperf3(switching_plane):
    deploy("-e", "nf_chain_length=3", "-e", "nf_chain_wiring=single-host")
    nf1 = host("nf1")
    for stage in (1, 2, 3):
        assert nf1.service("nfvlab-l2fwd@c1s%d" % stage).is_running
        assert nf1.check_output("ovs-vsctl get Interface c1s%d-p0 status:status" % stage) == "connected"
    gbps = iperf3(SINGLE_SINK)
    print("single-host chain of 3 l2fwd NFs: %.2f Gb/s" % gbps)
    assert gbps > 0.01


def test_chain_rerun_reports_no_change(switching_plane):
    out = deploy("-e", "nf_chain_length=3", "-e", "nf_chain_wiring=single-host")
    assert set(changed(out).values()) == {0}, changed(out)


@pytest.mark.parametrize("extra,needle", [
    (["-e", "nf_chain_placement=zigzag"], "nf_chain_placement"),
    (["-e", "nf_chain_length=6", "-e", "nf_chain_slots=2"], "does not fit"),
    (["-e", "nf_chain_wiring=multi-host", "-e", "nf_chain_vni_base=16777000"], "outside 1..16777215"),
])
def test_bad_chain_input_stops_before_flows_change(switching_plane, extra, needle):
    before = dict((name, flows(name)) for name in ("nf1", "nf2", "chain"))
    code, out = playbook("chain.yml", *extra)
    assert code != 0
    assert needle in out, out[-3000:]
    assert dict((name, flows(name)) for name in ("nf1", "nf2", "chain")) == before


@pytest.mark.parametrize("extra,needle", [
    (["-e", "ovs_pmd_threads=4"], "4 PMD threads asked but NUMA node 0 has 1 core(s) free"),
    (["-e", "ovs_dpdk_version=21.11.2"], "Open vSwitch 3.1 needs DPDK 22.11; DPDK 21.11.2 was given"),
])
def test_bad_switch_input_stops_before_anything_changes(switching_plane, extra, needle):
    before = host("nf1").check_output("ovs-vsctl get Open_vSwitch . other_config")
    code, out = playbook("dataplane.yml", *extra)
    assert code != 0
    assert needle in out, out[-3000:]
    assert host("nf1").check_output("ovs-vsctl get Open_vSwitch . other_config") == before


# Back-and-forth only: the session's lab.yml already deployed and measured both placements of this chain through the
# benchmark harness (fig4's sc and bf cells, test_emulated_lab.py); this checks where each NF runs.
@pytest.mark.parametrize("placement,hosts", [("back-and-forth", ["nf1", "nf2", "nf1", "nf2"])])
def test_multi_host_chain_over_vxlan(switching_plane, placement, hosts):
    out = deploy("-e", "nf_chain_length=4", "-e", "nf_chain_wiring=multi-host", "-e", "nf_chain_placement=" + placement)
    for stage, name in enumerate(hosts, 1):
        assert host(name).service("nfvlab-l2fwd@c1s%d" % stage).is_running, (placement, stage, name)
    other = "nf2" if hosts[0] == "nf1" else "nf1"
    assert not host(other).service("nfvlab-l2fwd@c1s1").is_running
    gbps = iperf3(MULTI_SINK)
    print("multi-host chain of 4, %s: %.2f Gb/s" % (placement, gbps))
    assert gbps > 0.01
    # the VNI encodes the NF port: chain -> nf1 carries VNI 4096 + OpenFlow port of c1s1-p0 (1000)
    assert "tun_id=0x13e8" in " ".join(flows("chain")), out[-2000:]


def test_load_balanced_stage_is_symmetric(switching_plane):
    deploy("-e", "nf_chain_length=1", "-e", "nf_chain_replicas=2", "-e", "nf_chain_wiring=single-host")
    nf1 = host("nf1")
    ports = dict(re.findall(r"^\s*(\d+)\((\S+)\):", nf1.check_output("ovs-ofctl -O OpenFlow14 show br-int"), re.M))
    ofport = dict((name, int(number)) for number, name in ports.items())
    # datapath port numbers (what ofproto/trace's "Datapath actions" name) of each replica's ports
    odp = dict((name, number) for name, number in re.findall(r"^\s+(\S+) \d+/(\d+):", nf1.check_output("ovs-appctl dpif/show"), re.M))
    seen = {}
    for sport in range(40000, 40016):
        forward = nf1.check_output(
            "ovs-appctl ofproto/trace br-int in_port=%d,tcp,nw_src=198.18.41.1,nw_dst=198.18.41.2,tp_src=%d,tp_dst=5201"
            % (ofport["xe1"], sport))
        reverse = nf1.check_output(
            "ovs-appctl ofproto/trace br-int in_port=%d,tcp,nw_src=198.18.41.2,nw_dst=198.18.41.1,tp_src=5201,tp_dst=%d"
            % (ofport["xe2"], sport))
        out_fwd = re.findall(r"Datapath actions: (\S+)", forward)[-1]
        out_rev = re.findall(r"Datapath actions: (\S+)", reverse)[-1]
        replica_fwd = [r for r in ("r1", "r2") if odp["c1s1%s-p0" % r] == out_fwd]
        replica_rev = [r for r in ("r1", "r2") if odp["c1s1%s-p1" % r] == out_rev]
        assert replica_fwd and replica_fwd == replica_rev, (sport, forward, reverse)
        seen[replica_fwd[0]] = seen.get(replica_fwd[0], 0) + 1
    assert set(seen) == {"r1", "r2"}, seen
    gbps = iperf3(SINGLE_SINK, streams=8)
    print("2-replica load-balanced stage: %.2f Gb/s, traced connections per replica %s" % (gbps, seen))
    # OVSDB's statistics column is refreshed every 5 s (other_config:stats-update-interval): wait for it
    deadline = time.time() + 12
    while True:
        sent = dict((replica, int(nf1.check_output("ovs-vsctl get Interface c1s1%s-p0 statistics:tx_packets" % replica)))
                    for replica in ("r1", "r2"))
        if all(sent.values()) or time.time() > deadline:
            break
        time.sleep(1)
    assert all(sent.values()), sent


def test_chain_absent_removes_flows_and_nfs(switching_plane):
    deploy("-e", "nf_chain_state=absent")
    for name in ("nf1", "nf2", "chain"):
        assert not [f for f in flows(name) if "cookie=0x4e46" in f]
    assert "nfvlab-l2fwd@" not in host("nf1").check_output("systemctl list-units --no-legend 'nfvlab-l2fwd@*' || true")
