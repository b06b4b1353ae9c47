#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hugepages
short_description: Reserve 2 MB and 1 GB hugepages at run time, per NUMA node, and report what the kernel gave
version_added: 0.1.0
description:
  - Sets the number of hugepages of each size, either for the whole system
    (C(/sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages)) or per NUMA node
    (C(/sys/devices/system/node/node<N>/hugepages/hugepages-<size>kB/nr_hugepages)), then reads back what the
    kernel obtained. Allocation at run time can fall short when memory is fragmented; the shortfall is reported
    per size and node, and fails the task unless O(fail_on_shortfall=false).
  - Where the pool cannot be written (a container whose C(/proc/sys/vm) and C(/sys) are read-only), nothing is
    written; the module reports the pool it can see and RV(writable=false), so the caller can verify instead.
  - Persistence across reboots (sysctl.d, a boot unit, the kernel command line) is the P(nfvlab.interconnect.hugepages#role)
    role's job.
author:
  - nfvlab.interconnect developers (@nfvlab)
options:
  pages:
    description: The pages wanted. A page size is asked either for the whole system or per node, not both.
    type: list
    elements: dict
    required: true
    suboptions:
      size:
        description: Page size.
        type: str
        required: true
        choices: [2M, 1G]
      count:
        description: Number of pages.
        type: int
        required: true
      node:
        description: NUMA node; omit for the whole system.
        type: int
  fail_on_shortfall:
    description: Fail when the kernel gives fewer pages than asked.
    type: bool
    default: true
extends_documentation_fragment:
  - nfvlab.interconnect.sysfs
attributes:
  check_mode:
    description: Reads the pool and reports what it would set; writes nothing.
    support: full
  diff_mode:
    description: Shows the page counts before and after, per size and node.
    support: full
"""

EXAMPLES = r"""
- name: 1024 pages of 2 MB on node 0 and 2 pages of 1 GB on node 1
  nfvlab.interconnect.hugepages:
    pages:
      - {size: 2M, count: 1024, node: 0}
      - {size: 1G, count: 2, node: 1}

- name: Read the pool without failing on a shortfall
  nfvlab.interconnect.hugepages:
    pages: [{size: 2M, count: 512}]
    fail_on_shortfall: false
  check_mode: true
  register: pool
"""

RETURN = r"""
pages:
  description: One entry per requested size and node.
  returned: always
  type: list
  elements: dict
  contains:
    size:
      description: Page size.
      type: str
      sample: 2M
    node:
      description: NUMA node, or null for the whole system.
      type: int
      sample: 0
    asked:
      description: Pages asked.
      type: int
      sample: 1024
    before:
      description: Pages in the pool before the module ran.
      type: int
      sample: 0
    obtained:
      description: Pages in the pool after (in check mode or when read-only, the pool as it is).
      type: int
      sample: 1024
    free:
      description: Free pages of that size (system-wide counter).
      type: int
      sample: 1024
    path:
      description: The sysfs file.
      type: str
      sample: /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
writable:
  description: Whether the pool could be written (false in a container with a read-only /sys and /proc/sys/vm).
  returned: always
  type: bool
shortfall:
  description: Messages for each size and node where fewer pages were obtained than asked.
  returned: always
  type: list
  elements: str
"""

import errno
import os

from ansible.module_utils.basic import AnsibleModule

SIZE_DIRS = {"2M": "hugepages-2048kB", "1G": "hugepages-1048576kB"}


def read_int(path):
    with open(path) as handle:
        return int(handle.read().strip())


class Pool(object):
    def __init__(self, module):
        self.module = module
        self.sysfs = module.params["sysfs"]

    def nodes(self):
        base = os.path.join(self.sysfs, "devices", "system", "node")
        if not os.path.isdir(base):
            return []
        return sorted(int(name[4:]) for name in os.listdir(base) if name.startswith("node") and name[4:].isdigit())

    def path(self, size, node):
        if node is None:
            return os.path.join(self.sysfs, "kernel", "mm", "hugepages", SIZE_DIRS[size], "nr_hugepages")
        return os.path.join(self.sysfs, "devices", "system", "node", "node%d" % node, "hugepages", SIZE_DIRS[size],
                            "nr_hugepages")

    def free(self, size):
        return read_int(os.path.join(self.sysfs, "kernel", "mm", "hugepages", SIZE_DIRS[size], "free_hugepages"))

    def validate(self, pages):
        errors = []
        nodes = self.nodes()
        seen = {}
        for index, entry in enumerate(pages):
            where = "pages[%d] (%s%s)" % (index, entry["size"], "" if entry["node"] is None else " on node %d" % entry["node"])
            if entry["count"] < 0:
                errors.append("%s: count %d is negative" % (where, entry["count"]))
            if entry["node"] is not None and entry["node"] not in nodes:
                errors.append("%s: NUMA node %d does not exist on this host (nodes: %s)"
                              % (where, entry["node"], ", ".join(str(n) for n in nodes) or "none"))
                continue
            if not os.path.exists(self.path(entry["size"], entry["node"])):
                errors.append("%s: this kernel or CPU has no %s pages (%s is missing)"
                              % (where, entry["size"], os.path.dirname(self.path(entry["size"], entry["node"]))))
            key = (entry["size"], entry["node"])
            if key in seen:
                errors.append("%s: asked twice (also pages[%d])" % (where, seen[key]))
            seen[key] = index
        for size in SIZE_DIRS:
            scopes = set(node is None for (psize, node) in seen if psize == size)
            if len(scopes) > 1:
                errors.append("pages: %s pages are asked both for the whole system and per node; choose one" % size)
        return errors

    def writable(self, pages):
        return all(os.access(self.path(entry["size"], entry["node"]), os.W_OK) for entry in pages)

    def write(self, path, count):
        try:
            with open(path, "w") as handle:
                handle.write("%d\n" % count)
        except (IOError, OSError) as exc:
            # the kernel refuses with ENOMEM or EINVAL when it cannot satisfy any of it; the read-back tells
            if exc.errno not in (errno.ENOMEM, errno.EINVAL):
                self.module.fail_json(msg="cannot write %s: %s" % (path, exc))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pages=dict(type="list", elements="dict", required=True, options=dict(
                size=dict(type="str", required=True, choices=list(SIZE_DIRS)),
                count=dict(type="int", required=True),
                node=dict(type="int"),
            )),
            fail_on_shortfall=dict(type="bool", default=True),
            sysfs=dict(type="path", default="/sys"),
        ),
        supports_check_mode=True,
    )
    pool = Pool(module)
    pages = module.params["pages"]
    errors = pool.validate(pages)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)

    writable = pool.writable(pages)
    changed = False
    result_pages = []
    for entry in pages:
        path = pool.path(entry["size"], entry["node"])
        before = read_int(path)
        if before != entry["count"]:
            if writable:
                changed = True
                if not module.check_mode:
                    pool.write(path, entry["count"])
        obtained = read_int(path)
        if module.check_mode and writable:
            obtained = entry["count"]
        result_pages.append(dict(size=entry["size"], node=entry["node"], asked=entry["count"], before=before,
                                 obtained=obtained, free=pool.free(entry["size"]), path=path))

    shortfall = []
    for page in result_pages:
        if page["obtained"] < page["asked"]:
            where = "%s pages%s" % (page["size"], "" if page["node"] is None else " on node %d" % page["node"])
            if writable:
                shortfall.append("%s: asked %d, the kernel gave %d (memory is too fragmented or too full; free memory "
                                 "or reserve them at boot on the kernel command line)"
                                 % (where, page["asked"], page["obtained"]))
            else:
                shortfall.append("%s: asked %d, the pool this host can see has %d and is read-only here"
                                 % (where, page["asked"], page["obtained"]))

    def counts(key):
        return dict(("%s%s" % (p["size"], "" if p["node"] is None else "@node%d" % p["node"]), p[key]) for p in result_pages)

    result = dict(changed=changed, pages=result_pages, writable=writable, shortfall=shortfall)
    if module._diff:
        result["diff"] = dict(before=counts("before"), after=counts("obtained"))
    if shortfall and module.params["fail_on_shortfall"]:
        module.fail_json(msg="; ".join(shortfall), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
