# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From a placed chain to what each host runs: the NF instances with their switch
ports, and the element lists the ovs_chain module turns into OpenFlow rules.

Single-host wiring: the whole chain on the first NF server, between the ports
facing the source and the sink. Multi-host wiring: the chaining server holds
the source and sink ports and reaches every run of consecutive NFs on one NF
server (a segment) through that server's VXLAN tunnel. The VNI of a tunnel hop
encodes the NF port the packet goes to (or comes from) on the NF server:
vni_base + that port's OpenFlow port number, the same in both directions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

VNI_MIN = 1
VNI_MAX = 16777215
NF_OFPORT_BASE = 1000
NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,5}$")


class ChainPlanError(ValueError):
    pass


def nf_ofports(slot):
    """OpenFlow port numbers of the two ports of the NF in this slot (1-based) of a host."""
    first = NF_OFPORT_BASE + 2 * (int(slot) - 1)
    return first, first + 1


def instance_name(chain, stage, replica, replicas):
    if replicas == 1:
        return "%ss%d" % (chain, stage)
    return "%ss%dr%d" % (chain, stage, replica)


def tunnel_port(peer):
    """Name of the VXLAN port towards a peer host (at most 15 characters)."""
    return ("vx-%s" % peer)[:15]


def _vni(vni_base, ofport, where):
    vni = int(vni_base) + int(ofport)
    if not VNI_MIN <= vni <= VNI_MAX:
        raise ChainPlanError(
            "VNI %d for %s is outside %d..%d: nf_chain_vni_base %s plus the NF port number %d"
            % (vni, where, VNI_MIN, VNI_MAX, vni_base, ofport))
    return vni


def chain_plan(placement, name, replicas, wiring, chain_host, ingress_port, egress_port, vni_base=4096):
    """The per-host plan of one chain.

    placement: the result of chain_placement over length x replicas NF instances
    (stage-major: stage 1 replicas first), or None for a chain of no NFs (the
    switch alone, source port to sink port). chain_host: the host whose switch
    has the source and sink ports (the chaining server, or the first NF server
    in single-host wiring). Returns {name, wiring, stages, replicas,
    traversals, instances: [...], hosts: {host: {instances, elements|segments}}}."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ChainPlanError("nf_chain_name %r must be 1-6 lower-case letters or digits, starting with a letter" % (name,))
    try:
        replicas = int(replicas)
    except (TypeError, ValueError):
        raise ChainPlanError("nf_chain_replicas must be an integer, got %r" % (replicas,))
    if replicas < 1:
        raise ChainPlanError("nf_chain_replicas must be at least 1, got %d" % replicas)
    if wiring not in ("single-host", "multi-host"):
        raise ChainPlanError("wiring %r is not single-host or multi-host" % (wiring,))
    if not isinstance(vni_base, int) or isinstance(vni_base, bool) or vni_base < 0:
        raise ChainPlanError("nf_chain_vni_base must be a non-negative integer, got %r" % (vni_base,))
    hops = (placement or {}).get("hops", [])
    if len(hops) % replicas:
        raise ChainPlanError("%d placed NFs are not a whole number of stages of %d replicas" % (len(hops), replicas))
    stages = len(hops) // replicas

    instances = []
    for hop in hops:
        stage = (hop["index"] - 1) // replicas + 1
        replica = (hop["index"] - 1) % replicas + 1
        p0, p1 = nf_ofports(hop["slot"])
        inst = instance_name(name, stage, replica, replicas)
        instances.append({
            "name": inst, "host": hop["host"], "stage": stage, "replica": replica, "slot": hop["slot"],
            "ports": [{"name": "%s-p0" % inst, "ofport": p0}, {"name": "%s-p1" % inst, "ofport": p1}],
        })
    by_stage = [[i for i in instances if i["stage"] == s] for s in range(1, stages + 1)]

    hosts = {}
    for inst in instances:
        hosts.setdefault(inst["host"], {"instances": [], "segments": []})["instances"].append(inst)

    def nf_element(inst):
        return {"west": inst["ports"][0]["name"], "east": inst["ports"][1]["name"]}

    if wiring == "single-host":
        host = chain_host
        hosts.setdefault(host, {"instances": [], "segments": []})
        elements = [{"east": ingress_port}]
        for group in by_stage:
            if len(group) == 1:
                elements.append(nf_element(group[0]))
            else:
                elements.append({"replicas": [nf_element(i) for i in group]})
        elements.append({"west": egress_port})
        hosts[host]["segments"] = [elements]
        return _result(name, wiring, stages, replicas, placement, instances, hosts)

    # Multi-host: segments = runs of single-replica stages on one host; every
    # replica of a replicated stage is a segment of its own.
    segments = []
    for group in by_stage:
        if len(group) == 1 and segments and not segments[-1]["replicated"] and segments[-1]["host"] == group[0]["host"]:
            segments[-1]["instances"].append(group[0])
            continue
        for inst in group:
            segments.append({"host": inst["host"], "instances": [inst], "replicated": len(group) > 1, "stage": inst["stage"]})

    chain_elements = [{"east": ingress_port}]
    pending_replicas = []
    for index, seg in enumerate(segments):
        first, last = seg["instances"][0], seg["instances"][-1]
        where_in = "the tunnel to %s (%s)" % (first["ports"][0]["name"], seg["host"])
        where_out = "the tunnel from %s (%s)" % (last["ports"][1]["name"], seg["host"])
        vni_in = _vni(vni_base, first["ports"][0]["ofport"], where_in)
        vni_out = _vni(vni_base, last["ports"][1]["ofport"], where_out)
        to_chain = tunnel_port(chain_host)
        nf_elements = [{"east": {"port": to_chain, "tun_id": vni_in}}]
        nf_elements.extend(nf_element(i) for i in seg["instances"])
        nf_elements.append({"west": {"port": to_chain, "tun_id": vni_out}})
        hosts[seg["host"]]["segments"].append(nf_elements)
        to_nf = tunnel_port(seg["host"])
        remote = {"west": {"port": to_nf, "tun_id": vni_in}, "east": {"port": to_nf, "tun_id": vni_out}}
        if seg["replicated"]:
            pending_replicas.append(remote)
            last_of_stage = index + 1 == len(segments) or segments[index + 1]["stage"] != seg["stage"]
            if last_of_stage:
                chain_elements.append({"replicas": pending_replicas})
                pending_replicas = []
        else:
            chain_elements.append(remote)
    chain_elements.append({"west": egress_port})
    hosts.setdefault(chain_host, {"instances": [], "segments": []})["segments"] = [chain_elements]
    return _result(name, wiring, stages, replicas, placement, instances, hosts)


def _result(name, wiring, stages, replicas, placement, instances, hosts):
    return {
        "name": name,
        "wiring": wiring,
        "stages": stages,
        "replicas": replicas,
        "policy": (placement or {}).get("policy"),
        "traversals": (placement or {}).get("traversals", 0) if wiring == "multi-host" else 0,
        "instances": instances,
        "hosts": hosts,
    }


def switch_ports(interfaces, peers, lab="hardware", hw_ports=None, kind="ethernet", ofport_base=1, mtu=None):
    """OVS ports (as the ovs_bridge module takes them) for this host's link ends whose peer
    is one of `peers`: DPDK ports, by PCI address on hardware (the NIC is bound to a DPDK
    driver), or an AF_PACKET virtual device on the interface in the emulated lab."""
    hw_ports = hw_ports or {}
    ports = []
    chosen = [i for i in interfaces if i.get("peer_host") in peers and i.get("kind") == kind]
    for offset, end in enumerate(sorted(chosen, key=lambda i: i["ifname"])):
        if lab == "hardware":
            pci = (hw_ports.get(end["port"]) or {}).get("pci")
            if not pci:
                raise ChainPlanError("nfvlab_hw_ports.%s.pci on %s: unset; the switch port for link %s needs it"
                                     % (end["port"], end["host"], end["link"]))
            devargs = pci
        else:
            devargs = "net_af_packet_%s,iface=%s" % (re.sub(r"[^A-Za-z0-9]", "_", end["ifname"]), end["ifname"])
        port = {
            "name": end["ifname"],
            "type": "dpdk",
            "options": {"dpdk-devargs": devargs},
            "ofport_request": int(ofport_base) + offset,
        }
        if mtu:
            port["mtu_request"] = int(mtu)
        ports.append(port)
    return ports


def onvm_runs(placement, replicas):
    """Which consecutive stages of a placed chain each NF server runs on OpenNetVM.

    An OpenNetVM manager hands every packet arriving on its ports to service 1 and
    balances a service's replicas itself, so each NF server holds at most one run of
    consecutive stages, with every replica of a stage. Returns [{host, stages}] in
    chain order; raises ChainPlanError naming the placement that breaks this."""
    replicas = int(replicas)
    hops = (placement or {}).get("hops", [])
    if replicas < 1 or len(hops) % replicas:
        raise ChainPlanError("%d placed NFs are not a whole number of stages of %d replicas" % (len(hops), replicas))
    stage_hosts = []
    for hop in hops:
        stage = (hop["index"] - 1) // replicas + 1
        if len(stage_hosts) < stage:
            stage_hosts.append([])
        if hop["host"] not in stage_hosts[stage - 1]:
            stage_hosts[stage - 1].append(hop["host"])
    runs = []
    for stage, hosts in enumerate(stage_hosts, 1):
        if len(hosts) > 1:
            raise ChainPlanError(
                "OpenNetVM balances the replicas of a service inside one manager: stage %d has replicas on %s "
                "(placement %s)" % (stage, " and ".join(hosts), (placement or {}).get("policy")))
        if runs and runs[-1]["host"] == hosts[0]:
            runs[-1]["stages"].append(stage)
        else:
            runs.append({"host": hosts[0], "stages": [stage]})
    seen = set()
    for run in runs:
        if run["host"] in seen:
            raise ChainPlanError(
                "OpenNetVM's manager hands every packet from its ports to service 1, so an NF server runs one stretch of "
                "consecutive NFs of a chain; placement %s gives %s stages %s" % (
                    (placement or {}).get("policy"), run["host"],
                    " and ".join(",".join(str(s) for s in r["stages"]) for r in runs if r["host"] == run["host"])))
        seen.add(run["host"])
    return runs


def onvm_chain_plan(placement, name, replicas, wiring, chain_host, ingress_port, egress_port, vni_base=4096,
                    manager_ports=("onvm0", "onvm1")):
    """The per-host plan of a chain on OpenNetVM.

    Each NF server's run of stages (onvm_runs) becomes one element of the switch's
    chain whose two ports are that server's manager ports (its net_tap interfaces,
    manager_ports): the switch steers the traffic into the manager and takes it back,
    over the VXLAN tunnels in multi-host wiring, exactly as for one NF. Inside, the
    run's stages are services 1..k of that manager (service i forwards to i+1, the
    last one out of the manager's second port), each with `replicas` instances.
    Returns chain_plan's result with `onvm`: {host: {stages, services, replicas}},
    and `stages`/`replicas` of the whole chain."""
    if not isinstance(manager_ports, (list, tuple)) or len(manager_ports) != 2 or not all(
            isinstance(port, str) and port for port in manager_ports):
        raise ChainPlanError("the OpenNetVM manager ports must be two interface names (in, out), got %r" % (manager_ports,))
    runs = onvm_runs(placement, replicas) if placement else []
    pseudo = None
    if runs:
        pseudo = {"policy": (placement or {}).get("policy"),
                  "traversals": (placement or {}).get("traversals", 0),
                  "hops": [{"index": index, "host": run["host"], "slot": 1} for index, run in enumerate(runs, 1)]}
    plan = chain_plan(pseudo, name, 1, wiring, chain_host, ingress_port, egress_port, vni_base)
    renames = {}
    for inst in plan["instances"]:
        for port, tap in zip(inst["ports"], manager_ports):
            renames[port["name"]] = tap
            port["name"] = tap

    def rename(value):
        if isinstance(value, dict):
            return dict((key, rename(item)) for key, item in value.items())
        if isinstance(value, list):
            return [rename(item) for item in value]
        return renames.get(value, value) if isinstance(value, str) else value

    for host in plan["hosts"].values():
        host["segments"] = rename(host["segments"])
    plan["stages"] = sum(len(run["stages"]) for run in runs)
    plan["replicas"] = int(replicas)
    plan["onvm"] = dict((run["host"], {"stages": run["stages"], "services": list(range(1, len(run["stages"]) + 1)),
                                       "replicas": int(replicas)}) for run in runs)
    return plan
