#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ids_nf
short_description: IDS network functions (Suricata 7 or Snort 2.9) inline between two switch ports, one systemd unit each
version_added: "0.6.0"
description:
  - Deploys N IDS NF instances on a host. Each runs as the systemd unit C(nfvlab-ids-<name>.service) inside the network
    namespace of its sandbox (C(nfvlab-sandbox@<name>.service), role P(nfvlab.interconnect.nf_sandbox#role)), inline
    between two ports the switch attaches.
  - "Capture modes: C(afpacket) (AF_PACKET in IPS mode between the veths C(<name>-n0)/C(<name>-n1); the switch attaches
    C(<name>-p0)/C(<name>-p1)), C(nfq) (the two veths bridged in the sandbox, every bridged frame queued to the engine
    through iptables NFQUEUE and br_netfilter), C(dpdk) (Suricata's DPDK runmode on two virtio-user vhost-user server
    sockets; OVS-DPDK attaches C(dpdkvhostuserclient) ports)."
  - "Rules: C(light) is a few IP 5-tuple rules generated from O(light_flows); C(heavy) is O(heavy_rules_file) (the
    Snort community rules, fetched by the role) or, without it, a generated deterministic content-matching ruleset of
    O(heavy_rule_count) rules (seed O(heavy_rule_seed)), labelled as generated. Both carry one canary rule that
    alerts on a UDP packet whose payload holds O(canary)."
  - Idempotent - the wanted rules, engine configuration and unit of each instance are compared with the files on the
    host; an instance whose files changed is restarted, an unchanged running one is left alone. Before anything is
    written the engine checks the new configuration and ruleset in its own test mode (C(suricata -T) / C(snort -T)) and
    the module fails with the engine's error.
  - O(health=true) returns, per instance, the packets the engine has seen and the alerts it raised (Suricata - its
    stats and alert eve logs; Snort - the counters it logs on SIGUSR1 and its alert file).
options:
  instances:
    description:
      - The instances on this host. C(name) is 1-10 lower-case letters or digits starting with a letter (the sandbox
        and the port names derive from it); C(capture) overrides O(capture) for one instance.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Instance name.
        type: str
        required: true
      capture:
        description: Capture mode of this instance.
        type: str
        choices: [nfq, afpacket, dpdk]
  state:
    description: C(present) runs the listed instances; C(absent) stops and removes them (with O(purge), every one).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description: Stop and remove the instances this module configured before that O(instances) no longer lists.
    type: bool
    default: false
  engine:
    description: The IDS engine.
    type: str
    choices: [suricata, snort]
    default: suricata
  weight:
    description: The ruleset weight.
    type: str
    choices: [light, heavy]
    default: heavy
  capture:
    description: Capture mode of the instances that name none.
    type: str
    choices: [nfq, afpacket, dpdk]
    default: afpacket
  switch:
    description:
      - The switch the ports are attached to; a capture mode it cannot attach (C(dpdk) behind C(ovs-kernel)) is
        refused before anything changes. Unset - not checked.
    type: str
    choices: [ovs-dpdk, ovs-kernel]
  heavy_rules_file:
    description: A ruleset on the host used as the heavy rules (the Snort community rules). Empty - generated rules.
    type: path
  heavy_rule_count:
    description: Rules in the generated heavy ruleset.
    type: int
    default: 5000
  heavy_rule_seed:
    description: Seed of the generated heavy ruleset (the same seed gives the same rules).
    type: int
    default: 17
  light_flows:
    description: The lab flows the light rules are made from - C(name), C(proto) (tcp or udp), C(src), C(dst), C(dport).
    type: list
    elements: dict
    default: []
  canary:
    description: The payload string of the canary rule.
    type: str
    default: NFVLAB-IDS-CANARY
  home_net:
    description: The lab's networks (HOME_NET).
    type: list
    elements: str
    default: [198.18.0.0/15]
  cpus:
    description: CPUs of the instances (the unit's CPUAffinity; Suricata's DPDK workers).
    type: list
    elements: int
    default: [0]
  spare_cpus:
    description: CPUs Suricata's DPDK runmode may add when O(cpus) has fewer than the two worker threads it needs.
    type: list
    elements: int
    default: [1]
  nice:
    description: Niceness of the engines.
    type: int
    default: 0
  hugepage_dir:
    description: hugetlbfs mount for DPDK capture.
    type: path
    default: /mnt/huge
  memory_mb:
    description: Hugepage memory per DPDK instance (EAL -m).
    type: int
    default: 128
  mbufs:
    description: Packet buffers per DPDK interface (mempool size).
    type: int
    default: 4095
  queue_size:
    description: Virtio ring size and descriptors of DPDK ports.
    type: int
    default: 1024
  socket_dir:
    description: Where the vhost-user sockets of DPDK instances are made.
    type: path
    default: /run/nfvlab/vhost
  mtu:
    description: MTU of the veths.
    type: int
    default: 1500
  stats_interval:
    description: Seconds between Suricata's statistics records.
    type: int
    default: 2
  config_dir:
    description: Where each instance's configuration (C(<config_dir>/<name>/)) and the rulesets (C(<config_dir>/rules/)) go.
    type: path
    default: /etc/nfvlab/ids
  log_dir:
    description: Where each instance logs (C(<log_dir>/<name>/)).
    type: path
    default: /var/log/nfvlab-ids
  unit_dir:
    description: Where the units are written.
    type: path
    default: /etc/systemd/system
  health:
    description: Return the packets seen and the alerts raised by each instance.
    type: bool
    default: false
  wait:
    description:
      - Seconds to wait, after the instances are running, until every engine has started processing packets (Suricata
        has written its first statistics; Snort logged C(Commencing packet processing)). 0 - do not wait. A DPDK
        instance starts only once the switch has connected to its sockets.
    type: int
    default: 0
  test_config:
    description: Check a changed configuration and ruleset with the engine's test mode before writing it.
    type: bool
    default: true
  suricata_path:
    description: The Suricata binary.
    type: path
    default: /usr/bin/suricata
  snort_path:
    description: The Snort binary.
    type: path
    default: /usr/local/bin/snort
  snort_daq_dir:
    description: Where Snort finds its DAQ modules.
    type: path
    default: /usr/local/lib/daq
  snort_preprocessor_dir:
    description: Snort's dynamic preprocessors.
    type: path
    default: /usr/local/lib/snort_dynamicpreprocessor
  snort_engine_lib:
    description: Snort's dynamic detection engine library.
    type: path
    default: /usr/local/lib/snort_dynamicengine/libsf_engine.so
attributes:
  check_mode:
    description: Compares and reports what would change; writes no file, runs no systemctl, starts nothing.
    support: full
  diff_mode:
    description: The changed configuration files and units, before and after; the ruleset by its size and label.
    support: full
author:
  - nfvlab.interconnect developers (@nfvlab)
"""

EXAMPLES = r"""
- name: Two Heavy Suricata NFs capturing with AF_PACKET
  nfvlab.interconnect.ids_nf:
    instances: [{name: c1s1}, {name: c1s2}]
    engine: suricata
    weight: heavy
    capture: afpacket
    switch: ovs-dpdk

- name: Light rules from the lab's iperf3 flow, DPDK capture, wait until it processes packets
  nfvlab.interconnect.ids_nf:
    instances: [{name: c1s1}]
    weight: light
    capture: dpdk
    light_flows: [{name: iperf3, proto: tcp, src: 198.18.41.1, dst: 198.18.41.2, dport: 5201}]
    wait: 60

- name: Packets seen and alerts raised
  nfvlab.interconnect.ids_nf:
    instances: [{name: c1s1}]
    health: true
  register: ids

- name: Remove every IDS NF of this host
  nfvlab.interconnect.ids_nf:
    state: absent
    purge: true
"""

RETURN = r"""
instances:
  description: Every wanted instance with its ports, unit and whether it was (re)started; with O(health), its health.
  returned: always
  type: list
  elements: dict
  sample:
    - name: c1s1
      engine: suricata
      weight: heavy
      capture: afpacket
      unit: nfvlab-ids-c1s1.service
      ports: [{port: c1s1-p0, type: system, nf_interface: c1s1-n0}, {port: c1s1-p1, type: system, nf_interface: c1s1-n1}]
      restarted: true
      health: {running: true, started: true, packets: 20112, drops: 0, alerts: 11, canary_alerts: 1,
               last_alerts: [nfvlab canary NFVLAB-IDS-CANARY], uptime: 14}
ruleset:
  description: How the ruleset is named in records and reports, and where it is on the host (empty with O(state=absent)).
  returned: always
  type: dict
  sample: {label: "heavy: generated, 5000 content rules, seed 17 (not the community rules)", path: /etc/nfvlab/ids/rules/heavy.rules,
           rules: 5001}
removed:
  description: Instances stopped and removed.
  returned: always
  type: list
  elements: str
  sample: [c1s3]
"""

import os
import shutil
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nfvlab.interconnect.plugins.module_utils import ids
from ansible_collections.nfvlab.interconnect.plugins.module_utils.host_files import atomic_write, read_text


def _tail(path, size=262144):
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            handle.seek(max(0, end - size))
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""


class IdsNf(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.changed = False
        self.diff = {"before": {}, "after": {}}
        self.systemctl = module.get_bin_path("systemctl", required=True)
        self.settings = {
            "home_net": self.params["home_net"], "worker_cpus": self.params["cpus"], "spare_cpus": self.params["spare_cpus"],
            "management_cpus": [], "hugepage_dir": self.params["hugepage_dir"], "memory_mb": self.params["memory_mb"],
            "mbufs": self.params["mbufs"], "socket_dir": self.params["socket_dir"], "queue_size": self.params["queue_size"],
            "stats_interval": self.params["stats_interval"], "mtu": self.params["mtu"], "nice": self.params["nice"],
            "ip": module.get_bin_path("ip") or "/usr/sbin/ip", "ethtool": module.get_bin_path("ethtool") or "/usr/sbin/ethtool",
            "iptables": module.get_bin_path("iptables") or "/usr/sbin/iptables",
            "sysctl": module.get_bin_path("sysctl") or "/usr/sbin/sysctl",
            "suricata": self.params["suricata_path"], "snort": self.params["snort_path"],
            "snort_daq_dir": self.params["snort_daq_dir"], "snort_preprocessor_dir": self.params["snort_preprocessor_dir"],
            "snort_engine_lib": self.params["snort_engine_lib"],
        }

    # ------------------------------------------------------------------ wanted
    def wanted(self):
        names = []
        out = []
        for index, inst in enumerate(self.params["instances"]):
            where = "instances[%d]" % index
            name = inst.get("name")
            if not isinstance(name, str) or not ids.NAME_RE.match(name):
                self.module.fail_json(msg="%s.name %r: 1-10 lower-case letters or digits, starting with a letter" % (where, name))
            if name in names:
                self.module.fail_json(msg="%s.name %s is listed twice" % (where, name))
            names.append(name)
            capture = inst.get("capture") or self.params["capture"]
            problem = ids.capture_problem(self.params["engine"], capture, self.params["switch"])
            if problem:
                self.module.fail_json(msg="%s (%s): %s" % (where, name, problem))
            out.append({"name": name, "capture": capture, "engine": self.params["engine"], "weight": self.params["weight"],
                        "queue": 0})
        if not ids.CANARY_RE.match(self.params["canary"]):
            self.module.fail_json(msg="canary %r: 8-64 letters, digits or _.:-" % self.params["canary"])
        return out

    def rules(self):
        weight = self.params["weight"]
        try:
            if weight == "light":
                text = ids.light_rules(self.params["light_flows"], self.params["canary"])
            elif self.params["heavy_rules_file"]:
                source = read_text(self.params["heavy_rules_file"])
                if source is None:
                    self.module.fail_json(msg="heavy_rules_file %s cannot be read on this host" % self.params["heavy_rules_file"])
                text = ("# nfvlab Heavy ruleset: %s and the canary\n%s\n%s"
                        % (self.params["heavy_rules_file"], ids.canary_rule(self.params["canary"]), source))
            else:
                text = ids.generated_heavy_rules(self.params["heavy_rule_count"], self.params["heavy_rule_seed"],
                                                 self.params["canary"])
        except ids.IdsError as err:
            self.module.fail_json(msg=str(err))
        label = ids.ruleset_label(weight, self.params["heavy_rules_file"], self.params["heavy_rule_count"],
                                  self.params["heavy_rule_seed"], self.params["light_flows"])
        path = os.path.join(self.params["config_dir"], "rules", "%s.rules" % weight)
        count = len([line for line in text.splitlines() if line.startswith(("alert", "drop", "pass", "reject"))])
        return {"label": label, "path": path, "rules": count}, text

    def files_of(self, inst, rules_path, log_dir=None):
        """{path: text} of one instance: its engine configuration and its unit."""
        inst_dir = os.path.join(self.params["config_dir"], inst["name"])
        log_dir = log_dir or os.path.join(self.params["log_dir"], inst["name"])
        if inst["engine"] == "suricata":
            config_path = os.path.join(inst_dir, "suricata.yaml")
            config = ids.suricata_config(inst, self.settings, rules_path, log_dir)
        else:
            config_path = os.path.join(inst_dir, "snort.conf")
            config = ids.snort_config(inst, self.settings, rules_path, log_dir)
        unit_path = os.path.join(self.params["unit_dir"], ids.unit_name(inst["name"]))
        return config_path, {config_path: config, unit_path: ids.unit_text(inst, self.settings, config_path, log_dir)}

    # ------------------------------------------------------------------ host
    def configured(self):
        """Instances this module configured before (their directories under config_dir)."""
        base = self.params["config_dir"]
        if not os.path.isdir(base):
            return []
        return sorted(name for name in os.listdir(base)
                      if name != "rules" and ids.NAME_RE.match(name) and os.path.isdir(os.path.join(base, name)))

    def systemctl_run(self, *args):
        return self.module.run_command([self.systemctl] + list(args))

    def unit_state(self, unit):
        rc, out, err = self.systemctl_run("show", "--property=ActiveState,SubState,MainPID,NRestarts,UnitFileState,ActiveEnterTimestamp", unit)
        state = {}
        for line in out.splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                state[key] = value
        return state

    def engine_test(self, inst, rules_text):
        """Run the engine's test mode on the candidate configuration and ruleset in a scratch directory."""
        binary = self.settings[inst["engine"]]
        if not os.path.exists(binary):
            if self.module.check_mode:
                return
            self.module.fail_json(msg="engine %s: %s is not installed on this host (the ids role installs it)"
                                  % (inst["engine"], binary))
        scratch = tempfile.mkdtemp(prefix="nfvlab-ids-test-")
        try:
            rules_path = os.path.join(scratch, "test.rules")
            with open(rules_path, "w") as handle:
                handle.write(rules_text)
            config_path, files = self.files_of(inst, rules_path, log_dir=scratch)
            with open(os.path.join(scratch, os.path.basename(config_path)), "w") as handle:
                handle.write(files[config_path])
            config_path = os.path.join(scratch, os.path.basename(config_path))
            if inst["engine"] == "suricata":
                argv = [binary, "-T", "-c", config_path, "-l", scratch]
            else:
                argv = [binary, "-T", "-c", config_path, "-l", scratch, "--daq-dir", self.settings["snort_daq_dir"]]
            rc, out, err = self.module.run_command(argv)
            if rc != 0:
                self.module.fail_json(msg="the %s ruleset (%s) fails %s's test mode (%s): %s"
                                      % (self.params["weight"], rules_path.rsplit("/", 1)[-1], inst["engine"],
                                         " ".join(argv[:2]), ids.engine_error(out + "\n" + err, inst["engine"])),
                                      rc=rc, stdout=out, stderr=err)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def write(self, path, text, mode=0o644):
        atomic_write(self.module, path, text, mode)

    def remove(self, names):
        removed = []
        reload_needed = False
        for name in names:
            unit = ids.unit_name(name)
            unit_path = os.path.join(self.params["unit_dir"], unit)
            inst_dir = os.path.join(self.params["config_dir"], name)
            if not os.path.exists(unit_path) and not os.path.exists(inst_dir):
                continue
            removed.append(name)
            self.diff["before"][name] = "configured"
            if self.module.check_mode:
                continue
            self.systemctl_run("disable", "--now", unit)
            self.systemctl_run("stop", "nfvlab-sandbox@%s.service" % name)
            if os.path.exists(unit_path):
                os.remove(unit_path)
                reload_needed = True
            shutil.rmtree(inst_dir, ignore_errors=True)
        if reload_needed:
            self.systemctl_run("daemon-reload")
        if removed:
            self.changed = True
        return removed

    def started(self, inst):
        log_dir = os.path.join(self.params["log_dir"], inst["name"])
        if inst["engine"] == "suricata":
            return bool(_tail(os.path.join(log_dir, "stats.json"), 4096).strip())
        # since the unit's current start (every health check adds a statistics block to the journal)
        state = self.unit_state(ids.unit_name(inst["name"]))
        since = state.get("ActiveEnterTimestamp") or ""
        argv = ["journalctl", "--no-pager", "-o", "cat", "-u", ids.unit_name(inst["name"])]
        if since and since != "n/a":
            argv += ["--since", " ".join(since.split()[1:3])]
        rc, out, err = self.module.run_command(argv)
        return "Commencing packet processing" in out

    def health(self, inst):
        unit = ids.unit_name(inst["name"])
        state = self.unit_state(unit)
        log_dir = os.path.join(self.params["log_dir"], inst["name"])
        if inst["engine"] == "suricata":
            out = ids.suricata_health(_tail(os.path.join(log_dir, "stats.json"), 65536),
                                      read_text(os.path.join(log_dir, "alerts.json")) or "")
        else:
            if state.get("ActiveState") == "active" and not self.module.check_mode:
                self.systemctl_run("kill", "--signal=SIGUSR1", unit)
                time.sleep(1)
            rc, journal, err = self.module.run_command(["journalctl", "--no-pager", "-o", "cat", "-n", "400", "-u", unit])
            out = ids.snort_health(journal, read_text(os.path.join(log_dir, "alert.fast")) or "")
        out["running"] = state.get("ActiveState") == "active" and state.get("SubState") == "running"
        out["started"] = out["running"] and self.started(inst)
        out["main_pid"] = int(state.get("MainPID") or 0)
        out["restarts"] = int(state.get("NRestarts") or 0)
        return out

    def journal_tail(self, unit):
        rc, out, err = self.module.run_command(["journalctl", "--no-pager", "-o", "cat", "-n", "15", "-u", unit])
        return " | ".join(line.strip() for line in out.splitlines()[-12:])

    # ------------------------------------------------------------------ run
    def run(self):
        result = {"instances": [], "removed": []}
        wanted = self.wanted() if self.params["state"] == "present" else []
        configured = self.configured()
        if self.params["state"] == "absent":
            names = [inst.get("name") for inst in self.params["instances"]]
            gone = configured if self.params["purge"] else [name for name in names if name in configured]
            result["removed"] = self.remove(gone)
            result["ruleset"] = {"label": "", "path": "", "rules": 0}
            return result

        ruleset, rules_text = self.rules()
        result["ruleset"] = ruleset
        if self.params["purge"]:
            result["removed"] = self.remove([name for name in configured if name not in [i["name"] for i in wanted]])

        rules_changed = read_text(ruleset["path"]) != rules_text
        plans = []
        for inst in wanted:
            config_path, files = self.files_of(inst, ruleset["path"])
            changed_files = [path for path, text in files.items() if read_text(path) != text]
            for path in changed_files:
                self.diff["before"][path] = read_text(path) or ""
                self.diff["after"][path] = files[path]
            plans.append((inst, files, changed_files))
        if rules_changed:
            self.diff["before"][ruleset["path"]] = "%d lines" % len((read_text(ruleset["path"]) or "").splitlines())
            self.diff["after"][ruleset["path"]] = "%d lines (%s)" % (len(rules_text.splitlines()), ruleset["label"])

        if self.params["test_config"] and (rules_changed or any(changed for _inst, _files, changed in plans)):
            tested = set()
            for inst, _files, changed in plans:
                key = (inst["engine"], inst["capture"])
                if (rules_changed or changed) and key not in tested:
                    tested.add(key)
                    self.engine_test(inst, rules_text)

        if rules_changed:
            self.write(ruleset["path"], rules_text)
            self.changed = True
        units_changed = False
        for inst, files, changed in plans:
            for path in changed:
                self.write(path, files[path])
                units_changed = units_changed or path.endswith(".service")
            if changed:
                self.changed = True
        if units_changed and not self.module.check_mode:
            self.systemctl_run("daemon-reload")

        for inst, files, changed in plans:
            unit = ids.unit_name(inst["name"])
            state = self.unit_state(unit) if not (self.module.check_mode and changed) else {}
            restart = bool(changed or rules_changed)
            running = state.get("ActiveState") == "active"
            enabled = state.get("UnitFileState") == "enabled"
            action = None
            if restart and running:
                action = "restart"
            elif not running:
                action = "start"
            if action or not enabled:
                self.changed = True
            if not self.module.check_mode:
                if not enabled:
                    self.systemctl_run("enable", unit)
                if action:
                    rc, out, err = self.systemctl_run(action, unit)
                    if rc != 0:
                        self.module.fail_json(msg="%s %s failed: %s; its journal ends with: %s"
                                              % (action, unit, (err or out).strip(), self.journal_tail(unit)))
            result["instances"].append({
                "name": inst["name"], "engine": inst["engine"], "weight": inst["weight"], "capture": inst["capture"],
                "unit": unit, "ports": ids.instance_ports(inst["name"], inst["capture"], self.params["socket_dir"]),
                "restarted": bool(action), "ruleset": ruleset["label"]})

        if not self.module.check_mode and any(item["restarted"] for item in result["instances"]):
            time.sleep(3)  # an engine that dies on start does so within a few seconds
            for item in result["instances"]:
                state = self.unit_state(item["unit"])
                if item["restarted"] and state.get("SubState") != "running":
                    self.module.fail_json(msg="%s is not running (%s/%s); its journal ends with: %s"
                                          % (item["unit"], state.get("ActiveState"), state.get("SubState"),
                                             self.journal_tail(item["unit"])))

        if self.params["wait"] > 0 and not self.module.check_mode and wanted:
            deadline = time.time() + self.params["wait"]
            pending = list(wanted)
            while pending and time.time() < deadline:
                pending = [inst for inst in pending if not self.started(inst)]
                if pending:
                    time.sleep(1)
            if pending:
                units = [ids.unit_name(inst["name"]) for inst in pending]
                self.module.fail_json(msg="engines not processing packets after %d s: %s" % (
                    self.params["wait"], "; ".join("%s (journal: %s)" % (unit, self.journal_tail(unit)) for unit in units)))
        if self.params["health"]:
            for inst, item in zip(wanted, result["instances"]):
                item["health"] = self.health(inst)
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            instances=dict(type="list", elements="dict", default=[],
                           options=dict(name=dict(type="str", required=True),
                                        capture=dict(type="str", choices=list(ids.CAPTURES)))),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge=dict(type="bool", default=False),
            engine=dict(type="str", choices=list(ids.ENGINES), default="suricata"),
            weight=dict(type="str", choices=list(ids.WEIGHTS), default="heavy"),
            capture=dict(type="str", choices=list(ids.CAPTURES), default="afpacket"),
            switch=dict(type="str", choices=list(ids.SWITCHES)),
            heavy_rules_file=dict(type="path"),
            heavy_rule_count=dict(type="int", default=5000),
            heavy_rule_seed=dict(type="int", default=17),
            light_flows=dict(type="list", elements="dict", default=[]),
            canary=dict(type="str", default="NFVLAB-IDS-CANARY"),
            home_net=dict(type="list", elements="str", default=["198.18.0.0/15"]),
            cpus=dict(type="list", elements="int", default=[0]),
            spare_cpus=dict(type="list", elements="int", default=[1]),
            nice=dict(type="int", default=0),
            hugepage_dir=dict(type="path", default="/mnt/huge"),
            memory_mb=dict(type="int", default=128),
            mbufs=dict(type="int", default=4095),
            queue_size=dict(type="int", default=1024),
            socket_dir=dict(type="path", default="/run/nfvlab/vhost"),
            mtu=dict(type="int", default=1500),
            stats_interval=dict(type="int", default=2),
            config_dir=dict(type="path", default="/etc/nfvlab/ids"),
            log_dir=dict(type="path", default="/var/log/nfvlab-ids"),
            unit_dir=dict(type="path", default="/etc/systemd/system"),
            health=dict(type="bool", default=False),
            wait=dict(type="int", default=0),
            test_config=dict(type="bool", default=True),
            suricata_path=dict(type="path", default="/usr/bin/suricata"),
            snort_path=dict(type="path", default="/usr/local/bin/snort"),
            snort_daq_dir=dict(type="path", default="/usr/local/lib/daq"),
            snort_preprocessor_dir=dict(type="path", default="/usr/local/lib/snort_dynamicpreprocessor"),
            snort_engine_lib=dict(type="path", default="/usr/local/lib/snort_dynamicengine/libsf_engine.so"),
        ),
        supports_check_mode=True,
    )
    if not module.params["cpus"]:
        module.fail_json(msg="cpus: at least one CPU")
    nf = IdsNf(module)
    result = nf.run()
    result["changed"] = nf.changed
    if module._diff:
        result["diff"] = nf.diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
