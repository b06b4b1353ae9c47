# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CPU lists and the Open vSwitch PMD CPU mask.

Linux writes sets of CPUs as cpulists ("0-3,8,10-11", e.g. in
/sys/devices/system/node/node<N>/cpulist); OVS-DPDK takes the CPUs of its
poll-mode-driver threads as a hex mask (other_config:pmd-cpu-mask=0x6).

Pure functions over plain data, shared by the filter plugin and the unit tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_RANGE_RE = re.compile(r"^(\d+)(?:-(\d+))?$")
_NODE_RE = re.compile(r"^(?:node)?(\d+)$")


class CpuError(Exception):
    """Raised on a malformed CPU list or a PMD mask that cannot be made; the message says why."""


def _cpu_number(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise CpuError("%s: %r is not a CPU number" % (what, value))
    if value < 0:
        raise CpuError("%s: %d is not a CPU number (negative)" % (what, value))
    return value


def cpu_list(value, what="cpu list"):
    """Sorted list of the distinct CPUs in a cpulist string ("0-3,8,10-11"), a list of CPU
    numbers, or a single CPU number. An empty string or list is no CPU. Raises CpuError."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return sorted(set(_cpu_number(item, what) for item in value))
    if isinstance(value, int) and not isinstance(value, bool):
        return [_cpu_number(value, what)]
    if not isinstance(value, str):
        raise CpuError("%s: expected a cpulist string like '0-3,8,10-11' or a list of CPU numbers, got %r" % (what, value))
    text = value.strip()
    if not text:
        return []
    cpus = set()
    for part in text.split(","):
        match = _RANGE_RE.match(part.strip())
        if not match:
            raise CpuError("%s: %r is not a cpulist like '0-3,8,10-11' (bad part %r)" % (what, value, part))
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise CpuError("%s: %r is not a cpulist like '0-3,8,10-11' (range %s runs backwards)" % (what, value, part.strip()))
        cpus.update(range(first, last + 1))
    return sorted(cpus)


def format_cpu_list(cpus):
    """The cpulist string of CPU numbers: [0, 1, 2, 5] -> '0-2,5'; no CPU -> 'none'."""
    cpus = sorted(set(cpus))
    if not cpus:
        return "none"
    parts = []
    start = previous = cpus[0]
    for cpu in cpus[1:] + [None]:
        if cpu is not None and cpu == previous + 1:
            previous = cpu
            continue
        parts.append("%d" % start if start == previous else "%d-%d" % (start, previous))
        start = previous = cpu
    return ",".join(parts)


def cpu_mask(cpus):
    """The hex mask ('0x6') of CPU numbers."""
    mask = 0
    for cpu in cpus:
        mask |= 1 << cpu
    return "0x%x" % mask


def _node_key(node, what):
    if isinstance(node, bool):
        raise CpuError("%s: %r is not a NUMA node number" % (what, node))
    if isinstance(node, int) and node >= 0:
        return node
    match = _NODE_RE.match(node.strip()) if isinstance(node, str) else None
    if not match:
        raise CpuError("%s: %r is not a NUMA node number" % (what, node))
    return int(match.group(1))


def numa_nodes(numa_cpus):
    """NUMA node number -> sorted CPU list, from a mapping whose keys are node numbers
    (ints, '0' or 'node0') and whose values are cpulists or lists of CPU numbers."""
    if not isinstance(numa_cpus, dict) or not numa_cpus:
        raise CpuError("the NUMA CPUs must be a mapping NUMA node -> cpulist (e.g. {0: '0-7', 1: '8-15'}), got %r" % (numa_cpus,))
    nodes = {}
    for key, value in numa_cpus.items():
        node = _node_key(key, "NUMA CPUs")
        nodes[node] = cpu_list(value, "NUMA node %d cpulist" % node)
    return nodes


def pmd_cpus(numa_cpus, threads, numa_node=0, reserved=(0,)):
    """The CPUs of the ``threads`` PMD threads: the first CPUs of ``numa_node`` that are not
    ``reserved`` (the cores kept for the OS and the ovs-vswitchd main thread). Raises CpuError."""
    if isinstance(threads, bool) or not isinstance(threads, int):
        if isinstance(threads, str) and threads.strip().isdigit():
            threads = int(threads.strip())
        else:
            raise CpuError("the number of PMD threads must be a whole number of at least 1, got %r" % (threads,))
    if threads < 1:
        raise CpuError("the number of PMD threads must be at least 1, got %d" % threads)
    nodes = numa_nodes(numa_cpus)
    node = _node_key(numa_node, "numa_node")
    if node not in nodes:
        raise CpuError("NUMA node %d not in this host's nodes %s: no CPUs there for the PMD threads" % (node, sorted(nodes)))
    kept = cpu_list(reserved, "reserved CPUs")
    free = [cpu for cpu in nodes[node] if cpu not in kept]
    if threads > len(free):
        raise CpuError(
            "%d PMD thread%s asked but NUMA node %d has %d core(s) free of the reserved ones (cpus %s, reserved %s)"
            % (threads, "" if threads == 1 else "s", node, len(free), format_cpu_list(nodes[node]), format_cpu_list(kept)))
    return free[:threads]


def pmd_cpu_mask(numa_cpus, threads, numa_node=0, reserved=(0,)):
    """The OVS other_config:pmd-cpu-mask ('0x6') for ``threads`` PMD threads on ``numa_node``
    (see pmd_cpus). Raises CpuError."""
    return cpu_mask(pmd_cpus(numa_cpus, threads, numa_node, reserved))
