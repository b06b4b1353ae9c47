"""nfvlab.interconnect.onvm_registry and onvm_registry_info against an in-memory ZooKeeper that behaves like kazoo's
client (sequential names from the parent's child version, NoNodeError, NodeExistsError, NotEmptyError, transactions
that roll back as a whole): registration, idempotent rerun, a changed service, a second host, state=absent, check
mode writing nothing, diff content, bad input refused before connecting, the require failure, connection errors."""

import copy
import json

import pytest

from kazoo.exceptions import NodeExistsError, NoNodeError, NotEmptyError, RolledBackError
from kazoo.handlers.threading import KazooTimeoutError

from ansible_collections.nfvlab.interconnect.plugins.module_utils import onvm_registry as utils
from ansible_collections.nfvlab.interconnect.plugins.modules import onvm_registry, onvm_registry_info

from .run_command_cases import call_main

ROOT = "/nfvlab/onvm"
NF1 = [{"service_id": 1, "instances": [2, 1], "nf": "snort"}, {"service_id": 2, "instances": [3], "nf": "l2fwd"}]


class Stat(object):
    def __init__(self, node):
        self.cversion = node["cversion"]
        self.numChildren = 0


class FakeZooKeeper(object):
    """The part of kazoo.client.KazooClient the modules use, on a dict of znodes."""

    def __init__(self):
        self.nodes = {"/": self.node(b""), "/zookeeper": self.node(b"")}
        self.writes = []
        self.started = False
        self.connect = None
        self.fail_start = None
        self.fail_op = None  # (op, path): that operation of a transaction fails

    @staticmethod
    def node(data):
        return {"data": data, "cversion": 0}

    # what KazooClient(hosts=..., timeout=...) returns
    def __call__(self, hosts=None, timeout=None):
        self.connect = (hosts, timeout)
        return self

    def start(self, timeout=15):
        if self.fail_start is not None:
            raise self.fail_start  # pylint: disable=raising-bad-type
        self.started = True

    def stop(self):
        self.started = False

    def close(self):
        pass

    @staticmethod
    def parent(path):
        return path.rsplit("/", 1)[0] or "/"

    def kids(self, path):
        prefix = path.rstrip("/") + "/"
        return sorted(p[len(prefix):] for p in self.nodes if p.startswith(prefix) and "/" not in p[len(prefix):] and p != "/")

    def exists(self, path):
        return Stat(self.nodes[path]) if path in self.nodes else None

    def get(self, path):
        assert self.started
        if path not in self.nodes:
            raise NoNodeError()
        return self.nodes[path]["data"], Stat(self.nodes[path])

    def get_children(self, path):
        assert self.started
        if path not in self.nodes:
            raise NoNodeError()
        return self.kids(path)

    def create(self, path, value=b"", sequence=False, makepath=False):
        assert isinstance(value, bytes)
        parent = self.parent(path)
        if parent not in self.nodes:
            if not makepath:
                raise NoNodeError()
            self.ensure_path(parent)
        if sequence:
            path = "%s%010d" % (path, self.nodes[parent]["cversion"])
        if path in self.nodes:
            raise NodeExistsError()
        self.nodes[parent]["cversion"] += 1
        self.nodes[path] = self.node(value)
        self.writes.append(("create", path))
        return path

    def ensure_path(self, path):
        parts = path.strip("/").split("/")
        for index in range(1, len(parts) + 1):
            sub = "/" + "/".join(parts[:index])
            if sub not in self.nodes:
                self.create(sub)
        return True

    def delete(self, path):
        if path not in self.nodes:
            raise NoNodeError()
        if self.kids(path):
            raise NotEmptyError()
        del self.nodes[path]
        self.nodes[self.parent(path)]["cversion"] += 1
        self.writes.append(("delete", path))
        return True

    def set_data(self, path, value):
        if path not in self.nodes:
            raise NoNodeError()
        self.nodes[path]["data"] = value
        self.writes.append(("set_data", path))
        return Stat(self.nodes[path])

    def transaction(self):
        return FakeTransaction(self)

    # test helpers
    def data(self, path):
        return json.loads(self.nodes[path]["data"].decode())

    def entries(self):
        return sorted(p for p in self.nodes if p.startswith(ROOT + "/services/") and p.count("/") == 5)


class FakeTransaction(object):
    def __init__(self, zk):
        self.zk = zk
        self.ops = []

    def create(self, path, value=b"", sequence=False):
        self.ops.append(("create", path, dict(value=value, sequence=sequence)))

    def delete(self, path):
        self.ops.append(("delete", path, {}))

    def set_data(self, path, value):
        self.ops.append(("set_data", path, dict(value=value)))

    def commit(self):
        saved = copy.deepcopy((self.zk.nodes, self.zk.writes))
        results = []
        for index, (op, path, kwargs) in enumerate(self.ops):
            try:
                if self.zk.fail_op == (op, path):
                    raise NoNodeError()
                results.append(getattr(self.zk, op)(path, **kwargs))
            except (NoNodeError, NodeExistsError, NotEmptyError) as exc:
                self.zk.nodes, self.zk.writes = saved
                return [RolledBackError() for dummy in range(index)] + [exc] + [RolledBackError() for dummy in self.ops[index + 1:]]
        return results


@pytest.fixture()
def zk(monkeypatch):
    fake = FakeZooKeeper()
    monkeypatch.setattr(utils, "KazooClient", fake)
    return fake


def register(capsys, host="nf1", services=None, check=False, diff=False, **extra):
    args = dict(host=host, services=NF1 if services is None else services, **extra)
    return call_main(onvm_registry.main, args, capsys, check=check, diff=diff)


def info(capsys, **args):
    return call_main(onvm_registry_info.main, args, capsys)


def test_registers_each_service_as_a_sequential_znode_and_the_host_record(zk, capsys):
    result = register(capsys)
    assert result["changed"] and not result.get("failed"), result
    assert zk.connect == ("127.0.0.1:2181", 10.0)
    assert result["created"] == [ROOT + "/services/1/nf1-0000000000", ROOT + "/services/2/nf1-0000000000"]
    assert result["deleted"] == []
    assert result["registry"] == "127.0.0.1:2181/nfvlab/onvm"
    assert zk.data(ROOT + "/services/1/nf1-0000000000") == {"host": "nf1", "service_id": 1, "instances": [1, 2], "nf": "snort"}
    assert zk.data(ROOT + "/services/2/nf1-0000000000") == {"host": "nf1", "service_id": 2, "instances": [3], "nf": "l2fwd"}
    assert zk.data(ROOT + "/hosts/nf1") == {"host": "nf1", "services": [
        {"service_id": 1, "instances": [1, 2], "nf": "snort"}, {"service_id": 2, "instances": [3], "nf": "l2fwd"}]}
    assert [(e["service_id"], e["znode"]) for e in result["registered"]] == [
        (1, ROOT + "/services/1/nf1-0000000000"), (2, ROOT + "/services/2/nf1-0000000000")]
    assert not zk.started  # the session is closed


def test_rerun_is_idempotent_and_writes_nothing(zk, capsys):
    register(capsys)
    zk.writes[:] = []
    result = register(capsys, diff=True)
    assert not result["changed"]
    assert result["created"] == [] and result["deleted"] == [] and zk.writes == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert [e["znode"] for e in result["registered"]] == [ROOT + "/services/1/nf1-0000000000", ROOT + "/services/2/nf1-0000000000"]


def test_a_changed_service_is_deleted_and_created_again_the_others_kept(zk, capsys):
    register(capsys)
    zk.writes[:] = []
    wanted = [{"service_id": 1, "instances": [1, 2, 4], "nf": "snort"}, NF1[1], {"service_id": 5, "instances": [7]}]
    result = register(capsys, services=wanted, diff=True)
    assert result["changed"]
    assert result["deleted"] == [ROOT + "/services/1/nf1-0000000000"]
    # the parent's child version counts creations and deletions: the new name differs from the old one
    assert result["created"] == [ROOT + "/services/1/nf1-0000000002", ROOT + "/services/5/nf1-0000000000"]
    assert zk.entries() == [ROOT + "/services/1/nf1-0000000002", ROOT + "/services/2/nf1-0000000000",
                            ROOT + "/services/5/nf1-0000000000"]
    assert zk.data(ROOT + "/services/5/nf1-0000000000") == {"host": "nf1", "service_id": 5, "instances": [7], "nf": None}
    assert [s["service_id"] for s in zk.data(ROOT + "/hosts/nf1")["services"]] == [1, 2, 5]
    assert result["diff"]["before"] == {"host": "nf1", "services": [
        {"service_id": 1, "instances": [1, 2], "nf": "snort"}, {"service_id": 2, "instances": [3], "nf": "l2fwd"}]}
    assert result["diff"]["after"] == {"host": "nf1", "services": [
        {"service_id": 1, "instances": [1, 2, 4], "nf": "snort"}, {"service_id": 2, "instances": [3], "nf": "l2fwd"},
        {"service_id": 5, "instances": [7], "nf": None}]}
    assert result["diff"]["before_header"] == "127.0.0.1:2181/nfvlab/onvm nf1"
    # the new service's parent first, then one transaction: every delete and create, and the host record
    assert zk.writes == [("create", ROOT + "/services/5"), ("delete", ROOT + "/services/1/nf1-0000000000"),
                         ("create", ROOT + "/services/1/nf1-0000000002"), ("create", ROOT + "/services/5/nf1-0000000000"),
                         ("set_data", ROOT + "/hosts/nf1")]


def test_a_second_host_shares_a_service_without_touching_the_first(zk, capsys):
    register(capsys)
    before = dict((p, n["data"]) for p, n in zk.nodes.items() if "/nf1" in p)
    result = register(capsys, host="nf2", services=[{"service_id": 1, "instances": [1], "nf": "snort"}])
    assert result["created"] == [ROOT + "/services/1/nf2-0000000001"]
    assert dict((p, n["data"]) for p, n in zk.nodes.items() if "/nf1" in p) == before
    found = info(capsys)
    assert found["services"] == {
        "1": [{"host": "nf1", "instances": [1, 2], "nf": "snort", "znode": ROOT + "/services/1/nf1-0000000000"},
              {"host": "nf2", "instances": [1], "nf": "snort", "znode": ROOT + "/services/1/nf2-0000000001"}],
        "2": [{"host": "nf1", "instances": [3], "nf": "l2fwd", "znode": ROOT + "/services/2/nf1-0000000000"}]}
    assert sorted(found["hosts"]) == ["nf1", "nf2"]
    assert found["hosts"]["nf2"] == {"host": "nf2", "services": [{"service_id": 1, "instances": [1], "nf": "snort"}]}
    assert found["invalid"] == [] and found["missing"] == [] and not found["changed"]


def test_absent_removes_the_host_and_leaves_the_other(zk, capsys):
    register(capsys)
    register(capsys, host="nf2", services=[{"service_id": 1, "instances": [1]}])
    result = register(capsys, state="absent", diff=True)
    assert result["changed"]
    assert sorted(result["deleted"]) == [ROOT + "/services/1/nf1-0000000000", ROOT + "/services/2/nf1-0000000000"]
    assert result["registered"] == [] and result["diff"]["after"] == {"host": "nf1", "services": []}
    assert zk.entries() == [ROOT + "/services/1/nf2-0000000001"]
    assert ROOT + "/hosts/nf1" not in zk.nodes and ROOT + "/hosts/nf2" in zk.nodes
    again = register(capsys, state="absent")
    assert not again["changed"]


def test_check_mode_reports_and_writes_nothing(zk, capsys):
    result = register(capsys, check=True, diff=True)
    assert result["changed"]
    assert result["created"] == [ROOT + "/services/1/nf1-", ROOT + "/services/2/nf1-"]
    assert [e["znode"] for e in result["registered"]] == [None, None]
    assert result["diff"]["before"] == {"host": "nf1", "services": []}
    assert len(result["diff"]["after"]["services"]) == 2
    assert zk.writes == []
    register(capsys)
    zk.writes[:] = []
    assert register(capsys, state="absent", check=True)["changed"]
    assert register(capsys, services=[NF1[0]], check=True)["deleted"] == [ROOT + "/services/2/nf1-0000000000"]
    assert zk.writes == []


def test_a_broken_or_duplicate_entry_of_the_host_is_replaced(zk, capsys):
    zk.ensure_path(ROOT + "/services/1")
    zk.create(ROOT + "/services/1/nf1-", b"not json", sequence=True)
    zk.create(ROOT + "/services/1/nf1-", utils.encode(utils.entry("nf1", 1, [1, 2], "snort")), sequence=True)
    zk.create(ROOT + "/services/1/nf1-", utils.encode(utils.entry("nf1", 1, [1, 2], "snort")), sequence=True)
    zk.create(ROOT + "/services/1/other-name", b"{}")
    found = info(capsys)
    assert sorted(found["invalid"]) == [ROOT + "/services/1/nf1-0000000000", ROOT + "/services/1/other-name"]
    result = register(capsys, services=[NF1[0]])
    assert result["deleted"] == [ROOT + "/services/1/nf1-0000000000", ROOT + "/services/1/nf1-0000000002"]
    assert result["created"] == []
    assert [e["znode"] for e in result["registered"]] == [ROOT + "/services/1/nf1-0000000001"]
    assert ROOT + "/services/1/other-name" in zk.nodes  # not this host's


@pytest.mark.parametrize("services,message", [
    ([{"service_id": 0, "instances": [1]}], "services[0].service_id: 0 is not an OpenNetVM service ID 1-31"),
    ([{"service_id": 32, "instances": [1]}], "32 is not an OpenNetVM service ID 1-31"),
    ([{"service_id": 1, "instances": []}], "services[0].instances: a service needs at least one replica"),
    ([{"service_id": 1, "instances": [0, 128]}], "services[0].instances: 0, 128 not OpenNetVM instance IDs 1-127"),
    ([{"service_id": 1, "instances": [1]}, {"service_id": 1, "instances": [2]}], "services[1].service_id: 1 is also services[0]"),
    ([{"service_id": 1, "instances": [1, 1]}], "lists an instance twice"),
])
def test_bad_services_stop_before_connecting(zk, capsys, services, message):
    result = register(capsys, services=services)
    assert result["failed"] and message in result["msg"], result
    assert zk.connect is None


@pytest.mark.parametrize("args,message", [
    (dict(root="nfvlab"), "root: 'nfvlab' is not an absolute znode path"),
    (dict(root="/nfvlab/"), "is not an absolute znode path"),
    (dict(root="/zookeeper/x"), "not under /zookeeper"),
    (dict(host="nf1/x"), "host: 'nf1/x' is not an inventory host name"),
])
def test_bad_root_or_host(zk, capsys, args, message):
    result = register(capsys, **args)
    assert result["failed"] and message in result["msg"]
    assert zk.connect is None


def test_require_names_every_unregistered_service(zk, capsys):
    register(capsys)
    assert info(capsys, require=[1, 2])["missing"] == []
    result = info(capsys, require=[2, 7, 1, 9, 7], hosts="chain:2181")
    assert result["failed"]
    assert result["missing"] == [7, 9]
    assert result["msg"] == ("service 7 is not registered on any host (registry chain:2181/nfvlab/onvm); "
                             "service 9 is not registered on any host (registry chain:2181/nfvlab/onvm)")
    assert sorted(result["services"]) == ["1", "2"]


def test_info_on_an_empty_zookeeper(zk, capsys):
    result = info(capsys, root="/nowhere")
    assert result["services"] == {} and result["hosts"] == {} and not result["changed"]
    assert info(capsys, require=[3])["msg"] == "service 3 is not registered on any host (registry 127.0.0.1:2181/nfvlab/onvm)"


def test_no_session_names_the_connect_string(zk, capsys):
    zk.fail_start = KazooTimeoutError("Connection time-out")
    for main, args in ((onvm_registry.main, dict(host="nf1", services=NF1)), (onvm_registry_info.main, {})):
        result = call_main(main, dict(args, hosts="10.99.0.1:2181", timeout=0.5), capsys)
        assert result["failed"]
        assert result["msg"].startswith("cannot reach ZooKeeper at 10.99.0.1:2181: no session within 0.5s")


def test_a_rolled_back_transaction_fails_and_changes_nothing(zk, capsys):
    register(capsys)
    zk.fail_op = ("delete", ROOT + "/services/1/nf1-0000000000")
    saved = copy.deepcopy(zk.nodes)
    result = register(capsys, services=[NF1[1]])
    assert result["failed"]
    assert "registry 127.0.0.1:2181/nfvlab/onvm, host nf1: the ZooKeeper transaction was rolled back" in result["msg"]
    assert zk.nodes == saved


def test_missing_kazoo_is_reported(monkeypatch, capsys):
    for module in (onvm_registry, onvm_registry_info):
        monkeypatch.setattr(module, "KAZOO_IMPORT_ERROR", "Traceback: No module named 'kazoo'")
        result = call_main(module.main, dict(host="nf1") if module is onvm_registry else {}, capsys)
        assert result["failed"] and "Failed to import the required Python library (kazoo)" in result["msg"]
