#!/usr/bin/env bash
# Installs what this collection needs on a Debian 12 machine, as root: the system
# packages (apt) and the pinned Python tools (requirements.txt) in .venv.
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  python3 python3-venv python3-pip git ca-certificates
  podman runc debootstrap iproute2 iputils-ping util-linux tar
  shellcheck
)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/setup.sh: run as root (apt, podman, veth links and hugepages need it)" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
if ! sha256sum --status -c "$stamp" 2>/dev/null; then
  echo "setup: pip install -r requirements.txt"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  sha256sum requirements.txt > "$stamp"
fi
