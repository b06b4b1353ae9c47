#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: onvm_chain
short_description: OpenNetVM NFs of a serial service chain or of load-balanced replicas, one systemd unit each
version_added: "0.7.0"
description:
  - Starts and stops the OpenNetVM v21.10 example NFs of one chain on a host whose OpenNetVM manager the role
    P(nfvlab.interconnect.opennetvm#role) runs (C(nfvlab-onvm-mgr.service)); the module reads the manager's
    contract file O(config) and fails if the host has none.
  - "Serial chain: the NF of O(services[i]) sends every packet to service O(services[i+1]) (example
    C(simple_forward) with C(-d)). The last stage sends out a port or to a service, see O(last_nf). The manager
    hands the packets that come in on its ports to its default service (C(-d) of the manager, 1 unless the
    contract's C(default_service) says otherwise), so a chain fed from the ports starts with that service."
  - "Load balancing: O(replicas) instances of every service. Instance IDs are global in OpenNetVM (1..127) and
    assigned as C(service + S x (replica - 1)), S being the manager's number of service IDs (C(-r), the contract's
    C(services)): replica 1 of service 3 is instance 3, replica 2 is instance 3+S. The manager spreads a service's
    packets over its instances by the packet's RSS hash (C(hash.rss % instances)); packets without a hash (e.g.
    from a net_tap port) all go to the first instance, speed_tester's packets are spread round robin."
  - Each NF is the unit C(nfvlab-onvm-<name>-s<service>-i<instance>.service) - a DPDK secondary process of the
    manager (C(--proc-type=secondary --file-prefix <file_prefix> --no-pci)), pinned with C(-l <cpu> -m), bound to
    the manager's unit (stopped when it stops, restarted when it restarts), stopped with SIGINT, working directory
    C(/var/lib/nfvlab/onvm/<name>/s<service>-i<instance>) where the NF writes C(<nf>_stats.csv) when it exits.
  - Idempotent - the wanted units are compared with the host's unit files and with the units of the chain that
    exist or run; only NFs whose unit changed are restarted, stopped ones are started, the chain's other NFs are
    stopped and removed. Bad input (a service ID outside the manager's range, CPUs of the manager, a port the
    manager lacks, a service another chain holds) fails before anything changes.
  - Returns each NF's unit state and, with O(stats), its packet counters from the manager's statistics.
options:
  name:
    description:
      - The chain's name, part of its unit names - lower-case letters, digits and C(-), at most 32 characters.
      - Required unless O(state=absent) with O(purge=true).
    type: str
  state:
    description: C(present) runs the chain's NFs; C(absent) stops and removes them.
    type: str
    choices: [present, absent]
    default: present
  services:
    description:
      - The service IDs of the chain's stages in packet order (1 .. the manager's service count - 1; 0 is
        reserved). One service is a single stage (e.g. replicas of one NF).
    type: list
    elements: int
    default: []
  replicas:
    description: Instances of every service (1..32); see the instance ID rule above.
    type: int
    default: 1
  nf:
    description: The example NF of every stage but the last; it must send to a service by argument.
    type: str
    choices: [simple_forward]
    default: simple_forward
  last_nf:
    description:
      - "The example NF of the last stage. OpenNetVM v21.10 has no example that sends out of a port named by an
        argument: C(bridge) sends a packet that came in on port 0 out of port 1 and any other out of port 0;
        C(basic_monitor) sends a packet back out of the port it came in on; C(simple_forward) sends to
        O(output_service) (e.g. back to a speed_tester that measures the loop)."
    type: str
    choices: [bridge, basic_monitor, simple_forward]
    default: bridge
  output_port:
    description:
      - The manager's port (its index in the contract's C(ports)) the chain's packets leave by. It is checked against
        the manager's ports and the last stage's rule and returned with the port the traffic must enter by
        (C(bridge) - the other of ports 0 and 1; C(basic_monitor) - the same port).
      - Ignored with O(last_nf=simple_forward).
    type: int
    default: 1
  output_service:
    description: The service the last stage sends to; required with O(last_nf=simple_forward), refused otherwise.
    type: int
  cpus:
    description:
      - CPUs of the NFs, assigned round robin stage by stage, replica by replica. Default - the contract's
        C(nf_cpus). A CPU of the manager (C(manager_cpus)) or one outside its NF core mask (C(nf_cpus)) is refused.
    type: list
    elements: int
  dedicated_cores:
    description:
      - false - every NF passes onvm_nflib's C(-s) (its core may be shared), so NFs of this and other chains can
        share CPUs. true - no C(-s), every NF needs a CPU of its own (OpenNetVM refuses a second NF on it).
    type: bool
    default: false
  print_delay:
    description:
      - The examples' C(-p) - packets between two of their console statistics screens (the journal). 0 - the
        examples' default (1000000).
    type: int
    default: 100000000
  config:
    description: The manager's contract file written by role P(nfvlab.interconnect.opennetvm#role).
    type: path
    default: /etc/nfvlab/onvm/manager.json
  wait:
    description:
      - Seconds to wait, after starting NFs, until every NF of the chain is in the manager's statistics (registered
        with the manager). 0 - do not wait.
    type: int
    default: 30
  stats:
    description:
      - Return each NF's counters from the manager's statistics - rates from its JSON file, totals from its text
        file beside it (C(rx)/C(tx) totals only when the manager runs with C(-v 2) or C(-v 3)).
    type: bool
    default: true
  purge:
    description:
      - Also stop and remove the NF units of every other chain on the host (C(nfvlab-onvm-*)). With O(state=absent)
        O(name) may be left out.
    type: bool
    default: false
  unit_dir:
    description: Where the units are written.
    type: path
    default: /etc/systemd/system
attributes:
  check_mode:
    description: Reads the host (contract, unit files, unit states) and reports what would change; writes and starts nothing.
    support: full
  diff_mode:
    description: The unit files written or removed, before and after.
    support: full
notes:
  - The manager's statistics hold only NFs registered with it; an NF unit that runs but does not appear there has not
    finished its init (it waits for the manager) - O(wait) fails naming it, with its journal.
  - Two chains cannot hold the same service ID (the manager has one service table); the module refuses it unless
    O(purge) removes the other chain.
author:
  - nfvlab.interconnect developers (@nfvlab)
"""

EXAMPLES = r"""
- name: Serial chain of three NFs fed from the manager's ports (default service 1), out of port 1
  nfvlab.interconnect.onvm_chain:
    name: fig2
    services: [1, 2, 3]
    last_nf: bridge
    output_port: 1

- name: Two replicas of one NF, fed by a speed_tester (service 3) that counts what comes back
  nfvlab.interconnect.onvm_chain:
    name: lb
    services: [1]
    replicas: 2
    last_nf: simple_forward
    output_service: 3
  register: lb

- name: Packets per NF
  ansible.builtin.debug:
    msg: "{{ lb.nfs | map(attribute='rx') | list }}"

- name: Remove every OpenNetVM NF of the host
  nfvlab.interconnect.onvm_chain:
    state: absent
    purge: true
"""

RETURN = r"""
nfs:
  description: The chain's NFs, stage by stage, with their unit state and, with O(stats), their counters.
  returned: always
  type: list
  elements: dict
  sample:
    - unit: nfvlab-onvm-lb-s1-i1.service
      stage: 1
      service_id: 1
      instance_id: 1
      replica: 1
      example: simple_forward
      cpu: 1
      dest: {service: 3}
      command: [/opt/nfvlab/opennetvm/examples/simple_forward/build/app/simple_forward, -l, "1", -n, "3",
                --proc-type=secondary, --file-prefix, onvm, --no-pci, --, -r, "1", -n, "1", -m, -s, --, -d, "3",
                -p, "100000000"]
      pid: 4242
      active: true
      restarted: false
      in_stats: true
      rx: 120000000
      tx: 120000000
      rx_drop: 0
      tx_drop: 0
      rx_pps: 3400000
      tx_pps: 3400000
      act_out: 0
      act_tonf: 120000000
      act_drop: 0
changed_units:
  description: Units written, (re)started or enabled.
  returned: always
  type: list
  elements: str
  sample: [nfvlab-onvm-lb-s1-i17.service]
removed:
  description: Units stopped and removed.
  returned: always
  type: list
  elements: str
  sample: [nfvlab-onvm-lb-s1-i33.service]
manager:
  description: The manager's unit, its statistics files and the port traffic must enter by (last_nf bridge or basic_monitor).
  returned: when O(state=present)
  type: dict
  sample: {unit: nfvlab-onvm-mgr.service, stats_file: /opt/nfvlab/opennetvm/onvm_web/onvm_json_stats.json,
           stats_text_file: /opt/nfvlab/opennetvm/onvm_web/onvm_stats.txt, entry_port: 0, output_port: 1,
           stats_updated: "Sun Dec  6 19:01:02 2026", ports: {"0": {rx_pps: 0, tx_pps: 0}}}
"""

import os
import platform
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import onvm
from ansible_collections.nfvlab.interconnect.plugins.module_utils.host_files import atomic_write, read_text
from ansible_collections.nfvlab.interconnect.plugins.module_utils.systemd import parse_show

SHOW = "--property=Id,ActiveState,SubState,MainPID,UnitFileState,NRestarts"


class OnvmChain(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.changed = False
        self.diff = {"before": {}, "after": {}}
        self.systemctl = module.get_bin_path("systemctl", required=True)
        self.journalctl = module.get_bin_path("journalctl") or "journalctl"

    # ------------------------------------------------------------------ host
    def systemctl_run(self, *args):
        return self.module.run_command([self.systemctl] + list(args))

    def show(self, units):
        if not units:
            return {}
        rc, out, err = self.systemctl_run("show", SHOW, *units)
        return parse_show(out)

    def journal_tail(self, unit):
        rc, out, err = self.module.run_command([self.journalctl, "--no-pager", "-o", "cat", "-n", "15", "-u", unit])
        return " | ".join(line.strip() for line in out.splitlines()[-12:] if line.strip())

    def existing(self):
        """{unit: (chain, service, instance)} of every NF unit on the host: files in unit_dir and loaded units."""
        found = {}
        unit_dir = self.params["unit_dir"]
        if os.path.isdir(unit_dir):
            for name in os.listdir(unit_dir):
                parsed = onvm.parse_unit_name(name)
                if parsed:
                    found[name] = parsed
        rc, out, err = self.systemctl_run("list-units", "--all", "--plain", "--no-legend", "--full",
                                          onvm.UNIT_PREFIX + "*")
        for line in out.splitlines():
            fields = line.split()
            parsed = onvm.parse_unit_name(fields[0]) if fields else None
            if parsed:
                found[fields[0]] = parsed
        return found

    def manager(self):
        path = self.params["config"]
        text = read_text(path)
        if text is None:
            self.module.fail_json(msg="OpenNetVM manager is not configured on %s: run role nfvlab.interconnect.opennetvm "
                                  "(config %s is missing)" % (platform.node(), path))
        try:
            return onvm.load_manager(text, path)
        except onvm.OnvmError as err:
            self.module.fail_json(msg="config: %s" % err)

    def write(self, path, text):
        atomic_write(self.module, path, text)

    def remove(self, units):
        """Stop, disable and delete these units (in this order); True if a unit file went."""
        removed_file = False
        for unit in units:
            path = os.path.join(self.params["unit_dir"], unit)
            before = read_text(path)
            self.diff["before"][path] = before if before is not None else "(unit loaded, no file)"
            self.diff["after"][path] = ""
            self.changed = True
            if self.module.check_mode:
                continue
            # a loaded unit without a file (removed by hand) can only be stopped
            rc, out, err = self.systemctl_run(*(("disable", "--now", unit) if before is not None else ("stop", unit)))
            if rc != 0 and before is not None:
                self.module.fail_json(msg="stopping %s failed: %s" % (unit, (err or out).strip()))
            if before is not None:
                os.remove(path)
                removed_file = True
        return removed_file

    def stats(self, manager):
        json_stats = onvm.parse_stats_json(read_text(manager["stats_file"]) or "")
        text_stats = onvm.parse_stats_text(read_text(onvm.stats_text_file(manager)) or "")
        return json_stats, text_stats

    # ------------------------------------------------------------------ run
    def absent(self):
        name = self.params["name"]
        existing = self.existing()
        gone = sorted(unit for unit, (chain, _s, _i) in existing.items() if self.params["purge"] or chain == name)
        gone.sort(key=lambda unit: (existing[unit][0], existing[unit][1], existing[unit][2]))
        if self.remove(gone) and not self.module.check_mode:
            self.systemctl_run("daemon-reload")
        return {"nfs": [], "changed_units": [], "removed": gone}

    def present(self):
        p = self.params
        manager = self.manager()
        cpus = p["cpus"] if p["cpus"] is not None else manager["nf_cpus"]
        errors = onvm.check_request(manager, p["services"], p["replicas"], cpus, p["nf"], p["last_nf"],
                                    p["output_port"] if p["last_nf"] != "simple_forward" else None,
                                    p["output_service"], p["dedicated_cores"])
        if errors:
            self.module.fail_json(msg="; ".join(errors))
        wanted = onvm.plan(p["name"], p["services"], p["replicas"], cpus, manager, nf=p["nf"], last_nf=p["last_nf"],
                           output_port=p["output_port"], output_service=p["output_service"],
                           dedicated_cores=p["dedicated_cores"], print_delay=p["print_delay"])
        wanted_units = [nf["unit"] for nf in wanted]

        existing = self.existing()
        mine = [unit for unit, (chain, _s, _i) in existing.items() if chain == p["name"]]
        others = {unit: parsed for unit, parsed in existing.items() if parsed[0] != p["name"]}
        if not p["purge"]:
            ids = set(nf["instance_id"] for nf in wanted)
            for unit, (chain, service, iid) in sorted(others.items()):
                if service in p["services"] or iid in ids:
                    self.module.fail_json(msg="services: service %d (instance %d) is held by chain %s (%s); remove that "
                                          "chain first or set purge=true" % (service, iid, chain, unit))
        missing = sorted(set(nf["binary"] for nf in wanted if not os.path.exists(nf["binary"])))
        if missing:
            self.module.fail_json(msg="example NF binaries missing on %s: %s (role nfvlab.interconnect.opennetvm builds "
                                  "opennetvm_examples)" % (platform.node(), ", ".join(missing)))
        mgr_unit = manager.get("unit") or onvm.MANAGER_UNIT
        mgr_state = self.show([mgr_unit]).get(mgr_unit, {})
        if mgr_state.get("ActiveState") != "active":
            self.module.fail_json(msg="the OpenNetVM manager %s is not running on %s (%s/%s): start it (role "
                                  "nfvlab.interconnect.opennetvm, opennetvm_manager_state=started)"
                                  % (mgr_unit, platform.node(), mgr_state.get("ActiveState", "unknown"),
                                     mgr_state.get("SubState", "unknown")))

        # units to go: the chain's NFs not wanted, with purge every other chain's
        gone = sorted(unit for unit in mine if unit not in wanted_units)
        if p["purge"]:
            gone += sorted(others)
        reload_needed = self.remove(gone)

        changed_units = []
        plans = []
        for nf in wanted:
            path = os.path.join(p["unit_dir"], nf["unit"])
            text = onvm.unit_text(nf, manager)
            before = read_text(path)
            changed = before != text
            if changed:
                self.diff["before"][path] = before or ""
                self.diff["after"][path] = text
                self.write(path, text)
                reload_needed = True
                changed_units.append(nf["unit"])
                self.changed = True
            plans.append((nf, changed))
        if reload_needed and not self.module.check_mode:
            self.systemctl_run("daemon-reload")

        states = self.show(wanted_units)
        # downstream first: a stage starts only once the one it sends to runs
        started = set()
        since = time.time()
        for nf, changed in sorted(plans, key=lambda item: (-item[0]["stage"], item[0]["replica"])):
            state = states.get(nf["unit"], {})
            running = state.get("ActiveState") == "active"
            enabled = state.get("UnitFileState") == "enabled"
            action = "restart" if running and changed else (None if running else "start")
            if action or not enabled:
                self.changed = True
                if nf["unit"] not in changed_units:
                    changed_units.append(nf["unit"])
            if action:
                started.add(nf["unit"])
            if self.module.check_mode:
                continue
            if not enabled:
                self.systemctl_run("enable", nf["unit"])
            if action:
                rc, out, err = self.systemctl_run(action, nf["unit"])
                if rc != 0:
                    self.module.fail_json(msg="%s %s failed: %s; its journal ends with: %s"
                                          % (action, nf["unit"], (err or out).strip(), self.journal_tail(nf["unit"])))

        if started and not self.module.check_mode and p["wait"] > 0:
            self.wait_registered(wanted, manager, since)
        if not self.module.check_mode and started:
            states = self.show(wanted_units)

        json_stats, text_stats = self.stats(manager) if p["stats"] else (None, None)
        result_nfs = []
        for nf in wanted:
            state = states.get(nf["unit"], {})
            item = {
                "unit": nf["unit"], "stage": nf["stage"], "service_id": nf["service_id"], "instance_id": nf["instance_id"],
                "replica": nf["replica"], "example": nf["example"], "cpu": nf["cpu"], "dest": nf["dest"],
                "command": onvm.nf_command(nf, manager), "pid": int(state.get("MainPID") or 0),
                "active": state.get("ActiveState") == "active" and state.get("SubState") == "running",
                "restarted": nf["unit"] in started,
            }
            if p["stats"]:
                item.update(onvm.nf_stats(nf, json_stats, text_stats))
            result_nfs.append(item)
        info = {"unit": mgr_unit, "stats_file": manager["stats_file"], "stats_text_file": onvm.stats_text_file(manager)}
        if p["last_nf"] != "simple_forward":
            info.update(output_port=p["output_port"], entry_port=onvm.entry_port(p["last_nf"], p["output_port"]))
        if json_stats:
            info.update(stats_updated=json_stats["updated"], ports=json_stats["ports"])
        return {"nfs": result_nfs, "changed_units": changed_units, "removed": gone, "manager": info}

    def wait_registered(self, wanted, manager, since):
        """Until every wanted NF is in the manager's JSON statistics written after `since` (the file is rewritten every
        second; an older one may still list a restarted NF's previous run), or fail naming those that are not."""
        deadline = time.time() + self.params["wait"]
        pending = list(wanted)
        while True:
            try:
                fresh = os.path.getmtime(manager["stats_file"]) > since
            except OSError:
                fresh = False
            json_stats = (onvm.parse_stats_json(read_text(manager["stats_file"]) or "") if fresh else None) or {"nfs": {}}
            pending = [nf for nf in pending
                       if json_stats["nfs"].get(nf["instance_id"], {}).get("service_id") != nf["service_id"]]
            if not pending or time.time() >= deadline:
                break
            time.sleep(1)
        if pending:
            states = self.show([nf["unit"] for nf in pending])
            self.module.fail_json(msg="NFs not registered with the OpenNetVM manager after %d s: %s" % (
                self.params["wait"], "; ".join(
                    "%s (%s/%s; journal: %s)" % (nf["unit"], states.get(nf["unit"], {}).get("ActiveState", "unknown"),
                                                 states.get(nf["unit"], {}).get("SubState", "unknown"),
                                                 self.journal_tail(nf["unit"])) for nf in pending)))

    def run(self):
        p = self.params
        if p["name"] is None:
            if not (p["state"] == "absent" and p["purge"]):
                self.module.fail_json(msg="name: required (it may be left out only with state=absent and purge=true)")
        elif not onvm.NAME_RE.match(p["name"]):
            self.module.fail_json(msg="name %r: 1-32 lower-case letters, digits or -, starting and ending with a letter "
                                  "or digit" % p["name"])
        if p["state"] == "absent":
            return self.absent()
        return self.present()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            services=dict(type="list", elements="int", default=[]),
            replicas=dict(type="int", default=1),
            nf=dict(type="str", choices=list(onvm.MIDDLE_EXAMPLES), default="simple_forward"),
            last_nf=dict(type="str", choices=list(onvm.LAST_STAGE_EXAMPLES), default="bridge"),
            output_port=dict(type="int", default=1),
            output_service=dict(type="int"),
            cpus=dict(type="list", elements="int"),
            dedicated_cores=dict(type="bool", default=False),
            print_delay=dict(type="int", default=100000000),
            config=dict(type="path", default=onvm.MANAGER_CONFIG),
            wait=dict(type="int", default=30),
            stats=dict(type="bool", default=True),
            purge=dict(type="bool", default=False),
            unit_dir=dict(type="path", default="/etc/systemd/system"),
        ),
        supports_check_mode=True,
    )
    chain = OnvmChain(module)
    result = chain.run()
    result["changed"] = chain.changed
    if module._diff:
        result["diff"] = chain.diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
