# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From stored cell records to report rows and to a verdict on each of the paper's five findings.

A verdict is one of: reproduced, not reproduced, partly reproduced, not testable here. It is
judged on shape (ratios and trends), never on absolute numbers, with the thresholds written
beside each check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nfvlab.interconnect.plugins.module_utils.placement import chain_placement

COLUMNS = ("experiment", "metric", "status", "platform", "nf", "runs_platform", "runs_nf", "engine", "ruleset", "chain_length",
           "replicas",
           "placement", "fabric", "wiring", "packet_bytes", "throughput_mbps", "latency_mean_us", "latency_p50_us",
           "latency_p99_us", "reason", "profile", "recorded_at", "id", "key")


def latest(records):
    """One record per cell id: the newest ok one, else the newest of any status."""
    best = {}
    for key, record in records.items():
        record = dict(record, key=record.get("key", key))
        current = best.get(record.get("id"))
        rank = (record.get("status") == "ok", record.get("recorded_at") or "")
        if current is None or rank > (current.get("status") == "ok", current.get("recorded_at") or ""):
            best[record.get("id")] = record
    return [best[name] for name in sorted(best, key=str)]


def row(record):
    params = record.get("params") or {}
    runs = record.get("runs") or {}
    result = record.get("result") or {}
    latency = result.get("latency_us") or {}
    out = {
        "experiment": record.get("experiment"), "metric": record.get("metric"), "status": record.get("status"),
        "platform": params.get("platform"), "nf": params.get("nf"),
        "runs_platform": runs.get("platform"), "runs_nf": runs.get("nf"),
        "engine": runs.get("engine") or "", "ruleset": runs.get("ruleset") or "",
        "chain_length": params.get("chain_length"), "replicas": params.get("replicas"), "placement": params.get("placement"),
        "fabric": params.get("fabric"), "wiring": params.get("wiring"), "packet_bytes": params.get("packet_bytes"),
        "throughput_mbps": result.get("throughput_mbps"), "latency_mean_us": latency.get("mean"),
        "latency_p50_us": latency.get("p50"), "latency_p99_us": latency.get("p99"),
        "reason": record.get("reason") or "", "profile": record.get("profile"), "recorded_at": record.get("recorded_at"),
        "id": record.get("id"), "key": record.get("key"),
    }
    return out


def value(item):
    return item["throughput_mbps"] if item["metric"] == "throughput" else item["latency_mean_us"]


def _ok(rows, **match):
    return [item for item in rows if item["status"] == "ok" and value(item) is not None
            and all(item.get(key) == wanted for key, wanted in match.items())]


def _unsupported_reasons(rows, experiment):
    reasons = sorted(set(item["reason"] for item in rows if item["experiment"] == experiment and item["status"] == "unsupported"))
    return "; ".join(reasons[:3]) + (" (and %d more)" % (len(reasons) - 3) if len(reasons) > 3 else "")


def _untestable(rows, experiment, what):
    reasons = _unsupported_reasons(rows, experiment)
    return {"verdict": "not testable here", "evidence": "%s: %s" % (what, reasons or "no cells of %s measured" % experiment)}


def _series(rows, axis, **match):
    points = {}
    for item in _ok(rows, **match):
        points[item[axis]] = value(item)
    return [(x, points[x]) for x in sorted(points)]


def _against_dpdk_capture(rows, slow_platform):
    """table1: throughput of ovs-dpdk+dpdk over SLOW_PLATFORM's, latency of SLOW_PLATFORM over ovs-dpdk+dpdk's
    (None where either cell is missing)."""
    ratios = []
    for metric in ("throughput", "latency"):
        fast = _ok(rows, experiment="table1", platform="ovs-dpdk+dpdk", metric=metric)
        slow = _ok(rows, experiment="table1", platform=slow_platform, metric=metric)
        if not fast or not slow or not value(slow[0]) or not value(fast[0]):
            ratios.append(None)
        elif metric == "throughput":
            ratios.append(value(fast[0]) / value(slow[0]))
        else:
            ratios.append(value(slow[0]) / value(fast[0]))
    return ratios


def finding_bypass(rows):
    """1: kernel bypass pays even for a heavy NF (table1: ovs-dpdk+dpdk vs ovs-kernel+nfq, ~3.25x / ~2.3x).

    Without the kernel datapath, the NF's capture side alone: ovs-dpdk+dpdk against ovs-dpdk+nfq (at most partly)."""
    ratio, lat = _against_dpdk_capture(rows, "ovs-kernel+nfq")
    if ratio is not None:
        evidence = "throughput ovs-dpdk+dpdk / ovs-kernel+nfq = %.2fx (paper 3.25x)" % ratio
        evidence += ", latency kernel / bypass = %.2fx (paper 2.3x)" % lat if lat is not None else ""
        verdict = "reproduced" if ratio >= 1.5 and (lat is None or lat >= 1.3) else "not reproduced"
        return {"verdict": verdict, "evidence": evidence + "; reproduced means >= 1.5x throughput and >= 1.3x latency"}
    ratio, lat = _against_dpdk_capture(rows, "ovs-dpdk+nfq")
    if ratio is None:
        return _untestable(rows, "table1", "needs table1's ovs-kernel+nfq (or at least ovs-dpdk+nfq) and ovs-dpdk+dpdk cells")
    evidence = ("without the kernel datapath (%s) only the NF's capture is compared: ovs-dpdk+dpdk / ovs-dpdk+nfq = %.2fx "
                "throughput" % (_unsupported_reasons([item for item in rows if item["platform"].startswith("ovs-kernel")],
                                                     "table1") or "no ovs-kernel cells", ratio))
    evidence += ", latency nfq / dpdk = %.2fx" % lat if lat is not None else ""
    verdict = "partly reproduced" if ratio >= 1.5 and (lat is None or lat >= 1.3) else "not reproduced"
    return {"verdict": verdict, "evidence": evidence + "; partly reproduced means >= 1.5x throughput and >= 1.3x latency "
            "on the capture side alone (the paper's 3.25x includes the switch's datapath)"}


def _flat(series):
    values = [point[1] for point in series]
    return min(values) >= 0.8 * max(values) if values else False


def finding_switch_bottleneck(rows):
    """2: light NFs - a one-PMD-thread switch limits a growing chain; more PMD threads keep it flat (fig2)."""
    for capture in ("dpdk", "afpk"):  # the switch is the same one-PMD OVS-DPDK; DPDK capture first, as in the paper
        one = _series(rows, "chain_length", experiment="fig2", platform="ovs-dpdk+" + capture, nf="snort-light",
                      metric="throughput")
        four = _series(rows, "chain_length", experiment="fig2", platform="ovs-dpdk-4+" + capture, nf="snort-light",
                       metric="throughput")
        if len(one) >= 2:
            break
    else:
        return _untestable(rows, "fig2", "needs fig2's light-NF chains of two lengths or more on ovs-dpdk+dpdk or ovs-dpdk+afpk")
    first, last = one[0], one[-1]
    falls = last[1] < 0.8 * first[1]
    evidence = "ovs-dpdk+%s (1 PMD thread): %.0f Mb/s at %d NFs -> %.0f Mb/s at %d NFs (%+.0f %%)" % (
        capture, first[1], first[0], last[1], last[0], 100.0 * (last[1] - first[1]) / first[1] if first[1] else 0)
    if len(four) >= 2:
        evidence += "; ovs-dpdk-4: %.0f -> %.0f Mb/s" % (four[0][1], four[-1][1])
        verdict = "reproduced" if falls and _flat(four) else "not reproduced"
    else:
        evidence += "; ovs-dpdk-4 not measured (%s)" % (_unsupported_reasons(
            [item for item in rows if item["platform"] == "ovs-dpdk-4+dpdk"], "fig2") or "no cells")
        verdict = "partly reproduced" if falls else "not reproduced"
    return {"verdict": verdict, "evidence": evidence + "; falls means > 20 % below the shortest chain, flat within 20 %"}


def finding_load_balancing(rows):
    """3: load balancing scales about linearly with replicas (fig3)."""
    for platform in ("ovs-dpdk+dpdk", "ovs-dpdk-4+dpdk", "onvm", "ovs-dpdk+afpk", "ovs-kernel+afpk"):
        series = _series(rows, "replicas", experiment="fig3", platform=platform, metric="throughput")
        if len(series) >= 2:
            (n1, t1), (n2, t2) = series[0], series[-1]
            scale = (t2 / t1) / (float(n2) / n1) if t1 else 0
            verdict = "reproduced" if scale >= 0.7 else "not reproduced"
            return {"verdict": verdict, "evidence": "%s: %.0f Mb/s with %d replicas -> %.0f Mb/s with %d (%.0f %% of linear; "
                    "reproduced means >= 70 %%)" % (platform, t1, n1, t2, n2, 100 * scale)}
    return _untestable(rows, "fig3", "needs fig3's cells at two replica counts")


def traversals(length, policy):
    """Fabric crossings of a multi-host chain of this length (two NF servers), from the placement plugin."""
    return chain_placement(int(length), ["nf1", "nf2"], policy)["traversals"]


def finding_placement(rows):
    """4: back-and-forth is bounded by fabric capacity / traversals; shortcut stays near the single-host figure (fig4)."""
    for nf in ("l2fwd", "snort-light", "snort-heavy"):
        sc = dict(_series(rows, "chain_length", experiment="fig4", nf=nf, placement="sc", metric="throughput"))
        bf = dict(_series(rows, "chain_length", experiment="fig4", nf=nf, placement="bf", metric="throughput"))
        both = sorted(set(sc) & set(bf))
        longer = [n for n in both if n >= 2]
        if longer:
            n = longer[-1]
            ratio = bf[n] / sc[n] if sc[n] else 0
            evidence = "%s, %d NFs: shortcut %.0f Mb/s, back-and-forth %.0f Mb/s (bf/sc %.2f; the fabric is crossed %d times " \
                       "by bf, %d by sc)" % (nf, n, sc[n], bf[n], ratio, traversals(n, "bf"), traversals(n, "sc"))
            bf_series = sorted(bf.items())
            if len(bf_series) >= 2:
                evidence += "; bf x traversals: %s" % ", ".join("%d NFs %.0f" % (k, v * traversals(k, "bf")) for k, v in bf_series)
            verdict = "reproduced" if ratio <= 0.9 else "not reproduced"
            return {"verdict": verdict, "evidence": evidence + "; reproduced means bf at least 10 % below sc at the longest chain"}
    return _untestable(rows, "fig4", "needs fig4's sc and bf cells at a chain of 2 NFs or more")


def finding_fabric(rows):
    """5: InfiniBand cuts multi-host latency (18-37 % for bf); shortcut up to 59 % below bf over VXLAN (fig5)."""
    ib = dict(_series(rows, "chain_length", experiment="fig5", fabric="ib", placement="bf", metric="latency"))
    vx = dict(_series(rows, "chain_length", experiment="fig5", fabric="vxlan", placement="bf", metric="latency"))
    both = sorted(set(ib) & set(vx))
    if not both:
        return _untestable(rows, "fig5", "needs fig5's bf cells over VXLAN and over InfiniBand at one chain length")
    n = both[-1]
    cut = 100.0 * (1 - ib[n] / vx[n]) if vx[n] else 0
    return {"verdict": "reproduced" if cut >= 10 else "not reproduced",
            "evidence": "bf, %d NFs: latency over IB %.0f us vs VXLAN %.0f us: %.0f %% lower (paper 18-37 %%; reproduced means "
            ">= 10 %%)" % (n, ib[n], vx[n], cut)}


FINDINGS = (
    ("1", "Kernel bypass pays even for a heavy NF (OVS-DPDK + DPDK capture ~3.25x the throughput, ~2.3x lower latency)",
     finding_bypass),
    ("2", "For light NFs a single-threaded switch becomes the bottleneck as the chain grows; more PMD threads keep it flat",
     finding_switch_bottleneck),
    ("3", "Load balancing scales about linearly with replicas while load is even", finding_load_balancing),
    ("4", "Back-and-forth placement is bounded by fabric capacity / traversals; shortcut stays near the single-host figure",
     finding_placement),
    ("5", "A faster fabric (IB) cuts multi-host latency (18-37 % for bf; shortcut up to 59 % below bf over VXLAN)",
     finding_fabric),
)


def findings(rows):
    out = []
    for number, claim, judge in FINDINGS:
        verdict = judge(rows)
        out.append({"finding": number, "claim": claim, "verdict": verdict["verdict"], "evidence": verdict["evidence"]})
    return out


def substitutions(rows):
    """What ran in place of what the paper ran, with the number of measured cells."""
    seen = {}
    for item in rows:
        if item["status"] != "ok":
            continue
        for param in ("platform", "nf"):
            if item["runs_" + param] and item["runs_" + param] != item[param]:
                name = "%s %s ran as %s" % (param, item[param], item["runs_" + param])
                seen[name] = seen.get(name, 0) + 1
        if item["engine"] and item["engine"] != "snort":
            name = "nf %s ran on the IDS engine %s, ruleset %s" % (item["nf"], item["engine"], item["ruleset"])
            seen[name] = seen.get(name, 0) + 1
    return ["%s (%d cells)" % (name, count) for name, count in sorted(seen.items())]
