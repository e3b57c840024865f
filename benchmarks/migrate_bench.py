"""Benchmark of the move to the registry's layout at national scale: ``fmar migrate layout`` and the gate on it.

    python benchmarks/migrate_bench.py [--units 100000] [--work DIR]

Takes the synthetic registry of ``benchmarks/run.py`` committed as ``benchmarks/trust_check.py`` does
(a Git repository with the registry on main), and when it is still in the first, flat layout:

1. branches ``layout`` and times ``fmar migrate layout --commit KEY`` with the synthetic operator's key
   (renames of every record file, staged and committed signed);
2. times ``fmar check --base main --head layout --no-cache``, the gate's judgement of that change (it must
   find nothing), and reports its findings;
3. reports the objects the move wrote and the largest folder after it, then fast-forwards main to it, so
   the other benchmarks run on the layout.

The result goes to benchmarks/results/migrate-<units>.json. A registry already in the layout has
nothing to move: the script says so and measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from fmar.generate.keys import example_key, write_private_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, RESULTS, ensure_registry
from trust_check import _GIT_ENV as GIT_ENV
from trust_check import base_repository, git


def _largest_folder(repo: Path) -> tuple[str, int, int]:
    """(folder, entries) of the largest folder under registry/ at HEAD, and the number of folders."""
    listing = git(repo, "ls-tree", "-r", "-t", "-z", "--name-only", "HEAD", "--", "registry")
    entries: dict[str, int] = {}
    for path in filter(None, listing.split("\0")):
        parent = path.rpartition("/")[0]
        entries[parent] = entries.get(parent, 0) + 1
    folder, count = max(entries.items(), key=lambda item: item[1])
    return folder, count, len(entries)


def _objects(repo: Path) -> dict[str, int]:
    out = {}
    for line in git(repo, "count-objects", "-v").splitlines():
        name, _, value = line.partition(": ")
        out[name] = int(value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "work")
    args = parser.parse_args()
    repo = base_repository(ensure_registry(args.work, args.units))
    top = git(repo, "ls-tree", "--name-only", "HEAD:registry/market_unit").split()
    if not any(name.endswith(".yaml") for name in top):
        print("the registry is in the layout already: nothing to move")
        return
    key = args.work / "operator_ed25519"
    write_private_key(example_key("FMAR", "synthetic-1"), key)
    git(repo, "checkout", "-q", "-B", "layout", "main")
    before = _objects(repo)
    started = time.perf_counter()
    moved = subprocess.run(
        [str(BIN / "fmar"), "migrate", "layout", "--commit", str(key), "--format", "json"],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    migrate_seconds = time.perf_counter() - started
    report = json.loads(moved.stdout)
    after = _objects(repo)
    started = time.perf_counter()
    gate = subprocess.run(
        [str(BIN / "fmar"), "check", "--base", "main", "--head", "layout", "--no-cache", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    gate_seconds = time.perf_counter() - started
    findings = json.loads(gate.stdout).get("findings", []) if gate.stdout.strip().startswith("{") else gate.stdout
    folder, largest, folders = _largest_folder(repo)
    result = {
        "units": args.units,
        "records_moved": report["moved"],
        "moved_by_kind": report["moved_by_kind"],
        "migrate_seconds": round(migrate_seconds, 2),
        "loose_objects_written": after["count"] - before["count"],
        "loose_kib_written": after["size"] - before["size"],
        "gate_seconds": round(gate_seconds, 2),
        "gate_exit": gate.returncode,
        "gate_findings": findings,
        "largest_folder": folder,
        "largest_folder_entries": largest,
        "folders": folders,
    }
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "layout")
    git(repo, "repack", "-a", "-d", "-q")
    git(repo, "prune-packed")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"migrate-{args.units}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
