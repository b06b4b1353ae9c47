# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The sysfs option of the modules that read and write /sys."""

    DOCUMENTATION = r"""
options:
  sysfs:
    description: Where sysfs is mounted (tests point it at a directory laid out like C(/sys)).
    type: path
    default: /sys
"""
