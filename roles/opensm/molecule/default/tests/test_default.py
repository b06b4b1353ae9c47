"""opensm on a host without an HCA: files and unit rendered, nothing running."""


def test_instance_configurations_bind_the_port_guids(host):
    ib0 = host.file("/etc/opensm/nfvlab/opensm-ib0.conf").content_string
    assert "guid 0x0002c903000e1f11" in ib0 and "sm_priority 15" in ib0
    assert "partition_config_file /etc/opensm/nfvlab/partitions.conf" in ib0
    ib1 = host.file("/etc/opensm/nfvlab/opensm-ib1.conf").content_string
    assert "guid 0x0002c903000e1f12" in ib1 and "sm_priority 14" in ib1


def test_partitions_are_rendered(host):
    partitions = host.file("/etc/opensm/nfvlab/partitions.conf").content_string
    assert "Default=0x7fff, ipoib : ALL=full ;" in partitions
    assert "nfvlab=0x0001, ipoib : ALL=full ;" in partitions


def test_unit_installed_but_nothing_started_without_an_hca(host):
    assert host.file("/etc/systemd/system/nfvlab-opensm@.service").contains("opensm-%i.conf")
    assert not host.service("nfvlab-opensm@ib0").is_running
    assert not host.service("opensm").is_enabled


def test_bad_input_changed_nothing(host):
    assert not host.file("/etc/opensm/nfvlab-bad").exists
