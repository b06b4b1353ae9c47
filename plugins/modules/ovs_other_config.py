#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ovs_other_config
short_description: The other_config keys of Open vSwitch's Open_vSwitch table, set and removed exactly
version_added: 0.1.0
description:
  - Compares the wanted keys (C(dpdk-init), C(dpdk-socket-mem), C(dpdk-extra), C(pmd-cpu-mask) ...) with
    C(ovs-vsctl --format=json --columns=other_config list Open_vSwitch .) and applies every difference in one
    ovs-vsctl transaction (one C(set) of the keys to add or change, one C(remove) of the keys to drop).
  - Values are written in double quotes, so that values with spaces, commas or quotes (C(dpdk-extra))
    are stored as given.
  - A key whose value is null is removed; with O(purge=true) every key not named in O(settings) is removed too.
  - Reports RV(restart_needed) when a changed key is one that ovs-vswitchd reads only when it starts
    (C(dpdk-init), C(dpdk-socket-mem), C(dpdk-socket-limit), C(dpdk-extra), C(dpdk-hugepage-dir), C(dpdk-lcore-mask),
    C(dpdk-alloc-mem), C(vhost-sock-dir), C(vhost-iommu-support), C(vhost-postcopy-support), C(per-port-memory),
    C(shared-mempool-config), C(userspace-tso-enable), C(hw-offload), C(n-offload-threads), C(offload-rebalance); see
    ovs-vswitchd.conf.db(5)), so that the caller can restart it. Keys such as C(pmd-cpu-mask) and C(pmd-maxsleep)
    take effect at once.
  - community.general.openvswitch_db sets one key per task and cannot remove the keys not wanted, hence this module.
author:
  - nfvlab.interconnect developers (@nfvlab)
requirements:
  - ovs-vsctl, and a running ovsdb-server
options:
  settings:
    description:
      - Key -> value. Strings are stored as given, booleans as V(true)/V(false), numbers in decimal.
      - A null value means the key must be absent (it is removed if set).
    type: dict
    required: true
  purge:
    description: Remove every other_config key not named in O(settings).
    type: bool
    default: false
  timeout:
    description: Seconds ovs-vsctl may take (C(ovs-vsctl --timeout)).
    type: int
    default: 10
attributes:
  check_mode:
    description: Reads the table and reports the change and the command; runs nothing that changes it.
    support: full
  diff_mode:
    description: Shows other_config before and after.
    support: full
seealso:
  - module: nfvlab.interconnect.ovs_bridge
  - module: community.general.openvswitch_db
"""

EXAMPLES = r"""
- name: OVS-DPDK with one PMD thread on CPU 1, AF_XDP virtual device, no PCI probing
  nfvlab.interconnect.ovs_other_config:
    settings:
      dpdk-init: true
      dpdk-socket-mem: "1024"
      dpdk-hugepage-dir: /mnt/huge
      dpdk-extra: --no-pci --vdev net_af_xdp0,iface=xe1
      pmd-cpu-mask: "0x2"
      userspace-tso-enable: false
      vhost-sock-dir: null      # removed if set
  register: ovs_config
  notify: Restart ovs-vswitchd   # a handler with "when: ovs_config.restart_needed"

- name: Exactly these keys, nothing else
  nfvlab.interconnect.ovs_other_config:
    settings:
      pmd-cpu-mask: "0x6"
    purge: true
"""

RETURN = r"""
before:
  description: other_config before.
  returned: always
  type: dict
  sample: {dpdk-init: "true", pmd-cpu-mask: "0x2"}
after:
  description: other_config after (in check mode, what it would be).
  returned: always
  type: dict
  sample: {dpdk-init: "true", pmd-cpu-mask: "0x6"}
keys_changed:
  description: Keys set, changed or removed, sorted.
  returned: always
  type: list
  elements: str
  sample: [pmd-cpu-mask]
restart_needed:
  description: A changed key is one that ovs-vswitchd reads only when it starts.
  returned: always
  type: bool
  sample: false
commands:
  description: The ovs-vsctl argument list run (in check mode, that would run); empty when nothing changes.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-vsctl", "--timeout=10", "set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask=\"0x6\""]]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nfvlab.interconnect.plugins.module_utils.ovs_vsctl import (
    RESTART_KEYS,
    OvsVsctl,
    OvsVsctlError,
    config_string,
    map_changes,
)


def wanted(module):
    """settings as other_config strings (None: the key must be absent)."""
    want = {}
    for name, value in module.params["settings"].items():
        if not name or "=" in name or name != name.strip():
            module.fail_json(msg="settings: %r is not an other_config key" % name)
        if isinstance(value, (dict, list, tuple)):
            module.fail_json(msg="settings: %s: a value is a string, a number, a boolean or null, not %r" % (name, value))
        want[name] = None if value is None else config_string(value)
    return want


def main():
    module = AnsibleModule(
        argument_spec=dict(
            settings=dict(type="dict", required=True),
            purge=dict(type="bool", default=False),
            timeout=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    want = wanted(module)
    vsctl = OvsVsctl(module, module.params["timeout"])
    try:
        found = vsctl.list("Open_vSwitch", ["other_config"], ".")
        before = dict(found[0]["other_config"] or {}) if found else {}
        if module.params["purge"]:
            for name in before:
                want.setdefault(name, None)
        commands, keys_changed = map_changes("Open_vSwitch", ".", "other_config", before, want)
        if commands:
            vsctl.transact(commands)
    except OvsVsctlError as exc:
        module.fail_json(msg=str(exc), rc=exc.rc, stdout=exc.out, stderr=exc.err, commands=vsctl.commands)
    after = dict((k, v) for k, v in before.items() if k not in want)
    after.update((k, v) for k, v in want.items() if v is not None)
    result = dict(
        changed=bool(keys_changed), before=before, after=after, keys_changed=keys_changed,
        restart_needed=any(k in RESTART_KEYS for k in keys_changed), commands=vsctl.commands,
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
