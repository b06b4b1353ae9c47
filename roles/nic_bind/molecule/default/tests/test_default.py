"""nic_bind on a host with no PCI NIC to bind: nothing bound, the reason recorded,
bad input stopped before any change."""

import json


def test_report_says_there_is_nothing_to_bind(host):
    report = json.loads(host.file("/var/lib/nfvlab/nic_bind.json").content_string)
    assert report["devices"] == [] and report["reason"] == "no device to bind"


def test_bad_input_changed_nothing(host):
    assert not host.file("/var/lib/nfvlab/nic_bind-bad.json").exists
    assert not host.file("/etc/driverctl.d").exists
    assert not host.package("driverctl").is_installed
