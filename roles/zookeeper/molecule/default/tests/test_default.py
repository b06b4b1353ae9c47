"""ZooKeeper from Debian's package as nfvlab-zookeeper, and the registry the converge wrote for nf1 and nf2,
read with kazoo inside the container and checked against the documented layout."""

import json
import re

import pytest

ROOT = "/nfvlab/onvm"
DUMP = """
import json
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:2181")
zk.start(timeout=10)
tree = {}
def walk(path):
    data, stat = zk.get(path)
    tree[path] = {"data": data.decode(), "ephemeral": bool(stat.ephemeralOwner)}
    for child in zk.get_children(path):
        walk(path.rstrip("/") + "/" + child)
walk("/nfvlab")
print(json.dumps({"ruok": zk.command(b"ruok"), "tree": tree}))
zk.stop()
"""
WANTED = {
    "nf1": [{"service_id": 1, "instances": [1, 2], "nf": "snort"}, {"service_id": 2, "instances": [3], "nf": "l2fwd"}],
    "nf2": [{"service_id": 1, "instances": [1], "nf": "snort"}, {"service_id": 3, "instances": [2], "nf": None}],
}


@pytest.fixture(scope="module")
def registry(host):
    return json.loads(host.check_output("python3 -c %s", DUMP))


def test_server_runs_from_the_package_as_zookeeper(host):
    assert host.package("zookeeper").version.startswith("3.8.0")
    assert host.package("python3-kazoo").version.startswith("2.8.0")
    unit = host.service("nfvlab-zookeeper.service")
    assert unit.is_running and unit.is_enabled
    pid = host.check_output("systemctl show -p MainPID --value nfvlab-zookeeper.service")
    assert host.check_output("ps -o user= -p %s" % pid) == "zookeeper"
    cmdline = host.file("/proc/%s/cmdline" % pid).content_string.split("\0")
    assert "-Xmx64m" in cmdline and "org.apache.zookeeper.server.quorum.QuorumPeerMain" in cmdline


def test_client_port_listens_and_admin_server_is_off(host):
    assert host.socket("tcp://0.0.0.0:2181").is_listening
    assert not host.socket("tcp://8080").is_listening
    assert "admin.enableServer=false" in host.file("/etc/zookeeper/nfvlab/zoo.cfg").content_string


def test_ruok(registry):
    assert registry["ruok"] == "imok"


def test_service_entries_follow_the_layout(registry):
    tree = registry["tree"]
    entries = dict((path, node) for path, node in tree.items() if path.count("/") == 5 and path.startswith(ROOT + "/services/"))
    found = {}
    for path, node in entries.items():
        sid, name = path.split("/")[-2:]
        match = re.match(r"^(nf[12])-([0-9]{10})$", name)
        assert match, path
        assert not node["ephemeral"], path
        data = json.loads(node["data"])
        assert data["host"] == match.group(1) and str(data["service_id"]) == sid
        found.setdefault(data["host"], []).append({k: data[k] for k in ("service_id", "instances", "nf")})
    assert dict((h, sorted(s, key=lambda e: e["service_id"])) for h, s in found.items()) == WANTED


@pytest.mark.parametrize("name", sorted(WANTED))
def test_host_records(registry, name):
    node = registry["tree"]["%s/hosts/%s" % (ROOT, name)]
    assert not node["ephemeral"]
    assert json.loads(node["data"]) == {"host": name, "services": WANTED[name]}
