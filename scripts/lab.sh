#!/usr/bin/env bash
# Installs everything, then runs the main job on the emulated lab (this machine):
#   playbooks/lab.yml -i inventories/emulated
# Extra arguments go to ansible-playbook (e.g. -e topology_wiring=[multi-host], --check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/ansible-playbook playbooks/lab.yml -i inventories/emulated "$@"
