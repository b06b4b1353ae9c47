"""The emulated lab end to end: bad input stops before anything is made, then
playbooks/lab.yml brings the five hosts up and proves them, a rerun and a check-mode
run change nothing, the wiring can be switched, and playbooks/lab_down.yml leaves
nothing behind.

Needs root, podman and debootstrap (scripts/setup.sh installs them). Tests run in
file order and share one lab; the module fixture tears it down at the end."""

import json
import os
import subprocess

import pytest
import testinfra
import yaml

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


def nr_hugepages():
    with open("/proc/sys/vm/nr_hugepages") as handle:
        return int(handle.read())


def host(name):
    return testinfra.get_host("podman://nfvlab-" + name)


def address(link, end):
    import ipaddress

    net = ipaddress.ip_network(link["subnet"])
    return "%s/%d" % (net[end + 1], net.prefixlen)


@pytest.fixture(scope="module")
def pool_before():
    """The host's hugepage pool before the tests; the lab must give back what it took."""
    code, out = playbook("lab_down.yml")
    assert code == 0, out
    return nr_hugepages()


@pytest.fixture(scope="module")
def lab(pool_before):
    code, out = playbook("lab.yml")
    yield code, out
    playbook("lab_down.yml")


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


def test_rerun_changes_nothing(lab):
    code, out = playbook("lab.yml")
    assert code == 0, out[-5000:]
    stats = recap(out)
    assert stats and all(counters["changed"] == 0 for counters in stats.values()), stats


def test_check_mode_changes_nothing(lab):
    code, out = playbook("lab_up.yml", "--check", "--diff")
    assert code == 0, out[-5000:]
    assert recap(out)["localhost"]["changed"] == 0


def rewire(*args):
    """The stages that wire and prove the lab (the rest of lab.yml is tested by the rerun above
    and by test_switching_plane.py)."""
    for name in ("lab_up.yml", "lab_check.yml"):
        code, out = playbook(name, *args)
        if code != 0:
            return code, out
    return code, out


def test_wiring_can_be_switched_and_back(lab):
    code, out = rewire("-e", '{"topology_wiring": ["multi-host"]}')
    assert code == 0, out[-5000:]
    assert not host("nf1").interface("xe1").exists  # source-nf1 unwired
    assert not host("sink").interface("xe1").exists  # nf1-sink unwired
    assert host("nf1").interface("xe0").exists
    code, out = rewire()
    assert code == 0, out[-5000:]
    assert host("nf1").interface("xe1").exists and host("sink").interface("xe1").exists


def test_a_restarted_host_is_rewired(lab):
    subprocess.check_call(["podman", "restart", "nfvlab-nf2"], stdout=subprocess.DEVNULL)
    assert not host("nf2").interface("xe0").exists  # its veth died with its network namespace
    code, out = rewire()
    assert code == 0, out[-5000:]
    assert host("nf2").interface("xe0").exists
    assert "198.18.2.1" in host("nf2").interface("xe0").addresses


def test_teardown_leaves_nothing_behind(lab, pool_before):
    code, out = playbook("lab_down.yml")
    assert code == 0, out[-5000:]
    assert lab_containers() == []
    networks = json.loads(subprocess.check_output(["podman", "network", "ls", "--format", "json"]))
    assert "nfvlab-mgmt" not in [network["name"] for network in networks]
    with open("/proc/self/mounts") as handle:
        assert "/mnt/nfvlab-huge" not in handle.read()
    assert not os.path.exists("/etc/sysctl.d/90-nfvlab-lab-hugepages.conf")
    assert not os.path.exists("/var/cache/nfvlab/nfvlab-hugepages-before")
    assert nr_hugepages() == pool_before
    links = subprocess.check_output(["ip", "-j", "link", "show"])
    assert not [entry for entry in json.loads(links) if entry["ifname"].startswith("xe")]
