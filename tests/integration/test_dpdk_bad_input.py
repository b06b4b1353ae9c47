"""The dpdk role refuses bad settings by name before it installs or builds anything."""

import json
import os

import pytest

from tests.playbook_runner import ansible_playbook

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "dpdk_validate.yml")


def run(variables):
    code, out = ansible_playbook(PLAYBOOK, "-e", json.dumps(variables))
    return code, " ".join(out.split())


@pytest.mark.parametrize("variables, message", [
    ({"dpdk_version": "23.11.9"}, "dpdk_version: no known sha256 for DPDK 23.11.9 (known: 22.11.11)"),
    ({"dpdk_sha256": "abc"}, "dpdk_sha256: abc is not 64 hex digits"),
    ({"dpdk_drivers": ["net/i40e", "ixgbe"]}, "dpdk_drivers: ixgbe is not of the form class/name"),
    ({"dpdk_source_archive": "/nonexistent/dpdk.tar.xz"}, "dpdk_source_archive: /nonexistent/dpdk.tar.xz does not exist"),
    ({"dpdk_install_method": "snap"}, "dpdk_install_method"),
])
def test_refused_before_any_change(variables, message):
    code, out = run(variables)
    assert code != 0
    assert message in out
    assert "changed=0" in out.split("PLAY RECAP")[1]


def test_archive_with_the_wrong_checksum_is_refused(tmp_path):
    fake = tmp_path / "dpdk-22.11.11.tar.xz"
    fake.write_bytes(b"not dpdk")
    code, out = run({"dpdk_source_archive": str(fake)})
    assert code != 0
    assert "has sha256 " in out and "not the release it claims to be" in out
    assert "changed=0" in out.split("PLAY RECAP")[1]
