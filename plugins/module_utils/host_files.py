# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files the modules compare and write on a host: read whole (None when absent), written whole,
atomically, never in check mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


def read_text(path):
    """The file's text as it is (not stripped: unit files are compared byte for byte), or None."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def atomic_write(module, path, text, mode=0o644):
    """Write text to path through a temporary file in the same directory (made if missing) and
    AnsibleModule.atomic_move; nothing in check mode."""
    if module.check_mode:
        return
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".nfvlab-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    module.atomic_move(tmp, path)
