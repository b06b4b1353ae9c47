# -*- coding: utf-8 -*-
# Copyright: nfvlab.interconnect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IDS network functions (Snort 2.9 or Suricata 7) inline between two ports: what each engine can
capture with, the rulesets (Light from the lab's flows, Heavy generated or the community rules),
each instance's engine configuration and systemd unit, and the health read back from the engine.

Everything here is pure (text in, text out) so that the module and the tests share it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import re

ENGINES = ("suricata", "snort")
CAPTURES = ("nfq", "afpacket", "dpdk")
WEIGHTS = ("light", "heavy")
SWITCHES = ("ovs-dpdk", "ovs-kernel")
# What each engine can capture with (Snort 2.9's DAQ 2.0.7 has no DPDK module).
ENGINE_CAPTURES = {"suricata": ("afpacket", "nfq", "dpdk"), "snort": ("afpacket", "nfq")}
# Port kinds the switch sees: kernel interfaces (veth) or vhost-user sockets.
CAPTURE_PORTS = {"afpacket": "veth", "nfq": "veth", "dpdk": "vhostuser"}
NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_ADDRESS_RE = re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(/[0-9]{1,2})?$")
CANARY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
# sids: 9100000+ for the collection's own rules (Snort's local range starts at 1000000).
SID_CANARY = 9100000
SID_LIGHT = 9100100
SID_HEAVY = 9200000
# Characters of generated contents: printable, none that Snort/Suricata rule syntax treats specially.
_CONTENT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+@#%&*~"


class IdsError(Exception):
    pass


def capture_problem(engine, capture, switch=None):
    """Why ENGINE cannot capture with CAPTURE behind SWITCH, or '' when it can."""
    if engine not in ENGINES:
        return "engine %r is not one of %s" % (engine, ", ".join(ENGINES))
    if capture not in CAPTURES:
        return "capture %r is not one of %s" % (capture, ", ".join(CAPTURES))
    if capture not in ENGINE_CAPTURES[engine]:
        return ("engine %s cannot capture with %s: it captures with %s (Snort 2.9's DAQ 2.0.7 has no DPDK module)"
                % (engine, capture, ", ".join(ENGINE_CAPTURES[engine])))
    if switch is not None and switch not in SWITCHES:
        return "switch %r is not one of %s" % (switch, ", ".join(SWITCHES))
    if switch == "ovs-kernel" and CAPTURE_PORTS[capture] == "vhostuser":
        return ("capture %s needs vhost-user ports, which only OVS-DPDK's userspace datapath offers; the switch is "
                "ovs-kernel, a kernel-only path (use afpacket or nfq there)" % capture)
    return ""


def instance_ports(name, capture, socket_dir):
    """The two ports of instance NAME as the switch attaches them.

    veth: the switch's ends <name>-p0/-p1 (the NF's ends <name>-n0/-n1 are in its sandbox);
    vhostuser: the NF's vhost-user server sockets, the switch connects as a client."""
    ports = []
    for index in (0, 1):
        port = {"instance": name, "port": "%s-p%d" % (name, index)}
        if CAPTURE_PORTS[capture] == "veth":
            port.update(type="system", nf_interface="%s-n%d" % (name, index))
        else:
            port.update(type="dpdkvhostuserclient", socket="%s/%s-p%d.sock" % (socket_dir.rstrip("/"), name, index))
        ports.append(port)
    return ports


# ---------------------------------------------------------------------------------------------- rules

def canary_rule(canary):
    """One content rule that fires on a packet carrying CANARY (the health check's crafted packet)."""
    return ('alert udp any any -> any any (msg:"nfvlab canary %s"; content:"%s"; sid:%d; rev:1;)'
            % (canary, canary, SID_CANARY))


def light_rules(flows, canary):
    """Light: a few IP 5-tuple rules, one per lab flow (firing once per connection, on its SYN), and the canary.

    flows: [{name, proto (tcp|udp), src, dst, dport}]; src/dst an address or CIDR, dport a port."""
    lines = ["# nfvlab Light ruleset: IP 5-tuple rules generated from the lab's flows (%d) and the canary" % len(flows),
             canary_rule(canary)]
    for index, flow in enumerate(flows):
        where = "light_flows[%d]" % index
        for key in ("name", "src", "dst", "dport"):
            if key not in flow or flow[key] in (None, ""):
                raise IdsError("%s has no %s" % (where, key))
        proto = flow.get("proto", "tcp")
        if proto not in ("tcp", "udp"):
            raise IdsError("%s.proto %r is not tcp or udp" % (where, proto))
        for key in ("src", "dst"):
            if not _ADDRESS_RE.match(str(flow[key])):
                raise IdsError("%s.%s %r is not an IPv4 address or CIDR" % (where, key, flow[key]))
        if not str(flow["dport"]).isdigit() or not 0 < int(flow["dport"]) < 65536:
            raise IdsError("%s.dport %r is not a port number" % (where, flow["dport"]))
        if not re.match(r"^[A-Za-z0-9 _.:-]+$", str(flow["name"])):
            raise IdsError("%s.name %r: letters, digits, spaces and _.:- only" % (where, flow["name"]))
        match = "flow:to_server; flags:S;" if proto == "tcp" else "flow:to_server;"
        lines.append('alert %s %s any -> %s %s (msg:"nfvlab light %s opened"; %s sid:%d; rev:1;)'
                     % (proto, flow["src"], flow["dst"], int(flow["dport"]), flow["name"], match, SID_LIGHT + index))
    return "\n".join(lines) + "\n"


def generated_heavy_rules(count, seed, canary):
    """Heavy, generated: COUNT content-matching rules on established TCP payload, deterministic for SEED.

    Labelled in its first line as generated, never as the Snort community rules."""
    if not 1 <= int(count) <= 100000:
        raise IdsError("heavy_rule_count %r must be between 1 and 100000" % (count,))
    rng = random.Random("nfvlab-ids-heavy-%d" % int(seed))
    lines = ["# nfvlab GENERATED Heavy ruleset: %d content rules, seed %d (not the Snort community rules)"
             % (int(count), int(seed)), canary_rule(canary)]
    seen = set()
    for index in range(int(count)):
        while True:
            content = "".join(rng.choice(_CONTENT_CHARS) for _position in range(rng.randint(8, 16)))
            if content not in seen:
                seen.add(content)
                break
        lines.append('alert tcp any any -> any any (msg:"nfvlab generated heavy %d"; flow:established; content:"%s"; '
                     'sid:%d; rev:1;)' % (index + 1, content, SID_HEAVY + index))
    return "\n".join(lines) + "\n"


def ruleset_label(weight, heavy_rules_file, count, seed, flows):
    """How records and reports name the ruleset."""
    if weight == "light":
        return "light: %d 5-tuple rules from the lab's flows" % len(flows)
    if heavy_rules_file:
        return "heavy: community rules (%s)" % heavy_rules_file
    return "heavy: generated, %d content rules, seed %d (not the community rules)" % (int(count), int(seed))


# ---------------------------------------------------------------------------------------------- suricata

def _yaml(value):
    return json.dumps(value)


def suricata_config(inst, settings, rules_path, log_dir):
    """suricata.yaml of one instance.

    inst: {name, capture, queue}; settings: {home_net, worker_cpus, management_cpus, hugepage_dir, memory_mb,
    mbufs, socket_dir, queue_size, stats_interval}."""
    name, capture = inst["name"], inst["capture"]
    out = [
        "%YAML 1.1",
        "---",
        "# nfvlab.interconnect ids_nf: Suricata instance %s, capture %s (written by the module; do not edit)" % (name, capture),
        "vars:",
        "  address-groups:",
        "    HOME_NET: %s" % _yaml("[%s]" % ",".join(settings["home_net"])),
        "    EXTERNAL_NET: \"any\"",
        "    HTTP_SERVERS: \"$HOME_NET\"",
        "    SMTP_SERVERS: \"$HOME_NET\"",
        "    SQL_SERVERS: \"$HOME_NET\"",
        "    DNS_SERVERS: \"$HOME_NET\"",
        "    TELNET_SERVERS: \"$HOME_NET\"",
        "    AIM_SERVERS: \"$EXTERNAL_NET\"",
        "    DC_SERVERS: \"$HOME_NET\"",
        "    DNP3_SERVER: \"$HOME_NET\"",
        "    DNP3_CLIENT: \"$HOME_NET\"",
        "    MODBUS_CLIENT: \"$HOME_NET\"",
        "    MODBUS_SERVER: \"$HOME_NET\"",
        "    ENIP_CLIENT: \"$HOME_NET\"",
        "    ENIP_SERVER: \"$HOME_NET\"",
        "  port-groups:",
        "    HTTP_PORTS: \"80\"",
        "    SHELLCODE_PORTS: \"!80\"",
        "    ORACLE_PORTS: \"1521\"",
        "    SSH_PORTS: \"22\"",
        "    DNP3_PORTS: \"20000\"",
        "    MODBUS_PORTS: \"502\"",
        "    FILE_DATA_PORTS: \"[$HTTP_PORTS,110,143]\"",
        "    FTP_PORTS: \"21\"",
        "    GENEVE_PORTS: \"6081\"",
        "    VXLAN_PORTS: \"4789\"",
        "    TEREDO_PORTS: \"3544\"",
        "default-rule-path: %s" % _yaml(rules_path.rsplit("/", 1)[0] or "/"),
        "rule-files: [%s]" % _yaml(rules_path.rsplit("/", 1)[-1]),
        "default-log-dir: %s" % _yaml(log_dir),
        "stats: {enabled: yes, interval: %d}" % int(settings["stats_interval"]),
        "outputs:",
        "  - eve-log: {enabled: yes, filetype: regular, filename: alerts.json, types: [alert]}",
        "  - eve-log: {enabled: yes, filetype: regular, filename: stats.json,"
        " types: [{stats: {totals: yes, threads: no, deltas: no}}]}",
        "logging:",
        "  default-log-level: notice",
        "  outputs:",
        "    - console: {enabled: yes}",
        "runmode: workers",
        "host-mode: router",
        "unix-command: {enabled: no}",
        "detect: {profile: medium}",
        # payload rules see each packet; reassembled-stream inspection would multiply the work per byte
        "stream: {memcap: 64mb, checksum-validation: no, inline: auto, reassembly: {memcap: 128mb, depth: 0}}",
        "flow: {memcap: 64mb, hash-size: 65536, prealloc: 10000}",
    ]
    cpus = [int(cpu) for cpu in settings["worker_cpus"]]
    if capture == "afpacket":
        out.append("af-packet:")
        for index in (0, 1):
            out += ["  - interface: %s-n%d" % (name, index),
                    "    copy-iface: %s-n%d" % (name, 1 - index),
                    "    copy-mode: ips",
                    "    threads: 1",
                    "    cluster-id: %d" % (90 + index),
                    "    cluster-type: cluster_flow",
                    "    defrag: no",
                    "    use-mmap: yes",
                    "    checksum-checks: no"]
    elif capture == "nfq":
        out += ["nfq: {mode: accept, fail-open: no}"]
    elif capture == "dpdk":
        socket_dir = settings["socket_dir"].rstrip("/")
        vdevs = ["net_virtio_user%d,path=%s/%s-p%d.sock,server=1,queue_size=%d"
                 % (index, socket_dir, name, index, int(settings["queue_size"])) for index in (0, 1)]
        out += ["dpdk:",
                "  eal-params:",
                "    proc-type: primary",
                "    in-memory: \"\"",
                "    no-pci: \"\"",
                "    single-file-segments: \"\"",
                "    huge-dir: %s" % _yaml(settings["hugepage_dir"]),
                "    m: %d" % int(settings["memory_mb"]),
                "    lcores: %s" % _yaml("0@%d" % cpus[0]),
                "    vdev: %s" % _yaml(vdevs),
                "  interfaces:"]
        for index in (0, 1):
            # virtio-user cannot switch promiscuous or all-multicast mode; checksums are not offloaded
            out += ["    - interface: net_virtio_user%d" % index,
                    "      threads: 1",
                    "      promisc: false",
                    "      multicast: false",
                    "      checksum-checks: false",
                    "      checksum-checks-offload: false",
                    "      mtu: 1500",
                    "      mempool-size: %d" % int(settings["mbufs"]),
                    "      mempool-cache-size: auto",
                    "      rx-descriptors: %d" % int(settings["queue_size"]),
                    "      tx-descriptors: %d" % int(settings["queue_size"]),
                    "      copy-mode: ips",
                    "      copy-iface: net_virtio_user%d" % (1 - index)]
    if capture == "dpdk":
        # Suricata's DPDK runmode pins its threads itself and needs one worker CPU per interface thread (two). It
        # drops the management CPUs from a worker set that names every online CPU, so the management set stays empty
        # (management threads keep the unit's CPUAffinity).
        out += ["threading:",
                "  set-cpu-affinity: yes",
                "  cpu-affinity:",
                "    - management-cpu-set: {cpu: []}",
                "    - worker-cpu-set: {cpu: %s, mode: balanced}" % _yaml(_dpdk_workers(cpus, settings))]
    else:
        # every thread keeps the unit's CPUAffinity (the NF CPUs)
        out += ["threading: {set-cpu-affinity: no}"]
    return "\n".join(out) + "\n"


def _dpdk_workers(cpus, settings):
    """Two worker CPUs for DPDK's two interface threads: the NF CPUs, widened with the switch's if there is one only."""
    workers = sorted(set(cpus))
    for cpu in settings.get("spare_cpus") or []:
        if len(workers) >= 2:
            break
        if int(cpu) not in workers:
            workers.append(int(cpu))
    return sorted(workers)


# ---------------------------------------------------------------------------------------------- snort

def snort_config(inst, settings, rules_path, log_dir):
    """snort.conf of one instance: the lab's variables, the engine's preprocessors, the ruleset, fast alerts."""
    name = inst["name"]
    return "\n".join([
        "# nfvlab.interconnect ids_nf: Snort instance %s, capture %s (written by the module; do not edit)" % (name, inst["capture"]),
        "ipvar HOME_NET [%s]" % ",".join(settings["home_net"]),
        "ipvar EXTERNAL_NET any",
        "portvar HTTP_PORTS [80]",
        "var RULE_PATH %s" % rules_path.rsplit("/", 1)[0],
        "config policy_mode: inline",
        "config checksum_mode: none",
        "config disable_decode_alerts",
        "config detection: search-method ac-split search-optimize max-pattern-len 20",
        "config logdir: %s" % log_dir,
        "dynamicpreprocessor directory %s" % settings["snort_preprocessor_dir"],
        "dynamicengine %s" % settings["snort_engine_lib"],
        "preprocessor frag3_global: max_frags 65536",
        "preprocessor frag3_engine: policy linux",
        "preprocessor stream5_global: track_tcp yes, track_udp yes, max_tcp 262144, max_udp 131072",
        "preprocessor stream5_tcp: policy linux, use_static_footprint_sizes",
        "preprocessor stream5_udp: timeout 30",
        "output alert_fast: alert.fast",
        "include %s" % rules_path,
        "",
    ])


def snort_daq_args(inst, settings):
    """Snort's DAQ arguments for the instance's capture."""
    args = ["-Q", "--daq-dir", settings["snort_daq_dir"]]
    if inst["capture"] == "afpacket":
        return args + ["--daq", "afpacket", "--daq-mode", "inline", "-i", "%s-n0:%s-n1" % (inst["name"], inst["name"])]
    return args + ["--daq", "nfq", "--daq-mode", "inline", "--daq-var", "queue=%d" % int(inst["queue"])]


# ---------------------------------------------------------------------------------------------- units

def unit_name(name):
    return "nfvlab-ids-%s.service" % name


def _wiring_commands(inst, settings):
    """ExecStartPre lines (root namespace) that wire the instance's ports, and the ExecStopPost lines.

    The veths outlive a restart of the engine: the switch's port on <name>-p0/-p1 stays bound to the same
    interface (a re-created veth would leave OVS's userspace port on a stale one). They go with the sandbox's
    network namespace. Whatever another capture mode left (bridge, NFQUEUE rule, veths, sockets) is removed first."""
    name, capture = inst["name"], inst["capture"]
    netns = "nfvlab-%s" % name
    ip, ethtool, iptables = settings["ip"], settings["ethtool"], settings["iptables"]
    bridge = "%s-br" % name
    pre, post = [], []
    # what an nfq instance leaves in the namespace
    pre += ["-%s -n %s link del %s" % (ip, netns, bridge),
            "-%s netns exec %s %s -w -F FORWARD" % (ip, netns, iptables)]
    if CAPTURE_PORTS[capture] == "veth":
        offloads = ["tx", "off", "tso", "off", "gso", "off", "gro", "off"]
        for index in (0, 1):
            outer, inner = "%s-p%d" % (name, index), "%s-n%d" % (name, index)
            pre += ["-%s link add %s type veth peer name %s netns %s" % (ip, outer, inner, netns),
                    "%s link set %s mtu %d" % (ip, outer, int(settings["mtu"])),
                    "%s -n %s link set %s mtu %d" % (ip, netns, inner, int(settings["mtu"])),
                    "%s -K %s %s" % (ethtool, outer, " ".join(offloads)),
                    "%s netns exec %s %s -K %s %s" % (ip, netns, ethtool, inner, " ".join(offloads)),
                    "%s link set %s up" % (ip, outer),
                    "%s -n %s link set %s up" % (ip, netns, inner)]
        if capture == "nfq":
            pre += ["%s -n %s link add %s type bridge" % (ip, netns, bridge),
                    "%s -n %s link set %s-n0 master %s" % (ip, netns, name, bridge),
                    "%s -n %s link set %s-n1 master %s" % (ip, netns, name, bridge),
                    "%s -n %s link set %s up" % (ip, netns, bridge),
                    "%s netns exec %s %s -qw net.bridge.bridge-nf-call-iptables=1" % (ip, netns, settings["sysctl"]),
                    "%s netns exec %s %s -w -A FORWARD -m physdev --physdev-is-bridged -j NFQUEUE --queue-num %d"
                    % (ip, netns, iptables, int(inst["queue"]))]
    else:
        sockets = ["%s/%s-p%d.sock" % (settings["socket_dir"].rstrip("/"), name, index) for index in (0, 1)]
        # the veths of an afpacket or nfq instance before it
        pre += ["-%s link del %s-p%d" % (ip, name, index) for index in (0, 1)]
        pre += ["/bin/mkdir -p %s" % settings["socket_dir"], "/bin/rm -f %s" % " ".join(sockets)]
        post.append("/bin/rm -f %s" % " ".join(sockets))
    return pre, post


def engine_command(inst, settings, config_path, log_dir):
    """The engine's command line (a list), run in the instance's network namespace."""
    netns = "nfvlab-%s" % inst["name"]
    wrap = [settings["ip"], "netns", "exec", netns]
    if inst["engine"] == "suricata":
        mode = {"afpacket": ["--af-packet"], "nfq": ["-q", str(int(inst["queue"]))], "dpdk": ["--dpdk"]}[inst["capture"]]
        return wrap + [settings["suricata"], "-c", config_path, "-l", log_dir] + mode
    return wrap + [settings["snort"], "-c", config_path, "-l", log_dir, "-N"] + snort_daq_args(inst, settings)


def unit_text(inst, settings, config_path, log_dir):
    """The instance's systemd unit."""
    pre, post = _wiring_commands(inst, settings)
    lines = [
        "# nfvlab.interconnect ids_nf: IDS NF %s (%s, %s, capture %s), inline between %s-p0 and %s-p1."
        % (inst["name"], inst["engine"], inst["weight"], inst["capture"], inst["name"], inst["name"]),
        "# Written by the module; a changed unit or configuration restarts the instance.",
        "[Unit]",
        "Description=nfvlab IDS NF %s (%s %s, %s capture)" % (inst["name"], inst["engine"], inst["weight"], inst["capture"]),
        "Requires=nfvlab-sandbox@%s.service" % inst["name"],
        "After=nfvlab-sandbox@%s.service network.target" % inst["name"],
        "",
        "[Service]",
        "Type=simple",
        "ExecStartPre=/bin/mkdir -p %s" % log_dir,
    ]
    if inst["engine"] == "suricata":
        # the statistics are counters since this start; a stale file would make a new start look ready
        lines.append("ExecStartPre=/bin/rm -f %s/stats.json" % log_dir)
    lines += ["ExecStartPre=%s" % cmd for cmd in pre]
    lines.append("ExecStart=%s" % " ".join(engine_command(inst, settings, config_path, log_dir)))
    lines += ["ExecStopPost=%s" % cmd for cmd in post]
    lines += [
        "CPUAffinity=%s" % " ".join(str(int(cpu)) for cpu in settings["worker_cpus"]),
        "Nice=%d" % int(settings["nice"]),
        "Restart=on-failure",
        "RestartSec=2",
        "TimeoutStopSec=15",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- health

def _last_json_line(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def suricata_health(stats_text, alerts_text, canary_sid=SID_CANARY, keep=5):
    """Packets seen, alerts raised (and the canary's) from the instance's stats.json and alerts.json."""
    stats = (_last_json_line(stats_text) or {}).get("stats") or {}
    capture = stats.get("capture") or {}
    alerts = []
    for line in alerts_text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event_type") == "alert":
            alerts.append(event.get("alert") or {})
    return {
        "packets": int((stats.get("decoder") or {}).get("pkts", 0)),
        "drops": int(capture.get("kernel_drops", 0)) + int((capture.get("dpdk") or {}).get("imissed", 0))
        + int((stats.get("ips") or {}).get("blocked", 0)),
        "alerts": len(alerts),
        "canary_alerts": len([a for a in alerts if int(a.get("signature_id", 0)) == canary_sid]),
        "last_alerts": [a.get("signature", "") for a in alerts[-keep:]],
        "uptime": int(stats.get("uptime", 0)),
    }


_SNORT_RECEIVED = re.compile(r"^\s*Received:\s+([0-9]+)\s*$", re.M)
_SNORT_ANALYZED = re.compile(r"^\s*Analyzed:\s+([0-9]+)", re.M)
_SNORT_DROPPED = re.compile(r"^\s*Dropped:\s+([0-9]+)", re.M)
_SNORT_FAST = re.compile(r"\[1:([0-9]+):[0-9]+\]\s+(.*?)\s+\[\*\*\]")


def snort_health(journal_text, alert_fast_text, canary_sid=SID_CANARY, keep=5):
    """Packets seen from the statistics Snort prints on SIGUSR1 (the last block in the journal), alerts from alert.fast."""
    received = _SNORT_RECEIVED.findall(journal_text)
    analyzed = _SNORT_ANALYZED.findall(journal_text)
    dropped = _SNORT_DROPPED.findall(journal_text)
    alerts = _SNORT_FAST.findall(alert_fast_text)
    return {
        "packets": int(analyzed[-1]) if analyzed else (int(received[-1]) if received else 0),
        "drops": int(dropped[-1]) if dropped else 0,
        "alerts": len(alerts),
        "canary_alerts": len([a for a in alerts if int(a[0]) == canary_sid]),
        "last_alerts": [a[1] for a in alerts[-keep:]],
        "uptime": 0,
    }


def engine_error(output, engine):
    """The lines of an engine's test-mode output that say what is wrong."""
    marker = re.compile(r"^(E: |Error|ERROR|FATAL|<Error>|\[ERRCODE)|error|Error", re.M)
    lines = [line.strip() for line in output.splitlines() if marker.search(line)]
    return "; ".join(lines[:6]) or (output.strip().splitlines() or ["%s gave no output" % engine])[-1]


def chain_instances(instances, capture):
    """A chain's NF instances ({name, stage, ...}) -> ids_nf instances ({name, capture}).

    capture: one mode for every stage, or a list with one per stage (stage 1 first)."""
    out = []
    for inst in instances or []:
        if not isinstance(inst, dict) or "name" not in inst:
            raise IdsError("ids_instances: expected chain instances with a name, got %r" % (inst,))
        if isinstance(capture, (list, tuple)):
            stage = int(inst.get("stage", 1))
            if not 1 <= stage <= len(capture):
                raise IdsError("nf_chain_capture lists %d capture modes, the chain has a stage %d" % (len(capture), stage))
            mode = capture[stage - 1]
        else:
            mode = capture
        if mode not in CAPTURES:
            raise IdsError("nf_chain_capture: unknown capture mode %r (one of %s)" % (mode, ", ".join(CAPTURES)))
        out.append({"name": inst["name"], "capture": mode})
    return out
