# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which DPDK release each Open vSwitch release builds against.

The table is Open vSwitch's own, from Documentation/faq/releases.rst ("What DPDK version
does each Open vSwitch release work with?"). An OVS minor release (3.1.x) needs one DPDK
release (22.11.x); the DPDK patch level is free, the documentation's column only names the
latest stable one tested.

Pure functions over plain data, shared by the filter plugin and the unit tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Open vSwitch release -> the DPDK version in Documentation/faq/releases.rst.
OVS_DPDK_TABLE = (
    ("2.2", "1.6"),
    ("2.3", "1.6"),
    ("2.4", "2.0"),
    ("2.5", "2.2"),
    ("2.6", "16.07.2"),
    ("2.7", "16.11.9"),
    ("2.8", "17.05.2"),
    ("2.9", "17.11.10"),
    ("2.10", "17.11.10"),
    ("2.11", "18.11.9"),
    ("2.12", "18.11.9"),
    ("2.13", "19.11.13"),
    ("2.14", "19.11.13"),
    ("2.15", "20.11.6"),
    ("2.16", "20.11.6"),
    ("2.17", "21.11.9"),
    ("3.0", "21.11.9"),
    ("3.1", "22.11.7"),
    ("3.2", "22.11.7"),
    ("3.3", "23.11.5"),
    ("3.4", "23.11.5"),
    ("3.5", "24.11.3"),
    ("3.6", "24.11.3"),
)

# An optional Debian epoch ("1:"), an optional "v", major.minor[.patch[.more]], then any
# packaging or pre-release suffix starting with -, + or ~ (3.1.0-2+deb12u1, 22.11.11-1~deb12u1).
_VERSION_RE = re.compile(r"^(?:\d+:)?[vV]?(\d+)\.(\d+)((?:\.\d+)*)(?:[-+~].*)?$")


class OvsVersionError(Exception):
    """Raised on a malformed version or an Open vSwitch release missing from the table."""


def parse_version(version):
    """(major, minor, patch) of a version string; patch is None when not given.

    Takes '3.1.0', '3.1', 'v22.11', '22.11.11' and packaging forms like '3.1.0-2+deb12u1',
    '22.11.11-1~deb12u1' or '1:2.17.9-0ubuntu0.22.04.1'. Raises OvsVersionError.
    """
    if isinstance(version, bool) or not isinstance(version, (str, int, float)):
        raise OvsVersionError("%r is not a version like 3.1.0 or 3.1" % (version,))
    match = _VERSION_RE.match(str(version).strip())
    if not match:
        raise OvsVersionError("%r is not a version like 3.1.0 or 3.1" % (version,))
    patch = int(match.group(3).split(".")[1]) if match.group(3) else None
    return int(match.group(1)), int(match.group(2)), patch


def _release(version):
    major, minor = parse_version(version)[:2]
    return major, minor


def known_ovs_releases():
    """The Open vSwitch releases of the table, oldest first ('2.2', ..., '3.6')."""
    return [ovs for ovs, _dpdk in OVS_DPDK_TABLE]


def dpdk_for_ovs(ovs_version):
    """The DPDK release ('22.11') the Open vSwitch release of ``ovs_version`` ('3.1.0') builds
    against. Raises OvsVersionError when the version is malformed or not in the table."""
    wanted = _release(ovs_version)
    for ovs, dpdk in OVS_DPDK_TABLE:
        if _release(ovs) == wanted:
            return ".".join(dpdk.split(".")[:2])
    raise OvsVersionError(
        "Open vSwitch %d.%d is not in the OVS/DPDK compatibility table (known releases: %s)"
        % (wanted[0], wanted[1], ", ".join(known_ovs_releases())))


def _unset(value):
    return value is None or (isinstance(value, str) and not value.strip())


def ovs_dpdk_errors(ovs_version, dpdk_version):
    """Messages saying why ``dpdk_version`` cannot be built with ``ovs_version``; empty when the
    DPDK release (year.month) is the one the Open vSwitch release needs, whatever its patch level."""
    errors = []
    needed = None
    if _unset(ovs_version):
        errors.append("ovs_version is not set: give the Open vSwitch version, e.g. 3.1.0")
    else:
        try:
            needed = dpdk_for_ovs(ovs_version)
        except OvsVersionError as exc:
            errors.append("ovs_version: %s (set ovs_version)" % exc)
    given = None
    if _unset(dpdk_version):
        errors.append("dpdk_version is not set: give the DPDK version, e.g. 22.11.1")
    else:
        try:
            given = _release(dpdk_version)
        except OvsVersionError:
            errors.append("dpdk_version: %r is not a version like 22.11.1 or 22.11 (set dpdk_version)" % (dpdk_version,))
    if needed is not None and given is not None and _release(needed) != given:
        ovs = "%d.%d" % _release(ovs_version)
        errors.append(
            "Open vSwitch %s needs DPDK %s; DPDK %s was given (set dpdk_version or ovs_version)"
            % (ovs, needed, str(dpdk_version).strip()))
    return errors
