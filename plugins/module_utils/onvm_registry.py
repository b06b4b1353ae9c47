# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenNetVM NF-service registry in ZooKeeper, shared by onvm_registry and onvm_registry_info.

Layout under a root (default /nfvlab/onvm):

  <root>/services/<service_id>/<host>-<10-digit sequence>   one per host and service: JSON
      {"host": "nf1", "service_id": 3, "instances": [5, 6], "nf": "snort"}
  <root>/hosts/<host>                                        the host's whole registration: JSON
      {"host": "nf1", "services": [{"service_id": 3, "instances": [5, 6], "nf": "snort"}]}

Every znode is persistent; the service entries are sequential so that a reader can tell an entry that was
replaced from the one before it. A host's changes are written in one ZooKeeper transaction (multi-op).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import logging
import re
import traceback

KAZOO_IMPORT_ERROR = None
try:
    from kazoo.client import KazooClient
    from kazoo.exceptions import KazooException, NoNodeError
    from kazoo.handlers.threading import KazooTimeoutError
except ImportError:
    KAZOO_IMPORT_ERROR = traceback.format_exc()
    KazooClient = None

    class KazooException(Exception):
        pass

    class NoNodeError(KazooException):
        pass

    class KazooTimeoutError(Exception):
        pass


DEFAULT_HOSTS = "127.0.0.1:2181"
DEFAULT_ROOT = "/nfvlab/onvm"
SERVICE_IDS = range(1, 32)  # OpenNetVM: MAX_SERVICES 32, service 0 is reserved
INSTANCE_IDS = range(1, 128)  # OpenNetVM: MAX_NFS 128, instance 0 is the manager
SEQUENCE = re.compile(r"^[0-9]{10}$")
NAME = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.:-]*$")

# kazoo logs its connection attempts as warnings; Python would print them on the module's stderr.
logging.getLogger("kazoo").addHandler(logging.NullHandler())
logging.getLogger("kazoo").propagate = False


class RegistryError(Exception):
    pass


def common_argument_spec():
    return dict(
        hosts=dict(type="str", default=DEFAULT_HOSTS),
        root=dict(type="str", default=DEFAULT_ROOT),
        timeout=dict(type="float", default=10.0),
    )


def check_root(root):
    """The root as an absolute znode path, or RegistryError."""
    parts = root.split("/")[1:]
    if not root.startswith("/") or root == "/" or any(part in ("", ".", "..") for part in parts) \
            or parts[0] == "zookeeper":
        raise RegistryError("root: %r is not an absolute znode path such as /nfvlab/onvm (no trailing /, "
                            "not under /zookeeper)" % root)
    return root


def check_host(host):
    if not host or not NAME.match(host):
        raise RegistryError("host: %r is not an inventory host name (letters, digits, '.', '_', ':', '-'; "
                            "it becomes a znode name)" % host)
    return host


def wanted_services(host, services):
    """The module's services option as sorted registry entries; RegistryError naming every bad one."""
    problems = []
    seen = {}
    entries = []
    for index, service in enumerate(services or []):
        sid = service.get("service_id")
        instances = service.get("instances") or []
        where = "services[%d]" % index
        if sid not in SERVICE_IDS:
            problems.append("%s.service_id: %s is not an OpenNetVM service ID 1-31" % (where, sid))
        elif sid in seen:
            problems.append("%s.service_id: %s is also services[%d]; list every replica of a service in one "
                            "entry's instances" % (where, sid, seen[sid]))
        else:
            seen[sid] = index
        if not instances:
            problems.append("%s.instances: a service needs at least one replica (an OpenNetVM instance ID)" % where)
        bad = [i for i in instances if i not in INSTANCE_IDS]
        if bad:
            problems.append("%s.instances: %s not OpenNetVM instance IDs 1-127"
                            % (where, ", ".join(str(i) for i in bad)))
        if len(set(instances)) != len(instances):
            problems.append("%s.instances: %s lists an instance twice" % (where, instances))
        entries.append(entry(host, sid, instances, service.get("nf")))
    if problems:
        raise RegistryError("; ".join(problems))
    return sorted(entries, key=lambda e: e["service_id"])


def entry(host, service_id, instances, nf=None):
    return {"host": host, "service_id": service_id, "instances": sorted(instances), "nf": nf or None}


def encode(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def decode(raw):
    """A znode's JSON data, or None when it is not a JSON object."""
    try:
        data = json.loads((raw or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def services_path(root, service_id=None):
    return "%s/services" % root if service_id is None else "%s/services/%s" % (root, service_id)


def host_path(root, host):
    return "%s/hosts/%s" % (root, host)


def children(client, path):
    try:
        return sorted(client.get_children(path))
    except NoNodeError:
        return []


def read_data(client, path):
    """(raw bytes) or None when the node is gone."""
    try:
        return client.get(path)[0]
    except NoNodeError:
        return None


def entry_owner(name):
    """(host, sequence) of a service entry's znode name, or None."""
    host, sep, sequence = name.rpartition("-")
    if not sep or not host or not SEQUENCE.match(sequence):
        return None
    return host, sequence


def read_registry(client, root):
    """Every service entry: a list of dicts host, service_id, instances, nf, znode, valid (sorted by service ID,
    then sequence). An entry whose data is not what the layout says is returned with valid=False."""
    found = []
    for sid_name in children(client, services_path(root)):
        for name in children(client, services_path(root, sid_name)):
            owner = entry_owner(name)
            path = "%s/%s" % (services_path(root, sid_name), name)
            raw = read_data(client, path)
            if raw is None:
                continue
            data = decode(raw)
            valid = bool(owner and data and data.get("host") == owner[0] and str(data.get("service_id")) == sid_name
                         and isinstance(data.get("instances"), list))
            item = {"host": owner[0] if owner else None, "service_id": int(sid_name) if sid_name.isdigit() else sid_name,
                    "instances": sorted(data.get("instances") or []) if valid else [],
                    "nf": data.get("nf") if valid else None, "znode": path, "valid": valid,
                    "sequence": owner[1] if owner else ""}
            found.append(item)
    return sorted(found, key=lambda e: (str(e["service_id"]).zfill(3), e["sequence"]))


def read_hosts(client, root):
    """host -> the data of <root>/hosts/<host> (None when it is not JSON)."""
    hosts = {}
    for name in children(client, "%s/hosts" % root):
        raw = read_data(client, host_path(root, name))
        if raw is not None:
            hosts[name] = decode(raw)
    return hosts


def plan(registered, host, wanted):
    """What to delete and create so that this host's entries are exactly `wanted`.

    registered: read_registry() output; returns (keep, delete, create): entries kept (with their znode), znode
    paths to delete, entries to create. A changed entry is deleted and created again; an entry of the host that
    does not follow the layout, or a second entry for the same service, is deleted."""
    mine = [e for e in registered if e["host"] == host]
    want = dict((e["service_id"], e) for e in wanted)
    keep, delete = [], []
    kept_ids = set()
    for current in mine:
        sid = current["service_id"]
        target = want.get(sid)
        if current["valid"] and target and sid not in kept_ids and same(current, target):
            keep.append(dict(target, znode=current["znode"]))
            kept_ids.add(sid)
        else:
            delete.append(current["znode"])
    create = [e for e in wanted if e["service_id"] not in kept_ids]
    return keep, delete, create


def same(a, b):
    return (a["service_id"], sorted(a["instances"]), a.get("nf") or None) == \
        (b["service_id"], sorted(b["instances"]), b.get("nf") or None)


def public(entries):
    """Entries as the diff shows them: service_id, instances, nf (no znode paths, which change on rewrite)."""
    return [{"service_id": e["service_id"], "instances": e["instances"], "nf": e.get("nf")}
            for e in sorted(entries, key=lambda e: e["service_id"])]


def host_record(host, entries):
    """The data of <root>/hosts/<host>: the host's whole registration."""
    return {"host": host, "services": public(entries)}


def apply(client, root, host, delete, create, record):
    """Delete and create the entries and write <root>/hosts/<host> (record; None: delete it) in one transaction.

    Returns the created entries with their znode paths. Parent znodes are made first, outside the transaction
    (an empty parent is harmless and may be shared with other hosts)."""
    client.ensure_path("%s/hosts" % root)
    for item in create:
        client.ensure_path(services_path(root, item["service_id"]))
    hpath = host_path(root, host)
    exists = client.exists(hpath) is not None
    txn = client.transaction()
    for path in delete:
        txn.delete(path)
    for item in create:
        txn.create("%s/%s-" % (services_path(root, item["service_id"]), host), encode(item), sequence=True)
    if record is None:
        if exists:
            txn.delete(hpath)
    elif exists:
        txn.set_data(hpath, encode(record))
    else:
        txn.create(hpath, encode(record))
    results = txn.commit()
    errors = [r for r in results if isinstance(r, Exception)]
    if errors:
        raise RegistryError("the ZooKeeper transaction was rolled back (another writer changed %s meanwhile?): %s"
                            % (root, ", ".join(sorted(set(type(e).__name__ for e in errors)))))
    return [dict(item, znode=path) for item, path in zip(create, results[len(delete):len(delete) + len(create)])]


class Registry(object):
    """A started KazooClient for a module; use as a context manager."""

    def __init__(self, module):
        self.module = module
        self.hosts = module.params["hosts"]
        self.timeout = module.params["timeout"]
        self.client = None

    def __enter__(self):
        try:
            self.client = KazooClient(hosts=self.hosts, timeout=self.timeout)
            self.client.start(timeout=self.timeout)
        except KazooTimeoutError:
            self.close()
            self.module.fail_json(msg="cannot reach ZooKeeper at %s: no session within %ss (is the zookeeper role's "
                                      "service running and its port open?)" % (self.hosts, self.timeout))
        except (KazooException, ValueError, OSError) as exc:
            self.close()
            self.module.fail_json(msg="cannot reach ZooKeeper at %s: %s" % (self.hosts, exc))
        return self.client

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def close(self):
        if self.client is not None:
            try:
                self.client.stop()
                self.client.close()
            except Exception:  # pylint: disable=broad-except
                pass
            self.client = None
