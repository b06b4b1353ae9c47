"""The IDS NF helpers (plugins/module_utils/ids.py): what each engine can capture with, the instance's ports,
the Light and generated Heavy rulesets, Suricata's and Snort's configuration, the systemd unit, the health
read back from the engines (Suricata 7.0.10's eve logs captured on the lab, Snort 2.9's SIGUSR1 statistics)
and the chain instances -> IDS instances mapping."""

import json
import os
import re

import pytest
import yaml

from ansible_collections.nfvlab.interconnect.plugins.module_utils import ids, matrix
from ansible_collections.nfvlab.interconnect.plugins.module_utils.ids import IdsError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules", "fixtures", "ids_nf")
CANARY = "NFVLAB-IDS-CANARY"
CANARY_SIGNATURE = "nfvlab canary NFVLAB-IDS-CANARY"
RULES = "/etc/nfvlab/ids/rules/heavy.rules"
CONFIG = "/etc/nfvlab/ids/c1s1/suricata.yaml"
LOG = "/var/log/nfvlab-ids/c1s1"
SETTINGS = {
    "home_net": ["198.18.0.0/15"], "worker_cpus": [0], "spare_cpus": [1], "management_cpus": [],
    "hugepage_dir": "/mnt/huge", "memory_mb": 128, "mbufs": 4095, "socket_dir": "/run/nfvlab/vhost",
    "queue_size": 1024, "stats_interval": 2, "mtu": 1500, "nice": 0,
    "ip": "/usr/sbin/ip", "ethtool": "/usr/sbin/ethtool", "iptables": "/usr/sbin/iptables", "sysctl": "/usr/sbin/sysctl",
    "suricata": "/usr/bin/suricata", "snort": "/usr/local/bin/snort", "snort_daq_dir": "/usr/local/lib/daq",
    "snort_preprocessor_dir": "/usr/local/lib/snort_dynamicpreprocessor",
    "snort_engine_lib": "/usr/local/lib/snort_dynamicengine/libsf_engine.so",
}
FLOWS = [{"name": "iperf3", "proto": "tcp", "src": "198.18.41.1", "dst": "198.18.41.2", "dport": 5201},
         {"name": "dns probe", "proto": "udp", "src": "198.18.0.0/15", "dst": "198.18.41.2", "dport": "53"}]


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def settings(**changes):
    out = dict(SETTINGS)
    out.update(changes)
    return out


def inst(capture="afpacket", engine="suricata", name="c1s1", weight="heavy", queue=0):
    return {"name": name, "capture": capture, "engine": engine, "weight": weight, "queue": queue}


def rule_lines(text):
    return [line for line in text.splitlines() if line.startswith("alert ")]


def sids(text):
    return [int(re.search(r"sid:([0-9]+);", line).group(1)) for line in rule_lines(text)]


def contents(text):
    return [re.search(r'content:"([^"]*)";', line).group(1) for line in rule_lines(text)]


def suricata_yaml(capture, **changes):
    text = ids.suricata_config(inst(capture), settings(**changes), RULES, LOG)
    return text, yaml.safe_load(text)


def unit_lines(capture, engine="suricata", **changes):
    text = ids.unit_text(inst(capture, engine), settings(**changes), CONFIG, LOG)
    return text, text.splitlines()


def values(lines, key):
    return [line.split("=", 1)[1] for line in lines if line.startswith(key + "=")]


# capture_problem


@pytest.mark.parametrize("engine, capture, switch", [
    ("suricata", "afpacket", None), ("suricata", "nfq", None), ("suricata", "dpdk", None),
    ("suricata", "afpacket", "ovs-dpdk"), ("suricata", "nfq", "ovs-dpdk"), ("suricata", "dpdk", "ovs-dpdk"),
    ("suricata", "afpacket", "ovs-kernel"), ("suricata", "nfq", "ovs-kernel"),
    ("snort", "afpacket", None), ("snort", "nfq", None), ("snort", "afpacket", "ovs-dpdk"),
    ("snort", "nfq", "ovs-dpdk"), ("snort", "afpacket", "ovs-kernel"), ("snort", "nfq", "ovs-kernel"),
])
def test_capture_problem_none_for_what_the_engine_and_switch_can_do(engine, capture, switch):
    assert ids.capture_problem(engine, capture, switch) == ""


def test_capture_problem_unknown_engine():
    assert ids.capture_problem("zeek", "afpacket") == "engine 'zeek' is not one of suricata, snort"


def test_capture_problem_unknown_capture():
    assert ids.capture_problem("suricata", "pcap") == "capture 'pcap' is not one of nfq, afpacket, dpdk"


def test_capture_problem_matrix_spelling_of_af_packet_is_not_a_capture():
    assert ids.capture_problem("suricata", "afpk") == "capture 'afpk' is not one of nfq, afpacket, dpdk"


def test_capture_problem_snort_with_dpdk_names_the_daq():
    assert ids.capture_problem("snort", "dpdk") == (
        "engine snort cannot capture with dpdk: it captures with afpacket, nfq (Snort 2.9's DAQ 2.0.7 has no DPDK module)")


def test_capture_problem_snort_with_dpdk_behind_ovs_kernel_names_the_engine_first():
    assert ids.capture_problem("snort", "dpdk", "ovs-kernel").startswith("engine snort cannot capture with dpdk")


def test_capture_problem_dpdk_behind_ovs_kernel_is_a_kernel_only_path():
    text = ids.capture_problem("suricata", "dpdk", "ovs-kernel")
    assert text == ("capture dpdk needs vhost-user ports, which only OVS-DPDK's userspace datapath offers; the switch is "
                    "ovs-kernel, a kernel-only path (use afpacket or nfq there)")


def test_capture_problem_unknown_switch():
    assert ids.capture_problem("suricata", "afpacket", "linux-bridge") == \
        "switch 'linux-bridge' is not one of ovs-dpdk, ovs-kernel"


def test_engine_captures_agree_with_the_benchmark_matrix():
    assert set(ids.ENGINE_CAPTURES) == set(matrix.IDS_ENGINE_CAPTURES)
    for engine, captures in matrix.IDS_ENGINE_CAPTURES.items():
        assert sorted(matrix.IDS_CAPTURE[capture] for capture in captures) == sorted(ids.ENGINE_CAPTURES[engine])


# instance_ports


@pytest.mark.parametrize("capture", ["afpacket", "nfq"])
def test_instance_ports_of_kernel_captures_are_veths(capture):
    assert ids.instance_ports("c1s1", capture, "/run/nfvlab/vhost") == [
        {"instance": "c1s1", "port": "c1s1-p0", "type": "system", "nf_interface": "c1s1-n0"},
        {"instance": "c1s1", "port": "c1s1-p1", "type": "system", "nf_interface": "c1s1-n1"}]


def test_instance_ports_of_dpdk_are_vhost_user_client_ports_on_the_nf_sockets():
    assert ids.instance_ports("c1s3", "dpdk", "/run/nfvlab/vhost/") == [
        {"instance": "c1s3", "port": "c1s3-p0", "type": "dpdkvhostuserclient", "socket": "/run/nfvlab/vhost/c1s3-p0.sock"},
        {"instance": "c1s3", "port": "c1s3-p1", "type": "dpdkvhostuserclient", "socket": "/run/nfvlab/vhost/c1s3-p1.sock"}]


# rules


def test_canary_rule():
    assert ids.canary_rule(CANARY) == ('alert udp any any -> any any (msg:"nfvlab canary NFVLAB-IDS-CANARY"; '
                                       'content:"NFVLAB-IDS-CANARY"; sid:9100000; rev:1;)')


def test_light_rules_one_rule_per_flow_and_the_canary():
    text = ids.light_rules(FLOWS, CANARY)
    lines = text.splitlines()
    assert lines[0].startswith("# nfvlab Light ruleset") and "(2)" in lines[0]
    assert lines[1] == ids.canary_rule(CANARY)
    assert lines[2:] == [
        'alert tcp 198.18.41.1 any -> 198.18.41.2 5201 (msg:"nfvlab light iperf3 opened"; flow:to_server; flags:S; '
        'sid:9100100; rev:1;)',
        'alert udp 198.18.0.0/15 any -> 198.18.41.2 53 (msg:"nfvlab light dns probe opened"; flow:to_server; '
        'sid:9100101; rev:1;)']
    assert text.endswith("\n")
    assert len(rule_lines(text)) == len(FLOWS) + 1


def test_light_rules_tcp_fire_on_the_syn_only_udp_on_every_packet():
    tcp, udp = rule_lines(ids.light_rules(FLOWS, CANARY))[1:]
    assert "flags:S;" in tcp
    assert "flags:" not in udp


def test_light_rules_default_to_tcp():
    flow = dict(FLOWS[0])
    del flow["proto"]
    assert rule_lines(ids.light_rules([flow], CANARY))[1].startswith("alert tcp ")


def test_light_rules_without_flows_hold_the_canary_only():
    assert rule_lines(ids.light_rules([], CANARY)) == [ids.canary_rule(CANARY)]


def test_light_rules_have_unique_sids():
    many = [dict(FLOWS[0], name="flow %d" % index, dport=5201 + index) for index in range(20)]
    found = sids(ids.light_rules(many, CANARY))
    assert len(set(found)) == len(found) == 21


@pytest.mark.parametrize("index, change, message", [
    (0, {"src": "any"}, "light_flows[0].src 'any' is not an IPv4 address or CIDR"),
    (1, {"dst": "$HOME_NET"}, "light_flows[1].dst '$HOME_NET' is not an IPv4 address or CIDR"),
    (0, {"src": "198.18.41.1; sid:1"}, "light_flows[0].src '198.18.41.1; sid:1' is not"),
    (0, {"dst": "dead"}, "light_flows[0].dst 'dead' is not"),
    (0, {"dport": 0}, "light_flows[0].dport 0 is not a port number"),
    (1, {"dport": 65536}, "light_flows[1].dport 65536 is not a port number"),
    (0, {"dport": "http"}, "light_flows[0].dport 'http' is not a port number"),
    (0, {"dport": "5201:5209"}, "light_flows[0].dport '5201:5209' is not a port number"),
    (0, {"proto": "icmp"}, "light_flows[0].proto 'icmp' is not tcp or udp"),
    (1, {"proto": None}, "light_flows[1].proto None is not tcp or udp"),
    (0, {"name": 'say "hi"'}, "light_flows[0].name 'say \"hi\"': letters, digits, spaces and _.:- only"),
    (1, {"name": "x;) alert"}, "light_flows[1].name"),
    (0, {"name": ""}, "light_flows[0] has no name"),
    (1, {"src": None}, "light_flows[1] has no src"),
    (0, {"dport": ""}, "light_flows[0] has no dport"),
])
def test_light_rules_errors_name_the_flow(index, change, message):
    flows = [dict(flow) for flow in FLOWS]
    flows[index].update(change)
    with pytest.raises(IdsError) as caught:
        ids.light_rules(flows, CANARY)
    assert message in str(caught.value)


def test_light_rules_missing_key_names_the_flow():
    flow = dict(FLOWS[0])
    del flow["dst"]
    with pytest.raises(IdsError, match=r"light_flows\[0\] has no dst"):
        ids.light_rules([flow], CANARY)


def test_generated_heavy_rules_are_deterministic_for_a_seed():
    assert ids.generated_heavy_rules(200, 17, CANARY) == ids.generated_heavy_rules(200, 17, CANARY)


def test_generated_heavy_rules_differ_with_the_seed():
    one, other = ids.generated_heavy_rules(200, 17, CANARY), ids.generated_heavy_rules(200, 18, CANARY)
    assert contents(one)[1:] != contents(other)[1:]
    assert not set(contents(one)[1:]) & set(contents(other)[1:])


def test_generated_heavy_rules_are_the_ones_seed_17_always_gave():
    # a generator change would silently change what records label "generated, N content rules, seed 17"
    assert contents(ids.generated_heavy_rules(3, 17, CANARY))[1:] == ["J5gGYtNelRQRS.", "xY_AW@n-PQsL", "bnojauvQG~W"]


def test_generated_heavy_rules_count_plus_the_canary():
    text = ids.generated_heavy_rules(500, 17, CANARY)
    lines = rule_lines(text)
    assert len(lines) == 501
    assert lines[0] == ids.canary_rule(CANARY)
    assert text.splitlines()[1] == ids.canary_rule(CANARY)
    assert all('flow:established; content:"' in line and line.startswith("alert tcp any any -> any any (")
               for line in lines[1:])


def test_generated_heavy_rules_have_unique_sids_and_contents():
    text = ids.generated_heavy_rules(2000, 17, CANARY)
    assert sorted(sids(text)) == [9100000] + list(range(9200000, 9202000))
    found = contents(text)
    assert len(set(found)) == len(found) == 2001


def test_generated_heavy_contents_are_safe_in_rule_syntax():
    for content in contents(ids.generated_heavy_rules(2000, 5, CANARY))[1:]:
        assert 8 <= len(content) <= 16
        assert not set(content) & set('";\\|:()'), content


def test_generated_heavy_rules_say_generated_in_the_first_line():
    first = ids.generated_heavy_rules(10, 17, CANARY).splitlines()[0]
    assert first == "# nfvlab GENERATED Heavy ruleset: 10 content rules, seed 17 (not the Snort community rules)"
    assert first.startswith("#")


@pytest.mark.parametrize("count", [0, -5, 100001])
def test_generated_heavy_rules_bad_count(count):
    with pytest.raises(IdsError) as caught:
        ids.generated_heavy_rules(count, 17, CANARY)
    assert str(caught.value) == "heavy_rule_count %r must be between 1 and 100000" % count


def test_generated_heavy_rules_one_rule():
    assert len(rule_lines(ids.generated_heavy_rules(1, 17, CANARY))) == 2


def test_ruleset_labels():
    assert ids.ruleset_label("light", None, 5000, 17, FLOWS) == "light: 2 5-tuple rules from the lab's flows"
    assert ids.ruleset_label("heavy", "/var/lib/nfvlab/community.rules", 5000, 17, FLOWS) == \
        "heavy: community rules (/var/lib/nfvlab/community.rules)"
    assert ids.ruleset_label("heavy", "", 5000, 17, FLOWS) == \
        "heavy: generated, 5000 content rules, seed 17 (not the community rules)"


# suricata_config


def test_suricata_config_is_yaml_1_1_with_suricatas_header():
    text, _unused = suricata_yaml("afpacket")
    assert text.startswith("%YAML 1.1\n---\n")
    stripped = yaml.safe_load(text.split("\n", 1)[1])
    assert stripped == yaml.safe_load(text)


@pytest.mark.parametrize("capture", ["afpacket", "nfq", "dpdk"])
def test_suricata_config_common_settings(capture):
    _unused, config = suricata_yaml(capture, home_net=["198.18.0.0/15", "10.0.0.0/8"], stats_interval=5)
    assert config["vars"]["address-groups"]["HOME_NET"] == "[198.18.0.0/15,10.0.0.0/8]"
    assert config["default-rule-path"] == "/etc/nfvlab/ids/rules"
    assert config["rule-files"] == ["heavy.rules"]
    assert config["default-log-dir"] == LOG
    assert config["stats"] == {"enabled": True, "interval": 5}
    eve = [output["eve-log"] for output in config["outputs"]]
    assert [(log["filename"], log["filetype"], log["enabled"]) for log in eve] == [
        ("alerts.json", "regular", True), ("stats.json", "regular", True)]
    assert eve[0]["types"] == ["alert"]
    assert eve[1]["types"] == [{"stats": {"totals": True, "threads": False, "deltas": False}}]
    assert config["runmode"] == "workers"


def test_suricata_config_af_packet_ips_crosses_the_two_interfaces():
    _unused, config = suricata_yaml("afpacket")
    assert config["af-packet"] == [
        {"interface": "c1s1-n0", "copy-iface": "c1s1-n1", "copy-mode": "ips", "threads": 1, "cluster-id": 90,
         "cluster-type": "cluster_flow", "defrag": False, "use-mmap": True, "checksum-checks": False},
        {"interface": "c1s1-n1", "copy-iface": "c1s1-n0", "copy-mode": "ips", "threads": 1, "cluster-id": 91,
         "cluster-type": "cluster_flow", "defrag": False, "use-mmap": True, "checksum-checks": False}]
    assert "nfq" not in config and "dpdk" not in config
    assert config["threading"] == {"set-cpu-affinity": False}


def test_suricata_config_nfq():
    _unused, config = suricata_yaml("nfq")
    assert config["nfq"] == {"mode": "accept", "fail-open": False}
    assert "af-packet" not in config and "dpdk" not in config
    assert config["threading"] == {"set-cpu-affinity": False}


def test_suricata_config_dpdk_virtio_user_server_sockets():
    _unused, config = suricata_yaml("dpdk", socket_dir="/run/nfvlab/vhost/")
    eal = config["dpdk"]["eal-params"]
    assert eal["vdev"] == ["net_virtio_user0,path=/run/nfvlab/vhost/c1s1-p0.sock,server=1,queue_size=1024",
                           "net_virtio_user1,path=/run/nfvlab/vhost/c1s1-p1.sock,server=1,queue_size=1024"]
    assert eal["huge-dir"] == "/mnt/huge" and eal["m"] == 128 and eal["lcores"] == "0@0"
    assert eal["in-memory"] == "" and eal["no-pci"] == "" and eal["proc-type"] == "primary"
    interfaces = config["dpdk"]["interfaces"]
    assert [(item["interface"], item["copy-iface"], item["copy-mode"]) for item in interfaces] == [
        ("net_virtio_user0", "net_virtio_user1", "ips"), ("net_virtio_user1", "net_virtio_user0", "ips")]
    for item in interfaces:
        assert item["mempool-size"] == 4095 and item["rx-descriptors"] == 1024 and item["tx-descriptors"] == 1024
        assert item["promisc"] is False and item["threads"] == 1
    assert "af-packet" not in config and "nfq" not in config


def test_suricata_config_dpdk_workers_take_the_spare_cpu_when_the_nf_has_one():
    _unused, config = suricata_yaml("dpdk", worker_cpus=[0], spare_cpus=[1])
    assert config["threading"] == {"set-cpu-affinity": True, "cpu-affinity": [
        {"management-cpu-set": {"cpu": []}}, {"worker-cpu-set": {"cpu": [0, 1], "mode": "balanced"}}]}


@pytest.mark.parametrize("cpus, spare, workers", [
    ([2, 3], [1], [2, 3]),
    ([3], [3, 5], [3, 5]),
    ([3], [], [3]),
    ([4, 2, 6], [1], [2, 4, 6]),
])
def test_suricata_config_dpdk_workers(cpus, spare, workers):
    _unused, config = suricata_yaml("dpdk", worker_cpus=cpus, spare_cpus=spare)
    assert config["threading"]["cpu-affinity"][1]["worker-cpu-set"]["cpu"] == workers
    assert config["dpdk"]["eal-params"]["lcores"] == "0@%d" % cpus[0]


# snort_config, snort_daq_args


def test_snort_config():
    text = ids.snort_config(inst("afpacket", "snort"), settings(home_net=["198.18.0.0/15", "10.0.0.0/8"]),
                            "/etc/nfvlab/ids/rules/light.rules", LOG)
    lines = text.splitlines()
    for needed in ("ipvar HOME_NET [198.18.0.0/15,10.0.0.0/8]", "var RULE_PATH /etc/nfvlab/ids/rules",
                   "config policy_mode: inline", "config logdir: " + LOG,
                   "dynamicpreprocessor directory /usr/local/lib/snort_dynamicpreprocessor",
                   "dynamicengine /usr/local/lib/snort_dynamicengine/libsf_engine.so",
                   "output alert_fast: alert.fast", "include /etc/nfvlab/ids/rules/light.rules"):
        assert needed in lines, needed
    assert lines[0].startswith("# nfvlab.interconnect ids_nf: Snort instance c1s1, capture afpacket")
    assert lines[-1] == "include /etc/nfvlab/ids/rules/light.rules"


def test_snort_daq_args_afpacket_inline_between_the_two_veths():
    assert ids.snort_daq_args(inst("afpacket", "snort"), SETTINGS) == [
        "-Q", "--daq-dir", "/usr/local/lib/daq", "--daq", "afpacket", "--daq-mode", "inline", "-i", "c1s1-n0:c1s1-n1"]


def test_snort_daq_args_nfq_on_the_instances_queue():
    assert ids.snort_daq_args(inst("nfq", "snort", queue=3), SETTINGS) == [
        "-Q", "--daq-dir", "/usr/local/lib/daq", "--daq", "nfq", "--daq-mode", "inline", "--daq-var", "queue=3"]


# units


def test_unit_name():
    assert ids.unit_name("c1s1") == "nfvlab-ids-c1s1.service"


@pytest.mark.parametrize("capture", ["afpacket", "nfq", "dpdk"])
def test_unit_requires_the_sandbox_and_is_installed(capture):
    text, lines = unit_lines(capture)
    assert "Requires=nfvlab-sandbox@c1s1.service" in lines
    assert "After=nfvlab-sandbox@c1s1.service network.target" in lines
    assert lines.index("[Unit]") < lines.index("[Service]") < lines.index("[Install]")
    assert "WantedBy=multi-user.target" in lines
    assert values(lines, "ExecStartPre")[0] == "/bin/mkdir -p " + LOG
    assert values(lines, "CPUAffinity") == ["0"]
    assert values(lines, "Restart") == ["on-failure"]
    assert len(values(lines, "ExecStart")) == 1
    assert "Description=nfvlab IDS NF c1s1 (suricata heavy, %s capture)" % capture in lines


def test_unit_cpu_affinity_and_nice():
    _unused, lines = unit_lines("afpacket", worker_cpus=[2, 3], nice=-5)
    assert values(lines, "CPUAffinity") == ["2 3"] and values(lines, "Nice") == ["-5"]


CLEAN_NFQ = ["-/usr/sbin/ip -n nfvlab-c1s1 link del c1s1-br",
             "-/usr/sbin/ip netns exec nfvlab-c1s1 /usr/sbin/iptables -w -F FORWARD"]


def veth_lines(index, mtu=1500):
    offloads = "tx off tso off gso off gro off"
    return [
        "-/usr/sbin/ip link add c1s1-p%d type veth peer name c1s1-n%d netns nfvlab-c1s1" % (index, index),
        "/usr/sbin/ip link set c1s1-p%d mtu %d" % (index, mtu),
        "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-n%d mtu %d" % (index, mtu),
        "/usr/sbin/ethtool -K c1s1-p%d %s" % (index, offloads),
        "/usr/sbin/ip netns exec nfvlab-c1s1 /usr/sbin/ethtool -K c1s1-n%d %s" % (index, offloads),
        "/usr/sbin/ip link set c1s1-p%d up" % index,
        "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-n%d up" % index]


def test_unit_afpacket_wires_two_veths_into_the_sandbox_and_keeps_them_over_restarts():
    _unused, lines = unit_lines("afpacket")
    pre = values(lines, "ExecStartPre")
    # an existing pair is kept (ip link add fails, ignored): OVS's port stays bound to the same interface
    assert pre == ["/bin/mkdir -p " + LOG, "/bin/rm -f %s/stats.json" % LOG] + CLEAN_NFQ + veth_lines(0) + veth_lines(1)
    assert values(lines, "ExecStart") == [
        "/usr/sbin/ip netns exec nfvlab-c1s1 /usr/bin/suricata -c %s -l %s --af-packet" % (CONFIG, LOG)]
    assert values(lines, "ExecStopPost") == []
    assert "NFQUEUE" not in "\n".join(lines) and "link del c1s1-p" not in "\n".join(lines)


def test_unit_veth_mtu():
    _unused, lines = unit_lines("afpacket", mtu=9000)
    pre = values(lines, "ExecStartPre")
    assert "/usr/sbin/ip link set c1s1-p0 mtu 9000" in pre and "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-n1 mtu 9000" in pre


def test_unit_nfq_bridges_the_veths_and_queues_every_bridged_frame():
    _unused, lines = unit_lines("nfq")
    pre = values(lines, "ExecStartPre")
    bridge = [
        "/usr/sbin/ip -n nfvlab-c1s1 link add c1s1-br type bridge",
        "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-n0 master c1s1-br",
        "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-n1 master c1s1-br",
        "/usr/sbin/ip -n nfvlab-c1s1 link set c1s1-br up",
        "/usr/sbin/ip netns exec nfvlab-c1s1 /usr/sbin/sysctl -qw net.bridge.bridge-nf-call-iptables=1",
        "/usr/sbin/ip netns exec nfvlab-c1s1 /usr/sbin/iptables -w -A FORWARD -m physdev --physdev-is-bridged "
        "-j NFQUEUE --queue-num 0"]
    # the bridge and the rule of a previous start are removed first, then made again on the veths
    assert pre == ["/bin/mkdir -p " + LOG, "/bin/rm -f %s/stats.json" % LOG] + CLEAN_NFQ + veth_lines(0) + veth_lines(1) + bridge
    assert values(lines, "ExecStart") == ["/usr/sbin/ip netns exec nfvlab-c1s1 /usr/bin/suricata -c %s -l %s -q 0"
                                          % (CONFIG, LOG)]
    assert values(lines, "ExecStopPost") == []


def test_unit_nfq_queue_number():
    text = ids.unit_text(inst("nfq", queue=4), SETTINGS, CONFIG, LOG)
    assert "-j NFQUEUE --queue-num 4" in text
    assert values(text.splitlines(), "ExecStart")[0].endswith(" -q 4")


def test_unit_dpdk_clears_the_sockets_and_what_other_captures_left():
    _unused, lines = unit_lines("dpdk")
    sockets = "/run/nfvlab/vhost/c1s1-p0.sock /run/nfvlab/vhost/c1s1-p1.sock"
    assert values(lines, "ExecStartPre") == ["/bin/mkdir -p " + LOG, "/bin/rm -f %s/stats.json" % LOG] + CLEAN_NFQ + [
        "-/usr/sbin/ip link del c1s1-p0", "-/usr/sbin/ip link del c1s1-p1",
        "/bin/mkdir -p /run/nfvlab/vhost", "/bin/rm -f " + sockets]
    assert values(lines, "ExecStopPost") == ["/bin/rm -f " + sockets]
    assert values(lines, "ExecStart") == ["/usr/sbin/ip netns exec nfvlab-c1s1 /usr/bin/suricata -c %s -l %s --dpdk"
                                          % (CONFIG, LOG)]
    assert "type veth" not in "\n".join(lines) and "NFQUEUE" not in "\n".join(lines)


def test_unit_snort_afpacket():
    _unused, lines = unit_lines("afpacket", engine="snort")
    assert values(lines, "ExecStart") == [
        "/usr/sbin/ip netns exec nfvlab-c1s1 /usr/local/bin/snort -c %s -l %s -N -Q --daq-dir /usr/local/lib/daq "
        "--daq afpacket --daq-mode inline -i c1s1-n0:c1s1-n1" % (CONFIG, LOG)]


def test_unit_snort_nfq():
    _unused, lines = unit_lines("nfq", engine="snort")
    (start,) = values(lines, "ExecStart")
    assert start.startswith("/usr/sbin/ip netns exec nfvlab-c1s1 /usr/local/bin/snort -c %s -l %s -N -Q " % (CONFIG, LOG))
    assert start.endswith("--daq nfq --daq-mode inline --daq-var queue=0")
    assert any("-j NFQUEUE --queue-num 0" in line for line in values(lines, "ExecStartPre"))


@pytest.mark.parametrize("capture, mode", [("afpacket", ["--af-packet"]), ("nfq", ["-q", "2"]), ("dpdk", ["--dpdk"])])
def test_engine_command_suricata(capture, mode):
    assert ids.engine_command(inst(capture, queue=2), SETTINGS, CONFIG, LOG) == [
        "/usr/sbin/ip", "netns", "exec", "nfvlab-c1s1", "/usr/bin/suricata", "-c", CONFIG, "-l", LOG] + mode


def test_engine_command_snort():
    command = ids.engine_command(inst("afpacket", "snort"), SETTINGS, CONFIG, LOG)
    assert command[:10] == ["/usr/sbin/ip", "netns", "exec", "nfvlab-c1s1", "/usr/local/bin/snort", "-c", CONFIG,
                            "-l", LOG, "-N"]
    assert command[10:] == ids.snort_daq_args(inst("afpacket", "snort"), SETTINGS)


# suricata_health on Suricata 7.0.10's logs captured on the lab


def last_stats(name):
    return json.loads(fixture(name).strip().splitlines()[-1])["stats"]


@pytest.mark.parametrize("name, drops", [
    ("stats_afpacket.json", 0),    # capture.kernel_drops 0, ips.blocked 0
    ("stats_dpdk.json", 24),       # capture.dpdk.imissed 0, ips.blocked 24 (stream errors)
    ("stats_nfq.json", 0),         # no capture section, ips.blocked 0
])
def test_suricata_health_packets_drops_and_uptime_from_the_stats(name, drops):
    stats = last_stats(name)
    health = ids.suricata_health(fixture(name), "")
    assert health["packets"] == stats["decoder"]["pkts"]
    assert health["drops"] == drops
    assert health["uptime"] == stats["uptime"]
    assert health["alerts"] == 0 and health["canary_alerts"] == 0 and health["last_alerts"] == []


def test_suricata_health_packet_counts_of_the_captured_files():
    assert [ids.suricata_health(fixture(name), "")["packets"]
            for name in ("stats_afpacket.json", "stats_dpdk.json", "stats_nfq.json")] == [64023, 63720, 66719]


def test_suricata_health_alerts_from_the_alert_log():
    alerts = fixture("alerts_afpacket.json")
    lines = [json.loads(line) for line in alerts.splitlines() if line.strip()]
    health = ids.suricata_health(fixture("stats_afpacket.json"), alerts)
    assert health["alerts"] == len([line for line in lines if line["event_type"] == "alert"])
    assert health["canary_alerts"] == len([line for line in lines if line["alert"]["signature_id"] == 9100000])
    assert health["canary_alerts"] >= 1
    assert health["last_alerts"] == [CANARY_SIGNATURE] * health["alerts"]


def test_suricata_health_one_canary_alert():
    first = fixture("alerts_afpacket.json").splitlines()[0]
    health = ids.suricata_health(fixture("stats_afpacket.json"), first + "\n")
    assert (health["alerts"], health["canary_alerts"], health["last_alerts"]) == (1, 1, [CANARY_SIGNATURE])


def test_suricata_health_counts_the_alerts_suricata_raised():
    health = ids.suricata_health(fixture("stats_afpacket.json"), fixture("alerts_afpacket.json"))
    assert health["alerts"] == last_stats("stats_afpacket.json")["detect"]["alert"] == 1
    assert health["canary_alerts"] == 1


def alert_event(sid, signature, event_type="alert"):
    return json.dumps({"timestamp": "2026-11-26T06:04:36.829276+0000", "event_type": event_type,
                       "alert": {"signature_id": sid, "signature": signature}})


def test_suricata_health_counts_canary_and_other_alerts_and_ignores_other_lines():
    alerts = "\n".join([
        alert_event(9100100, "nfvlab light iperf3 opened"),
        alert_event(9100000, CANARY_SIGNATURE),
        "not json",
        "{truncated",
        alert_event(9200007, "nfvlab generated heavy 8"),
        json.dumps({"event_type": "stats", "stats": {}}),
        alert_event(9100000, CANARY_SIGNATURE, event_type="drop"),
    ])
    health = ids.suricata_health("", alerts)
    assert health["alerts"] == 3
    assert health["canary_alerts"] == 1
    assert health["last_alerts"] == ["nfvlab light iperf3 opened", CANARY_SIGNATURE, "nfvlab generated heavy 8"]


def test_suricata_health_keeps_the_last_alerts():
    alerts = "\n".join(alert_event(9200000 + index, "heavy %d" % index) for index in range(8))
    assert ids.suricata_health("", alerts)["last_alerts"] == ["heavy 3", "heavy 4", "heavy 5", "heavy 6", "heavy 7"]
    assert ids.suricata_health("", alerts, keep=2)["last_alerts"] == ["heavy 6", "heavy 7"]


def test_suricata_health_takes_the_last_stats_record():
    older = json.dumps({"event_type": "stats", "stats": {"uptime": 2, "decoder": {"pkts": 10}}})
    text = older + "\n" + fixture("stats_afpacket.json")
    assert ids.suricata_health(text, "")["packets"] == 64023
    assert ids.suricata_health(fixture("stats_afpacket.json") + older + "\n", "")["packets"] == 10


def test_suricata_health_skips_a_record_cut_short_by_the_writer():
    text = fixture("stats_nfq.json") + fixture("stats_dpdk.json")[:500]
    assert ids.suricata_health(text, "")["packets"] == 66719


def test_suricata_health_dpdk_missed_packets_are_drops():
    stats = json.dumps({"stats": {"uptime": 3, "decoder": {"pkts": 100}, "ips": {"blocked": 2},
                                  "capture": {"kernel_drops": 1, "dpdk": {"imissed": 7}}}})
    assert ids.suricata_health(stats, "")["drops"] == 10


def test_suricata_health_before_the_first_stats():
    assert ids.suricata_health("", "") == {"packets": 0, "drops": 0, "alerts": 0, "canary_alerts": 0,
                                           "last_alerts": [], "uptime": 0}


# snort_health on Snort 2.9's statistics (printed on SIGUSR1) and its alert_fast file


def snort_statistics(received, analyzed, dropped):
    """The statistics block Snort 2.9.20 prints on SIGUSR1 (DropStats), as journalctl -o cat shows it."""
    allow = analyzed - dropped
    return "\n".join([
        "===============================================================================",
        "Run time for packet processing was 158.215006 seconds",
        "Snort processed %d packets." % received,
        "Snort ran for 0 days 0 hours 2 minutes 38 seconds",
        "   Pkts/sec:          %d" % (received // 158),
        "===============================================================================",
        "Memory usage summary:",
        "  Total non-mmapped bytes (arena):       4804608",
        "  Bytes in mapped regions (hblkhd):      30261248",
        "  Total allocated space (uordblks):      4622752",
        "  Total free space (fordblks):           181856",
        "  Topmost releasable block (keepcost):   168496",
        "===============================================================================",
        "Packet I/O Totals:",
        "   Received:       %6d" % received,
        "   Analyzed:       %6d (%7.3f%%)" % (analyzed, 100.0 * analyzed / received),
        "    Dropped:       %6d (%7.3f%%)" % (dropped, 100.0 * dropped / received),
        "   Filtered:            0 (  0.000%)",
        "Outstanding:            0 (  0.000%)",
        "   Injected:            0",
        "===============================================================================",
        "Breakdown by protocol (includes rebuilt packets):",
        "        Eth:       %6d (100.000%%)" % analyzed,
        "       VLAN:            0 (  0.000%)",
        "        IP4:       %6d (100.000%%)" % analyzed,
        "       Frag:            0 (  0.000%)",
        "       ICMP:            1 (  0.002%)",
        "        UDP:            1 (  0.002%)",
        "        TCP:       %6d ( 99.997%%)" % (analyzed - 2),
        "===============================================================================",
        "Action Stats:",
        "     Alerts:            2 (  0.003%)",
        "     Logged:            2 (  0.003%)",
        "     Passed:            0 (  0.000%)",
        "Limits:",
        "      Match:            0",
        "      Queue:            0",
        "        Log:            0",
        "      Event:            0",
        "      Alert:            0",
        "Verdicts:",
        "      Allow:       %6d ( 99.990%%)" % allow,
        "      Block:            0 (  0.000%)",
        "    Replace:            0 (  0.000%)",
        "  Whitelist:            0 (  0.000%)",
        "  Blacklist:            0 (  0.000%)",
        "     Ignore:            0 (  0.000%)",
        "      Retry:            0 (  0.000%)",
        "===============================================================================",
        "Frag3 statistics:",
        "        Total Fragments: 0",
        "                  Drops: 0",
        "===============================================================================",
    ])


SNORT_JOURNAL = "\n".join([
    "Running in IPS mode",
    "        --== Initializing Snort ==--",
    "Initializing Output Plugins!",
    "Parsing Rules file \"/etc/nfvlab/ids/c1s1/snort.conf\"",
    "5002 Snort rules read",
    "afpacket DAQ configured to inline.",
    "        --== Initialization Complete ==--",
    "Commencing packet processing (pid=4242)",
    "Decoding Ethernet",
    snort_statistics(1200, 1200, 0),
    snort_statistics(64023, 64001, 22),
]) + "\n"

SNORT_ALERTS = (
    "11/26-06:00:00.000000  [**] [1:9100100:1] nfvlab light iperf3 opened [**] [Priority: 0] "
    "{TCP} 198.18.41.1:40000 -> 198.18.41.2:5201\n"
    "11/26-06:00:00.000000  [**] [1:9100000:1] nfvlab canary NFVLAB-IDS-CANARY [**] [Priority: 0] "
    "{UDP} 198.18.41.1:40000 -> 198.18.41.2:9\n"
    "11/26-06:00:01.250000  [**] [1:9200041:1] nfvlab generated heavy 42 [**] [Priority: 0] "
    "{TCP} 198.18.41.1:40002 -> 198.18.41.2:5201\n"
)


def test_snort_health_takes_the_last_statistics_block():
    health = ids.snort_health(SNORT_JOURNAL, SNORT_ALERTS)
    assert health["packets"] == 64001
    assert health["drops"] == 22


def test_snort_health_alerts_from_alert_fast():
    health = ids.snort_health(SNORT_JOURNAL, SNORT_ALERTS)
    assert health["alerts"] == 3
    assert health["canary_alerts"] == 1
    assert health["last_alerts"] == ["nfvlab light iperf3 opened", CANARY_SIGNATURE, "nfvlab generated heavy 42"]
    assert health["uptime"] == 0


def test_snort_health_keeps_the_last_alerts():
    assert ids.snort_health("", SNORT_ALERTS, keep=1)["last_alerts"] == ["nfvlab generated heavy 42"]


def test_snort_health_one_block():
    assert ids.snort_health(snort_statistics(500, 498, 2), "")["packets"] == 498


def test_snort_health_received_when_nothing_was_analyzed_yet():
    journal = "Packet I/O Totals:\n   Received:           37\n"
    assert ids.snort_health(journal, "")["packets"] == 37


def test_snort_health_before_any_statistics():
    assert ids.snort_health("Commencing packet processing (pid=4242)\n", "") == {
        "packets": 0, "drops": 0, "alerts": 0, "canary_alerts": 0, "last_alerts": [], "uptime": 0}


# engine_error


def test_engine_error_on_suricatas_bad_rule_output_gives_the_error_lines():
    output = fixture("suricata_T_bad_rule.txt")
    errors = [line for line in output.splitlines() if line.startswith("E: ")]
    assert len(errors) == 3
    assert ids.engine_error(output, "suricata") == "; ".join(errors)


def test_engine_error_leaves_info_and_warning_lines_out():
    text = ids.engine_error(fixture("suricata_T_bad_rule.txt"), "suricata")
    assert "i: suricata: This is Suricata" not in text and "W: detect" not in text
    assert text.startswith("E: detect-parse: bad option value formatting (possible missing semicolon) for keyword content")


def test_engine_error_snort():
    output = ("Running in IDS mode\n"
              "ERROR: /etc/nfvlab/ids/c1s1/snort.conf(12) Unknown rule option: 'conten'.\n"
              "Fatal Error, Quitting..\n")
    assert ids.engine_error(output, "snort") == \
        "ERROR: /etc/nfvlab/ids/c1s1/snort.conf(12) Unknown rule option: 'conten'.; Fatal Error, Quitting.."


def test_engine_error_without_error_lines_gives_the_last_line():
    assert ids.engine_error(fixture("suricata_T_ok.txt"), "suricata") == \
        "i: suricata: Configuration provided was successfully loaded. Exiting."


def test_engine_error_without_output():
    assert ids.engine_error("\n", "snort") == "snort gave no output"


def test_engine_error_keeps_six_lines():
    output = "\n".join("E: detect: error %d" % index for index in range(10))
    assert ids.engine_error(output, "suricata").count("E: ") == 6


# chain_instances


CHAIN = [{"name": "c1s1", "stage": 1, "ports": []}, {"name": "c1s2r1", "stage": 2}, {"name": "c1s2r2", "stage": 2},
         {"name": "c1s3", "stage": 3}]


def test_chain_instances_one_capture_for_every_stage():
    assert ids.chain_instances(CHAIN, "afpacket") == [
        {"name": "c1s1", "capture": "afpacket"}, {"name": "c1s2r1", "capture": "afpacket"},
        {"name": "c1s2r2", "capture": "afpacket"}, {"name": "c1s3", "capture": "afpacket"}]


def test_chain_instances_one_capture_per_stage():
    assert ids.chain_instances(CHAIN, ["nfq", "afpacket", "dpdk"]) == [
        {"name": "c1s1", "capture": "nfq"}, {"name": "c1s2r1", "capture": "afpacket"},
        {"name": "c1s2r2", "capture": "afpacket"}, {"name": "c1s3", "capture": "dpdk"}]
    assert ids.chain_instances(CHAIN, ("nfq", "afpacket", "dpdk", "nfq"))[3] == {"name": "c1s3", "capture": "dpdk"}


def test_chain_instances_without_a_stage_are_stage_one():
    assert ids.chain_instances([{"name": "c1s1"}], ["dpdk", "nfq"]) == [{"name": "c1s1", "capture": "dpdk"}]


def test_chain_instances_of_no_chain():
    assert ids.chain_instances([], "nfq") == [] and ids.chain_instances(None, ["nfq"]) == []


def test_chain_instances_capture_list_too_short():
    with pytest.raises(IdsError) as caught:
        ids.chain_instances(CHAIN, ["nfq", "afpacket"])
    assert str(caught.value) == "nf_chain_capture lists 2 capture modes, the chain has a stage 3"


@pytest.mark.parametrize("capture", ["pcap", ["nfq", "afpk", "dpdk"], None])
def test_chain_instances_unknown_capture_mode(capture):
    with pytest.raises(IdsError, match=r"nf_chain_capture: unknown capture mode '?(pcap|afpk|None)'? \(one of nfq, afpacket, dpdk\)"):
        ids.chain_instances(CHAIN, capture)


@pytest.mark.parametrize("instance", [{"stage": 1}, "c1s1", None])
def test_chain_instances_need_names(instance):
    with pytest.raises(IdsError, match="ids_instances: expected chain instances with a name"):
        ids.chain_instances([instance], "nfq")
