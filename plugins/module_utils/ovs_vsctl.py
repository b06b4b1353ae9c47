# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running ovs-vsctl through module.run_command (argument lists, never a shell),
reading OVSDB rows from its JSON output (``ovs-vsctl --format=json list``), and
writing keys and values in ovs-vsctl's own syntax."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.nfvlab.interconnect.plugins.module_utils.command import CommandError

# Open_vSwitch other_config keys that ovs-vswitchd reads only at start-up (DPDK's EAL
# arguments and the like): ovs-vswitchd.conf.db(5) of OVS 3.1 says "Changing this value
# requires restarting the daemon" for each of them, except dpdk-lcore-mask and
# dpdk-alloc-mem, which are EAL arguments too.
RESTART_KEYS = frozenset([
    "dpdk-init", "dpdk-socket-mem", "dpdk-socket-limit", "dpdk-extra", "dpdk-hugepage-dir", "dpdk-lcore-mask",
    "dpdk-alloc-mem", "vhost-sock-dir", "vhost-iommu-support", "vhost-postcopy-support", "per-port-memory",
    "shared-mempool-config", "userspace-tso-enable", "hw-offload", "n-offload-threads", "offload-rebalance",
])

# What ovs-vsctl accepts as a string atom without double quotes (and prints that way).
BARE_ATOM = re.compile(r"^[A-Za-z0-9_.-]+$")


class OvsVsctlError(CommandError):
    """A failed ovs-vsctl command."""


def ovsdb_value(value):
    """One OVSDB JSON value (as ovs-vsctl --format=json prints it) as plain Python:
    a map as a dict, a set as a list (the empty set too), a uuid as its string."""
    if isinstance(value, list) and len(value) == 2 and value[0] in ("map", "set", "uuid", "named-uuid"):
        kind, data = value
        if kind == "map":
            return dict((ovsdb_value(k), ovsdb_value(v)) for k, v in data)
        if kind == "set":
            return [ovsdb_value(v) for v in data]
        return data
    return value


def optional(value):
    """An optional column (min 0, max 1): None when unset (the empty set), else its value."""
    return None if value == [] else value


def rows(text):
    """The rows of `ovs-vsctl --format=json list ...` as dicts."""
    data = json.loads(text) if text.strip() else {"data": [], "headings": []}
    return [dict(zip(data["headings"], [ovsdb_value(v) for v in row])) for row in data["data"]]


def quote(value):
    """A string value in ovs-vsctl's syntax: always in C-style double quotes, so that commas,
    spaces, '=', ':' and quotes survive (e.g. other_config:dpdk-extra="--vdev net_af_xdp0,iface=x")."""
    return '"%s"' % str(value).replace("\\", "\\\\").replace('"', '\\"')


def key(name):
    """A map key in ovs-vsctl's syntax: bare when it may be, else quoted."""
    return name if BARE_ATOM.match(name) else quote(name)


def config_string(value):
    """How a setting is stored in an OVSDB string map: booleans as true/false, numbers as decimal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def map_changes(table, record, column, have, want):
    """ovs-vsctl commands that make the keys of `want` (None = absent) so in map `column` of a record:
    one `set` with every key to add or change, one `remove` with every key to drop. Keys not in
    `want` are left alone. Returns (commands, sorted list of the keys that change)."""
    have = have or {}
    to_set = sorted(k for k, v in want.items() if v is not None and have.get(k) != v)
    to_remove = sorted(k for k, v in want.items() if v is None and k in have)
    commands = []
    if to_set:
        commands.append(["set", table, record] + ["%s:%s=%s" % (column, key(k), quote(want[k])) for k in to_set])
    if to_remove:
        commands.append(["remove", table, record, column] + [key(k) for k in to_remove])
    return commands, sorted(to_set + to_remove)


class OvsVsctl(object):
    """ovs-vsctl with --timeout (seconds for the whole command, including the wait for
    ovs-vswitchd to apply a change; without a running ovs-vswitchd a change times out)."""

    def __init__(self, module, timeout=30):
        self.module = module
        self.bin = module.get_bin_path("ovs-vsctl", required=True)
        self.timeout = timeout
        self.commands = []

    def argv(self, *args):
        return [self.bin, "--timeout=%d" % self.timeout] + [str(arg) for arg in args]

    def run(self, *args):
        argv = self.argv(*args)
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            raise OvsVsctlError(argv, rc, out, err)
        return out

    def list(self, table, columns, *records, **kwargs):
        """Rows of a table (the given records, or all); with if_exists=True records that do not exist are skipped."""
        opts = ["--if-exists"] if kwargs.get("if_exists") else []
        return rows(self.run(*(opts + ["--format=json", "--columns=%s" % ",".join(columns), "list", table] + list(records))))

    def transact(self, commands):
        """Run commands (lists of arguments) as one ovs-vsctl transaction, joined by `--`, unless in
        check mode; record the argument list either way. Returns (argv, stderr)."""
        args = []
        for command in commands:
            if args:
                args.append("--")
            args.extend(command)
        argv = self.argv(*args)
        self.commands.append(argv)
        err = ""
        if not self.module.check_mode:
            rc, out, err = self.module.run_command(argv)
            if rc != 0:
                raise OvsVsctlError(argv, rc, out, err)
        return argv, err
