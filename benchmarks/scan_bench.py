"""Benchmark of what every ``fmar validate`` / ``fmar build`` does first: the layout scan of the registry
folder and the blob ids of its clean files (``gitrepo.clean_blobs``), against the floor of the scan: a
bare walk of the folder that stats every file and checks nothing (``scan / floor`` is the figure).

Read-only: it lists, stats and asks git, never writes. Runs alternate, medians are reported
(the wall time and the CPU time of this process and its git children).

Run: ``python benchmarks/scan_bench.py [--repo benchmarks/work/units-100000] [--runs 5]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fmar import gitrepo
from fmar.loading.layout import scan


def _measure(work: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of one call of ``work``."""
    before, start = os.times(), time.perf_counter()
    work()
    wall, after = time.perf_counter() - start, os.times()
    cpu = sum(getattr(after, f) - getattr(before, f) for f in ("user", "system", "children_user", "children_system"))
    return wall, cpu


def _walk(folder: Path) -> int:
    """The floor: every file under ``folder`` listed and stat-ed, nothing checked."""
    count = 0
    for kind in os.scandir(folder):
        with os.scandir(kind.path) as entries:
            for entry in entries:
                entry.stat(follow_symlinks=False)
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repo", type=Path, default=Path("benchmarks/work/units-100000"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = args.repo.resolve()
    registry = root / "registry"
    files = scan(root, registry).files
    blobs = gitrepo.clean_blobs(root, registry, files)
    steps: dict[str, Callable[[], Any]] = {
        "scan": lambda: scan(root, registry),
        "floor: walk and stat": lambda: _walk(registry),
        "clean_blobs": lambda: gitrepo.clean_blobs(root, registry, files),
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for _ in range(args.runs):
        for name, step in steps.items():
            runs[name].append(_measure(step))
    result = {
        "files": len(files),
        "clean": sum(blob is not None for blob in blobs),
        **{
            name: {
                "wall_s": round(statistics.median(w for w, _ in times), 3),
                "cpu_s": round(statistics.median(c for _, c in times), 3),
            }
            for name, times in runs.items()
        },
    }
    result["scan_over_floor"] = round(result["scan"]["wall_s"] / result["floor: walk and stat"]["wall_s"], 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
