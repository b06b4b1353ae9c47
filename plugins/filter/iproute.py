# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iproute_addresses filter. Documentation: iproute_addresses.yml beside this file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.iproute import addresses_by_interface


def _iproute_addresses(addr_json):
    try:
        return addresses_by_interface(addr_json)
    except (ValueError, TypeError, KeyError) as exc:
        raise AnsibleFilterError("iproute_addresses: not the output of `ip -j addr show`: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"iproute_addresses": _iproute_addresses}
