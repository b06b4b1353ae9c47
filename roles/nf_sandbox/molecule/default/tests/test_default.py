"""netns sandboxes: one network namespace per unit instance, kept across re-starts,
deleted on stop."""

import pytest


def _ns(host, path):
    return host.check_output("stat -L -c %%i %s" % path)


@pytest.mark.parametrize("name", ["sba", "sbb"])
def test_sandbox_unit_made_its_namespace(host, name):
    unit = host.service("nfvlab-sandbox@%s.service" % name)
    assert unit.is_running and unit.is_enabled
    assert "nfvlab-%s" % name in host.check_output("ip netns list")
    assert _ns(host, "/run/netns/nfvlab-%s" % name) != _ns(host, "/proc/1/ns/net")
    assert host.check_output("ip netns exec nfvlab-%s ip -o link show lo" % name).count("UP") >= 1


def test_sandboxes_are_distinct(host):
    assert _ns(host, "/run/netns/nfvlab-sba") != _ns(host, "/run/netns/nfvlab-sbb")


def test_start_survives_a_left_over_namespace_and_stop_deletes_it(host):
    host.check_output("systemctl stop nfvlab-sandbox@sbc.service; ip netns add nfvlab-sbc")
    host.check_output("systemctl start nfvlab-sandbox@sbc.service")
    assert host.service("nfvlab-sandbox@sbc.service").is_running
    host.check_output("systemctl stop nfvlab-sandbox@sbc.service")
    assert not host.file("/run/netns/nfvlab-sbc").exists


def test_absent_sandbox_is_not_running(host):
    assert not host.service("nfvlab-sandbox@sbz.service").is_running
    assert not host.file("/run/netns/nfvlab-sbz").exists
