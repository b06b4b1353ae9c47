"""The benchmark matrix: platforms, the cells of the paper's experiments (roles/benchmark/defaults),
their keys, validation naming the variable, the deployment groups, what a small lab cannot run,
the plan of a rerun and the harness's speed lines."""

import copy
import os

import pytest
import yaml

from ansible_collections.nfvlab.interconnect.plugins.module_utils import matrix
from ansible_collections.nfvlab.interconnect.plugins.module_utils.matrix import MatrixError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "roles", "benchmark", "defaults", "main.yml")) as _handle:
    DEFAULTS = yaml.safe_load(_handle)
EXPERIMENTS = DEFAULTS["benchmark_experiments"]
MEASUREMENT = DEFAULTS["benchmark_measurement"]
SMOKE = MEASUREMENT["smoke"]
SHA = "a" * 64
OTHER_SHA = "b" * 64

LAB_GROUPS = {"nf_servers": ["nf1", "nf2"], "chaining_servers": ["chain"],
              "traffic_sources": ["source"], "traffic_sinks": ["sink"]}
WIRING = ["single-host", "multi-host"]
HOST = {"cpus": 2, "ovs_dpdk": True, "ovs_kernel_datapath": False, "ovs_pmd_threads": 1, "ovs_kernel": False,
        "ovs_kernel_reason": "no module", "infiniband": [],
        "commands": ["ovs-vsctl", "dpdk-testpmd", "iperf3", "netperf", "netserver", "suricata"]}
# The engine and ruleset labels IDS cells run with (benchmark_ids as the benchmark role renders it).
IDS = {"engine": "suricata", "rulesets": {"snort-light": "light: IP 5-tuple rules from the lab's flows",
                                          "snort-heavy": "heavy: generated, 5000 content rules, seed 17 (not the community rules)"}}
SNORT_IDS = {"engine": "snort", "rulesets": IDS["rulesets"]}
with open(os.path.join(ROOT, "inventories", "emulated", "group_vars", "all.yml")) as _handle:
    EMULATED_STAND_INS = yaml.safe_load(_handle)["benchmark_stand_ins"]


def capabilities(**changes):
    """Every lab host like the 2-CPU emulated host; changes: {host: {capability: value}}."""
    caps = dict((host, copy.deepcopy(HOST)) for host in ("nf1", "nf2", "chain", "source", "sink"))
    for host, change in changes.items():
        caps[host].update(change)
    return caps


def smoke_cells(stand_ins=None, only=None, experiments=None, ids=None):
    return matrix.expand_cells(EXPERIMENTS if experiments is None else experiments, "smoke", SMOKE,
                               stand_ins=stand_ins, only=only, ids=ids)


def cells_of(cells, experiment):
    return [cell for cell in cells if cell["experiment"] == experiment]


def make_cell(metric="throughput", wiring="single-host", engine="suricata", **params):
    """One canonical cell like expand_cells makes; runs as the params say (an IDS NF with ENGINE)."""
    full = dict(matrix.DEFAULTS)
    full.update(params)
    full["wiring"] = wiring
    cell = {"experiment": "custom", "metric": metric, "params": full, "seconds": 3,
            "runs": {"platform": full["platform"], "nf": full["nf"]}}
    if matrix.is_ids(full["nf"]):
        cell["runs"].update(engine=engine, ruleset=IDS["rulesets"][full["nf"]])
    if metric == "throughput":
        cell["flows"] = 10
    else:
        cell["message_bytes"] = 64
    cell["id"] = matrix.cell_id(cell)
    return cell


def one_experiment(**overrides):
    experiment = {"title": "custom", "wiring": "single-host", "axes": {"chain_length": [1, 2]},
                  "fixed": {"nf": "l2fwd"}, "metrics": ["throughput"]}
    experiment.update(overrides)
    return {"custom": experiment}


def validation_error(experiments, profile="smoke"):
    with pytest.raises(MatrixError) as caught:
        matrix.validate_experiments(experiments, profile)
    return str(caught.value)


# parse_platform


def test_parse_platform_ovs_dpdk_with_four_pmd_threads():
    assert matrix.parse_platform("ovs-dpdk-4+dpdk") == {"switch": "ovs-dpdk", "pmd_threads": 4, "capture": "dpdk"}


def test_parse_platform_ovs_dpdk_without_count_has_one_pmd_thread():
    assert matrix.parse_platform("ovs-dpdk+afpk") == {"switch": "ovs-dpdk", "pmd_threads": 1, "capture": "afpk"}


def test_parse_platform_ovs_kernel_has_no_pmd_threads():
    assert matrix.parse_platform("ovs-kernel+nfq") == {"switch": "ovs-kernel", "pmd_threads": 0, "capture": "nfq"}


def test_parse_platform_onvm():
    assert matrix.parse_platform("onvm") == {"switch": "onvm", "pmd_threads": 0, "capture": "onvm"}


@pytest.mark.parametrize("platform", ["ovs-kernel-2+nfq", "ovs-dpdk+xdp", "foo", "ovs-dpdk-0+dpdk", "ovs-dpdk", ""])
def test_parse_platform_rejects_bad_platforms_naming_them(platform):
    with pytest.raises(MatrixError) as caught:
        matrix.parse_platform(platform)
    assert repr(platform) in str(caught.value)


# expand_cells on the paper's experiments


@pytest.mark.parametrize("experiment, count", [
    ("fig2", 2 * 1 * 2 * 2),     # platforms (ovs-dpdk+afpk, onvm) x nf x chain lengths x metrics
    ("table1", 7 * 2),           # platforms x metrics
    ("fig3", 2 * 2),             # platforms (ovs-dpdk+afpk, onvm) x replicas, throughput only
    ("fig4", 1 * 2 * 1),         # nf x placements x chain lengths
    ("ib", 2),                   # packet sizes
    ("fig5", 2 * 2 * 1),         # placements x fabrics x chain lengths, latency only
    ("fig6", 2),                 # replicas
])
def test_smoke_cell_count_per_experiment(experiment, count):
    assert len(cells_of(smoke_cells(), experiment)) == count


def test_smoke_profile_has_36_cells():
    assert len(smoke_cells()) == 36


def test_smoke_profile_runs_fig2_and_fig3_on_ovs_dpdk_and_onvm():
    assert set(cell["params"]["platform"] for cell in cells_of(smoke_cells(), "fig2")) == {"ovs-dpdk+afpk", "onvm"}
    assert set(cell["params"]["platform"] for cell in cells_of(smoke_cells(), "fig3")) == {"ovs-dpdk+afpk", "onvm"}


def test_emulated_fig2_has_five_platforms_two_nfs_six_lengths_two_metrics():
    cells = matrix.expand_cells(EXPERIMENTS, "emulated", MEASUREMENT["emulated"], only=["fig2"])
    assert len(cells) == 5 * 2 * 6 * 2


def test_cells_come_in_experiment_order_then_axes_then_metric():
    cells = smoke_cells()
    assert [cell["experiment"] for cell in cells][0] == "fig2"
    assert [(cell["params"]["platform"], cell["params"]["chain_length"], cell["metric"]) for cell in cells_of(cells, "fig2")] == [
        ("ovs-dpdk+afpk", 1, "throughput"), ("ovs-dpdk+afpk", 1, "latency"), ("ovs-dpdk+afpk", 2, "throughput"),
        ("ovs-dpdk+afpk", 2, "latency"), ("onvm", 1, "throughput"), ("onvm", 1, "latency"), ("onvm", 2, "throughput"),
        ("onvm", 2, "latency")]
    emulated = matrix.expand_cells(EXPERIMENTS, "emulated", MEASUREMENT["emulated"], only=["fig2"])
    picked = [emulated[index] for index in (0, 1, 2, 3, 12, 24)]
    assert [(cell["params"]["platform"], cell["params"]["nf"], cell["params"]["chain_length"], cell["metric"])
            for cell in picked] == [
        ("ovs-kernel+afpk", "snort-light", 1, "throughput"), ("ovs-kernel+afpk", "snort-light", 1, "latency"),
        ("ovs-kernel+afpk", "snort-light", 2, "throughput"), ("ovs-kernel+afpk", "snort-light", 2, "latency"),
        ("ovs-kernel+afpk", "snort-heavy", 1, "throughput"), ("ovs-dpdk+afpk", "snort-light", 1, "throughput")]


def test_only_limits_the_cells_to_the_named_experiments():
    cells = smoke_cells(only=["fig4", "ib"])
    assert sorted(set(cell["experiment"] for cell in cells)) == ["fig4", "ib"]
    assert len(cells) == 4


def test_every_cell_has_every_param_and_the_wiring():
    for cell in smoke_cells():
        assert set(cell["params"]) == set(matrix.PARAMS) | {"wiring"}


def test_cells_take_fixed_values_and_defaults():
    cell = cells_of(smoke_cells(), "table1")[0]
    assert cell["params"] == {"platform": "ovs-kernel+nfq", "nf": "snort-heavy", "chain_length": 1, "replicas": 1,
                              "placement": "none", "fabric": "none", "packet_bytes": 0, "traffic_host": "source",
                              "wiring": "single-host"}


def test_cell_id_names_the_experiment_the_non_default_params_and_the_metric():
    cell = cells_of(smoke_cells(), "fig4")[0]
    assert cell["id"] == "fig4 platform=ovs-dpdk-6+dpdk nf=l2fwd chain_length=4 placement=sc fabric=vxlan throughput"


def test_cell_ids_are_unique():
    ids = [cell["id"] for cell in smoke_cells()]
    assert len(set(ids)) == len(ids)


def test_cells_carry_the_measurement_seconds():
    assert set(cell["seconds"] for cell in smoke_cells()) == {3}


def test_throughput_cells_without_replicas_have_the_measurement_flows():
    cells = [cell for cell in smoke_cells() if cell["metric"] == "throughput" and cell["params"]["replicas"] == 1]
    assert cells
    assert set(cell["flows"] for cell in cells) == {10}
    assert not any("message_bytes" in cell for cell in cells)


def test_load_balancing_cells_have_ten_flows_per_replica():
    two = [cell for cell in cells_of(smoke_cells(), "fig3") if cell["params"]["replicas"] == 2]
    assert len(two) == 2
    assert set(cell["flows"] for cell in two) == {20}
    three = [cell for cell in matrix.expand_cells(EXPERIMENTS, "emulated", MEASUREMENT["emulated"], only=["fig3"])
             if cell["params"]["replicas"] == 3]
    assert len(three) == 5
    assert set(cell["flows"] for cell in three) == {30}


def test_load_balancing_flows_stop_at_127():
    experiments = one_experiment(axes={"replicas": [13]})
    cell = matrix.expand_cells(experiments, "smoke", SMOKE)[0]
    assert cell["flows"] == 127


def test_latency_cells_have_the_message_bytes_and_no_flows():
    cells = [cell for cell in smoke_cells() if cell["metric"] == "latency"]
    assert cells
    assert set(cell["message_bytes"] for cell in cells) == {64}
    assert not any("flows" in cell for cell in cells)


def test_measurement_defaults_when_left_out():
    cells = matrix.expand_cells(one_experiment(metrics=["throughput", "latency"]), "smoke", {})
    assert cells[0]["seconds"] == 10 and cells[0]["flows"] == 10 and cells[1]["message_bytes"] == 64


def test_measurement_below_one_is_refused_naming_the_variable():
    with pytest.raises(MatrixError, match="benchmark_measurement"):
        matrix.expand_cells(one_experiment(), "smoke", dict(SMOKE, seconds=0))


def test_runs_equal_params_without_stand_ins():
    for cell in smoke_cells(ids=IDS):
        expected = {"platform": cell["params"]["platform"], "nf": cell["params"]["nf"]}
        if cell["params"]["nf"] in ("snort-light", "snort-heavy"):
            expected.update(engine="suricata", ruleset=IDS["rulesets"][cell["params"]["nf"]])
        assert cell["runs"] == expected


def test_stand_ins_change_runs_not_params():
    stand_ins = {"fig2": {"nf": {"snort-light": "l2fwd"}}, "fig4": {"platform": {"ovs-dpdk-6+dpdk": "ovs-dpdk+dpdk"}}}
    plain = smoke_cells()
    standing = smoke_cells(stand_ins=stand_ins)
    assert [cell["params"] for cell in standing] == [cell["params"] for cell in plain]
    assert [cell["id"] for cell in standing] == [cell["id"] for cell in plain]
    assert set(cell["runs"]["nf"] for cell in cells_of(standing, "fig2")) == {"l2fwd"}
    assert set(cell["runs"]["platform"] for cell in cells_of(standing, "fig4")) == {"ovs-dpdk+dpdk"}
    assert cells_of(standing, "table1") == cells_of(plain, "table1")


def test_stand_ins_change_the_key():
    stand_ins = {"fig4": {"platform": {"ovs-dpdk-6+dpdk": "ovs-dpdk+dpdk"}}}
    plain = cells_of(smoke_cells(), "fig4")[0]
    standing = cells_of(smoke_cells(stand_ins=stand_ins), "fig4")[0]
    assert matrix.cell_key(plain, SHA) != matrix.cell_key(standing, SHA)


def test_a_bad_stand_in_is_refused_naming_the_variable():
    with pytest.raises(MatrixError, match=r"benchmark_stand_ins\.fig2\.nf"):
        smoke_cells(stand_ins={"fig2": {"nf": {"snort-light": "suricata"}}})


# IDS NF cells: the engine and the ruleset they run with


def test_ids_cells_run_with_the_engine_and_ruleset_others_do_not():
    cells = smoke_cells(ids=IDS)
    ids_cells = [cell for cell in cells if cell["params"]["nf"] in ("snort-light", "snort-heavy")]
    other = [cell for cell in cells if cell["params"]["nf"] == "l2fwd"]
    assert ids_cells and other
    for cell in ids_cells:
        assert cell["runs"]["engine"] == "suricata"
        assert cell["runs"]["ruleset"] == IDS["rulesets"][cell["params"]["nf"]]
    for cell in other:
        assert "engine" not in cell["runs"] and "ruleset" not in cell["runs"]


def test_ids_defaults_to_suricata_with_plain_ruleset_labels():
    runs = cells_of(smoke_cells(), "table1")[0]["runs"]
    assert runs == {"platform": "ovs-kernel+nfq", "nf": "snort-heavy", "engine": "suricata", "ruleset": "heavy"}
    assert cells_of(smoke_cells(), "fig2")[0]["runs"]["ruleset"] == "light"


def test_the_ids_engine_is_part_of_the_key_of_ids_cells_only():
    suricata = smoke_cells(ids=IDS)
    snort = smoke_cells(ids=SNORT_IDS)
    assert [cell["id"] for cell in suricata] == [cell["id"] for cell in snort]
    for one, other in zip(suricata, snort):
        if one["params"]["nf"] == "l2fwd":
            assert matrix.cell_key(one, SHA) == matrix.cell_key(other, SHA)
        else:
            assert other["runs"]["engine"] == "snort"
            assert matrix.cell_key(one, SHA) != matrix.cell_key(other, SHA)


def test_the_ruleset_label_is_part_of_the_key_of_the_cells_running_it():
    community = {"engine": "suricata", "rulesets": dict(IDS["rulesets"], **{
        "snort-heavy": "heavy: Snort community rules, sha256 0123456789abcdef"})}
    plain, changed = smoke_cells(ids=IDS), smoke_cells(ids=community)
    for one, other in zip(plain, changed):
        same = matrix.cell_key(one, SHA) == matrix.cell_key(other, SHA)
        assert same == (one["params"]["nf"] != "snort-heavy"), one["id"]


def test_a_stand_in_for_an_ids_nf_runs_without_an_engine():
    cells = cells_of(smoke_cells(stand_ins={"fig2": {"nf": {"snort-light": "l2fwd"}}}, ids=IDS), "fig2")
    assert cells and all(cell["runs"] == {"platform": cell["params"]["platform"], "nf": "l2fwd"} for cell in cells)


def test_a_stand_in_ids_nf_gets_the_engine_of_what_runs():
    cells = cells_of(smoke_cells(stand_ins={"fig4": {"nf": {"l2fwd": "snort-light"}}}, ids=IDS), "fig4")
    assert cells and all(cell["params"]["nf"] == "l2fwd" for cell in cells)
    assert all(cell["runs"]["engine"] == "suricata" and cell["runs"]["ruleset"] == IDS["rulesets"]["snort-light"]
               for cell in cells)


def test_groups_deploy_names_the_ids_engine():
    deploy = matrix.groups(smoke_cells(only=["fig2"], ids=SNORT_IDS))[0]["deploy"]
    assert deploy["engine"] == "snort" and deploy["ruleset"] == IDS["rulesets"]["snort-light"]
    assert deploy["nf"] == "snort-light" and deploy["capture"] == "afpk"


@pytest.mark.parametrize("ids, message", [
    ({"engine": "zeek", "rulesets": IDS["rulesets"]}, "benchmark_ids.engine: one of snort, suricata, got 'zeek'"),
    ({"rulesets": IDS["rulesets"]}, "benchmark_ids.engine: one of snort, suricata, got None"),
    ("suricata", "benchmark_ids.engine: one of snort, suricata, got 'suricata'"),
    ({"engine": "suricata"}, "benchmark_ids.rulesets.snort-light"),
    ({"engine": "suricata", "rulesets": {"snort-light": "light"}}, "benchmark_ids.rulesets.snort-heavy"),
    ({"engine": "snort", "rulesets": {"snort-light": "", "snort-heavy": "heavy"}}, "benchmark_ids.rulesets.snort-light"),
    ({"engine": "snort", "rulesets": {"snort-light": "light", "snort-heavy": 5}}, "benchmark_ids.rulesets.snort-heavy"),
])
def test_a_bad_ids_is_refused_naming_benchmark_ids(ids, message):
    with pytest.raises(MatrixError) as caught:
        smoke_cells(ids=ids)
    assert message in str(caught.value)


# cell_key


def test_cell_key_is_stable_across_expansions():
    first = [matrix.cell_key(cell, SHA) for cell in smoke_cells()]
    second = [matrix.cell_key(cell, SHA) for cell in smoke_cells()]
    assert first == second
    assert len(set(first)) == len(first)


def test_cell_key_is_24_hex_digits():
    key = matrix.cell_key(smoke_cells()[0], SHA)
    assert len(key) == 24
    int(key, 16)


def test_cell_key_differs_with_the_fingerprint_hash():
    cell = smoke_cells()[0]
    assert matrix.cell_key(cell, SHA) != matrix.cell_key(cell, OTHER_SHA)


def test_cell_key_differs_with_the_seconds():
    short = matrix.expand_cells(EXPERIMENTS, "smoke", SMOKE, only=["ib"])[0]
    longer = matrix.expand_cells(EXPERIMENTS, "smoke", dict(SMOKE, seconds=20), only=["ib"])[0]
    assert short["params"] == longer["params"]
    assert matrix.cell_key(short, SHA) != matrix.cell_key(longer, SHA)


def test_cell_key_ignores_the_id_and_planning_fields():
    cell = smoke_cells()[0]
    assert matrix.cell_key(dict(cell, id="renamed", key="x", reason="y"), SHA) == matrix.cell_key(cell, SHA)


def test_fingerprint_hash_ignores_key_order():
    assert matrix.fingerprint_hash({"nf1": {"a": 1, "b": 2}, "nf2": {}}) == \
        matrix.fingerprint_hash({"nf2": {}, "nf1": {"b": 2, "a": 1}})
    assert matrix.fingerprint_hash({"nf1": {"a": 1}}) != matrix.fingerprint_hash({"nf1": {"a": 2}})


# validate_experiments


def test_the_paper_experiments_are_valid_in_every_profile():
    for profile in matrix.PROFILES:
        matrix.validate_experiments(EXPERIMENTS, profile)


def test_unknown_profile_names_benchmark_profile():
    assert "benchmark_profile='huge'" in validation_error(EXPERIMENTS, "huge")


def test_no_experiments_names_benchmark_experiments():
    assert "benchmark_experiments" in validation_error({})


def test_axis_missing_the_profile_names_the_axis():
    message = validation_error(one_experiment(axes={"chain_length": {"full": [1, 2]}}))
    assert "benchmark_experiments.custom.axes.chain_length has no values for profile smoke (it has full)" in message


def test_empty_axis_names_the_axis():
    assert "benchmark_experiments.custom.axes.chain_length" in validation_error(one_experiment(axes={"chain_length": []}))


def test_unknown_param_names_the_path():
    message = validation_error(one_experiment(fixed={"colour": "red"}))
    assert "benchmark_experiments.custom.fixed.colour: unknown parameter 'colour'" in message


def test_unknown_axis_param_names_the_path():
    assert "benchmark_experiments.custom.axes.colour" in validation_error(one_experiment(axes={"colour": ["red"]}))


def test_bad_value_names_the_path_and_the_value():
    message = validation_error(one_experiment(axes={"nf": ["l2fwd", "suricata"]}, fixed={}))
    assert "benchmark_experiments.custom.axes.nf: nf='suricata'" in message


def test_bad_platform_names_the_path_and_the_platform():
    message = validation_error(one_experiment(fixed={"platform": "ovs-dpdk+xdp"}))
    assert "benchmark_experiments.custom.fixed.platform: platform 'ovs-dpdk+xdp'" in message


@pytest.mark.parametrize("param, value", [("chain_length", 0), ("replicas", "2"), ("replicas", True), ("packet_bytes", -1)])
def test_bad_integer_names_the_path(param, value):
    message = validation_error(one_experiment(axes={}, fixed={param: value}))
    assert "benchmark_experiments.custom.fixed.%s: %s=%r, expected an integer" % (param, param, value) in message


def test_param_both_axis_and_fixed_is_refused():
    message = validation_error(one_experiment(fixed={"chain_length": 1}))
    assert "benchmark_experiments.custom: chain_length both an axis and fixed" in message


def test_bad_metric_names_the_metrics():
    assert "benchmark_experiments.custom.metrics=['bandwidth']" in validation_error(one_experiment(metrics=["bandwidth"]))


def test_metrics_missing_the_profile_are_refused():
    assert "benchmark_experiments.custom.metrics=None" in validation_error(one_experiment(metrics={"full": ["latency"]}))


def test_bad_wiring_names_the_wiring():
    assert "benchmark_experiments.custom.wiring='star'" in validation_error(one_experiment(wiring="star"))


def test_unknown_experiment_key_is_refused():
    assert "benchmark_experiments.custom: unknown keys axis" in validation_error(one_experiment(axis={}))


# groups


def test_groups_put_throughput_and_latency_of_one_deployment_together():
    result = matrix.groups(cells_of(smoke_cells(), "fig2"))
    assert len(result) == 4
    for group in result:
        assert [cell["metric"] for cell in group["cells"]] == ["throughput", "latency"]


def test_groups_keep_first_seen_order():
    result = matrix.groups(matrix.expand_cells(EXPERIMENTS, "emulated", MEASUREMENT["emulated"], only=["fig2"]))
    assert len(result) == 5 * 2 * 6
    assert [(group["deploy"]["platform"], group["deploy"]["nf"], group["deploy"]["chain_length"])
            for group in [result[0], result[1], result[6], result[12]]] == [
        ("ovs-kernel+afpk", "snort-light", 1), ("ovs-kernel+afpk", "snort-light", 2),
        ("ovs-kernel+afpk", "snort-heavy", 1), ("ovs-dpdk+afpk", "snort-light", 1)]
    cells = smoke_cells()
    later, earlier = cells[:2], cells[2:4]
    assert [group["cells"] for group in matrix.groups(earlier + later)] == [earlier, later]


def test_groups_deploy_says_what_runs():
    cells = smoke_cells(stand_ins={"fig4": {"platform": {"ovs-dpdk-6+dpdk": "ovs-dpdk+dpdk"}}}, only=["fig4"])
    deploy = matrix.groups(cells)[0]["deploy"]
    assert deploy == {"wiring": "multi-host", "platform": "ovs-dpdk+dpdk", "nf": "l2fwd", "chain_length": 4,
                      "replicas": 1, "placement": "sc", "fabric": "vxlan", "switch": "ovs-dpdk", "pmd_threads": 1,
                      "capture": "dpdk"}


def test_groups_ignore_packet_size_for_the_deployment():
    assert len(matrix.groups(smoke_cells(only=["ib"]))) == 1


# unsupported_reason


def reason(cell, caps=None, wiring=None):
    return matrix.unsupported_reason(cell, capabilities() if caps is None else caps, LAB_GROUPS,
                                     WIRING if wiring is None else wiring)


def test_runnable_ovs_dpdk_l2fwd_cell_has_no_reason():
    assert reason(make_cell(platform="ovs-dpdk+dpdk", nf="l2fwd")) == ""
    assert reason(make_cell("latency", platform="ovs-dpdk+dpdk", nf="l2fwd")) == ""


def test_runnable_multi_host_vxlan_cell_has_no_reason():
    assert reason(make_cell(wiring="multi-host", chain_length=4, placement="bf", fabric="vxlan")) == ""


ONVM = {"available": True, "reason": "", "version": "v21.10", "services": 16}


def onvm_capabilities(**changes):
    caps = capabilities(nf1={"onvm": ONVM}, nf2={"onvm": ONVM})
    for host, change in changes.items():
        caps[host].update(change)
    return caps


def test_onvm_needs_a_manager_on_the_nf_servers():
    assert reason(make_cell(platform="onvm")) == "OpenNetVM is not available on nf1: no OpenNetVM manager"
    caps = capabilities(nf1={"onvm": {"available": False, "reason": "https://github.com/sdnfv/openNetVM.git is not reachable"}})
    assert reason(make_cell(platform="onvm"), caps) == \
        "OpenNetVM is not available on nf1: https://github.com/sdnfv/openNetVM.git is not reachable"
    # multi-host: every NF server needs one
    caps = onvm_capabilities(nf2={"onvm": {"available": False, "reason": "no manager.json"}})
    assert reason(make_cell(platform="onvm", wiring="multi-host", chain_length=2, placement="sc", fabric="vxlan"), caps) == \
        "OpenNetVM is not available on nf2: no manager.json"


def test_onvm_runs_l2fwd_as_simple_forward():
    assert reason(make_cell(platform="onvm", nf="l2fwd", chain_length=3), onvm_capabilities()) == ""
    assert reason(make_cell(platform="onvm", nf="l2fwd", replicas=3), onvm_capabilities()) == ""
    assert reason(make_cell("latency", platform="onvm", nf="l2fwd", wiring="multi-host", chain_length=2, placement="bf",
                            fabric="vxlan"), onvm_capabilities()) == ""


def test_onvm_has_no_ids_capture():
    got = reason(make_cell(platform="onvm", nf="snort-heavy"), onvm_capabilities())
    assert got.startswith("no IDS engine here captures from OpenNetVM")
    assert "benchmark_stand_ins {custom: {nf: {snort-heavy@onvm: l2fwd}}}" in got


def test_onvm_needs_the_switch_that_bridges_its_ports():
    caps = onvm_capabilities(nf1={"ovs_dpdk": False, "ovs_kernel_datapath": False})
    assert reason(make_cell(platform="onvm"), caps).startswith(
        "the manager's net_tap ports reach the links through Open vSwitch, which is not set up on nf1")


def test_onvm_placement_one_stretch_per_nf_server():
    cell = make_cell(platform="onvm", wiring="multi-host", chain_length=4, placement="bf", fabric="vxlan")
    assert reason(cell, onvm_capabilities()) == (
        "OpenNetVM's manager hands every packet from its ports to service 1, so an NF server runs one stretch of "
        "consecutive NFs of a chain; placement back-and-forth gives nf1 stages 1 and 3")
    cell = make_cell(platform="onvm", wiring="multi-host", chain_length=4, placement="sc", fabric="vxlan")
    assert reason(cell, onvm_capabilities()) == ""
    cell = make_cell(platform="onvm", wiring="multi-host", replicas=2, placement="bf", fabric="vxlan")
    assert reason(cell, onvm_capabilities()) == (
        "OpenNetVM balances the replicas of a service inside one manager: stage 1 has replicas on nf1 and nf2 "
        "(placement back-and-forth)")


def test_platform_qualified_stand_in_applies_on_that_platform_only():
    stand_ins = {"fig3": {"nf": {"snort-heavy@onvm": "l2fwd"}}}
    cells = smoke_cells(stand_ins=stand_ins, only=["fig3"], ids=IDS)
    runs = dict((cell["id"], cell["runs"]) for cell in cells)
    assert runs["fig3 platform=ovs-dpdk+afpk nf=snort-heavy chain_length=1 throughput"]["nf"] == "snort-heavy"
    assert runs["fig3 platform=onvm nf=snort-heavy chain_length=1 throughput"] == {"platform": "onvm", "nf": "l2fwd"}


def test_ovs_kernel_names_the_hosts_reason():
    assert reason(make_cell(platform="ovs-kernel+dpdk")) == "ovs-kernel needs the openvswitch kernel module; nf1: no module"


def test_ovs_kernel_with_module_but_dpdk_datapath_asks_for_dataplane_run():
    caps = capabilities(nf1={"ovs_kernel": True})
    assert reason(make_cell(platform="ovs-kernel+dpdk"), caps).startswith(
        "the switch on nf1 is set up for OVS-DPDK: run playbooks/dataplane.yml with ovs_mode=ovs-kernel")


def test_ovs_dpdk_four_threads_needs_five_cpus():
    text = reason(make_cell(platform="ovs-dpdk-4+dpdk"))
    assert text == ("ovs-dpdk-4+dpdk needs 4 PMD threads on CPUs of their own plus one CPU for everything else; "
                    "nf1 has 2 CPUs")


def test_ovs_dpdk_cpu_shortage_on_multi_host_names_every_short_host():
    text = reason(make_cell(wiring="multi-host", platform="ovs-dpdk-6+dpdk"))
    assert text.endswith("nf1 has 2, nf2 has 2, chain has 2 CPUs")


def test_ovs_dpdk_not_set_up_names_the_host():
    caps = capabilities(nf2={"ovs_dpdk": False})
    text = reason(make_cell(wiring="multi-host"), caps)
    assert text == "the switch on nf2 is not set up for OVS-DPDK: run playbooks/dataplane.yml with ovs_mode=ovs-dpdk for these cells"


def test_single_host_cells_only_look_at_the_first_nf_server():
    caps = capabilities(nf2={"ovs_dpdk": False, "cpus": 1}, chain={"ovs_dpdk": False})
    assert reason(make_cell(), caps) == ""


def test_snort_heavy_with_suricata_installed_is_runnable():
    assert reason(make_cell(nf="snort-heavy")) == ""
    assert reason(make_cell("latency", nf="snort-light")) == ""


def test_an_nf_the_collection_cannot_deploy_is_named():
    cell = make_cell()
    cell["runs"] = {"platform": "ovs-dpdk+dpdk", "nf": "vpp"}
    assert reason(cell) == "vpp: the collection has no deployment of this NF"


def test_afpk_capture_with_l2fwd_needs_an_ids():
    assert reason(make_cell(platform="ovs-dpdk+afpk", nf="l2fwd")) == \
        "l2fwd captures with dpdk only; capture afpk needs an IDS NF"


def test_stand_in_nf_is_what_is_judged():
    cell = make_cell(platform="ovs-dpdk+afpk", nf="snort-light")
    assert reason(cell) == ""
    cell["runs"] = {"platform": "ovs-dpdk+afpk", "nf": "l2fwd"}
    assert reason(cell) == "l2fwd captures with dpdk only; capture afpk needs an IDS NF"
    cell = make_cell(platform="ovs-dpdk+afpk", nf="l2fwd")
    cell["runs"] = {"platform": "ovs-dpdk+afpk", "nf": "snort-light", "engine": "suricata", "ruleset": "light"}
    assert reason(cell) == ""


def test_ib_fabric_needs_an_hca_on_every_chain_host():
    assert reason(make_cell(wiring="multi-host", fabric="ib", placement="bf", chain_length=2)) == \
        "the InfiniBand fabric needs an HCA; none on nf1, nf2, chain"


def test_ib_fabric_with_hcas_is_runnable():
    hca = {"infiniband": ["mlx4_0"]}
    caps = capabilities(nf1=hca, nf2=hca, chain=hca)
    assert reason(make_cell(wiring="multi-host", fabric="ib", placement="bf", chain_length=2), caps) == ""


def test_wiring_not_cabled():
    cell = make_cell(wiring="multi-host", fabric="vxlan")
    assert reason(cell, wiring=["single-host"]) == \
        "the lab is wired single-host, the cell needs multi-host (topology_wiring)"
    assert reason(cell, wiring=[]) == "the lab is wired for nothing, the cell needs multi-host (topology_wiring)"


def test_traffic_from_the_chaining_server_is_not_supported():
    assert reason(make_cell(traffic_host="chain")) == \
        "traffic made on the chaining server (traffic_host=chain) is not supported by the harness"


def test_latency_cell_without_netserver_on_the_sink():
    caps = capabilities(sink={"commands": ["iperf3", "netperf"]})
    assert reason(make_cell("latency"), caps) == "missing traffic tools: netserver on sink"
    assert reason(make_cell("throughput"), caps) == ""


def test_throughput_cell_without_iperf3_on_either_end():
    caps = capabilities(source={"commands": []}, sink={"commands": []})
    assert reason(make_cell(), caps) == "missing traffic tools: iperf3 on source, iperf3 on sink"


def test_missing_host_facts():
    caps = capabilities()
    del caps["nf2"]
    del caps["sink"]
    assert reason(make_cell(wiring="multi-host"), caps) == "no facts from nf2, sink (unreachable?)"


def test_missing_facts_of_an_unused_host_do_not_matter():
    caps = capabilities()
    del caps["nf2"]
    assert reason(make_cell(wiring="single-host"), caps) == ""


@pytest.mark.parametrize("capture", ["nfq", "afpk", "dpdk"])
@pytest.mark.parametrize("nf", ["snort-light", "snort-heavy"])
def test_ids_cell_with_suricata_is_runnable_for_every_capture(nf, capture):
    assert reason(make_cell(platform="ovs-dpdk+" + capture, nf=nf)) == ""
    assert reason(make_cell("latency", platform="ovs-dpdk+" + capture, nf=nf)) == ""


@pytest.mark.parametrize("capture", ["nfq", "afpk"])
def test_ids_cell_behind_ovs_kernel_with_the_kernel_datapath_is_runnable(capture):
    caps = capabilities(nf1={"ovs_kernel": True, "ovs_kernel_datapath": True})
    assert reason(make_cell(platform="ovs-kernel+" + capture, nf="snort-heavy"), caps) == ""


@pytest.mark.parametrize("capture", ["nfq", "afpk"])
def test_ids_cell_with_snort_is_runnable_for_nfq_and_afpk(capture):
    caps = capabilities(nf1={"commands": HOST["commands"] + ["snort"]})
    assert reason(make_cell(platform="ovs-dpdk+" + capture, nf="snort-heavy", engine="snort"), caps) == ""


def test_snort_cannot_capture_with_dpdk_naming_the_daq():
    caps = capabilities(nf1={"commands": HOST["commands"] + ["snort"]})
    text = reason(make_cell(platform="ovs-dpdk+dpdk", nf="snort-light", engine="snort"), caps)
    assert text == ("the IDS engine snort cannot capture with dpdk (it captures with nfq, afpk; "
                    "Snort 2.9's DAQ 2.0.7 has no DPDK module)")


def test_ids_cell_without_an_engine_in_runs_is_judged_as_suricata():
    cell = make_cell(platform="ovs-dpdk+dpdk", nf="snort-light")
    del cell["runs"]["engine"]
    assert reason(cell) == ""
    assert "suricata is not installed on nf1" in reason(cell, capabilities(nf1={"commands": []}))


def test_ids_dpdk_capture_behind_ovs_kernel_is_a_kernel_only_path():
    caps = capabilities(nf1={"ovs_kernel": True, "ovs_kernel_datapath": True})
    assert reason(make_cell(platform="ovs-kernel+dpdk", nf="snort-heavy"), caps) == \
        "capture dpdk needs vhost-user ports, which only OVS-DPDK offers; ovs-kernel is a kernel-only path"


def test_ids_dpdk_capture_behind_ovs_kernel_without_the_module_names_the_module_first():
    assert reason(make_cell(platform="ovs-kernel+dpdk", nf="snort-heavy")) == \
        "ovs-kernel needs the openvswitch kernel module; nf1: no module"


def test_l2fwd_dpdk_capture_behind_ovs_kernel_is_a_kernel_only_path_too():
    caps = capabilities(nf1={"ovs_kernel": True, "ovs_kernel_datapath": True})
    assert "kernel-only path" in reason(make_cell(platform="ovs-kernel+dpdk", nf="l2fwd"), caps)


def test_ids_engine_not_installed_names_the_host_and_dataplane_yml():
    caps = capabilities(nf1={"commands": ["ovs-vsctl", "iperf3", "netperf", "netserver"]})
    assert reason(make_cell(nf="snort-light"), caps) == (
        "the IDS engine suricata is not installed on nf1 (playbooks/dataplane.yml installs it, role ids, "
        "entry point install)")
    assert reason(make_cell(nf="l2fwd"), caps) == ""


def test_ids_engine_installed_but_not_the_one_the_cell_runs():
    caps = capabilities(nf1={"commands": HOST["commands"]})
    assert "the IDS engine snort is not installed on nf1" in \
        reason(make_cell(platform="ovs-dpdk+afpk", nf="snort-heavy", engine="snort"), caps)


def test_ids_engine_missing_on_multi_host_names_every_nf_server_not_the_chaining_server():
    bare = {"commands": ["ovs-vsctl", "iperf3", "netperf", "netserver"]}
    caps = capabilities(nf1=bare, nf2=bare, chain=bare)
    text = reason(make_cell(wiring="multi-host", nf="snort-light", fabric="vxlan", placement="bf", chain_length=2), caps)
    assert text.startswith("the IDS engine suricata is not installed on nf1, nf2 (")
    assert reason(make_cell(wiring="multi-host", nf="snort-light", fabric="vxlan", placement="bf", chain_length=2),
                  capabilities(chain=bare)) == ""


# plan


def plan_of(cells, records, caps=None, force=False):
    return matrix.plan(cells, SHA, records, capabilities() if caps is None else caps, LAB_GROUPS, WIRING, force=force)


def runnable_cells():
    return [make_cell(chain_length=1), make_cell("latency", chain_length=1), make_cell(chain_length=2)]


def key_of(cell):
    return matrix.cell_key(cell, SHA)


def test_plan_runs_everything_without_records():
    cells = runnable_cells()
    result = plan_of(cells, {})
    assert [cell["id"] for cell in result["run"]] == [cell["id"] for cell in cells]
    assert result["done"] == [] and result["unsupported"] == [] and result["failed_before"] == []
    assert [cell["key"] for cell in result["run"]] == [key_of(cell) for cell in cells]


def test_plan_groups_the_cells_to_run():
    result = plan_of(runnable_cells(), {})
    assert [len(group["cells"]) for group in result["groups"]] == [2, 1]


def test_plan_does_not_change_the_cells_given():
    cells = runnable_cells()
    before = copy.deepcopy(cells)
    plan_of(cells, {})
    assert cells == before


def test_plan_ok_record_is_done():
    cells = runnable_cells()
    result = plan_of(cells, {key_of(cells[0]): {"status": "ok"}})
    assert [cell["id"] for cell in result["done"]] == [cells[0]["id"]]
    assert len(result["run"]) == 2


def test_plan_failed_record_runs_again_and_is_listed():
    cells = runnable_cells()
    result = plan_of(cells, {key_of(cells[1]): {"status": "failed"}})
    assert result["failed_before"] == [key_of(cells[1])]
    assert cells[1]["id"] in [cell["id"] for cell in result["run"]]
    assert result["done"] == []


def test_plan_unsupported_with_the_same_reason_is_done():
    cell = make_cell(platform="onvm")
    record = {"status": "unsupported", "reason": "OpenNetVM is not available on nf1: no OpenNetVM manager"}
    result = plan_of([cell], {key_of(cell): record})
    assert [item["id"] for item in result["done"]] == [cell["id"]]
    assert result["done"][0]["reason"] == record["reason"]
    assert result["unsupported"] == [] and result["run"] == []


def test_plan_unsupported_with_another_reason_is_unsupported_again():
    cell = make_cell(platform="onvm")
    result = plan_of([cell], {key_of(cell): {"status": "unsupported", "reason": "an older wording"}})
    assert [item["id"] for item in result["unsupported"]] == [cell["id"]]
    assert result["unsupported"][0]["reason"] == "OpenNetVM is not available on nf1: no OpenNetVM manager"
    assert result["done"] == []


def test_plan_keeps_a_result_measured_under_the_same_key_even_if_the_lab_cannot_run_it_now():
    cell = make_cell(platform="onvm")
    result = plan_of([cell], {key_of(cell): {"status": "ok"}})
    assert [item["id"] for item in result["done"]] == [cell["id"]] and result["unsupported"] == [] and result["run"] == []


def test_plan_force_runs_ok_cells_again():
    cells = runnable_cells()
    records = dict((key_of(cell), {"status": "ok"}) for cell in cells)
    assert len(plan_of(cells, records)["done"]) == 3
    result = plan_of(cells, records, force=True)
    assert len(result["run"]) == 3 and result["done"] == []


def test_plan_force_keeps_unchanged_unsupported_cells_done():
    cell = make_cell(platform="onvm")
    record = {"status": "unsupported", "reason": "OpenNetVM is not available on nf1: no OpenNetVM manager"}
    assert len(plan_of([cell], {key_of(cell): record}, force=True)["done"]) == 1


def test_the_emulated_inventory_stands_l2fwd_in_for_an_ids_on_onvm_only():
    assert EMULATED_STAND_INS == {"fig2": {"nf": {"snort-light@onvm": "l2fwd", "snort-heavy@onvm": "l2fwd"}},
                                  "fig3": {"nf": {"snort-heavy@onvm": "l2fwd"}},
                                  "fig4": {"platform": {"ovs-dpdk-6+dpdk": "ovs-dpdk+dpdk"}},
                                  "fig5": {"nf": {"snort-heavy@onvm": "l2fwd"}}}


def test_plan_of_the_smoke_matrix_on_the_emulated_host():
    cells = smoke_cells(stand_ins=EMULATED_STAND_INS, ids=IDS)
    result = plan_of(cells, {})
    assert sorted(cell["id"] for cell in result["run"]) == sorted([
        "fig2 platform=ovs-dpdk+afpk nf=snort-light chain_length=1 throughput",
        "fig2 platform=ovs-dpdk+afpk nf=snort-light chain_length=1 latency",
        "fig2 platform=ovs-dpdk+afpk nf=snort-light chain_length=2 throughput",
        "fig2 platform=ovs-dpdk+afpk nf=snort-light chain_length=2 latency",
        "table1 platform=ovs-dpdk+nfq nf=snort-heavy chain_length=1 throughput",
        "table1 platform=ovs-dpdk+nfq nf=snort-heavy chain_length=1 latency",
        "table1 platform=ovs-dpdk+afpk nf=snort-heavy chain_length=1 throughput",
        "table1 platform=ovs-dpdk+afpk nf=snort-heavy chain_length=1 latency",
        "table1 platform=ovs-dpdk+dpdk nf=snort-heavy chain_length=1 throughput",
        "table1 platform=ovs-dpdk+dpdk nf=snort-heavy chain_length=1 latency",
        "fig3 platform=ovs-dpdk+afpk nf=snort-heavy chain_length=1 throughput",
        "fig3 platform=ovs-dpdk+afpk nf=snort-heavy chain_length=1 replicas=2 throughput",
        "fig4 platform=ovs-dpdk-6+dpdk nf=l2fwd chain_length=4 placement=sc fabric=vxlan throughput",
        "fig4 platform=ovs-dpdk-6+dpdk nf=l2fwd chain_length=4 placement=bf fabric=vxlan throughput",
    ])
    # table1's three ovs-kernel platforms (no openvswitch module); no OpenNetVM manager: fig2's and fig3's onvm
    # cells, table1's onvm, ib, fig5, fig6
    assert len(result["unsupported"]) == 3 * 2 + 4 + 2 + 2 + 2 + 4 + 2
    reasons = set(cell["reason"] for cell in result["unsupported"])
    assert reasons == {"ovs-kernel needs the openvswitch kernel module; nf1: no module",
                       "OpenNetVM is not available on nf1: no OpenNetVM manager",
                       "OpenNetVM is not available on nf1: no OpenNetVM manager; nf2: no OpenNetVM manager"}
    ids_runs = [cell["runs"] for cell in result["run"] if cell["experiment"] != "fig4"]
    assert set((run["engine"], run["ruleset"]) for run in ids_runs) == {
        ("suricata", IDS["rulesets"]["snort-light"]), ("suricata", IDS["rulesets"]["snort-heavy"])}


def test_plan_of_the_smoke_matrix_without_the_engine_installed_leaves_the_ids_cells_out():
    caps = capabilities(nf1={"commands": ["ovs-vsctl", "dpdk-testpmd"]})
    result = plan_of(smoke_cells(stand_ins=EMULATED_STAND_INS, ids=IDS), {}, caps)
    assert [cell["experiment"] for cell in result["run"]] == ["fig4", "fig4"]
    assert len([cell for cell in result["unsupported"] if "the IDS engine suricata is not installed on nf1" in cell["reason"]]) == 12


# speed


def summary(**changes):
    out = {"profile": "smoke", "seconds": 10, "cells": 54, "measured": 0, "failed": 0, "skipped": 6, "unsupported": 0}
    out.update(changes)
    return out


def test_speed_first_line_summarises_the_run():
    lines = matrix.speed(summary(measured=6, skipped=0, unsupported=48, seconds=300), [])
    assert lines == ["smoke profile: 300 s; 54 cells: 6 measured (0 failed), 0 recorded before, 48 newly unsupported"]


def test_speed_overhead_lines():
    timing = [{"id": "cell a", "measure_s": 10, "deploy_s": 2, "cell_s": 11},
              {"id": "cell b", "measure_s": 10, "deploy_s": 0, "cell_s": 11}]
    lines = matrix.speed(summary(measured=2, cells_timing=timing), [])
    assert lines[1] == ("orchestration overhead per cell: mean 20 %, max 30 % (cell a: 13.0 s for 10.0 s of traffic); "
                        "target <= 25 %")
    # cell a: 3 s beyond the traffic (2 s its share of the deployment, 1 s its own steps); cell b: 1 s, its own steps
    assert lines[2].startswith("of which the chain deployments (shared by the cells measured on them): mean 10 %;")
    assert lines[2].endswith("mean 10 %")
    assert len(lines) == 3


def test_speed_ignores_cells_without_a_measurement():
    lines = matrix.speed(summary(measured=1, cells_timing=[{"id": "x", "measure_s": 0, "cell_s": 5}]), [])
    assert len(lines) == 1


def test_speed_rerun_line_against_the_run_that_measured():
    runs = [{"profile": "smoke", "measured": 6, "seconds": 200},
            {"profile": "emulated", "measured": 10, "seconds": 900},
            {"profile": "smoke", "measured": 0, "seconds": 12}]
    lines = matrix.speed(summary(measured=0, seconds=10), runs)
    assert lines[-1] == "rerun: 10 s, 5.0 % of the 200 s run that measured the cells (target <= 10 %)"


def test_speed_rerun_without_an_earlier_measuring_run():
    runs = [{"profile": "emulated", "measured": 10, "seconds": 900}]
    lines = matrix.speed(summary(measured=0), runs)
    assert lines[-1] == "rerun: nothing measured, and no earlier run of this profile measured anything"


def test_speed_no_rerun_line_when_cells_were_measured():
    runs = [{"profile": "smoke", "measured": 6, "seconds": 200}]
    assert not any(line.startswith("rerun") for line in matrix.speed(summary(measured=3), runs))
