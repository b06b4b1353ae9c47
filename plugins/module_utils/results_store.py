# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results store: a directory on the controller, one JSON file per cell.

    <store>/cells/<key>.json          the cell's record (status ok | failed | unsupported)
    <store>/history/<key>.<n>.json    a record that a later one replaced (never deleted)
    <store>/fingerprints/<sha>.json   the environment a key was measured in
    <store>/runs/<started>.json       one line of bookkeeping per run that measured something

Every file is written to a temporary name in its directory, flushed to disk, then
renamed over the target: a reader (or a run killed half-way) sees the old record or
the new one, never a part of one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import re
import tempfile

STATUSES = ("ok", "failed", "unsupported")
_KEY = re.compile(r"^[0-9a-f]{8,64}$")


class StoreError(Exception):
    pass


def _ensure_dir(path):
    try:
        os.makedirs(path)
    except OSError as exc:
        if exc.errno != errno.EEXIST or not os.path.isdir(path):
            raise StoreError("cannot create %s: %s" % (path, exc))


def atomic_write(path, text):
    """Write text to path through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(path) or "."
    _ensure_dir(directory)
    handle, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a record is not a secret
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def dump(record):
    return json.dumps(record, sort_keys=True, indent=1) + "\n"


def cell_path(store, key):
    if not _KEY.match(str(key)):
        raise StoreError("record key %r is not a hex digest" % (key,))
    return os.path.join(store, "cells", key + ".json")


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def load_records(store):
    """{key: record} of every readable cell record; unreadable files are listed, not guessed at."""
    records, broken = {}, []
    directory = os.path.join(store, "cells")
    if not os.path.isdir(directory):
        return records, broken
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json") or name.startswith("."):
            continue
        path = os.path.join(directory, name)
        try:
            record = read_json(path)
        except (OSError, ValueError) as exc:
            broken.append("%s: %s" % (path, exc))
            continue
        records[name[:-len(".json")]] = record
    return records, broken


def load_runs(store):
    directory = os.path.join(store, "runs")
    if not os.path.isdir(directory):
        return []
    runs = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json") and not name.startswith("."):
            try:
                runs.append(read_json(os.path.join(directory, name)))
            except (OSError, ValueError):
                continue
    return runs


def _comparable(record):
    """A record without its bookkeeping times: two of these equal means nothing new was measured."""
    return dict((key, value) for key, value in record.items() if key not in ("recorded_at", "timing"))


def put_record(store, record, check_mode=False):
    """Store one cell record. Returns (changed, previous record or None, history path or None).

    A record equal to the stored one (apart from its times) changes nothing. A stored ok
    record is never replaced by a failed or unsupported one (that one goes to history/ instead),
    and a replaced record is kept under history/."""
    if record.get("status") not in STATUSES:
        raise StoreError("record status %r, expected one of %s" % (record.get("status"), ", ".join(STATUSES)))
    path = cell_path(store, record.get("key"))
    previous = None
    unreadable = None
    if os.path.exists(path):
        try:
            previous = read_json(path)
        except ValueError:
            with open(path) as handle:
                unreadable = handle.read()
    if previous is not None and _comparable(previous) == _comparable(record):
        return False, previous, None
    history = None
    if previous is not None:
        n = 1
        while True:
            history = os.path.join(store, "history", "%s.%d.json" % (record["key"], n))
            if not os.path.exists(history):
                break
            n += 1
    if previous is not None and previous.get("status") == "ok" and record["status"] != "ok":
        # The measured result stays; the failed attempt is kept beside it as evidence.
        if not check_mode:
            atomic_write(history, dump(record))
        return True, previous, history
    if unreadable is not None:  # kept as it was, for whoever wants to look at it
        history = os.path.join(store, "history", "%s.unreadable.json" % record["key"])
        if not check_mode:
            atomic_write(history, unreadable)
    if not check_mode:
        if history and previous is not None:
            atomic_write(history, dump(previous))
        atomic_write(path, dump(record))
    return True, previous, history


def put_fingerprint(store, sha, fingerprint, check_mode=False):
    path = os.path.join(store, "fingerprints", "%s.json" % sha)
    if not _KEY.match(sha):
        raise StoreError("fingerprint hash %r is not a hex digest" % (sha,))
    if os.path.exists(path):
        return False
    if not check_mode:
        atomic_write(path, dump(fingerprint))
    return True


def put_run(store, run, check_mode=False):
    stamp = re.sub(r"[^0-9A-Za-z]", "", str(run.get("started", "")))
    if not stamp:
        raise StoreError("a run record needs its start time (started)")
    path = os.path.join(store, "runs", stamp + ".json")
    if os.path.exists(path) and read_json(path) == run:
        return False
    if not check_mode:
        atomic_write(path, dump(run))
    return True
