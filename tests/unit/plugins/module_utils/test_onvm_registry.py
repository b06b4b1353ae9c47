"""module_utils.onvm_registry: names, validation, what a host's registration change deletes and creates."""

import pytest

from ansible_collections.nfvlab.interconnect.plugins.module_utils import onvm_registry as utils


@pytest.mark.parametrize("name,owner", [
    ("nf1-0000000004", ("nf1", "0000000004")),
    ("nfvlab-mol-zookeeper-0000000012", ("nfvlab-mol-zookeeper", "0000000012")),
    ("nf1-000004", None),
    ("nf1-x-0000000001", ("nf1-x", "0000000001")),
    ("-0000000001", None),
    ("nf1", None),
])
def test_entry_owner(name, owner):
    assert utils.entry_owner(name) == owner


def test_wanted_services_sorts_and_normalises():
    got = utils.wanted_services("nf1", [{"service_id": 3, "instances": [6, 5], "nf": ""}, {"service_id": 1, "instances": [1]}])
    assert got == [{"host": "nf1", "service_id": 1, "instances": [1], "nf": None},
                   {"host": "nf1", "service_id": 3, "instances": [5, 6], "nf": None}]


def test_wanted_services_names_every_problem():
    with pytest.raises(utils.RegistryError) as err:
        utils.wanted_services("nf1", [{"service_id": 0, "instances": [1]}, {"service_id": 2, "instances": [200]}])
    assert str(err.value) == ("services[0].service_id: 0 is not an OpenNetVM service ID 1-31; "
                              "services[1].instances: 200 not OpenNetVM instance IDs 1-127")


def registered(host, sid, instances, seq, nf=None, valid=True):
    return dict(utils.entry(host, sid, instances, nf), znode="/r/services/%d/%s-%010d" % (sid, host, seq),
                valid=valid, sequence="%010d" % seq)


def test_plan_keeps_equal_entries_and_replaces_changed_ones():
    current = [registered("nf1", 1, [1, 2], 0, "snort"), registered("nf2", 1, [1], 1), registered("nf1", 2, [3], 0),
               registered("nf1", 4, [9], 0)]
    wanted = utils.wanted_services("nf1", [{"service_id": 1, "instances": [2, 1], "nf": "snort"},
                                           {"service_id": 2, "instances": [3, 4]}, {"service_id": 3, "instances": [5]}])
    keep, delete, create = utils.plan(current, "nf1", wanted)
    assert [k["znode"] for k in keep] == ["/r/services/1/nf1-0000000000"]
    assert delete == ["/r/services/2/nf1-0000000000", "/r/services/4/nf1-0000000000"]
    assert [(c["service_id"], c["instances"]) for c in create] == [(2, [3, 4]), (3, [5])]


def test_plan_for_absent_deletes_only_the_host():
    current = [registered("nf1", 1, [1], 0), registered("nf2", 1, [1], 1), registered("nf1", 1, [1], 2, valid=False)]
    keep, delete, create = utils.plan(current, "nf1", [])
    assert keep == [] and create == []
    assert delete == ["/r/services/1/nf1-0000000000", "/r/services/1/nf1-0000000002"]


@pytest.mark.parametrize("root", ["/nfvlab/onvm", "/x"])
def test_good_roots(root):
    assert utils.check_root(root) == root


@pytest.mark.parametrize("root", ["", "/", "x", "/x/", "//x", "/x/../y", "/zookeeper", "/zookeeper/quota"])
def test_bad_roots(root):
    with pytest.raises(utils.RegistryError):
        utils.check_root(root)


def test_decode_takes_json_objects_only():
    assert utils.decode(utils.encode({"a": 1})) == {"a": 1}
    assert utils.decode(b"[1]") is None and utils.decode(b"\xff") is None and utils.decode(b"") is None
