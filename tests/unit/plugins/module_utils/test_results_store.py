"""The results store: one JSON file per cell written atomically, replaced records kept under
history/, an ok result never replaced by a failed attempt, check mode, broken files listed,
fingerprints written once, run bookkeeping, and a write killed at the rename."""

import json
import os

import pytest

from ansible_collections.nfvlab.interconnect.plugins.module_utils import results_store
from ansible_collections.nfvlab.interconnect.plugins.module_utils.results_store import StoreError

KEY = "0123456789abcdef01234567"
OTHER_KEY = "fedcba9876543210fedcba98"


def record(status="ok", key=KEY, **changes):
    out = {"key": key, "id": "fig2 platform=ovs-dpdk+dpdk nf=l2fwd chain_length=1 throughput", "experiment": "fig2",
           "metric": "throughput", "status": status, "params": {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"},
           "runs": {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}, "result": {"throughput_mbps": 624.0},
           "reason": "", "recorded_at": "2024-05-01T10:00:00+00:00",
           "timing": {"deploy_s": 1.0, "measure_s": 3.0, "cell_s": 4.0}}
    if status != "ok":
        out["result"] = {}
        out["reason"] = "nf1: ovs-vswitchd.service restarted during the measurement (PID 1 -> 2)"
    out.update(changes)
    return out


def files(root):
    """Every file under root, relative, sorted (temporary files included)."""
    found = []
    for directory, _dirs, names in os.walk(str(root)):
        for name in names:
            found.append(os.path.relpath(os.path.join(directory, name), str(root)))
    return sorted(found)


def read(path):
    with open(str(path)) as handle:
        return json.load(handle)


# put_record


def test_first_record_is_written_to_cells(tmp_path):
    changed, previous, history = results_store.put_record(str(tmp_path), record())
    assert (changed, previous, history) == (True, None, None)
    assert read(tmp_path / "cells" / (KEY + ".json")) == record()


def test_record_file_is_sorted_indented_json_with_a_newline(tmp_path):
    results_store.put_record(str(tmp_path), record())
    text = (tmp_path / "cells" / (KEY + ".json")).read_text()
    assert text == json.dumps(record(), sort_keys=True, indent=1) + "\n"


def test_writing_leaves_no_temporary_files(tmp_path):
    results_store.put_record(str(tmp_path), record())
    results_store.put_record(str(tmp_path), record(result={"throughput_mbps": 700.0}))
    assert files(tmp_path) == ["cells/%s.json" % KEY, "history/%s.1.json" % KEY]


def test_same_record_with_other_times_changes_nothing(tmp_path):
    results_store.put_record(str(tmp_path), record())
    again = record(recorded_at="2024-05-02T11:00:00+00:00", timing={"deploy_s": 9.0, "measure_s": 3.0, "cell_s": 12.0})
    changed, previous, history = results_store.put_record(str(tmp_path), again)
    assert changed is False
    assert previous == record()
    assert history is None
    assert read(tmp_path / "cells" / (KEY + ".json")) == record()
    assert not (tmp_path / "history").exists()


def test_a_new_ok_record_replaces_and_keeps_the_old_in_history(tmp_path):
    first = record()
    second = record(result={"throughput_mbps": 700.0})
    results_store.put_record(str(tmp_path), first)
    changed, previous, history = results_store.put_record(str(tmp_path), second)
    assert changed is True
    assert previous == first
    assert history == os.path.join(str(tmp_path), "history", KEY + ".1.json")
    assert read(tmp_path / "cells" / (KEY + ".json")) == second
    assert read(history) == first


def test_history_numbers_count_up(tmp_path):
    store = str(tmp_path)
    for mbps in (600.0, 610.0, 620.0):
        results_store.put_record(store, record(result={"throughput_mbps": mbps}))
    assert read(tmp_path / "history" / (KEY + ".1.json"))["result"] == {"throughput_mbps": 600.0}
    assert read(tmp_path / "history" / (KEY + ".2.json"))["result"] == {"throughput_mbps": 610.0}
    assert read(tmp_path / "cells" / (KEY + ".json"))["result"] == {"throughput_mbps": 620.0}


def test_a_failed_record_never_replaces_an_ok_one(tmp_path):
    ok, failed = record(), record("failed")
    results_store.put_record(str(tmp_path), ok)
    changed, previous, history = results_store.put_record(str(tmp_path), failed)
    assert changed is True
    assert previous == ok
    assert history == os.path.join(str(tmp_path), "history", KEY + ".1.json")
    assert read(tmp_path / "cells" / (KEY + ".json")) == ok
    assert read(history) == failed


def test_an_unsupported_record_never_replaces_an_ok_one(tmp_path):
    results_store.put_record(str(tmp_path), record())
    results_store.put_record(str(tmp_path), record("unsupported", reason="the OpenNetVM platform is not provided"))
    assert read(tmp_path / "cells" / (KEY + ".json"))["status"] == "ok"
    assert read(tmp_path / "history" / (KEY + ".1.json"))["status"] == "unsupported"


def test_an_ok_record_replaces_a_failed_one(tmp_path):
    failed, ok = record("failed"), record()
    results_store.put_record(str(tmp_path), failed)
    changed, previous, history = results_store.put_record(str(tmp_path), ok)
    assert changed is True and previous == failed
    assert read(tmp_path / "cells" / (KEY + ".json")) == ok
    assert read(history) == failed


def test_records_of_other_keys_are_separate_files(tmp_path):
    results_store.put_record(str(tmp_path), record())
    results_store.put_record(str(tmp_path), record(key=OTHER_KEY))
    assert files(tmp_path) == ["cells/%s.json" % KEY, "cells/%s.json" % OTHER_KEY]


@pytest.mark.parametrize("status", [None, "", "OK", "skipped"])
def test_bad_status_is_refused(tmp_path, status):
    with pytest.raises(StoreError, match="record status"):
        results_store.put_record(str(tmp_path), dict(record(), status=status))
    assert files(tmp_path) == []


@pytest.mark.parametrize("key", [None, "", "abc", "0123456789ABCDEF", "../../etc/passwd", "0123456789abcdeg", "a" * 65])
def test_key_that_is_not_hex_is_refused(tmp_path, key):
    with pytest.raises(StoreError, match="not a hex digest"):
        results_store.put_record(str(tmp_path), record(key=key))
    assert files(tmp_path) == []


def test_check_mode_writes_nothing_for_a_new_record(tmp_path):
    changed, previous, history = results_store.put_record(str(tmp_path), record(), check_mode=True)
    assert (changed, previous, history) == (True, None, None)
    assert files(tmp_path) == []


def test_check_mode_writes_nothing_for_a_replacement(tmp_path):
    results_store.put_record(str(tmp_path), record())
    changed, previous, history = results_store.put_record(str(tmp_path), record(result={"throughput_mbps": 1.0}),
                                                          check_mode=True)
    assert changed is True and previous == record()
    assert history == os.path.join(str(tmp_path), "history", KEY + ".1.json")
    assert files(tmp_path) == ["cells/%s.json" % KEY]
    assert read(tmp_path / "cells" / (KEY + ".json")) == record()


def test_check_mode_writes_nothing_for_a_failed_attempt(tmp_path):
    results_store.put_record(str(tmp_path), record())
    changed, _previous, _history = results_store.put_record(str(tmp_path), record("failed"), check_mode=True)
    assert changed is True
    assert files(tmp_path) == ["cells/%s.json" % KEY]


def test_an_unreadable_stored_record_is_replaced_and_kept_in_history(tmp_path):
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / (KEY + ".json")).write_text("{not json")
    changed, previous, history = results_store.put_record(str(tmp_path), record())
    assert (changed, previous) == (True, None)
    assert history == str(tmp_path / "history" / (KEY + ".unreadable.json"))
    assert (tmp_path / "history" / (KEY + ".unreadable.json")).read_text() == "{not json"
    assert read(tmp_path / "cells" / (KEY + ".json")) == record()


def test_records_are_readable_by_all(tmp_path):
    results_store.put_record(str(tmp_path), record())
    assert os.stat(str(tmp_path / "cells" / (KEY + ".json"))).st_mode & 0o777 == 0o644


# load_records


def test_load_records_of_a_missing_store(tmp_path):
    assert results_store.load_records(str(tmp_path / "nothing")) == ({}, [])


def test_load_records_by_key(tmp_path):
    results_store.put_record(str(tmp_path), record())
    results_store.put_record(str(tmp_path), record("failed", key=OTHER_KEY))
    records, broken = results_store.load_records(str(tmp_path))
    assert broken == []
    assert records == {KEY: record(), OTHER_KEY: record("failed", key=OTHER_KEY)}


def test_load_records_lists_broken_files(tmp_path):
    results_store.put_record(str(tmp_path), record())
    bad = tmp_path / "cells" / (OTHER_KEY + ".json")
    bad.write_text('{"key": "half a rec')
    records, broken = results_store.load_records(str(tmp_path))
    assert list(records) == [KEY]
    assert len(broken) == 1
    assert broken[0].startswith(str(bad) + ": ")


def test_load_records_skips_hidden_and_other_files(tmp_path):
    results_store.put_record(str(tmp_path), record())
    (tmp_path / "cells" / (".%s.json.abc.tmp" % OTHER_KEY)).write_text("{")
    (tmp_path / "cells" / ".hidden.json").write_text("{")
    (tmp_path / "cells" / "notes.txt").write_text("x")
    records, broken = results_store.load_records(str(tmp_path))
    assert list(records) == [KEY]
    assert broken == []


def test_load_records_ignores_history(tmp_path):
    results_store.put_record(str(tmp_path), record())
    results_store.put_record(str(tmp_path), record("failed"))
    records, _broken = results_store.load_records(str(tmp_path))
    assert records == {KEY: record()}


# fingerprints


def test_put_fingerprint_writes_once(tmp_path):
    sha = "c" * 64
    assert results_store.put_fingerprint(str(tmp_path), sha, {"nf1": {"kernel": "6.1"}}) is True
    assert results_store.put_fingerprint(str(tmp_path), sha, {"nf1": {"kernel": "6.8"}}) is False
    assert read(tmp_path / "fingerprints" / (sha + ".json")) == {"nf1": {"kernel": "6.1"}}


def test_put_fingerprint_check_mode_writes_nothing(tmp_path):
    assert results_store.put_fingerprint(str(tmp_path), "c" * 64, {}, check_mode=True) is True
    assert files(tmp_path) == []


def test_put_fingerprint_refuses_a_non_hex_hash(tmp_path):
    with pytest.raises(StoreError, match="not a hex digest"):
        results_store.put_fingerprint(str(tmp_path), "../x", {})
    assert files(tmp_path) == []


# runs


def test_put_run_and_load_runs_round_trip(tmp_path):
    first = {"started": "2024-05-01T10:00:00+00:00", "profile": "smoke", "measured": 6, "seconds": 200}
    second = {"started": "2024-05-02T10:00:00+00:00", "profile": "smoke", "measured": 0, "seconds": 10}
    assert results_store.put_run(str(tmp_path), second) is True
    assert results_store.put_run(str(tmp_path), first) is True
    assert results_store.load_runs(str(tmp_path)) == [first, second]
    assert files(tmp_path) == ["runs/20240501T1000000000.json", "runs/20240502T1000000000.json"]


def test_put_run_again_changes_nothing(tmp_path):
    run = {"started": "2024-05-01T10:00:00Z", "measured": 1}
    results_store.put_run(str(tmp_path), run)
    assert results_store.put_run(str(tmp_path), run) is False
    assert results_store.put_run(str(tmp_path), dict(run, measured=2)) is True
    assert results_store.load_runs(str(tmp_path)) == [dict(run, measured=2)]


def test_put_run_needs_its_start(tmp_path):
    for run in ({}, {"started": ""}, {"started": "::--"}):
        with pytest.raises(StoreError, match="started"):
            results_store.put_run(str(tmp_path), run)


def test_put_run_check_mode_writes_nothing(tmp_path):
    assert results_store.put_run(str(tmp_path), {"started": "1"}, check_mode=True) is True
    assert files(tmp_path) == []


def test_load_runs_of_a_missing_store_and_broken_runs(tmp_path):
    assert results_store.load_runs(str(tmp_path)) == []
    results_store.put_run(str(tmp_path), {"started": "1"})
    (tmp_path / "runs" / "2.json").write_text("{")
    assert results_store.load_runs(str(tmp_path)) == [{"started": "1"}]


# atomic_write


def test_atomic_write_creates_the_directory(tmp_path):
    target = tmp_path / "a" / "b" / "file.json"
    results_store.atomic_write(str(target), "text\n")
    assert target.read_text() == "text\n"
    assert files(tmp_path) == ["a/b/file.json"]


def test_atomic_write_killed_at_the_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "cells" / (KEY + ".json")
    results_store.put_record(str(tmp_path), record())
    old = target.read_text()

    def crash(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(results_store.os, "rename", crash)
    with pytest.raises(OSError):
        results_store.atomic_write(str(target), "partial")
    assert target.read_text() == old
    assert files(tmp_path) == ["cells/%s.json" % KEY]


def test_put_record_killed_at_the_rename_keeps_the_old_record(tmp_path, monkeypatch):
    results_store.put_record(str(tmp_path), record())

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results_store.os, "rename", crash)
    with pytest.raises(OSError):
        results_store.put_record(str(tmp_path), record(result={"throughput_mbps": 1.0}))
    assert read(tmp_path / "cells" / (KEY + ".json")) == record()
    assert not any(name.endswith(".tmp") for name in files(tmp_path))


def test_atomic_write_killed_before_the_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "file.json"
    target.write_text("old\n")

    def crash(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(results_store.os, "fsync", crash)
    with pytest.raises(OSError):
        results_store.atomic_write(str(target), "new\n")
    assert target.read_text() == "old\n"
    assert files(tmp_path) == ["file.json"]
