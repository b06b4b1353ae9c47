"""Two l2fwd instances: dpdk-testpmd units running in their own network namespaces,
with their environment files and vhost-user sockets, and OVS-DPDK connected to all
four ports as a dpdkvhostuserclient."""

import time

import pytest

INSTANCES = {"nfa": 32, "nfb": 48}


@pytest.mark.parametrize("name", INSTANCES)
def test_units_are_enabled_and_running(host, name):
    nf = host.service("nfvlab-l2fwd@%s.service" % name)
    assert nf.is_running and nf.is_enabled
    assert host.service("nfvlab-sandbox@%s.service" % name).is_running


@pytest.mark.parametrize("name,memory", INSTANCES.items())
def test_environment_file_holds_the_command_line(host, name, memory):
    env = host.file("/etc/nfvlab/l2fwd/%s.env" % name)
    assert env.mode == 0o644
    text = env.content_string
    assert "L2FWD_PORT0=/run/nfvlab/vhost/%s-p0.sock\n" % name in text
    assert "--lcores 0@0,1@0 --in-memory --huge-dir /mnt/huge -m %d " % memory in text
    assert "--forward-mode=io --auto-start" in text


@pytest.mark.parametrize("name,memory", INSTANCES.items())
def test_testpmd_runs_in_the_sandbox_netns(host, name, memory):
    pid = host.check_output("systemctl show -p MainPID --value nfvlab-l2fwd@%s.service" % name)
    assert int(pid) > 0
    args = host.check_output("ps -o args= -p %s" % pid)
    assert args.startswith("/usr/bin/dpdk-testpmd ") and " -m %d " % memory in args
    # same namespace inode as the sandbox's bind mount, not the host's
    ns_pid = host.check_output("stat -L -c %%i /proc/%s/ns/net" % pid)
    ns_sandbox = host.check_output("stat -L -c %%i /run/netns/nfvlab-%s" % name)
    ns_host = host.check_output("stat -L -c %i /proc/1/ns/net")
    assert ns_pid == ns_sandbox != ns_host


def _ovs_status(host, port):
    return host.check_output("ovs-vsctl get Interface %s status" % port)


@pytest.mark.parametrize("name", INSTANCES)
def test_ovs_dpdk_connects_to_both_ports(host, name):
    for port in ("p0", "p1"):
        assert host.file("/run/nfvlab/vhost/%s-%s.sock" % (name, port)).is_socket
        deadline = time.time() + 30
        while "status=connected" not in _ovs_status(host, "%s-%s" % (name, port)) and time.time() < deadline:
            time.sleep(1)
        status = _ovs_status(host, "%s-%s" % (name, port))
        assert "status=connected" in status and "mode=client" in status


def test_no_hugepage_files_left(host):
    # --in-memory: memfd-backed memory, nothing in the hugetlbfs mount
    assert not [f for f in host.file("/mnt/huge").listdir() if f.startswith(("nfa", "nfb", "rtemap"))]
