"""Reading `systemctl show --property=Id,MainPID` and telling which units restarted or stopped
between the readings before and after a measurement."""

from ansible_collections.nfvlab.interconnect.plugins.module_utils import systemd

BEFORE = "MainPID=5451\nId=ovs-vswitchd.service\n\nMainPID=5147\nId=nfvlab-l2fwd@c1s1.service\n\nMainPID=0\nId=nfvlab-l2fwd@nope.service\n"


def reading(vswitchd="5451", l2fwd="5147", nope="0"):
    return ("MainPID=%s\nId=ovs-vswitchd.service\n\nMainPID=%s\nId=nfvlab-l2fwd@c1s1.service\n\n"
            "MainPID=%s\nId=nfvlab-l2fwd@nope.service\n" % (vswitchd, l2fwd, nope))


# parse_show


def test_parse_show_of_real_output():
    assert systemd.parse_show(BEFORE) == {
        "ovs-vswitchd.service": {"MainPID": "5451", "Id": "ovs-vswitchd.service"},
        "nfvlab-l2fwd@c1s1.service": {"MainPID": "5147", "Id": "nfvlab-l2fwd@c1s1.service"},
        "nfvlab-l2fwd@nope.service": {"MainPID": "0", "Id": "nfvlab-l2fwd@nope.service"},
    }


def test_parse_show_of_nothing():
    assert systemd.parse_show("") == {}
    assert systemd.parse_show(None) == {}
    assert systemd.parse_show("\n\n") == {}


def test_parse_show_skips_blocks_without_an_id():
    assert systemd.parse_show("MainPID=12\n\nMainPID=13\nId=a.service\n") == {"a.service": {"MainPID": "13", "Id": "a.service"}}


def test_parse_show_keeps_everything_after_the_first_equals_sign():
    units = systemd.parse_show("Id=a.service\nExecStart={ path=/usr/bin/x ; argv[]=x --a=1 }\n")
    assert units["a.service"]["ExecStart"] == "{ path=/usr/bin/x ; argv[]=x --a=1 }"


def test_parse_show_ignores_lines_without_equals():
    assert systemd.parse_show("garbage\nId=a.service\nMainPID=1\n") == {"a.service": {"Id": "a.service", "MainPID": "1"}}


# restarts


def test_no_restart_when_the_pids_are_the_same():
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": reading()}) == []


def test_a_changed_pid_is_a_restart():
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": reading(vswitchd="6001")}) == [
        "nf1: ovs-vswitchd.service restarted during the measurement (PID 5451 -> 6001)"]


def test_a_pid_gone_to_zero_is_a_stop():
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": reading(l2fwd="0")}) == [
        "nf1: nfvlab-l2fwd@c1s1.service stopped during the measurement (PID 5147 -> 0)"]


def test_a_unit_missing_after_is_a_stop():
    after = "MainPID=5451\nId=ovs-vswitchd.service\n"
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": after}) == [
        "nf1: nfvlab-l2fwd@c1s1.service stopped during the measurement (PID 5147 -> 0)"]


def test_an_empty_pid_after_is_a_stop_to_none():
    after = reading(vswitchd="")
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": after}) == [
        "nf1: ovs-vswitchd.service stopped during the measurement (PID 5451 -> none)"]


def test_units_not_running_before_are_not_watched():
    assert systemd.restarts({"nf1": BEFORE}, {"nf1": reading(nope="7777")}) == []
    assert systemd.restarts({"nf1": "MainPID=\nId=a.service\n"}, {"nf1": "MainPID=9\nId=a.service\n"}) == []


def test_hosts_without_a_reading_before_are_not_watched():
    assert systemd.restarts({}, {"nf1": reading(vswitchd="6001")}) == []
    assert systemd.restarts({"nf1": ""}, {"nf1": reading(vswitchd="6001")}) == []


def test_messages_are_sorted_by_host_then_unit():
    before = {"nf2": BEFORE, "nf1": BEFORE}
    after = {"nf2": reading(vswitchd="6001", l2fwd="6002"), "nf1": reading(l2fwd="0")}
    assert systemd.restarts(before, after) == [
        "nf1: nfvlab-l2fwd@c1s1.service stopped during the measurement (PID 5147 -> 0)",
        "nf2: nfvlab-l2fwd@c1s1.service restarted during the measurement (PID 5147 -> 6002)",
        "nf2: ovs-vswitchd.service restarted during the measurement (PID 5451 -> 6001)",
    ]
