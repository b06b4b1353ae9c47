#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onvm_registry_info
short_description: Read the OpenNetVM NF-service registry in ZooKeeper - where each service lives
version_added: 0.1.0
description:
  - Reads the registry that M(nfvlab.interconnect.onvm_registry) writes (layout documented there;
    C(<root>/services/<service_id>/<host>-<sequence>) and C(<root>/hosts/<host>)) and returns, per service ID, the
    hosts that offer it with the OpenNetVM instance IDs of their replicas.
  - With O(require), stops when a service is on no host - what placement and chain deployment use to refuse a chain
    naming an unregistered service. The message names every missing service and the registry.
  - A registry that does not exist yet (no O(root)) is empty. Znodes under C(<root>/services) that do not follow the
    layout are skipped and reported in RV(invalid).
author:
  - nfvlab.interconnect developers (@nfvlab)
options:
  require:
    description:
      - Service IDs that must be registered on at least one host; the module fails naming every one that is not
        (C(service 7 is not registered on any host (registry 127.0.0.1:2181/nfvlab/onvm))).
    type: list
    elements: int
    default: []
extends_documentation_fragment:
  - nfvlab.interconnect.onvm_registry
attributes:
  check_mode:
    description: Read-only; runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing to show, nothing changes.
    support: none
seealso:
  - module: nfvlab.interconnect.onvm_registry
"""

EXAMPLES = r"""
- name: Find where the chain's services live; stop if one is not registered anywhere
  nfvlab.interconnect.onvm_registry_info:
    hosts: "{{ hostvars['chain'].nfvlab_mgmt_address }}:2181"
    require: "{{ chain_services }}"
  register: registry

- name: The hosts of service 1
  ansible.builtin.debug:
    msg: "{{ registry.services['1'] | map(attribute='host') }}"
"""

RETURN = r"""
services:
  description:
    - Service ID (a string, JSON keys are) -> the hosts offering it, in registration order, each with the instance IDs
      of its replicas and the NF. Services registered nowhere are absent.
  returned: always
  type: dict
  sample:
    "1": [{host: nf1, instances: [1, 2], nf: snort, znode: /nfvlab/onvm/services/1/nf1-0000000000},
          {host: nf2, instances: [1], nf: snort, znode: /nfvlab/onvm/services/1/nf2-0000000003}]
hosts:
  description: Host -> its whole registration (the data of C(<root>/hosts/<host>)).
  returned: always
  type: dict
  sample:
    nf1: {host: nf1, services: [{service_id: 1, instances: [1, 2], nf: snort}]}
invalid:
  description: Znodes under C(<root>/services) that do not follow the layout (skipped).
  returned: always
  type: list
  elements: str
  sample: []
missing:
  description: The O(require) service IDs registered on no host (the module fails when there is one).
  returned: always
  type: list
  elements: int
  sample: []
registry:
  description: The connect string and root read.
  returned: always
  type: str
  sample: 127.0.0.1:2181/nfvlab/onvm
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nfvlab.interconnect.plugins.module_utils.onvm_registry import (
    KAZOO_IMPORT_ERROR,
    KazooException,
    Registry,
    RegistryError,
    check_root,
    common_argument_spec,
    read_hosts,
    read_registry,
)


def main():
    argument_spec = common_argument_spec()
    argument_spec.update(require=dict(type="list", elements="int", default=[]))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if KAZOO_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("kazoo"), exception=KAZOO_IMPORT_ERROR)
    try:
        root = check_root(module.params["root"])
    except RegistryError as exc:
        module.fail_json(msg=str(exc))
    registry = "%s%s" % (module.params["hosts"], root)

    with Registry(module) as client:
        try:
            entries = read_registry(client, root)
            hosts = read_hosts(client, root)
        except KazooException as exc:
            module.fail_json(msg="registry %s: %s" % (registry, exc))

    services = {}
    for item in entries:
        if item["valid"]:
            services.setdefault(str(item["service_id"]), []).append(
                {"host": item["host"], "instances": item["instances"], "nf": item["nf"], "znode": item["znode"]})
    result = dict(
        changed=False, services=services, hosts=hosts, registry=registry,
        invalid=[item["znode"] for item in entries if not item["valid"]],
        missing=[sid for index, sid in enumerate(module.params["require"])
                 if str(sid) not in services and sid not in module.params["require"][:index]],
    )
    if result["missing"]:
        result["msg"] = "; ".join("service %s is not registered on any host (registry %s)" % (sid, registry)
                                  for sid in result["missing"])
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
