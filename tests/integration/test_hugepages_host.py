"""The hugepages role for real, on the machine the tests run on (its sysfs pool is
writable): reserve 2 MB and 1 GB pages, persist, mount, report, rerun with no change,
and stop on bad input before anything changes. Everything it makes is removed and
the pool is restored afterwards."""

import json
import os
import subprocess

import pytest

from tests.playbook_runner import ansible_playbook

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "hugepages_host.yml")
POOL = {"2M": "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
        "1G": "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"}
MOUNTS = {"2M": "/mnt/nfvlab-test-huge-2M", "1G": "/mnt/nfvlab-test-huge-1G"}
SYSCTL = "/etc/sysctl.d/90-nfvlab-test-hugepages.conf"

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not os.access(POOL["2M"], os.W_OK),
                                reason="needs root and a writable hugepage pool (not a container)")


def read(path):
    with open(path) as handle:
        return handle.read()


def run(tmp_path, pages, *extra):
    variables = {"hugepages_pages": pages, "hugepages_mounts": MOUNTS, "hugepages_sysctl_file": SYSCTL,
                 "hugepages_report_path": str(tmp_path / "hugepages.json")}
    code, out = ansible_playbook(PLAYBOOK, "-e", json.dumps(variables), *extra)
    return code, " ".join(out.split())  # messages are folded over lines


@pytest.fixture(scope="module")
def restore():
    """Give back whatever the tests changed on this machine."""
    before = dict((size, read(path).strip()) for size, path in POOL.items())
    fstab = read("/etc/fstab")
    yield before
    for path in MOUNTS.values():
        subprocess.call(["umount", path], stderr=subprocess.DEVNULL)
        if os.path.isdir(path):
            os.rmdir(path)
    with open("/etc/fstab", "w") as handle:
        handle.write(fstab)
    if os.path.exists(SYSCTL):
        os.remove(SYSCTL)
    for size, path in POOL.items():
        with open(path, "w") as handle:
            handle.write(before[size] + "\n")


PAGES = [{"size": "2M", "count": 96}, {"size": "1G", "count": 1, "node": 0}]


def test_pages_are_reserved_persisted_mounted_and_reported(restore, tmp_path):
    code, out = run(tmp_path, PAGES)
    assert code == 0, out[-4000:]
    assert int(read(POOL["2M"])) == 96
    assert int(read("/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages")) == 1
    assert "2M: asked 96, obtained 96" in out and "1G node 0: asked 1, obtained 1" in out
    assert read(SYSCTL).strip() == "vm.nr_hugepages=96"
    mounts = dict((fields[1], fields) for fields in (line.split() for line in read("/proc/self/mounts").splitlines()))
    for size, path in MOUNTS.items():
        assert mounts[path][2] == "hugetlbfs"
        assert "pagesize=%s" % {"2M": "2M", "1G": "1024M"}[size] in mounts[path][3].split(",")
        assert path in read("/etc/fstab")
    if not os.path.exists("/etc/default/grub"):
        assert "has no /etc/default/grub: the 1 pages of 1 GB are reserved at run time only" in out
    report = json.loads(read(str(tmp_path / "hugepages.json")))
    assert report["writable"] is True and report["reboot_required"] is False
    assert [(p["size"], p["node"], p["asked"], p["obtained"]) for p in report["pages"]] == [("2M", None, 96, 96), ("1G", 0, 1, 1)]

    code, out = run(tmp_path, PAGES)
    assert code == 0, out[-4000:]
    assert "changed=0" in out.split("PLAY RECAP")[1]

    code, out = run(tmp_path, PAGES, "--check")
    assert code == 0 and "changed=0" in out.split("PLAY RECAP")[1]


@pytest.mark.parametrize("pages, message", [
    ([{"size": "2M", "count": 8, "node": 7}], "hugepages_pages[0]: NUMA node 7 does not exist on this host (nodes: 0)"),
    ([{"size": "2M", "count": 100000000}], "hugepages_pages: asks for 200000000 MB of hugepages, the host has"),
    ([{"size": "4M", "count": 8}], "hugepages_pages"),
])
def test_bad_input_stops_before_any_change(restore, tmp_path, pages, message):
    before = read(POOL["2M"])
    code, out = run(tmp_path, pages)
    assert code != 0
    assert message in out
    assert read(POOL["2M"]) == before
    assert not (tmp_path / "hugepages.json").exists()
