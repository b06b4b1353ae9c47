"""The emulated lab rewired and torn down: the wiring can be switched and back, a restarted
host is rewired, and playbooks/lab_down.yml leaves nothing behind. Runs last (conftest.py):
it disturbs and then removes the session's lab."""

import json
import os
import subprocess

from tests.integration.conftest import nr_hugepages
from tests.integration.test_emulated_lab import host, lab_containers, playbook


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
