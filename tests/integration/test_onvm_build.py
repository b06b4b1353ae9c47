"""The opennetvm role for real, in a throwaway systemd container of the lab's host image with the
host's hugetlbfs bound at /mnt/huge: build (DPDK 20.05 legacy make, then OpenNetVM), a second run
and a check-mode run with no change, the manager service up, and a 2-NF chain on it:
speed_tester (service 1) -> simple_forward (service 2) -> back to speed_tester, for ~10 s; the NFs are
stopped by PID with SIGINT and the packets they moved are printed in Mpps.

GitHub is unreachable here, so this runs only when both repositories are given, e.g. local bare
mirrors served by `git daemon --export-all --base-path=/work/.mirror` on podman's gateway:
  NFVLAB_ONVM_REPO       git://10.88.0.1/sdnfv+openNetVM/repo
  NFVLAB_ONVM_DPDK_REPO  git://10.88.0.1/DPDK+dpdk/repo
(NFVLAB_ONVM_CHECKOUT_EXCLUDE, comma separated, defaults to examples/speed_tester/pcap: the local
mirror lacks three pcap files there.) The build takes ~15 minutes on 2 cores."""

import json
import os
import re
import subprocess
import time
import uuid

import pytest

from tests.integration.conftest import measured
from tests.playbook_runner import ansible_playbook, recap

REPO = os.environ.get("NFVLAB_ONVM_REPO", "")
DPDK_REPO = os.environ.get("NFVLAB_ONVM_DPDK_REPO", "")
EXCLUDE = [path for path in os.environ.get("NFVLAB_ONVM_CHECKOUT_EXCLUDE", "examples/speed_tester/pcap").split(",") if path]
HOST_HUGETLBFS = "/mnt/nfvlab-h1-huge"

needs_repos = pytest.mark.skipif(
    not (REPO and DPDK_REPO),
    reason="NFVLAB_ONVM_REPO and NFVLAB_ONVM_DPDK_REPO unset (GitHub is unreachable here): serve the local mirrors "
           "with git daemon and point these at them")

# A throwaway container (onvm_test_container), optionally with the host's hugetlbfs bound at
# /mnt/huge (onvm_test_hugetlbfs) and git preinstalled (onvm_test_git), then the role in it.
# onvm_test_create=false makes no container: for settings the role must refuse before it
# touches the host.
PLAYBOOK = """---
- name: A throwaway container of the lab's host image
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Refuse a container name outside the test's prefix
      ansible.builtin.assert:
        that: onvm_test_container is match('^nfvlab-h1-onvm-[a-z0-9-]+$')
        quiet: true

    - name: Build or find the lab's host image
      ansible.builtin.include_role:
        name: nfvlab.interconnect.emulated_lab
        tasks_from: image
      when: onvm_test_create | default(true) | bool

    - name: A host hugepage pool and hugetlbfs mount for the container
      ansible.builtin.include_role:
        name: nfvlab.interconnect.emulated_lab
        tasks_from: hugepages
      vars:
        emulated_lab_name: nfvlab-h1-onvm
        emulated_lab_hugepages_2m: 256
        emulated_lab_hugetlbfs_host_dir: %(hugetlbfs)s
      when: onvm_test_create | default(true) | bool and onvm_test_hugetlbfs | default(true) | bool

    - name: Start the container as systemd, with the emulated lab's capabilities and /proc/sys masks
      containers.podman.podman_container:
        name: "{{ onvm_test_container }}"
        image: "{{ emulated_lab_image }}"
        hostname: "{{ onvm_test_container }}"
        command: /sbin/init
        systemd: always
        cap_add: [NET_ADMIN, NET_RAW]
        device: [/dev/net/tun]
        security_opt:
          - unmask=/proc/sys
          - mask=/proc/sys/vm:/proc/sys/fs
        volume: "{{ ['%(hugetlbfs)s:/mnt/huge'] if onvm_test_hugetlbfs | default(true) | bool else omit }}"
        label:
          owner: nfvlab-h1-onvm
        state: started
      when: onvm_test_create | default(true) | bool

    - name: Wait for systemd to finish booting the container
      ansible.builtin.command:
        argv: [podman, exec, "{{ onvm_test_container }}", systemctl, is-system-running, --wait]
      register: _onvm_test_boot
      changed_when: false
      check_mode: false
      failed_when: _onvm_test_boot.stdout not in ['running', 'degraded']
      when: onvm_test_create | default(true) | bool

    - name: Install git in the container beforehand (so the role's own run can be seen to change nothing)
      ansible.builtin.command:
        argv: [podman, exec, "{{ onvm_test_container }}", sh, -c,
               "command -v git || (apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates)"]
      changed_when: false
      check_mode: false
      when: onvm_test_create | default(true) | bool and onvm_test_git | default(false) | bool

    - name: Reach the container through podman
      ansible.builtin.add_host:
        name: "{{ onvm_test_container }}"
        groups: [onvmtest]
        ansible_connection: containers.podman.podman
        ansible_python_interpreter: /usr/bin/python3

- name: The opennetvm role in the container
  hosts: onvmtest
  gather_facts: false
  roles:
    - role: nfvlab.interconnect.opennetvm
  tasks:
    - name: Say whether OpenNetVM was had
      ansible.builtin.debug:
        msg: "ONVM-AVAILABLE={{ opennetvm_available }} REASON={{ opennetvm_unavailable_reason }}"
""" % {"hugetlbfs": HOST_HUGETLBFS}

RELEASE = """---
- name: Give the test's hugetlbfs mount and hugepages back
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Unmount and restore the pool
      ansible.builtin.include_role:
        name: nfvlab.interconnect.emulated_lab
        tasks_from: hugepages_release
      vars:
        emulated_lab_name: nfvlab-h1-onvm
        emulated_lab_hugetlbfs_host_dir: %s
""" % HOST_HUGETLBFS


def write_playbooks(directory):
    playbook = os.path.join(str(directory), "onvm_test.yml")
    with open(playbook, "w") as handle:
        handle.write(PLAYBOOK)
    release = os.path.join(str(directory), "onvm_release.yml")
    with open(release, "w") as handle:
        handle.write(RELEASE)
    return playbook, release


def run(playbook, variables, *extra, **kwargs):
    return ansible_playbook(playbook, "-e", json.dumps(variables), *extra, timeout=kwargs.get("timeout", 1800))


def in_container(name, *argv, **kwargs):
    done = subprocess.run(["podman", "exec", name] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False, timeout=kwargs.get("timeout", 120))
    return done.returncode, done.stdout


@pytest.fixture
def onvm_container(tmp_path):
    """(container name, playbook path); the container and the test's hugetlbfs mount are removed afterwards."""
    name = "nfvlab-h1-onvm-" + uuid.uuid4().hex[:8]
    playbook, release = write_playbooks(tmp_path)
    yield name, playbook
    subprocess.call(["podman", "rm", "--force", "--ignore", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ansible_playbook(release, timeout=300)


def start_nf(name, binary, cpu, service, destination):
    """An NF as a secondary process of the manager, in the background, on CPU cpu (manual, shared core);
    returns its PID."""
    code, out = in_container(
        name, "sh", "-c",
        "cd /tmp && { nohup %s -l %d -n 3 --proc-type=secondary --file-prefix onvm --huge-dir /mnt/huge --no-pci "
        "-- -r %d -m -s -- -d %d > /tmp/nf-%d.log 2>&1 & echo $!; }" % (binary, cpu, service, destination, service))
    assert code == 0, out
    return int(out.strip().splitlines()[-1])


def wait_for_log(name, path, text, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        code, out = in_container(name, "cat", path)
        if text in out:
            return out
        time.sleep(1)
    raise AssertionError("%s never said %r: %s" % (path, text, out[-3000:]))


@needs_repos
def test_build_then_run_a_two_nf_chain(onvm_container):
    name, playbook = onvm_container
    variables = {"onvm_test_container": name, "opennetvm_repo": REPO, "opennetvm_dpdk_repo": DPDK_REPO,
                 "opennetvm_checkout_exclude": EXCLUDE}
    start = time.time()
    code, out = run(playbook, variables, timeout=3600)
    took = time.time() - start
    assert code == 0, out[-6000:]
    assert "ONVM-AVAILABLE=True" in out, out[-3000:]
    measured("opennetvm role, DPDK 20.05 + OpenNetVM built in a fresh container: %.0f s" % took)

    # a second run and a check-mode run change nothing (the container is made again only if missing)
    code, out = run(playbook, variables)
    assert code == 0, out[-4000:]
    assert recap(out)[name]["changed"] == 0, out[-4000:]
    code, out = run(playbook, variables, "--check")
    assert code == 0, out[-4000:]
    assert recap(out)[name]["changed"] == 0, out[-4000:]

    code, manifest = in_container(name, "cat", "/etc/nfvlab/onvm/manager.json")
    assert code == 0, manifest
    manifest = json.loads(manifest)
    code, state = in_container(name, "systemctl", "is-active", manifest["unit"])
    assert state.strip() == "active", state
    for port in manifest["ports"]:
        assert in_container(name, "ip", "link", "show", port["iface"])[0] == 0, port

    # speed_tester (service 1) sends to simple_forward (service 2), which sends back to 1; both on the one NF CPU
    # (-m manual core, -s shared: without -s the manager gives each NF a dedicated core and refuses the second)
    nf_cpu = manifest["nf_cpus"][0]
    forward = start_nf(name, manifest["examples"]["simple_forward"], nf_cpu, 2, 1)
    wait_for_log(name, "/tmp/nf-2.log", "Finished Process Init")
    tester = start_nf(name, manifest["examples"]["speed_tester"], nf_cpu, 1, 2)
    wait_for_log(name, "/tmp/nf-1.log", "Finished Process Init")
    began = time.time()
    time.sleep(10)
    for pid in (tester, forward):
        assert in_container(name, "kill", "-INT", str(pid))[0] == 0
    ran = time.time() - began
    for pid in (tester, forward):
        deadline = time.time() + 20
        while time.time() < deadline and in_container(name, "kill", "-0", str(pid))[0] == 0:
            time.sleep(0.5)
        assert in_container(name, "kill", "-0", str(pid))[0] != 0, "NF %d did not stop on SIGINT" % pid

    # each NF prints its activity summary when it stops on SIGINT
    moved = {}
    for service, label in ((1, "speed_tester"), (2, "simple_forward")):
        _code, log = in_container(name, "cat", "/tmp/nf-%d.log" % service)
        totals = re.findall(r"^TX total:\s*(\d+)", log, re.M)
        assert totals and int(totals[-1]) > 0, log[-3000:]
        moved[label] = int(totals[-1])
    rates = dict((label, count / ran / 1e6) for label, count in moved.items())
    measured("OpenNetVM speed_tester -> simple_forward -> back, both NFs on one CPU (-m -s), %.0f s: %s" % (
        ran, ", ".join("%s %.3f Mpps (%d packets)" % (label, rates[label], moved[label]) for label in sorted(moved))))
    print("chain: %s" % rates)
    _code, stats = in_container(name, "cat", manifest["stats_file"])
    assert "onvm_port_stats" in json.loads(stats), stats
