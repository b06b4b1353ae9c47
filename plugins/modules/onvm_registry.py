#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onvm_registry
short_description: Register an NF server's OpenNetVM services and replicas in the ZooKeeper NF-service registry
version_added: 0.1.0
description:
  - The multi-host OpenNetVM of the lab keeps an NF-service registry in ZooKeeper (run by the
    C(nfvlab.interconnect.zookeeper) role on the chaining server) that tells each manager, placement and chain
    deployment which services live on which host, and which OpenNetVM instance IDs are the replicas of each.
  - This module makes one host's registration exactly O(services) - it reads what is registered for O(host),
    compares it with what is wanted and creates or deletes only the differences (a changed entry is deleted and
    created again), all in one ZooKeeper transaction. O(state=absent) removes the host's entries.
  - "Layout under O(root) (default C(/nfvlab/onvm)):"
  - "C(<root>/services/<service_id>/<host>-<10-digit sequence>): one znode per host and service, data JSON
    C({\"host\": \"nf1\", \"service_id\": 3, \"instances\": [5, 6], \"nf\": \"snort\"}). The children of
    C(<root>/services/<service_id>) are every host offering that service."
  - "C(<root>/hosts/<host>): the host's whole registration, data JSON
    C({\"host\": \"nf1\", \"services\": [{\"service_id\": 3, \"instances\": [5, 6], \"nf\": \"snort\"}]}), written in
    the same transaction as the entries, so that a host's registration is replaced as a whole."
  - The znodes are persistent, not ephemeral. An ephemeral znode lives only as long as the ZooKeeper session that
    made it, and this module's session ends when the module returns, so an ephemeral registration would vanish at
    once. The NF server's entries stay until the host is registered again or removed with O(state=absent).
    They are sequential so that every rewrite of an entry gets a new name, which a reader watching the service's
    children sees as a change.
  - Empty C(<root>/services/<service_id>) parents are left in place (other hosts may be creating entries in them).
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - a ZooKeeper server (3.5 or later for transactions; the zookeeper role runs 3.8)
options:
  host:
    description:
      - The NF server whose services these are, by its inventory name (C(nf1)). Becomes part of the znode names.
    type: str
    required: true
  services:
    description:
      - The host's services. One entry per service ID; its replicas are the O(services[].instances).
      - Ignored with O(state=absent).
    type: list
    elements: dict
    default: []
    suboptions:
      service_id:
        description: OpenNetVM service ID, 1-31 (0 is reserved).
        type: int
        required: true
      instances:
        description: OpenNetVM instance IDs (1-127) of the replicas of the service on this host; at least one.
        type: list
        elements: int
        required: true
      nf:
        description: What the NF is (C(snort), C(l2fwd) ...), for people and reports; not used to route.
        type: str
  state:
    description: V(present) registers exactly O(services) for O(host); V(absent) removes every entry of O(host).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - nfvlab.interconnect.onvm_registry
attributes:
  check_mode:
    description: Reads the registry and reports what would be created and deleted; writes nothing.
    support: full
  diff_mode:
    description: Shows the host's services before and after.
    support: full
notes:
  - Fails with the connect string when no ZooKeeper session can be had within O(timeout).
  - An entry of O(host) that does not follow the layout (data not JSON, a second entry for one service) is deleted.
seealso:
  - module: nfvlab.interconnect.onvm_registry_info
"""

EXAMPLES = r"""
- name: Register nf1's services (Snort with two replicas, l2fwd with one) in the chaining server's registry
  nfvlab.interconnect.onvm_registry:
    hosts: "{{ hostvars['chain'].nfvlab_mgmt_address }}:2181"
    host: "{{ inventory_hostname }}"
    services:
      - {service_id: 1, instances: [1, 2], nf: snort}
      - {service_id: 2, instances: [3], nf: l2fwd}
  delegate_to: chain

- name: Take nf2 out of the registry
  nfvlab.interconnect.onvm_registry:
    host: nf2
    state: absent
"""

RETURN = r"""
registered:
  description:
    - The host's entries after the run, by service ID, each with its znode (null in check mode for an entry that
      would be created).
  returned: always
  type: list
  elements: dict
  sample: [{host: nf1, service_id: 1, instances: [1, 2], nf: snort, znode: /nfvlab/onvm/services/1/nf1-0000000004}]
created:
  description: Znodes created (in check mode, the prefix each would be created with).
  returned: always
  type: list
  elements: str
  sample: [/nfvlab/onvm/services/1/nf1-0000000004]
deleted:
  description: Znodes deleted (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [/nfvlab/onvm/services/1/nf1-0000000002]
registry:
  description: The connect string and root the module worked on.
  returned: always
  type: str
  sample: 127.0.0.1:2181/nfvlab/onvm
diff:
  description: The host's registration before and after (with C(--diff)).
  returned: when diff mode is on
  type: dict
  sample:
    before: {host: nf1, services: [{service_id: 1, instances: [1], nf: snort}]}
    after: {host: nf1, services: [{service_id: 1, instances: [1, 2], nf: snort}]}
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nfvlab.interconnect.plugins.module_utils.onvm_registry import (
    KAZOO_IMPORT_ERROR,
    KazooException,
    Registry,
    RegistryError,
    apply,
    check_host,
    check_root,
    common_argument_spec,
    decode,
    host_path,
    host_record,
    plan,
    public,
    read_data,
    read_registry,
    services_path,
    wanted_services,
)


def main():
    argument_spec = common_argument_spec()
    argument_spec.update(
        host=dict(type="str", required=True),
        services=dict(type="list", elements="dict", default=[], options=dict(
            service_id=dict(type="int", required=True),
            instances=dict(type="list", elements="int", required=True),
            nf=dict(type="str"),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if KAZOO_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("kazoo"), exception=KAZOO_IMPORT_ERROR)
    params = module.params
    present = params["state"] == "present"
    try:
        root = check_root(params["root"])
        host = check_host(params["host"])
        wanted = wanted_services(host, params["services"]) if present else []
    except RegistryError as exc:
        module.fail_json(msg=str(exc))
    registry = "%s%s" % (params["hosts"], root)

    with Registry(module) as client:
        try:
            registered = read_registry(client, root)
            raw_record = read_data(client, host_path(root, host))
            keep, delete, create = plan(registered, host, wanted)
            record = host_record(host, wanted) if present else None
            record_changed = (raw_record is not None) if record is None else decode(raw_record) != record
            changed = bool(delete or create or record_changed)
            if changed and not module.check_mode:
                created = apply(client, root, host, delete, create, record)
            else:
                created = [dict(item, znode=None) for item in create]
        except (KazooException, RegistryError) as exc:
            module.fail_json(msg="registry %s, host %s: %s" % (registry, host, exc))

    mine = [e for e in registered if e["host"] == host]
    result = dict(
        changed=changed,
        registered=sorted(keep + created, key=lambda e: e["service_id"]),
        created=[e["znode"] or "%s/%s-" % (services_path(root, e["service_id"]), host) for e in created],
        deleted=delete,
        registry=registry,
    )
    if module._diff:
        result["diff"] = dict(
            before={"host": host, "services": public([e for e in mine if e["valid"]])},
            after={"host": host, "services": public(wanted)},
            before_header="%s %s" % (registry, host), after_header="%s %s" % (registry, host),
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
