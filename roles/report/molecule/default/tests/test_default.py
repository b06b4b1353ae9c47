"""The report of a small store, on the controller: every file, the paper's numbers beside the
lab's, the substitutions and the cells that could not run or failed."""

import os

import pytest

STORE = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"), "store")
REPORT = os.path.join(STORE, "report")


@pytest.mark.parametrize("name", ["summary.md", "results.csv", "results.json", "fig2.png", "fig3.png", "fig4.png", "fig5.png",
                                  "fig6.png", "table1.png", "ib.png"])
def test_every_file_of_the_report_is_written(host, name):
    report = host.file(os.path.join(REPORT, name))
    assert report.is_file and report.size > 0


def test_the_summary_states_findings_substitutions_and_what_did_not_run(host):
    summary = host.file(os.path.join(REPORT, "summary.md")).content_string
    assert "| 2 | For light NFs a single-threaded switch" in summary and "**partly reproduced**" in summary
    assert "nf snort-light ran as l2fwd (2 cells)" in summary
    assert "| ovs-kernel+nfq | 176 | 255 | n/a | n/a |" in summary
    assert "- 1 cells (table1): ovs-kernel needs the openvswitch kernel module" in summary
    assert "restarted during the measurement (PID 5451 -> 6001)" in summary


def test_the_csv_has_one_row_per_cell(host):
    rows = host.file(os.path.join(REPORT, "results.csv")).content_string.splitlines()
    assert len(rows) == 1 + 4
    assert rows[0].startswith("experiment,metric,status,platform,nf,runs_platform,runs_nf,engine,ruleset,chain_length,")
    # l2fwd standing in for an IDS NF: no engine, no ruleset
    assert any(row.startswith("fig2,throughput,ok,ovs-dpdk+dpdk,snort-light,ovs-dpdk+dpdk,l2fwd,,,2,") for row in rows)
