# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter placing a service chain's NFs on the NF servers (shortcut or back-and-forth).
Documentation: chain_placement.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.placement import (
    PlacementError,
    chain_placement,
)


def _chain_placement(length, nf_servers, policy, slots=None, wiring="multi-host"):
    try:
        return chain_placement(length, nf_servers, policy, slots=slots, wiring=wiring)
    except PlacementError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {
            "chain_placement": _chain_placement,
        }
