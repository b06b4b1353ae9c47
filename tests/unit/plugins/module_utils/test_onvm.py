"""The OpenNetVM chain helpers (plugins/module_utils/onvm.py): the manager's contract, the chain's plan (instance
IDs, CPUs, where each stage sends), the checks of a request, the NF units line by line (CI cannot build OpenNetVM,
so these assertions are the CI coverage of the rendered units) and the manager's statistics as OpenNetVM v21.10
wrote them on the lab (fixtures/onvm/)."""

import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.module_utils import onvm
from ansible_collections.nfvlab.interconnect.plugins.module_utils.onvm import OnvmError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules", "fixtures", "onvm")
APP = "/opt/nfvlab/opennetvm/examples/%s/build/app/%s"


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.fixture
def manager():
    return onvm.load_manager(fixture("manager.json"))


def check(manager, services=(1, 2), replicas=1, cpus=(1,), nf="simple_forward", last_nf="bridge", output_port=1,
          output_service=None, dedicated_cores=False):
    return onvm.check_request(manager, list(services), replicas, list(cpus), nf, last_nf, output_port, output_service,
                              dedicated_cores)


# ---------------------------------------------------------------------------------------------- manager.json

def test_load_manager_reads_the_contract(manager):
    assert manager["services"] == 16
    assert manager["manager_cpus"] == [0] and manager["nf_cpus"] == [1]
    assert [port["index"] for port in manager["ports"]] == [0, 1]
    assert manager["default_service"] == 1
    assert onvm.stats_text_file(manager) == "/opt/nfvlab/opennetvm/onvm_web/onvm_stats.txt"
    assert onvm.example_binary(manager, "bridge") == APP % ("bridge", "bridge")


def test_load_manager_default_example_path_and_text_file():
    manager = onvm.load_manager('{"home": "/opt/o", "file_prefix": "onvm", "manager_cpus": [0], "nf_cpus": [1], '
                                '"services": 8, "ports": [], "stats_file": "/s/onvm_json_stats.json", '
                                '"unit": "nfvlab-onvm-mgr.service", "stats_text_file": "/t/onvm_stats.txt"}')
    assert onvm.example_binary(manager, "simple_forward") == "/opt/o/examples/simple_forward/build/app/simple_forward"
    assert onvm.stats_text_file(manager) == "/t/onvm_stats.txt"


@pytest.mark.parametrize("text, message", [
    ("not json", "is not JSON"),
    ("[1]", "expected a JSON object"),
    ('{"home": "/opt/o"}', "lacks file_prefix, manager_cpus, nf_cpus, services, ports, stats_file, unit"),
    ('{"home": "/o", "file_prefix": "onvm", "manager_cpus": ["x"], "nf_cpus": [1], "services": 16, "ports": [], '
     '"stats_file": "/s", "unit": "u"}', "is not an integer"),
])
def test_load_manager_refuses(text, message):
    with pytest.raises(OnvmError, match=message):
        onvm.load_manager(text, "/etc/nfvlab/onvm/manager.json")


# ---------------------------------------------------------------------------------------------- names and IDs

def test_unit_names_round_trip():
    assert onvm.unit_name("fig2", 1, 17) == "nfvlab-onvm-fig2-s1-i17.service"
    assert onvm.parse_unit_name("nfvlab-onvm-fig2-s1-i17.service") == ("fig2", 1, 17)
    # a chain name with dashes and digits
    assert onvm.parse_unit_name("nfvlab-onvm-lb-s2-x-s3-i19.service") == ("lb-s2-x", 3, 19)
    assert onvm.parse_unit_name("nfvlab-onvm-mgr.service") is None
    assert onvm.parse_unit_name("nfvlab-onvm-fig2-s1-i17.service.d") is None


@pytest.mark.parametrize("name, ok", [("fig2", True), ("lb-10", True), ("a", True), ("-a", False), ("a-", False),
                                      ("A", False), ("a_b", False), ("a" * 32, True), ("a" * 33, False)])
def test_name_rule(name, ok):
    assert bool(onvm.NAME_RE.match(name)) is ok


def test_instance_ids_are_service_plus_service_count_per_replica():
    assert [onvm.instance_id(3, r, 16) for r in (1, 2, 3)] == [3, 19, 35]
    assert onvm.instance_id(15, 8, 16) == 127


# ---------------------------------------------------------------------------------------------- checks

def test_a_good_request_has_no_errors(manager):
    assert check(manager) == []
    assert check(manager, services=[1], replicas=8, last_nf="simple_forward", output_port=None, output_service=3) == []
    assert check(manager, last_nf="basic_monitor", output_port=0) == []


@pytest.mark.parametrize("changes, message", [
    (dict(services=[1, 16]), "services[1]=16 is outside the manager's service IDs 1..15 (it runs with -r 16; ID 0 is reserved)"),
    (dict(services=[0]), "services[0]=0 is outside the manager's service IDs 1..15"),
    (dict(services=[]), "services: list at least one service ID"),
    (dict(services=[1, 2, 1]), "services: 1 listed twice"),
    (dict(cpus=[0, 1]), "cpus [0] overlap the manager's cores [0] (manager_cpus); NFs run on the manager's nf_cpus [1]"),
    (dict(cpus=[2]), "cpus [2] are not in the manager's NF core mask (nf_cpus [1])"),
    (dict(cpus=[]), "cpus: at least one CPU"),
    (dict(replicas=0), "replicas=0: 1..32"),
    (dict(services=[15], replicas=9), "service 15 replica 9 would be instance 143, above OpenNetVM's 127"),
    (dict(dedicated_cores=True), "dedicated_cores: 2 NFs need 2 CPUs, cpus lists 1"),
    (dict(output_port=2), "output_port=2 is not one of the manager's ports [0, 1]"),
    (dict(output_port=None), "output_port: required when last_nf=bridge"),
    (dict(output_service=3), "output_service: only with last_nf=simple_forward"),
    (dict(last_nf="simple_forward", output_port=None), "output_service: required when last_nf=simple_forward"),
    (dict(last_nf="simple_forward", output_service=2), "output_service=2 is a stage of this chain (a loop)"),
    (dict(last_nf="simple_forward", output_service=20), "output_service=20 is outside the manager's service IDs 1..15"),
    (dict(nf="bridge"), "nf=bridge: the stages before the last must send to a service"),
    (dict(last_nf="l2fwd"), "last_nf=l2fwd: one of bridge, basic_monitor, simple_forward"),
])
def test_bad_requests_are_refused_naming_the_parameter(manager, changes, message):
    errors = check(manager, **changes)
    assert any(message in error for error in errors), errors


def test_bridge_needs_both_ports(manager):
    manager["ports"] = [manager["ports"][0]]
    assert check(manager, output_port=0) == ["last_nf=bridge needs the manager's ports 0 and 1 (it has [0])"]


# ---------------------------------------------------------------------------------------------- plan

def test_plan_of_a_serial_chain(manager):
    nfs = onvm.plan("fig2", [1, 2, 3], 1, [1], manager, output_port=1)
    assert [(nf["unit"], nf["stage"], nf["example"], nf["dest"], nf["nf_args"]) for nf in nfs] == [
        ("nfvlab-onvm-fig2-s1-i1.service", 1, "simple_forward", {"service": 2}, ["-d", "2"]),
        ("nfvlab-onvm-fig2-s2-i2.service", 2, "simple_forward", {"service": 3}, ["-d", "3"]),
        ("nfvlab-onvm-fig2-s3-i3.service", 3, "bridge", {"port": 1, "entry_port": 0}, []),
    ]
    assert [nf["working_dir"] for nf in nfs] == ["/var/lib/nfvlab/onvm/fig2/s1-i1", "/var/lib/nfvlab/onvm/fig2/s2-i2",
                                                 "/var/lib/nfvlab/onvm/fig2/s3-i3"]
    assert all(nf["share_core"] and nf["cpu"] == 1 for nf in nfs)


def test_plan_of_replicas_spreads_cpus_round_robin(manager):
    nfs = onvm.plan("lb", [1, 2], 2, [1, 2], manager, last_nf="simple_forward", output_service=5, print_delay=1000)
    assert [(nf["service_id"], nf["replica"], nf["instance_id"], nf["cpu"], nf["nf_args"]) for nf in nfs] == [
        (1, 1, 1, 1, ["-d", "2", "-p", "1000"]), (1, 2, 17, 2, ["-d", "2", "-p", "1000"]),
        (2, 1, 2, 1, ["-d", "5", "-p", "1000"]), (2, 2, 18, 2, ["-d", "5", "-p", "1000"])]


def test_port_rules_of_the_port_sending_examples():
    assert [onvm.port_rule("bridge", port) for port in (0, 1, 2)] == [1, 0, 0]
    assert [onvm.port_rule("basic_monitor", port) for port in (0, 1)] == [0, 1]
    assert onvm.entry_port("bridge", 1) == 0 and onvm.entry_port("bridge", 0) == 1
    assert onvm.entry_port("basic_monitor", 1) == 1


# ---------------------------------------------------------------------------------------------- units

def test_nf_command_and_unit_of_a_middle_stage(manager):
    nf = onvm.plan("fig2", [1, 2], 1, [1], manager, output_port=1, print_delay=100000000)[0]
    assert onvm.nf_command(nf, manager) == [
        APP % ("simple_forward", "simple_forward"), "-l", "1", "-n", "3", "--proc-type=secondary", "--file-prefix",
        "onvm", "--no-pci", "--", "-r", "1", "-n", "1", "-m", "-s", "--", "-d", "2", "-p", "100000000"]
    assert onvm.unit_text(nf, manager).splitlines() == [
        "# nfvlab.interconnect onvm_chain: chain fig2, stage 1/2 - service 1 instance 1 (simple_forward) -> service 2.",
        "# Written by the module; a changed unit restarts this NF. It stops and restarts with nfvlab-onvm-mgr.service.",
        "[Unit]",
        "Description=nfvlab OpenNetVM NF simple_forward of chain fig2 (service 1, instance 1)",
        "After=nfvlab-onvm-mgr.service",
        "BindsTo=nfvlab-onvm-mgr.service",
        "PartOf=nfvlab-onvm-mgr.service",
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=simple",
        "StateDirectory=nfvlab/onvm/fig2/s1-i1",
        "ExecStartPre=/bin/sh -c 't=$$(systemctl show -P ExecMainStartTimestamp nfvlab-onvm-mgr.service); "
        "[ -n \"$$t\" ] || { echo \"nfvlab-onvm-mgr.service is not running\"; exit 1; }; m=$$(date -d \"$$t\" +%%s); "
        "for i in $$(seq 60); do [ -s /opt/nfvlab/opennetvm/onvm_web/onvm_json_stats.json ] && "
        "[ $$(stat -c %%Y /opt/nfvlab/opennetvm/onvm_web/onvm_json_stats.json) -gt $$m ] && exit 0; sleep 1; done; "
        "echo \"nfvlab-onvm-mgr.service: no statistics in /opt/nfvlab/opennetvm/onvm_web/onvm_json_stats.json since "
        "it started\"; exit 1'",
        "WorkingDirectory=/var/lib/nfvlab/onvm/fig2/s1-i1",
        "ExecStart=/opt/nfvlab/opennetvm/examples/simple_forward/build/app/simple_forward -l 1 -n 3 "
        "--proc-type=secondary --file-prefix onvm --no-pci -- -r 1 -n 1 -m -s -- -d 2 -p 100000000",
        "KillSignal=SIGINT",
        "TimeoutStopSec=20",
        "Restart=on-failure",
        "RestartSec=2",
        "",
        "[Install]",
        "WantedBy=nfvlab-onvm-mgr.service",
    ]
    assert onvm.unit_text(nf, manager).endswith("WantedBy=nfvlab-onvm-mgr.service\n")


def test_unit_of_a_last_stage_sending_out_a_port_on_a_dedicated_core(manager):
    manager["nf_cpus"] = [1, 2]
    manager["file_prefix"] = "lab"
    nf = onvm.plan("fig2", [4, 5], 1, [2, 1], manager, last_nf="bridge", output_port=0, dedicated_cores=True)[1]
    lines = onvm.unit_text(nf, manager).splitlines()
    assert lines[0] == ("# nfvlab.interconnect onvm_chain: chain fig2, stage 2/2 - service 5 instance 5 (bridge) -> "
                        "port 0 (for packets in on port 1).")
    assert "ExecStart=/opt/nfvlab/opennetvm/examples/bridge/build/app/bridge -l 1 -n 3 --proc-type=secondary " \
           "--file-prefix lab --no-pci -- -r 5 -n 5 -m --" in lines


def test_unit_outside_var_lib_makes_its_directory(manager):
    nf = onvm.plan("fig2", [1], 1, [1], manager, state_base="/srv/onvm")[0]
    lines = onvm.unit_text(nf, manager).splitlines()
    assert "ExecStartPre=/bin/mkdir -p /srv/onvm/fig2/s1-i1" in lines
    assert not [line for line in lines if line.startswith("StateDirectory=")]


def test_ready_check_runs_in_a_shell(manager, tmp_path):
    """The unit's ExecStartPre, unescaped as systemd does ($$ -> $, %% -> %), is valid sh."""
    import subprocess
    command = onvm.ready_check(manager).replace("$$", "$").replace("%%", "%")
    assert command.startswith("/bin/sh -c '") and command.endswith("'")
    script = command[len("/bin/sh -c '"):-1]
    assert subprocess.run(["/bin/sh", "-n", "-c", script], check=False).returncode == 0


# ---------------------------------------------------------------------------------------------- statistics

def test_json_stats_of_two_replicas_and_a_speed_tester():
    stats = onvm.parse_stats_json(fixture("json_stats_lb2.json"))
    assert stats["updated"] == "Sun Dec  6 18:59:59 2026"
    assert stats["ports"] == {0: {"rx_pps": 0, "tx_pps": 0}, 1: {"rx_pps": 0, "tx_pps": 0}}
    assert sorted(stats["nfs"]) == [1, 3, 17]
    assert stats["nfs"][17] == {"service_id": 1, "instance_id": 17, "core": 1, "rx_pps": 6464, "tx_pps": 6464,
                                "rx_drop_rate": 0, "tx_drop_rate": 0}


def test_json_stats_keep_nfs_whose_labels_upstream_truncates():
    # instances 100 and 101 are both labelled "NF 10" by the manager
    text = fixture("json_stats_nf100_101.json")
    assert text.count('"NF 10":') == 2
    stats = onvm.parse_stats_json(text)
    assert sorted(stats["nfs"]) == [1, 2, 100, 101]
    assert stats["nfs"][100]["service_id"] == 6 and stats["nfs"][101]["service_id"] == 6


def test_json_stats_without_nfs_and_broken_files():
    assert onvm.parse_stats_json(fixture("json_stats_c2_only_s2.json"))["nfs"].keys() == {2}
    assert onvm.parse_stats_json("") is None
    assert onvm.parse_stats_json('{"last_updated": "x", "onvm_nf') is None


def test_text_stats_verbosity_2_have_totals():
    stats = onvm.parse_stats_text(fixture("stats_v2_lb2.txt"))
    assert stats["ports"] == {0: {"rx": 223397, "tx": 28891, "rx_pps": 0, "tx_pps": 0},
                              1: {"rx": 28900, "tx": 223388, "rx_pps": 0, "tx_pps": 0}}
    assert sorted(stats["nfs"]) == [1, 3, 17]
    assert stats["nfs"][1] == {"tag": "simple_forward", "instance_id": 1, "service_id": 1, "core": 1, "rx_pps": 7424,
                               "tx_pps": 7424, "rx": 179265, "tx": 179264, "act_out": 0, "act_tonf": 179265,
                               "act_drop": 0, "parent": 0, "rx_drop_rate": 0, "tx_drop_rate": 0, "rx_drop": 0,
                               "tx_drop": 1, "act_next": 0, "act_buffer": 0, "act_returned": 0}
    assert stats["nfs"][3]["act_returned"] == 128 and stats["nfs"][17]["rx"] == 179232


def test_text_stats_of_a_chain_sending_out_a_port():
    stats = onvm.parse_stats_text(fixture("stats_v2_c2_iperf.txt"))
    bridge = stats["nfs"][2]
    assert (bridge["tag"], bridge["rx"], bridge["tx"], bridge["act_out"], bridge["act_tonf"]) == \
        ("bridge", 110867, 110867, 110867, 0)
    assert stats["nfs"][1]["act_tonf"] == 110867


def test_text_stats_verbosity_1_have_drop_totals_but_no_rx_tx_totals():
    stats = onvm.parse_stats_text(fixture("stats_v1_lb1.txt"))
    entry = stats["nfs"][1]
    assert "rx" not in entry and "tx" not in entry
    assert (entry["rx_pps"], entry["rx_drop"], entry["tx_drop"], entry["act_tonf"]) == (28289, 0, 2, 80900)
    assert stats["nfs"][3]["tag"] == "speed_tester"


def test_text_stats_verbosity_3_raw_csv():
    stats = onvm.parse_stats_text(fixture("stats_v3_lb1.txt"))
    assert stats["ports"][1] == {"rx": 8, "tx": 0, "rx_pps": 1, "tx_pps": 0}
    entry = stats["nfs"][1]
    assert (entry["tag"], entry["state"], entry["rx"], entry["tx"], entry["rx_pps"], entry["tx_drop"]) == \
        ("simple_forward", "W", 53508, 53506, 12929, 2)


def test_nf_stats_match_instance_and_service():
    json_stats = onvm.parse_stats_json(fixture("json_stats_lb2.json"))
    text_stats = onvm.parse_stats_text(fixture("stats_v2_lb2.txt"))
    nf = {"instance_id": 17, "service_id": 1}
    out = onvm.nf_stats(nf, json_stats, text_stats)
    # totals from the text file, rates from the JSON file
    assert out == {"in_stats": True, "rx": 179232, "tx": 179232, "rx_drop": 0, "tx_drop": 0, "rx_pps": 6464,
                   "tx_pps": 6464, "act_out": 0, "act_tonf": 179232, "act_drop": 0, "core": 1, "tag": "simple_forward"}
    # another service under that instance ID is not this NF
    assert onvm.nf_stats({"instance_id": 17, "service_id": 2}, json_stats, text_stats) == dict(
        in_stats=False, **{key: None for key in onvm.STAT_KEYS})
    assert onvm.nf_stats(nf, None, None)["in_stats"] is False
