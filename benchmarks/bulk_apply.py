"""Benchmark of ``fmar apply --from FILE.csv``: a large FSP's 500 applications in one command.

    python benchmarks/bulk_apply.py [--units 2000] [--rows 500] [--work DIR]

On a synthetic registry (``fmar generate``, cached in --work as ``benchmarks/run.py`` does),
committed in a Git repository as an FSP's clone would be: ``--rows`` new Market Units of FSP0001
are registered (signed with its synthetic key; not timed), then, each timed:
  a. baseline: one application with ``fmar apply UNIT PRODUCT`` (what the FSP would otherwise run
     once per unit), after a first one (not timed) has filled fmar's cache and its index of the
     history, as on an FSP's machine that ran fmar before;
  b. ``fmar apply --from`` a CSV of ``--rows`` applications for the other units.
Target: (b) under 30 s for 500 rows; reported beside (a) and as (b) / (a x rows), the share of the
one-by-one time the bulk command takes. Results go to benchmarks/results/bulk-apply-<units>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FSP, SEED, IDENTITY = "FSP0001", "synthetic-1", "fmar-gb-synthetic"
PRODUCT = "ENWL-PR"
AT = datetime(2026, 11, 20, 10, tzinfo=UTC)


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _units(registry: Path, count: int) -> list[str]:
    """Register ``count`` batteries of FSP0001 in ENWL (signed as FSP0001 would sign them)."""
    from fmar.generate.keys import example_key
    from fmar.writing.authoring import author, write

    key = example_key(FSP, SEED)
    ids = []
    for n in range(count):
        unit = f"MU-{FSP}-{900000 + n:06d}"
        fields: dict[str, Any] = {
            "id": unit,
            "name": f"Battery park {n}",
            "fsp": FSP,
            "unit_type": "SPU",
            "accounting_points": 1,
            "licence_area": "ENWL",
            "gsp_group": "_G",
            "connection_type": "FIRM",
            "connection_status": "CONNECTED",
            "composition": {
                "import_capacity_kw": 2000.0,
                "export_capacity_kw": 2000.0,
                "assets": [{"category": "BESS", "count": 1, "capacity_kw": 2000.0}],
            },
            "capabilities": {"full_delivery_s": 1.0, "duration_min": 240, "metering_resolution_s": 1.0},
        }
        write(registry, author("market_unit", fields, key=key, signer=FSP, signed_at=AT, registry=IDENTITY))
        ids.append(unit)
    return ids


def _timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def run(units: int, rows: int, work: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fmar.generate.keys import example_key, write_private_key
    from run import ensure_registry

    source = ensure_registry(work, units)
    fmar = str(Path(sys.executable).parent / "fmar")
    with tempfile.TemporaryDirectory(prefix="fmar-bench-bulk-") as tmp:
        os.environ["FMAR_CACHE_DIR"] = str(Path(tmp, "cache"))
        repo = Path(tmp, "repo")
        shutil.copytree(source.parent, repo, ignore=shutil.ignore_patterns(".complete"))
        new = _units(repo / "registry", rows + 2)
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "registry with the FSP's new units")
        key = Path(tmp, "fsp.key")
        write_private_key(example_key(FSP, SEED), key)
        at = AT.isoformat()
        # Warm, as on an FSP's machine that ran fmar before: one apply (not timed) fills fmar's
        # validation cache and its index of the history; the next one is the baseline.
        _timed([fmar, "apply", new[0], PRODUCT, "--key", str(key), "--at", at], repo)
        single, _ = _timed([fmar, "apply", new[1], PRODUCT, "--key", str(key), "--at", at], repo)
        csv_file = Path(tmp, "applications.csv")
        csv_file.write_text("unit,product\n" + "".join(f"{u},{PRODUCT}\n" for u in new[2:]), encoding="utf-8")
        bulk, output = _timed([fmar, "apply", "--from", str(csv_file), "--key", str(key), "--at", at], repo)
        assert f"{rows} application(s) written" in output, output
    result = {
        "units": units,
        "rows": rows,
        "command": "python " + " ".join(sys.argv),
        "single_apply_s": round(single, 2),
        "bulk_apply_s": round(bulk, 2),
        "bulk_per_row_ms": round(1000 * bulk / rows, 1),
        "bulk_share_of_one_by_one": round(bulk / (single * rows), 4),
        "target_s": 30.0,
        "met": bulk < 30.0,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average": os.getloadavg()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"bulk-apply-{units}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    result = run(args.units, args.rows, args.work)
    print(
        f"{args.units:,} units: one application {result['single_apply_s']} s; {args.rows} from a CSV file "
        f"{result['bulk_apply_s']} s ({result['bulk_per_row_ms']} ms a row, "
        f"{result['bulk_share_of_one_by_one']:.1%} of one by one); target 30 s: "
        f"{'met' if result['met'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
