# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Traffic tools: the argument lists of a run and the parsing of their machine-readable output.

iperf3 -J prints one JSON document; netperf's omni tests print KEY=VALUE lines with
-k <output selectors>. Human-readable text is never parsed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# netperf omni output selectors for TCP_RR (see netperf's doc/omni_output_list).
NETPERF_SELECTORS = ("THROUGHPUT", "THROUGHPUT_UNITS", "ELAPSED_TIME", "MIN_LATENCY", "MEAN_LATENCY", "P50_LATENCY",
                     "P90_LATENCY", "P99_LATENCY", "MAX_LATENCY", "STDDEV_LATENCY", "REQUEST_SIZE", "RESPONSE_SIZE",
                     "LOCAL_TRANSPORT_RETRANS", "PROTOCOL", "DIRECTION")


class TrafficError(Exception):
    pass


def iperf3_argv(binary, server, seconds, flows, port=None, mss=None, omit=0):
    argv = [binary, "--json", "--client", server, "--parallel", str(flows), "--time", str(seconds)]
    if port:
        argv += ["--port", str(port)]
    if mss:
        argv += ["--set-mss", str(mss)]
    if omit:
        argv += ["--omit", str(omit)]
    return argv


def parse_iperf3(text):
    """iperf3 --json -> {throughput_mbps, sent_mbps, retransmits, seconds, flows}."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise TrafficError("iperf3 did not print JSON (%s): %s" % (exc, text.strip()[:300]))
    if doc.get("error"):
        raise TrafficError("iperf3: %s" % doc["error"])
    end = doc.get("end") or {}
    received = end.get("sum_received")
    sent = end.get("sum_sent") or {}
    if not received or "bits_per_second" not in received:
        raise TrafficError("iperf3's JSON has no end.sum_received.bits_per_second")
    return {
        "throughput_mbps": round(received["bits_per_second"] / 1e6, 3),
        "sent_mbps": round(sent.get("bits_per_second", 0) / 1e6, 3),
        "retransmits": sent.get("retransmits"),
        "seconds": round(received.get("seconds", 0), 3),
        "flows": len(end.get("streams") or []),
    }


def netperf_argv(binary, server, seconds, message_bytes, port=None):
    argv = [binary, "-H", server, "-t", "TCP_RR", "-l", str(seconds), "-P", "0"]
    if port:
        argv += ["-p", str(port)]
    return argv + ["--", "-r", "%d,%d" % (message_bytes, message_bytes), "-k", ",".join(NETPERF_SELECTORS)]


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_netperf(text):
    """netperf -k KEY=VALUE lines -> {latency_us: {min, mean, p50, p90, p99, max, stddev}, transactions_per_s, seconds}."""
    values = {}
    for line in text.splitlines():
        if "=" in line:
            key, _sep, value = line.partition("=")
            values[key.strip()] = value.strip()
    if "MEAN_LATENCY" not in values or "THROUGHPUT" not in values:
        raise TrafficError("netperf printed no MEAN_LATENCY/THROUGHPUT: %s" % text.strip()[:300])
    latency = {}
    for name in ("min", "mean", "p50", "p90", "p99", "max", "stddev"):
        latency[name] = _number(values.get(name.upper() + "_LATENCY"))
    if latency["mean"] is None or latency["mean"] <= 0:
        raise TrafficError("netperf measured no transaction (MEAN_LATENCY=%s)" % values.get("MEAN_LATENCY"))
    return {
        "latency_us": latency,
        "transactions_per_s": _number(values.get("THROUGHPUT")),
        "throughput_units": values.get("THROUGHPUT_UNITS"),
        "seconds": _number(values.get("ELAPSED_TIME")),
        "request_bytes": _number(values.get("REQUEST_SIZE")),
    }
