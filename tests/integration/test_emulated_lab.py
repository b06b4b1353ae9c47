"""The emulated lab end to end: bad input stops before anything is made, then the README's
main job - playbooks/lab.yml - brings the five hosts up, proves them, builds the switching
plane, runs the smoke benchmark profile and writes the report; a rerun skips every finished
cell and changes nothing, and a check-mode run changes nothing.

Needs root, podman and debootstrap (scripts/setup.sh installs them). The lab is the session's
(tests/integration/conftest.py); test_lab_rewire.py switches the wiring and tears it down."""

import json
import os
import re
import subprocess
import time

import pytest
import testinfra
import yaml

from tests.integration.conftest import measured, nr_hugepages
from tests.playbook_runner import ansible_playbook, recap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATED = os.path.join(ROOT, "inventories", "emulated")
HARDWARE = os.path.join(ROOT, "inventories", "hp-z840")
LABEL = "nfvlab.lab=nfvlab"

with open(os.path.join(ROOT, "roles", "topology", "defaults", "main.yml")) as handle:
    LINKS = yaml.safe_load(handle)["topology_links"]
ETHERNET = [link for link in LINKS if link["kind"] == "ethernet"]
HUGEPAGE_HOSTS = {"nf1", "nf2", "chain"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated lab needs root (podman, veth, hugepages)")


def playbook(name, *args, inventory=EMULATED):
    return ansible_playbook(name, *args, inventory=inventory)


def lab_containers():
    out = subprocess.check_output(["podman", "ps", "--all", "--filter", "label=" + LABEL, "--format", "json"])
    return sorted(name for entry in json.loads(out or b"[]") for name in entry["Names"])


def host(name):
    return testinfra.get_host("podman://nfvlab-" + name)


def address(link, end):
    import ipaddress

    net = ipaddress.ip_network(link["subnet"])
    return "%s/%d" % (net[end + 1], net.prefixlen)


# --- bad input stops before any host is touched --------------------------------------

def test_unknown_host_in_a_link_stops_before_anything_is_made(pool_before, tmp_path):
    links = json.loads(json.dumps(LINKS))
    links[0]["endpoints"][1]["host"] = "chian"
    extra = tmp_path / "bad.json"
    extra.write_text(json.dumps({"topology_links": links}))
    code, out = playbook("lab.yml", "-e", "@%s" % extra)
    assert code != 0
    assert "topology_links[0] (nf1-chain-eth): host chian is not in the inventory" in out
    assert lab_containers() == []


def test_overlapping_subnets_stop_before_anything_is_made(pool_before, tmp_path):
    links = json.loads(json.dumps(LINKS))
    links[1]["subnet"] = "198.18.1.0/25"
    extra = tmp_path / "bad.json"
    extra.write_text(json.dumps({"topology_links": links}))
    code, out = playbook("lab.yml", "-e", "@%s" % extra)
    assert code != 0
    assert "subnet 198.18.1.0/25 overlaps 198.18.1.0/24 of link nf1-chain-eth" in out
    assert lab_containers() == []


def test_too_many_hugepages_stop_before_anything_is_made(pool_before):
    code, out = playbook("lab.yml", "-e", "emulated_lab_hugepages_2m=100000000")
    assert code != 0
    assert "emulated_lab_hugepages_2m: 100000000 pages of 2 MB" in out
    assert lab_containers() == []
    assert nr_hugepages() == pool_before


def test_hardware_inventory_names_every_unset_identifier_without_connecting():
    code, out = playbook("lab.yml", inventory=HARDWARE)
    assert code != 0
    for message in ("nfvlab_hw_ports.xe0.pci on nf1: unset", "nfvlab_hw_ports.ib0.guid on nf2: unset",
                    "nfvlab_hw_ports.ib1.guid on chain: unset", "nfvlab_hw_ports.xe0.pci on sink: unset"):
        assert message in out
    assert "UNREACHABLE" not in out


# --- the lab --------------------------------------------------------------------------

def test_lab_comes_up_and_proves_itself(lab):
    code, out = lab
    assert code == 0, out[-5000:]
    stats = recap(out)
    assert set(stats) == {"localhost", "nf1", "nf2", "chain", "source", "sink"}
    assert all(counters["failed"] == 0 and counters["unreachable"] == 0 for counters in stats.values())
    for link in ETHERNET:
        assert "%s (ethernet):" % link["name"] in out, link["name"]
    # the suite alias the molecule scenarios start from
    assert subprocess.call(["podman", "image", "exists", "localhost/nfvlab-host:bookworm"]) == 0


def test_infiniband_links_are_reported_absent_by_name(lab):
    out = lab[1]
    for name in ("nf1-chain-ib", "nf2-chain-ib"):
        assert "ABSENT %s" % name in out
    assert lab_containers() == ["nfvlab-chain", "nfvlab-nf1", "nfvlab-nf2", "nfvlab-sink", "nfvlab-source"]
    for name in ("nf1", "nf2", "chain"):
        # rdma-core and its tools are installed by the prepare stage, but no HCA is faked
        machine = host(name)
        assert not machine.file("/sys/class/infiniband").exists or machine.check_output("ls /sys/class/infiniband") == ""
        assert not machine.interface("ib0").exists
        if machine.exists("ibv_devinfo"):
            assert machine.run("ibv_devinfo").rc != 0


@pytest.mark.parametrize("name", ["nf1", "nf2", "chain", "source", "sink"])
def test_each_host_is_a_booted_systemd_machine_with_its_own_name(lab, name):
    machine = host(name)
    assert machine.check_output("hostname") == name
    state = machine.run("systemctl is-system-running").stdout.strip()
    assert state in ("running", "degraded")
    assert machine.process.get(pid=1).comm == "systemd"


@pytest.mark.parametrize("name", ["nf1", "nf2", "chain", "source", "sink"])
def test_hugepages_are_bound_into_the_dpdk_hosts_and_the_pool_is_read_only(lab, name):
    machine = host(name)
    mount = machine.mount_point("/mnt/huge")
    if name in HUGEPAGE_HOSTS:
        assert mount.exists and mount.filesystem == "hugetlbfs"
    else:
        assert not mount.exists
    assert nr_hugepages() >= 1024
    # the pool is host-global: a container can never write vm.nr_hugepages, but net.* stays writable
    assert machine.run("sh -c 'echo 0 > /proc/sys/vm/nr_hugepages'").rc != 0
    assert machine.run("sysctl -w net.ipv4.ip_forward=1").rc == 0


@pytest.mark.parametrize("link", ETHERNET, ids=[link["name"] for link in ETHERNET])
def test_each_ethernet_link_is_a_veth_pair_with_its_addresses(lab, link):
    for end, peer in ((0, 1), (1, 0)):
        endpoint = link["endpoints"][end]
        machine = host(endpoint["host"])
        iface = machine.interface(endpoint["port"])
        assert iface.exists
        # lab.yml's dataplane stage moves an underlay link's address to the link's OVS bridge (vxlan role)
        holders = [iface, machine.interface("brp-" + endpoint["port"])]
        assert any(h.exists and address(link, end).split("/")[0] in h.addresses for h in holders), endpoint
        details = json.loads(machine.check_output("ip -j -d link show dev %s" % endpoint["port"]))[0]
        assert details["linkinfo"]["info_kind"] == "veth"
        assert "UP" in details["flags"]
    ping = host(link["endpoints"][0]["host"]).run(
        "ping -n -c 2 -W 2 -I %s %s" % (address(link, 0).split("/")[0], address(link, 1).split("/")[0]))
    assert ping.rc == 0, ping.stdout


def test_the_smoke_benchmark_ran_and_the_report_is_written(lab, results_dir):
    out = lab[1]
    cells = [json.load(open(os.path.join(results_dir, "cells", name))) for name in os.listdir(os.path.join(results_dir, "cells"))]
    statuses = dict((status, len([c for c in cells if c["status"] == status])) for status in ("ok", "failed", "unsupported"))
    # on OVS: fig2 (Light IDS, 1 and 2 NFs) 2x2, table1 (Heavy IDS, nfq / afpk / dpdk) 3x2, fig3 (1 and 2 replicas) 2,
    # fig4 sc/bf 2; the onvm cells run only where the lab could build OpenNetVM, else they say why not
    on_ovs = [c for c in cells if c["status"] == "ok" and c["runs"]["platform"] != "onvm"]
    assert len(on_ovs) == 14 and statuses["failed"] == 0, statuses
    onvm = [c for c in cells if c["runs"]["platform"] == "onvm" and c["status"] == "unsupported"]
    assert all(c["reason"].startswith(("OpenNetVM is not available on", "no IDS engine here captures from OpenNetVM",
                                       "the InfiniBand fabric needs an HCA")) for c in onvm), [c["reason"] for c in onvm]
    assert statuses["unsupported"] > 0 and all(c["reason"] for c in cells if c["status"] == "unsupported")
    for cell in cells:
        if cell["status"] == "ok":
            assert cell["raw"]["stdout"], "the tool's output is kept with the result"
            assert "pmd thread" in "".join(cell["raw"]["pmd_stats"].values()), "OVS's PMD statistics too"
            value = cell["result"].get("throughput_mbps") or cell["result"]["latency_us"]["mean"]
            measured("%s: %s" % (cell["id"], "%.0f Mb/s" % value if cell["metric"] == "throughput" else "%.0f us" % value))
    report = os.path.join(results_dir, "report")
    for name in ("summary.md", "results.csv", "results.json", "fig2.png", "fig4.png", "table1.png"):
        assert os.path.getsize(os.path.join(report, name)) > 0, name
    flat = " ".join(out.split())  # Ansible wraps long messages
    assert "report: %s/summary.md" % report in flat
    summary = open(os.path.join(report, "summary.md")).read()
    assert "nf snort-light ran on the IDS engine suricata" in summary and "veth pairs" in summary
    assert "nf snort-heavy ran on the IDS engine suricata, ruleset heavy: generated, 5000 content rules" in summary
    for line in re.findall(r"orchestration overhead per cell: mean \d+ %, max \d+ %|chain deployments \(shared by the cells "
                           r"measured on them\): mean \d+ %; the harness steps per cell: mean \d+ %", flat):
        measured("first run: " + line)


def test_rerun_skips_every_finished_cell_and_changes_nothing(lab, results_dir):
    start = time.time()
    code, out = playbook("lab.yml", "-e", "nfvlab_results_dir=" + results_dir)
    measured("lab.yml rerun: %.0f s" % (time.time() - start))
    assert code == 0, out[-5000:]
    stats = recap(out)
    assert stats and all(counters["changed"] == 0 for counters in stats.values()), stats
    flat = " ".join(out.split())
    assert re.search(r"smoke profile: (\d+) cells; \1 recorded before, 0 newly recorded as unsupported here, 0 to run", flat), out[-3000:]
    rerun = re.search(r"rerun: [0-9.]+ s, ([0-9.]+) % of the", flat)
    assert rerun, out[-3000:]
    measured("benchmark stage rerun: %s %% of the measuring run (target <= 10 %%)" % rerun.group(1))


def test_check_mode_changes_nothing(lab):
    code, out = playbook("lab_up.yml", "--check", "--diff")
    assert code == 0, out[-5000:]
    assert recap(out)["localhost"]["changed"] == 0
