"""The cpu_list and pmd_cpu_mask filters: Linux cpulists as read from sysfs, and the
OVS pmd-cpu-mask for PMD threads on one NUMA node, with the errors naming the PMD threads."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.cpus import FilterModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import cpus

FILTERS = FilterModule().filters()
cpu_list = FILTERS["cpu_list"]
pmd_cpu_mask = FILTERS["pmd_cpu_mask"]


@pytest.mark.parametrize("text, expected", [
    ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]),
    ("0-3,8,10-11\n", [0, 1, 2, 3, 8, 10, 11]),
    ("5", [5]),
    ("0-0", [0]),
    (" 8-9 , 0 ", [0, 8, 9]),
    ("10-11,0-1,1", [0, 1, 10, 11]),
    ("", []),
    ([3, 1, 2, 1], [1, 2, 3]),
    ([], []),
    (7, [7]),
])
def test_cpu_list(text, expected):
    assert cpu_list(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("0-3,,8", r"bad part ''"),
    ("a", r"bad part 'a'"),
    ("3-1", r"range 3-1 runs backwards"),
    ("0-", r"bad part '0-'"),
    ("1-2-3", r"bad part '1-2-3'"),
    ("-1", r"bad part '-1'"),
    ("0x3", r"bad part '0x3'"),
])
def test_cpu_list_bad_syntax(text, reason):
    with pytest.raises(AnsibleFilterError, match=r"is not a cpulist like '0-3,8,10-11' \(%s" % reason):
        cpu_list(text)


@pytest.mark.parametrize("value", [[1, -2], [1, "x"], [True], {"0": "0-3"}, 1.5])
def test_cpu_list_bad_values(value):
    with pytest.raises(AnsibleFilterError, match="cpu list"):
        cpu_list(value)


def test_format_cpu_list():
    assert cpus.format_cpu_list([5, 0, 1, 2, 7, 8]) == "0-2,5,7-8"
    assert cpus.format_cpu_list([3]) == "3"
    assert cpus.format_cpu_list([]) == "none"


def test_two_pmd_threads_skip_the_reserved_core():
    assert pmd_cpu_mask({0: "0-7", 1: "8-15"}, 2) == "0x6"


def test_pmd_mask_on_the_second_node_with_string_keys():
    numa = {"0": "0-7,16-23", "1": "8-15,24-31"}
    assert pmd_cpu_mask(numa, 2, 1) == "0x300"
    assert pmd_cpu_mask(numa, 2, "1", [0, 8]) == "0x600"
    assert pmd_cpu_mask({"node1": [9, 8, 10]}, 1, 1, "8") == "0x200"


def test_pmd_mask_with_lists_and_cpulist_reserved():
    assert pmd_cpu_mask({0: [0, 1, 2, 3]}, 3, reserved=[]) == "0x7"
    assert pmd_cpu_mask({0: "0-7"}, 2, 0, "0-3") == "0x30"
    assert pmd_cpu_mask({0: "0-3"}, "2") == "0x6"


def test_default_reserved_is_cpu_zero():
    assert pmd_cpu_mask({0: "0-1"}, 1) == "0x2"
    assert pmd_cpu_mask({0: "0-1"}, 1, 0, None) == "0x2"


def test_too_many_pmd_threads():
    with pytest.raises(AnsibleFilterError) as info:
        pmd_cpu_mask({0: "0-1"}, 4)
    assert str(info.value) == ("4 PMD threads asked but NUMA node 0 has 1 core(s) free of the reserved ones "
                               "(cpus 0-1, reserved 0)")


def test_reserved_covers_the_only_cpu():
    with pytest.raises(AnsibleFilterError, match=r"1 PMD thread asked but NUMA node 0 has 0 core\(s\) free of the reserved ones \(cpus 0, reserved 0\)"):
        pmd_cpu_mask({0: "0"}, 1)


def test_unknown_numa_node():
    with pytest.raises(AnsibleFilterError, match=r"^NUMA node 1 not in this host's nodes \[0\]"):
        pmd_cpu_mask({0: "0-3"}, 1, 1)


@pytest.mark.parametrize("threads", [0, -1, "zero", 1.5, True, None])
def test_threads_below_one(threads):
    with pytest.raises(AnsibleFilterError, match="PMD threads must be"):
        pmd_cpu_mask({0: "0-3"}, threads)


def test_bad_numa_cpus():
    with pytest.raises(AnsibleFilterError, match="NUMA node -> cpulist"):
        pmd_cpu_mask("0-3", 1)
    with pytest.raises(AnsibleFilterError, match="NUMA node -> cpulist"):
        pmd_cpu_mask({}, 1)
    with pytest.raises(AnsibleFilterError, match="NUMA node 0 cpulist: '0-a' is not a cpulist"):
        pmd_cpu_mask({0: "0-a"}, 1)
    with pytest.raises(AnsibleFilterError, match="'socket0' is not a NUMA node number"):
        pmd_cpu_mask({"socket0": "0-3"}, 1)
    with pytest.raises(AnsibleFilterError, match="reserved CPUs"):
        pmd_cpu_mask({0: "0-3"}, 1, 0, "x")


def test_library_functions():
    assert cpus.pmd_cpus({0: "0-7"}, 3) == [1, 2, 3]
    assert cpus.cpu_mask([0, 4]) == "0x11"
    assert cpus.numa_nodes({"0": "0-1", 1: [2, 3]}) == {0: [0, 1], 1: [2, 3]}
    with pytest.raises(cpus.CpuError):
        cpus.pmd_cpu_mask({0: "0"}, 1)
