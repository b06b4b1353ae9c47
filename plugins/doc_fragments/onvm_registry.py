# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How the registry modules reach the OpenNetVM NF-service registry in ZooKeeper."""

    DOCUMENTATION = r"""
requirements:
  - kazoo (Debian C(python3-kazoo), 2.8.0 in bookworm) on the host that runs the module
options:
  hosts:
    description: ZooKeeper connect string, C(host:port[,host:port...]).
    type: str
    default: 127.0.0.1:2181
  root:
    description: The registry's root znode (absolute path, no trailing C(/)).
    type: str
    default: /nfvlab/onvm
  timeout:
    description: Seconds to wait for a ZooKeeper session (and the session timeout).
    type: float
    default: 10.0
"""
