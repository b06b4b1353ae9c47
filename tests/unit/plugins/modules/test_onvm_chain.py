"""nfvlab.interconnect.onvm_chain with run_command mocked (the argument lists it must run, in order, answered with
outputs captured from systemd 252 and OpenNetVM v21.10 in a Debian 12 container: fixtures/onvm/) and its files under
tmp_path: first deploy of a two-NF chain, idempotent rerun, replicas added without restarting the others, a changed
unit restarted, check and diff modes, stages removed, absent and purge, bad input refused before anything runs,
an NF that never registers with the manager, and the statistics returned."""

import json
import os
import shutil
import types

import pytest

from ansible.module_utils import basic

from ansible_collections.nfvlab.interconnect.plugins.module_utils import onvm
from ansible_collections.nfvlab.interconnect.plugins.modules import onvm_chain

from .run_command_cases import CommandMock, call_main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "onvm")
SYSTEMCTL = "/usr/bin/systemctl"
JOURNALCTL = "/usr/bin/journalctl"
BINS = {"systemctl": SYSTEMCTL, "journalctl": JOURNALCTL}
SHOW = "--property=Id,ActiveState,SubState,MainPID,UnitFileState,NRestarts"
MGR = "nfvlab-onvm-mgr.service"
LIST = ["list-units", "--all", "--plain", "--no-legend", "--full", "nfvlab-onvm-*"]


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def systemctl(*args, **reply):
    return dict(reply, command=[SYSTEMCTL] + list(args))


def unit(chain, service, instance):
    return "nfvlab-onvm-%s-s%d-i%d.service" % (chain, service, instance)


class Host(CommandMock):
    """CommandMock whose expected calls may carry a hook, run once the command matched."""

    def __call__(self, args, check_rc=False, **kwargs):
        hook = self.expected[0].get("hook") if self.expected else None
        result = CommandMock.__call__(self, args, check_rc=check_rc, **kwargs)
        if hook:
            hook()
        return result


class Lab(object):
    """A host under tmp_path: the manager's contract (its examples are files here), its statistics files, the unit
    directory; a clock that only moves when the module sleeps."""

    def __init__(self, tmp_path, monkeypatch, capsys):
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.unit_dir = str(tmp_path / "systemd")
        self.web = tmp_path / "onvm_web"
        self.web.mkdir()
        self.config = str(tmp_path / "manager.json")
        manager = json.loads(fixture("manager.json"))
        manager["stats_file"] = str(self.web / "onvm_json_stats.json")
        for name in list(manager["examples"]):
            path = tmp_path / "examples" / name
            path.parent.mkdir(exist_ok=True)
            path.write_text("#!/bin/sh\n")
            manager["examples"][name] = str(path)
        self.manager = manager
        with open(self.config, "w") as handle:
            json.dump(manager, handle)
        self.sleeps = []
        self.now = 1000.0
        monkeypatch.setattr(onvm_chain, "time", types.SimpleNamespace(sleep=self._sleep, time=lambda: self.now))
        monkeypatch.setattr(onvm_chain.platform, "node", lambda: "nf1")

    def _sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def args(self, **changes):
        out = {"name": "c2", "services": [1, 2], "last_nf": "bridge", "output_port": 1,
               "config": self.config, "unit_dir": self.unit_dir, "wait": 10}
        out.update(changes)
        return out

    def run(self, args, commands, check=False, diff=False):
        mock = Host(commands)
        self.monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda module, argv, **kwargs: mock(argv, **kwargs))
        self.monkeypatch.setattr(basic.AnsibleModule, "get_bin_path",
                                 lambda module, name, required=False, opt_dirs=None: BINS[name])
        result = call_main(onvm_chain.main, args, self.capsys, check=check, diff=diff)
        assert not mock.expected, "commands not run: %s (result %s)" % ([call["command"] for call in mock.expected], result)
        return result, mock

    # the manager's statistics
    def stats(self, name=None, text=None):
        for target, source in (("onvm_json_stats.json", name), ("onvm_stats.txt", text)):
            path = self.web / target
            if source is None:
                if path.exists():
                    path.unlink()
            else:
                shutil.copy(os.path.join(FIXTURES, source), str(path))

    def stats_hook(self, name, text=None):
        return lambda: self.stats(name, text)

    # the host's files
    def unit_path(self, name):
        return os.path.join(self.unit_dir, name)

    def read(self, path):
        with open(path) as handle:
            return handle.read()

    def units(self):
        return sorted(os.listdir(self.unit_dir)) if os.path.isdir(self.unit_dir) else []

    def wanted_text(self, service, instance, **changes):
        args = self.args(**changes)
        manager = onvm.load_manager(self.read(self.config))
        nfs = onvm.plan(args["name"], args["services"], args.get("replicas", 1), manager["nf_cpus"], manager,
                        last_nf=args["last_nf"], output_service=args.get("output_service"),
                        output_port=args.get("output_port", 1), print_delay=args.get("print_delay", 100000000))
        return [onvm.unit_text(nf, manager) for nf in nfs if nf["service_id"] == service and nf["instance_id"] == instance][0]

    def put_units(self, **changes):
        """The units of a deployed chain, as the module writes them."""
        os.makedirs(self.unit_dir, exist_ok=True)
        args = self.args(**changes)
        for service in args["services"]:
            for replica in range(1, args.get("replicas", 1) + 1):
                iid = service + 16 * (replica - 1)
                with open(self.unit_path(unit(args["name"], service, iid)), "w") as handle:
                    handle.write(self.wanted_text(service, iid, **changes))


@pytest.fixture
def lab(tmp_path, monkeypatch, capsys):
    return Lab(tmp_path, monkeypatch, capsys)


def mgr_running():
    return systemctl("show", SHOW, MGR, out=fixture("systemctl_show_mgr_running.txt"))


C2 = [unit("c2", 1, 1), unit("c2", 2, 2)]


def first_deploy(lab, hook_stats="json_stats_c2.json", text="stats_v2_c2.txt"):
    return [
        systemctl(*LIST, out=""),
        mgr_running(),
        systemctl("daemon-reload"),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_absent.txt")),
        # downstream first
        systemctl("enable", C2[1]),
        systemctl("start", C2[1]),
        systemctl("enable", C2[0]),
        systemctl("start", C2[0], hook=lab.stats_hook(hook_stats, text)),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_running.txt")),
    ]


# ---------------------------------------------------------------------------------------------- present


def test_first_deploy_writes_enables_and_starts_downstream_first(lab):
    result, mock = lab.run(lab.args(), first_deploy(lab))
    assert result["changed"] and not result.get("failed"), result
    assert lab.units() == C2
    assert lab.read(lab.unit_path(C2[0])) == lab.wanted_text(1, 1)
    assert "ExecStart=%s -l 1 -n 3 --proc-type=secondary --file-prefix onvm --no-pci -- -r 2 -n 2 -m -s -- -p " \
           "100000000" % lab.manager["examples"]["bridge"] in lab.read(lab.unit_path(C2[1])).splitlines()
    assert result["changed_units"] == C2[::-1] or sorted(result["changed_units"]) == C2
    nfs = result["nfs"]
    assert [(nf["unit"], nf["service_id"], nf["instance_id"], nf["cpu"], nf["dest"], nf["restarted"], nf["active"])
            for nf in nfs] == [(C2[0], 1, 1, 1, {"service": 2}, True, True),
                               (C2[1], 2, 2, 1, {"port": 1, "entry_port": 0}, True, True)]
    assert result["manager"]["entry_port"] == 0 and result["manager"]["output_port"] == 1
    assert all(nf["pid"] > 0 and nf["in_stats"] for nf in nfs)
    assert result["removed"] == []


def test_rerun_is_idempotent(lab):
    lab.put_units()
    lab.stats("json_stats_c2.json", "stats_v2_c2.txt")
    result, mock = lab.run(lab.args(), [
        systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt")),
        mgr_running(),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_running.txt")),
    ])
    assert not result["changed"], result
    assert result["changed_units"] == [] and result["removed"] == []
    assert [nf["restarted"] for nf in result["nfs"]] == [False, False]


def test_check_mode_changes_nothing(lab):
    result, mock = lab.run(lab.args(), [
        systemctl(*LIST, out=""),
        mgr_running(),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_absent.txt")),
    ], check=True, diff=True)
    assert result["changed"] and sorted(result["changed_units"]) == C2
    assert lab.units() == []
    assert result["diff"]["after"][lab.unit_path(C2[0])] == lab.wanted_text(1, 1)
    assert result["diff"]["before"][lab.unit_path(C2[0])] == ""


def test_a_changed_unit_restarts_only_that_nf(lab):
    lab.put_units()
    lab.stats("json_stats_c2.json", "stats_v2_c2.txt")
    # the last stage is now basic_monitor (back out of the port the packets came in on)
    result, mock = lab.run(lab.args(last_nf="basic_monitor"), [
        systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt")),
        mgr_running(),
        systemctl("daemon-reload"),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_running.txt")),
        systemctl("restart", C2[1]),
        systemctl("show", SHOW, *C2, out=fixture("systemctl_show_c2_running.txt")),
    ], diff=True)
    assert result["changed"] and result["changed_units"] == [C2[1]]
    assert list(result["diff"]["after"]) == [lab.unit_path(C2[1])]
    assert "/basic_monitor -l 1 " in lab.read(lab.unit_path(C2[1]))
    assert [nf["restarted"] for nf in result["nfs"]] == [False, True]


def test_replicas_added_leave_the_running_nfs_alone(lab):
    lab.put_units()
    lab.stats("json_stats_c2_replicas.json", "stats_v2_c2.txt")
    units4 = [unit("c2", 1, 1), unit("c2", 1, 17), unit("c2", 2, 2), unit("c2", 2, 18)]
    result, mock = lab.run(lab.args(replicas=2), [
        systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt")),
        mgr_running(),
        systemctl("daemon-reload"),
        systemctl("show", SHOW, *units4, out=fixture("systemctl_show_c2_two_new_replicas.txt")),
        systemctl("enable", units4[3]),
        systemctl("start", units4[3]),
        systemctl("enable", units4[1]),
        systemctl("start", units4[1]),
        systemctl("show", SHOW, *units4, out=fixture("systemctl_show_c2_replicas_running.txt")),
    ])
    assert sorted(result["changed_units"]) == [units4[1], units4[3]]
    assert lab.units() == sorted(units4)
    assert [(nf["instance_id"], nf["restarted"]) for nf in result["nfs"]] == [(1, False), (17, True), (2, False),
                                                                              (18, True)]


def test_stages_no_longer_wanted_are_stopped_and_removed(lab):
    lab.put_units()
    lab.stats("json_stats_c2.json", "stats_v2_c2.txt")
    result, mock = lab.run(lab.args(services=[1]), [
        systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt")),
        mgr_running(),
        systemctl("disable", "--now", C2[1]),
        systemctl("daemon-reload"),
        systemctl("show", SHOW, C2[0], out=fixture("systemctl_show_c2_running.txt").split("\n\n")[0] + "\n"),
        systemctl("restart", C2[0]),
        systemctl("show", SHOW, C2[0], out=fixture("systemctl_show_c2_running.txt").split("\n\n")[0] + "\n"),
    ], diff=True)
    # service 1 is now the last stage: its unit changed (-d 3) and restarts
    assert result["removed"] == [C2[1]] and result["changed_units"] == [C2[0]]
    assert lab.units() == [C2[0]]
    assert result["diff"]["after"][lab.unit_path(C2[1])] == ""


def test_another_chain_holding_a_service_is_refused(lab):
    lab.put_units(name="other", services=[2, 5])
    result, mock = lab.run(lab.args(), [systemctl(*LIST, out="")])
    assert result["failed"]
    assert result["msg"] == ("services: service 2 (instance 2) is held by chain other (%s); remove that chain first "
                             "or set purge=true" % unit("other", 2, 2))


def test_purge_removes_other_chains(lab):
    lab.put_units(name="other", services=[2, 5])
    result, mock = lab.run(lab.args(purge=True), [
        systemctl(*LIST, out=""),
        mgr_running(),
        systemctl("disable", "--now", unit("other", 2, 2)),
        systemctl("disable", "--now", unit("other", 5, 5)),
    ] + first_deploy(lab)[2:])
    assert result["removed"] == [unit("other", 2, 2), unit("other", 5, 5)]
    assert lab.units() == C2


def test_manager_not_running_fails_before_any_change(lab):
    result, mock = lab.run(lab.args(), [
        systemctl(*LIST, out=""),
        systemctl("show", SHOW, MGR, out=fixture("systemctl_show_mgr_inactive.txt")),
    ])
    assert result["failed"] and lab.units() == []
    assert result["msg"].startswith("the OpenNetVM manager nfvlab-onvm-mgr.service is not running on nf1 "
                                    "(inactive/dead)")


def test_nf_that_does_not_register_fails_with_its_journal(lab):
    commands = first_deploy(lab, hook_stats="json_stats_c2_only_s2.json", text=None)[:-1]
    commands += [
        systemctl("show", SHOW, C2[0], out=fixture("systemctl_show_c2_running.txt").split("\n\n")[0] + "\n"),
        {"command": [JOURNALCTL, "--no-pager", "-o", "cat", "-n", "15", "-u", C2[0]],
         "out": fixture("journal_nf_waiting.txt")},
    ]
    result, mock = lab.run(lab.args(), commands)
    assert result["failed"]
    assert result["msg"].startswith("NFs not registered with the OpenNetVM manager after 10 s: %s (active/running; "
                                    "journal: " % C2[0])
    assert "Waiting for manager to assign an ID" in result["msg"]
    assert lab.sleeps == [1] * 10


# ---------------------------------------------------------------------------------------------- bad input


def fails_before_any_command(lab, args):
    result, mock = lab.run(args, [])
    assert result["failed"], result
    assert mock.seen == [] and lab.units() == []
    return result["msg"]


def test_missing_config_names_the_host_and_the_role(lab):
    msg = fails_before_any_command(lab, lab.args(config=str(lab.tmp / "none.json")))
    assert msg.startswith("OpenNetVM manager is not configured on nf1: run role nfvlab.interconnect.opennetvm")


@pytest.mark.parametrize("changes, message", [
    (dict(services=[1, 16]), "services[1]=16 is outside the manager's service IDs 1..15"),
    (dict(cpus=[0]), "cpus [0] overlap the manager's cores [0] (manager_cpus)"),
    (dict(name="Bad_Name"), "name 'Bad_Name': 1-32 lower-case letters"),
    (dict(name=None), "name: required"),
    (dict(last_nf="bridge", output_port=5, output_service=None), "output_port=5 is not one of the manager's ports [0, 1]"),
    (dict(replicas=9, services=[15]), "would be instance 143"),
])
def test_bad_input_is_refused_before_anything(lab, changes, message):
    assert message in fails_before_any_command(lab, lab.args(**changes))


def test_missing_binary_is_refused(lab):
    os.remove(lab.manager["examples"]["simple_forward"])
    result, mock = lab.run(lab.args(), [systemctl(*LIST, out="")])
    assert result["failed"] and "example NF binaries missing on nf1: %s" % lab.manager["examples"]["simple_forward"] \
        in result["msg"]


# ---------------------------------------------------------------------------------------------- absent


def test_absent_removes_the_chain_only(lab):
    lab.put_units()
    lab.put_units(name="other", services=[5])
    result, mock = lab.run({"name": "c2", "state": "absent", "unit_dir": lab.unit_dir}, [
        systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt")),
        systemctl("disable", "--now", C2[0]),
        systemctl("disable", "--now", C2[1]),
        systemctl("daemon-reload"),
    ])
    assert result["changed"] and result["removed"] == C2
    assert lab.units() == [unit("other", 5, 5)]


def test_absent_again_is_unchanged(lab):
    result, mock = lab.run({"name": "c2", "state": "absent", "unit_dir": lab.unit_dir},
                           [systemctl(*LIST, out="")])
    assert not result["changed"] and result["removed"] == []


def test_absent_purge_without_name_removes_every_nf_and_stops_loaded_units_without_file(lab):
    lab.put_units(name="other", services=[5])
    listing = fixture("systemctl_list_units_c2.txt")
    result, mock = lab.run({"state": "absent", "purge": True, "unit_dir": lab.unit_dir}, [
        systemctl(*LIST, out=listing),
        systemctl("stop", C2[0]),
        systemctl("stop", C2[1]),
        systemctl("disable", "--now", unit("other", 5, 5)),
        systemctl("daemon-reload"),
    ], check=False)
    assert result["removed"] == C2 + [unit("other", 5, 5)]
    assert lab.units() == []


def test_absent_check_mode(lab):
    lab.put_units()
    result, mock = lab.run({"name": "c2", "state": "absent", "unit_dir": lab.unit_dir},
                           [systemctl(*LIST, out=fixture("systemctl_list_units_c2.txt"))], check=True)
    assert result["changed"] and result["removed"] == C2 and lab.units() == C2


# ---------------------------------------------------------------------------------------------- statistics


def test_stats_of_two_replicas_fed_by_speed_tester(lab):
    lb = dict(name="lb", services=[1], replicas=2, last_nf="simple_forward", output_service=3)
    lab.put_units(**lb)
    lab.stats("json_stats_lb2.json", "stats_v2_lb2.txt")
    units2 = [unit("lb", 1, 1), unit("lb", 1, 17)]
    result, mock = lab.run(lab.args(**lb), [
        systemctl(*LIST, out=fixture("systemctl_list_units_lb2.txt")),
        mgr_running(),
        systemctl("show", SHOW, *units2, out=fixture("systemctl_show_lb2_running.txt")),
    ])
    assert not result["changed"], result
    first, second = result["nfs"]
    assert first["in_stats"] and second["in_stats"]
    # both replicas carry packets
    assert first["rx"] > 0 and second["rx"] > 0
    assert first["rx_pps"] > 0 and second["rx_pps"] > 0
    assert result["manager"]["stats_updated"]
