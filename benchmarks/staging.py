"""Benchmark of the output staging (``fmar.publish.output.Staging``) alone: a rebuild where few files changed.

    python benchmarks/staging.py [--files 400000] [--changed 40] [--rebuilds 3] [--old REV] [--work DIR]

A synthetic output laid out like the site (``api/v2/<kind>/<id>.json`` and ``<kind>/<id>.html``,
small files, four folders) is built once, rebuilt once unchanged (so the double-buffered staging
has its spare), then rebuilt ``--rebuilds`` times with ``--changed`` different files changed each
time. Every rebuild goes through ``is_current`` for each file and ``put`` for the changed ones, as
``fmar build`` does, and is timed in three parts: ``Staging(out)``, the files, ``publish()``.
With ``--old REV`` the same runs are made, in the same process, with ``output.py`` as it was at
``REV`` (the staging that hard-link copies the whole output). Results: benchmarks/results/staging-<files>.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
KINDS = ("units", "applications")


def layout(files: int) -> list[str]:
    per_folder = files // (2 * len(KINDS))
    return [
        rel
        for kind in KINDS
        for i in range(per_folder)
        for rel in (f"api/v2/{kind}/X-{i:06d}.json", f"{kind}/X-{i:06d}.html")
    ]


def _module(source: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"staging_{abs(hash(source))}", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _build(module: ModuleType, out: Path, rels: list[str], versions: dict[str, int]) -> dict[str, float]:
    times: dict[str, float] = {}
    start = time.perf_counter()
    staging = module.Staging(out)
    times["init"] = time.perf_counter() - start
    mark = time.perf_counter()
    for rel in rels:
        version = versions.get(rel, 0)
        key = f"{rel}:{version}"
        if not staging.is_current(rel, key):
            staging.put(rel, f"<p>{rel} version {version}</p>\n".encode(), key)
    times["files"] = time.perf_counter() - mark
    mark = time.perf_counter()
    staging.publish()
    times["publish"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    times["written"] = staging.written
    return times


def run(module: ModuleType, work: Path, files: int, changed: int, rebuilds: int) -> dict[str, Any]:
    out = work / "site"
    rels = layout(files)
    versions: dict[str, int] = {}
    full = _build(module, out, rels, versions)
    unchanged = _build(module, out, rels, versions)
    step = len(rels) // changed
    runs = []
    for rebuild in range(rebuilds):
        for rel in rels[rebuild::step][:changed]:
            versions[rel] = versions.get(rel, 0) + 1
        runs.append(_build(module, out, rels, versions))
    shutil.rmtree(work)
    return {
        "files": len(rels),
        "changed": changed,
        "full_build": full,
        "rebuild_unchanged": unchanged,
        "rebuilds": runs,
        "rebuild_median_s": statistics.median(r["total"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=400_000)
    parser.add_argument("--changed", type=int, default=40)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--old", help="a Git revision whose src/fmar/publish/output.py to measure too")
    parser.add_argument("--work", type=Path, default=None, help="where to build (default: a temporary folder)")
    args = parser.parse_args()
    implementations = {"new": ROOT / "src" / "fmar" / "publish" / "output.py"}
    with tempfile.TemporaryDirectory(prefix="fmar-staging-", dir=args.work) as tmp:
        if args.old:
            old = Path(tmp, "old_output.py")
            shown = subprocess.run(
                ["git", "show", f"{args.old}:src/fmar/publish/output.py"], cwd=ROOT, check=True, capture_output=True
            )
            old.write_bytes(shown.stdout)
            implementations = {"old": old, **implementations}
        results: dict[str, Any] = {"load_average": os.getloadavg(), "old_revision": args.old}
        for name, source in implementations.items():
            result = run(_module(source), Path(tmp, name), args.files, args.changed, args.rebuilds)
            results[name] = result
            parts = ", ".join(
                f"{part} {statistics.median(r[part] for r in result['rebuilds']):.2f} s"
                for part in ("init", "files", "publish")
            )
            print(
                f"{name}: {result['files']} files, full build {result['full_build']['total']:.1f} s; "
                f"rebuild with {args.changed} changed, median {result['rebuild_median_s']:.2f} s ({parts})",
                flush=True,
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"staging-{args.files}.json"
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
