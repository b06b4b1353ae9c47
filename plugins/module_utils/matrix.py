# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark matrix: experiments (data) -> cells, each cell's key, what this lab can run.

An experiment is a dict:
    title: str
    wiring: single-host | multi-host
    axes: {param: [values] | {profile: [values]}}     the parameters that vary
    fixed: {param: value}                               the parameters that do not
    metrics: [throughput, latency] | {profile: [...]}
A cell is one point of the product of the axes, for one metric. Its parameters are
canonical (every parameter present, in one spelling), so that its key - a hash of
the parameters, the measurement settings and the lab's fingerprint - is the same in
every run that would measure the same thing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import itertools
import json
import re

from ansible_collections.nfvlab.interconnect.plugins.module_utils.chain_plan import ChainPlanError, onvm_runs
from ansible_collections.nfvlab.interconnect.plugins.module_utils.placement import PlacementError, chain_placement

PROFILES = ("smoke", "emulated", "full")
METRICS = ("throughput", "latency")
WIRINGS = ("single-host", "multi-host")
SWITCHES = ("ovs-kernel", "ovs-dpdk", "onvm")
CAPTURES = ("nfq", "afpk", "dpdk", "onvm")
NFS = ("l2fwd", "snort-light", "snort-heavy")
PLACEMENTS = ("none", "sc", "bf")
FABRICS = ("none", "vxlan", "ib")
# Defaults of the parameters an experiment may leave out.
DEFAULTS = {"chain_length": 1, "replicas": 1, "placement": "none", "fabric": "none", "packet_bytes": 0,
            "nf": "l2fwd", "platform": "ovs-dpdk+dpdk", "traffic_host": "source"}
PARAMS = ("platform", "nf", "chain_length", "replicas", "placement", "fabric", "packet_bytes", "traffic_host")
# What changes the deployment (cells that agree on these share one chain).
DEPLOY_PARAMS = ("wiring", "platform", "nf", "chain_length", "replicas", "placement", "fabric")
# How each NF captures packets: l2fwd (dpdk-testpmd) with DPDK only; the IDS NFs (snort-light, snort-heavy) with
# what their engine can (Snort 2.9's DAQ 2.0.7 has no DPDK module). The matrix spells AF_PACKET "afpk".
# (On the onvm platform l2fwd is OpenNetVM's simple_forward: the manager's rings, no capture module.)
NF_CAPTURES = {"l2fwd": ("dpdk",)}
IDS_ENGINE_CAPTURES = {"suricata": ("nfq", "afpk", "dpdk"), "snort": ("nfq", "afpk")}
# The ids role's spelling of a matrix capture mode.
IDS_CAPTURE = {"nfq": "nfq", "afpk": "afpacket", "dpdk": "dpdk"}
MAX_FLOWS = 127


class MatrixError(Exception):
    pass


def parse_platform(platform):
    """'ovs-dpdk-4+dpdk' -> {'switch': 'ovs-dpdk', 'pmd_threads': 4, 'capture': 'dpdk'}; 'onvm' -> onvm/onvm."""
    if platform == "onvm":
        return {"switch": "onvm", "pmd_threads": 0, "capture": "onvm"}
    found = re.match(r"^(ovs-kernel|ovs-dpdk)(?:-([0-9]+))?\+(nfq|afpk|dpdk|onvm)$", str(platform))
    if not found or (found.group(1) == "ovs-kernel" and found.group(2)):
        raise MatrixError("platform %r: expected onvm, ovs-kernel+<capture> or ovs-dpdk[-<PMD threads>]+<capture>, "
                          "capture one of %s" % (platform, ", ".join(CAPTURES)))
    threads = int(found.group(2) or 1) if found.group(1) == "ovs-dpdk" else 0
    if found.group(1) == "ovs-dpdk" and threads < 1:
        raise MatrixError("platform %r: at least one PMD thread" % platform)
    return {"switch": found.group(1), "pmd_threads": threads, "capture": found.group(3)}


def _values(experiment_name, param, spec, profile):
    if isinstance(spec, dict):
        if profile not in spec:
            raise MatrixError("benchmark_experiments.%s.axes.%s has no values for profile %s (it has %s)"
                              % (experiment_name, param, profile, ", ".join(sorted(spec)) or "none"))
        spec = spec[profile]
    if not isinstance(spec, list) or not spec:
        raise MatrixError("benchmark_experiments.%s.axes.%s: a non-empty list (or profile -> list) is needed, got %r"
                          % (experiment_name, param, spec))
    return spec


def _check_param(where, param, value):
    if param == "platform":
        try:
            parse_platform(value)
        except MatrixError as exc:
            raise MatrixError("%s: %s" % (where, exc))
        return
    allowed = {"nf": NFS, "placement": PLACEMENTS, "fabric": FABRICS, "traffic_host": ("source", "chain")}.get(param)
    if allowed is not None:
        if value not in allowed:
            raise MatrixError("%s: %s=%r, expected one of %s" % (where, param, value, ", ".join(allowed)))
        return
    if param in ("chain_length", "replicas", "packet_bytes"):
        low = 1 if param != "packet_bytes" else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise MatrixError("%s: %s=%r, expected an integer >= %d" % (where, param, value, low))
        return
    raise MatrixError("%s: unknown parameter %r (known: %s)" % (where, param, ", ".join(PARAMS)))


def validate_experiments(experiments, profile):
    """Every problem stops here, named by variable, before any cell is expanded."""
    if profile not in PROFILES:
        raise MatrixError("benchmark_profile=%r, expected one of %s" % (profile, ", ".join(PROFILES)))
    if not isinstance(experiments, dict) or not experiments:
        raise MatrixError("benchmark_experiments must map experiment ids to experiments")
    for name, experiment in experiments.items():
        where = "benchmark_experiments.%s" % name
        if not isinstance(experiment, dict):
            raise MatrixError("%s must be a dict" % where)
        unknown = sorted(set(experiment) - {"title", "wiring", "axes", "fixed", "metrics", "figure"})
        if unknown:
            raise MatrixError("%s: unknown keys %s" % (where, ", ".join(unknown)))
        if experiment.get("wiring") not in WIRINGS:
            raise MatrixError("%s.wiring=%r, expected one of %s" % (where, experiment.get("wiring"), ", ".join(WIRINGS)))
        axes = experiment.get("axes") or {}
        fixed = experiment.get("fixed") or {}
        both = sorted(set(axes) & set(fixed))
        if both:
            raise MatrixError("%s: %s both an axis and fixed" % (where, ", ".join(both)))
        for param, spec in axes.items():
            for value in _values(name, param, spec, profile):
                _check_param("%s.axes.%s" % (where, param), param, value)
        for param, value in fixed.items():
            _check_param("%s.fixed.%s" % (where, param), param, value)
        metrics = experiment.get("metrics")
        metrics = metrics.get(profile) if isinstance(metrics, dict) else metrics
        if not metrics or any(metric not in METRICS for metric in metrics):
            raise MatrixError("%s.metrics=%r, expected a list of %s" % (where, metrics, ", ".join(METRICS)))


def _stand_in(stand_ins, experiment_name, param, value, platform=None):
    """What runs instead of the paper's value; a key '<value>@<platform>' applies on that platform only
    (e.g. nf {'snort-heavy@onvm': 'l2fwd'}) and comes before a plain '<value>'."""
    table = ((stand_ins or {}).get(experiment_name) or {}).get(param, {})
    if platform is not None and "%s@%s" % (value, platform) in table:
        return table["%s@%s" % (value, platform)]
    return table.get(value, value)


def is_ids(nf):
    return str(nf).startswith("snort-")


def _check_ids(ids):
    if not isinstance(ids, dict) or ids.get("engine") not in IDS_ENGINE_CAPTURES:
        got = ids.get("engine") if isinstance(ids, dict) else ids
        raise MatrixError("benchmark_ids.engine: one of %s, got %r" % (", ".join(sorted(IDS_ENGINE_CAPTURES)), got))
    rulesets = ids.get("rulesets") or {}
    for nf in ("snort-light", "snort-heavy"):
        if not isinstance(rulesets.get(nf), str) or not rulesets.get(nf):
            raise MatrixError("benchmark_ids.rulesets.%s: the label of the ruleset the IDS NF runs, got %r" % (nf, rulesets.get(nf)))


def expand_cells(experiments, profile, measurement, stand_ins=None, only=None, ids=None):
    """Every cell of the profile, in a stable order (experiment, then axes in their order).

    measurement: {seconds, flows, lb_flows_per_replica, message_bytes} for the cells.
    stand_ins: {experiment: {platform|nf: {paper's value: what runs instead}}}; a cell keeps the
    paper's parameters and says in `runs` what ran instead.
    ids: {engine: suricata|snort, rulesets: {snort-light: label, snort-heavy: label}}: the engine and the
    ruleset an IDS NF cell runs with, named in its `runs` (and so in its key, its record and the report)."""
    validate_experiments(experiments, profile)
    ids = ids or {"engine": "suricata", "rulesets": {"snort-light": "light", "snort-heavy": "heavy"}}
    _check_ids(ids)
    seconds = int(measurement.get("seconds", 10))
    flows = int(measurement.get("flows", 10))
    per_replica = int(measurement.get("lb_flows_per_replica", 10))
    message = int(measurement.get("message_bytes", 64))
    if seconds < 1 or flows < 1 or per_replica < 1 or message < 1:
        raise MatrixError("benchmark_measurement: seconds, flows, lb_flows_per_replica and message_bytes must be >= 1, got %r"
                          % (measurement,))
    cells = []
    for name in sorted(experiments):
        if only and name not in only:
            continue
        experiment = experiments[name]
        axes = experiment.get("axes") or {}
        order = [param for param in PARAMS if param in axes]
        metrics = experiment["metrics"]
        metrics = metrics[profile] if isinstance(metrics, dict) else metrics
        for point in itertools.product(*[_values(name, param, axes[param], profile) for param in order]):
            params = dict(DEFAULTS)
            params.update(experiment.get("fixed") or {})
            params.update(zip(order, point))
            params["wiring"] = experiment["wiring"]
            runs = {"platform": _stand_in(stand_ins, name, "platform", params["platform"])}
            runs["nf"] = _stand_in(stand_ins, name, "nf", params["nf"], runs["platform"])
            for param in ("platform", "nf"):
                _check_param("benchmark_stand_ins.%s.%s" % (name, param), param, runs[param])
            if is_ids(runs["nf"]):
                runs.update(engine=ids["engine"], ruleset=ids["rulesets"][runs["nf"]])
            for metric in metrics:
                cell = {"experiment": name, "metric": metric, "params": params, "runs": runs, "seconds": seconds}
                if metric == "throughput":
                    cell["flows"] = min(flows if params["replicas"] == 1 else per_replica * params["replicas"], MAX_FLOWS)
                else:
                    cell["message_bytes"] = message
                cell["id"] = cell_id(cell)
                cells.append(cell)
    return cells


def cell_id(cell):
    """'fig2 platform=ovs-dpdk+dpdk nf=snort-light chain_length=3 throughput' (the axes that vary from the defaults)."""
    params = cell["params"]
    parts = [cell["experiment"]] + ["%s=%s" % (param, params[param]) for param in PARAMS
                                    if params[param] != DEFAULTS[param] or param in ("platform", "nf", "chain_length")]
    return " ".join(parts + [cell["metric"]])


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def fingerprint_hash(fingerprints):
    """One hash of the hosts' environment fingerprints ({host: fingerprint})."""
    return hashlib.sha256(canonical(fingerprints).encode("utf-8")).hexdigest()


def cell_key(cell, fingerprint_sha256):
    """The cell's identity: its parameters, what ran, the measurement settings and the environment."""
    what = dict((key, cell[key]) for key in ("experiment", "metric", "params", "runs", "seconds", "flows", "message_bytes")
                if key in cell)
    return hashlib.sha256(canonical({"cell": what, "environment": fingerprint_sha256}).encode("utf-8")).hexdigest()[:24]


def deploy_of(cell):
    """What must be deployed for the cell (what ran, not what the paper named)."""
    deploy = dict((param, cell["params"][param]) for param in DEPLOY_PARAMS)
    deploy.update(cell["runs"])
    deploy.update(parse_platform(deploy["platform"]))
    return deploy


def groups(cells):
    """Cells that share a deployment, in first-seen order: [{deploy, cells}]."""
    out = []
    index = {}
    for cell in cells:
        deploy = deploy_of(cell)
        key = canonical(deploy)
        if key not in index:
            index[key] = len(out)
            out.append({"deploy": deploy, "cells": []})
        out[index[key]]["cells"].append(cell)
    return out


def _hosts_of(cell, lab_groups):
    nf_servers = list(lab_groups.get("nf_servers") or [])
    if cell["params"]["wiring"] == "single-host":
        return nf_servers[:1]
    return nf_servers + list(lab_groups.get("chaining_servers") or [])


def _onvm_reason(cell, capabilities, lab_groups, hosts):
    """Why the onvm platform cannot run the cell here, or ''."""
    params, runs = cell["params"], cell["runs"]
    nf_servers = [host for host in hosts if host in (lab_groups.get("nf_servers") or [])]
    lacking = ["%s: %s" % (host, (capabilities[host].get("onvm") or {}).get("reason") or "no OpenNetVM manager")
               for host in nf_servers if not (capabilities[host].get("onvm") or {}).get("available")]
    if lacking:
        return "OpenNetVM is not available on " + "; ".join(lacking)
    no_switch = [host for host in hosts
                 if not (capabilities[host].get("ovs_dpdk") or capabilities[host].get("ovs_kernel_datapath"))]
    if no_switch:
        return ("the manager's net_tap ports reach the links through Open vSwitch, which is not set up on %s "
                "(playbooks/dataplane.yml)" % ", ".join(no_switch))
    if is_ids(runs["nf"]):
        return ("no IDS engine here captures from OpenNetVM: the paper's Snort read packets through an OpenNetVM DAQ "
                "that was not published, and Suricata has none (an inventory may stand l2fwd in for it: "
                "benchmark_stand_ins {%s: {nf: {%s@onvm: l2fwd}}})" % (cell["experiment"], runs["nf"]))
    stages = int(params["chain_length"]) * int(params["replicas"])
    if stages > 0:
        policy = "shortcut" if params["placement"] == "none" else params["placement"]
        try:
            placed = chain_placement(stages, list(lab_groups.get("nf_servers") or []), policy, None, params["wiring"])
            onvm_runs(placed, int(params["replicas"]))
        except (PlacementError, ChainPlanError) as exc:
            return str(exc)
    return ""


def unsupported_reason(cell, capabilities, lab_groups, wiring):
    """Why this lab cannot run the cell, or '' when it can.

    capabilities: {host: capabilities as the lab_fingerprint module returns them};
    lab_groups: the inventory groups; wiring: the wiring modes cabled (topology_wiring)."""
    params = cell["params"]
    runs = cell["runs"]
    platform = parse_platform(runs["platform"])
    hosts = _hosts_of(cell, lab_groups)
    ends = list(lab_groups.get("traffic_sources") or [])[:1] + list(lab_groups.get("traffic_sinks") or [])[:1]
    missing = [host for host in hosts + ends if host not in capabilities]
    if missing:
        return "no facts from %s (unreachable?)" % ", ".join(missing)
    if params["wiring"] not in wiring:
        return "the lab is wired %s, the cell needs %s (topology_wiring)" % (" + ".join(wiring) or "for nothing", params["wiring"])
    if platform["switch"] == "onvm":
        reason = _onvm_reason(cell, capabilities, lab_groups, hosts)
        if reason:
            return reason
    if platform["switch"] == "ovs-kernel":
        lacking = ["%s: %s" % (host, capabilities[host].get("ovs_kernel_reason") or "no openvswitch kernel module")
                   for host in hosts if not capabilities[host].get("ovs_kernel")]
        if lacking:
            return "ovs-kernel needs the openvswitch kernel module; " + "; ".join(lacking)
        other = [host for host in hosts if not capabilities[host].get("ovs_kernel_datapath")]
        if other:
            return ("the switch on %s is set up for OVS-DPDK: run playbooks/dataplane.yml with ovs_mode=ovs-kernel "
                    "for these cells" % ", ".join(other))
    if platform["switch"] == "ovs-dpdk":
        short = ["%s has %d" % (host, capabilities[host].get("cpus", 0)) for host in hosts
                 if capabilities[host].get("cpus", 0) < platform["pmd_threads"] + 1]
        if short:
            return ("%s needs %d PMD threads on CPUs of their own plus one CPU for everything else; %s CPUs"
                    % (runs["platform"], platform["pmd_threads"], ", ".join(short)))
        if not all(capabilities[host].get("ovs_dpdk") for host in hosts):
            return ("the switch on %s is not set up for OVS-DPDK: run playbooks/dataplane.yml with ovs_mode=ovs-dpdk for these cells"
                    % ", ".join(host for host in hosts if not capabilities[host].get("ovs_dpdk")))
    if platform["switch"] == "ovs-kernel" and platform["capture"] == "dpdk":
        return "capture dpdk needs vhost-user ports, which only OVS-DPDK offers; ovs-kernel is a kernel-only path"
    if platform["switch"] == "onvm":
        pass  # judged by _onvm_reason: l2fwd runs as simple_forward, an IDS has no OpenNetVM capture
    elif is_ids(runs["nf"]):
        engine = runs.get("engine", "suricata")
        if platform["capture"] not in IDS_ENGINE_CAPTURES[engine]:
            return ("the IDS engine %s cannot capture with %s (it captures with %s; Snort 2.9's DAQ 2.0.7 has no DPDK module)"
                    % (engine, platform["capture"], ", ".join(IDS_ENGINE_CAPTURES[engine])))
        nf_hosts = [host for host in hosts if host in (lab_groups.get("nf_servers") or [])]
        without = [host for host in nf_hosts if engine not in capabilities[host].get("commands", [])]
        if without:
            return ("the IDS engine %s is not installed on %s (playbooks/dataplane.yml installs it, role ids, entry point install)"
                    % (engine, ", ".join(without)))
    elif runs["nf"] not in NF_CAPTURES:
        return "%s: the collection has no deployment of this NF" % runs["nf"]
    elif platform["capture"] not in NF_CAPTURES[runs["nf"]]:
        return "%s captures with %s only; capture %s needs an IDS NF" % (
            runs["nf"], " or ".join(NF_CAPTURES[runs["nf"]]), platform["capture"])
    if params["fabric"] == "ib":
        without = [host for host in hosts if not capabilities[host].get("infiniband")]
        if without:
            return "the InfiniBand fabric needs an HCA; none on %s" % ", ".join(without)
    if params["traffic_host"] != "source":
        return "traffic made on the chaining server (traffic_host=%s) is not supported by the harness" % params["traffic_host"]
    tools = {"throughput": ["iperf3"], "latency": ["netperf"]}[cell["metric"]]
    server = {"iperf3": "iperf3", "netperf": "netserver"}
    lacking = ["%s on %s" % (tool, ends[0]) for tool in tools if tool not in capabilities[ends[0]].get("commands", [])]
    lacking += ["%s on %s" % (server[tool], ends[1]) for tool in tools if server[tool] not in capabilities[ends[1]].get("commands", [])]
    if lacking:
        return "missing traffic tools: " + ", ".join(lacking)
    return ""


def plan(cells, fingerprint_sha256, records, capabilities, lab_groups, wiring, force=False):
    """Split the cells: done (recorded ok or unsupported under the same key), unsupported now, to run.

    records: {key: {status, ...}} from the store. A failed record is run again; force runs every
    supported cell again. Returns {run: [cells], unsupported: [cells], done: [cells], groups: [...]}."""
    out = {"run": [], "unsupported": [], "done": [], "failed_before": []}
    for cell in cells:
        cell = dict(cell, key=cell_key(cell, fingerprint_sha256))
        reason = unsupported_reason(cell, capabilities, lab_groups, wiring)
        record = records.get(cell["key"]) or {}
        if record.get("status") == "ok" and not force:
            out["done"].append(cell)  # measured under this very environment: kept, whatever the lab can do now
        elif reason:
            cell["reason"] = reason
            if record.get("status") == "unsupported" and record.get("reason") == reason:
                out["done"].append(cell)
            else:
                out["unsupported"].append(cell)
        else:
            if record.get("status") == "failed":
                out["failed_before"].append(cell["key"])
            out["run"].append(cell)
    out["groups"] = groups(out["run"])
    return out


def speed(summary, runs):
    """Lines about the harness's own speed: the run, the orchestration overhead per measured cell
    (its time beyond the traffic tool's run, the deployment shared among the cells measured on
    it, against the tool's run), and a rerun's time against the last run that measured cells."""
    lines = ["%s profile: %s s; %s cells: %s measured (%s failed), %s recorded before, %s newly unsupported" % (
        summary["profile"], summary["seconds"], summary["cells"], summary["measured"], summary["failed"],
        summary["skipped"], summary["unsupported"])]
    overheads, harness = [], []
    for cell in summary.get("cells_timing") or []:
        measure = float(cell.get("measure_s") or 0)
        if measure > 0:
            total = float(cell.get("deploy_s") or 0) + float(cell.get("cell_s") or 0)
            overheads.append((100.0 * (total - measure) / measure, cell["id"], total, measure))
            harness.append(100.0 * (float(cell.get("cell_s") or 0) - measure) / measure)
    if overheads:
        overheads.sort()
        mean = sum(item[0] for item in overheads) / len(overheads)
        lines.append("orchestration overhead per cell: mean %.0f %%, max %.0f %% (%s: %.1f s for %.1f s of traffic); target <= 25 %%"
                     % (mean, overheads[-1][0], overheads[-1][1], overheads[-1][2], overheads[-1][3]))
        lines.append("of which the chain deployments (shared by the cells measured on them): mean %.0f %%; the harness steps per cell: "
                     "mean %.0f %%" % (mean - sum(harness) / len(harness), sum(harness) / len(harness)))
    if int(summary["measured"]) == 0:
        earlier = [run for run in runs or [] if run.get("profile") == summary["profile"] and int(run.get("measured", 0)) > 0]
        if earlier:
            first = float(earlier[-1]["seconds"])
            lines.append("rerun: %s s, %.1f %% of the %.0f s run that measured the cells (target <= 10 %%)"
                         % (summary["seconds"], 100.0 * float(summary["seconds"]) / first if first else 0, first))
        else:
            lines.append("rerun: nothing measured, and no earlier run of this profile measured anything")
    return lines
