#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: benchmark_record
short_description: A record in the benchmark results store - one cell's result, an environment fingerprint, or a run
version_added: 0.1.0
description:
  - The results store is a directory (on the controller; delegate this module to C(localhost)) with one JSON file per
    cell, C(cells/<key>.json). Every file is written to a temporary name, flushed and renamed, so a run killed half-way
    leaves the previous record or the new one, never a part of one.
  - A cell record with status C(ok) holds the measurement and the raw evidence (the tool's output, OVS PMD statistics);
    C(failed) holds the reason and the raw output; C(unsupported) holds why this lab cannot run the cell.
  - Nothing measured is lost - a record equal to the stored one (ignoring its times) changes nothing; a replaced record
    is kept under C(history/); a stored C(ok) record is never replaced by a C(failed) or C(unsupported) one (which is
    kept under C(history/) instead, as evidence of the failed attempt).
  - O(kind=fingerprint) stores the environment a key was measured in (C(fingerprints/<sha256>.json), written once).
    O(kind=run) stores a run's bookkeeping (C(runs/<started>.json) - cells run and skipped, durations).
author:
  - nfvlab.interconnect developers (@nfvlab)
options:
  path:
    description: The store's directory (created if missing).
    type: path
    required: true
  kind:
    description: What O(record) is.
    type: str
    choices: [cell, fingerprint, run]
    default: cell
  record:
    description:
      - The record. O(kind=cell) - needs C(key) (hex) and C(status) (C(ok), C(failed) or C(unsupported)); the harness
        also writes C(id), C(experiment), C(metric), C(params), C(runs), C(result), C(reason), C(raw), C(timing),
        C(fingerprint). O(kind=fingerprint) - C(sha256) and C(fingerprint). O(kind=run) - needs C(started).
    type: dict
    required: true
attributes:
  check_mode:
    description: Reports whether the record would be written; writes nothing.
    support: full
  diff_mode:
    description: Shows the stored cell record and the new one.
    support: full
seealso:
  - module: nfvlab.interconnect.benchmark_results_info
  - module: nfvlab.interconnect.traffic
"""

EXAMPLES = r"""
- name: Record a measured cell
  nfvlab.interconnect.benchmark_record:
    path: /srv/nfvlab/results
    record:
      key: 5f0c2a9e41d7b3c86e1f0a2b
      id: fig2 platform=ovs-dpdk+dpdk nf=l2fwd chain_length=3 throughput
      status: ok
      result: {throughput_mbps: 941.2}
      raw: {stdout: "{...iperf3 JSON...}"}
  delegate_to: localhost
  run_once: true

- name: Record a cell this lab cannot run
  nfvlab.interconnect.benchmark_record:
    path: /srv/nfvlab/results
    record: {key: 0c9d7a11e5f2b3a4c6d8e0f1, id: ib packet_bytes=1024 throughput, status: unsupported,
             reason: "the InfiniBand fabric needs an HCA; none on nf1, nf2, chain"}
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
path:
  description: The file written (or that would be).
  returned: always
  type: str
history:
  description: Where the replaced record was kept, if one was replaced.
  returned: when a record was replaced
  type: str
previous_status:
  description: Status of the record this one replaced.
  returned: when a record was replaced
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.results_store import (
    StoreError,
    cell_path,
    dump,
    put_fingerprint,
    put_record,
    put_run,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            kind=dict(type="str", default="cell", choices=["cell", "fingerprint", "run"]),
            record=dict(type="dict", required=True),
        ),
        supports_check_mode=True,
    )
    store, kind, record = module.params["path"], module.params["kind"], module.params["record"]
    try:
        if kind == "fingerprint":
            if "sha256" not in record or "fingerprint" not in record:
                module.fail_json(msg="record: a fingerprint record needs sha256 and fingerprint")
            changed = put_fingerprint(store, record["sha256"], record["fingerprint"], module.check_mode)
            module.exit_json(changed=changed, path=os.path.join(store, "fingerprints", record["sha256"] + ".json"))
        if kind == "run":
            changed = put_run(store, record, module.check_mode)
            module.exit_json(changed=changed, path=os.path.join(store, "runs"))
        for needed in ("key", "status"):
            if needed not in record:
                module.fail_json(msg="record: a cell record needs %s" % needed)
        path = cell_path(store, record["key"])
        changed, previous, history = put_record(store, record, module.check_mode)
    except StoreError as exc:
        module.fail_json(msg=str(exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg="results store %s: %s" % (store, exc))
    result = dict(changed=changed, path=path)
    if history:
        result.update(history=history, previous_status=(previous or {}).get("status"))
    if module._diff and changed:
        result["diff"] = {"before": dump(previous) if previous else "", "after": dump(record),
                          "before_header": path, "after_header": path}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
