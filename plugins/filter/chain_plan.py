# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chain_plan filter: a placed chain -> per-host NF instances and OpenFlow element lists.
Documentation: chain_plan.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.chain_plan import ChainPlanError, chain_plan, onvm_chain_plan, switch_ports


def _chain_plan(placement, name, replicas=1, wiring="multi-host", chain_host="chain", ingress_port="xe2",
                egress_port="xe3", vni_base=4096):
    try:
        return chain_plan(placement, name, replicas, wiring, chain_host, ingress_port, egress_port, vni_base)
    except ChainPlanError as exc:
        raise AnsibleFilterError(str(exc))


def _onvm_chain_plan(placement, name, replicas=1, wiring="multi-host", chain_host="chain", ingress_port="xe2",
                     egress_port="xe3", vni_base=4096, manager_ports=("onvm0", "onvm1")):
    try:
        return onvm_chain_plan(placement, name, replicas, wiring, chain_host, ingress_port, egress_port, vni_base,
                               manager_ports)
    except ChainPlanError as exc:
        raise AnsibleFilterError(str(exc))


def _switch_ports(interfaces, peers, lab="hardware", hw_ports=None, kind="ethernet", ofport_base=1, mtu=None):
    try:
        return switch_ports(interfaces, peers, lab, hw_ports, kind, ofport_base, mtu)
    except ChainPlanError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"chain_plan": _chain_plan, "onvm_chain_plan": _onvm_chain_plan, "switch_ports": _switch_ports}
