"""Benchmark: iperf3 throughput through chains of 0, 1, 3 and 5 l2fwd NFs on the
emulated lab's nf1 (single-host wiring, OVS-DPDK with one PMD thread, testpmd NFs
on vhost-user ports). Prints Gb/s
per chain and the share of the switch-alone throughput one NF keeps (issue 4's
target: at least 50 %); it measures, it does not assert.

    .venv/bin/python tests/benchmarks/chain_throughput.py [--keep] [--seconds N]

Brings the lab and the switching plane up (playbooks/lab_up.yml, dataplane.yml),
deploys each chain with playbooks/chain.yml, runs iperf3 -P 10 from the source to
the sink, and tears the lab down at the end unless --keep is given. With 2 vCPUs
the PMD thread owns CPU 1 and every NF and the traffic share CPU 0: compare the
ratios, not the absolute numbers."""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.playbook_runner import ansible_playbook  # noqa: E402

INVENTORY = os.path.join(ROOT, "inventories", "emulated")
SINKS = {"single-host": "198.18.41.2", "multi-host": "198.18.42.2"}
# (wiring, NFs, placement). Multi-host chains in both placements are measured by
# tests/integration/test_switching_plane.py, which prints their Gb/s.
CHAINS = [("single-host", 0, "sc"), ("single-host", 1, "sc"), ("single-host", 3, "sc"), ("single-host", 5, "sc")]


def playbook(name, *extra):
    start = time.time()
    code, out = ansible_playbook(name, *extra, inventory=INVENTORY)
    if code != 0:
        sys.stdout.write(out[-6000:])
        raise SystemExit("%s failed (rc=%d)" % (name, code))
    return time.time() - start


def iperf3(sink, seconds, streams=10):
    out = subprocess.check_output(["podman", "exec", "nfvlab-source", "iperf3", "-J", "-c", sink, "-P", str(streams),
                                   "-t", str(seconds)], universal_newlines=True)
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    parser.add_argument("--seconds", type=int, default=6, help="iperf3 seconds per chain")
    args = parser.parse_args()
    try:
        print("lab up + dataplane: %.1f s" % (playbook("lab_up.yml") + playbook("dataplane.yml")))
        results = []
        for wiring, length, placement in CHAINS:
            deploy = playbook("chain.yml", "-e", "nf_chain_length=%d" % length, "-e", "nf_chain_wiring=" + wiring,
                              "-e", "nf_chain_placement=" + placement)
            time.sleep(1)
            gbps = iperf3(SINKS[wiring], args.seconds)
            results.append((wiring, length, placement, gbps, deploy))
            print("%-11s %2d NFs %-14s %6.2f Gb/s   (deploy %.1f s)" % (wiring, length, placement if wiring == "multi-host" else "", gbps, deploy))
        base = results[0][3]
        print("\nsingle-host l2fwd chain, iperf3 -P 10, Gb/s (share of the switch alone):")
        for wiring, length, placement, gbps, _deploy in results:
            if wiring == "single-host":
                print("  %d NFs: %.2f Gb/s (%.0f %%)" % (length, gbps, 100.0 * gbps / base if base else 0))
        one = results[1][3]
        print("one NF keeps %.0f %% of the 0-NF throughput (target >= 50 %%)" % (100.0 * one / base if base else 0))
    finally:
        if not args.keep:
            playbook("lab_down.yml")


if __name__ == "__main__":
    main()
