# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading `systemctl show --property=Id,MainPID <unit>...` (KEY=VALUE blocks, one per
unit, separated by blank lines) and telling which units restarted between two readings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def parse_show(text):
    """{unit id: {property: value}} from systemctl show's output."""
    units = {}
    for block in (text or "").strip().split("\n\n"):
        props = {}
        for line in block.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                props[key.strip()] = value.strip()
        if props.get("Id"):
            units[props["Id"]] = props
    return units


def restarts(before, after):
    """Messages for each unit whose main PID changed or went away between the readings.

    before/after: {host: systemctl show output}. A unit not running before (MainPID 0) is not
    watched; a host with no reading before is not watched either."""
    messages = []
    for host in sorted(before):
        was = parse_show(before[host])
        now = parse_show(after.get(host, ""))
        for unit in sorted(was):
            pid = was[unit].get("MainPID", "0")
            if pid in ("", "0"):
                continue
            new = now.get(unit, {}).get("MainPID", "0")
            if new != pid:
                messages.append("%s: %s %s during the measurement (PID %s -> %s)"
                                % (host, unit, "stopped" if new in ("", "0") else "restarted", pid, new or "none"))
    return messages
