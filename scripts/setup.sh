#!/usr/bin/env bash
# Create .venv (if needed) and install fmar with its development tools, at the versions pinned in
# requirements/constraints.txt (update them with scripts/lock.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
export PIP_CONSTRAINT="$PWD/requirements/constraints.txt"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
