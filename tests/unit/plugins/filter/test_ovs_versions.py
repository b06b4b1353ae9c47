"""The ovs_dpdk_errors filter and the OVS/DPDK table of Open vSwitch's
Documentation/faq/releases.rst: version forms, patch levels, and every message."""

import pytest

from ansible_collections.nfvlab.interconnect.plugins.filter.ovs_versions import FilterModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import ovs_versions

errors = FilterModule().filters()["ovs_dpdk_errors"]


@pytest.mark.parametrize("ovs, dpdk", [
    ("2.6", "16.07"),
    ("2.7", "16.11"),
    ("2.8", "17.05"),
    ("2.9", "17.11"),
    ("2.10", "17.11"),
    ("2.11", "18.11"),
    ("2.12", "18.11"),
    ("2.13", "19.11"),
    ("2.14", "19.11"),
    ("2.15", "20.11"),
    ("2.16", "20.11"),
    ("2.17", "21.11"),
    ("3.0", "21.11"),
    ("3.1", "22.11"),
    ("3.2", "22.11"),
    ("3.3", "23.11"),
    ("3.4", "23.11"),
    ("3.5", "24.11"),
    ("3.6", "24.11"),
])
def test_table(ovs, dpdk):
    assert ovs_versions.dpdk_for_ovs(ovs) == dpdk
    assert ovs_versions.dpdk_for_ovs(ovs + ".0") == dpdk
    assert errors(ovs + ".3", dpdk + ".1") == []


@pytest.mark.parametrize("ovs, dpdk", [
    ("3.1.0", "22.11.1"),
    ("3.1.0", "22.11.11"),
    ("3.1", "22.11"),
    ("v3.1.2", "v22.11"),
    ("3.1.0-2+deb12u1", "22.11.11-1~deb12u1"),
    ("2.17.9", "21.11.6"),
    ("1:2.17.9-0ubuntu0.22.04.1", "21.11.6-0ubuntu0.22.04.2"),
    ("2.6.1", "16.7.2"),
    (" 3.3.0 ", "23.11.0-rc1"),
    (3.1, "22.11.1"),
])
def test_compatible_versions(ovs, dpdk):
    assert errors(ovs, dpdk) == []


def test_wrong_dpdk_release():
    assert errors("3.1.0", "21.11.2") == [
        "Open vSwitch 3.1 needs DPDK 22.11; DPDK 21.11.2 was given (set dpdk_version or ovs_version)"]
    assert errors("3.1.0-2+deb12u1", "23.11.1") == [
        "Open vSwitch 3.1 needs DPDK 22.11; DPDK 23.11.1 was given (set dpdk_version or ovs_version)"]
    assert errors("2.6.0", "16.11") == [
        "Open vSwitch 2.6 needs DPDK 16.07; DPDK 16.11 was given (set dpdk_version or ovs_version)"]


def test_unknown_ovs_release():
    messages = errors("4.0.0", "24.11.1")
    assert len(messages) == 1
    assert messages[0].startswith("ovs_version: Open vSwitch 4.0 is not in the OVS/DPDK compatibility table (known releases: 2.2, ")
    assert "2.17, 3.0, 3.1" in messages[0]
    assert errors("2.1.0", "1.6")[0].startswith("ovs_version: Open vSwitch 2.1 is not in")


@pytest.mark.parametrize("ovs", ["three", "3", "3.x", "3.1.0.beta", ["3.1"], True])
def test_malformed_ovs_version(ovs):
    messages = errors(ovs, "22.11.1")
    assert len(messages) == 1
    assert "is not a version like 3.1.0 or 3.1 (set ovs_version)" in messages[0]


@pytest.mark.parametrize("dpdk", ["latest", "22", "22.11.x", "22-11"])
def test_malformed_dpdk_version(dpdk):
    assert errors("3.1.0", dpdk) == ["dpdk_version: %r is not a version like 22.11.1 or 22.11 (set dpdk_version)" % dpdk]


def test_unset_versions():
    assert errors(None, "") == [
        "ovs_version is not set: give the Open vSwitch version, e.g. 3.1.0",
        "dpdk_version is not set: give the DPDK version, e.g. 22.11.1",
    ]


def test_both_malformed_gives_two_messages():
    assert len(errors("x", "y")) == 2


def test_library_functions():
    assert ovs_versions.parse_version("22.11.11-1~deb12u1") == (22, 11, 11)
    assert ovs_versions.parse_version("v22.11") == (22, 11, None)
    assert ovs_versions.known_ovs_releases()[0] == "2.2"
    assert ovs_versions.known_ovs_releases()[-1] == "3.6"
    with pytest.raises(ovs_versions.OvsVersionError, match="Open vSwitch 9.9 is not in"):
        ovs_versions.dpdk_for_ovs("9.9.0")
    with pytest.raises(ovs_versions.OvsVersionError, match="is not a version"):
        ovs_versions.dpdk_for_ovs("nope")
