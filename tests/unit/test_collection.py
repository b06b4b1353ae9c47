"""The collection as users get it: the Galaxy tarball holds the content and none of the
test artefacts, and ansible-doc renders every module."""

import glob
import os
import subprocess
import sys
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
MODULES = sorted(os.path.splitext(os.path.basename(path))[0]
                 for path in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")) if not path.endswith("__init__.py"))


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    subprocess.check_call([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(out), ROOT],
                          env=ENV, stdout=subprocess.DEVNULL)
    (path,) = glob.glob(str(out / "nfvlab-interconnect-*.tar.gz"))
    with tarfile.open(path) as archive:
        return sorted(archive.getnames())


def test_tarball_holds_the_content(tarball):
    for needed in ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "playbooks/lab.yml",
                   "roles/topology/meta/argument_specs.yml", "roles/emulated_lab/tasks/main.yml",
                   "plugins/modules/veth.py", "plugins/filter/topology.py", "inventories/emulated/hosts.yml",
                   "inventories/hp-z840/hosts.yml", "changelogs/changelog.yaml"):
        assert needed in tarball, needed


def test_tarball_has_no_test_artefacts(tarball):
    banned = ("tests/", "molecule/", ".venv/", ".collections/", ".ci/", "scripts/", "build/", ".git/", ".cache/")
    leaked = [name for name in tarball if name.startswith(banned) or "/molecule/" in name or "__pycache__" in name]
    assert leaked == []


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_renders_every_module(module):
    done = subprocess.run([os.path.join(BIN, "ansible-doc"), "nfvlab.interconnect." + module], env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "OPTIONS" in done.stdout and "EXAMPLES" in done.stdout and "RETURN VALUES" in done.stdout
