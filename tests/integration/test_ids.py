"""IDS NFs on the emulated lab: Suricata 7 (the engine this machine can have) inline on nf1 in
each capture mode - one chain of three NFs, NFQ -> AF_PACKET -> DPDK - carrying iperf3 traffic
from the source to the sink; a UDP packet crafted to match the canary rule raises one alert in
each NF; a rerun changes nothing; bad input stops before a host changes; the table 1 cells the
session's lab.yml measured through the benchmark harness, Heavy beside Light.

Needs root and podman. Runs on the session's lab (conftest.py), after the benchmark tests."""

import glob
import hashlib
import json
import os
import tarfile
import tempfile
import time

import pytest
import testinfra

from tests.integration.conftest import measured
from tests.playbook_runner import ansible_playbook, recap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATED = os.path.join(ROOT, "inventories", "emulated")
SINK = "198.18.41.2"
CAPTURES = ["nfq", "afpacket", "dpdk"]
CHAIN = ["-e", json.dumps({"nf_chain_nf": "ids", "nf_chain_length": 3, "nf_chain_capture": CAPTURES,
                           "nf_chain_ids_weight": "heavy"})]
HEALTH = os.path.join(ROOT, "tests", "integration", "playbooks", "ids_health.yml")
INSTANCES = [{"name": "c1s%d" % (index + 1), "capture": capture} for index, capture in enumerate(CAPTURES)]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated lab needs root (podman, veth, hugepages)")


def host(name):
    return testinfra.get_host("podman://nfvlab-" + name)


def changed(output):
    return dict((name, counters["changed"]) for name, counters in recap(output).items())


def health():
    """Each instance's health, through the module (health=true changes nothing)."""
    handle, path = tempfile.mkstemp(prefix="nfvlab-ids-health-", suffix=".json")
    os.close(handle)
    try:
        args = json.dumps({"ids_health_args": {"instances": INSTANCES, "health": True}, "ids_health_out": path})
        code, out = ansible_playbook(HEALTH, "-e", args, inventory=EMULATED)
        assert code == 0, out[-3000:]
        with open(path) as result:
            return dict((item["name"], item["health"]) for item in json.load(result))
    finally:
        os.remove(path)


def iperf3(seconds=4, streams=4):
    out = host("source").check_output("iperf3 -J -c %s -P %s -t %s", SINK, str(streams), str(seconds))
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e6


def number(cell):
    result = cell.get("result") or {}
    if cell["metric"] == "throughput":
        return "%.0f Mb/s" % result["throughput_mbps"]
    return "%.0f us mean" % result["latency_us"]["mean"]


def send_canary():
    host("source").check_output(
        "python3 -c %s", "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                         "s.sendto(b'crafted NFVLAB-IDS-CANARY packet', ('%s', 9))" % SINK)


@pytest.fixture(scope="module")
def ids_chain(lab):
    assert lab[0] == 0, lab[1][-3000:]
    start = time.time()
    code, out = ansible_playbook("chain.yml", *CHAIN, inventory=EMULATED)
    assert code == 0, out[-4000:]
    measured("IDS chain nfq -> afpacket -> dpdk (Suricata, heavy) deployed in %.0f s" % (time.time() - start))
    yield out
    ansible_playbook("chain.yml", "-e", "nf_chain_state=absent", "-e", "nf_chain_nf=ids", inventory=EMULATED)


def test_each_capture_mode_forwards_iperf3_inline(ids_chain):
    nf1 = host("nf1")
    for inst in INSTANCES:
        unit = nf1.service("nfvlab-ids-%s" % inst["name"])
        assert unit.is_running, inst
        assert "capture %s" % inst["capture"] in nf1.file("/etc/systemd/system/nfvlab-ids-%s.service" % inst["name"]).content_string
    before = health()
    mbps = iperf3()
    after = health()
    measured("iperf3 through Suricata heavy nfq -> afpacket -> dpdk on nf1: %.0f Mb/s" % mbps)
    assert mbps > 1, "no traffic crossed the chain"
    for inst in INSTANCES:
        seen = after[inst["name"]]["packets"] - before[inst["name"]]["packets"]
        assert seen > 1000, "%s (%s) saw %d packets of the iperf3 run" % (inst["name"], inst["capture"], seen)


def test_a_crafted_packet_raises_the_canary_alert_in_each_capture_mode(ids_chain):
    before = health()
    send_canary()
    deadline = time.time() + 20
    while True:
        after = health()
        raised = dict((name, after[name]["canary_alerts"] - before[name]["canary_alerts"]) for name in after)
        if all(count >= 1 for count in raised.values()) or time.time() > deadline:
            break
        time.sleep(1)
    assert raised == {"c1s1": 1, "c1s2": 1, "c1s3": 1}, raised
    for inst in INSTANCES:
        assert any("NFVLAB-IDS-CANARY" in alert for alert in after[inst["name"]]["last_alerts"]), after[inst["name"]]
    events = host("nf1").check_output("tail -n 3 /var/log/nfvlab-ids/c1s3/alerts.json")
    assert '"signature_id":9100000' in events


def test_rerun_changes_nothing_and_keeps_the_engines(ids_chain):
    pids = dict((inst["name"], host("nf1").check_output("systemctl show --property=MainPID --value nfvlab-ids-%s", inst["name"]))
                for inst in INSTANCES)
    code, out = ansible_playbook("chain.yml", *CHAIN, inventory=EMULATED)
    assert code == 0, out[-3000:]
    assert set(changed(out).values()) == {0}, changed(out)
    for name, pid in pids.items():
        assert host("nf1").check_output("systemctl show --property=MainPID --value nfvlab-ids-%s", name) == pid


@pytest.mark.parametrize("extra,needle", [
    ({"nf_chain_capture": "pcap"}, "unknown capture mode"),
    ({"nf_chain_capture": "dpdk", "ids_engine": "snort"}, "engine snort cannot capture with dpdk"),
    ({"nf_chain_capture": "dpdk", "ids_switch": "ovs-kernel"}, "kernel-only path"),
    ({"ids_engine": "bro"}, "ids_engine"),
])
def test_bad_ids_input_stops_before_the_nfs_change(ids_chain, extra, needle):
    units = host("nf1").check_output("cat /etc/systemd/system/nfvlab-ids-c1s*.service | sha256sum")
    args = {"nf_chain_nf": "ids", "nf_chain_length": 3}
    args.update(extra)
    code, out = ansible_playbook("chain.yml", "-e", json.dumps(args), inventory=EMULATED)
    assert code != 0
    assert needle in " ".join(out.split()), out[-3000:]
    assert host("nf1").check_output("cat /etc/systemd/system/nfvlab-ids-c1s*.service | sha256sum") == units


def test_a_community_rules_tarball_whose_checksum_does_not_match_stops_before_the_nfs_change(ids_chain, tmp_path):
    tarball = tmp_path / "community-rules.tar.gz"
    with tarfile.open(str(tarball), "w:gz") as archive:
        rules = tmp_path / "community.rules"
        rules.write_text('alert tcp any any -> any any (msg:"test"; content:"x"; sid:1000001;)\n')
        archive.add(str(rules), arcname="community-rules/community.rules")
    units = host("nf1").check_output("cat /etc/systemd/system/nfvlab-ids-c1s*.service /etc/nfvlab/ids/rules/*.rules | sha256sum")
    args = {"nf_chain_nf": "ids", "nf_chain_length": 3, "nf_chain_capture": CAPTURES,
            "ids_community_rules": {"local": str(tarball), "sha256": "0" * 64}}
    code, out = ansible_playbook("chain.yml", "-e", json.dumps(args), inventory=EMULATED)
    flat = " ".join(out.split())
    assert code != 0
    assert "ids_community_rules.local %s has sha256 %s" % (tarball, hashlib.sha256(tarball.read_bytes()).hexdigest()) in flat
    assert "the checksum does not match" in flat, out[-3000:]
    assert host("nf1").check_output("cat /etc/systemd/system/nfvlab-ids-c1s*.service /etc/nfvlab/ids/rules/*.rules | sha256sum") == units


def test_a_ruleset_the_engine_rejects_stops_with_the_engines_error(ids_chain):
    rules = "/tmp/nfvlab-test-broken.rules"
    host("nf1").check_output("echo %s > %s", 'alert tcp any any -> any any (msg:"broken"; content:"abc; sid:1;)', rules)
    try:
        units = host("nf1").check_output("cat /etc/nfvlab/ids/c1s2/suricata.yaml | sha256sum")
        args = json.dumps({"ids_health_args": {"instances": INSTANCES, "heavy_rules_file": rules}})
        code, out = ansible_playbook(HEALTH, "-e", args, inventory=EMULATED)
        flat = " ".join(out.split())
        assert code != 0
        assert "fails suricata" in flat and "error parsing signature" in flat, out[-3000:]
        assert host("nf1").check_output("cat /etc/nfvlab/ids/c1s2/suricata.yaml | sha256sum") == units
    finally:
        host("nf1").check_output("rm -f %s", rules)


def test_table1_cells_were_measured_by_the_harness_with_the_engine_named(lab, results_dir):
    """The session's lab.yml ran the smoke matrix: table 1 (One Heavy Snort x capture) through the harness."""
    cells = [json.load(open(path)) for path in glob.glob(os.path.join(results_dir, "cells", "*.json"))]
    table1 = [cell for cell in cells if cell["experiment"] == "table1" and cell["status"] == "ok"]
    platforms = sorted(set(cell["params"]["platform"] for cell in table1))
    assert platforms == ["ovs-dpdk+afpk", "ovs-dpdk+dpdk", "ovs-dpdk+nfq"], platforms
    for cell in table1:
        assert cell["runs"]["engine"] == "suricata" and "generated" in cell["runs"]["ruleset"], cell["runs"]
    for cell in sorted(table1, key=lambda c: (c["params"]["platform"], c["metric"])):
        measured("table1 %s %s (suricata, heavy generated): %s" % (cell["params"]["platform"], cell["metric"], number(cell)))
    light = [cell for cell in cells if cell["experiment"] == "fig2" and cell["status"] == "ok"
             and cell["params"]["chain_length"] == 1 and cell["params"]["platform"] == "ovs-dpdk+afpk"]
    heavy = [cell for cell in table1 if cell["params"]["platform"] == "ovs-dpdk+afpk"]
    assert sorted(cell["metric"] for cell in light) == ["latency", "throughput"] == sorted(cell["metric"] for cell in heavy)
    for metric in ("throughput", "latency"):
        measured("same run, one Suricata NF on ovs-dpdk+afpk, %s: light %s, heavy %s" % (
            metric, number([c for c in light if c["metric"] == metric][0]), number([c for c in heavy if c["metric"] == metric][0])))
    summary = open(os.path.join(results_dir, "report", "summary.md")).read()
    assert "suricata" in summary
