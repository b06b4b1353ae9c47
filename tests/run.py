"""Run every test of the collection, in order, and print one summary line.

    tests/run.py                   all steps
    tests/run.py --only unit,lint  some steps
    tests/run.py --list            the steps

Steps: unit (pytest tests/unit: plugins, packaging, ansible-doc), lint (ansible-lint,
production profile), changelog (antsibull-changelog lint), sanity (ansible-test sanity
on a staged copy of the collection), integration (pytest tests/integration: the emulated
lab end to end), molecule (molecule test in every role that has a scenario), bench
(tests/benchmarks/lab_up_speed.py: prints bring-up times; fails only if a playbook fails). The chain
throughputs are the benchmark harness's own cells, measured in integration (its numbers are printed at
the end of that step). By hand: tests/benchmarks/chain_throughput.py (chains of 0 to 5 NFs) and
dpdk_build_speed.py (the DPDK source build time against its target; the dpdk role's molecule scenario
builds DPDK from source in CI).

Run it through scripts/test.sh, which installs what it needs first. It uses the tools
of the Python environment it runs in."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PYTEST_NO_TESTS = 5


def tool(name):
    return os.path.join(BIN, name)


def env():
    environ = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    environ.setdefault("ANSIBLE_NOCOLOR", "1")
    environ.setdefault("PY_COLORS", "0")
    return environ


def run(argv, cwd=ROOT):
    print("+ " + " ".join(argv), flush=True)
    return subprocess.call(argv, cwd=cwd, env=env())


def pytest(path):
    code = run([sys.executable, "-m", "pytest", path, "-ra", "--durations=15", "-p", "no:cacheprovider"])
    if code == PYTEST_NO_TESTS:
        print("pytest collected no tests in %s" % path)
        return 1  # a suite that exists must run something
    return code


def collection_files():
    """The files of the collection: what git tracks plus what it would track, else the tree."""
    try:
        out = subprocess.check_output(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                      cwd=ROOT, stderr=subprocess.DEVNULL)
        files = [name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for top, dirs, names in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in (".git", ".venv", ".collections", ".cache", ".ansible")]
            files.extend(os.path.relpath(os.path.join(top, name), ROOT) for name in names)
    return sorted(name for name in files if not name.startswith(".collections/")
                  and os.path.isfile(os.path.join(ROOT, name)))


def ansible_test_pip_version():
    import ansible_test  # noqa: F401 - the tool's own package tells which pip it bootstraps

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        found = re.search(r"pip='([0-9.]+)'", handle.read())
    return found.group(1) if found else "24.2"


def step_sanity():
    """ansible-test needs the collection at ansible_collections/<ns>/<name> and a pip bootstrap
    script from a host this machine cannot reach: stage a copy (outside this checkout, with its
    own git index so that ansible-test sees exactly the collection's files) and provide the script."""
    stage = tempfile.mkdtemp(prefix="nfvlab-sanity-")
    target = os.path.join(stage, "ansible_collections", "nfvlab", "interconnect")
    for name in collection_files():
        dest = os.path.join(target, name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), dest)
    subprocess.check_call(["git", "init", "-q"], cwd=target)
    subprocess.check_call(["git", "add", "-A"], cwd=target)
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    shim = os.path.join(cache, "get_pip_%s.py" % ansible_test_pip_version().replace(".", "_"))
    shutil.copy2(os.path.join(ROOT, "tests", "sanity", "get_pip_shim.py"), shim)
    python = "%d.%d" % sys.version_info[:2]
    try:
        return run([tool("ansible-test"), "sanity", "--python", python, "--requirements", "--color", "no"], cwd=target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def step_molecule():
    roles = sorted(role for role in os.listdir(os.path.join(ROOT, "roles"))
                   if os.path.isdir(os.path.join(ROOT, "roles", role, "molecule")))
    failed = [role for role in roles if run([tool("molecule"), "test", "--all"], cwd=os.path.join(ROOT, "roles", role)) != 0]
    if failed:
        print("molecule failed in: " + ", ".join(failed))
    return 1 if failed else 0


STEPS = [
    ("unit", lambda: pytest("tests/unit")),
    ("lint", lambda: run([tool("ansible-lint")])),
    ("changelog", lambda: run([tool("antsibull-changelog"), "lint"])),
    ("sanity", step_sanity),
    ("integration", lambda: pytest("tests/integration")),
    ("molecule", step_molecule),
    ("bench", lambda: run([sys.executable, "tests/benchmarks/lab_up_speed.py"])),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated steps to run")
    parser.add_argument("--list", action="store_true", help="list the steps")
    args = parser.parse_args()
    names = [step[0] for step in STEPS]
    if args.list:
        print("\n".join(names))
        return 0
    wanted = args.only.split(",") if args.only else names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        parser.error("unknown step(s) %s; the steps are %s" % (", ".join(unknown), ", ".join(names)))
    results = []
    for name, func in STEPS:
        if name not in wanted:
            continue
        print("\n=== %s ===" % name, flush=True)
        start = time.time()
        code = func()
        results.append((name, code, time.time() - start))
        print("=== %s: %s in %.0f s ===" % (name, "ok" if code == 0 else "FAILED (%s)" % code, time.time() - start), flush=True)
    print("\nsummary:")
    for name, code, seconds in results:
        print("  %-12s %-8s %6.0f s" % (name, "ok" if code == 0 else "FAILED", seconds))
    failed = sum(1 for result in results if result[1] != 0)
    print("steps: %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
