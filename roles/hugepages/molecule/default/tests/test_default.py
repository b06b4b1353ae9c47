"""The hugepages role in a container: nothing written, the bound mount and the host's
pool verified, and the report says so."""

import json


def test_report_records_the_read_only_pool(host):
    report = json.loads(host.file("/var/lib/nfvlab/hugepages.json").content_string)
    assert report["writable"] is False
    assert report["mounts"] == {"bound": "/mnt/huge"}
    (page,) = report["pages"]
    assert page["size"] == "2M" and page["node"] is None and page["asked"] == 32
    assert page["obtained"] >= 32  # the host's pool, grown to 64 by the molecule create step


def test_hugetlbfs_is_bound_and_usable(host):
    mount = host.mount_point("/mnt/huge")
    assert mount.filesystem == "hugetlbfs"
    assert "pagesize=2M" in mount.options


def test_nothing_was_written_to_the_host(host):
    assert not host.file("/etc/sysctl.d/90-nfvlab-hugepages.conf").exists
    assert not host.file("/etc/systemd/system/nfvlab-hugepages.service").exists
    assert host.run("sh -c 'echo 1 > /proc/sys/vm/nr_hugepages'").rc != 0
