#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: benchmark_report
short_description: The report of a benchmark results store - figures 2 to 6 and table 1 beside the paper's numbers
version_added: 0.1.0
description:
  - Reads the results store (module M(nfvlab.interconnect.benchmark_record)) and writes into O(dest) -
    C(results.csv) and C(results.json) (one row per cell, the newest ok record of each), one PNG per experiment
    (C(fig2.png) ... C(fig6.png), C(table1.png), C(ib.png)) with the lab's numbers and the paper's drawn beside them,
    and C(summary.md) - for each of the paper's five findings whether this lab reproduces its shape, with the numbers,
    the substitutions used (what ran in place of the paper's NF or platform, the lab's links), the cells this lab
    could not run grouped by reason, and the failed cells.
  - Files are rendered in memory and written only when their content differs (PNG metadata carries no date), so a
    second run on the same store reports no change.
  - Runs on the controller (delegate to C(localhost)); needs matplotlib there.
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - matplotlib (on the host running the module)
options:
  path:
    description: The results store.
    type: path
    required: true
  dest:
    description: Directory for the report (created if missing).
    type: path
    required: true
  paper:
    description: The paper's numbers (the collection ships them - roles/report/files/paper_results.yml).
    type: dict
    required: true
  experiments:
    description: The experiments (C(benchmark_experiments)), for their titles.
    type: dict
    default: {}
  lab:
    description: Which lab produced the results, for the substitutions (V(emulated) adds the emulated links).
    type: str
    choices: [emulated, hardware]
    default: hardware
  notes:
    description: Further substitutions or remarks to state in the summary (one line each).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Renders everything and reports which files would change; writes nothing.
    support: full
  diff_mode:
    description: Shows summary.md before and after.
    support: full
seealso:
  - module: nfvlab.interconnect.benchmark_record
"""

EXAMPLES = r"""
- name: Write the report
  nfvlab.interconnect.benchmark_report:
    path: /srv/nfvlab/results
    dest: /srv/nfvlab/results/report
    paper: "{{ lookup('ansible.builtin.file', 'paper_results.yml') | from_yaml }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
files:
  description: Every file of the report.
  returned: always
  type: list
  elements: str
changed_files:
  description: The files written (or that would be, in check mode).
  returned: always
  type: list
  elements: str
findings:
  description: Per finding - C(finding) (1-5), C(claim), C(verdict), C(evidence).
  returned: always
  type: list
  elements: dict
summary:
  description: Path of summary.md.
  returned: always
  type: str
counts:
  description: Cells per status in the report.
  returned: always
  type: dict
"""

import csv
import io
import json
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nfvlab.interconnect.plugins.module_utils.findings import (
    COLUMNS,
    findings,
    latest,
    row,
    substitutions,
    value,
)
from ansible_collections.nfvlab.interconnect.plugins.module_utils.results_store import atomic_write, load_records

try:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    HAS_MATPLOTLIB = True
    MATPLOTLIB_ERROR = None
except ImportError:
    HAS_MATPLOTLIB = False
    MATPLOTLIB_ERROR = traceback.format_exc()

X_AXES = ("chain_length", "replicas", "packet_bytes")
SERIES = ("platform", "nf", "placement", "fabric")
UNITS = {"throughput": "throughput (Mb/s)", "latency": "mean latency (us), TCP_RR 64 B"}


def _get(data, *path):
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data


def paper_overlays(experiment, metric, paper):
    """(kind, data, label) the paper states for this panel: hline y, band (lo, hi), curve [(x, y)], points [(x, y)]."""
    out = []
    if experiment == "fig2" and metric == "throughput":
        band = _get(paper, "fig2_single_host_chain", "light_snort", "onvm_throughput_range")
        if band:
            out.append(("band", band, "paper: onvm, Light Snort"))
        flat = _get(paper, "fig2_single_host_chain", "light_snort", "ovs-dpdk-4_dpdk_throughput")
        if flat:
            out.append(("hline", flat, "paper: ovs-dpdk-4+dpdk, Light Snort (flat)"))
        heavy = _get(paper, "fig2_single_host_chain", "heavy_snort", "onvm_max_throughput")
        if heavy:
            out.append(("hline", heavy, "paper: onvm, Heavy Snort (max)"))
    if experiment == "fig4" and metric == "throughput":
        capacity = _get(paper, "fig4_multi_host_chain", "vxlan_capacity_mbps")
        if capacity:
            out.append(("curve", [(n, capacity / (2.0 * n)) for n in range(1, 21)], "paper: bf bound, fabric / traversals"))
        light = _get(paper, "fig4_multi_host_chain", "light_snort_sc_throughput")
        if light:
            out.append(("hline", light, "paper: Light Snort, sc"))
        heavy = _get(paper, "fig4_multi_host_chain", "heavy_snort_throughput")
        if heavy:
            out.append(("hline", heavy, "paper: Heavy Snort, sc and bf"))
    if experiment == "ib" and metric == "throughput":
        sizes = _get(paper, "ib_fabric_2nf_chain", "packet_bytes") or {}
        points = sorted((int(size), entry.get("throughput")) for size, entry in sizes.items() if entry.get("throughput"))
        if points:
            out.append(("points", points, "paper: onvm over IB"))
    if experiment == "fig6" and metric == "throughput":
        ceiling = _get(paper, "fig6_multi_host_lb", "ceiling_mbps")
        if ceiling:
            out.append(("hline", ceiling, "paper: input line rate"))
    return out


def paper_notes(experiment, paper):
    notes = {
        "fig3": "paper: DPDK capture +%s %% over kernel for Heavy Snort; %s" % (
            _get(paper, "fig3_single_host_lb", "heavy_snort_dpdk_vs_kernel_gain_percent"),
            _get(paper, "fig3_single_host_lb", "scaling")),
        "fig5": "paper: sc %s %% below bf; IB %s %% below VXLAN (bf); IB sc up to %s %% below VXLAN bf" % (
            "-".join(str(v) for v in _get(paper, "fig5_multi_host_latency", "sc_vs_bf_latency_reduction_percent") or []),
            "-".join(str(v) for v in _get(paper, "fig5_multi_host_latency", "ib_vs_vxlan_bf_latency_reduction_percent") or []),
            _get(paper, "fig5_multi_host_latency", "ib_sc_vs_vxlan_bf_latency_reduction_percent_max")),
        "fig6": "paper: %s" % _get(paper, "fig6_multi_host_lb", "note"),
    }
    return notes.get(experiment)


def _overlay_max(overlays):
    values = []
    for kind, data, _label in overlays:
        if kind == "hline":
            values.append(data)
        elif kind == "band":
            values.append(max(data))
        elif kind in ("curve", "points"):
            values.extend(point[1] for point in data)
    return max(values) if values else 0


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    pyplot.close(figure)
    return buffer.getvalue()


def figure_experiment(name, title, rows, paper):
    mine = [item for item in rows if item["experiment"] == name]
    metrics = [metric for metric in ("throughput", "latency") if any(item["metric"] == metric for item in mine)] or ["throughput"]
    figure, axes = pyplot.subplots(1, len(metrics), figsize=(6.5 * len(metrics), 4.6), squeeze=False)
    varying_x = [axis for axis in X_AXES if len(set(item[axis] for item in mine)) > 1]
    x_axis = varying_x[0] if varying_x else "chain_length"
    for panel, metric in zip(axes[0], metrics):
        ok = [item for item in mine if item["metric"] == metric and item["status"] == "ok" and value(item) is not None]
        series = {}
        for item in ok:
            label = ", ".join("%s" % item[param] for param in SERIES
                              if len(set(other[param] for other in mine)) > 1 or param in ("platform",))
            runs = [item["runs_" + param] for param in ("platform", "nf") if item["runs_" + param] != item[param]]
            runs += [item["engine"]] if item.get("engine") else []
            if runs:
                label += " (ran as %s)" % ", ".join(runs)
            series.setdefault(label, []).append((item[x_axis], value(item)))
        for label in sorted(series):
            points = sorted(series[label])
            panel.plot([p[0] for p in points], [p[1] for p in points], marker="o", label="lab: " + label)
        overlays = paper_overlays(name, metric, paper)
        for kind, data, label in overlays:
            if kind == "hline":
                panel.axhline(data, linestyle="--", color="grey", linewidth=1)
                panel.annotate(label, (0.01, data), xycoords=("axes fraction", "data"), fontsize=7, color="dimgrey",
                               va="bottom")
            elif kind == "band":
                panel.axhspan(data[0], data[1], color="grey", alpha=0.15, label=label)
            elif kind == "curve":
                panel.plot([p[0] for p in data], [p[1] for p in data], linestyle=":", color="black", label=label)
            elif kind == "points":
                panel.plot([p[0] for p in data], [p[1] for p in data], linestyle="none", marker="s", color="black", label=label)
        note = paper_notes(name, paper)
        missing = len([item for item in mine if item["metric"] == metric and item["status"] != "ok"])
        text = []
        if note:
            text.append(note)
        if not ok:
            text.append("no cell measured in this lab")
        if missing:
            text.append("%d cells not measured here (see summary.md)" % missing)
        if text:
            panel.text(0.01, 0.99, "\n".join(text), transform=panel.transAxes, fontsize=7, va="top", wrap=True)
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(set(item[x_axis] for item in ok)) == 1 and not any(kind in ("curve", "points") for kind, _d, _l in overlays):
            panel.set_xticks([ok[0][x_axis]])  # one point: one tick, not a fractional scale around it
        panel.set_xlabel(x_axis.replace("_", " "))
        panel.set_ylabel(UNITS[metric])
        if ok and _overlay_max(overlays) > 5 * max(value(item) for item in ok):
            panel.set_yscale("log")  # the paper's hardware numbers dwarf the emulated lab's: keep both readable
            panel.set_ylabel(UNITS[metric] + ", log scale")
        else:
            panel.set_ylim(bottom=0)
        panel.grid(True, alpha=0.3)
        if panel.get_legend_handles_labels()[0]:
            panel.legend(fontsize=7, loc="best")
    figure.suptitle("%s: %s" % (name, title), fontsize=10)
    figure.tight_layout()
    return _png(figure)


def figure_table1(rows, paper):
    table = _get(paper, "table1_single_heavy_snort") or {}
    mine = dict((item["platform"], item) for item in rows if item["experiment"] == "table1")
    labels, paper_values, lab_values = [], {"throughput": [], "latency": []}, {"throughput": [], "latency": []}
    for switch in sorted(table):
        for capture in sorted(table[switch]):
            platform = "onvm" if switch == "onvm" else "%s+%s" % (switch, capture)
            labels.append(platform)
            for metric in ("throughput", "latency"):
                paper_values[metric].append(table[switch][capture].get(metric) or 0)
                found = [item for item in rows if item["experiment"] == "table1" and item["platform"] == platform
                         and item["metric"] == metric and item["status"] == "ok"]
                lab_values[metric].append(value(found[0]) if found else 0)
    figure, axes = pyplot.subplots(1, 2, figsize=(13, 4.6))
    for panel, metric in zip(axes, ("throughput", "latency")):
        xs = list(range(len(labels)))
        panel.bar([x - 0.2 for x in xs], paper_values[metric], width=0.4, label="paper", color="grey")
        panel.bar([x + 0.2 for x in xs], lab_values[metric], width=0.4, label="this lab")
        for x, measured in zip(xs, lab_values[metric]):
            if not measured:
                panel.text(x + 0.2, 0, "n/a", ha="center", va="bottom", fontsize=7, rotation=90)
        panel.set_xticks(xs)
        panel.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
        panel.set_ylabel(UNITS[metric])
        panel.legend(fontsize=7)
    unmeasured = len([platform for platform in labels if platform not in mine or mine[platform]["status"] != "ok"])
    figure.suptitle("table1: one Heavy Snort, single host - the paper against this lab (n/a: %d of %d platforms not measured "
                    "here; see summary.md)" % (unmeasured, len(labels)), fontsize=10)
    figure.tight_layout()
    return _png(figure)


def _fmt(number):
    return "" if number is None else ("%.1f" % number if isinstance(number, float) else str(number))


def summary_markdown(rows, verdicts, subs, lab, notes, experiments, paper):
    lines = ["# NFV interconnect lab: results against Liu et al., KBNets '17", ""]
    counts = {}
    for item in rows:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    profiles = sorted(set(str(item["profile"]) for item in rows if item["profile"]))
    lines.append("Cells: %s (profiles: %s). Figures: fig2.png ... fig6.png, table1.png, ib.png; every cell: results.csv." % (
        ", ".join("%d %s" % (counts[status], status) for status in sorted(counts)) or "none", ", ".join(profiles) or "none"))
    lines += ["", "## Substitutions", ""]
    used = list(subs)
    if lab == "emulated":
        used.append("links: veth pairs between podman containers on one machine, not 10 GbE NICs; DPDK reaches them "
                    "through its AF_PACKET driver; no InfiniBand")
    used += list(notes)
    lines += ["- %s" % item for item in used] or ["- none"]
    lines += ["", "## The paper's findings", "", "| # | finding | this lab | evidence |", "|---|---|---|---|"]
    for verdict in verdicts:
        lines.append("| %s | %s | **%s** | %s |" % (verdict["finding"], verdict["claim"], verdict["verdict"],
                                                    verdict["evidence"].replace("|", "/")))
    lines += ["", "## Measured cells", "", "| cell | ran as | throughput Mb/s | latency mean / p50 / p99 us |", "|---|---|---|---|"]
    for item in rows:
        if item["status"] != "ok":
            continue
        runs = ", ".join([item["runs_" + p] for p in ("platform", "nf") if item["runs_" + p] != item[p]]
                         + (["engine %s (%s)" % (item["engine"], item["ruleset"])] if item.get("engine") else [])) or "as named"
        latency = "" if item["latency_mean_us"] is None else "%s / %s / %s" % (
            _fmt(item["latency_mean_us"]), _fmt(item["latency_p50_us"]), _fmt(item["latency_p99_us"]))
        lines.append("| %s | %s | %s | %s |" % (item["id"], runs, _fmt(item["throughput_mbps"]), latency))
    table = _get(paper, "table1_single_heavy_snort") or {}
    if table:
        lines += ["", "## Table 1 (paper) beside this lab", "", "| platform | paper Mb/s | paper us | lab Mb/s | lab us | lab engine |",
                  "|---|---|---|---|---|---|"]
        for switch in sorted(table):
            for capture in sorted(table[switch]):
                platform = "onvm" if switch == "onvm" else "%s+%s" % (switch, capture)
                mine = [item for item in rows if item["experiment"] == "table1" and item["platform"] == platform
                        and item["status"] == "ok"]
                got = dict((item["metric"], value(item)) for item in mine)
                engines = sorted(set("%s (%s)" % (item["engine"], item["ruleset"]) for item in mine if item.get("engine")))
                lines.append("| %s | %s | %s | %s | %s | %s |" % (platform, table[switch][capture].get("throughput"),
                                                                  table[switch][capture].get("latency"),
                                                                  _fmt(got.get("throughput")) or "n/a",
                                                                  _fmt(got.get("latency")) or "n/a", ", ".join(engines) or "-"))
    reasons = {}
    for item in rows:
        if item["status"] == "unsupported":
            reasons.setdefault(item["reason"], []).append(item["experiment"])
    lines += ["", "## Not run in this lab", ""]
    for reason in sorted(reasons):
        experiments_hit = sorted(set(reasons[reason]))
        lines.append("- %d cells (%s): %s" % (len(reasons[reason]), ", ".join(experiments_hit), reason))
    if not reasons:
        lines.append("- none")
    failed = [item for item in rows if item["status"] == "failed"]
    lines += ["", "## Failed cells", ""]
    lines += ["- %s: %s" % (item["id"], item["reason"]) for item in failed] or ["- none"]
    return "\n".join(lines) + "\n"


def render(records, paper, experiments, lab, notes):
    rows = [row(record) for record in latest(records)]
    verdicts = findings(rows)
    subs = substitutions(rows)
    files = {}
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for item in rows:
        writer.writerow(item)
    files["results.csv"] = text.getvalue().encode("utf-8")
    files["results.json"] = (json.dumps({"cells": rows, "findings": verdicts, "substitutions": subs}, indent=1, sort_keys=True)
                             + "\n").encode("utf-8")
    names = sorted(set(experiments) | set(item["experiment"] for item in rows))
    for name in names:
        title = (experiments.get(name) or {}).get("title", name)
        files["%s.png" % name] = figure_table1(rows, paper) if name == "table1" else figure_experiment(name, title, rows, paper)
    files["summary.md"] = summary_markdown(rows, verdicts, subs, lab, notes, experiments, paper).encode("utf-8")
    return files, verdicts, rows


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            paper=dict(type="dict", required=True),
            experiments=dict(type="dict", default={}),
            lab=dict(type="str", default="hardware", choices=["emulated", "hardware"]),
            notes=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    if not HAS_MATPLOTLIB:
        module.fail_json(msg=missing_required_lib("matplotlib"), exception=MATPLOTLIB_ERROR)
    params = module.params
    paper = params["paper"].get("paper", params["paper"])
    try:
        records, broken = load_records(params["path"])
    except (IOError, OSError) as exc:
        module.fail_json(msg="results store %s: %s" % (params["path"], exc))
    files, verdicts, rows = render(records, paper, params["experiments"], params["lab"], params["notes"])
    changed_files = []
    before_summary = ""
    for name in sorted(files):
        path = os.path.join(params["dest"], name)
        current = None
        if os.path.exists(path):
            with open(path, "rb") as handle:
                current = handle.read()
        if name == "summary.md" and current is not None:
            before_summary = current.decode("utf-8", "replace")
        if current != files[name]:
            changed_files.append(path)
            if not module.check_mode:
                if name.endswith(".png"):
                    _write_bytes(path, files[name])
                else:
                    atomic_write(path, files[name].decode("utf-8"))
    counts = {}
    for item in rows:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    result = dict(changed=bool(changed_files), files=[os.path.join(params["dest"], name) for name in sorted(files)],
                  changed_files=changed_files, findings=verdicts, summary=os.path.join(params["dest"], "summary.md"),
                  counts=counts, broken=broken)
    if module._diff and changed_files:
        result["diff"] = {"before": before_summary, "after": files["summary.md"].decode("utf-8"),
                          "before_header": result["summary"], "after_header": result["summary"]}
    module.exit_json(**result)


def _write_bytes(path, data):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory)
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.rename(tmp, path)


if __name__ == "__main__":
    main()
