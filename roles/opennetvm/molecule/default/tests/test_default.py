"""OpenNetVM in a container. Without NFVLAB_ONVM_REPO / NFVLAB_ONVM_DPDK_REPO (CI: GitHub is
unreachable) the role reported itself unavailable (converge asserts the fact and its reason) and
nothing was installed. With them (git:// URLs of local mirrors) DPDK 20.05 and OpenNetVM were
built, the manager runs as a service with its two taps, and speed_tester moves packets through it."""

import json
import os

import pytest

BUILT = bool(os.environ.get("NFVLAB_ONVM_REPO") and os.environ.get("NFVLAB_ONVM_DPDK_REPO"))
HOME = "/opt/nfvlab/opennetvm"
UNIT = "/etc/systemd/system/nfvlab-onvm-mgr.service"
MANIFEST = "/etc/nfvlab/onvm/manager.json"

built = pytest.mark.skipif(not BUILT, reason="NFVLAB_ONVM_REPO and NFVLAB_ONVM_DPDK_REPO unset: nothing was built")
unbuilt = pytest.mark.skipif(BUILT, reason="OpenNetVM was built from NFVLAB_ONVM_REPO")


@unbuilt
def test_nothing_was_installed_when_the_repository_is_unreachable(host):
    assert not host.file(UNIT).exists
    assert not host.file(MANIFEST).exists
    assert not host.file(HOME).exists
    assert host.run("systemctl cat nfvlab-onvm-mgr.service").rc != 0


@built
def test_the_pinned_commits_were_built_without_devel_flags(host):
    assert host.check_output("git -C %s rev-parse HEAD" % HOME) == "20e01501355129bfa8f46d44f39ca2a8bbb516d0"
    assert not host.file(HOME + "/dpdk/.git").exists
    assert host.file(HOME + "/dpdk/.nfvlab-source").content_string.strip() == "e2a234488854fdeee267a2aa582aa082fce01d6e"
    config = host.file(HOME + "/dpdk/x86_64-native-linuxapp-gcc/.config").content_string
    assert "CONFIG_RTE_EAL_IGB_UIO=n" in config and "CONFIG_RTE_KNI_KMOD=n" in config


@built
def test_manager_file_describes_the_running_manager(host):
    manifest = json.loads(host.file(MANIFEST).content_string)
    assert host.file(MANIFEST).mode == 0o644
    assert manifest["home"] == HOME and manifest["file_prefix"] == "onvm" and manifest["hugetlbfs"] == "/mnt/huge"
    assert manifest["manager_cpus"] == [0] and manifest["nf_cpus"] == [1] and manifest["services"] == 16
    assert manifest["ports"] == [{"index": 0, "vdev": "net_tap0,iface=onvm0", "iface": "onvm0"},
                                 {"index": 1, "vdev": "net_tap1,iface=onvm1", "iface": "onvm1"}]
    assert manifest["portmask"] == "0x3" and manifest["unit"] == "nfvlab-onvm-mgr.service"
    assert manifest["version"] == "v21.10" and manifest["commit"] == "20e01501355129bfa8f46d44f39ca2a8bbb516d0"
    assert manifest["stats_file"] == HOME + "/onvm_web/onvm_json_stats.json"
    assert sorted(manifest["examples"]) == ["basic_monitor", "bridge", "simple_forward", "speed_tester"]
    for path in manifest["examples"].values():
        assert host.file(path).is_file and host.file(path).mode & 0o111


@built
def test_manager_runs_with_its_taps_and_writes_json_stats(host):
    service = host.service("nfvlab-onvm-mgr.service")
    assert service.is_running and service.is_enabled
    pid = host.check_output("systemctl show -p MainPID --value nfvlab-onvm-mgr.service")
    cmdline = host.file("/proc/%s/cmdline" % pid).content_string.split("\0")
    assert cmdline[1:cmdline.index("--")] == [
        "--lcores=0@0,1@0,2@0", "-n", "4", "--proc-type=primary", "--file-prefix", "onvm", "--huge-dir", "/mnt/huge",
        "--base-virtaddr=0x7f000000000", "--no-pci", "--vdev", "net_tap0,iface=onvm0", "--vdev", "net_tap1,iface=onvm1"]
    for iface in ("onvm0", "onvm1"):
        assert host.interface(iface).exists
    stats = json.loads(host.file(HOME + "/onvm_web/onvm_json_stats.json").content_string)
    assert "onvm_port_stats" in stats


@built
def test_speed_tester_moves_packets_through_the_manager(host):
    manifest = json.loads(host.file(MANIFEST).content_string)
    run = host.run(
        "cd /tmp && timeout --signal=INT 8 %s -l 1 -n 3 --proc-type=secondary --file-prefix onvm --huge-dir /mnt/huge "
        "--no-pci -- -r 1 -- -d 1" % manifest["examples"]["speed_tester"])
    out = run.stdout + run.stderr
    assert "Finished Process Init" in out, out[-3000:]
    rates = [int(line.split(":")[1]) for line in out.splitlines() if line.strip().startswith("TX pkts per second:")]
    assert rates and max(rates) > 0, out[-3000:]
    print("speed_tester alone: %.1f Mpps" % (max(rates) / 1e6))
