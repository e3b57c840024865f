#!/usr/bin/env bash
# Re-resolve the pinned versions in requirements/constraints.txt from pyproject.toml's ranges.
#
#   bash scripts/lock.sh                    # keep current pins where they still satisfy the ranges
#   bash scripts/lock.sh --upgrade          # take the newest versions the ranges allow
#   bash scripts/lock.sh --upgrade-package pyyaml
#
# Then run `bash scripts/test.sh` (it installs exactly these pins) and commit the file with the
# test result. setup.sh and CI install with `-c requirements/constraints.txt`, so a release of a
# dependency never reaches a fresh clone until this file says so.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
"$PYTHON" -m venv "$tools"
"$tools/bin/python" -m pip install --quiet 'pip-tools>=7.4,<8'
"$tools/bin/pip-compile" --quiet --extra dev --strip-extras --allow-unsafe \
  --no-emit-index-url --no-emit-find-links \
  --output-file requirements/constraints.txt "$@" pyproject.toml
echo "requirements/constraints.txt updated; run bash scripts/test.sh before committing it"
