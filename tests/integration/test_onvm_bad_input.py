"""The opennetvm role refuses bad settings by name before it changes the host, and reports an
unreachable repository instead of failing. Needs no OpenNetVM source (runs in CI): settings are
checked before the role touches a host; the hugepage pool, a missing ref and a ref at another
commit are checked on a throwaway container (git preinstalled, a tiny repository inside it as
file://)."""

import subprocess
import uuid

import pytest

from tests.integration.test_onvm_build import in_container, run, write_playbooks
from tests.playbook_runner import ansible_playbook, recap


@pytest.fixture(scope="module")
def playbooks(tmp_path_factory):
    playbook, release = write_playbooks(tmp_path_factory.mktemp("onvm"))
    yield playbook
    ansible_playbook(release, timeout=300)


@pytest.fixture(scope="module")
def container(playbooks):
    """A container with the host's hugetlbfs at /mnt/huge, git, and a tiny repository /srv/tiny (tag t1)."""
    name = "nfvlab-h1-onvm-" + uuid.uuid4().hex[:8]
    code, out = run(playbooks, {"onvm_test_container": name, "onvm_test_git": True,
                                "opennetvm_repo": "file:///nonexistent", "opennetvm_manager": False})
    assert name in recap(out), out[-3000:]
    code, out = in_container(name, "sh", "-c",
                             "git init -q /srv/tiny && git -C /srv/tiny -c user.name=t -c user.email=t@t commit -q "
                             "--allow-empty -m tiny && git -C /srv/tiny tag t1 && git -C /srv/tiny rev-parse HEAD")
    assert code == 0, out
    yield name, out.strip().splitlines()[-1]
    subprocess.call(["podman", "rm", "--force", "--ignore", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def refused(playbook, variables, message, name):
    code, out = run(playbook, variables)
    flat = " ".join(out.split())
    assert code != 0, out[-3000:]
    assert message in flat, out[-3000:]
    assert recap(out)[name]["changed"] == 0, out[-3000:]
    return flat


@pytest.mark.parametrize("variables, message", [
    ({"opennetvm_manager_cpus": [0, 1], "opennetvm_nf_cpus": [1]},
     "opennetvm_manager_cpus [0, 1] overlaps opennetvm_nf_cpus [1] on CPU 1"),
    ({"opennetvm_services": 33}, "opennetvm_services: 33 is out of range 1..32 (MAX_SERVICES in onvm_common.h)"),
    ({"opennetvm_services": 0}, "opennetvm_services: 0 is out of range 1..32"),
    ({"opennetvm_ports": [{"vdev": "net_null0"}]}, "opennetvm_ports[0]: vdev 'net_null0': only net_tap works"),
    ({"opennetvm_commit": "v21.10"}, "opennetvm_commit: v21.10 is not a full commit sha"),
    ({"opennetvm_file_prefix": "rte"}, "opennetvm_file_prefix: rte is DPDK's default prefix"),
])
def test_settings_refused_before_the_host_is_touched(playbooks, variables, message):
    """No container is made: a setting the role accepted would fail at its first task on the host."""
    name = "nfvlab-h1-onvm-refused"
    flat = refused(playbooks, dict(variables, onvm_test_container=name, onvm_test_create=False), message, name)
    assert "UNREACHABLE" not in flat, "the role got past its checks: " + flat[-3000:]


def test_missing_hugetlbfs_mount_is_refused(playbooks, container):
    name, _sha = container
    refused(playbooks, {"onvm_test_container": name, "onvm_test_create": False, "opennetvm_hugetlbfs_dir": "/mnt/nohuge"},
            "opennetvm_hugetlbfs_dir: /mnt/nohuge is not a hugetlbfs mount on " + name, name)


def test_pool_without_enough_free_pages_is_refused(playbooks, container):
    name, _sha = container
    refused(playbooks, {"onvm_test_container": name, "onvm_test_create": False, "opennetvm_hugepages_min": 10000000},
            "the manager needs opennetvm_hugepages_min=10000000", name)


def test_ref_missing_from_a_reachable_repository_is_refused(playbooks, container):
    name, sha = container
    refused(playbooks, {"onvm_test_container": name, "onvm_test_create": False, "opennetvm_repo": "file:///srv/tiny",
                        "opennetvm_version": "v99.99", "opennetvm_dpdk_repo": "file:///srv/tiny",
                        "opennetvm_dpdk_version": "t1", "opennetvm_dpdk_commit": sha},
            "opennetvm_version: v99.99 is not a tag or branch of file:///srv/tiny", name)


def test_ref_at_another_commit_than_the_pin_is_refused(playbooks, container):
    name, sha = container
    refused(playbooks, {"onvm_test_container": name, "onvm_test_create": False, "opennetvm_repo": "file:///srv/tiny",
                        "opennetvm_version": "t1", "opennetvm_dpdk_repo": "file:///srv/tiny",
                        "opennetvm_dpdk_version": "t1"},
            "opennetvm_commit: file:///srv/tiny t1 is %s, not the pinned 20e01501355129bfa8f46d44f39ca2a8bbb516d0" % sha, name)


def test_unreachable_repository_is_reported_not_failed(playbooks, container):
    """GitHub does not resolve here: the role says so, sets the facts, and installs nothing."""
    name, _sha = container
    code, out = run(playbooks, {"onvm_test_container": name, "onvm_test_create": False})
    flat = " ".join(out.split())
    assert code == 0, out[-3000:]
    # the one change: the reason, recorded for lab_fingerprint (the benchmark names it in the onvm cells)
    assert recap(out)[name]["changed"] <= 1, out[-3000:]
    code, record = in_container(name, "cat", "/var/lib/nfvlab/onvm/unavailable.json")
    assert code == 0 and "https://github.com/sdnfv/openNetVM.git is not reachable from %s" % name in record, record
    assert ("ONVM-AVAILABLE=False REASON=https://github.com/sdnfv/openNetVM.git is not reachable from %s: " % name) in flat
    assert "OpenNetVM is not available, build and manager skipped" in flat
    assert in_container(name, "test", "-e", "/etc/nfvlab/onvm/manager.json")[0] != 0
    assert in_container(name, "test", "-e", "/etc/systemd/system/nfvlab-onvm-mgr.service")[0] != 0
