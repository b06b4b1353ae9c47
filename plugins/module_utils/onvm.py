# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenNetVM v21.10 NF chains as systemd units: the manager's contract file, the plan of a chain (which example NF
runs for which service and instance on which CPU and where it sends its packets), the NF units, and the manager's
statistics (its JSON file and its text file). Pure functions; the onvm_chain module runs them.

Facts from OpenNetVM v21.10's source this relies on:
- onvm_nflib args (between the two "--"): -r SERVICE (1..the manager's -r minus 1: the manager sizes its service
  table by -r, service 0 is reserved), -n INSTANCE_ID (global over all NFs, 1..127 = MAX_NFS - 1; a taken ID fails
  with "Selected ID already in use"), -m (run on the EAL lcore given by -l; it must be in the manager's NF core
  mask), -s (the core may be shared; without it a second NF on the core fails with NF_NO_DEDICATED_CORES).
- simple_forward sends every packet to a service (-d, ONVM_NF_ACTION_TONF); no example NF takes an output port:
  bridge sends what came in on port 0 out of port 1 and anything else out of port 0; basic_monitor sends a packet
  back out of the port it came in on.
- The manager balances a service's packets over its instances by mbuf hash.rss % instances (onvm_sc_common.c).
- `-s web`: every second (-z) the manager rewrites ../onvm_web/onvm_json_stats.json (relative to its working
  directory; rates only: RX/TX pps, drop rates, service_id, instance_id, core per "NF <n>" key, which upstream
  truncates to 5 characters so "NF 100".."NF 109" collide) and ../onvm_web/onvm_stats.txt (the console table; its
  columns depend on -v: 1 - pps and drop totals, 2 - rx/tx totals too, 3 - CSV of everything).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

MANAGER_CONFIG = "/etc/nfvlab/onvm/manager.json"
MANAGER_UNIT = "nfvlab-onvm-mgr.service"
STATE_BASE = "/var/lib/nfvlab/onvm"
UNIT_PREFIX = "nfvlab-onvm-"
MAX_NFS = 128  # onvm_common.h: instance IDs 1..MAX_NFS-1
MAX_NFS_PER_SERVICE = 32
MAX_SERVICES = 32
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
UNIT_RE = re.compile(r"^nfvlab-onvm-(?P<chain>[a-z0-9-]+)-s(?P<service>[0-9]+)-i(?P<instance>[0-9]+)\.service$")
REQUIRED_KEYS = ("home", "file_prefix", "manager_cpus", "nf_cpus", "services", "ports", "stats_file", "unit")

# Example NFs: how each forwards. "service" - to the service given with -d; "port" - out of a port the example
# chooses itself (see port_rule()).
EXAMPLES = {
    "simple_forward": "service",
    "bridge": "port",
    "basic_monitor": "port",
}
LAST_STAGE_EXAMPLES = ("bridge", "basic_monitor", "simple_forward")
MIDDLE_EXAMPLES = ("simple_forward",)


class OnvmError(Exception):
    pass


# ---------------------------------------------------------------------------------------------- manager.json

def load_manager(text, path=MANAGER_CONFIG):
    """The manager's contract (written by role nfvlab.interconnect.opennetvm), checked."""
    try:
        manager = json.loads(text)
    except ValueError as err:
        raise OnvmError("%s is not JSON: %s" % (path, err))
    if not isinstance(manager, dict):
        raise OnvmError("%s: expected a JSON object" % path)
    missing = [key for key in REQUIRED_KEYS if key not in manager]
    if missing:
        raise OnvmError("%s lacks %s (rerun role nfvlab.interconnect.opennetvm)" % (path, ", ".join(missing)))
    try:
        manager["services"] = int(manager["services"])
        manager["manager_cpus"] = [int(cpu) for cpu in manager["manager_cpus"]]
        manager["nf_cpus"] = [int(cpu) for cpu in manager["nf_cpus"]]
        manager["ports"] = [dict(port, index=int(port["index"])) for port in manager["ports"]]
    except (TypeError, ValueError, KeyError) as err:
        raise OnvmError("%s: services, manager_cpus, nf_cpus or ports[].index is not an integer (%s)" % (path, err))
    manager.setdefault("target", "x86_64-native-linuxapp-gcc")
    manager.setdefault("default_service", 1)
    manager.setdefault("examples", {})
    return manager


def example_binary(manager, example):
    """Path of an example NF's binary: manager.json's examples.<name>, else <home>/examples/<name>/build/app/<name>."""
    path = (manager.get("examples") or {}).get(example)
    if path:
        return path
    return os.path.join(manager["home"], "examples", example, "build", "app", example)


def stats_text_file(manager):
    """The manager's text statistics (onvm_stats.txt), written beside its JSON statistics."""
    return manager.get("stats_text_file") or os.path.join(os.path.dirname(manager["stats_file"]), "onvm_stats.txt")


# ---------------------------------------------------------------------------------------------- plan

def unit_name(chain, service, instance):
    return "%s%s-s%d-i%d.service" % (UNIT_PREFIX, chain, int(service), int(instance))


def parse_unit_name(unit):
    """(chain, service, instance) of an NF unit name, or None."""
    match = UNIT_RE.match(unit)
    if not match:
        return None
    return match.group("chain"), int(match.group("service")), int(match.group("instance"))


def instance_id(service, replica, services):
    """The instance ID of replica `replica` (1-based) of `service`: service + services * (replica - 1).

    Unique over every chain on the manager (a service belongs to one chain), deterministic, and the same ID
    whatever the chain's length or its other services."""
    return int(service) + int(services) * (int(replica) - 1)


def port_rule(example, port):
    """Where a port-sending example sends a packet that came in on `port` (upstream v21.10 behaviour)."""
    if example == "bridge":
        return 1 if int(port) == 0 else 0
    return int(port)


def entry_port(example, output_port):
    """The port traffic must come in on so that the last stage's example sends it out of output_port."""
    if example == "bridge":
        # bridge: in 0 -> out 1, in anything else -> out 0
        return 0 if int(output_port) == 1 else 1
    return int(output_port)


def check_request(manager, services, replicas, cpus, nf, last_nf, output_port, output_service, dedicated_cores):
    """Errors (each naming the parameter) of a chain request against the manager's configuration."""
    errors = []
    if not services:
        errors.append("services: list at least one service ID")
    count = int(manager["services"])
    for index, service in enumerate(services):
        if not 1 <= int(service) < count:
            errors.append("services[%d]=%d is outside the manager's service IDs 1..%d (it runs with -r %d; ID 0 is "
                          "reserved)" % (index, int(service), count - 1, count))
    dupes = sorted(set(s for s in services if list(services).count(s) > 1))
    if dupes:
        errors.append("services: %s listed twice (a service is one stage; use replicas for instances)"
                      % ", ".join(str(s) for s in dupes))
    if replicas < 1 or replicas > MAX_NFS_PER_SERVICE:
        errors.append("replicas=%d: 1..%d (MAX_NFS_PER_SERVICE)" % (replicas, MAX_NFS_PER_SERVICE))
    elif services:
        top = max(instance_id(s, replicas, count) for s in services)
        if top >= MAX_NFS:
            errors.append("replicas=%d: instance IDs are service + %d x (replica - 1); service %d replica %d would be "
                          "instance %d, above OpenNetVM's %d (fewer replicas or a manager with fewer service IDs)"
                          % (replicas, count, max(services), replicas, top, MAX_NFS - 1))
    if not cpus:
        errors.append("cpus: at least one CPU (the manager's nf_cpus are %s)" % manager["nf_cpus"])
    overlap = sorted(set(cpus) & set(manager["manager_cpus"]))
    if overlap:
        errors.append("cpus %s overlap the manager's cores %s (manager_cpus); NFs run on the manager's nf_cpus %s"
                      % (overlap, manager["manager_cpus"], manager["nf_cpus"]))
    outside = sorted(set(cpus) - set(manager["nf_cpus"]) - set(manager["manager_cpus"]))
    if outside:
        errors.append("cpus %s are not in the manager's NF core mask (nf_cpus %s): onvm_nflib -m refuses them"
                      % (outside, manager["nf_cpus"]))
    if dedicated_cores and services and len(services) * replicas > len(set(cpus)):
        errors.append("dedicated_cores: %d NFs need %d CPUs, cpus lists %d" % (len(services) * replicas,
                                                                               len(services) * replicas, len(set(cpus))))
    if nf not in MIDDLE_EXAMPLES:
        errors.append("nf=%s: the stages before the last must send to a service; supported: %s"
                      % (nf, ", ".join(MIDDLE_EXAMPLES)))
    if EXAMPLES.get(last_nf) == "service":
        if output_service is None:
            errors.append("output_service: required when last_nf=%s (it sends to a service)" % last_nf)
        elif not 1 <= int(output_service) < count:
            errors.append("output_service=%d is outside the manager's service IDs 1..%d" % (output_service, count - 1))
        elif int(output_service) in services:
            errors.append("output_service=%d is a stage of this chain (a loop)" % output_service)
    elif last_nf in EXAMPLES:
        ports = [port["index"] for port in manager["ports"]]
        if output_port is None:
            errors.append("output_port: required when last_nf=%s (it sends out a port)" % last_nf)
        elif int(output_port) not in ports:
            errors.append("output_port=%d is not one of the manager's ports %s" % (output_port, ports))
        elif last_nf == "bridge" and (0 not in ports or 1 not in ports):
            errors.append("last_nf=bridge needs the manager's ports 0 and 1 (it has %s)" % ports)
        elif output_service is not None:
            errors.append("output_service: only with last_nf=simple_forward")
    else:
        errors.append("last_nf=%s: one of %s" % (last_nf, ", ".join(LAST_STAGE_EXAMPLES)))
    return errors


def plan(chain, services, replicas, cpus, manager, nf="simple_forward", last_nf="bridge", output_port=1,
         output_service=None, dedicated_cores=False, print_delay=None, state_base=STATE_BASE):
    """Every NF of the chain, stage by stage, replica by replica (dicts; the unit text comes from unit_text()).

    CPUs go round robin over `cpus` in that order."""
    count = int(manager["services"])
    out = []
    index = 0
    for stage, service in enumerate(services, 1):
        last = stage == len(services)
        example = last_nf if last else nf
        for replica in range(1, int(replicas) + 1):
            iid = instance_id(service, replica, count)
            if not last:
                dest = {"service": int(services[stage])}
            elif EXAMPLES[example] == "service":
                dest = {"service": int(output_service)}
            else:
                dest = {"port": int(output_port), "entry_port": entry_port(example, output_port)}
            args = []
            if "service" in dest:
                args += ["-d", str(dest["service"])]
            if print_delay:
                args += ["-p", str(int(print_delay))]
            out.append({
                "chain": chain, "stage": stage, "stages": len(services), "service_id": int(service), "replica": replica,
                "instance_id": iid, "unit": unit_name(chain, service, iid), "example": example,
                "binary": example_binary(manager, example), "cpu": int(cpus[index % len(cpus)]),
                "share_core": not dedicated_cores, "dest": dest, "nf_args": args,
                "working_dir": "%s/%s/s%d-i%d" % (state_base.rstrip("/"), chain, int(service), iid),
            })
            index += 1
    return out


def dest_text(dest):
    if "service" in dest:
        return "service %d" % dest["service"]
    return "port %d (for packets in on port %d)" % (dest["port"], dest["entry_port"])


def nf_command(nf, manager, memory_channels=3):
    """The NF's command line: EAL args (a DPDK secondary process of the manager's file prefix), onvm_nflib args,
    the example's args."""
    eal = [nf["binary"], "-l", str(nf["cpu"]), "-n", str(int(memory_channels)), "--proc-type=secondary",
           "--file-prefix", manager["file_prefix"], "--no-pci"]
    lib = ["-r", str(nf["service_id"]), "-n", str(nf["instance_id"]), "-m"]
    if nf["share_core"]:
        lib.append("-s")
    return eal + ["--"] + lib + ["--"] + list(nf["nf_args"])


def ready_check(manager, timeout=60):
    """A shell command that waits until the manager has finished its init: its JSON statistics file is not empty and
    was written after the manager's main process started (the manager truncates it while it parses its args and
    writes it once a second from its stats loop, which starts after "Finished Process Init"). An NF that attaches
    while the manager is still in its DPDK init makes the manager fail ("Cannot allocate memzone list"); the
    manager's unit becomes active as soon as onvm_mgr is forked, so After= alone does not order them.
    For a unit file: `$$` and `%%` are systemd's escapes of `$` and `%`."""
    mgr_unit = manager.get("unit") or MANAGER_UNIT
    stats = manager["stats_file"]
    return ("/bin/sh -c 't=$$(systemctl show -P ExecMainStartTimestamp %s); "
            "[ -n \"$$t\" ] || { echo \"%s is not running\"; exit 1; }; m=$$(date -d \"$$t\" +%%%%s); "
            "for i in $$(seq %d); do [ -s %s ] && [ $$(stat -c %%%%Y %s) -gt $$m ] && exit 0; sleep 1; done; "
            "echo \"%s: no statistics in %s since it started\"; exit 1'"
            % (mgr_unit, mgr_unit, int(timeout), stats, stats, mgr_unit, stats))


def unit_text(nf, manager, memory_channels=3):
    """The systemd unit of one NF."""
    mgr_unit = manager.get("unit") or MANAGER_UNIT
    # systemd makes a StateDirectory= (relative to /var/lib) before it enters WorkingDirectory=
    state_dir = nf["working_dir"][len("/var/lib/"):] if nf["working_dir"].startswith("/var/lib/") else None
    lines = [
        "# nfvlab.interconnect onvm_chain: chain %s, stage %d/%d - service %d instance %d (%s) -> %s."
        % (nf["chain"], nf["stage"], nf["stages"], nf["service_id"], nf["instance_id"], nf["example"],
           dest_text(nf["dest"])),
        "# Written by the module; a changed unit restarts this NF. It stops and restarts with %s." % mgr_unit,
        "[Unit]",
        "Description=nfvlab OpenNetVM NF %s of chain %s (service %d, instance %d)"
        % (nf["example"], nf["chain"], nf["service_id"], nf["instance_id"]),
        "After=%s" % mgr_unit,
        "BindsTo=%s" % mgr_unit,
        "PartOf=%s" % mgr_unit,
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=simple",
    ]
    if state_dir:
        lines.append("StateDirectory=%s" % state_dir)
    else:
        lines.append("ExecStartPre=/bin/mkdir -p %s" % nf["working_dir"])
    lines += [
        "ExecStartPre=%s" % ready_check(manager),
        "WorkingDirectory=%s" % nf["working_dir"],
        "ExecStart=%s" % " ".join(nf_command(nf, manager, memory_channels)),
        "KillSignal=SIGINT",
        "TimeoutStopSec=20",
        "Restart=on-failure",
        "RestartSec=2",
        "",
        "[Install]",
        "WantedBy=%s" % mgr_unit,
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- statistics

def _pairs(pairs):
    # keep every "NF <n>" entry: upstream truncates the key to 5 characters, so NF 100..109 share "NF 10"
    return pairs


def parse_stats_json(text):
    """The manager's onvm_json_stats.json -> {"updated": str, "ports": {index: {rx_pps, tx_pps}},
    "nfs": {instance_id: {service_id, instance_id, core, rx_pps, tx_pps, rx_drop_rate, tx_drop_rate}}}."""
    try:
        pairs = json.loads(text, object_pairs_hook=_pairs)
    except ValueError:
        return None
    root = dict(pairs) if isinstance(pairs, list) else {}
    out = {"updated": (root.get("last_updated") or "").strip(), "ports": {}, "nfs": {}}
    for label, port in root.get("onvm_port_stats") or []:
        port = dict(port)
        match = re.match(r"^Port ([0-9]+)$", str(port.get("Label", label)))
        if match:
            out["ports"][int(match.group(1))] = {"rx_pps": int(port.get("RX", 0)), "tx_pps": int(port.get("TX", 0))}
    for _label, entry in root.get("onvm_nf_stats") or []:
        entry = dict(entry)
        if "instance_id" not in entry:
            continue
        iid = int(entry["instance_id"])
        out["nfs"][iid] = {"service_id": int(entry.get("service_id", 0)), "instance_id": iid,
                           "core": int(entry.get("core", -1)), "rx_pps": int(entry.get("RX", 0)),
                           "tx_pps": int(entry.get("TX", 0)), "rx_drop_rate": int(entry.get("RX_Drop_Rate", 0)),
                           "tx_drop_rate": int(entry.get("TX_Drop_Rate", 0))}
    return out


_NUM = r"\s+([0-9]+)"
_NF_LINE = re.compile(r"^(\S+)\s+([0-9]+)\s+/\s+([0-9]+)\s+/\s+([0-9]+)" + _NUM + r"\s+/" + _NUM + _NUM + r"\s+/"
                      + _NUM + _NUM + r"\s+/" + _NUM + r"\s+/" + _NUM + r"\s*$")
_ADV_LINE = re.compile(r"^\s+(-?[0-9]+)\s+/\s+([SW])\s+/\s+([0-9]+)" + _NUM + r"\s+/" + _NUM + _NUM + r"\s+/"
                       + _NUM + _NUM + r"\s+/" + _NUM + r"\s+/" + _NUM + r"\s*$")
_PORT_LINE = re.compile(r"^Port ([0-9]+) - rx:\s+([0-9]+)\s+\(\s*([0-9]+) pps\)\s+tx:\s+([0-9]+)\s+\(\s*([0-9]+) pps\)")
_RAW_FIELDS = ("tag", "instance_id", "service_id", "core", "parent", "state", "children", "rx", "tx", "rx_pps",
               "tx_pps", "rx_drop", "tx_drop", "rx_drop_rate", "tx_drop_rate", "act_out", "act_tonf", "act_drop",
               "act_next", "act_buffer", "act_returned", "wakeups", "wakeup_rate")


def parse_stats_text(text):
    """The manager's onvm_stats.txt (any -v) -> {"ports": {index: {rx, tx, rx_pps, tx_pps}},
    "nfs": {instance_id: {tag, service_id, core, rx_pps, tx_pps, [rx, tx,] rx_drop, tx_drop, act_out, ...}}}.

    -v 1 gives no rx/tx totals (only pps); -v 2 and -v 3 do."""
    out = {"ports": {}, "nfs": {}}
    advanced = False
    last = None
    for line in (text or "").splitlines():
        if line.startswith("NF TAG"):
            advanced = " rx  /  tx " in line
            continue
        match = _PORT_LINE.match(line)
        if match:
            port, rx, rx_pps, tx, tx_pps = (int(v) for v in match.groups())
            out["ports"][port] = {"rx": rx, "tx": tx, "rx_pps": rx_pps, "tx_pps": tx_pps}
            continue
        if line.startswith("SID "):
            last = None
            continue
        match = _NF_LINE.match(line)
        if match:
            values = [int(v) for v in match.groups()[1:]]
            entry = {"tag": match.group(1), "instance_id": values[0], "service_id": values[1], "core": values[2],
                     "rx_pps": values[3], "tx_pps": values[4], "act_out": values[7], "act_tonf": values[8],
                     "act_drop": values[9]}
            if advanced:
                entry.update(rx=values[5], tx=values[6])
            else:
                entry.update(rx_drop=values[5], tx_drop=values[6])
            out["nfs"][values[0]] = entry
            last = entry if advanced else None
            continue
        match = _ADV_LINE.match(line)
        if match and last is not None:
            values = match.groups()
            last.update(parent=int(values[0]), rx_drop_rate=int(values[3]), tx_drop_rate=int(values[4]),
                        rx_drop=int(values[5]), tx_drop=int(values[6]), act_next=int(values[7]),
                        act_buffer=int(values[8]), act_returned=int(values[9]))
            last = None
            continue
        if not line.startswith("#") and line.count(",") == len(_RAW_FIELDS) and re.match(r"^[0-9]{4}-", line):
            fields = line.split(",")[1:]
            entry = dict(zip(_RAW_FIELDS, fields))
            for key in _RAW_FIELDS:
                if key not in ("tag", "state"):
                    entry[key] = int(entry[key])
            out["nfs"][entry["instance_id"]] = entry
            continue
        if not line.startswith("#") and line.count(",") == 5 and re.match(r"^[0-9]{4}-", line):
            _stamp, port, rx, rx_pps, tx, tx_pps = line.split(",")
            out["ports"][int(port)] = {"rx": int(rx), "tx": int(tx), "rx_pps": int(rx_pps), "tx_pps": int(tx_pps)}
    return out


STAT_KEYS = ("rx", "tx", "rx_drop", "tx_drop", "rx_pps", "tx_pps", "act_out", "act_tonf", "act_drop")


def nf_stats(nf, json_stats, text_stats):
    """One NF's figures: the JSON rates and the text totals matched by instance ID (and service ID)."""
    out = {"in_stats": False}
    for source in (text_stats, json_stats):
        entry = ((source or {}).get("nfs") or {}).get(nf["instance_id"])
        if entry and int(entry.get("service_id", nf["service_id"])) == nf["service_id"]:
            out["in_stats"] = True
            for key in STAT_KEYS + ("core", "tag"):
                if key in entry:
                    out[key] = entry[key]
    for key in STAT_KEYS:
        out.setdefault(key, None)
    return out
