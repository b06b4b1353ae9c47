"""OVS-DPDK as the ovs role leaves it in a container with hugetlbfs."""


def vsctl(host, *args):
    return host.check_output("ovs-vsctl " + " ".join(args))


def test_services_run_and_start_at_boot(host):
    service = host.service("openvswitch-switch")
    assert service.is_running
    assert service.is_enabled
    assert host.process.filter(comm="ovs-vswitchd")
    assert host.process.filter(comm="ovsdb-server")


def test_the_dpdk_build_of_ovs_vswitchd_is_selected(host):
    assert host.file("/etc/alternatives/ovs-vswitchd").linked_to == "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"


def test_dpdk_initialised_with_the_managed_settings(host):
    assert vsctl(host, "get Open_vSwitch . dpdk_initialized") == "true"
    config = vsctl(host, "get Open_vSwitch . other_config")
    for item in ('dpdk-extra="--no-pci"', 'dpdk-hugepage-dir="/mnt/huge"', 'dpdk-init="true"', 'dpdk-socket-mem="256"',
                 'per-port-memory="true"', 'pmd-cpu-mask="0x2"', 'pmd-maxsleep="50"', 'userspace-tso-enable="false"'):
        assert item in config, config
    assert "vhost-sock-dir" not in config


def test_one_pmd_thread_on_cpu_1(host):
    out = host.check_output("ovs-appctl dpif-netdev/pmd-rxq-show")
    assert "core_id 1:" in out and out.count("pmd thread") == 1, out


def test_bridge_and_dpdk_ports(host):
    assert vsctl(host, "get Bridge br-mol datapath_type") == "netdev"
    assert vsctl(host, "get Bridge br-mol fail_mode") == "secure"
    for name, ofport in (("molva", "1"), ("molvb", "2")):
        assert vsctl(host, "get Interface", name, "ofport") == ofport
        assert vsctl(host, "get Interface", name, "error") == "[]"
