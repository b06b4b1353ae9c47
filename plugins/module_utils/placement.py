# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where each NF of a service chain runs, after Liu et al., "Design Challenges for High
Performance, Scalable NFV Interconnects" (KBNets '17).

Two placement policies over the NF servers hung off the chaining server:

* shortcut (sc): the chain is cut into consecutive blocks, one per NF server (the first
  server gets the first half, rounded up); a packet enters a server once and runs through
  its whole block there.
* back-and-forth (bf): consecutive NFs alternate between the servers, so every hop goes
  back through the chaining server.

Pure functions over plain data, shared by the filter plugin and the unit tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SHORTCUT = "shortcut"
BACK_AND_FORTH = "back-and-forth"
POLICIES = {
    "shortcut": SHORTCUT,
    "sc": SHORTCUT,
    "back-and-forth": BACK_AND_FORTH,
    "bf": BACK_AND_FORTH,
}
WIRINGS = ("multi-host", "single-host")
_DIGITS_RE = re.compile(r"^\s*\d+\s*$")


class PlacementError(Exception):
    """Raised when a chain cannot be placed; the message names the reason and the numbers."""


def canonical_policy(policy):
    """'shortcut' or 'back-and-forth' for a policy name or its alias (sc, bf)."""
    key = policy.strip().lower() if isinstance(policy, str) else policy
    try:
        return POLICIES[key]
    except (KeyError, TypeError):
        raise PlacementError("unknown placement policy '%s': choose shortcut (sc) or back-and-forth (bf)" % (policy,))


def _whole_number(value, what, least):
    """value as an int (ints and strings of digits), at least ``least``."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS_RE.match(value):
        number = int(value)
    else:
        number = None
    if number is None or number < least:
        raise PlacementError("%s must be a whole number of at least %d, got %r" % (what, least, value))
    return number


def _servers(nf_servers):
    if isinstance(nf_servers, str) or not isinstance(nf_servers, (list, tuple)) or not nf_servers:
        raise PlacementError("nf_servers must be a non-empty list of NF server host names, got %r" % (nf_servers,))
    seen = set()
    for host in nf_servers:
        if not isinstance(host, str) or not host:
            raise PlacementError("nf_servers must hold host names, got %r" % (host,))
        if host in seen:
            raise PlacementError("nf_servers names %s twice" % host)
        seen.add(host)
    return list(nf_servers)


def _slots(slots, servers):
    """host -> number of NF slots (None: unlimited)."""
    if slots is None:
        return dict((host, None) for host in servers)
    if isinstance(slots, dict):
        unknown = sorted(str(host) for host in slots if host not in servers)
        if unknown:
            raise PlacementError("slots names host(s) %s that are not NF servers (%s)" % (", ".join(unknown), ", ".join(servers)))
        missing = [host for host in servers if host not in slots]
        if missing:
            raise PlacementError("slots gives no number of NF slots for %s" % ", ".join(missing))
        return dict((host, _whole_number(slots[host], "slots for %s" % host, 0)) for host in servers)
    number = _whole_number(slots, "slots", 0)
    return dict((host, number) for host in servers)


def _describe_slots(slots, servers):
    """'6 NF slots on nf1, nf2 (3 each)' for the hosts given."""
    total = sum(slots[host] for host in servers)
    text = "%d NF slot%s on %s" % (total, "" if total == 1 else "s", ", ".join(servers))
    if len(servers) > 1:
        numbers = set(slots[host] for host in servers)
        if len(numbers) == 1:
            text += " (%d each)" % numbers.pop()
        else:
            text += " (%s)" % ", ".join("%s: %d" % (host, slots[host]) for host in servers)
    return text


def _check_fits(length, slots, servers, why=""):
    if any(slots[host] is None for host in servers):
        return
    if length > sum(slots[host] for host in servers):
        raise PlacementError("chain of %d NF%s does not fit: %s%s" % (length, "" if length == 1 else "s", _describe_slots(slots, servers), why))


def _shortcut_counts(length, servers, slots):
    """NFs per server: contiguous blocks as even as possible (earlier servers get the extra),
    spilling what a server has no slots for onto the next one (and, past the last, back onto
    the earlier ones with room)."""
    base, extra = divmod(length, len(servers))
    counts = [base + (1 if index < extra else 0) for index in range(len(servers))]
    carry = 0
    for index, host in enumerate(servers):
        wanted = counts[index] + carry
        room = slots[host]
        counts[index] = wanted if room is None else min(wanted, room)
        carry = wanted - counts[index]
    for index in range(len(servers) - 1, -1, -1):
        if not carry:
            break
        room = slots[servers[index]]
        take = carry if room is None else min(carry, room - counts[index])
        counts[index] += take
        carry -= take
    return counts


def chain_placement(length, nf_servers, policy, slots=None, wiring="multi-host"):
    """Place a chain of ``length`` NFs on ``nf_servers`` with ``policy``.

    ``slots`` is the number of NFs a server can run: an int for every server, a dict
    host -> int, or None for no limit. With ``wiring`` 'single-host' the whole chain runs on
    the first server and never crosses a link (the policy is still validated).

    Returns {policy, length, wiring, hops: [{index, host, slot}], segments: [{host, hops}],
    traversals, hosts: {host: count}}; ``traversals`` counts the crossings of a link between
    the chaining server and an NF server: two per segment (in and back out) in multi-host.
    Raises PlacementError.
    """
    name = canonical_policy(policy)
    if wiring not in WIRINGS:
        raise PlacementError("unknown wiring '%s': choose %s" % (wiring, " or ".join(WIRINGS)))
    length = _whole_number(length, "the chain length (number of NFs)", 1)
    servers = _servers(nf_servers)
    room = _slots(slots, servers)

    if wiring == "single-host":
        _check_fits(length, room, servers[:1], " (single-host wiring runs the whole chain on the first NF server)")
        hosts = [servers[0]] * length
    elif name == SHORTCUT:
        _check_fits(length, room, servers)
        hosts = []
        for host, count in zip(servers, _shortcut_counts(length, servers, room)):
            hosts.extend([host] * count)
    else:
        _check_fits(length, room, servers)
        hosts = [servers[index % len(servers)] for index in range(length)]
        for host in servers:
            share = hosts.count(host)
            if room[host] is not None and share > room[host]:
                raise PlacementError(
                    "chain of %d NFs does not fit back-and-forth: %s gets %d of them but has %d NF slot%s (%s)"
                    % (length, host, share, room[host], "" if room[host] == 1 else "s", _describe_slots(room, servers)))

    counts = dict((host, 0) for host in servers)
    hops = []
    segments = []
    for index, host in enumerate(hosts, 1):
        counts[host] += 1
        hops.append({"index": index, "host": host, "slot": counts[host]})
        if segments and segments[-1]["host"] == host:
            segments[-1]["hops"].append(index)
        else:
            segments.append({"host": host, "hops": [index]})
    return {
        "policy": name,
        "length": length,
        "wiring": wiring,
        "hops": hops,
        "segments": segments,
        "traversals": 0 if wiring == "single-host" else 2 * len(segments),
        "hosts": counts,
    }
