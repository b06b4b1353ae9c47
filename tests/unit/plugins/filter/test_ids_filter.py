"""The ids_instances filter: a chain's NF instances as the ids role's instances, errors as filter errors."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.filter.ids import FilterModule

ids_instances = FilterModule().filters()["ids_instances"]

INSTANCES = [{"name": "c1s1", "stage": 1, "host": "nf1"}, {"name": "c1s2", "stage": 2, "host": "nf1"}]


def test_ids_instances_one_capture():
    assert ids_instances(INSTANCES, "dpdk") == [{"name": "c1s1", "capture": "dpdk"}, {"name": "c1s2", "capture": "dpdk"}]


def test_ids_instances_per_stage_as_the_documented_example():
    assert ids_instances(INSTANCES, ["nfq", "afpacket"]) == [
        {"name": "c1s1", "capture": "nfq"}, {"name": "c1s2", "capture": "afpacket"}]


@pytest.mark.parametrize("capture, message", [
    (["nfq"], "nf_chain_capture lists 1 capture modes, the chain has a stage 2"),
    ("afpk", "nf_chain_capture: unknown capture mode 'afpk'"),
])
def test_ids_instances_errors_are_filter_errors(capture, message):
    with pytest.raises(AnsibleFilterError) as caught:
        ids_instances(INSTANCES, capture)
    assert message in str(caught.value)


def test_ids_instances_without_names_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="expected chain instances with a name"):
        ids_instances([{"stage": 1}], "nfq")
