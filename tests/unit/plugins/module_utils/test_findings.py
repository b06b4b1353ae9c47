"""From records to report rows and the verdicts on the paper's five findings, on worked examples
(table1's own numbers for finding 1), the newest ok record of a cell, and the substitutions."""

import hashlib

from ansible_collections.nfvlab.interconnect.plugins.module_utils import findings

EXPERIMENT_DEFAULTS = {
    "table1": {"nf": "snort-heavy", "wiring": "single-host"},
    "fig2": {"nf": "snort-light", "wiring": "single-host"},
    "fig3": {"nf": "snort-heavy", "wiring": "single-host"},
    "fig4": {"platform": "ovs-dpdk-6+dpdk", "nf": "l2fwd", "fabric": "vxlan", "wiring": "multi-host"},
    "fig5": {"platform": "onvm", "nf": "snort-heavy", "chain_length": 2, "wiring": "multi-host"},
}


def record(experiment, metric="throughput", value=None, status="ok", reason="", runs=None, key=None,
           recorded_at="2024-05-01T10:00:00+00:00", **params):
    """A stored record like benchmark_record writes; value is Mb/s or the mean latency in us."""
    full = {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd", "chain_length": 1, "replicas": 1, "placement": "none",
            "fabric": "none", "wiring": "single-host", "packet_bytes": 0}
    full.update(EXPERIMENT_DEFAULTS.get(experiment, {}))
    full.update(params)
    cell_id = " ".join([experiment] + ["%s=%s" % item for item in sorted(params.items())] + [metric])
    result = {}
    if status == "ok" and value is not None:
        if metric == "throughput":
            result = {"throughput_mbps": value}
        else:
            result = {"latency_us": {"mean": value, "p50": value - 1, "p99": value * 2}}
    digest = hashlib.sha256(("%s %s %s" % (cell_id, status, recorded_at)).encode("utf-8")).hexdigest()[:24]
    return {"key": key or digest, "id": cell_id,
            "experiment": experiment, "metric": metric, "status": status, "reason": reason, "params": full,
            "runs": runs or {"platform": full["platform"], "nf": full["nf"]}, "result": result, "profile": "smoke",
            "recorded_at": recorded_at}


def rows(*records):
    return [findings.row(item) for item in records]


def verdict(judge, *records):
    return judge(rows(*records))


# row


def test_row_of_a_throughput_record():
    item = record("fig2", value=624.0, platform="ovs-dpdk+dpdk", chain_length=3,
                  runs={"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}, key="ab" * 12)
    out = findings.row(item)
    assert set(out) == set(findings.COLUMNS)
    assert out["experiment"] == "fig2" and out["metric"] == "throughput" and out["status"] == "ok"
    assert out["platform"] == "ovs-dpdk+dpdk" and out["nf"] == "snort-light"
    assert out["runs_platform"] == "ovs-dpdk+dpdk" and out["runs_nf"] == "l2fwd"
    assert out["chain_length"] == 3 and out["wiring"] == "single-host" and out["packet_bytes"] == 0
    assert out["throughput_mbps"] == 624.0
    assert out["latency_mean_us"] is None and out["latency_p50_us"] is None and out["latency_p99_us"] is None
    assert out["reason"] == "" and out["key"] == "ab" * 12 and out["id"] == item["id"]


def test_row_of_a_latency_record():
    out = findings.row(record("table1", "latency", 76.0, platform="ovs-dpdk+dpdk"))
    assert (out["latency_mean_us"], out["latency_p50_us"], out["latency_p99_us"]) == (76.0, 75.0, 152.0)
    assert out["throughput_mbps"] is None
    assert findings.value(out) == 76.0


def test_row_of_an_unsupported_record_keeps_its_reason():
    out = findings.row(record("table1", status="unsupported", reason="no module", platform="ovs-kernel+nfq"))
    assert out["status"] == "unsupported" and out["reason"] == "no module"
    assert out["throughput_mbps"] is None


def test_row_of_an_empty_record():
    out = findings.row({})
    assert out["reason"] == "" and out["experiment"] is None and out["throughput_mbps"] is None


# latest


def test_latest_prefers_the_newest_ok_record_over_a_newer_failed_one():
    ok = record("fig2", value=600.0, key="a" * 24, recorded_at="2024-05-01T10:00:00+00:00")
    newer_ok = record("fig2", value=610.0, key="b" * 24, recorded_at="2024-05-02T10:00:00+00:00")
    failed = record("fig2", status="failed", reason="restart", key="c" * 24, recorded_at="2024-05-03T10:00:00+00:00")
    chosen = findings.latest({item["key"]: item for item in (ok, failed, newer_ok)})
    assert len(chosen) == 1
    assert chosen[0]["key"] == "b" * 24


def test_latest_takes_the_newest_of_any_status_without_an_ok_one():
    old = record("fig2", status="failed", reason="old", key="a" * 24, recorded_at="2024-05-01T10:00:00+00:00")
    new = record("fig2", status="unsupported", reason="new", key="b" * 24, recorded_at="2024-05-02T10:00:00+00:00")
    assert [item["reason"] for item in findings.latest({"a" * 24: old, "b" * 24: new})] == ["new"]


def test_latest_gives_one_record_per_cell_id_sorted_by_id():
    one = record("fig2", value=1.0, chain_length=2)
    two = record("fig2", value=1.0, chain_length=1)
    chosen = findings.latest({"k1": one, "k2": two})
    assert [item["id"] for item in chosen] == sorted([one["id"], two["id"]])


def test_latest_fills_a_missing_key_from_the_store_key():
    item = record("fig2", value=1.0)
    del item["key"]
    assert findings.latest({"d" * 24: item})[0]["key"] == "d" * 24


# finding 1: kernel bypass


def table1(fast_tp, slow_tp, fast_lat=None, slow_lat=None):
    out = [record("table1", value=fast_tp, platform="ovs-dpdk+dpdk"),
           record("table1", value=slow_tp, platform="ovs-kernel+nfq")]
    if fast_lat is not None:
        out += [record("table1", "latency", fast_lat, platform="ovs-dpdk+dpdk"),
                record("table1", "latency", slow_lat, platform="ovs-kernel+nfq")]
    return out


def test_finding_1_reproduced_with_the_papers_numbers():
    out = verdict(findings.finding_bypass, *table1(624.0, 176.0, 76.0, 255.0))
    assert out["verdict"] == "reproduced"
    assert "throughput ovs-dpdk+dpdk / ovs-kernel+nfq = 3.55x (paper 3.25x)" in out["evidence"]
    assert "latency kernel / bypass = 3.36x (paper 2.3x)" in out["evidence"]


def test_finding_1_not_reproduced_with_equal_numbers():
    out = verdict(findings.finding_bypass, *table1(500.0, 500.0, 100.0, 100.0))
    assert out["verdict"] == "not reproduced"
    assert "= 1.00x" in out["evidence"]


def test_finding_1_not_reproduced_when_only_latency_fails():
    assert verdict(findings.finding_bypass, *table1(624.0, 176.0, 100.0, 110.0))["verdict"] == "not reproduced"


def test_finding_1_on_throughput_alone_when_latency_is_missing():
    out = verdict(findings.finding_bypass, *table1(624.0, 176.0))
    assert out["verdict"] == "reproduced"
    assert "latency" not in out["evidence"].split(";")[0]


def test_finding_1_not_testable_with_only_unsupported_cells():
    out = verdict(findings.finding_bypass,
                  record("table1", status="unsupported", platform="ovs-dpdk+dpdk",
                         reason="snort-heavy: the collection has no IDS NF (Snort or Suricata) deployment yet"),
                  record("table1", status="unsupported", platform="ovs-kernel+nfq",
                         reason="ovs-kernel needs the openvswitch kernel module; nf1: no module"))
    assert out["verdict"] == "not testable here"
    assert "snort-heavy: the collection has no IDS NF (Snort or Suricata) deployment yet" in out["evidence"]
    assert "ovs-kernel needs the openvswitch kernel module; nf1: no module" in out["evidence"]


def test_finding_1_not_testable_without_any_cells():
    out = findings.finding_bypass([])
    assert out == {"verdict": "not testable here",
                   "evidence": "needs table1's ovs-kernel+nfq (or at least ovs-dpdk+nfq) and ovs-dpdk+dpdk cells: "
                               "no cells of table1 measured"}


def test_finding_1_on_the_capture_side_alone_without_the_kernel_datapath():
    rows = [findings.row(record("table1", "throughput", 1155.0, platform="ovs-dpdk+dpdk")),
            findings.row(record("table1", "throughput", 455.0, platform="ovs-dpdk+nfq")),
            findings.row(record("table1", "latency", 757.0, platform="ovs-dpdk+dpdk")),
            findings.row(record("table1", "latency", 484.0, platform="ovs-dpdk+nfq")),
            findings.row(record("table1", status="unsupported", reason="ovs-kernel needs the openvswitch kernel module",
                                platform="ovs-kernel+nfq"))]
    out = findings.finding_bypass(rows)
    assert out["verdict"] == "not reproduced"  # 2.54x throughput, but latency 0.64x
    assert "without the kernel datapath (ovs-kernel needs the openvswitch kernel module)" in out["evidence"]
    assert "ovs-dpdk+dpdk / ovs-dpdk+nfq = 2.54x throughput, latency nfq / dpdk = 0.64x" in out["evidence"]
    faster = [item for item in rows if item["metric"] == "throughput"] + [
        findings.row(record("table1", "latency", 300.0, platform="ovs-dpdk+dpdk")),
        findings.row(record("table1", "latency", 484.0, platform="ovs-dpdk+nfq"))]
    assert findings.finding_bypass(faster)["verdict"] == "partly reproduced"


def test_failed_cells_do_not_count():
    out = verdict(findings.finding_bypass, record("table1", value=624.0, platform="ovs-dpdk+dpdk"),
                  record("table1", status="failed", reason="restart", platform="ovs-kernel+nfq"))
    assert out["verdict"] == "not testable here"


# finding 2: the switch as the bottleneck


def fig2(platform, *throughputs):
    return [record("fig2", value=mbps, platform=platform, chain_length=length)
            for length, mbps in enumerate(throughputs, start=1)]


def test_finding_2_partly_reproduced_when_one_thread_falls_and_four_threads_are_missing():
    out = verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+dpdk", 1000.0, 700.0))
    assert out["verdict"] == "partly reproduced"
    assert "ovs-dpdk+dpdk (1 PMD thread): 1000 Mb/s at 1 NFs -> 700 Mb/s at 2 NFs (-30 %)" in out["evidence"]
    assert "ovs-dpdk-4 not measured (no cells)" in out["evidence"]


def test_finding_2_names_why_four_threads_were_not_measured():
    unsupported = record("fig2", status="unsupported", platform="ovs-dpdk-4+dpdk", chain_length=1,
                         reason="ovs-dpdk-4+dpdk needs 4 PMD threads on CPUs of their own plus one CPU for everything "
                                "else; nf1 has 2 CPUs")
    out = verdict(findings.finding_switch_bottleneck, *(fig2("ovs-dpdk+dpdk", 1000.0, 700.0) + [unsupported]))
    assert out["verdict"] == "partly reproduced"
    assert "nf1 has 2 CPUs" in out["evidence"]


def test_finding_2_reproduced_when_four_threads_stay_flat():
    items = fig2("ovs-dpdk+dpdk", 1000.0, 700.0, 400.0) + fig2("ovs-dpdk-4+dpdk", 1000.0, 950.0, 900.0)
    out = verdict(findings.finding_switch_bottleneck, *items)
    assert out["verdict"] == "reproduced"
    assert "ovs-dpdk-4: 1000 -> 900 Mb/s" in out["evidence"]


def test_finding_2_not_reproduced_when_four_threads_fall_too():
    items = fig2("ovs-dpdk+dpdk", 1000.0, 400.0) + fig2("ovs-dpdk-4+dpdk", 1000.0, 500.0)
    assert verdict(findings.finding_switch_bottleneck, *items)["verdict"] == "not reproduced"


def test_finding_2_not_reproduced_when_one_thread_is_flat():
    assert verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+dpdk", 1000.0, 900.0))["verdict"] == \
        "not reproduced"
    items = fig2("ovs-dpdk+dpdk", 1000.0, 900.0) + fig2("ovs-dpdk-4+dpdk", 1000.0, 1000.0)
    assert verdict(findings.finding_switch_bottleneck, *items)["verdict"] == "not reproduced"


def test_finding_2_twenty_percent_is_the_edge_of_falling():
    assert verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+dpdk", 1000.0, 800.0))["verdict"] == \
        "not reproduced"
    assert verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+dpdk", 1000.0, 799.0))["verdict"] == \
        "partly reproduced"


def test_finding_2_only_counts_light_nf_chains():
    heavy = [record("fig2", value=mbps, platform="ovs-dpdk+dpdk", nf="snort-heavy", chain_length=length)
             for length, mbps in ((1, 1000.0), (2, 500.0))]
    assert verdict(findings.finding_switch_bottleneck, *heavy)["verdict"] == "not testable here"


def test_finding_2_not_testable_with_one_chain_length():
    out = verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+dpdk", 1000.0))
    assert out["verdict"] == "not testable here"


# finding 3: load balancing


def fig3(platform, points):
    return [record("fig3", value=mbps, platform=platform, replicas=replicas) for replicas, mbps in points]


def test_finding_3_reproduced_when_linear():
    out = verdict(findings.finding_load_balancing, *fig3("ovs-dpdk+dpdk", [(1, 500.0), (2, 950.0), (4, 1900.0)]))
    assert out["verdict"] == "reproduced"
    assert out["evidence"].startswith("ovs-dpdk+dpdk: 500 Mb/s with 1 replicas -> 1900 Mb/s with 4 (95 % of linear;")


def test_finding_3_not_reproduced_when_far_from_linear():
    out = verdict(findings.finding_load_balancing, *fig3("ovs-dpdk+dpdk", [(1, 500.0), (4, 700.0)]))
    assert out["verdict"] == "not reproduced"
    assert "(35 % of linear;" in out["evidence"]


def test_finding_3_uses_another_platform_when_ovs_dpdk_is_missing():
    out = verdict(findings.finding_load_balancing, *fig3("onvm", [(1, 500.0), (2, 1000.0)]))
    assert out["verdict"] == "reproduced" and out["evidence"].startswith("onvm:")


def test_finding_3_not_testable_with_one_replica_count():
    assert verdict(findings.finding_load_balancing, *fig3("ovs-dpdk+dpdk", [(1, 500.0)]))["verdict"] == \
        "not testable here"


# finding 4: placement


def fig4(length, sc, bf, nf="l2fwd"):
    return [record("fig4", value=sc, nf=nf, placement="sc", chain_length=length),
            record("fig4", value=bf, nf=nf, placement="bf", chain_length=length)]


def test_finding_4_reproduced_when_bf_is_well_below_sc():
    out = verdict(findings.finding_placement, *fig4(4, 1000.0, 600.0))
    assert out["verdict"] == "reproduced"
    assert out["evidence"].startswith(
        "l2fwd, 4 NFs: shortcut 1000 Mb/s, back-and-forth 600 Mb/s (bf/sc 0.60; the fabric is crossed 8 times by bf, "
        "4 by sc)")


def test_finding_4_not_reproduced_when_equal():
    out = verdict(findings.finding_placement, *fig4(4, 1000.0, 1000.0))
    assert out["verdict"] == "not reproduced"
    assert "crossed 8 times by bf, 4 by sc" in out["evidence"]


def test_finding_4_judges_the_longest_chain_and_scales_bf_by_traversals():
    out = verdict(findings.finding_placement, *(fig4(2, 1000.0, 1000.0) + fig4(4, 1000.0, 500.0)))
    assert out["verdict"] == "reproduced"
    assert out["evidence"].startswith("l2fwd, 4 NFs:")
    assert "bf x traversals: 2 NFs 4000, 4 NFs 4000" in out["evidence"]


def test_finding_4_needs_a_chain_of_two_or_more():
    assert verdict(findings.finding_placement, *fig4(1, 1000.0, 500.0))["verdict"] == "not testable here"


def test_finding_4_needs_both_placements_at_one_length():
    items = [record("fig4", value=1000.0, placement="sc", chain_length=4),
             record("fig4", value=500.0, placement="bf", chain_length=2)]
    assert verdict(findings.finding_placement, *items)["verdict"] == "not testable here"


def test_traversals_from_the_placement_plugin():
    assert [findings.traversals(n, "bf") for n in (1, 2, 4, 6)] == [2, 4, 8, 12]
    assert [findings.traversals(n, "sc") for n in (1, 2, 4, 6)] == [2, 4, 4, 4]


# finding 5: fabric


def fig5(fabric, latency, chain_length=2, placement="bf", status="ok", reason=""):
    return record("fig5", "latency", latency, status=status, reason=reason, fabric=fabric, placement=placement,
                  chain_length=chain_length)


def test_finding_5_not_testable_without_ib_cells():
    ib_reason = "the OpenNetVM platform is not provided by this collection yet"
    out = verdict(findings.finding_fabric, fig5("vxlan", 100.0), fig5("ib", None, status="unsupported", reason=ib_reason))
    assert out["verdict"] == "not testable here"
    assert out["evidence"] == "needs fig5's bf cells over VXLAN and over InfiniBand at one chain length: " + ib_reason


def test_finding_5_reproduced_when_ib_is_lower():
    out = verdict(findings.finding_fabric, fig5("vxlan", 100.0), fig5("ib", 75.0))
    assert out["verdict"] == "reproduced"
    assert out["evidence"].startswith("bf, 2 NFs: latency over IB 75 us vs VXLAN 100 us: 25 % lower")


def test_finding_5_not_reproduced_when_ib_is_no_lower():
    assert verdict(findings.finding_fabric, fig5("vxlan", 100.0), fig5("ib", 95.0))["verdict"] == "not reproduced"


def test_finding_5_ignores_shortcut_cells():
    assert verdict(findings.finding_fabric, fig5("vxlan", 100.0, placement="sc"),
                   fig5("ib", 50.0, placement="sc"))["verdict"] == "not testable here"


def test_finding_5_compares_ib_and_vxlan_at_the_same_chain_length():
    items = [fig5("vxlan", 100.0, chain_length=2), fig5("vxlan", 200.0, chain_length=4),
             fig5("ib", 100.0, chain_length=2), fig5("ib", None, chain_length=4, status="failed", reason="restart")]
    # At the only length measured over both fabrics (2 NFs) IB is no faster than VXLAN.
    assert verdict(findings.finding_fabric, *items)["verdict"] == "not reproduced"


# all findings, substitutions


def test_findings_lists_the_five_findings_in_order():
    out = findings.findings(rows(*table1(624.0, 176.0, 76.0, 255.0)))
    assert [item["finding"] for item in out] == ["1", "2", "3", "4", "5"]
    assert [item["verdict"] for item in out] == ["reproduced"] + ["not testable here"] * 4
    assert all(set(item) == {"finding", "claim", "verdict", "evidence"} for item in out)


def test_substitutions_count_cells_whose_runs_differ_from_params():
    light = {"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}
    items = rows(
        record("fig2", value=1.0, chain_length=1, runs=light),
        record("fig2", value=1.0, chain_length=2, runs=light),
        record("fig4", value=1.0, placement="sc", chain_length=4, runs={"platform": "ovs-dpdk+dpdk", "nf": "l2fwd"}),
        record("fig2", value=1.0, chain_length=3, platform="ovs-dpdk-4+dpdk",
               runs={"platform": "ovs-dpdk-4+dpdk", "nf": "snort-light"}),
        record("fig2", status="failed", reason="restart", chain_length=5, runs=light),
    )
    assert findings.substitutions(items) == ["nf snort-light ran as l2fwd (2 cells)",
                                             "platform ovs-dpdk-6+dpdk ran as ovs-dpdk+dpdk (1 cells)"]


def test_substitutions_none_when_runs_match():
    assert findings.substitutions(rows(*table1(624.0, 176.0))) == []


def test_finding_2_uses_the_af_packet_chains_of_the_same_one_pmd_switch_without_dpdk_ones():
    out = verdict(findings.finding_switch_bottleneck, *fig2("ovs-dpdk+afpk", 600.0, 420.0))
    assert out["verdict"] == "partly reproduced"
    assert out["evidence"].startswith("ovs-dpdk+afpk (1 PMD thread): 600 Mb/s at 1 NFs -> 420 Mb/s at 2 NFs (-30 %)")
