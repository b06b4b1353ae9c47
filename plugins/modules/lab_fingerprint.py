#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lab_fingerprint
short_description: What a lab host's measurements depend on (the environment fingerprint) and what it can run
version_added: 0.1.0
description:
  - Reads, without changing anything, the facts a benchmark result depends on - kernel release and command line,
    hugepages per size and NUMA node, the CPUs the host may use, versions of the lab's packages, Open vSwitch's
    version, DPDK version and C(other_config) (less O(ignore_ovs_keys)), the NIC bindings the C(nic_bind) role
    recorded - and returns them as RV(fingerprint) with its sha256.
  - Also returns RV(capabilities) - what this host can run - used by the benchmark harness to record a cell as
    unsupported, with the reason, instead of running it - CPU count, whether OVS-DPDK runs, whether the openvswitch
    kernel module is loaded or loadable (and why not), InfiniBand devices, the traffic tools present, whether an
    OpenNetVM manager is built and configured (and why not).
  - Where the OpenNetVM role built a manager, its version and commit are part of the fingerprint (absent otherwise,
    so a host without OpenNetVM keeps the fingerprint it had).
  - The fingerprint holds configuration, never process IDs or counters, so it is the same on every run until the
    host's set-up changes.
author:
  - nfvlab.interconnect developers (@nfvlab)
options:
  packages:
    description: Debian packages whose installed version is part of the fingerprint (absent ones are listed as absent).
    type: list
    elements: str
    default: [openvswitch-switch, openvswitch-switch-dpdk, dpdk, iperf3, netperf, rdma-core, snort, suricata]
  commands:
    description: Commands looked up in C(PATH); the ones found are listed in C(commands) of RV(capabilities).
    type: list
    elements: str
    default: [ovs-vsctl, dpdk-testpmd, iperf3, netperf, netserver, snort, suricata, onvm_mgr, ib_send_bw]
  ignore_ovs_keys:
    description:
      - Open vSwitch C(other_config) keys left out of the fingerprint because a cell's own parameters set them (the
        platform's PMD thread count sets C(pmd-cpu-mask)).
    type: list
    elements: str
    default: [pmd-cpu-mask]
  nic_bind_record:
    description: The record the nic_bind role writes (bindings of the lab's ports); absent means no bindings.
    type: path
    default: /var/lib/nfvlab/nic_bind.json
  onvm_config:
    description: The manager configuration the C(opennetvm) role writes once it has built OpenNetVM.
    type: path
    default: /etc/nfvlab/onvm/manager.json
  onvm_unavailable:
    description: The record the C(opennetvm) role writes when it could not build OpenNetVM, with the reason.
    type: path
    default: /var/lib/nfvlab/onvm/unavailable.json
  sysfs:
    description: Root of sysfs (tests point it at a directory laid out like C(/sys)).
    type: path
    default: /sys
  procfs:
    description: Root of procfs.
    type: path
    default: /proc
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Nothing is changed, so nothing to show.
    support: none
seealso:
  - module: nfvlab.interconnect.benchmark_record
"""

EXAMPLES = r"""
- name: Fingerprint every lab host
  nfvlab.interconnect.lab_fingerprint:
  register: lab_fp

- name: Show what the host can run
  ansible.builtin.debug:
    var: lab_fp.capabilities
"""

RETURN = r"""
fingerprint:
  description: The facts a result depends on.
  returned: always
  type: dict
  sample:
    kernel: {release: 6.1.0-27-amd64, cmdline: "BOOT_IMAGE=/vmlinuz ... default_hugepagesz=1G"}
    hugepages: {"2048kB": {total: 1024, nodes: {node0: 1024}}}
    cpus: [0, 1]
    packages: {dpdk: 22.11.11-0+deb12u1, openvswitch-switch-dpdk: 3.1.0-2+deb12u1, netperf: absent}
    ovs: {ovs_version: 3.1.0, dpdk_version: DPDK 22.11.11, other_config: {dpdk-init: "true"}}
    nic_bind: {}
sha256:
  description: sha256 of the fingerprint in canonical JSON (sorted keys).
  returned: always
  type: str
capabilities:
  description:
    - C(cpus) (count), C(ovs_dpdk) (Open vSwitch is configured with C(dpdk-init=true)), C(ovs_kernel_datapath) (it is
      installed without), C(ovs_pmd_threads) (CPUs in C(pmd-cpu-mask)), C(ovs_kernel) and C(ovs_kernel_reason) (the module is loaded or loadable),
      C(infiniband) (device names), C(commands) (the O(commands) found), C(onvm) (C(available), C(reason),
      C(version), C(services) - the OpenNetVM manager, built and configured).
  returned: always
  type: dict
  sample: {cpus: 2, ovs_dpdk: true, ovs_kernel_datapath: false, ovs_pmd_threads: 1, ovs_kernel: false,
           ovs_kernel_reason: "the openvswitch kernel module is not loaded and cannot be loaded (modprobe: ...)",
           infiniband: [], commands: [ovs-vsctl, dpdk-testpmd],
           onvm: {available: false, reason: "https://github.com/sdnfv/openNetVM.git is not reachable from nf1: ...",
                  version: null, services: 0}}
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.cpus import cpu_list
from ansible_collections.nfvlab.interconnect.plugins.module_utils.ovs_vsctl import rows
from ansible_collections.nfvlab.interconnect.plugins.module_utils.pci import read as _read


def hugepages(sysfs):
    out = {}
    base = os.path.join(sysfs, "kernel", "mm", "hugepages")
    for size in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        name = size.replace("hugepages-", "")
        total = _read(os.path.join(base, size, "nr_hugepages"))
        out[name] = {"total": int(total) if total and total.isdigit() else None, "nodes": {}}
    nodes = os.path.join(sysfs, "devices", "system", "node")
    for node in sorted(os.listdir(nodes)) if os.path.isdir(nodes) else []:
        pages = os.path.join(nodes, node, "hugepages")
        if not node.startswith("node") or not os.path.isdir(pages):
            continue
        for size in sorted(os.listdir(pages)):
            count = _read(os.path.join(pages, size, "nr_hugepages"))
            name = size.replace("hugepages-", "")
            out.setdefault(name, {"total": None, "nodes": {}})["nodes"][node] = int(count) if count and count.isdigit() else None
    return out


def packages(module, names):
    found = dict((name, "absent") for name in names)
    dpkg = module.get_bin_path("dpkg-query")
    if not dpkg or not names:
        return found
    _rc, out, _err = module.run_command([dpkg, "--show", "--showformat=${Package}\t${Version}\t${db:Status-Status}\n"] + list(names))
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] in found and parts[2] == "installed":
            found[parts[0]] = parts[1]
    return found


def ovs(module, ignore):
    vsctl = module.get_bin_path("ovs-vsctl")
    if not vsctl:
        return None, 0
    rc, out, err = module.run_command([vsctl, "--timeout=5", "--format=json", "--columns=ovs_version,dpdk_version,dpdk_initialized,other_config",
                                       "list", "Open_vSwitch", "."])
    if rc != 0:
        return None, 0
    table = rows(out)
    if not table:
        return None, 0
    row = table[0]
    config = row.get("other_config") or {}
    other = dict((key, value) for key, value in config.items() if key not in ignore)
    try:
        pmd_threads = bin(int(config.get("pmd-cpu-mask", "0"), 16)).count("1")
    except ValueError:
        pmd_threads = 0
    return {"ovs_version": row.get("ovs_version") if row.get("ovs_version") != [] else None,
            "dpdk_version": row.get("dpdk_version") if row.get("dpdk_version") != [] else None,
            "dpdk_initialized": row.get("dpdk_initialized") is True,
            "other_config": other}, pmd_threads


def ovs_kernel(module, sysfs):
    if os.path.isdir(os.path.join(sysfs, "module", "openvswitch")):
        return True, ""
    modprobe = module.get_bin_path("modprobe")
    if not modprobe:
        return False, "the openvswitch kernel module is not loaded and modprobe is not installed"
    rc, out, err = module.run_command([modprobe, "--dry-run", "openvswitch"])
    if rc == 0:
        return True, ""
    return False, "the openvswitch kernel module is not loaded and cannot be loaded (modprobe: %s)" % (
        (err or out).strip().splitlines()[-1] if (err or out).strip() else "rc=%d" % rc)


def onvm(config_path, unavailable_path):
    """The OpenNetVM manager on this host: ({available, reason, version, services}, {version, commit} or None)."""
    config = _read(config_path)
    if not config:
        record = _read(unavailable_path)
        try:
            reason = json.loads(record).get("reason") if record else ""
        except ValueError:
            reason = ""
        return {"available": False, "version": None, "services": 0,
                "reason": reason or ("no OpenNetVM manager here (%s is absent: the opennetvm role writes it once it has "
                                     "built OpenNetVM, in playbooks/dataplane.yml)" % config_path)}, None
    try:
        config = json.loads(config)
    except ValueError as exc:
        return {"available": False, "version": None, "services": 0,
                "reason": "%s is not JSON: %s" % (config_path, exc)}, None
    built = {"version": config.get("version"), "commit": config.get("commit")}
    # Built and configured is enough: the chain deployment starts the manager for an onvm chain (and stops it for
    # the others, so its busy-polling threads do not take CPU from them).
    return {"available": True, "reason": "", "version": config.get("version"), "services": config.get("services", 0)}, built


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="list", elements="str",
                          default=["openvswitch-switch", "openvswitch-switch-dpdk", "dpdk", "iperf3", "netperf", "rdma-core",
                                   "snort", "suricata"]),
            commands=dict(type="list", elements="str",
                          default=["ovs-vsctl", "dpdk-testpmd", "iperf3", "netperf", "netserver", "snort", "suricata",
                                   "onvm_mgr", "ib_send_bw"]),
            ignore_ovs_keys=dict(type="list", elements="str", default=["pmd-cpu-mask"], no_log=False),
            nic_bind_record=dict(type="path", default="/var/lib/nfvlab/nic_bind.json"),
            onvm_config=dict(type="path", default="/etc/nfvlab/onvm/manager.json"),
            onvm_unavailable=dict(type="path", default="/var/lib/nfvlab/onvm/unavailable.json"),
            sysfs=dict(type="path", default="/sys"),
            procfs=dict(type="path", default="/proc"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    sysfs, procfs = params["sysfs"], params["procfs"]
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        cpus = cpu_list(_read(os.path.join(sysfs, "devices", "system", "cpu", "online"), "0"))
    ovs_state, pmd_threads = ovs(module, set(params["ignore_ovs_keys"]))
    bindings = _read(params["nic_bind_record"])
    try:
        bindings = json.loads(bindings) if bindings else {}
    except ValueError:
        bindings = {"unreadable": params["nic_bind_record"]}
    fingerprint = {
        "kernel": {"release": os.uname()[2], "cmdline": _read(os.path.join(procfs, "cmdline"), "")},
        "hugepages": hugepages(sysfs),
        "cpus": cpus,
        "packages": packages(module, params["packages"]),
        "ovs": ovs_state,
        "nic_bind": bindings,
    }
    onvm_state, onvm_built = onvm(params["onvm_config"], params["onvm_unavailable"])
    if onvm_built:
        fingerprint["onvm"] = onvm_built
    kernel_ok, kernel_reason = ovs_kernel(module, sysfs)
    ib_dir = os.path.join(sysfs, "class", "infiniband")
    capabilities = {
        "cpus": len(cpus),
        "ovs_dpdk": bool(ovs_state and ovs_state["other_config"].get("dpdk-init") == "true"),
        "ovs_kernel_datapath": bool(ovs_state and ovs_state["other_config"].get("dpdk-init") != "true"),
        "ovs_pmd_threads": pmd_threads,
        "ovs_kernel": kernel_ok,
        "ovs_kernel_reason": kernel_reason,
        "infiniband": sorted(os.listdir(ib_dir)) if os.path.isdir(ib_dir) else [],
        "commands": [name for name in params["commands"] if module.get_bin_path(name)],
        "onvm": onvm_state,
    }
    sha = hashlib.sha256(json.dumps(fingerprint, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()
    module.exit_json(changed=False, fingerprint=fingerprint, sha256=sha, capabilities=capabilities)


if __name__ == "__main__":
    main()
