"""IPoIB on a host without an HCA: rendered, not applied."""


def test_ipoib_file_is_rendered_from_the_topology_address(host):
    network = host.file("/etc/systemd/network/20-nfvlab-ib0.network").content_string
    assert "Name=ib0" in network and "Address=198.18.11.1/24" in network
    assert "Mode=datagram" in network and "MTUBytes=2044" in network


def test_nothing_is_applied_without_an_hca(host):
    assert not host.interface("ib0").exists
    assert not host.service("systemd-networkd").is_running
