"""The chain_placement filter: the worked examples of the KBNets '17 placements
(shortcut and back-and-forth on two NF servers), slots spilling, and the bad inputs."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.placement import FilterModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import placement

FILTERS = FilterModule().filters()
SERVERS = ["nf1", "nf2"]


def place(length, policy, slots=None, wiring="multi-host", servers=None):
    return FILTERS["chain_placement"](length, SERVERS if servers is None else servers, policy, slots, wiring)


def hosts_of(result):
    return [hop["host"] for hop in result["hops"]]


def test_shortcut_length_one_stays_on_the_first_server():
    result = place(1, "shortcut")
    assert result["policy"] == "shortcut"
    assert result["length"] == 1
    assert result["hops"] == [{"index": 1, "host": "nf1", "slot": 1}]
    assert result["segments"] == [{"host": "nf1", "hops": [1]}]
    assert result["traversals"] == 2
    assert result["hosts"] == {"nf1": 1, "nf2": 0}


def test_shortcut_four_splits_in_halves():
    result = place(4, "sc")
    assert result["policy"] == "shortcut"
    assert hosts_of(result) == ["nf1", "nf1", "nf2", "nf2"]
    assert [hop["slot"] for hop in result["hops"]] == [1, 2, 1, 2]
    assert result["segments"] == [{"host": "nf1", "hops": [1, 2]}, {"host": "nf2", "hops": [3, 4]}]
    assert result["traversals"] == 4
    assert result["hosts"] == {"nf1": 2, "nf2": 2}


def test_shortcut_five_gives_the_first_server_the_extra_nf():
    result = place(5, "shortcut")
    assert hosts_of(result) == ["nf1"] * 3 + ["nf2"] * 2
    assert result["traversals"] == 4
    assert result["hosts"] == {"nf1": 3, "nf2": 2}


def test_shortcut_on_three_servers_makes_even_contiguous_blocks():
    result = place(7, "shortcut", servers=["nf1", "nf2", "nf3"])
    assert hosts_of(result) == ["nf1"] * 3 + ["nf2"] * 2 + ["nf3"] * 2
    assert result["traversals"] == 6
    result = place(2, "shortcut", servers=["nf1", "nf2", "nf3"])
    assert hosts_of(result) == ["nf1", "nf2"]
    assert result["hosts"] == {"nf1": 1, "nf2": 1, "nf3": 0}


def test_back_and_forth_four_alternates_every_hop():
    result = place(4, "back-and-forth")
    assert result["policy"] == "back-and-forth"
    assert hosts_of(result) == ["nf1", "nf2", "nf1", "nf2"]
    assert [hop["slot"] for hop in result["hops"]] == [1, 1, 2, 2]
    assert [hop["index"] for hop in result["hops"]] == [1, 2, 3, 4]
    assert len(result["segments"]) == 4
    assert result["traversals"] == 8
    assert result["hosts"] == {"nf1": 2, "nf2": 2}


def test_back_and_forth_length_one():
    result = place(1, "bf")
    assert hosts_of(result) == ["nf1"]
    assert result["traversals"] == 2


def test_back_and_forth_on_one_server_is_one_segment():
    result = place(3, "bf", servers=["nf1"])
    assert result["segments"] == [{"host": "nf1", "hops": [1, 2, 3]}]
    assert result["traversals"] == 2


def test_back_and_forth_traversals_are_twice_the_length():
    for length in range(1, 9):
        assert place(length, "bf")["traversals"] == 2 * length


def test_shortcut_spills_onto_the_next_server_when_slots_run_out():
    result = place(5, "shortcut", {"nf1": 2, "nf2": 4})
    assert hosts_of(result) == ["nf1", "nf1", "nf2", "nf2", "nf2"]
    assert result["hosts"] == {"nf1": 2, "nf2": 3}
    assert result["traversals"] == 4


def test_shortcut_spills_back_onto_earlier_servers_when_the_last_is_full():
    result = place(5, "shortcut", {"nf1": 4, "nf2": 1})
    assert hosts_of(result) == ["nf1"] * 4 + ["nf2"]
    result = place(6, "shortcut", {"nf1": 5, "nf2": 1, "nf3": 1}, servers=["nf1", "nf2", "nf3"])
    assert result["hosts"] == {"nf1": 4, "nf2": 1, "nf3": 1}


def test_shortcut_skips_a_server_without_slots():
    result = place(3, "shortcut", {"nf1": 0, "nf2": 3})
    assert hosts_of(result) == ["nf2"] * 3
    assert result["traversals"] == 2


def test_every_host_stays_within_its_slots():
    for length in range(1, 7):
        for policy in ("sc", "bf"):
            result = place(length, policy, 3)
            assert all(count <= 3 for count in result["hosts"].values())


def test_slots_as_a_string_of_digits():
    assert place("4", "sc", "2")["hosts"] == {"nf1": 2, "nf2": 2}


def test_chain_too_long_names_the_numbers():
    with pytest.raises(AnsibleFilterError, match=r"^chain of 7 NFs does not fit: 6 NF slots on nf1, nf2 \(3 each\)$"):
        place(7, "shortcut", 3)
    with pytest.raises(AnsibleFilterError, match=r"chain of 7 NFs does not fit: 5 NF slots on nf1, nf2 \(nf1: 2, nf2: 3\)"):
        place(7, "bf", {"nf1": 2, "nf2": 3})


def test_back_and_forth_share_beyond_a_hosts_slots():
    with pytest.raises(AnsibleFilterError, match=r"does not fit back-and-forth: nf1 gets 3 of them but has 2 NF slots"):
        place(5, "bf", {"nf1": 2, "nf2": 4})


def test_unknown_policy():
    with pytest.raises(AnsibleFilterError, match=r"^unknown placement policy 'zigzag': choose shortcut \(sc\) or back-and-forth \(bf\)$"):
        place(4, "zigzag")
    with pytest.raises(AnsibleFilterError, match="unknown placement policy"):
        place(4, None)


@pytest.mark.parametrize("length", [0, -1, 2.5, "abc", True, None, [4]])
def test_bad_length(length):
    with pytest.raises(AnsibleFilterError, match=r"the chain length \(number of NFs\) must be a whole number of at least 1"):
        place(length, "sc")


def test_bad_servers_and_slots():
    with pytest.raises(AnsibleFilterError, match="nf_servers must be a non-empty list"):
        place(2, "sc", servers=[])
    with pytest.raises(AnsibleFilterError, match="nf_servers must be a non-empty list"):
        place(2, "sc", servers="nf1")
    with pytest.raises(AnsibleFilterError, match="nf_servers names nf1 twice"):
        place(2, "sc", servers=["nf1", "nf1"])
    with pytest.raises(AnsibleFilterError, match="slots gives no number of NF slots for nf2"):
        place(2, "sc", {"nf1": 2})
    with pytest.raises(AnsibleFilterError, match="slots names host.* nf3 that are not NF servers"):
        place(2, "sc", {"nf1": 2, "nf2": 2, "nf3": 1})
    with pytest.raises(AnsibleFilterError, match="slots must be a whole number"):
        place(2, "sc", -1)
    with pytest.raises(AnsibleFilterError, match="unknown wiring 'both'"):
        place(2, "sc", wiring="both")


def test_single_host_runs_the_chain_on_the_first_server():
    for policy in ("sc", "bf"):
        result = place(4, policy, wiring="single-host")
        assert hosts_of(result) == ["nf1"] * 4
        assert [hop["slot"] for hop in result["hops"]] == [1, 2, 3, 4]
        assert result["segments"] == [{"host": "nf1", "hops": [1, 2, 3, 4]}]
        assert result["traversals"] == 0
        assert result["hosts"] == {"nf1": 4, "nf2": 0}
        assert result["wiring"] == "single-host"


def test_single_host_still_checks_policy_and_slots():
    with pytest.raises(AnsibleFilterError, match="unknown placement policy"):
        place(4, "nope", wiring="single-host")
    with pytest.raises(AnsibleFilterError, match=r"chain of 4 NFs does not fit: 3 NF slots on nf1 \(single-host wiring"):
        place(4, "sc", {"nf1": 3, "nf2": 8}, wiring="single-host")


def test_library_raises_its_own_error():
    with pytest.raises(placement.PlacementError):
        placement.chain_placement(3, SERVERS, "sc", slots=1)
    assert placement.canonical_policy(" BF ") == "back-and-forth"
