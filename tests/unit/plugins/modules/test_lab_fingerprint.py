"""nfvlab.interconnect.lab_fingerprint against a directory laid out like /sys and /proc and canned
outputs captured on the emulated lab's nf1 (fixtures/lab_fingerprint: ovs-vsctl 3.1.0 with
OVS-DPDK configured, dpkg-query with some packages absent, modprobe without the module)."""

import os

from ansible.module_utils import basic

from ansible_collections.nfvlab.interconnect.plugins.modules import lab_fingerprint

from .run_command_cases import BIN_PATHS, CommandMock, call_main

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "lab_fingerprint")
COMMANDS = {"ovs-vsctl", "dpdk-testpmd", "iperf3", "netperf", "netserver", "snort", "suricata", "onvm_mgr", "ib_send_bw"}
PACKAGES = ["openvswitch-switch", "openvswitch-switch-dpdk", "dpdk", "iperf3", "netperf", "rdma-core", "snort", "suricata"]


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def fake_sys(root, pages=1024):
    base = root / "sys"
    for path, text in {
        "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": str(pages),
        "kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages": "0",
        "devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages": str(pages),
        "devices/system/cpu/online": "0-1",
    }.items():
        target = base / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n")
    proc = root / "proc"
    proc.mkdir()
    (proc / "cmdline").write_text("BOOT_IMAGE=/vmlinuz root=/dev/vda1 default_hugepagesz=2M\n")
    return str(base), str(proc)


def run(tmp_path, monkeypatch, capsys, commands, found=("ovs-vsctl", "dpdk-testpmd", "iperf3"), **args):
    mock = CommandMock(commands)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kwargs: mock(argv, **kwargs))

    def bin_path(self, name, required=False, opt_dirs=None):
        if name in COMMANDS:  # what the module looks for: present only if listed in `found`
            return BIN_PATHS.get(name, "/usr/bin/" + name) if name in found else None
        return BIN_PATHS.get(name, "/usr/bin/" + name)

    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", bin_path)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    result = call_main(lab_fingerprint.main, args, capsys, check=args.pop("_check", False))
    assert not mock.expected, "commands not run: %s" % mock.expected
    return result


def reads(vsctl="vsctl-nf1.json", modprobe_rc=1):
    return [
        {"command": ["/usr/bin/ovs-vsctl", "--timeout=5", "--format=json", "--columns=ovs_version,dpdk_version,dpdk_initialized,other_config",
                     "list", "Open_vSwitch", "."], "out": fixture(vsctl)},
        {"command": ["/usr/bin/dpkg-query", "--show", "--showformat=${Package}\t${Version}\t${db:Status-Status}\n"] + PACKAGES,
         "rc": 1, "out": fixture("dpkg-nf1.txt"), "err": fixture("dpkg-nf1.stderr")},
        {"command": ["/usr/sbin/modprobe", "--dry-run", "openvswitch"], "rc": modprobe_rc, "err": fixture("modprobe.stderr")},
    ]


def test_fingerprint_and_capabilities_of_an_emulated_nf_server(tmp_path, monkeypatch, capsys):
    sysfs, procfs = fake_sys(tmp_path)
    result = run(tmp_path, monkeypatch, capsys, reads(), sysfs=sysfs, procfs=procfs, nic_bind_record=str(tmp_path / "none.json"))
    fp = result["fingerprint"]
    assert fp["hugepages"]["2048kB"] == {"total": 1024, "nodes": {"node0": 1024}}
    assert fp["packages"]["dpdk"] == "22.11.11-0+deb12u1" and fp["packages"]["snort"] == "absent"
    assert fp["ovs"]["ovs_version"] == "3.1.0" and fp["ovs"]["dpdk_version"] == "DPDK 22.11.11"
    assert "pmd-cpu-mask" not in fp["ovs"]["other_config"], "a cell's platform sets it: not part of the environment"
    assert fp["ovs"]["other_config"]["dpdk-socket-mem"] == "256"
    assert fp["kernel"]["cmdline"].startswith("BOOT_IMAGE=") and fp["cpus"] == [0, 1] and fp["nic_bind"] == {}
    caps = result["capabilities"]
    assert caps["cpus"] == 2 and caps["ovs_dpdk"] and not caps["ovs_kernel_datapath"] and caps["ovs_pmd_threads"] == 1
    assert not caps["ovs_kernel"] and "Module openvswitch not found" in caps["ovs_kernel_reason"]
    assert caps["infiniband"] == [] and caps["commands"] == ["ovs-vsctl", "dpdk-testpmd", "iperf3"]
    assert result["changed"] is False and len(result["sha256"]) == 64


def test_the_hash_follows_the_environment_not_the_run(tmp_path, monkeypatch, capsys):
    sysfs, procfs = fake_sys(tmp_path / "a")
    first = run(tmp_path, monkeypatch, capsys, reads(), sysfs=sysfs, procfs=procfs, nic_bind_record="/nonexistent")
    again = run(tmp_path, monkeypatch, capsys, reads(), sysfs=sysfs, procfs=procfs, nic_bind_record="/nonexistent", _check=True)
    assert first["sha256"] == again["sha256"]
    sysfs2, procfs2 = fake_sys(tmp_path / "b", pages=512)
    other = run(tmp_path, monkeypatch, capsys, reads(), sysfs=sysfs2, procfs=procfs2, nic_bind_record="/nonexistent")
    assert other["sha256"] != first["sha256"], "fewer hugepages is another environment"


def test_infiniband_devices_and_bindings_are_read(tmp_path, monkeypatch, capsys):
    sysfs, procfs = fake_sys(tmp_path)
    os.makedirs(os.path.join(sysfs, "class", "infiniband", "mlx4_0"))
    os.makedirs(os.path.join(sysfs, "module", "openvswitch"))
    record = tmp_path / "nic_bind.json"
    record.write_text('{"0000:03:00.0": {"driver": "vfio-pci"}}')
    commands = reads()[:2]  # the module is loaded: no modprobe
    result = run(tmp_path, monkeypatch, capsys, commands, sysfs=sysfs, procfs=procfs, nic_bind_record=str(record))
    assert result["capabilities"]["infiniband"] == ["mlx4_0"] and result["capabilities"]["ovs_kernel"]
    assert result["fingerprint"]["nic_bind"] == {"0000:03:00.0": {"driver": "vfio-pci"}}


MANAGER = {"home": "/opt/nfvlab/opennetvm", "version": "v21.10", "commit": "20e01501355129bfa8f46d44f39ca2a8bbb516d0",
           "services": 16, "unit": "nfvlab-onvm-mgr.service"}


def onvm_args(tmp_path, config=None, unavailable=None):
    sysfs, procfs = fake_sys(tmp_path)
    conf, record = tmp_path / "manager.json", tmp_path / "unavailable.json"
    if config is not None:
        conf.write_text(config)
    if unavailable is not None:
        record.write_text(unavailable)
    return dict(sysfs=sysfs, procfs=procfs, nic_bind_record=str(tmp_path / "none.json"), onvm_config=str(conf),
                onvm_unavailable=str(record))


def test_no_opennetvm_keeps_the_fingerprint_and_says_why(tmp_path, monkeypatch, capsys):
    args = onvm_args(tmp_path)
    result = run(tmp_path, monkeypatch, capsys, reads(), **args)
    assert "onvm" not in result["fingerprint"], "a host without OpenNetVM keeps the fingerprint it had"
    onvm = result["capabilities"]["onvm"]
    assert onvm["available"] is False and onvm["reason"].startswith("no OpenNetVM manager here (%s is absent" % args["onvm_config"])


def test_the_roles_unavailable_record_gives_the_reason(tmp_path, monkeypatch, capsys):
    reason = "https://github.com/sdnfv/openNetVM.git is not reachable from nf1: Could not resolve host: github.com"
    args = onvm_args(tmp_path, unavailable='{"reason": "%s"}' % reason)
    onvm = run(tmp_path, monkeypatch, capsys, reads(), **args)["capabilities"]["onvm"]
    assert onvm == {"available": False, "reason": reason, "version": None, "services": 0}


def test_a_built_manager_is_available_and_its_build_is_fingerprinted(tmp_path, monkeypatch, capsys):
    import json
    args = onvm_args(tmp_path, config=json.dumps(MANAGER))
    result = run(tmp_path, monkeypatch, capsys, reads(), **args)
    assert result["fingerprint"]["onvm"] == {"version": "v21.10", "commit": MANAGER["commit"]}
    assert result["capabilities"]["onvm"] == {"available": True, "reason": "", "version": "v21.10", "services": 16}


def test_an_unreadable_manager_configuration_is_not_available(tmp_path, monkeypatch, capsys):
    args = onvm_args(tmp_path, config="{not json")
    result = run(tmp_path, monkeypatch, capsys, reads(), **args)
    assert "onvm" not in result["fingerprint"]
    assert result["capabilities"]["onvm"]["reason"].startswith("%s is not JSON" % args["onvm_config"])
