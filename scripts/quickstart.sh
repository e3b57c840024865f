#!/usr/bin/env bash
# The main job on the bundled registry: set up, validate, show a status, and say where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== fmar validate (bundled registry)"
.venv/bin/fmar validate
echo
echo "== fmar status MU-VOLTAFLEX-000001"
.venv/bin/fmar status MU-VOLTAFLEX-000001
echo
echo "Rules: .venv/bin/fmar rules    Schemas: schemas/    Records: registry/"
