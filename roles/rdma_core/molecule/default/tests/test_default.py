"""rdma-core from Debian on a host without an HCA."""

import json


def test_userspace_stack_and_tools_are_installed(host):
    for package in ("rdma-core", "ibverbs-providers", "ibverbs-utils", "infiniband-diags", "perftest"):
        assert host.package(package).is_installed, package
    for tool in ("ibv_devinfo", "ibstat", "ib_send_bw", "ib_send_lat"):
        assert host.exists(tool), tool


def test_absent_hca_is_reported_not_faked(host):
    report = json.loads(host.file("/var/lib/nfvlab/rdma.json").content_string)
    assert report["hcas"] == []
    assert "ib_uverbs" in report["modules_missing"]  # this kernel has no InfiniBand modules
    assert host.run("ibv_devinfo").rc != 0  # no device to show
