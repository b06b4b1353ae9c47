"""nfvlab.interconnect.ovs_bridge against canned ovs-vsctl outputs (test_ovs_bridge.yaml)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.modules import ovs_bridge

from .run_command_cases import assert_case, load_cases, run_case

CASES = load_cases(os.path.join(os.path.dirname(__file__), "test_ovs_bridge.yaml"), "openvswitch")


@pytest.mark.parametrize("case", CASES)
def test_ovs_bridge(case, monkeypatch, capsys):
    result, mock = run_case(ovs_bridge.main, case, monkeypatch, capsys)
    assert_case(result, mock, case)
    for side in ("before", "after"):
        if "diff_" + side in case:
            assert result["diff"][side] == case["diff_" + side]
    for port, view in case.get("ports", {}).items():
        assert result["ports"][port] == view, result["ports"]
