# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the command wrappers of the modules (ip, ovs-vsctl, ovs-ofctl) share."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class CommandError(Exception):
    """A command that failed: its argument list, exit code and output, for module.fail_json."""

    def __init__(self, argv, rc, out, err):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        super(CommandError, self).__init__("%s failed (rc=%s): %s" % (" ".join(argv), rc, (err or out or "").strip()))
