"""The topology filters: worked examples on the paper's wiring, and every bad input
named in the issue stopping with a message that names the variable."""

import copy
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.topology import FilterModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "roles", "topology", "defaults", "main.yml")) as handle:
    DEFAULTS = yaml.safe_load(handle)

LINKS = DEFAULTS["topology_links"]
REQUIRED = DEFAULTS["topology_required_groups"]
BOTH = ["single-host", "multi-host"]
FILTERS = FilterModule().filters()


def groups(**extra):
    base = {
        "nf_servers": ["nf1", "nf2"],
        "chaining_servers": ["chain"],
        "traffic_sources": ["source"],
        "traffic_sinks": ["sink"],
    }
    base.update(extra)
    base["all"] = sorted(set(host for members in base.values() for host in members))
    return base


def hw_host(ports, memory_mb=131072, hugepages=None):
    return {"nfvlab_hw_ports": ports, "nfvlab_hw_memory_mb": memory_mb, "hugepages_pages": hugepages}


def hardware_hosts():
    """A hardware inventory with every identifier filled in (multi-host wiring)."""
    return {
        "nf1": hw_host({"xe0": {"ifname": "ens1f0", "pci": "0000:03:00.0"},
                        "ib0": {"ifname": "ib0", "pci": "0000:81:00.0", "guid": "0x0002c903000e1f01"}}),
        "nf2": hw_host({"xe0": {"ifname": "ens1f0", "pci": "0000:03:00.0"},
                        "ib0": {"ifname": "ib0", "pci": "0000:81:00.0", "guid": "0002:c903:000e:1f02"}}),
        "chain": hw_host({"xe0": {"ifname": "ens1f0", "pci": "0000:03:00.0"},
                          "xe1": {"ifname": "ens1f1", "pci": "0000:03:00.1"},
                          "xe2": {"ifname": "ens2f0", "pci": "0000:04:00.0"},
                          "xe3": {"ifname": "ens2f1", "pci": "0000:04:00.1"},
                          "ib0": {"ifname": "ib0", "pci": "0000:81:00.0", "guid": "0x0002c903000e1f11"},
                          "ib1": {"ifname": "ib1", "pci": "0000:81:00.0", "guid": "0x0002c903000e1f12"}}),
        "source": hw_host({"xe0": {"ifname": "ens1f0", "pci": "0000:03:00.0"}}),
        "sink": hw_host({"xe0": {"ifname": "ens1f0", "pci": "0000:03:00.0"}}),
    }


def errors(links=None, wiring=None, grps=None, hosts=None, lab="emulated"):
    return topology.topology_errors(
        LINKS if links is None else links, BOTH if wiring is None else wiring,
        groups() if grps is None else grps, {} if hosts is None else hosts, REQUIRED, lab)


def only_error(found, *fragments):
    assert len(found) == 1, found
    for fragment in fragments:
        assert fragment in found[0], found[0]


# --- worked examples -------------------------------------------------------------

def test_paper_topology_is_valid_on_the_emulated_lab():
    assert errors() == []


def test_paper_topology_is_valid_on_complete_hardware_inventory():
    assert errors(wiring=["multi-host"], hosts=hardware_hosts(), lab="hardware") == []


def link_names(links):
    return [link["name"] for link in links]


def test_wiring_selects_the_links():
    def names(wiring):
        return link_names(topology.active_links(LINKS, wiring))

    assert names(["single-host"]) == ["source-nf1", "nf1-sink"]
    assert names("multi-host") == ["nf1-chain-eth", "nf2-chain-eth", "nf1-chain-ib", "nf2-chain-ib",
                                   "source-chain", "chain-sink"]
    assert len(names(BOTH)) == 8


def test_nf1_addresses_in_both_wirings():
    ifaces = {i["link"]: i for i in topology.host_interfaces(LINKS, "nf1", BOTH)}
    assert sorted(ifaces) == ["nf1-chain-eth", "nf1-chain-ib", "nf1-sink", "source-nf1"]
    assert ifaces["nf1-chain-eth"]["address"] == "198.18.1.1/24"
    assert ifaces["nf1-chain-eth"]["peer_host"] == "chain"
    assert ifaces["nf1-chain-eth"]["peer_ip"] == "198.18.1.2"
    # nf1 is the second end of source-nf1, so it gets host 2 of the subnet
    assert ifaces["source-nf1"]["address"] == "198.18.31.2/24"
    assert ifaces["source-nf1"]["end"] == 1
    assert ifaces["nf1-chain-ib"]["kind"] == "infiniband"
    assert ifaces["nf1-chain-ib"]["ifname"] == "ib0"


def test_chain_has_four_ethernet_and_two_ib_ends_in_multi_host():
    ifaces = topology.host_interfaces(LINKS, "chain", ["multi-host"])
    kinds = sorted((i["port"], i["kind"], i["address"]) for i in ifaces)
    assert kinds == [
        ("ib0", "infiniband", "198.18.11.2/24"),
        ("ib1", "infiniband", "198.18.12.2/24"),
        ("xe0", "ethernet", "198.18.1.2/24"),
        ("xe1", "ethernet", "198.18.2.2/24"),
        ("xe2", "ethernet", "198.18.21.2/24"),
        ("xe3", "ethernet", "198.18.22.1/24"),
    ]


def test_inactive_links_are_the_other_wiring_unless_they_share_an_interface():
    names = link_names
    assert names(topology.inactive_links(LINKS, ["multi-host"])) == ["source-nf1", "nf1-sink"]
    assert names(topology.inactive_links(LINKS, BOTH)) == []
    # the real nf1 recables one port: source-nf1 (xe1) shares ens1f0 with nf1-chain-eth (xe0)
    ports = {"nf1": {"xe0": {"ifname": "ens1f0"}, "xe1": {"ifname": "ens1f0"}, "xe2": {"ifname": "ens1f1"}}}
    assert names(FILTERS["topology_inactive_links"](LINKS, ["multi-host"], ports_hostvars(ports))) == ["nf1-sink"]


def ports_hostvars(ports):
    return dict((host, {"nfvlab_hw_ports": host_ports}) for host, host_ports in ports.items())


def test_host_index_and_ifname_come_from_the_data():
    links = [{"name": "a-b", "kind": "ethernet", "wiring": ["multi-host"], "subnet": "10.0.0.0/30",
              "endpoints": [{"host": "a", "port": "p0", "host_index": 2}, {"host": "b", "port": "p1", "host_index": 1}]}]
    (link,) = topology.expand_links(links, "multi-host", {"a": {"p0": {"ifname": "ens3"}}})
    assert [(e["ifname"], e["address"], e["peer_ip"]) for e in link["endpoints"]] == [
        ("ens3", "10.0.0.2/30", "10.0.0.1"), ("p1", "10.0.0.1/30", "10.0.0.2")]


def test_filters_read_ports_from_hostvars():
    hostvars = {"nf1": {"nfvlab_hw_ports": {"xe0": {"ifname": "ens1f0"}}}, "chain": {}}
    (nf1_chain,) = [i for i in FILTERS["topology_interfaces"](LINKS, "nf1", ["multi-host"], hostvars)
                    if i["link"] == "nf1-chain-eth"]
    assert nf1_chain["ifname"] == "ens1f0"
    links = FILTERS["topology_links"](LINKS, ["single-host"])
    assert [link["subnet"] for link in links] == ["198.18.31.0/24", "198.18.32.0/24"]


def test_errors_filter_reads_hostvars():
    hostvars = dict(hardware_hosts())
    hostvars["nf1"] = dict(hostvars["nf1"], hugepages_pages=[{"size": "1G", "count": 200, "node": 0}])
    found = FILTERS["topology_errors"](LINKS, ["multi-host"], groups(), hostvars, REQUIRED, "hardware")
    only_error(found, "hugepages_pages on nf1", "204800 MB", "131072 MB")


# --- bad input: each stops with a message naming the variable ----------------------

def test_link_to_unknown_host():
    links = copy.deepcopy(LINKS)
    links[0]["endpoints"][1]["host"] = "chian"
    only_error(errors(links), "topology_links[0] (nf1-chain-eth)", "host chian is not in the inventory")


def test_duplicate_subnet():
    links = copy.deepcopy(LINKS)
    links[1]["subnet"] = links[0]["subnet"]
    only_error(errors(links), "topology_links[1] (nf2-chain-eth)", "duplicates the subnet of link nf1-chain-eth")


def test_overlapping_subnet():
    links = copy.deepcopy(LINKS)
    links[2]["subnet"] = "198.18.1.128/25"
    only_error(errors(links), "topology_links[2] (nf1-chain-ib): subnet 198.18.1.128/25 overlaps 198.18.1.0/24 of link nf1-chain-eth")
    links[2]["subnet"] = "198.18.0.0/16"  # covers every other link: each pair is reported once
    found = errors(links)
    assert len(found) == len(LINKS) - 1, found
    assert all("198.18.0.0/16" in e and "overlaps" in e for e in found), found


def test_host_missing_from_required_group():
    grps = groups(nf_servers=["nf1"], unassigned=["nf2"])
    found = errors(grps=grps)
    assert "inventory group nf_servers: has 1 host(s) (nf1), the lab needs at least 2" in found
    assert any("host nf2 is in none of the lab groups" in e for e in found), found


def test_malformed_pci_address():
    hosts = hardware_hosts()
    hosts["chain"]["nfvlab_hw_ports"]["xe2"]["pci"] = "03:00.0"
    only_error(errors(wiring=["multi-host"], hosts=hosts, lab="hardware"),
               "nfvlab_hw_ports.xe2.pci on chain", "'03:00.0' is not a PCI address")


def test_unset_pci_address_on_hardware():
    hosts = hardware_hosts()
    hosts["sink"]["nfvlab_hw_ports"]["xe0"]["pci"] = None
    only_error(errors(wiring=["multi-host"], hosts=hosts, lab="hardware"),
               "nfvlab_hw_ports.xe0.pci on sink: unset")


def test_unset_pci_is_fine_on_the_emulated_lab():
    assert errors(hosts={"sink": hw_host({"xe0": {"pci": None}})}) == []


def test_malformed_guid():
    hosts = hardware_hosts()
    hosts["nf2"]["nfvlab_hw_ports"]["ib0"]["guid"] = "0x2c903000e1f02"
    only_error(errors(wiring=["multi-host"], hosts=hosts, lab="hardware"),
               "nfvlab_hw_ports.ib0.guid on nf2", "is not a 64-bit port GUID")


def test_unset_guid_on_hardware():
    hosts = hardware_hosts()
    del hosts["chain"]["nfvlab_hw_ports"]["ib1"]["guid"]
    only_error(errors(wiring=["multi-host"], hosts=hosts, lab="hardware"), "nfvlab_hw_ports.ib1.guid on chain: unset")


def test_port_missing_from_hardware_inventory():
    hosts = hardware_hosts()
    del hosts["chain"]["nfvlab_hw_ports"]["xe3"]
    only_error(errors(wiring=["multi-host"], hosts=hosts, lab="hardware"), "nfvlab_hw_ports.xe3 on chain: unset")


def test_hugepages_more_than_memory():
    pages = [{"size": "2M", "count": 1024, "node": 0}, {"size": "1G", "count": 3, "node": 1}]
    hosts = {"nf1": hw_host({}, memory_mb=4096, hugepages=pages)}
    only_error(errors(hosts=hosts), "hugepages_pages on nf1", "5120 MB", "4096 MB")


def test_hugepages_bad_size():
    only_error(errors(hosts={"nf1": hw_host({}, hugepages=[{"size": "4K", "count": 1}])}),
               "hugepages_pages[0] on nf1", "'4K' is not one of 2M, 1G")


def test_same_port_on_two_active_links():
    links = copy.deepcopy(LINKS)
    links[6]["endpoints"][1]["port"] = "xe0"  # source-nf1 onto nf1's chain port
    only_error(errors(links), "topology_links[6] (source-nf1)", "port xe0 of host nf1 is already cabled")
    assert errors(links, wiring=["single-host"]) == []  # not both cabled at once: fine


def test_two_ports_on_one_interface_when_both_active():
    hosts = hardware_hosts()
    hosts["nf1"]["nfvlab_hw_ports"]["xe1"] = {"ifname": "ens1f0", "pci": "0000:03:00.0"}
    hosts["nf1"]["nfvlab_hw_ports"]["xe2"] = {"ifname": "ens1f1", "pci": "0000:03:00.1"}
    for host in ("source", "sink"):
        hosts[host]["nfvlab_hw_ports"]["xe1"] = {"ifname": "ens1f1", "pci": "0000:03:00.1"}
    found = errors(wiring=BOTH, hosts=hosts, lab="hardware")
    assert found == ["nfvlab_hw_ports on nf1: ports xe0 and xe1 both use interface ens1f0",
                     "nfvlab_hw_ports on nf1: ports xe0 and xe1 have the same PCI address 0000:03:00.0"], found


def test_bad_kind_wiring_subnet_and_endpoints():
    links = copy.deepcopy(LINKS)
    links[0]["kind"] = "wifi"
    links[1]["wiring"] = ["multihost"]
    links[2]["subnet"] = "198.18.11.1/24"
    links[3]["endpoints"] = links[3]["endpoints"][:1]
    found = errors(links)
    assert "topology_links[0] (nf1-chain-eth): kind 'wifi' is not one of ethernet, infiniband" in found
    assert "topology_links[1] (nf2-chain-eth): wiring 'multihost' is not one of single-host, multi-host" in found
    assert any("subnet 198.18.11.1/24 has host bits set; did you mean 198.18.11.0/24?" in e for e in found)
    assert any("topology_links[3] (nf2-chain-ib): 'endpoints' must list exactly two" in e for e in found)


def test_bad_wiring_and_lab_kind():
    found = topology.topology_errors(LINKS, ["both"], groups(), {}, REQUIRED, "cloud")
    assert "nfvlab_lab: 'cloud' is not one of hardware, emulated" in found
    assert "topology_wiring: 'both' is not one of single-host, multi-host" in found


def test_duplicate_link_name_and_host_index_outside_subnet():
    links = copy.deepcopy(LINKS)
    links[1]["name"] = "nf1-chain-eth"
    links[0]["subnet"] = "198.18.1.0/30"
    links[0]["endpoints"][1]["host_index"] = 3
    found = errors(links)
    assert any("name nf1-chain-eth is already used by topology_links[0]" in e for e in found), found
    assert any("host_index 3 is outside subnet 198.18.1.0/30" in e for e in found), found


def test_filter_error_is_an_ansible_error(monkeypatch):
    monkeypatch.setattr(topology, "netaddr", None)
    with pytest.raises(AnsibleFilterError, match="netaddr"):
        FILTERS["topology_links"](LINKS, BOTH)
