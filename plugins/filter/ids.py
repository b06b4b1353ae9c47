# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the IDS NFs: a chain's instances with their capture mode (ids_instances).
Documentation: ids_instances.yml beside this file; the logic is plugins/module_utils/ids.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.nfvlab.interconnect.plugins.module_utils.ids import IdsError, chain_instances


def _ids_instances(instances, capture):
    try:
        return chain_instances(instances, capture)
    except IdsError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"ids_instances": _ids_instances}
