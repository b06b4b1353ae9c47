"""ovs-kernel without the openvswitch kernel module: reported, nothing installed or configured."""

import json


def test_the_absence_is_reported_with_its_reason(host):
    result = json.loads(host.file("/root/ovs-role-result.json").content_string)
    assert result["ovs_available"] is False
    assert "ovs-kernel skipped" in result["ovs_skip_reason"]
    assert "openvswitch kernel module" in result["ovs_skip_reason"]


def test_nothing_was_installed_or_started(host):
    assert not host.package("openvswitch-switch").is_installed
    assert not host.exists("ovs-vsctl")
