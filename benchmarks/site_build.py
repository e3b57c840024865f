"""Benchmark of ``fmar build`` (site and exports), each figure beside a baseline measured in the same run.

    python benchmarks/site_build.py [--units 10000 100000] [--work DIR] [--baseline-units 500 2000]
    python benchmarks/site_build.py --ci [--units 2000 100000] [--work DIR] [--scratch DIR]

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

``--ci`` (``run_ci``) measures instead what the publish workflow does, run after run. The registry
is committed in a repository (cloned when the one in --work is a repository already, never
changed), with fmar's site/ beside it as fmar's own repository has. Each run, as on a GitHub
runner: the runner's folder is emptied, the repository cloned to the same path, a new virtual
environment made and fmar installed into it from this work tree (``pip install -c
requirements/constraints.txt``, timed apart), fmar's cache folder and ``_site``/``._site.spare``
restored (copied: new files, as actions/cache extracts them) from the previous run, the workflow's
checks run in its order (``fmar validate``, ``verify`` and ``audit``, each timed apart: they share
the cache folder with the build, and the restore's writeback to disk goes on while they run, as on
a runner), then ``fmar build --out _site`` timed, and the three folders saved for the next run:
  1. a full build (nothing to restore);
  2. 10 Market Units re-signed and committed: the first rebuild after the full build (no spare
     site yet: it links every unchanged file from the restored site);
  3. 10 more committed: a rebuild restoring the spare site the previous run left.
Targets for 2 and 3: under 15 s at 100,000 units. Results go to benchmarks/results/ci-build-<units>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from fmar.publish.urls import API_ROOT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: The seed ``fmar generate`` uses by default: its parties' keys are example_key(party, "synthetic-1").
SEED = 1
EDITS = 10
#: Page counts of the plain-mkdocs baseline.
BASELINE_PAGES = (500, 2000)
#: The steps publish.yml runs between restoring its cache and building, in its order.
WORKFLOW_CHECKS = ("validate", "verify", "audit")
#: Seconds to let the disk settle before a full build (see the module's docstring).
SETTLE_S = 61.0


def _ensure_registry(work: Path, units: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import ensure_registry  # the registries benchmarks/run.py generates and caches

    return ensure_registry(work, units)


def _machine(load_before: tuple[float, ...], **extra: Any) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import machine  # imported here: run.py imports this module

    return machine(load_before, **extra)


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
    sys.path.insert(0, str(Path(__file__).parent))
    from run import timed_build

    cpu = _cpu()
    seconds, result = timed_build(root, registry, out, jobs)
    return seconds, _cpu() - cpu, result


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
            renamed = json.loads((out / API_ROOT / "units" / f"{sorted(originals)[0].stem}.json").read_text())
            assert renamed["record"]["name"].startswith("Renamed "), "the edit must reach the exports"
            bulk = (out / API_ROOT / "all.zip").stat().st_size
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
    figures["machine"] = _machine(load_before, jobs=jobs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"site-{units}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "fmar benchmark",
    "GIT_AUTHOR_EMAIL": "benchmark@fmar.example",
    "GIT_COMMITTER_NAME": "fmar benchmark",
    "GIT_COMMITTER_EMAIL": "benchmark@fmar.example",
}


def _git(cwd: Path, *args: str, when: int | None = None) -> str:
    env = {**os.environ, **_GIT_IDENTITY}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when} +0000"
    done = subprocess.run(
        # No automatic gc: one started in the background after a commit packs and deletes the loose
        # objects a clone may be copying.
        ["git", "-c", "commit.gpgsign=false", "-c", "gc.auto=0", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _commit(repo: Path, message: str) -> None:
    """Commit everything an hour after the head (the head's time is the build's as-of time)."""
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, when=int(_git(repo, "log", "-1", "--format=%ct")) + 3600)


def make_origin(source: Path, origin: Path) -> None:
    """The repository CI clones: the registry folder ``source`` (and its trust anchor) committed,
    with fmar's hand-written site/ beside it. ``source``'s folder is cloned when it is a
    repository (it is never changed), else copied into a new one."""
    top = source.parent
    if (top / ".git").exists():
        _git(top, "clone", "-q", "--no-hardlinks", str(top), str(origin))
    else:
        shutil.copytree(top, origin, ignore=shutil.ignore_patterns(".complete"))
        _git(origin, "init", "-q", "-b", "main")
        _git(origin, "add", "-A")
        from fmar.generate.synthetic import NOW

        _git(origin, "commit", "-q", "-m", "generated registry", when=int(NOW.timestamp()) + 86_400)
    shutil.copytree(ROOT / "site", origin / "site")
    _commit(origin, "fmar's hand-written documentation, as fmar's repository has it")
    _git(origin, "repack", "-adq")  # packed, as a remote is


def _timed(command: list[str], **kwargs: Any) -> tuple[float, float, str]:
    """Wall and CPU seconds (of the child and its children) and the output of ``command``."""
    cpu = _cpu()
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - started, _cpu() - cpu, done.stdout + done.stderr


def ci_run(origin: Path, runner: Path, saved: Path, settle_s: float = 0.0) -> dict[str, Any]:
    """One run of the publish workflow's build job on a new runner: clone, install, restore, build, save."""
    checkout, cache, venv = runner / "work" / "repo", runner / "home" / ".cache" / "fmar", runner / "venv"
    if runner.exists():
        shutil.rmtree(runner)
    checkout.parent.mkdir(parents=True)
    clone, _, _ = _timed(["git", "clone", "-q", "--no-hardlinks", str(origin), str(checkout)])
    install, _, _ = _timed([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    seconds, _, _ = _timed([*pip, "-c", str(ROOT / "requirements" / "constraints.txt"), str(ROOT)])
    install += seconds
    restore = 0.0
    if saved.is_dir():
        cache.parent.mkdir(parents=True)
        restore, _, _ = _timed(["cp", "-a", str(saved / "cache"), str(cache)])
        # One cp for both folders keeps the hard links between them (tar in actions/cache does too).
        outputs = [str(saved / name) for name in ("_site", "._site.spare") if (saved / name).is_dir()]
        seconds, _, _ = _timed(["cp", "-a", *outputs, str(checkout)])
        restore += seconds
    if settle_s:
        settle(checkout / "registry", settle_s)
    env = {**os.environ, "FMAR_CACHE_DIR": str(cache)}
    env.pop("VIRTUAL_ENV", None)
    checks = {}
    for step in WORKFLOW_CHECKS:
        seconds, _, _ = _timed([str(venv / "bin" / "fmar"), step, "--format", "github"], cwd=checkout, env=env)
        checks[step] = round(seconds, 2)
    build, build_cpu, output = _timed([str(venv / "bin" / "fmar"), "build", "--out", "_site"], cwd=checkout, env=env)
    print(output, end="", flush=True)
    found = re.search(
        r"\((full build|(\d+) Market Units derived again)\): .* (\d+) files rewritten, (\d+) files", output
    )
    assert found, output
    if saved.exists():
        shutil.rmtree(saved)
    saved.mkdir(parents=True)
    shutil.move(cache, saved / "cache")
    for name in ("_site", "._site.spare"):
        if (checkout / name).is_dir():
            shutil.move(checkout / name, saved / name)
    return {
        "clone_s": round(clone, 2),
        "install_s": round(install, 2),
        "restore_s": round(restore, 2),
        "checks_s": checks,
        "build_s": round(build, 2),
        "build_cpu_s": round(build_cpu, 1),
        "full": found.group(1) == "full build",
        "units_derived": None if found.group(2) is None else int(found.group(2)),
        "record_files_rewritten": int(found.group(3)),
        "files": int(found.group(4)),
    }


def run_ci(units: int, work: Path, scratch: Path | None = None, settle_s: float = SETTLE_S) -> dict[str, Any]:
    """The publish workflow's build job, three runs in a row (see the module's docstring)."""
    registry = _ensure_registry(work, units)
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fmar-bench-ci-", dir=scratch) as tmp:
        origin, runner, saved = Path(tmp, "origin"), Path(tmp, "runner"), Path(tmp, "actions-cache")
        make_origin(registry, origin)
        full = ci_run(origin, runner, saved, settle_s)
        print(
            f"{units:,} units, CI run 1: full build {full['build_s']} s (install {full['install_s']} s, "
            f"checks {full['checks_s']})",
            flush=True,
        )
        runs = [full]
        for number in (2, 3):
            resign_edits(origin / "registry", EDITS)
            _commit(origin, f"{EDITS} Market Units edited and re-signed")
            figures = ci_run(origin, runner, saved)
            scope = "full" if figures["full"] else f"{figures['units_derived']} units derived"
            print(
                f"  CI run {number}: build {figures['build_s']} s ({scope}); install {figures['install_s']} s, "
                f"restore {figures['restore_s']} s, checks {figures['checks_s']}",
                flush=True,
            )
            runs.append(figures)
        name = sorted((origin / "registry" / "market_unit").rglob("*.yaml"))[0].stem
        renamed = json.loads((saved / "_site" / API_ROOT / "units" / f"{name}.json").read_text())
        assert renamed["record"]["name"].startswith("Renamed Renamed "), "both edits must reach the exports"
    first, steady = runs[1], runs[2]
    result: dict[str, Any] = {
        "units": units,
        "command": "python " + " ".join(sys.argv),
        "edits_per_run": EDITS,
        "full_build_s": full["build_s"],
        "first_rebuild_after_full_s": first["build_s"],
        "first_rebuild_after_full_partial": not first["full"],
        "first_rebuild_after_full_units_derived": first["units_derived"],
        "rebuild_s": steady["build_s"],
        "rebuild_partial": not steady["full"],
        "rebuild_units_derived": steady["units_derived"],
        "install_s": [r["install_s"] for r in runs],
        "runs": runs,
        "sequence_s": round(time.perf_counter() - started, 1),
        "machine": _machine(load_before),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ci-build-{units}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[500, 2000, 10_000, 100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument(
        "--settle", type=float, default=SETTLE_S, help="seconds to let the disk settle before each full build"
    )
    parser.add_argument("--ci", action="store_true", help="the publish workflow's sequence instead (run_ci)")
    parser.add_argument(
        "--scratch", type=Path, default=None, help="where --ci makes its runner (default: the temp dir)"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for units in args.units:
        if args.ci:
            run_ci(units, args.work, args.scratch, settle_s=args.settle)
        else:
            run(units, args.work, jobs=args.jobs, settle_s=args.settle)
    print(f"results in {RESULTS}/{'ci-build' if args.ci else 'site'}-<units>.json")


if __name__ == "__main__":
    main()
