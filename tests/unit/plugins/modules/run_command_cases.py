"""Run a module's main() against cases described in YAML, in the manner of
community.general's run_command mock tests: each case gives the module input,
the exact argument lists the module must run, in order, with canned outputs
captured from the real tools, and the expected result."""

import json
import os

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

BIN_PATHS = {
    "ip": "/usr/sbin/ip",
    "nsenter": "/usr/bin/nsenter",
    "modprobe": "/usr/sbin/modprobe",
    "ovs-vsctl": "/usr/bin/ovs-vsctl",
    "ovs-ofctl": "/usr/bin/ovs-ofctl",
    "ovs-appctl": "/usr/bin/ovs-appctl",
    "iperf3": "/usr/bin/iperf3",
    "netperf": "/usr/bin/netperf",
    "timeout": "/usr/bin/timeout",
    "dpkg-query": "/usr/bin/dpkg-query",
}


def load_cases(path, fixtures_dir="iproute2"):
    """The cases of a YAML file; each mock's out_file is read from fixtures/<fixtures_dir>/ beside it."""
    fixtures = os.path.join(os.path.dirname(path), "fixtures", fixtures_dir)
    with open(path) as handle:
        cases = yaml.safe_load(handle)
    for case in cases:
        for call in case.get("mocks", {}).get("run_command", []):
            for stream in ("out", "err"):
                if stream + "_file" in call:
                    with open(os.path.join(fixtures, call.pop(stream + "_file"))) as out:
                        call[stream] = out.read()
    return [pytest.param(case, id=case["id"]) for case in cases]


class CommandMock(object):
    def __init__(self, expected):
        self.expected = list(expected)
        self.seen = []

    def __call__(self, args, check_rc=False, **kwargs):
        assert not isinstance(args, str), "run_command got a string %r; modules pass argument lists" % args
        args = [str(arg) for arg in args]
        self.seen.append(args)
        assert self.expected, "unexpected command %s" % args
        call = self.expected.pop(0)
        assert args == call["command"], "command %d: expected %s, got %s" % (len(self.seen), call["command"], args)
        return call.get("rc", 0), call.get("out", ""), call.get("err", "")


def call_main(main, args, capsys, check=False, diff=False):
    """Run a module's main() with these arguments; return the result it printed."""
    args = dict(args)
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            main()
    return json.loads(capsys.readouterr().out)


def run_case(main, case, monkeypatch, capsys):
    """Run main() for one case; return (result dict, the CommandMock)."""
    mock = CommandMock(case.get("mocks", {}).get("run_command", []))
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, args, **kwargs: mock(args, **kwargs))
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path",
                        lambda self, name, required=False, opt_dirs=None: BIN_PATHS[name])
    flags = case.get("flags", {})
    result = call_main(main, case["input"], capsys, check=flags.get("check", False), diff=flags.get("diff", False))
    return result, mock


def assert_case(result, mock, case):
    output = case.get("output", {})
    for key, value in output.items():
        if key == "msg_contains":
            assert value in result.get("msg", ""), result
        else:
            assert result.get(key) == value, "%s: expected %r, got %r (result %s)" % (key, value, result.get(key), result)
    assert not mock.expected, "commands not run: %s" % [call["command"] for call in mock.expected]
