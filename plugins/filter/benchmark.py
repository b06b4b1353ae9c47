# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the benchmark matrix: the plan of a run (cells, keys, support, what is left)
the lab's fingerprint hash, the processes that restarted during a measurement.
Documentation: benchmark_plan.yml, lab_fingerprint_sha256.yml, process_restarts.yml, benchmark_speed.yml
beside this file; the logic is plugins/module_utils/matrix.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.systemd import restarts
from ansible_collections.nfvlab.interconnect.plugins.module_utils.matrix import (
    MatrixError,
    expand_cells,
    fingerprint_hash,
    plan,
    speed,
)


def _benchmark_plan(experiments, profile, measurement, fingerprint_sha256, records, capabilities, lab_groups, wiring,
                    stand_ins=None, only=None, force=False, ids=None):
    try:
        cells = expand_cells(experiments, profile, measurement or {}, stand_ins=stand_ins, only=only or None, ids=ids or None)
        if only:
            unknown = sorted(set(only) - set(experiments))
            if unknown:
                raise MatrixError("benchmark_experiments_only names unknown experiments %s (known: %s)"
                                  % (", ".join(unknown), ", ".join(sorted(experiments))))
        result = plan(cells, fingerprint_sha256, records or {}, capabilities or {}, lab_groups or {}, list(wiring or []),
                      force=bool(force))
    except MatrixError as exc:
        raise AnsibleFilterError(str(exc))
    result["total"] = len(cells)
    return result


def _lab_fingerprint_sha256(fingerprints):
    if not isinstance(fingerprints, dict):
        raise AnsibleFilterError("lab_fingerprint_sha256: expected host -> fingerprint, got %r" % type(fingerprints).__name__)
    return fingerprint_hash(fingerprints)


def _process_restarts(before, after):
    if not isinstance(before, dict) or not isinstance(after, dict):
        raise AnsibleFilterError("process_restarts: expected host -> systemctl show output, before and after")
    return restarts(before, after)


def _benchmark_speed(summary, runs=None):
    try:
        return speed(summary, runs or [])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("benchmark_speed: not a run summary (%s)" % exc)


class FilterModule(object):
    def filters(self):
        return {
            "benchmark_plan": _benchmark_plan,
            "lab_fingerprint_sha256": _lab_fingerprint_sha256,
            "process_restarts": _process_restarts,
            "benchmark_speed": _benchmark_speed,
        }
