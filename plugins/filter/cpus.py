# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over CPU sets: Linux cpulists as lists of CPU numbers, and the Open vSwitch
PMD CPU mask. Documentation: cpu_list.yml and pmd_cpu_mask.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.cpus import (
    CpuError,
    cpu_list,
    pmd_cpu_mask,
)


def _cpu_list(value):
    try:
        return cpu_list(value)
    except CpuError as exc:
        raise AnsibleFilterError(str(exc))


def _pmd_cpu_mask(numa_cpus, threads, numa_node=0, reserved=None):
    try:
        return pmd_cpu_mask(numa_cpus, threads, numa_node, [0] if reserved is None else reserved)
    except CpuError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {
            "cpu_list": _cpu_list,
            "pmd_cpu_mask": _pmd_cpu_mask,
        }
