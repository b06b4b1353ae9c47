"""nfvlab.interconnect.veth against canned `ip -j` outputs (tests/unit/plugins/modules/test_veth.yaml)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.modules import veth

from .run_command_cases import assert_case, load_cases, run_case

CASES = load_cases(os.path.join(os.path.dirname(__file__), "test_veth.yaml"))


@pytest.mark.parametrize("case", CASES)
def test_veth(case, monkeypatch, capsys):
    inodes = case.get("netns_inodes", {})
    monkeypatch.setattr(veth, "netns_inode", lambda path: inodes[path])
    monkeypatch.setattr(veth, "netns_exists", lambda path: path in inodes)
    result, mock = run_case(veth.main, case, monkeypatch, capsys)
    assert_case(result, mock, case)
    if "diff_after" in case:
        assert result["diff"]["after"] == case["diff_after"]
