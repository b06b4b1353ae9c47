"""Run ansible-playbook from this checkout's virtualenv, with this checkout's ansible.cfg."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ansible_playbook(playbook, *args, **kwargs):
    """Run a playbook (a path, or a name under playbooks/); return (exit code, output).

    Keyword arguments: inventory (a path), timeout (seconds, default 1800)."""
    if not os.path.isabs(playbook):
        playbook = os.path.join(ROOT, "playbooks", playbook)
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook]
    if kwargs.get("inventory"):
        argv += ["-i", kwargs["inventory"]]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_DEPRECATION_WARNINGS="0")
    done = subprocess.run(argv + list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=kwargs.get("timeout", 1800), check=False)
    return done.returncode, done.stdout


def recap(output):
    """PLAY RECAP counters per host: {host: {ok: N, changed: N, ...}}."""
    stats = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        stats[host] = dict((key, int(value)) for key, value in re.findall(r"(\w+)=(\d+)", counters))
    return stats
