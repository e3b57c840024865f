"""Benchmark of ``fmar build`` (site and exports), each figure beside a baseline measured in the same run.

    python benchmarks/site_build.py [--units 10000 100000] [--work DIR] [--baseline-units 500 2000]

For each size (registries from ``fmar generate``, cached in --work as ``benchmarks/run.py`` does):
  a. full build: empty output folder and empty validation cache, two worker processes;
  b. the first rebuild after it, nothing changed (it has no spare site to update yet, so it links
     every file of the live site: a one-off cost);
  c. rebuild after 10 Market Units were edited and properly re-signed by their FSPs
     (``fmar.writing.authoring.author`` with the synthetic keys), so the loader accepts them;
  d. rebuild with nothing changed;
  e. for the baseline sizes: plain mkdocs (the material theme, its defaults) building the same
     record pages as Markdown, against (a) on the same registry.
The edited files are restored afterwards, so the cached registry stays the generated one.

Before the full build the disk is settled (``--settle``): the registry is read once, as a fresh
clone leaves it in the page cache, dirty buffers are synced, and the run waits until files deleted
before it are a minute old. ext4 without a journal (as on these VMs) skips inodes freed in the
last 60 s (360 s while unsynced) when it allocates one, so creating 435,000 files just after
deleting as many (a previous run's temporary site) is quadratic in the kernel: measured here,
100,000 files took 43 s to create right after a mass delete and 3.1 s once settled.
Results go to benchmarks/results/site-<units>.json, with the load average at the time:
other processes may share the machine. ``run(units, work)`` is the entry point for run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: The seed ``fmar generate`` uses by default: its parties' keys are example_key(party, "synthetic-1").
SEED = 1
EDITS = 10
#: Page counts of the plain-mkdocs baseline.
BASELINE_PAGES = (500, 2000)
#: Seconds to let the disk settle before a full build (see the module's docstring).
SETTLE_S = 61.0


def _ensure_registry(work: Path, units: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import ensure_registry  # the registries benchmarks/run.py generates and caches

    return ensure_registry(work, units)


def resign_edits(registry: Path, count: int = EDITS, seed: int = SEED) -> dict[Path, bytes]:
    """Rename ``count`` Market Units and re-sign them with their FSP's synthetic key.

    Returns the original bytes of the edited files, to restore them.
    """
    from fmar.generate.keys import example_key
    from fmar.generate.synthetic import IDENTITY, NOW
    from fmar.loading.record_file import parse_text
    from fmar.writing.authoring import author, write

    originals: dict[Path, bytes] = {}
    for path in sorted((registry / "market_unit").rglob("*.yaml"))[:count]:
        raw = path.read_bytes()
        data, _, _ = parse_text(raw.decode())
        assert data is not None, path
        fields = {k: v for k, v in data.items() if k not in ("schema_version", "kind", "signature")}
        fields["name"] = "Renamed " + fields["name"]
        signer = data["signature"]["signer"]
        authored = author(
            "market_unit",
            fields,
            key=example_key(signer, f"synthetic-{seed}"),
            signer=signer,
            signed_at=NOW - timedelta(hours=1),
            registry=IDENTITY,
        )
        originals[path] = raw
        write(registry, authored)
    return originals


def settle(registry: Path, seconds: float) -> float:
    """Sync, read every registry file, and wait out the rest of ``seconds``; returns the seconds spent."""
    started = time.perf_counter()
    os.sync()
    for path in registry.rglob("*"):
        if path.is_file():
            path.read_bytes()
    time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
    return time.perf_counter() - started


def _build(root: Path, registry: Path, out: Path, jobs: int) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds and result of one build.

    CPU seconds count this process and its finished workers: unlike wall time, they hardly depend
    on what else the machine runs.
    """
    from fmar.generate.synthetic import NOW
    from fmar.publish.build import build

    cpu = _cpu()
    started = time.perf_counter()
    result = build(
        root,
        registry,
        out,
        NOW,
        jobs=jobs,
        log=lambda m: print(f"    [{time.perf_counter() - started:6.1f} s] {m}", flush=True),
    )
    return time.perf_counter() - started, _cpu() - cpu, result


def _cpu() -> float:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def markdown_pages(site: Path, docs: Path, limit: int) -> int:
    """The first ``limit`` record pages of a built site as Markdown (same facts and tables), for mkdocs."""
    api = site / "api" / "v1"
    count = 0
    for folder in ("parties", "products", "units", "applications"):
        target = docs / folder
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted((api / folder).glob("*.json")):
            if count >= limit:
                break
            doc = json.loads(path.read_text())
            record = doc["record"]
            lines = [f"# {record.get('name') or doc['id']}", "", f"`{doc['id']}` · signed by {doc['signer']}", ""]
            fields = {k: v for k, v in record.items() if not isinstance(v, (dict, list))}
            lines += ["| Field | Value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in fields.items()), ""]
            for product in doc.get("products", []):
                if isinstance(product, dict):
                    lines.append(f"- {product['product']} v{product['product_version']}: {product['status']}")
                else:
                    lines.append(f"- {product}")
            lines += ["", "## Timeline", ""]
            lines += [f"- {h['at']} {h['action']} {h['kind']} `{h['id']}` by {h['signer']}" for h in doc["history"]]
            (target / f"{path.stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
            count += 1
    (docs / "index.md").write_text("# Registry\n", encoding="utf-8")
    return count


def mkdocs_baseline(site: Path, work: Path, limit: int) -> tuple[int, float]:
    """Pages and seconds of a plain mkdocs-material build of ``limit`` of the site's record pages."""
    docs = work / "docs"
    pages = markdown_pages(site, docs, limit)
    (work / "mkdocs.yml").write_text("site_name: baseline\ntheme:\n  name: material\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(work / "mkdocs.yml")],
        check=True,
        capture_output=True,
    )
    return pages, time.perf_counter() - started


def run(
    units: int, work: Path, *, jobs: int = 2, baseline: tuple[int, ...] = BASELINE_PAGES, settle_s: float = SETTLE_S
) -> dict[str, Any]:
    """Measure ``fmar build`` on a generated registry of ``units``; write and return the results.

    ``baseline``: page counts on which to time plain mkdocs (skipped above 10,000 units: the
    same pages are timed on the smaller registry).
    """
    registry = _ensure_registry(work, units)
    root = registry.parent
    settled = settle(registry, settle_s)
    print(f"{units:,} units: disk settled and registry read in {settled:.1f} s", flush=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fmar-bench-site-") as tmp:
        previous_cache = os.environ.get("FMAR_CACHE_DIR")
        os.environ["FMAR_CACHE_DIR"] = str(Path(tmp, "cache"))
        out = Path(tmp, "site")
        try:
            full, full_cpu, result = _build(root, registry, out, jobs)
            print(f"{units:,} units: full build {full:.1f} s ({result.files:,} files)", flush=True)
            # The first build after a full one has no spare site yet to update, so it links every
            # file of the live site into the new one; from then on builds are in their steady state.
            first, _, _ = _build(root, registry, out, jobs)
            print(f"  first rebuild after the full build (nothing changed) {first:.1f} s", flush=True)
            originals = resign_edits(registry)
            try:
                rebuild, rebuild_cpu, edited = _build(root, registry, out, jobs)
                scope = "full" if edited.full else f"{edited.derived_units} units derived"
                print(f"  rebuild after {EDITS} re-signed edits {rebuild:.1f} s ({scope})", flush=True)
                nothing, nothing_cpu, unchanged = _build(root, registry, out, jobs)
                print(f"  rebuild with nothing changed {nothing:.1f} s", flush=True)
            finally:
                for path, raw in originals.items():
                    path.write_bytes(raw)
            renamed = json.loads((out / "api/v1/units" / f"{sorted(originals)[0].stem}.json").read_text())
            assert renamed["record"]["name"].startswith("Renamed "), "the edit must reach the exports"
            bulk = (out / "api/v1/all.zip").stat().st_size
            figures: dict[str, Any] = {
                "units": units,
                "settle_s": settle_s,
                "records": result.records,
                "files": result.files,
                "full_build_s": round(full, 2),
                "first_rebuild_after_full_s": round(first, 2),
                "rebuild_after_10_edits_s": round(rebuild, 2),
                "record_files_rewritten_after_10_edits": edited.pages_written,
                "rebuild_after_10_edits_was_partial": not edited.full,
                "units_derived_after_10_edits": edited.derived_units,
                "rebuild_nothing_changed_s": round(nothing, 2),
                "record_files_rewritten_nothing_changed": unchanged.pages_written,
                "bulk_zip_bytes": bulk,
                "full_build_cpu_s": round(full_cpu, 1),
                "rebuild_after_10_edits_cpu_s": round(rebuild_cpu, 1),
                "rebuild_nothing_changed_cpu_s": round(nothing_cpu, 1),
            }
            record_pages = result.record_pages
            figures["record_pages"] = record_pages
            figures["full_build_record_pages_per_s"] = round(record_pages / full, 1)
            for limit in baseline if units <= 10_000 else ():
                pages, seconds = mkdocs_baseline(out, Path(tmp, f"mkdocs-{limit}"), limit)
                print(f"  mkdocs baseline: {pages:,} pages in {seconds:.1f} s", flush=True)
                figures[f"mkdocs_{pages}_pages_s"] = round(seconds, 2)
                figures[f"mkdocs_{pages}_pages_per_s"] = round(pages / seconds, 1)
        finally:
            if previous_cache is None:
                os.environ.pop("FMAR_CACHE_DIR", None)
            else:
                os.environ["FMAR_CACHE_DIR"] = previous_cache
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "jobs": jobs,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"site-{units}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[500, 2000, 10_000, 100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument(
        "--settle", type=float, default=SETTLE_S, help="seconds to let the disk settle before each full build"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for units in args.units:
        run(units, args.work, jobs=args.jobs, settle_s=args.settle)
    print(f"results in {RESULTS}/site-<units>.json")


if __name__ == "__main__":
    main()
