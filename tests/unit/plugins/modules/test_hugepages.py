"""nfvlab.interconnect.hugepages against a temporary directory laid out like /sys
(the same file names as a kernel with 2 MB and 1 GB pages and two NUMA nodes)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.modules import hugepages

from .run_command_cases import call_main

SIZES = {"2M": "hugepages-2048kB", "1G": "hugepages-1048576kB"}


class FakeSys(object):
    """/sys/kernel/mm/hugepages/<size>/{nr,free}_hugepages and
    /sys/devices/system/node/node<N>/hugepages/<size>/nr_hugepages. A write of N
    gives min(N, limit) pages, as a fragmented kernel does."""

    def __init__(self, root, nodes=(0, 1)):
        self.root = str(root)
        self.nodes = nodes
        for size in SIZES.values():
            self.put(["kernel", "mm", "hugepages", size, "nr_hugepages"], 0)
            self.put(["kernel", "mm", "hugepages", size, "free_hugepages"], 0)
            for node in nodes:
                self.put(["devices", "system", "node", "node%d" % node, "hugepages", size, "nr_hugepages"], 0)
                self.put(["devices", "system", "node", "node%d" % node, "hugepages", size, "free_hugepages"], 0)

    def path(self, size, node=None):
        if node is None:
            return os.path.join(self.root, "kernel", "mm", "hugepages", SIZES[size], "nr_hugepages")
        return os.path.join(self.root, "devices", "system", "node", "node%d" % node, "hugepages", SIZES[size], "nr_hugepages")

    def put(self, parts, value):
        path = os.path.join(self.root, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("%d\n" % value)

    def get(self, size, node=None):
        with open(self.path(size, node)) as handle:
            return int(handle.read())

    def set(self, size, value, node=None):
        with open(self.path(size, node), "w") as handle:
            handle.write("%d\n" % value)


def run(args, capsys, check=False, diff=False):
    return call_main(hugepages.main, args, capsys, check=check, diff=diff)


@pytest.fixture
def fake(tmp_path):
    return FakeSys(tmp_path)


def test_reserves_per_node_and_reports_obtained(fake, capsys):
    pages = [{"size": "2M", "count": 512, "node": 0}, {"size": "1G", "count": 2, "node": 1}]
    result = run({"sysfs": fake.root, "pages": pages}, capsys, diff=True)
    assert result["changed"] is True
    assert fake.get("2M", 0) == 512 and fake.get("1G", 1) == 2
    assert [(p["size"], p["node"], p["asked"], p["before"], p["obtained"]) for p in result["pages"]] == [
        ("2M", 0, 512, 0, 512), ("1G", 1, 2, 0, 2)]
    assert result["diff"] == {"before": {"2M@node0": 0, "1G@node1": 0}, "after": {"2M@node0": 512, "1G@node1": 2}}
    assert result["shortfall"] == [] and result["writable"] is True


def test_second_run_changes_nothing(fake, capsys):
    fake.set("2M", 1024)
    result = run({"sysfs": fake.root, "pages": [{"size": "2M", "count": 1024}]}, capsys)
    assert result["changed"] is False


def test_check_mode_writes_nothing(fake, capsys):
    result = run({"sysfs": fake.root, "pages": [{"size": "2M", "count": 64}]}, capsys, check=True)
    assert result["changed"] is True
    assert fake.get("2M") == 0
    assert result["pages"][0]["obtained"] == 64  # what it would be


def test_shortfall_is_reported_and_fails(fake, capsys, monkeypatch):
    real_write = hugepages.Pool.write

    def fragmented(self, path, count):
        real_write(self, path, min(count, 300))

    monkeypatch.setattr(hugepages.Pool, "write", fragmented)
    result = run({"sysfs": fake.root, "pages": [{"size": "2M", "count": 1024, "node": 1}]}, capsys)
    assert result["failed"] is True
    assert "2M pages on node 1: asked 1024, the kernel gave 300" in result["msg"]
    assert result["pages"][0]["obtained"] == 300


def test_shortfall_without_failing(fake, capsys, monkeypatch):
    monkeypatch.setattr(hugepages.Pool, "write", lambda self, path, count: None)
    result = run({"sysfs": fake.root, "pages": [{"size": "1G", "count": 4}], "fail_on_shortfall": False}, capsys)
    assert "failed" not in result
    assert result["shortfall"] == ["1G pages: asked 4, the kernel gave 0 (memory is too fragmented or too full; "
                                   "free memory or reserve them at boot on the kernel command line)"]


def test_read_only_pool_is_read_not_written(fake, capsys, monkeypatch):
    fake.set("2M", 1024)
    monkeypatch.setattr(hugepages.os, "access", lambda path, mode: False)
    result = run({"sysfs": fake.root, "pages": [{"size": "2M", "count": 256}]}, capsys)
    assert result["changed"] is False and result["writable"] is False
    assert result["pages"][0]["obtained"] == 1024 and result["shortfall"] == []
    result = run({"sysfs": fake.root, "pages": [{"size": "2M", "count": 2048}], "fail_on_shortfall": False}, capsys)
    assert result["shortfall"] == ["2M pages: asked 2048, the pool this host can see has 1024 and is read-only here"]
    assert fake.get("2M") == 1024


@pytest.mark.parametrize("pages, message", [
    ([{"size": "2M", "count": 1, "node": 3}], "pages[0] (2M on node 3): NUMA node 3 does not exist on this host (nodes: 0, 1)"),
    ([{"size": "2M", "count": 1}, {"size": "2M", "count": 2, "node": 0}],
     "2M pages are asked both for the whole system and per node"),
    ([{"size": "1G", "count": 1, "node": 0}, {"size": "1G", "count": 2, "node": 0}], "pages[1] (1G on node 0): asked twice"),
    ([{"size": "2M", "count": -1}], "count -1 is negative"),
])
def test_bad_requests_change_nothing(fake, capsys, pages, message):
    result = run({"sysfs": fake.root, "pages": pages}, capsys)
    assert result["failed"] is True
    assert message in result["msg"]
    assert all(fake.get(size, node) == 0 for size in SIZES for node in (None, 0, 1))


def test_unknown_page_size_is_refused(fake, capsys):
    result = run({"sysfs": fake.root, "pages": [{"size": "4M", "count": 1}]}, capsys)
    assert result["failed"] is True and "value of size must be one of: 2M, 1G" in result["msg"]


def test_missing_page_size_in_kernel(tmp_path, capsys):
    fake = FakeSys(tmp_path)
    os.remove(fake.path("1G"))
    result = run({"sysfs": fake.root, "pages": [{"size": "1G", "count": 1}]}, capsys)
    assert result["failed"] is True and "this kernel or CPU has no 1G pages" in result["msg"]
