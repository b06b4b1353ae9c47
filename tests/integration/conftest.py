"""What the integration tests share: one emulated lab for the whole session, brought up by the
README's main job (playbooks/lab.yml with the smoke benchmark profile and the report), the
order the test files run in around it, and the numbers they measured, printed at the end.

Order: the tests that need no lab (or must run before it exists) first, then the lab's own
tests, the benchmark harness, the switching plane, and last the rewiring and teardown tests,
which disturb or remove the lab."""

import os
import shutil
import tempfile
import time

import pytest

from tests.playbook_runner import ansible_playbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATED = os.path.join(ROOT, "inventories", "emulated")
ORDER = ["test_dpdk_bad_input", "test_hugepages_host", "test_emulated_lab", "test_benchmark", "test_ids", "test_switching_plane",
         "test_lab_rewire"]
MEASURED = []


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        name = item.module.__name__.rsplit(".", 1)[-1]
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)  # stable: file order is kept within a module


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("measured by the integration tests")
        for line in MEASURED:
            terminalreporter.write_line(line)


def measured(line):
    """Keep a number for the summary at the end of the run (pytest captures test output)."""
    MEASURED.append(line)


def nr_hugepages():
    with open("/proc/sys/vm/nr_hugepages") as handle:
        return int(handle.read())


@pytest.fixture(scope="session")
def pool_before():
    """The host's hugepage pool before any lab exists; the lab must give back what it took."""
    code, out = ansible_playbook("lab_down.yml", inventory=EMULATED)
    assert code == 0, out
    return nr_hugepages()


@pytest.fixture(scope="session")
def results_dir():
    path = tempfile.mkdtemp(prefix="nfvlab-results-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def lab(pool_before, results_dir):
    """The README's main job: playbooks/lab.yml (lab up, prepare, dataplane, smoke benchmark, report)."""
    start = time.time()
    code, out = ansible_playbook("lab.yml", "-e", "nfvlab_results_dir=" + results_dir, inventory=EMULATED, timeout=3000)
    measured("lab.yml from nothing (smoke profile, report): %.0f s" % (time.time() - start))
    yield code, out
    ansible_playbook("lab_down.yml", inventory=EMULATED)
