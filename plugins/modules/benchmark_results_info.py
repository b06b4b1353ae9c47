#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: benchmark_results_info
short_description: What the benchmark results store holds - each cell's status, and the runs
version_added: 0.1.0
description:
  - Reads the store written by M(nfvlab.interconnect.benchmark_record) (run it on the controller) and returns each
    cell record's status and id by key, without the raw evidence, so that the harness can skip finished cells.
  - Unreadable record files are reported in RV(broken), never guessed at; the cells they held are run again.
author:
  - nfvlab.interconnect developers (@nfvlab)
options:
  path:
    description: The store's directory. A missing directory is an empty store.
    type: path
    required: true
  full:
    description: Return whole records (with results and raw evidence) instead of their status.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads only.
    support: full
  diff_mode:
    description: Reads only.
    support: none
seealso:
  - module: nfvlab.interconnect.benchmark_record
"""

EXAMPLES = r"""
- name: What is recorded
  nfvlab.interconnect.benchmark_results_info:
    path: /srv/nfvlab/results
  register: store
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
records:
  description: key -> C(status), C(id), C(reason) (full records with O(full=true)).
  returned: always
  type: dict
  sample: {"5f0c2a9e41d7b3c86e1f0a2b": {"status": "ok", "id": "fig2 platform=ovs-dpdk+dpdk nf=l2fwd chain_length=1 throughput"}}
runs:
  description: The run records, oldest first.
  returned: always
  type: list
  elements: dict
counts:
  description: Records per status.
  returned: always
  type: dict
  sample: {"ok": 12, "failed": 1, "unsupported": 40}
broken:
  description: Record files that could not be read, with the error.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.results_store import load_records, load_runs


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", required=True), full=dict(type="bool", default=False)),
        supports_check_mode=True,
    )
    try:
        records, broken = load_records(module.params["path"])
        runs = load_runs(module.params["path"])
    except (IOError, OSError) as exc:
        module.fail_json(msg="results store %s: %s" % (module.params["path"], exc))
    if not module.params["full"]:
        records = dict((key, dict((field, record.get(field)) for field in ("status", "id", "reason")))
                       for key, record in records.items())
    counts = {}
    for record in records.values():
        counts[record.get("status")] = counts.get(record.get("status"), 0) + 1
    module.exit_json(changed=False, records=records, runs=runs, counts=counts, broken=broken)


if __name__ == "__main__":
    main()
