"""DPDK built from source into a versioned prefix, found by pkg-config and the
dynamic linker, with every lab driver, and testpmd forwarding between null vdevs."""

import json

DRIVERS = ["bus_pci", "bus_vdev", "bus_auxiliary", "mempool_ring", "common_mlx5", "net_af_packet", "net_af_xdp",
           "net_vhost", "net_virtio", "net_ring", "net_null", "net_i40e", "net_e1000", "net_ixgbe", "net_mlx5"]


def test_versioned_prefix_with_its_build_record(host):
    current = host.file("/opt/dpdk/current")
    assert current.is_symlink and current.linked_to.startswith("/opt/dpdk/22.11.11-")
    record = json.loads(host.file(current.linked_to + "/share/nfvlab-build.json").content_string)
    assert record["version"] == "22.11.11"
    assert record["sha256"] == "27a3bb1f57e02eb68c7c0a6f8bbf9fb74ec198c5aab74ed602da5b71c492a476"


def test_pkg_config_and_ldconfig_find_it(host):
    assert host.check_output("pkg-config --modversion libdpdk") == "22.11.11"
    assert "/opt/dpdk/current/lib" in host.file("/etc/ld.so.conf.d/nfvlab-dpdk.conf").content_string
    assert "librte_eal.so" in host.check_output("ldconfig -p")


def test_every_lab_driver_was_built(host):
    for driver in DRIVERS:
        assert host.file("/opt/dpdk/current/lib/librte_%s.so" % driver).exists, driver


def test_testpmd_forwards_between_null_devices(host):
    out = host.check_output("printf 'start\\nstop\\nquit\\n' | dpdk-testpmd --no-huge -m 256 --no-pci --no-shconf "
                            "--vdev net_null0 --vdev net_null1 -- -i --total-num-mbufs=4096")
    assert "Forward statistics for port 0" in out and "Bye..." in out
