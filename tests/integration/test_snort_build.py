"""The snort role for real, in a throwaway systemd container of the lab's host image (started by
playbooks/snort_build.yml, removed by these tests): build, second run with no change, check mode
with no change, and what got installed, seen from inside the container.

snort.org is unreachable here, so each build runs only when its release tarball is on this machine:
  NFVLAB_SNORT_TARBALL  a Snort 2.9 release tarball, snort-<version>.tar.gz (a version of the role's
                        snort_releases; NFVLAB_SNORT_VERSION overrides the version read from the name).
                        The DAQ is built from NFVLAB_DAQ_TARBALL when that is set, else Debian's
                        libdaq-dev is used.
  NFVLAB_DAQ_TARBALL    a DAQ 2.0.7 release tarball, e.g. Debian's orig tarball:
                        apt-get source --download-only daq  (with deb-src) -> daq_2.0.7.orig.tar.gz
                        The DAQ-only build (snort_build_snort: false) runs with it.
Settings the role must refuse are checked without any container or tarball."""

import json
import os
import re
import subprocess
import time
import uuid

import pytest

from tests.integration.conftest import measured
from tests.playbook_runner import ansible_playbook, recap

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "snort_build.yml")
SNORT_TARBALL = os.environ.get("NFVLAB_SNORT_TARBALL", "")
DAQ_TARBALL = os.environ.get("NFVLAB_DAQ_TARBALL", "")
MODULES = ["afpacket", "nfq", "pcap"]

needs_snort = pytest.mark.skipif(
    not os.path.isfile(SNORT_TARBALL),
    reason="no Snort tarball: set NFVLAB_SNORT_TARBALL to snort-2.9.x.tar.gz (snort.org is unreachable here)")
needs_daq = pytest.mark.skipif(
    not os.path.isfile(DAQ_TARBALL),
    reason="no DAQ tarball: set NFVLAB_DAQ_TARBALL to daq-2.0.7.tar.gz or Debian's daq_2.0.7.orig.tar.gz "
           "(apt-get source --download-only daq)")


def run(variables, *extra, **kwargs):
    code, out = ansible_playbook(PLAYBOOK, "-e", json.dumps(variables), *extra, timeout=kwargs.get("timeout", 1800))
    return code, out


def in_container(name, *argv):
    done = subprocess.run(["podman", "exec", name] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    return done.returncode, done.stdout


@pytest.fixture
def container():
    """A fresh container name under the test prefix; whatever the playbook made of it is removed."""
    name = "nfvlab-snorttest-" + uuid.uuid4().hex[:8]
    yield name
    subprocess.call(["podman", "rm", "--force", "--ignore", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def build_rerun_check(name, variables, what):
    """Build, then a second run and a check-mode run that change nothing on the container."""
    start = time.time()
    code, out = run(variables, timeout=3600)
    took = time.time() - start
    assert code == 0, out[-6000:]
    measured("snort role, %s in a fresh container: %.0f s" % (what, took))
    code, out = run(variables)
    assert code == 0, out[-4000:]
    assert recap(out)[name]["changed"] == 0, out[-4000:]
    code, out = run(variables, "--check")
    assert code == 0, out[-4000:]
    assert recap(out)[name]["changed"] == 0, out[-4000:]


def snort_version():
    if os.environ.get("NFVLAB_SNORT_VERSION"):
        return os.environ["NFVLAB_SNORT_VERSION"]
    match = re.match(r"snort-(2\.9\.[0-9.]+[0-9])\.tar\.gz$", os.path.basename(SNORT_TARBALL))
    assert match, "NFVLAB_SNORT_TARBALL is not named snort-<version>.tar.gz: set NFVLAB_SNORT_VERSION"
    return match.group(1)


@needs_snort
def test_snort_builds_with_its_daq_modules(container):
    version = snort_version()
    variables = {"snort_test_container": container, "snort_version": version,
                 "snort_source_archive": os.path.abspath(SNORT_TARBALL)}
    if os.path.isfile(DAQ_TARBALL):
        variables["snort_daq_source_archive"] = os.path.abspath(DAQ_TARBALL)
    else:
        variables["snort_daq_from"] = "package"
    build_rerun_check(container, variables, "Snort %s and its DAQ (%s)" % (
        version, "source" if os.path.isfile(DAQ_TARBALL) else "Debian's libdaq-dev"))

    code, out = in_container(container, "/usr/local/bin/snort", "-V")
    assert code == 0 and ("Version %s " % version) in out, out
    code, conf = in_container(container, "cat", "/etc/snort/snort.conf")
    assert code == 0, conf
    daq_dir = re.search(r"^config daq_dir: (\S+)$", conf, re.M).group(1)
    # --daq-list prints and exits when it is parsed, so --daq-dir comes first
    code, out = in_container(container, "/usr/local/bin/snort", "--daq-dir", daq_dir, "--daq-list")
    assert code == 0, out
    listed = re.findall(r"^\s*([a-z0-9_]+)\(v[0-9]+\)", out, re.M)
    assert set(MODULES) <= set(listed), out
    code, out = in_container(container, "/usr/local/bin/snort", "-T", "-c", "/etc/snort/snort.conf", "-i", "lo")
    assert code == 0 and "successfully validated the configuration" in out, out[-3000:]


@needs_daq
def test_daq_only_builds_from_its_release_tarball(container):
    variables = {"snort_test_container": container, "snort_build_snort": False,
                 "snort_daq_source_archive": os.path.abspath(DAQ_TARBALL)}
    build_rerun_check(container, variables, "DAQ only, from %s" % os.path.basename(DAQ_TARBALL))

    code, out = in_container(container, "ls", "/usr/local/lib/daq")
    assert code == 0 and all("daq_%s.so" % module in out.split() for module in MODULES), out
    code, out = in_container(container, "test", "-e", "/usr/local/bin/snort")
    assert code != 0, "snort_build_snort: false must not install Snort"
    loader = ("import ctypes; d = ctypes.CDLL('/usr/local/lib/libdaq.so.2'); d.daq_find_module.restype = ctypes.c_void_p; "
              "dirs = (ctypes.c_char_p * 2)(b'/usr/local/lib/daq', None); assert d.daq_load_modules(dirs) == 0; "
              "print([m for m in %r if d.daq_find_module(m.encode())])" % MODULES)
    code, out = in_container(container, "python3", "-c", loader)
    assert code == 0 and out.strip() == repr(MODULES), out


@pytest.mark.parametrize("variables, message", [
    ({"snort_version": "2.9.99"}, "snort_version: no release 2.9.99 in snort_releases (known: 2.9.20, 2.9.8.3)"),
    ({"snort_version": "3.1.74.0"}, "snort_version: 3.1.74.0 is not a Snort 2.9 release"),
    ({"snort_source_archive": "/nonexistent/snort-2.9.20.tar.gz"},
     "snort_source_archive: /nonexistent/snort-2.9.20.tar.gz does not exist on the controller"),
    ({"snort_daq_modules": ["afpacket", "netmap"]}, "snort_daq_modules"),
    ({"snort_daq_modules": []}, "snort_daq_modules: empty"),
    ({"snort_rule_files": ["local.rules", "../passwd"]}, "snort_rule_files: ../passwd is not a file name"),
    ({"snort_daq_from": "package", "snort_daq_source_archive": "/tmp/daq.tar.gz"},
     "snort_daq_source_archive: /tmp/daq.tar.gz is set but snort_daq_from is package"),
    ({"snort_daq_from": "apt"}, "snort_daq_from"),
    ({"snort_prefix": "usr/local"}, "snort_prefix: must be an absolute path"),
])
def test_refused_before_any_change(variables, message):
    """No container is made: a setting the role accepted would fail at the first task on the host."""
    name = "nfvlab-snorttest-refused"
    code, out = run(dict(variables, snort_test_container=name, snort_test_create=False))
    flat = " ".join(out.split())
    assert code != 0
    assert message in flat, out[-3000:]
    assert recap(out)[name]["changed"] == 0
    assert "UNREACHABLE" not in out, "the role got past its checks: " + out[-3000:]


@pytest.mark.parametrize("variable", ["snort_source_archive", "snort_daq_source_archive"])
def test_archive_with_the_wrong_checksum_is_refused(tmp_path, variable):
    fake = tmp_path / "release.tar.gz"
    fake.write_bytes(b"not the release")
    name = "nfvlab-snorttest-refused"
    code, out = run({variable: str(fake), "snort_test_container": name, "snort_test_create": False})
    flat = " ".join(out.split())
    assert code != 0
    assert "%s: %s has sha256 " % (variable, fake) in flat and "not the release it claims to be" in flat, out[-3000:]
    assert recap(out)[name]["changed"] == 0
