"""Two Suricata NFs (AF_PACKET and NFQUEUE capture, Light rules) in their network namespaces,
put in series between two test namespaces with Linux bridges (the switch's part in the lab):
pings cross both inline, and a crafted UDP packet raises the canary alert in each."""

import json
import time

import pytest

INSTANCES = {"ida": "afpacket", "idb": "nfq"}
# Test wiring: mt-a (198.18.250.1) - mtbr-a - ida - mtbr-m - idb - mtbr-b - mt-b (198.18.250.2)
LINKS = [("mtbr-a", ["mt-a1", "ida-p0"]), ("mtbr-m", ["ida-p1", "idb-p0"]), ("mtbr-b", ["idb-p1", "mt-b1"])]


@pytest.mark.parametrize("name,capture", INSTANCES.items())
def test_units_run_in_their_sandbox(host, name, capture):
    unit = host.service("nfvlab-ids-%s.service" % name)
    assert unit.is_running and unit.is_enabled
    assert host.service("nfvlab-sandbox@%s.service" % name).is_running
    pid = host.check_output("systemctl show -p MainPID --value nfvlab-ids-%s.service" % name)
    assert host.check_output("ps -o comm= -p %s" % pid) == "Suricata-Main"
    assert host.check_output("stat -L -c %%i /proc/%s/ns/net" % pid) == host.check_output("stat -L -c %%i /run/netns/nfvlab-%s" % name)
    assert "capture %s" % capture in host.file("/etc/systemd/system/nfvlab-ids-%s.service" % name).content_string


def test_afpacket_instance_bridges_its_two_veths_in_ips_mode(host):
    config = host.file("/etc/nfvlab/ids/ida/suricata.yaml").content_string
    assert "copy-mode: ips" in config and "copy-iface: ida-n1" in config and "copy-iface: ida-n0" in config


def test_nfq_instance_queues_the_bridged_frames(host):
    rules = host.check_output("ip netns exec nfvlab-idb iptables -S FORWARD")
    assert "-j NFQUEUE --queue-num 0" in rules
    assert host.check_output("ip netns exec nfvlab-idb sysctl -n net.bridge.bridge-nf-call-iptables") == "1"
    assert "master idb-br" in host.check_output("ip -n nfvlab-idb -o link show idb-n0")


def test_light_rules_come_from_the_flows_and_carry_the_canary(host):
    rules = host.file("/etc/nfvlab/ids/rules/light.rules").content_string
    assert "alert tcp 198.18.250.1 any -> 198.18.250.2 5201" in rules
    assert 'content:"NFVLAB-IDS-CANARY"' in rules


@pytest.fixture()
def wired(host):
    """Test namespaces mt-a / mt-b and three bridges through both NFs; removed afterwards."""
    cmds = []
    for side, address in (("a", "198.18.250.1/24"), ("b", "198.18.250.2/24")):
        cmds += ["ip netns add mt-%s" % side, "ip link add mt-%s1 type veth peer name mt-%s0 netns mt-%s" % (side, side, side),
                 "ip -n mt-%s addr add %s dev mt-%s0" % (side, address, side), "ip -n mt-%s link set mt-%s0 up" % (side, side),
                 "ip link set mt-%s1 up" % side]
    for bridge, ports in LINKS:
        cmds.append("ip link add %s type bridge" % bridge)
        cmds += ["ip link set %s master %s" % (port, bridge) for port in ports]
        cmds.append("ip link set %s up" % bridge)
    try:
        for cmd in cmds:
            host.check_output(cmd)
        yield
    finally:
        for bridge, _ports in LINKS:
            host.run("ip link del %s" % bridge)
        for side in ("a", "b"):
            host.run("ip link del mt-%s1" % side)
            host.run("ip netns del mt-%s" % side)


def canary_alerts(host, name):
    out = host.run("cat /var/log/nfvlab-ids/%s/alerts.json" % name).stdout
    return [json.loads(line) for line in out.splitlines() if '"signature_id":9100000' in line]


def test_traffic_crosses_both_nfs_and_the_canary_raises_an_alert_in_each(host, wired):
    ping = host.run("ip netns exec mt-a ping -c 5 -i 0.2 -W 2 198.18.250.2")
    assert ping.rc == 0, ping.stdout + ping.stderr
    before = dict((name, len(canary_alerts(host, name))) for name in INSTANCES)
    host.check_output("ip netns exec mt-a python3 -c %s",
                      "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto("
                      "b'crafted NFVLAB-IDS-CANARY packet', ('198.18.250.2', 9))")
    deadline = time.time() + 15
    while time.time() < deadline:
        raised = dict((name, len(canary_alerts(host, name)) - before[name]) for name in INSTANCES)
        if all(count == 1 for count in raised.values()):
            break
        time.sleep(0.5)
    assert raised == {"ida": 1, "idb": 1}
