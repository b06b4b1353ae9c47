#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: traffic
short_description: One measurement run of the paper's traffic - iperf3 TCP throughput or netperf TCP_RR latency
version_added: 0.1.0
description:
  - Runs the traffic client on the host (the lab's source) against a server on the sink and returns the measurement,
    parsed from the tool's machine-readable output - C(iperf3 --json), or netperf's C(-k) KEY=VALUE output
    selectors - and the raw output as evidence.
  - O(tool=iperf3) measures throughput with O(flows) parallel TCP flows (the paper used 10; load-balancing cells 10 per
    replica, at most 127). O(tool=netperf) runs C(TCP_RR) with O(message_bytes)-byte requests and responses (the paper
    used 64) and reports the mean, minimum, P50, P90, P99 and maximum round-trip latency in microseconds.
  - A measurement changes nothing on the host, so the module never reports C(changed). In check mode it does not run
    the tool and returns the command it would run.
  - A tool that fails, prints no machine-readable result, or measures nothing fails the task with the tool's own error
    and its raw output in RV(stdout).
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - iperf3 (3.1 or later, for C(--json)) or netperf 2.6 or later (omni tests) on the host; the matching server (the
    iperf3 server, netserver) running on O(server)
options:
  tool:
    description: The traffic tool.
    type: str
    choices: [iperf3, netperf]
    required: true
  server:
    description: Address of the host running the tool's server.
    type: str
    required: true
  seconds:
    description: Length of the measurement.
    type: int
    default: 10
  flows:
    description: Parallel TCP flows (iperf3 C(--parallel)); 1 to 128.
    type: int
    default: 10
  mss:
    description: TCP maximum segment size (iperf3 C(--set-mss)), to set the packet size.
    type: int
  omit:
    description: Seconds at the start of an iperf3 run left out of the result (TCP slow start).
    type: int
    default: 0
  message_bytes:
    description: Request and response size of netperf's TCP_RR.
    type: int
    default: 64
  port:
    description: The server's control port, if not the tool's default (iperf3 5201, netserver 12865).
    type: int
  timeout:
    description: Seconds to wait for the tool beyond O(seconds); then it is stopped (coreutils C(timeout)) and the run fails.
    type: int
    default: 60
attributes:
  check_mode:
    description: Returns the command it would run; runs nothing.
    support: full
  diff_mode:
    description: A measurement has no state to compare.
    support: none
seealso:
  - module: nfvlab.interconnect.benchmark_record
"""

EXAMPLES = r"""
- name: Throughput of 10 parallel TCP flows for 60 seconds
  nfvlab.interconnect.traffic:
    tool: iperf3
    server: 198.18.41.2
    seconds: 60
    flows: 10
  register: run

- name: 64-byte TCP request/response latency
  nfvlab.interconnect.traffic:
    tool: netperf
    server: 198.18.41.2
    seconds: 30
    message_bytes: 64
  register: rr

- name: Report
  ansible.builtin.debug:
    msg: "{{ run.result.throughput_mbps }} Mb/s, p99 {{ rr.result.latency_us.p99 }} us"
"""

RETURN = r"""
result:
  description:
    - The measurement. iperf3 - C(throughput_mbps) (received by the server), C(sent_mbps), C(retransmits),
      C(seconds), C(flows). netperf - C(latency_us) (C(min), C(mean), C(p50), C(p90), C(p99), C(max), C(stddev)),
      C(transactions_per_s), C(seconds), C(request_bytes).
  returned: success, not in check mode
  type: dict
  sample: {"throughput_mbps": 1093.4, "sent_mbps": 1101.2, "retransmits": 12, "seconds": 10.0, "flows": 10}
metric:
  description: What the run measured.
  returned: always
  type: str
  sample: throughput
stdout:
  description: The tool's raw output (the evidence kept with the result).
  returned: when the tool ran
  type: str
cmd:
  description: The argument list that ran (or would run, in check mode).
  returned: always
  type: list
  elements: str
elapsed:
  description: Wall-clock seconds the tool took.
  returned: when the tool ran
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.traffic import (
    TrafficError,
    iperf3_argv,
    netperf_argv,
    parse_iperf3,
    parse_netperf,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            tool=dict(type="str", required=True, choices=["iperf3", "netperf"]),
            server=dict(type="str", required=True),
            seconds=dict(type="int", default=10),
            flows=dict(type="int", default=10),
            mss=dict(type="int"),
            omit=dict(type="int", default=0),
            message_bytes=dict(type="int", default=64),
            port=dict(type="int"),
            timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    params = module.params
    errors = []
    if params["seconds"] < 1:
        errors.append("seconds=%d: at least 1" % params["seconds"])
    if not 1 <= params["flows"] <= 128:
        errors.append("flows=%d: iperf3 runs 1 to 128 parallel flows" % params["flows"])
    if params["message_bytes"] < 1:
        errors.append("message_bytes=%d: at least 1" % params["message_bytes"])
    if params["mss"] is not None and not 88 <= params["mss"] <= 9216:
        errors.append("mss=%d: TCP MSS between 88 and 9216" % params["mss"])
    if params["omit"] < 0 or params["omit"] >= params["seconds"]:
        errors.append("omit=%d: between 0 and seconds-1" % params["omit"])
    if errors:
        module.fail_json(msg="; ".join(errors))

    metric = "throughput" if params["tool"] == "iperf3" else "latency"
    binary = module.get_bin_path(params["tool"], required=not module.check_mode) or params["tool"]
    if params["tool"] == "iperf3":
        argv = iperf3_argv(binary, params["server"], params["seconds"], params["flows"], params["port"], params["mss"],
                           params["omit"])
    else:
        argv = netperf_argv(binary, params["server"], params["seconds"], params["message_bytes"], params["port"])
    if module.check_mode:
        module.exit_json(changed=False, metric=metric, cmd=argv, msg="check mode: not measured")

    limit = params["seconds"] + params["timeout"]
    started = time.time()
    rc, out, err = module.run_command([module.get_bin_path("timeout", required=True), "--kill-after=5", str(limit)] + argv,
                                      environ_update={"LC_ALL": "C"})
    elapsed = round(time.time() - started, 3)
    if rc in (124, 137):
        module.fail_json(msg="%s did not finish a %d s run within %d s (timeout)" % (params["tool"], params["seconds"], limit),
                         cmd=argv, stdout=out, stderr=err, rc=rc, metric=metric, elapsed=elapsed)
    try:
        result = parse_iperf3(out) if params["tool"] == "iperf3" else parse_netperf(out)
    except TrafficError as exc:
        module.fail_json(msg="%s (rc=%d)%s" % (exc, rc, (": " + err.strip()) if err.strip() else ""), cmd=argv,
                         stdout=out, stderr=err, rc=rc, metric=metric, elapsed=elapsed)
    if rc != 0:
        module.fail_json(msg="%s exited with %d: %s" % (params["tool"], rc, err.strip()), cmd=argv, stdout=out,
                         stderr=err, rc=rc, metric=metric, elapsed=elapsed)
    module.exit_json(changed=False, metric=metric, result=result, stdout=out, cmd=argv, elapsed=elapsed)


if __name__ == "__main__":
    main()
