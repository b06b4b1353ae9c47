#!/usr/bin/env bash
# Installs everything, then runs every test (tests/run.py: unit, lint, changelog,
# sanity, integration, molecule). Extra arguments go to tests/run.py (e.g. --only unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python tests/run.py "$@"
