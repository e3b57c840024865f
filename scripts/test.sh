#!/usr/bin/env bash
# Set up and run every test: the Python environment, the Debian tools the tests drive (ssh-keygen,
# git, Chromium for the browser tests), lint, types (mypy), the architecture (import-linter), the
# README's layout table, then the suite on every core.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v git >/dev/null 2>&1 || need+=(git)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}"
  else
    echo "note: install ${need[*]} (Debian packages) to run every test; browser tests skip without chromium" >&2
  fi
fi
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
.venv/bin/python scripts/readme_layout.py --check
.venv/bin/python -m pytest -n auto "$@"
