# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs-ofctl as modules use it: argument lists run through module.run_command (never a shell),
the ports of a bridge, the flows of one cookie in a normalised text form, and atomic replacement
or deletion of exactly one cookie's flows.

All commands speak OpenFlow 1.4 (``-O OpenFlow14``): bundles need it, and a fixed version makes
the text OVS prints deterministic (OpenFlow 1.0 dumps print ``load:...->NXM_NX_TUN_ID[]`` where
OpenFlow 1.4 dumps print ``set_field:...->tun_id``). Flow text is written the way OVS 3.1 prints it
(``ovs-ofctl -O OpenFlow14 --no-stats --no-names dump-flows``), and both sides of every comparison
go through normalize_flow()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nfvlab.interconnect.plugins.module_utils.command import CommandError

PROTOCOL = "OpenFlow14"
OFPP_LOCAL = 65534
MAX_PORT_NAME = 15  # OpenFlow port names are 16 bytes, NUL included
COOKIE_PREFIX = 0x4E46  # "NF"

# " 3(h2a1): addr:fa:80:cf:72:a9:bb" and " LOCAL(br-int): addr:..." in `ovs-ofctl show`
_PORT_LINE = re.compile(r"^\s*(\d+|LOCAL)\((.+)\): addr:")
# fields dump-flows prints that are statistics, not part of the flow
_STAT_FIELDS = ("duration", "n_packets", "n_bytes", "idle_age", "hard_age")


class OvsOfctlError(CommandError):
    """A failed ovs-ofctl command."""


def format_cookie(cookie):
    return "0x%x" % cookie


def cookie_match(cookie):
    """The cookie=VALUE/MASK argument that selects exactly this cookie's flows (and no other flow)."""
    return "cookie=%s/-1" % format_cookie(cookie)


def format_port(ofport):
    """An OpenFlow port number as OVS prints it in a match (in_port=LOCAL for the bridge's own port)."""
    return "LOCAL" if ofport == OFPP_LOCAL else str(ofport)


def output_action(ofport):
    """The output action to a port as OVS 3.1 prints it (OpenFlow 1.4)."""
    return "LOCAL" if ofport == OFPP_LOCAL else "output:%d" % ofport


def normalize_flow(line):
    """One flow in a canonical text form: no cookie, no statistics, match fields sorted.

    ' cookie=0x4e46..., table=1, priority=100,reg0=0x1,reg1=0x12 actions=output:5'
    becomes 'table=1, priority=100,reg0=0x1,reg1=0x12 actions=output:5'; table=0 is left out
    as OVS leaves it out. Actions are kept verbatim (their order is their meaning)."""
    line = line.strip()
    if " actions=" in line:
        match, actions = line.split(" actions=", 1)
    elif line.startswith("actions="):
        match, actions = "", line[len("actions="):]
    else:
        match, actions = line, ""
    table = 0
    priority = None
    fields = []
    for token in re.split(r"[,\s]+", match):
        if not token:
            continue
        key, sep, value = token.partition("=")
        if key == "cookie" or key in _STAT_FIELDS:
            continue
        if key == "table" and sep:
            table = int(value, 0)
        elif key == "priority" and sep:
            priority = int(value, 0)
        else:
            fields.append(token)
    head = "" if table == 0 else "table=%d, " % table
    head += "priority=%d" % (32768 if priority is None else priority)
    if fields:
        head += "," + ",".join(sorted(fields))
    return "%s actions=%s" % (head, actions.strip())


class OvsOfctl(object):
    """ovs-ofctl against one bridge, through module.run_command with argument lists."""

    def __init__(self, module, bridge):
        self.module = module
        self.bridge = bridge
        self.bin = module.get_bin_path("ovs-ofctl", required=True)

    def argv(self, *args):
        return [self.bin, "-O", PROTOCOL] + [str(arg) for arg in args]

    def run(self, args, data=None):
        argv = self.argv(*args)
        kwargs = {}
        if data is not None:
            kwargs = dict(data=data, binary_data=True)
        rc, out, err = self.module.run_command(argv, **kwargs)
        if rc != 0:
            raise OvsOfctlError(argv, rc, out, err)
        return out

    # read-only ---------------------------------------------------------------

    def show_argv(self):
        return self.argv("show", self.bridge)

    def ports(self):
        """{port name: OpenFlow port number} of the bridge, from `ovs-ofctl show` (LOCAL is 65534)."""
        return parse_ports(self.run(["show", self.bridge]))

    def dump_argv(self, cookie):
        return self.argv("--no-stats", "--no-names", "dump-flows", self.bridge, cookie_match(cookie))

    def dump_flows(self, cookie):
        """This cookie's flows (all tables) in normalize_flow() form, in the order OVS printed them."""
        out = self.run(["--no-stats", "--no-names", "dump-flows", self.bridge, cookie_match(cookie)])
        return parse_flows(out)

    # changing ------------------------------------------------------------------

    def replace_argv(self):
        return self.argv("--bundle", "add-flows", self.bridge, "-")

    @staticmethod
    def replace_input(cookie, flows):
        """add-flows input that deletes every flow of this cookie and adds `flows` (normalised text)."""
        lines = ["delete %s" % cookie_match(cookie)]
        lines.extend("add cookie=%s, %s" % (format_cookie(cookie), flow) for flow in flows)
        return "\n".join(lines) + "\n"

    def replace_flows(self, cookie, flows):
        """Atomically (one OpenFlow 1.4 bundle) make `flows` the only flows carrying this cookie.
        Flows with any other cookie are not touched: the delete is `delete cookie=C/-1`."""
        return self.run(["--bundle", "add-flows", self.bridge, "-"], data=self.replace_input(cookie, flows))

    def delete_argv(self, cookie):
        return self.argv("del-flows", self.bridge, cookie_match(cookie))

    def delete_flows(self, cookie):
        """Delete this cookie's flows in all tables (one flow_mod, so atomic)."""
        return self.run(["del-flows", self.bridge, cookie_match(cookie)])


def parse_ports(out):
    ports = {}
    for line in out.splitlines():
        found = _PORT_LINE.match(line)
        if found:
            number, name = found.groups()
            ports[name] = OFPP_LOCAL if number == "LOCAL" else int(number)
    return ports


def parse_flows(out):
    flows = []
    for line in out.splitlines():
        line = line.strip()
        # skip reply headers such as "OFPST_FLOW reply (OF1.4) (xid=0x2):" (absent with --no-stats)
        if not line or line.startswith(("OFPST_", "NXST_")) or " reply " in line:
            continue
        flows.append(normalize_flow(line))
    return flows
