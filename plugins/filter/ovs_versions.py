# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter checking an Open vSwitch version against the DPDK version it is built with, after
Open vSwitch's own compatibility table. Documentation: ovs_dpdk_errors.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nfvlab.interconnect.plugins.module_utils.ovs_versions import ovs_dpdk_errors


def _ovs_dpdk_errors(ovs_version, dpdk_version):
    return ovs_dpdk_errors(ovs_version, dpdk_version)


class FilterModule(object):
    def filters(self):
        return {
            "ovs_dpdk_errors": _ovs_dpdk_errors,
        }
