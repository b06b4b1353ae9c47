"""nfvlab.interconnect.traffic against canned iperf3 and netperf outputs (test_traffic.yaml)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.modules import traffic

from .run_command_cases import assert_case, load_cases, run_case

CASES = load_cases(os.path.join(os.path.dirname(__file__), "test_traffic.yaml"), "traffic")


@pytest.mark.parametrize("case", CASES)
def test_traffic(case, monkeypatch, capsys):
    result, mock = run_case(traffic.main, case, monkeypatch, capsys)
    assert_case(result, mock, case)
    if result.get("metric") and not result.get("failed") and "check" not in case.get("flags", {}):
        assert result["stdout"], "the raw output is kept as evidence"
