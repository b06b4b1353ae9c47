"""nfvlab.interconnect.ovs_other_config against canned ovs-vsctl outputs (test_ovs_other_config.yaml)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.modules import ovs_other_config

from .run_command_cases import assert_case, load_cases, run_case

CASES = load_cases(os.path.join(os.path.dirname(__file__), "test_ovs_other_config.yaml"), "openvswitch")


@pytest.mark.parametrize("case", CASES)
def test_ovs_other_config(case, monkeypatch, capsys):
    result, mock = run_case(ovs_other_config.main, case, monkeypatch, capsys)
    assert_case(result, mock, case)
    if "diff" in case:
        assert result["diff"] == case["diff"]
