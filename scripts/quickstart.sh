#!/usr/bin/env bash
# The main job on the bundled registry: set up, validate, build the site and the exports, and say
# where to look. Also replays a year of activity into a fresh Git repository (fmar demo).
# Pass --serve to serve the built site on http://127.0.0.1:8000 afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
fmar=.venv/bin/fmar

echo "== Validate the bundled registry (schemas, rules)"
$fmar validate
if $fmar verify --help >/dev/null 2>&1; then
  echo
  echo "== Verify every signature"
  $fmar verify
fi
echo
echo "== A unit's status, derived from its records"
$fmar status MU-VOLTAFLEX-000001
echo
echo "== Build the public site and the JSON exports"
$fmar build --out _site
echo
echo "== Replay a year of activity into a fresh Git repository (pull requests, merges, signatures)"
rm -rf demo  # the demo is this script's own output (git-ignored): replay it afresh on every run
$fmar demo --no-serve --out demo
echo
cat <<'TXT'
Where to look:
  _site/index.html                 the public site of the bundled registry (serve: .venv/bin/fmar serve --dir _site)
  _site/api/v2/index.json          the versioned JSON exports (qualifications.json/.csv, changes.csv, feeds/, all.zip)
  demo/                            the demo repository: git -C demo/repo log --graph --oneline | head
  demo/site/index.html             the demo's site, built from its Git history
  registry/                        the bundled records; schemas/ their JSON Schemas; .venv/bin/fmar rules the rule codes
TXT
if [ "${1:-}" = "--serve" ]; then
  exec $fmar serve --dir _site
fi
