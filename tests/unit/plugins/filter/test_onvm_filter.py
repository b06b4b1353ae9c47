"""The onvm filters: the OpenNetVM manager's settings checks (each message naming its variable),
ports, masks, lcores and command line, with worked examples; and the manager's systemd unit
rendered from the role's template, line by line (CI cannot build OpenNetVM)."""

import os
import re

import jinja2
import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.onvm import FilterModule

FILTERS = FilterModule().filters()
ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "opennetvm")
MGR = "/opt/nfvlab/opennetvm/onvm/onvm_mgr/x86_64-native-linuxapp-gcc/onvm_mgr"
TAPS = [{"vdev": "net_tap0,iface=onvm0", "iface": "onvm0"}, {"vdev": "net_tap1,iface=onvm1", "iface": "onvm1"}]
GOOD = {"manager_cpus": [0], "nf_cpus": [1], "services": 16, "ports": TAPS, "file_prefix": "onvm"}


def settings(**changes):
    base = {"binary": MGR, "manager_cpus": [0], "nf_cpus": [1], "ports": TAPS, "services": 16, "file_prefix": "onvm",
            "hugetlbfs": "/mnt/huge", "base_virtaddr": "0x7f000000000", "memory_channels": 4, "stats": "web",
            "verbosity": 1}
    base.update(changes)
    return base


def test_every_filter_has_its_documentation_file():
    here = os.path.join(ROLE, "..", "..", "plugins", "filter")
    for name in FILTERS:
        with open(os.path.join(here, name + ".yml")) as handle:
            doc = yaml.safe_load(handle)
        assert doc["DOCUMENTATION"]["name"] == name
        assert doc["EXAMPLES"] and doc["RETURN"]["_value"]


@pytest.mark.parametrize("cpus, expected", [([0], "0@0,1@0,2@0"), ([2, 3], "0@2,1@3,2@2"), ([4, 5, 6], "0@4,1@5,2@6"),
                                            (["1", 1], "0@1,1@1,2@1")])
def test_lcores_map_three_lcores_round_robin(cpus, expected):
    assert FILTERS["onvm_lcores"](cpus) == expected


def test_lcores_need_a_cpu():
    with pytest.raises(AnsibleFilterError, match="empty"):
        FILTERS["onvm_lcores"]([])


@pytest.mark.parametrize("cpus, mask", [([1], "0x2"), ([1, 2], "0x6"), ([0, 3], "0x9"), ([], "0x0"), ([35], "0x800000000")])
def test_coremask(cpus, mask):
    assert FILTERS["onvm_coremask"](cpus) == mask


@pytest.mark.parametrize("manager, nf, shared", [([0], [1], []), ([0, 1], [1, 2], [1]), ([3, 0], [0, 3, 4], [0, 3])])
def test_cpu_overlap(manager, nf, shared):
    assert FILTERS["onvm_cpu_overlap"](manager, nf) == shared


@pytest.mark.parametrize("ports, mask", [([], "0x0"), (TAPS[:1], "0x1"), (TAPS, "0x3"),
                                         ([{"iface": "a"}, {"iface": "b"}, {"pci": "0000:01:00.0"}], "0x7")])
def test_portmask(ports, mask):
    assert FILTERS["onvm_portmask"](ports) == mask


def test_ports_number_pci_first_and_name_taps():
    ports = [{"iface": "onvm0"}, {"pci": "0000:03:00.1"}, {"vdev": "net_tap1,iface=up1"}]
    assert FILTERS["onvm_ports"](ports) == [
        {"index": 0, "pci": "0000:03:00.1"},
        {"index": 1, "vdev": "net_tap0,iface=onvm0", "iface": "onvm0"},
        {"index": 2, "vdev": "net_tap1,iface=up1", "iface": "up1"},
    ]


def test_default_ports_as_the_manager_file_lists_them():
    assert FILTERS["onvm_ports"](TAPS) == [dict(TAPS[0], index=0), dict(TAPS[1], index=1)]


def test_good_settings_have_no_problems():
    assert FILTERS["onvm_problems"](GOOD) == []
    assert FILTERS["onvm_problems"](dict(GOOD, ports=[], services=32, manager_cpus=[0, 1], nf_cpus="2")) == []


@pytest.mark.parametrize("changes, message", [
    ({"nf_cpus": [0, 1]}, "opennetvm_manager_cpus [0] overlaps opennetvm_nf_cpus [0, 1] on CPU 0"),
    ({"manager_cpus": [0, 1, 2], "nf_cpus": [2, 1]}, "on CPU 1, 2"),
    ({"services": 0}, "opennetvm_services: 0 is out of range 1..32 (MAX_SERVICES in onvm_common.h)"),
    ({"services": 33}, "opennetvm_services: 33 is out of range 1..32"),
    ({"services": "many"}, "opennetvm_services: many is out of range"),
    ({"manager_cpus": []}, "opennetvm_manager_cpus: empty"),
    ({"nf_cpus": []}, "opennetvm_nf_cpus: empty"),
    ({"manager_cpus": ["x"]}, "opennetvm_manager_cpus: 'x' is not a CPU number"),
    ({"ports": [{"vdev": "net_af_packet0,iface=eth0"}]}, "only net_tap works with OpenNetVM here"),
    ({"ports": [{"vdev": "net_null0"}]}, "opennetvm_ports[0]: vdev 'net_null0': only net_tap works"),
    ({"ports": [{"vdev": "tap0"}]}, "opennetvm_ports[0]: vdev 'tap0' is not of the form net_<driver><N>[,args]"),
    ({"ports": [{"pci": "01:00.0"}]}, "opennetvm_ports[0]: pci '01:00.0' is not a PCI address"),
    ({"ports": [{"pci": "0000:01:00.0", "iface": "x"}]}, "opennetvm_ports[0]: give either pci or vdev/iface"),
    ({"ports": [{}]}, "opennetvm_ports[0]: needs pci, vdev or iface"),
    ({"ports": [{"iface": "a"}, {"iface": "a"}]}, "opennetvm_ports: repeated interface names: a"),
    ({"ports": [{"vdev": "net_tap0,iface=a"}, {"vdev": "net_tap0,iface=b"}]}, "opennetvm_ports: repeated vdev names: net_tap0"),
    ({"ports": [{"iface": "a-very-long-interface"}]}, "is not a Linux interface name"),
    ({"ports": [{"vdev": "net_tap0,iface=a", "iface": "b"}]}, "iface b differs from the vdev's iface=a"),
    ({"ports": [{"iface": "a", "speed": 10}]}, "opennetvm_ports[0]: unknown keys speed"),
    ({"ports": "onvm0"}, "opennetvm_ports: must be a list"),
    ({"file_prefix": "rte"}, "opennetvm_file_prefix: rte is DPDK's default prefix"),
    ({"file_prefix": "a/b"}, "opennetvm_file_prefix: 'a/b' is not a DPDK file prefix"),
])
def test_bad_settings_are_named(changes, message):
    problems = FILTERS["onvm_problems"](dict(GOOD, **changes))
    assert any(message in problem for problem in problems), problems


def test_manager_argv_with_two_taps_on_one_cpu():
    """ENVIRONMENT.md's manager on 2 CPUs: 3 lcores on CPU 0, NFs on CPU 1, two net_tap ports."""
    assert FILTERS["onvm_manager_argv"](settings()) == [
        MGR, "--lcores=0@0,1@0,2@0", "-n", "4", "--proc-type=primary", "--file-prefix", "onvm",
        "--huge-dir", "/mnt/huge", "--base-virtaddr=0x7f000000000", "--no-pci",
        "--vdev", "net_tap0,iface=onvm0", "--vdev", "net_tap1,iface=onvm1",
        "--", "-p", "0x3", "-n", "0x2", "-r", "16", "-s", "web", "-v", "1"]


def test_manager_argv_without_ports_has_portmask_0_and_no_pci():
    argv = FILTERS["onvm_manager_argv"](settings(ports=[], base_virtaddr="", stats=None, verbosity=None))
    assert argv[argv.index("--") + 1:] == ["-p", "0x0", "-n", "0x2", "-r", "16"]
    assert "--no-pci" in argv and "--vdev" not in argv and not any(a.startswith("--base-virtaddr") for a in argv)


def test_manager_argv_with_a_pci_port_allows_only_that_device():
    argv = FILTERS["onvm_manager_argv"](settings(ports=[{"pci": "0000:03:00.0"}, {"iface": "up0"}], manager_cpus=[0, 2],
                                                 nf_cpus=[4, 5], services=8, extra_args=["-d", "2"]))
    assert "--no-pci" not in argv
    assert argv[1] == "--lcores=0@0,1@2,2@0"
    assert argv[argv.index("-w") + 1] == "0000:03:00.0"
    assert argv[argv.index("--vdev") + 1] == "net_tap0,iface=up0"
    assert argv[argv.index("--") + 1:] == ["-p", "0x3", "-n", "0x30", "-r", "8", "-s", "web", "-v", "1", "-d", "2"]


def render_unit(**role_vars):
    """The role's unit template rendered as Ansible would, with the role's vars and this filter."""
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        variables = yaml.safe_load(handle)
    with open(os.path.join(ROLE, "vars", "main.yml")) as handle:
        derived = yaml.safe_load(handle)
    variables.update(role_vars)
    variables["ansible_managed"] = "Ansible managed"
    variables["hugepages_container_mount"] = "/mnt/huge"
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(("nfvlab.interconnect." + name, function) for name, function in FILTERS.items())

    def resolve(value):
        """'{{ name }}' is that variable's value; any other template renders to text."""
        match = re.match(r"^{{ ([a-z_]+) }}$", value) if isinstance(value, str) else None
        if match:
            return resolve(variables[match.group(1)])
        return env.from_string(value).render(variables) if isinstance(value, str) else value

    variables["opennetvm_hugetlbfs_dir"] = resolve(variables["opennetvm_hugetlbfs_dir"])
    for name in ["_opennetvm_target", "_opennetvm_unit", "_opennetvm_manager_binary", "_opennetvm_workdir",
                 "_opennetvm_stats_file"]:
        variables[name] = resolve(derived[name])
    variables["_opennetvm_settings"] = dict((key, resolve(value)) for key, value in derived["_opennetvm_settings"].items())
    with open(os.path.join(ROLE, "templates", "nfvlab-onvm-mgr.service.j2")) as handle:
        return env.from_string(handle.read()).render(variables)


def test_rendered_unit_runs_onvm_mgr_directly():
    lines = render_unit().splitlines()
    assert lines == [
        "# Ansible managed",
        "# The OpenNetVM manager of nfvlab.interconnect: onvm_mgr run directly (never go.sh),",
        "# DPDK file prefix onvm, hugetlbfs /mnt/huge.",
        "# JSON stats: /opt/nfvlab/opennetvm/onvm_web/onvm_json_stats.json",
        "[Unit]",
        "Description=OpenNetVM manager v21.10 (nfvlab.interconnect)",
        "After=local-fs.target",
        "",
        "[Service]",
        "Type=simple",
        "WorkingDirectory=/opt/nfvlab/opennetvm/onvm",
        "ExecStartPre=/usr/bin/find /mnt/huge -maxdepth 1 -name onvmmap_* -delete",
        "ExecStart=" + MGR + " --lcores=0@0,1@0,2@0 -n 4 --proc-type=primary --file-prefix onvm --huge-dir /mnt/huge"
        " --base-virtaddr=0x7f000000000 --no-pci --vdev net_tap0,iface=onvm0 --vdev net_tap1,iface=onvm1"
        " -- -p 0x3 -n 0x2 -r 16 -d 1 -s web -v 2",
        "KillSignal=SIGINT",
        "TimeoutStopSec=30",
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]


def test_rendered_unit_follows_the_settings():
    unit = render_unit(opennetvm_home="/srv/onvm", opennetvm_ports=[], opennetvm_manager_cpus=[2, 3],
                       opennetvm_nf_cpus=[4], opennetvm_services=4, opennetvm_file_prefix="lab")
    execstart = [line for line in unit.splitlines() if line.startswith("ExecStart=")][0]
    assert execstart == ("ExecStart=/srv/onvm/onvm/onvm_mgr/x86_64-native-linuxapp-gcc/onvm_mgr --lcores=0@2,1@3,2@2"
                         " -n 4 --proc-type=primary --file-prefix lab --huge-dir /mnt/huge --base-virtaddr=0x7f000000000"
                         " --no-pci -- -p 0x0 -n 0x10 -r 4 -d 1 -s web -v 2")
    assert "ExecStartPre=/usr/bin/find /mnt/huge -maxdepth 1 -name labmap_* -delete" in unit
    assert "WorkingDirectory=/srv/onvm/onvm" in unit
