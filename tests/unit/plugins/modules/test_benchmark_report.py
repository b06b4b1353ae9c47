"""nfvlab.interconnect.benchmark_report on a small store: every file of the report, the paper's
numbers beside the lab's, verdicts, substitutions, and a second run that changes nothing."""

import os

import pytest
import yaml

from ansible_collections.nfvlab.interconnect.plugins.module_utils.results_store import put_record
from ansible_collections.nfvlab.interconnect.plugins.modules import benchmark_report

from .run_command_cases import call_main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
pytest.importorskip("matplotlib")


def paper():
    with open(os.path.join(ROOT, "roles", "report", "files", "paper_results.yml")) as handle:
        return yaml.safe_load(handle)


def experiments():
    with open(os.path.join(ROOT, "roles", "benchmark", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)["benchmark_experiments"]


def params(**extra):
    base = {"platform": "ovs-dpdk+dpdk", "nf": "snort-light", "chain_length": 1, "replicas": 1, "placement": "none",
            "fabric": "none", "wiring": "single-host", "packet_bytes": 0, "traffic_host": "source"}
    base.update(extra)
    return base


def store(tmp_path):
    path = str(tmp_path / "store")
    records = [
        ("a1", "fig2", "throughput", params(), {"throughput_mbps": 1277.8}),
        ("a2", "fig2", "throughput", params(chain_length=4), {"throughput_mbps": 620.0}),
        ("a3", "fig2", "latency", params(), {"latency_us": {"mean": 920.2, "p50": 918.0, "p99": 1126.0}}),
        ("a4", "fig4", "throughput", params(platform="ovs-dpdk-6+dpdk", nf="l2fwd", chain_length=4, placement="sc",
                                            fabric="vxlan", wiring="multi-host"), {"throughput_mbps": 300.0}),
        ("a5", "fig4", "throughput", params(platform="ovs-dpdk-6+dpdk", nf="l2fwd", chain_length=4, placement="bf",
                                            fabric="vxlan", wiring="multi-host"), {"throughput_mbps": 150.0}),
    ]
    for key, experiment, metric, cell_params, result in records:
        runs = {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}
        put_record(path, {"key": key * 6, "id": "%s %s %s" % (experiment, key, metric), "experiment": experiment, "metric": metric,
                          "params": cell_params, "runs": runs, "status": "ok", "result": result, "profile": "smoke",
                          "recorded_at": "2026-11-26T02:00:00"})
    put_record(path, {"key": "b1" * 12, "id": "table1 ovs-kernel+nfq throughput", "experiment": "table1", "metric": "throughput",
                      "params": params(platform="ovs-kernel+nfq", nf="snort-heavy"), "runs": {"platform": "ovs-kernel+nfq", "nf": "snort-heavy"},
                      "status": "unsupported", "reason": "ovs-kernel needs the openvswitch kernel module", "profile": "smoke"})
    put_record(path, {"key": "c1" * 12, "id": "fig2 c1 latency", "experiment": "fig2", "metric": "latency",
                      "params": params(chain_length=4), "runs": {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}, "status": "failed",
                      "reason": "nf1: ovs-vswitchd.service restarted during the measurement (PID 1 -> 2)", "profile": "smoke"})
    return path


def test_the_report_has_every_file_and_states_the_findings(tmp_path, capsys):
    args = {"path": store(tmp_path), "dest": str(tmp_path / "report"), "paper": paper(), "experiments": experiments(), "lab": "emulated"}
    result = call_main(benchmark_report.main, args, capsys)
    names = sorted(os.path.basename(name) for name in result["files"])
    assert names == ["fig2.png", "fig3.png", "fig4.png", "fig5.png", "fig6.png", "ib.png", "results.csv", "results.json",
                     "summary.md", "table1.png"]
    assert result["changed"] and len(result["changed_files"]) == len(names)
    with open(os.path.join(args["dest"], "fig2.png"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    verdicts = dict((item["finding"], item["verdict"]) for item in result["findings"])
    assert verdicts == {"1": "not testable here", "2": "partly reproduced", "3": "not testable here", "4": "reproduced",
                        "5": "not testable here"}
    summary = open(os.path.join(args["dest"], "summary.md")).read()
    assert "nf snort-light ran as l2fwd (3 cells)" in summary
    assert "veth pairs between podman containers" in summary
    assert "| ovs-dpdk+dpdk | 624 | 76 | n/a | n/a |" in summary  # the paper's table 1 beside this lab's
    assert "ovs-kernel needs the openvswitch kernel module" in summary and "restarted during the measurement" in summary
    csv_text = open(os.path.join(args["dest"], "results.csv")).read().splitlines()
    assert csv_text[0].startswith("experiment,metric,status,platform,nf,runs_platform,runs_nf")
    assert len(csv_text) == 1 + 7
    assert result["counts"] == {"ok": 5, "unsupported": 1, "failed": 1}


def test_a_second_run_changes_nothing_and_check_mode_writes_nothing(tmp_path, capsys):
    args = {"path": store(tmp_path), "dest": str(tmp_path / "report"), "paper": paper(), "experiments": experiments()}
    dry = call_main(benchmark_report.main, args, capsys, check=True)
    assert dry["changed"] and not os.path.exists(args["dest"])
    call_main(benchmark_report.main, args, capsys)
    again = call_main(benchmark_report.main, args, capsys, diff=True)
    assert not again["changed"] and again["changed_files"] == []


def test_an_empty_store_still_reports_what_it_could_not_show(tmp_path, capsys):
    args = {"path": str(tmp_path / "empty"), "dest": str(tmp_path / "report"), "paper": paper(), "experiments": experiments()}
    result = call_main(benchmark_report.main, args, capsys)
    assert all(item["verdict"] == "not testable here" for item in result["findings"])
    assert "Cells: none" in open(result["summary"]).read()
