"""nfvlab.interconnect.ids_nf with run_command mocked (the argument lists it must run, in order, answered with
outputs captured from systemd and Suricata 7.0.10 on the lab: fixtures/ids_nf/) and its files under tmp_path:
first deploy, idempotent rerun, ruleset changes restarting, check and diff modes, the engine's test mode refusing
a bad ruleset, capture modes refused before anything runs, removal, health and waiting for the engines."""

import json
import os
import shutil
import tempfile
import types

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.nfvlab.interconnect.plugins.module_utils import ids
from ansible_collections.nfvlab.interconnect.plugins.modules import ids_nf

from .run_command_cases import BIN_PATHS, CommandMock, call_main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "ids_nf")
SYSTEMCTL = "/usr/bin/systemctl"
BINS = dict(BIN_PATHS, systemctl=SYSTEMCTL, ethtool="/usr/sbin/ethtool", iptables="/usr/sbin/iptables",
            sysctl="/usr/sbin/sysctl")
SHOW = "--property=ActiveState,SubState,MainPID,NRestarts,UnitFileState,ActiveEnterTimestamp"
CANARY = "NFVLAB-IDS-CANARY"
GENERATED_20 = "heavy: generated, 20 content rules, seed 17 (not the community rules)"
FLOWS = [{"name": "iperf3", "proto": "tcp", "src": "198.18.41.1", "dst": "198.18.41.2", "dport": 5201}]
BAD_RULE = 'alert tcp any any -> any any (msg:"broken"; content:"abc; sid:1;)\n'
SNORT_JOURNAL = "\n".join([
    "Commencing packet processing (pid=4242)",
    "===============================================================================",
    "Packet I/O Totals:",
    "   Received:        64023",
    "   Analyzed:        64001 ( 99.966%)",
    "    Dropped:           22 (  0.034%)",
    "   Filtered:            0 (  0.000%)",
    "Outstanding:            0 (  0.000%)",
    "   Injected:            0",
    "===============================================================================",
]) + "\n"
SNORT_ALERTS = ("11/26-06:00:00.000000  [**] [1:9100000:1] nfvlab canary NFVLAB-IDS-CANARY [**] [Priority: 0] "
                "{UDP} 198.18.41.1:40000 -> 198.18.41.2:9\n")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def unit_of(name):
    return "nfvlab-ids-%s.service" % name


def systemctl(*args, **reply):
    return dict(reply, command=[SYSTEMCTL] + list(args))


def show(name, state):
    return systemctl("show", SHOW, unit_of(name), out=fixture("systemctl_show_%s.txt" % state))


def journal_tail(name, out):
    return {"command": ["journalctl", "--no-pager", "-o", "cat", "-n", "15", "-u", unit_of(name)], "out": out}


class Host(CommandMock):
    """CommandMock whose expected calls may carry a hook, run once the command matched (to look at or change
    the host's files at that moment)."""

    def __call__(self, args, check_rc=False, **kwargs):
        hook = self.expected[0].get("hook") if self.expected else None
        result = CommandMock.__call__(self, args, check_rc=check_rc, **kwargs)
        if hook:
            hook()
        return result


class Lab(object):
    """The module's directories under tmp_path, fake engine binaries, the engine test's scratch directories
    (numbered, so that the argument lists are known), a clock that only moves when the module sleeps."""

    def __init__(self, tmp_path, monkeypatch, capsys):
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.config_dir = str(tmp_path / "etc" / "nfvlab" / "ids")
        self.log_dir = str(tmp_path / "log")
        self.unit_dir = str(tmp_path / "systemd")
        (tmp_path / "bin").mkdir()
        self.suricata = str(tmp_path / "bin" / "suricata")
        self.snort = str(tmp_path / "bin" / "snort")
        for binary in (self.suricata, self.snort):
            with open(binary, "w") as handle:
                handle.write("#!/bin/sh\nexit 99\n")
        self.scratches = []
        self.sleeps = []
        self.now = 1000.0
        monkeypatch.setattr(ids_nf, "tempfile", types.SimpleNamespace(mkdtemp=self._mkdtemp, mkstemp=tempfile.mkstemp))
        monkeypatch.setattr(ids_nf, "time", types.SimpleNamespace(sleep=self._sleep, time=lambda: self.now))

    def _mkdtemp(self, prefix="tmp", **kwargs):
        assert prefix == "nfvlab-ids-test-"
        path = self.scratch(len(self.scratches) + 1)
        os.mkdir(path)
        self.scratches.append(path)
        return path

    def _sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def scratch(self, number):
        return str(self.tmp / ("scratch%d" % number))

    def args(self, **changes):
        out = {"instances": [{"name": "c1s1"}], "engine": "suricata", "weight": "heavy", "capture": "afpacket",
               "switch": "ovs-dpdk", "heavy_rule_count": 20, "config_dir": self.config_dir, "log_dir": self.log_dir,
               "unit_dir": self.unit_dir, "suricata_path": self.suricata, "snort_path": self.snort}
        out.update(changes)
        return out

    def run(self, args, commands, check=False, diff=False):
        mock = Host(commands)
        self.monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda module, argv, **kwargs: mock(argv, **kwargs))
        self.monkeypatch.setattr(basic.AnsibleModule, "get_bin_path",
                                 lambda module, name, required=False, opt_dirs=None: BINS[name])
        result = call_main(ids_nf.main, args, self.capsys, check=check, diff=diff)
        assert not mock.expected, "commands not run: %s (result %s)" % ([call["command"] for call in mock.expected], result)
        return result, mock

    # the host's files
    def rules_path(self, weight="heavy"):
        return os.path.join(self.config_dir, "rules", "%s.rules" % weight)

    def config_path(self, name="c1s1", engine="suricata"):
        return os.path.join(self.config_dir, name, "suricata.yaml" if engine == "suricata" else "snort.conf")

    def unit_path(self, name="c1s1"):
        return os.path.join(self.unit_dir, unit_of(name))

    def read(self, path):
        with open(path) as handle:
            return handle.read()

    def files(self):
        """Every file under the module's directories."""
        found = []
        for base in (self.config_dir, self.log_dir, self.unit_dir):
            for root, _dirs, names in os.walk(base):
                found += [os.path.join(root, name) for name in names]
        return sorted(found)

    # the commands
    def engine_test(self, number, engine="suricata", rc=0, out=None, hook=None):
        scratch = self.scratch(number)
        if engine == "suricata":
            command = [self.suricata, "-T", "-c", scratch + "/suricata.yaml", "-l", scratch]
        else:
            command = [self.snort, "-T", "-c", scratch + "/snort.conf", "-l", scratch, "--daq-dir", "/usr/local/lib/daq"]
        call = {"command": command, "rc": rc, "out": fixture("suricata_T_ok.txt") if out is None else out}
        if hook:
            call["hook"] = hook
        return call

    def first_deploy(self, name="c1s1", number=1, engine="suricata", hook=None):
        return [self.engine_test(number, engine, hook=hook), systemctl("daemon-reload"), show(name, "absent"),
                systemctl("enable", unit_of(name)), systemctl("start", unit_of(name)), show(name, "running")]

    def deploy(self, **changes):
        result, _unused = self.run(self.args(**changes), self.first_deploy())
        assert result["changed"] and not result.get("failed"), result
        return result


@pytest.fixture
def lab(tmp_path, monkeypatch, capsys):
    return Lab(tmp_path, monkeypatch, capsys)


def fails_before_any_command(lab, args, check=False):
    result, mock = lab.run(args, [], check=check)
    assert result["failed"], result
    assert mock.seen == []
    assert lab.files() == []
    return result["msg"]


# present


def test_first_deploy_tests_writes_and_starts_the_instance(lab):
    seen = {}

    def at_engine_test():
        scratch = lab.scratch(1)
        seen["rules"] = lab.read(os.path.join(scratch, "test.rules"))
        seen["config"] = yaml.safe_load(lab.read(os.path.join(scratch, "suricata.yaml")))
        seen["files"] = lab.files()

    result, mock = lab.run(lab.args(), lab.first_deploy(hook=at_engine_test))
    rules = ids.generated_heavy_rules(20, 17, CANARY)
    # the engine tested the candidate ruleset and configuration before anything was written
    assert seen["rules"] == rules
    assert seen["config"]["default-rule-path"] == lab.scratch(1) and seen["config"]["rule-files"] == ["test.rules"]
    assert seen["config"]["af-packet"][0]["interface"] == "c1s1-n0"
    assert seen["files"] == []
    assert not os.path.exists(lab.scratch(1))
    # then wrote it
    assert result["changed"] is True
    assert lab.files() == sorted([lab.rules_path(), lab.config_path(), lab.unit_path()])
    assert lab.read(lab.rules_path()) == rules
    config = yaml.safe_load(lab.read(lab.config_path()))
    assert config["default-rule-path"] == os.path.join(lab.config_dir, "rules")
    assert config["rule-files"] == ["heavy.rules"]
    assert config["default-log-dir"] == os.path.join(lab.log_dir, "c1s1")
    assert [item["interface"] for item in config["af-packet"]] == ["c1s1-n0", "c1s1-n1"]
    unit = lab.read(lab.unit_path())
    assert "Requires=nfvlab-sandbox@c1s1.service" in unit.splitlines()
    assert "ExecStart=/usr/sbin/ip netns exec nfvlab-c1s1 %s -c %s -l %s --af-packet" % (
        lab.suricata, lab.config_path(), os.path.join(lab.log_dir, "c1s1")) in unit.splitlines()
    for path in lab.files():
        assert os.stat(path).st_mode & 0o777 == 0o644
    assert [call[:2] for call in mock.seen if call[0] == lab.suricata] == [[lab.suricata, "-T"]]
    # and started it, checking a few seconds later that it runs
    assert result["instances"] == [{
        "name": "c1s1", "engine": "suricata", "weight": "heavy", "capture": "afpacket", "unit": "nfvlab-ids-c1s1.service",
        "ports": [{"instance": "c1s1", "port": "c1s1-p0", "type": "system", "nf_interface": "c1s1-n0"},
                  {"instance": "c1s1", "port": "c1s1-p1", "type": "system", "nf_interface": "c1s1-n1"}],
        "restarted": True, "ruleset": GENERATED_20}]
    assert result["ruleset"] == {"label": GENERATED_20, "path": lab.rules_path(), "rules": 21}
    assert result["removed"] == []
    assert lab.sleeps == [3]
    assert "diff" not in result


def test_rerun_with_the_same_input_changes_nothing(lab):
    lab.deploy()
    before = dict((path, lab.read(path)) for path in lab.files())
    result, mock = lab.run(lab.args(), [show("c1s1", "running")])
    assert result["changed"] is False
    assert result["instances"][0]["restarted"] is False
    assert not any(call[0] == lab.suricata for call in mock.seen)
    assert dict((path, lab.read(path)) for path in lab.files()) == before
    assert lab.sleeps == [3]
    assert lab.scratches == [lab.scratch(1)]


def test_a_stopped_instance_is_started_again_without_testing_its_unchanged_files(lab):
    lab.deploy()
    result, _unused = lab.run(lab.args(), [show("c1s1", "absent"), systemctl("enable", unit_of("c1s1")),
                              systemctl("start", unit_of("c1s1")), show("c1s1", "running")])
    assert result["changed"] is True and result["instances"][0]["restarted"] is True


def test_changing_the_weight_tests_the_new_rules_and_restarts(lab):
    lab.deploy()
    result, _unused = lab.run(lab.args(weight="light", light_flows=FLOWS), [
        lab.engine_test(2), systemctl("daemon-reload"), show("c1s1", "running"), systemctl("restart", unit_of("c1s1")),
        show("c1s1", "running")])
    assert result["changed"] is True and result["instances"][0]["restarted"] is True
    assert lab.read(lab.rules_path("light")) == ids.light_rules(FLOWS, CANARY)
    assert yaml.safe_load(lab.read(lab.config_path()))["rule-files"] == ["light.rules"]
    assert result["ruleset"] == {"label": "light: 1 5-tuple rules from the lab's flows", "path": lab.rules_path("light"),
                                 "rules": 2}
    assert result["instances"][0]["weight"] == "light"


def test_changing_only_the_rules_restarts_without_reloading_systemd(lab):
    lab.deploy()
    unit = lab.read(lab.unit_path())
    result, _unused = lab.run(lab.args(heavy_rule_seed=18), [
        lab.engine_test(2), show("c1s1", "running"), systemctl("restart", unit_of("c1s1")), show("c1s1", "running")])
    assert result["changed"] is True and result["instances"][0]["restarted"] is True
    assert lab.read(lab.rules_path()) == ids.generated_heavy_rules(20, 18, CANARY)
    assert lab.read(lab.unit_path()) == unit


def test_check_mode_on_a_fresh_host_writes_nothing_and_starts_nothing(lab):
    result, mock = lab.run(lab.args(), [lab.engine_test(1)], check=True)
    assert result["changed"] is True
    assert lab.files() == [] and not os.path.exists(lab.config_dir) and not os.path.exists(lab.unit_dir)
    assert not any(call[0] == SYSTEMCTL for call in mock.seen)
    assert not os.path.exists(lab.scratch(1))
    assert lab.sleeps == []


def test_check_mode_without_the_engine_installed_runs_nothing(lab):
    os.remove(lab.suricata)
    result, mock = lab.run(lab.args(), [], check=True)
    assert result["changed"] is True and mock.seen == [] and lab.files() == []


def test_check_mode_of_a_converged_host_reports_no_change(lab):
    lab.deploy()
    result, _unused = lab.run(lab.args(), [show("c1s1", "running")], check=True)
    assert result["changed"] is False


def test_check_mode_of_a_rules_change_writes_nothing(lab):
    lab.deploy()
    before = dict((path, lab.read(path)) for path in lab.files())
    result, mock = lab.run(lab.args(heavy_rule_seed=99), [lab.engine_test(2), show("c1s1", "running")], check=True)
    assert result["changed"] is True
    assert dict((path, lab.read(path)) for path in lab.files()) == before
    assert not any(call[:2] in ([SYSTEMCTL, "restart"], [SYSTEMCTL, "start"]) for call in mock.seen)


def test_a_ruleset_the_engine_refuses_fails_with_its_error_and_writes_nothing(lab, tmp_path):
    bad = tmp_path / "community.rules"
    bad.write_text(BAD_RULE)
    output = fixture("suricata_T_bad_rule.txt")
    result, _unused = lab.run(lab.args(heavy_rules_file=str(bad)), [lab.engine_test(1, rc=1, out=output)])
    assert result["failed"] is True
    for line in output.splitlines():
        if line.startswith("E: "):
            assert line in result["msg"]
    assert "W: detect" not in result["msg"]
    assert result["msg"].startswith("the heavy ruleset (test.rules) fails suricata's test mode (%s -T): E: detect-parse:"
                                    % lab.suricata)
    assert result["rc"] == 1
    assert lab.files() == []
    assert not os.path.exists(lab.scratch(1))


def test_a_refused_ruleset_leaves_the_running_instance_alone(lab, tmp_path):
    lab.deploy()
    before = dict((path, lab.read(path)) for path in lab.files())
    bad = tmp_path / "community.rules"
    bad.write_text(BAD_RULE)
    result, mock = lab.run(lab.args(heavy_rules_file=str(bad)),
                           [lab.engine_test(2, rc=1, out=fixture("suricata_T_bad_rule.txt"))])
    assert result["failed"] is True
    assert dict((path, lab.read(path)) for path in lab.files()) == before
    assert not any(call[0] == SYSTEMCTL for call in mock.seen)


def test_the_community_rules_come_after_the_canary(lab, tmp_path):
    community = tmp_path / "community.rules"
    community.write_text('# a comment\nalert tcp any any -> any 80 (msg:"web"; content:"GET"; sid:1000001; rev:1;)\n'
                         '# alert tcp any any -> any 81 (msg:"off"; sid:1000002; rev:1;)\n')
    result, _unused = lab.run(lab.args(heavy_rules_file=str(community)), lab.first_deploy())
    rules = lab.read(lab.rules_path()).splitlines()
    assert rules[1] == ids.canary_rule(CANARY)
    assert rules[0] == "# nfvlab Heavy ruleset: %s and the canary" % community
    assert rules[2:] == community.read_text().splitlines()
    assert result["ruleset"] == {"label": "heavy: community rules (%s)" % community, "path": lab.rules_path(), "rules": 2}


def test_instances_of_one_capture_share_one_engine_test_others_get_their_own(lab):
    instances = [{"name": "c1s1"}, {"name": "c1s2"}, {"name": "c1s3", "capture": "nfq"}]
    commands = [lab.engine_test(1), lab.engine_test(2), systemctl("daemon-reload")]
    for name in ("c1s1", "c1s2", "c1s3"):
        commands += [show(name, "absent"), systemctl("enable", unit_of(name)), systemctl("start", unit_of(name))]
    commands += [show(name, "running") for name in ("c1s1", "c1s2", "c1s3")]
    result, _unused = lab.run(lab.args(instances=instances), commands)
    assert [(item["name"], item["capture"], item["restarted"]) for item in result["instances"]] == [
        ("c1s1", "afpacket", True), ("c1s2", "afpacket", True), ("c1s3", "nfq", True)]
    assert "nfq" in yaml.safe_load(lab.read(lab.config_path("c1s3")))
    assert "-j NFQUEUE --queue-num 0" in lab.read(lab.unit_path("c1s3"))


def test_a_dpdk_instance_returns_its_vhost_user_ports(lab):
    args = lab.args(instances=[{"name": "c1s3"}], capture="dpdk", socket_dir="/run/nfvlab/vhost")
    result, _unused = lab.run(args, lab.first_deploy("c1s3"))
    assert result["instances"][0]["ports"] == [
        {"instance": "c1s3", "port": "c1s3-p0", "type": "dpdkvhostuserclient", "socket": "/run/nfvlab/vhost/c1s3-p0.sock"},
        {"instance": "c1s3", "port": "c1s3-p1", "type": "dpdkvhostuserclient", "socket": "/run/nfvlab/vhost/c1s3-p1.sock"}]
    config = yaml.safe_load(lab.read(lab.config_path("c1s3")))
    assert config["dpdk"]["eal-params"]["vdev"][0] == \
        "net_virtio_user0,path=/run/nfvlab/vhost/c1s3-p0.sock,server=1,queue_size=1024"
    assert config["threading"]["cpu-affinity"][1]["worker-cpu-set"]["cpu"] == [0, 1]


def test_snort_is_tested_with_its_daq_dir_and_started_with_its_daq(lab):
    seen = {}

    def at_engine_test():
        seen["config"] = lab.read(os.path.join(lab.scratch(1), "snort.conf"))

    result, _unused = lab.run(lab.args(engine="snort"), lab.first_deploy(engine="snort", hook=at_engine_test))
    assert "include %s/test.rules" % lab.scratch(1) in seen["config"].splitlines()
    assert "include %s" % lab.rules_path() in lab.read(lab.config_path(engine="snort")).splitlines()
    assert "--daq afpacket --daq-mode inline -i c1s1-n0:c1s1-n1" in lab.read(lab.unit_path())
    assert result["instances"][0]["engine"] == "snort"


def test_a_unit_that_fails_to_start_fails_with_its_journal(lab):
    commands = lab.first_deploy()[:4] + [
        systemctl("start", unit_of("c1s1"), rc=1,
                  err="Job for nfvlab-ids-c1s1.service failed because the control process exited with error code.\n"),
        journal_tail("c1s1", "E: af-packet: c1s1-n0: failed to find interface\nE: suricata: engine failed\n")]
    result, _unused = lab.run(lab.args(), commands)
    assert result["failed"] is True
    assert result["msg"] == ("start nfvlab-ids-c1s1.service failed: Job for nfvlab-ids-c1s1.service failed because the "
                             "control process exited with error code.; its journal ends with: E: af-packet: c1s1-n0: "
                             "failed to find interface | E: suricata: engine failed")


def test_an_engine_that_dies_after_starting_fails_with_its_journal(lab):
    commands = lab.first_deploy()[:5] + [show("c1s1", "absent"), journal_tail("c1s1", "E: suricata: engine failed\n")]
    result, _unused = lab.run(lab.args(), commands)
    assert result["failed"] is True
    assert result["msg"] == ("nfvlab-ids-c1s1.service is not running (inactive/dead); its journal ends with: "
                             "E: suricata: engine failed")


def test_wait_fails_with_the_journal_when_the_engine_never_processes_packets(lab):
    args = lab.args(instances=[{"name": "c1s3"}], capture="dpdk", wait=3)
    journal = fixture("journal_dpdk.txt")
    result, _unused = lab.run(args, lab.first_deploy("c1s3") + [journal_tail("c1s3", journal)])
    assert result["failed"] is True
    tail = " | ".join(line.strip() for line in journal.splitlines()[-12:])
    assert result["msg"] == "engines not processing packets after 3 s: nfvlab-ids-c1s3.service (journal: %s)" % tail
    assert "Threads created -> W: 2 FM: 1 FR: 1   Engine started." in result["msg"]
    assert sum(lab.sleeps) == 3 + 3


def test_wait_returns_once_the_engine_wrote_its_first_statistics(lab):
    def engine_starts():
        os.makedirs(os.path.join(lab.log_dir, "c1s3"))
        shutil.copy(os.path.join(FIXTURES, "stats_dpdk.json"), os.path.join(lab.log_dir, "c1s3", "stats.json"))

    commands = lab.first_deploy("c1s3")
    commands[4]["hook"] = engine_starts
    result, _unused = lab.run(lab.args(instances=[{"name": "c1s3"}], capture="dpdk", wait=30), commands)
    assert result["changed"] is True and not result.get("failed")
    assert lab.sleeps == [3]


# refused before anything runs


def test_snort_with_dpdk_is_refused_naming_the_instance(lab):
    msg = fails_before_any_command(lab, lab.args(engine="snort", capture="dpdk"))
    assert msg == ("instances[0] (c1s1): engine snort cannot capture with dpdk: it captures with afpacket, nfq "
                   "(Snort 2.9's DAQ 2.0.7 has no DPDK module)")


def test_an_instances_own_capture_is_checked(lab):
    msg = fails_before_any_command(lab, lab.args(engine="snort", instances=[{"name": "c1s1"}, {"name": "c1s2", "capture": "dpdk"}]))
    assert msg.startswith("instances[1] (c1s2): engine snort cannot capture with dpdk")


def test_dpdk_behind_ovs_kernel_is_refused_as_a_kernel_only_path(lab):
    msg = fails_before_any_command(lab, lab.args(capture="dpdk", switch="ovs-kernel"))
    assert msg.startswith("instances[0] (c1s1): capture dpdk needs vhost-user ports")
    assert "kernel-only path" in msg


def test_dpdk_behind_ovs_kernel_is_refused_in_check_mode_too(lab):
    assert "kernel-only path" in fails_before_any_command(lab, lab.args(capture="dpdk", switch="ovs-kernel"), check=True)


@pytest.mark.parametrize("changes, message", [
    ({"instances": [{"name": "C1"}]}, "instances[0].name 'C1': 1-10 lower-case letters or digits, starting with a letter"),
    ({"instances": [{"name": "c1s1-extra"}]}, "instances[0].name 'c1s1-extra'"),
    ({"instances": [{"name": "c1s1"}, {"name": "c1s1"}]}, "instances[1].name c1s1 is listed twice"),
    ({"canary": "short"}, "canary 'short': 8-64 letters, digits or _.:-"),
    ({"cpus": []}, "cpus: at least one CPU"),
    ({"weight": "light", "light_flows": [dict(FLOWS[0], dport=70000)]}, "light_flows[0].dport 70000 is not a port number"),
    ({"heavy_rule_count": 0}, "heavy_rule_count 0 must be between 1 and 100000"),
    ({"heavy_rules_file": "/nonexistent/community.rules"},
     "heavy_rules_file /nonexistent/community.rules cannot be read on this host"),
])
def test_bad_input_is_refused_before_anything_runs(lab, changes, message):
    assert message in fails_before_any_command(lab, lab.args(**changes))


def test_an_engine_that_is_not_installed_is_named(lab):
    os.remove(lab.suricata)
    msg = fails_before_any_command(lab, lab.args())
    assert msg == "engine suricata: %s is not installed on this host (the ids role installs it)" % lab.suricata


# absent, purge


def configured(lab, *names):
    for name in names:
        os.makedirs(os.path.join(lab.config_dir, name))
        with open(lab.config_path(name), "w") as handle:
            handle.write("# old\n")
        os.makedirs(lab.unit_dir, exist_ok=True)
        with open(lab.unit_path(name), "w") as handle:
            handle.write("[Unit]\n")
    os.makedirs(os.path.join(lab.config_dir, "rules"), exist_ok=True)
    with open(lab.rules_path(), "w") as handle:
        handle.write("# old rules\n")


def removal(name):
    return [systemctl("disable", "--now", unit_of(name)), systemctl("stop", "nfvlab-sandbox@%s.service" % name)]


def test_absent_with_purge_stops_and_removes_every_instance(lab):
    configured(lab, "c1s1", "c1s2")
    os.makedirs(os.path.join(lab.config_dir, "Keep_Me"))
    result, _unused = lab.run(lab.args(state="absent", purge=True, instances=[]),
                              removal("c1s1") + removal("c1s2") + [systemctl("daemon-reload")])
    assert result["changed"] is True and result["removed"] == ["c1s1", "c1s2"]
    assert not os.path.exists(os.path.join(lab.config_dir, "c1s1")) and not os.path.exists(os.path.join(lab.config_dir, "c1s2"))
    assert os.listdir(lab.unit_dir) == []
    assert os.path.isdir(os.path.join(lab.config_dir, "Keep_Me"))
    assert lab.files() == [lab.rules_path()]
    again, mock = lab.run(lab.args(state="absent", purge=True, instances=[]), [])
    assert again["changed"] is False and again["removed"] == [] and mock.seen == []


def test_absent_without_purge_removes_the_listed_instances_only(lab):
    configured(lab, "c1s1", "c1s2")
    result, _unused = lab.run(lab.args(state="absent", instances=[{"name": "c1s2"}, {"name": "c1s9"}]),
                              removal("c1s2") + [systemctl("daemon-reload")])
    assert result["removed"] == ["c1s2"]
    assert os.path.exists(lab.unit_path("c1s1")) and not os.path.exists(lab.unit_path("c1s2"))


def test_absent_in_check_mode_removes_nothing(lab):
    configured(lab, "c1s1")
    before = lab.files()
    result, mock = lab.run(lab.args(state="absent", purge=True, instances=[]), [], check=True, diff=True)
    assert result["changed"] is True and result["removed"] == ["c1s1"] and mock.seen == []
    assert lab.files() == before
    assert result["diff"]["before"] == {"c1s1": "configured"}


def test_absent_does_not_need_the_ruleset(lab):
    configured(lab, "c1s1")
    result, _unused = lab.run(lab.args(state="absent", purge=True, instances=[], heavy_rules_file="/nonexistent/community.rules"),
                              removal("c1s1") + [systemctl("daemon-reload")])
    assert not result.get("failed"), result["msg"]
    assert result["removed"] == ["c1s1"]


def test_present_with_purge_removes_the_instances_no_longer_listed_first(lab):
    configured(lab, "c1s2")
    os.remove(lab.rules_path())
    result, _unused = lab.run(lab.args(purge=True), removal("c1s2") + [systemctl("daemon-reload")] + lab.first_deploy())
    assert result["removed"] == ["c1s2"]
    assert [item["name"] for item in result["instances"]] == ["c1s1"]
    assert not os.path.exists(lab.unit_path("c1s2")) and os.path.exists(lab.unit_path("c1s1"))


# health


def test_health_of_a_suricata_instance_from_its_logs(lab):
    lab.deploy()
    log = os.path.join(lab.log_dir, "c1s1")
    os.makedirs(log)
    shutil.copy(os.path.join(FIXTURES, "stats_afpacket.json"), os.path.join(log, "stats.json"))
    shutil.copy(os.path.join(FIXTURES, "alerts_afpacket.json"), os.path.join(log, "alerts.json"))
    result, _unused = lab.run(lab.args(health=True), [show("c1s1", "running"), show("c1s1", "running")])
    alerts = [json.loads(line) for line in fixture("alerts_afpacket.json").splitlines()]
    health = result["instances"][0]["health"]
    assert health == {
        "packets": 64023, "drops": 0, "uptime": 158,
        "alerts": len(alerts), "canary_alerts": len([a for a in alerts if a["alert"]["signature_id"] == 9100000]),
        "last_alerts": ["nfvlab canary NFVLAB-IDS-CANARY"] * len(alerts),
        "running": True, "started": True, "main_pid": 11415, "restarts": 0}
    assert result["changed"] is False


def test_health_before_the_engine_wrote_statistics(lab):
    lab.deploy()
    result, _unused = lab.run(lab.args(health=True), [show("c1s1", "running"), show("c1s1", "running")])
    health = result["instances"][0]["health"]
    assert health["running"] is True and health["started"] is False
    assert health["packets"] == 0 and health["alerts"] == 0


def test_health_of_a_snort_instance_asks_for_its_statistics(lab):
    result, _unused = lab.run(lab.args(engine="snort"), lab.first_deploy(engine="snort"))
    log = os.path.join(lab.log_dir, "c1s1")
    os.makedirs(log)
    with open(os.path.join(log, "alert.fast"), "w") as handle:
        handle.write(SNORT_ALERTS)
    unit = unit_of("c1s1")
    journal = ["journalctl", "--no-pager", "-o", "cat"]
    sleeps = len(lab.sleeps)
    result, _unused = lab.run(lab.args(engine="snort", health=True), [
        show("c1s1", "running"), show("c1s1", "running"), systemctl("kill", "--signal=SIGUSR1", unit),
        {"command": journal + ["-n", "400", "-u", unit], "out": SNORT_JOURNAL},
        show("c1s1", "running"), {"command": journal + ["-u", unit], "out": SNORT_JOURNAL}])
    health = result["instances"][0]["health"]
    assert (health["packets"], health["drops"], health["alerts"], health["canary_alerts"]) == (64001, 22, 1, 1)
    assert health["started"] is True and health["running"] is True
    assert lab.sleeps[sleeps:] == [1]


# diff


def test_diff_of_a_first_deploy_shows_the_new_files(lab):
    result, _unused = lab.run(lab.args(), lab.first_deploy(), diff=True)
    diff = result["diff"]
    assert sorted(diff["after"]) == sorted([lab.config_path(), lab.unit_path(), lab.rules_path()])
    assert diff["before"][lab.config_path()] == "" and diff["before"][lab.unit_path()] == ""
    assert diff["after"][lab.config_path()] == lab.read(lab.config_path())
    assert diff["after"][lab.unit_path()] == lab.read(lab.unit_path())
    assert diff["before"][lab.rules_path()] == "0 lines"
    assert diff["after"][lab.rules_path()] == "22 lines (%s)" % GENERATED_20


def test_diff_of_a_change_shows_before_and_after_of_the_changed_files_only(lab):
    lab.deploy()
    old_config = lab.read(lab.config_path())
    result, _unused = lab.run(lab.args(home_net=["10.0.0.0/8"]), [
        lab.engine_test(2), show("c1s1", "running"), systemctl("restart", unit_of("c1s1")), show("c1s1", "running")],
        diff=True)
    assert result["diff"]["before"] == {lab.config_path(): old_config}
    assert result["diff"]["after"] == {lab.config_path(): lab.read(lab.config_path())}
    assert "HOME_NET: \"[10.0.0.0/8]\"" in result["diff"]["after"][lab.config_path()]


def test_diff_of_a_converged_host_is_empty(lab):
    lab.deploy()
    result, _unused = lab.run(lab.args(), [show("c1s1", "running")], diff=True)
    assert result["diff"] == {"before": {}, "after": {}}
