#!/usr/bin/env bash
# Set up, then run every benchmark. Each figure is reported beside a baseline measured in the same
# run; results go to benchmarks/results/ and benchmarks/RESULTS.md. Registries are generated once
# into benchmarks/work/ (100,000 units take a few minutes) and reused by every benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
py=.venv/bin/python
work=benchmarks/work
mkdir -p benchmarks/results

echo "== Validation: fmar validate cold and warm, against the PyYAML parse floor and check-jsonschema"
$py benchmarks/run.py --sizes 10000 100000 --work "$work"

echo "== The pull-request gate: fmar check of a 20-record change on 100,000 units"
$py benchmarks/trust_check.py --units 100000 --work "$work" --registry "$work/units-100000/registry"

echo "== History at national scale: 100,000 units, the sharded layout over 20,000 commits against the flat one over 2,000"
# (writes benchmarks/results/history-100000.json; about 45 minutes, most of it building the flat baseline)
$py benchmarks/history_bench.py > /dev/null

echo "== Site and exports: full build and 10-record rebuild, against plain mkdocs"
$py benchmarks/site_build.py --units 10000 100000 --work "$work"

echo "== Publishing in CI: fresh clone and install, cache restored, 10 records committed (100,000 units)"
$py benchmarks/site_build.py --ci --units 100000 --work "$work"

echo "== The Pages artifact at 100,000 units: bytes and files against GitHub Pages' 1 GB"
$py benchmarks/pages_artifact.py --units 100000 --work "$work" --costs

echo "== Search in Chromium at 100,000 units: the site's search page and unit table against Pagefind"
$py benchmarks/search_bench.py --units 100000 --clone "$work/units-100000" --runs 3

echo "== The move to the layout at 100,000 units"
$py benchmarks/migrate_bench.py --units 100000 --work "$work"

echo "== A large FSP's 500 applications from one CSV file (fmar apply --from), against one fmar apply"
$py benchmarks/bulk_apply.py --units 100000 --rows 500 --work "$work"
