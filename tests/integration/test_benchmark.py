"""The benchmark harness on the emulated lab, interrupted: ovs-vswitchd and an NF killed in the
middle of a run lose no finished result, the cell they hit is recorded as failed and the matrix
goes on, and the next run measures only what is missing; check mode lists the cells that would
run and writes nothing.

Runs on the session's lab (conftest.py), after test_emulated_lab.py, with a store of its own
and only experiment fig2 (4 cells in 2 deployments on this lab)."""

import json
import os
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import EMULATED, ROOT, measured
from tests.playbook_runner import ansible_playbook, recap

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated lab needs root (podman, veth, hugepages)")
ONLY = '{"benchmark_experiments_only": ["fig2"]}'


@pytest.fixture(scope="module")
def store(lab, tmp_path_factory):
    assert lab[0] == 0, lab[1][-3000:]
    return str(tmp_path_factory.mktemp("benchmark-store"))


def records(store, status=None):
    directory = os.path.join(store, "cells")
    found = {}
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if name.endswith(".json") and not name.startswith("."):
            with open(os.path.join(directory, name)) as handle:
                record = json.load(handle)
            if status is None or record["status"] == status:
                found[name] = record
    return found


def raw_files(store):
    directory = os.path.join(store, "cells")
    return dict((name, open(os.path.join(directory, name), "rb").read()) for name in os.listdir(directory) if name.endswith(".json"))


def benchmark(store, *extra):
    return ansible_playbook("benchmark.yml", "-e", "nfvlab_results_dir=" + store, "-e", ONLY, *extra, inventory=EMULATED)


def in_background(store, *extra):
    """benchmark.yml started in the background (to be interrupted); its output goes to a log file."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(ROOT, "playbooks", "benchmark.yml"),
            "-i", EMULATED, "-e", "nfvlab_results_dir=" + store, "-e", ONLY] + list(extra)
    log = open(os.path.join(os.path.dirname(store), os.path.basename(store) + ".log"), "w+")
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT), log


def tail(log):
    log.seek(0)
    return log.read()[-4000:]


def wait_for_ok_records(store, count, process, limit=900):
    deadline = time.time() + limit
    while time.time() < deadline:
        if len(records(store, "ok")) >= count:
            return
        assert process.poll() is None, "the run ended before %d results were recorded" % count
        time.sleep(0.5)
    raise AssertionError("no %d results after %d s" % (count, limit))


def kill_in(host, pid):
    """Kill a process of the lab that the lab's playbooks started, by its PID."""
    subprocess.check_call(["podman", "exec", "nfvlab-" + host, "kill", "-9", pid])


def vswitchd_pid(host):
    return subprocess.check_output(["podman", "exec", "nfvlab-" + host, "cat", "/run/openvswitch/ovs-vswitchd.pid"],
                                   universal_newlines=True).strip()


def main_pid(host, unit):
    return subprocess.check_output(["podman", "exec", "nfvlab-" + host, "systemctl", "show", "--property=MainPID", "--value", unit],
                                   universal_newlines=True).strip()


def test_check_mode_lists_the_cells_and_writes_nothing(store):
    code, out = benchmark(store, "--check")
    assert code == 0, out[-3000:]
    flat = " ".join(out.split())
    assert "4 would run in 2 deployments" in flat, out[-3000:]
    assert "would run: fig2 platform=ovs-dpdk+afpk nf=snort-light chain_length=1 throughput" in flat
    assert not os.path.exists(os.path.join(store, "cells"))


def test_killing_ovs_vswitchd_and_an_nf_mid_run_loses_no_result_and_the_rerun_completes_what_is_missing(store):
    start = time.time()
    process, log = in_background(store)
    try:
        wait_for_ok_records(store, 1, process)
        before = raw_files(store)
        kill_in("nf1", vswitchd_pid("nf1"))
        kill_in("nf1", main_pid("nf1", "nfvlab-ids-c1s1.service"))
        assert process.wait(timeout=900) == 0, tail(log)
    finally:
        if process.poll() is None:
            process.kill()
    first_run = time.time() - start
    after = raw_files(store)
    for name, content in before.items():
        assert after[name] == content, "a result recorded before the kill changed: %s" % name
    failed = records(store, "failed")
    assert failed, "the cell measured while ovs-vswitchd died is recorded as failed"
    for record in failed.values():
        assert record["reason"], record
    measured("kill ovs-vswitchd and an NF: %d cells ok, %d failed (%s)" % (
        len(records(store, "ok")), len(failed), "; ".join(sorted(r["reason"] for r in failed.values()))[:300]))

    start = time.time()
    code, out = benchmark(store)
    assert code == 0, out[-4000:]
    flat = " ".join(out.split())
    assert "%d measured (0 failed)" % len(failed) in flat, out[-3000:]
    assert not records(store, "failed") and len(records(store, "ok")) == 4
    final = raw_files(store)
    for name, content in after.items():
        if name not in failed:
            assert final[name] == content, "the rerun touched a finished cell: %s" % name
    measured("after the kill: first run %.0f s, the run completing the %d missing cells %.0f s" % (
        first_run, len(failed), time.time() - start))

    code, out = benchmark(store)
    assert code == 0 and all(c["changed"] == 0 for c in recap(out).values()), recap(out)
