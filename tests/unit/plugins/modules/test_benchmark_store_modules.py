"""The results store's modules: benchmark_record (cell, fingerprint and run records; check mode;
diff; nothing measured is lost) and benchmark_results_info (statuses, broken files)."""

import json
import os

from ansible_collections.nfvlab.interconnect.plugins.modules import benchmark_record, benchmark_results_info

from .run_command_cases import call_main

KEY = "5f0c2a9e41d7b3c86e1f0a2b"


def cell(status="ok", **extra):
    record = {"key": KEY, "id": "fig2 platform=ovs-dpdk+dpdk nf=l2fwd chain_length=1 throughput", "status": status,
              "result": {"throughput_mbps": 941.2}, "recorded_at": "2026-11-26T02:00:00", "timing": {"cell_s": 4.1}}
    record.update(extra)
    return record


def test_a_cell_record_is_written_once_and_a_rerun_changes_nothing(tmp_path, capsys):
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell()}, capsys)
    assert result["changed"] and result["path"] == str(tmp_path / "cells" / (KEY + ".json"))
    assert json.loads((tmp_path / "cells" / (KEY + ".json")).read_text())["result"] == {"throughput_mbps": 941.2}
    again = cell(recorded_at="2026-11-26T03:00:00", timing={"cell_s": 5.0})
    assert not call_main(benchmark_record.main, {"path": str(tmp_path), "record": again}, capsys)["changed"]


def test_check_mode_writes_nothing_and_diff_shows_the_record(tmp_path, capsys):
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell()}, capsys, check=True, diff=True)
    assert result["changed"] and '"throughput_mbps": 941.2' in result["diff"]["after"]
    assert not (tmp_path / "cells").exists()


def test_a_failed_attempt_never_replaces_a_result(tmp_path, capsys):
    call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell()}, capsys)
    failed = cell("failed", reason="nf1: ovs-vswitchd.service restarted during the measurement (PID 1 -> 2)", result={})
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": failed}, capsys)
    assert result["changed"] and result["previous_status"] == "ok"
    assert json.loads((tmp_path / "cells" / (KEY + ".json")).read_text())["status"] == "ok"
    assert json.loads((tmp_path / "history" / (KEY + ".1.json")).read_text())["status"] == "failed"


def test_a_new_result_keeps_the_old_one_in_history(tmp_path, capsys):
    call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell()}, capsys)
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell(result={"throughput_mbps": 990.0})}, capsys)
    assert result["history"] == str(tmp_path / "history" / (KEY + ".1.json"))
    assert json.loads((tmp_path / "history" / (KEY + ".1.json")).read_text())["result"] == {"throughput_mbps": 941.2}


def test_bad_records_are_refused(tmp_path, capsys):
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": {"key": KEY}}, capsys)
    assert result["failed"] and "needs status" in result["msg"]
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell("done")}, capsys)
    assert result["failed"] and "status 'done'" in result["msg"]
    result = call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell(key="../../etc/passwd")}, capsys)
    assert result["failed"] and "not a hex digest" in result["msg"]
    assert not os.listdir(str(tmp_path))


def test_fingerprint_and_run_records(tmp_path, capsys):
    fp = {"path": str(tmp_path), "kind": "fingerprint", "record": {"sha256": "ab" * 32, "fingerprint": {"nf1": {"cpus": [0, 1]}}}}
    assert call_main(benchmark_record.main, fp, capsys)["changed"]
    assert not call_main(benchmark_record.main, fp, capsys)["changed"]
    run = {"path": str(tmp_path), "kind": "run", "record": {"started": "1795659313.62", "profile": "smoke", "measured": 6, "seconds": 235.0}}
    assert call_main(benchmark_record.main, run, capsys)["changed"]
    info = call_main(benchmark_results_info.main, {"path": str(tmp_path)}, capsys)
    assert info["runs"] == [run["record"]]


def test_info_lists_statuses_and_broken_files(tmp_path, capsys):
    assert call_main(benchmark_results_info.main, {"path": str(tmp_path / "none")}, capsys)["records"] == {}
    call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell()}, capsys)
    other = "0c9d7a11e5f2b3a4c6d8e0f1"
    call_main(benchmark_record.main, {"path": str(tmp_path), "record": cell("unsupported", key=other, id="ib", reason="no HCA")}, capsys)
    (tmp_path / "cells" / "deadbeefdeadbeef.json").write_text("{half a rec")
    info = call_main(benchmark_results_info.main, {"path": str(tmp_path)}, capsys, check=True)
    assert info["records"][KEY] == {"status": "ok", "id": cell()["id"], "reason": None}
    assert info["records"][other]["reason"] == "no HCA"
    assert info["counts"] == {"ok": 1, "unsupported": 1}
    assert len(info["broken"]) == 1 and "deadbeefdeadbeef.json" in info["broken"][0]
    full = call_main(benchmark_results_info.main, {"path": str(tmp_path), "full": True}, capsys)
    assert full["records"][KEY]["result"] == {"throughput_mbps": 941.2}
