"""What the topology role's verify entry point proved, checked again from outside Ansible."""

import json

ENDS = {
    "nfvlab-mol-topology-a": ("xe0", "198.18.250.1", "198.18.250.2"),
    "nfvlab-mol-topology-b": ("xe5", "198.18.250.2", "198.18.250.1"),
}


def test_link_end_is_a_veth_that_is_up_with_its_derived_address(host):
    ifname, address, peer = ENDS[host.check_output("hostname")]
    assert address in host.interface(ifname).addresses
    link = json.loads(host.check_output("ip -j -d link show dev %s" % ifname))[0]
    assert link["linkinfo"]["info_kind"] == "veth"
    assert "UP" in link["flags"]
    assert host.run("ping -n -c 1 -W 2 -I %s %s" % (ifname, peer)).rc == 0


def test_no_infiniband_is_faked(host):
    assert not host.interface("ib0").exists
