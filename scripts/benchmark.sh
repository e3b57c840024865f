#!/usr/bin/env bash
# Set up, then run the benchmarks (10,000 and 100,000 units by default; pass --sizes N ... to change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python benchmarks/run.py "$@"
