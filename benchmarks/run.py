"""Registry benchmarks: every figure is measured against a baseline in the same run.

    python benchmarks/run.py [--sizes 10000 100000] [--work DIR] [--sample 5000]

For each size it generates (once, cached in --work) a synthetic registry and reports:
  a. `fmar validate`, cold (empty cache), two worker processes: schemas, rules, and every
     signature verified and judged (the default);
  b. its floor: reading every file, parsing it with PyYAML's C loader, canonicalizing it
     (RFC 8785, the ``rfc8785`` package) and verifying its ed25519 signature with
     ``cryptography``, nothing else, in one process;
  a2. `fmar validate --unsafe-skip-signatures`, cold: the data alone;
  b2. its floor: reading and parsing every file with PyYAML's C loader, in one process;
  c. check-jsonschema validating files against fmar's own schemas (the peer a registry would
     otherwise use), on a stratified sample, as files per second and extrapolated to all files;
  d. `fmar validate`, warm, with nothing changed since the last run.
Targets (2 cores, 100,000 units): a <= b; a2 <= b2; c / a >= 10; d < 5 s.
Results go to benchmarks/results/<size>.json and a table in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"

WARM_UP = """
import os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            handle.read()
"""

#: The floors: the least work that reads every file (and, with "verify", checks its signature), in
#: one process (the baseline the data-only target was set against).
FLOOR = """
import base64, os, struct, sys
import yaml

VERIFY = sys.argv[2] == "verify"

def verify(data):
    import hashlib, rfc8785
    from cryptography.hazmat.primitives.asymmetric import ed25519
    block = dict(data["signature"])
    armored = block.pop("value")
    message = rfc8785.dumps({**data, "signature": block})
    blob = base64.b64decode("".join(armored.strip().splitlines()[1:-1]))
    at = 10
    fields = []
    for _ in range(5):
        (size,) = struct.unpack(">I", blob[at : at + 4])
        fields.append(blob[at + 4 : at + 4 + size])
        at += 4 + size
    key, namespace, reserved, algorithm, signature = fields
    (size,) = struct.unpack(">I", key[:4])
    public = key[8 + size :]
    (size,) = struct.unpack(">I", signature[:4])
    raw = signature[8 + size :]
    def string(value):
        return struct.pack(">I", len(value)) + value
    signed = b"SSHSIG" + string(namespace) + string(reserved) + string(algorithm) + string(
        hashlib.sha512(message).digest()
    )
    ed25519.Ed25519PublicKey.from_public_bytes(public).verify(raw, signed)

def chunk(paths):
    for path in paths:
        with open(path, "rb") as handle:
            data = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        if VERIFY:
            verify(data)
    return len(paths)

if __name__ == "__main__":
    paths = [os.path.join(folder, name) for folder, _, names in os.walk(sys.argv[1]) for name in names]
    print(chunk(paths))
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def ensure_registry(work: Path, units: int) -> Path:
    registry = work / f"units-{units}" / "registry"
    marker = registry.parent / ".complete"
    if marker.exists():
        return registry
    if registry.exists():
        subprocess.run(["rm", "-rf", str(registry)], check=True)
    print(f"generating {units:,} units ...", flush=True)
    elapsed, out = timed([str(BIN / "fmar"), "generate", "--units", str(units), "--out", str(registry), "-j", "2"])
    print(f"  {out.strip()} in {elapsed:.1f} s", flush=True)
    marker.write_text(out)
    return registry


def sample_files(registry: Path, size: int, seed: int = 7) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for kind_dir in sorted(registry.iterdir()):
        by_kind[kind_dir.name] = sorted(str(p) for p in kind_dir.rglob("*.yaml"))
    total = sum(len(v) for v in by_kind.values())
    rng = random.Random(seed)
    return {k: rng.sample(v, max(1, round(size * len(v) / total))) for k, v in by_kind.items() if v}


def check_jsonschema(registry: Path, sample: int) -> tuple[int, float]:
    chosen = sample_files(registry, sample)
    files, elapsed = 0, 0.0
    for kind, paths in chosen.items():
        schema = ROOT / "schemas" / f"{kind}.v1.schema.json"
        for start in range(0, len(paths), 2000):
            batch = paths[start : start + 2000]
            seconds, _ = timed([str(BIN / "check-jsonschema"), "--schemafile", str(schema), *batch])
            elapsed += seconds
            files += len(batch)
    return files, elapsed


def bench(units: int, work: Path, sample: int) -> dict[str, object]:
    registry = ensure_registry(work, units)
    files = sum(1 for _ in registry.rglob("*.yaml"))
    print(f"{units:,} units: {files:,} files", flush=True)
    # Read every file once first, so neither fmar nor the floor pays for the disk: both are
    # measured with the operating system's page cache warm, and "cold" means fmar's own cache.
    timed([sys.executable, "-c", WARM_UP, str(registry)])
    cache = Path(tempfile.mkdtemp(prefix="fmar-bench-cache-"))
    env = {**os.environ, "FMAR_CACHE_DIR": str(cache)}
    validate = [str(BIN / "fmar"), "validate", "--registry", str(registry), "--format", "json", "-j", "2"]
    cold, out = timed(validate, env)
    summary = json.loads(out)
    print(f"  a. fmar validate cold: {cold:.1f} s ({summary['errors']} errors, {summary['warnings']} warnings)")
    floor, _ = timed([sys.executable, "-c", FLOOR, str(registry), "verify"])
    print(f"  b. floor, parse + canonicalize + verify: {floor:.1f} s")
    # The data-only run has a cache of its own: fmar keeps one mode's results at a time.
    data_cache = Path(tempfile.mkdtemp(prefix="fmar-bench-cache-"))
    data_only, _ = timed([*validate, "--unsafe-skip-signatures"], {**env, "FMAR_CACHE_DIR": str(data_cache)})
    subprocess.run(["rm", "-rf", str(data_cache)], check=False)
    print(f"  a2. fmar validate --unsafe-skip-signatures cold: {data_only:.1f} s")
    parse_floor, _ = timed([sys.executable, "-c", FLOOR, str(registry), "parse"])
    print(f"  b2. floor, PyYAML C-loader parse: {parse_floor:.1f} s")
    checked, cj_seconds = check_jsonschema(registry, sample)
    cj_rate = checked / cj_seconds
    cj_full = files / cj_rate
    print(f"  c. check-jsonschema: {cj_rate:,.0f} files/s on {checked:,} sampled files -> {cj_full:.0f} s for all")
    warm, _ = timed(validate, env)
    print(f"  d. fmar validate warm: {warm:.2f} s")
    result = {
        "units": units,
        "files": files,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "validate_cold_s": round(cold, 2),
        "verify_floor_s": round(floor, 2),
        "validate_data_only_cold_s": round(data_only, 2),
        "pyyaml_floor_s": round(parse_floor, 2),
        "data_only_vs_floor": round(data_only / parse_floor, 3),
        "check_jsonschema_files_per_s": round(cj_rate, 1),
        "check_jsonschema_sampled_files": checked,
        "check_jsonschema_extrapolated_s": round(cj_full, 1),
        "validate_warm_s": round(warm, 2),
        "cold_vs_floor": round(cold / floor, 3),
        "check_jsonschema_vs_cold": round(cj_full / cold, 1),
        "validate_files_per_s": round(files / cold, 1),
        "findings": {"errors": summary["errors"], "warnings": summary["warnings"]},
    }
    subprocess.run(["rm", "-rf", str(cache)], check=False)
    return result


def timed_build(root: Path, registry: Path, out: Path, jobs: int = 2, **options: Any) -> tuple[float, Any]:
    """Wall seconds and result of one ``fmar build`` of ``registry`` into ``out`` as of the synthetic
    registry's time, its progress printed with the seconds since it started."""
    from fmar.generate.synthetic import NOW
    from fmar.publish.build import build

    started = time.perf_counter()
    result = build(
        root,
        registry,
        out,
        NOW,
        jobs=jobs,
        log=lambda m: print(f"    [{time.perf_counter() - started:6.1f} s] {m}", flush=True),
        **options,
    )
    return time.perf_counter() - started, result


def machine(load_before: tuple[float, ...] | list[float], **extra: Any) -> dict[str, Any]:
    """What a result records of the machine it was measured on: cores, Python, platform, ``extra``,
    and the load averages before and after the measurement (others may share the machine)."""
    return {
        "cpus": os.cpu_count(),
        **extra,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def write_results(results: list[dict[str, object]]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    for result in results:
        (RESULTS / f"validate-{result['units']}.json").write_text(json.dumps(result, indent=2) + "\n")
    write_tables()


def write_tables() -> None:
    """benchmarks/RESULTS.md from every result recorded in benchmarks/results/ (this script and trust_check.py
    rewrite it after recording theirs)."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` and `benchmarks/trust_check.py` from `benchmarks/results/`. Ratios are "
        "against baselines measured in the same run.",
        "",
        "| Units | Files | a. validate cold | b. floor: parse, canonicalize, verify | a/b (target <= 1) "
        "| a2. validate cold, signatures skipped | b2. PyYAML floor | a2/b2 (target <= 1) "
        "| c. check-jsonschema (extrapolated) | c/a (target >= 10) | d. validate warm (target < 5 s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(RESULTS.glob("validate-*.json"), key=lambda p: int(p.stem.split("-")[1])):
        r = json.loads(path.read_text())
        lines.append(
            f"| {r['units']:,} | {r['files']:,} | {r['validate_cold_s']} s | {r.get('verify_floor_s', '-')} s | "
            f"{r['cold_vs_floor']} | {r.get('validate_data_only_cold_s', '-')} s | {r['pyyaml_floor_s']} s | "
            f"{r.get('data_only_vs_floor', '-')} | {r['check_jsonschema_extrapolated_s']} s "
            f"({r['check_jsonschema_files_per_s']} files/s) | "
            f"{r['check_jsonschema_vs_cold']}x | {r['validate_warm_s']} s |"
        )
    lines += other_results()
    (ROOT / "benchmarks" / "RESULTS.md").write_text("\n".join(lines) + "\n")


def _load(pattern: str) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text()) for p in sorted(RESULTS.glob(pattern))]
    return sorted(found, key=lambda r: (r.get("units", 0), r.get("first_parent_commits", 0)))


def other_results() -> list[str]:
    """Tables for the gate, history and site benchmarks (written by their own scripts)."""
    lines = ["", "## The pull-request gate (`benchmarks/trust_check.py`)", ""]
    lines += [
        "| Units | Files | Records changed | fmar check, median (target < 1.5 s) "
        "| first run, no cache: builds the index (target < 3 s) |"
    ]
    lines += ["|---|---|---|---|---|"]
    for r in _load("trust-check-*.json"):
        lines.append(
            f"| {r['units']:,} | {r['files']:,} | {r['records_changed']} | {r['median_s']} s | {r['cold_s']} s |"
        )
    histories = _load("history-*.json")
    for r in histories:
        if "layouts" in r:
            lines += history_section(r)
    lines += ["", "## History, flat layout, units only (the earlier `benchmarks/history_bench.py`)", ""]
    lines += [
        "| Units | First-parent commits | Full extraction (target < 20 s) | One new commit: recorded times "
        "(target < 1 s) | One new commit: index | Baseline: one git log per file (extrapolated) "
        "| GitPython (extrapolated) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in histories if "layouts" not in r):
        lines.append(
            f"| {r['units']:,} | {r['first_parent_commits']:,} | {r['full_extraction_s']} s | "
            f"{r['new_commit_recorded_times_s']} s | {r['new_commit_index_s']} s | "
            f"{r['naive_extrapolated_s']:,.0f} s | {r['gitpython_extrapolated_s']:,.0f} s |"
        )
    lines += ["", "## Site and exports (`benchmarks/site_build.py`)", ""]
    lines += [
        "| Units | Full build (target < 180 s at 100,000) | Rebuild after 10 edits (target < 15 s) "
        "| Rebuild, nothing changed | First rebuild after a full build | Baseline: plain mkdocs, 500 / 2,000 pages |",
        "|---|---|---|---|---|---|",
    ]
    for r in _load("site-*.json"):
        baseline = f"{r.get('mkdocs_500_pages_s', '-')} s / {r.get('mkdocs_2000_pages_s', '-')} s"
        lines.append(
            f"| {r['units']:,} | {r['full_build_s']} s | {r['rebuild_after_10_edits_s']} s | "
            f"{r['rebuild_nothing_changed_s']} s | {r.get('first_rebuild_after_full_s', '-')} s | {baseline} |"
        )
    lines += search_section()
    lines += pages_artifact_section(_load("pages-artifact-*.json"))
    lines += ["", "## Publishing in CI: fresh clone and install, cache restored (`benchmarks/site_build.py --ci`)", ""]
    lines += [
        "Each run clones to the same path, installs fmar into a new virtual environment, restores fmar's cache "
        "folder, `_site` and `._site.spare` from the run before, and times `fmar build --out _site` (wall; the "
        "build's CPU beside). Each commit is an hour after the one before, so the units whose statuses change in "
        "that hour are derived again beside the 10 edited.",
        "",
        "| Units | Full build (run 1) | First rebuild after the full build, 10 units committed (target < 15 s) "
        "| Next rebuild, 10 more (target < 15 s) | Units derived | Install, per run (information) "
        "| Load average (1 min) before; after | Command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in _load("ci-build-*.json"):
        first, steady = r["runs"][1], r["runs"][2]
        derived = f"{r['first_rebuild_after_full_units_derived']} / {r['rebuild_units_derived']}"
        installs = " / ".join(f"{s} s" for s in r["install_s"])
        load = r["machine"]
        lines.append(
            f"| {r['units']:,} | {r['full_build_s']} s | {r['first_rebuild_after_full_s']} s "
            f"(CPU {first['build_cpu_s']} s) | {r['rebuild_s']} s (CPU {steady['build_cpu_s']} s) | {derived} | "
            f"{installs} | {load['load_average_before'][0]}; {load['load_average_after'][0]} | `{r['command']}` |"
        )
    lines += ["", "## The move to the layout (`benchmarks/migrate_bench.py`)", ""]
    lines += [
        "| Units | Records moved | fmar migrate layout --commit KEY | Objects written | fmar check of the move "
        "| Gate findings | Largest folder after |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in _load("migrate-*.json"):
        lines.append(
            f"| {r['units']:,} | {r['records_moved']:,} | {r['migrate_seconds']} s | {r['loose_objects_written']:,} "
            f"({r['loose_kib_written'] / 1024:,.0f} MiB, loose) | {r['gate_seconds']} s | {len(r['gate_findings'])} | "
            f"{r['largest_folder_entries']:,} (`{r['largest_folder']}`) |"
        )
    return lines


def search_section() -> list[str]:
    """The search benchmark (``benchmarks/search_bench.py``): each engine's answer times in Chromium,
    the queries it found what they name, bytes and its index."""
    results = _load("search-*.json")
    if not results:
        return []
    lines = ["", "## Search in the browser: Pagefind against the site's own (`benchmarks/search_bench.py`)", ""]
    lines += [
        "Headless Chromium, the site served on 127.0.0.1 under `/fmar/`. Cold: a new browser context, the "
        "page loaded, its first query (for Pagefind including pagefind.js, its WebAssembly and metadata); warm: "
        "the engine used before, this query not; repeat: the same query again. The unit table's times include its "
        "input debounce (after it: the figure in brackets). Found: queries whose record (a unit "
        "`MU-…-000001` for `0001`, the product page for `NESO-DC`, the party page for a party's name, …) is "
        "among the first 10 results. Bytes: response bodies of a cold query, median (gzip-compressed as a host "
        "would send them).",
        "",
        "| Units | Engine | Cold median / max (target < 200 ms) | Warm median / max | Repeat median "
        "| Found in top 10 | Bytes of a cold query, median / max (gzip); of the page "
        "| Index: files, size (on disk) | Indexing | From `file://` | Load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        old = r["current_search_index"]
        debounce = old.get("debounce_ms") or 0
        load = r["machine"]["load_average_before"][0], r["machine"]["load_average_after"][0]
        for name, e in r["engines"].items():
            if "skipped" in e:
                lines.append(f"| {r['units']:,} | {name} | skipped: {e['skipped']} |  |  |  |  |  |  |  |  |")
                continue
            s = e["summary"]
            wait = debounce if name == "units-table" else 0
            if name == "pagefind":
                p = r["pagefind"]
                index = f"{p['index']['files']:,}, {_mib(p['index']['bytes'])} ({_mib(p['index']['disk_bytes'])})"
                indexing = f"{p.get('index_s', '-')} s, {p.get('max_rss_mib', '-')} MiB peak"
            elif name == "units-table":
                index = f"{old['files']:,}, {_mib(old['bytes'])} (`search/*.js`)"
                indexing = "in `fmar build`"
            else:
                index = indexing = "in `fmar build`"
            f = e["file_url"]
            file_url = (
                f"works (`{f.get('query', 'NESO-DC')}` {'found' if f.get('found') else 'not found'})"
                if f["works"]
                else "fails: " + f["error"].removeprefix("Page.evaluate: ")[:120]
            )
            lines.append(
                f"| {r['units']:,} | {name} | {_ms(s, 'cold', wait)} | {_ms(s, 'warm', wait)} | "
                f"{s['repeat']['median_ms']:,.0f} ms | "
                f"{s['queries_found_in_top_10']} / {s['queries']} | {_kib(s['cold_bytes_median'])} / "
                f"{_kib(s.get('cold_bytes_max', 0))} ({_kib(s['cold_gzip_bytes_median'])} / "
                f"{_kib(s.get('cold_gzip_bytes_max', 0))}); page {_kib(s['page_load']['bytes'])} "
                f"({_kib(s['page_load']['gzip_bytes'])}) | {index} | {indexing} | {file_url} | {load[0]}; {load[1]} |"
            )
    lines += ["", "Per query (cold median ms; rank of the record it must find, `-` beyond 100):", ""]
    for r in results:
        engines = [n for n, e in r["engines"].items() if "skipped" not in e]
        lines += [f"| {r['units']:,} units: query | Must find | " + " | ".join(engines) + " |"]
        lines += ["|---|---|" + "---|" * len(engines)]
        for q in r["queries"]:
            cells = []
            for n in engines:
                entry = r["engines"][n]["queries"][q["query"]]
                found = entry["rank"] if entry["rank"] is not None else "-"
                cold = f"{statistics.median(entry['cold_ms']):,.0f} ms" if entry["cold_ms"] else "failed"
                cells.append(f"{cold}; {found} of {entry['total']}")
            lines.append(f"| `{q['query']}` ({q['label']}) | {q['wants']} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _ms(summary: dict[str, Any], mode: str, debounce: int) -> str:
    """Median / max ms of a mode; less the debounce in brackets when there is one."""
    median, most = summary[mode]["median_ms"], summary[mode]["max_ms"]
    if median is None:
        return "no answer"
    text = f"{median:,.0f} / {most:,.0f} ms"
    return text + f" ({median - debounce:,.0f} / {most - debounce:,.0f})" if debounce else text


def _kib(value: float) -> str:
    return f"{value / 1024:,.0f} KiB"


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB"


def pages_artifact_section(results: list[dict[str, Any]]) -> list[str]:
    """What GitHub Pages is given (``benchmarks/pages_artifact.py``): one line per run, then each run's
    breakdown by kind and its largest files."""
    lines = ["", "## The GitHub Pages artifact (`benchmarks/pages_artifact.py`)", ""]
    lines += [
        "The site as `actions/upload-pages-artifact` packs it (`tar --dereference --hard-dereference -cvf "
        "artifact.tar --exclude=.git --exclude=.github .` in the folder). A published site may be at most 1 GB; "
        "the aim is 700 MB at 100,000 units. Bytes in the tar count each file's 512-byte header and padding.",
        "",
        "| Units | Run | artifact.tar (limit 1 GB, aim 700 MB) | gzip -6 (information) | Files | Bulk files left out "
        "(release assets) | Largest file in the artifact |",
        "|---|---|---|---|---|---|---|",
    ]
    results = sorted(results, key=lambda r: (r["units"], r.get("label") != "before", r.get("label", "")))
    for r in results:
        largest = r["largest_files"][0] if r["largest_files"] else {"path": "-", "bytes": 0}
        bulk = r.get("bulk_files") or {}
        left_out = f"{len(bulk)} files, {_mb(sum(bulk.values()))}" if bulk else "none"
        verdict = "within the aim" if r["within_aim"] else "within the limit" if r["within_limit"] else "OVER the limit"
        gz = r.get("artifact_gzip_bytes")
        lines.append(
            f"| {r['units']:,} | {r.get('label') or 'current'} | {_mb(r['artifact_tar_bytes'])} ({verdict}) | "
            f"{_mb(gz) if gz else '-'} | {r['files']:,} | {left_out} | `{largest['path']}` {_mb(largest['bytes'])} |"
        )
    for r in results:
        if r["units"] < 100_000:
            continue
        lines += ["", f"{r['units']:,} units, {r.get('label') or 'current'} (`{r['command']}`):", ""]
        lines += ["| Kind | Files | Bytes | Bytes in the tar |", "|---|---|---|---|"]
        for kind, line in r["by_kind"].items():
            lines.append(f"| {kind} | {line['files']:,} | {_mb(line['bytes'])} | {_mb(line['tar_bytes'])} |")
        shown = ", ".join(f"`{f['path']}` {_mb(f['bytes'])}" for f in r["largest_files"][:8])
        lines += ["", f"Largest files: {shown}."]
    return lines


def _mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def history_section(r: dict[str, Any]) -> list[str]:
    """The section of one run of ``benchmarks/history_bench.py``: every layout side by side, the ratios
    sharded / flat, and the issue's targets."""
    layouts = r["layouts"]
    names = list(layouts)
    first = layouts[names[0]]
    commits = " and ".join(f"{v['first_parent_commits']:,} ({k})" for k, v in layouts.items())
    head = f"{r['units']:,} units × {layouts.get('sharded', first)['first_parent_commits']:,} commits"
    lines = ["", f"## History at national scale: {head}, sharded vs flat layout (`benchmarks/history_bench.py`)", ""]
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in r["records_by_kind"].items())
    machine = r["machine"]
    lines += [
        f"`{r['command']}`: {r['units']:,} units of {r['fsps']} FSPs (Zipf), {kinds}, plus parties and "
        f"products; first-parent commits: {commits}, a quarter of them `--no-ff` merges. "
        f"{machine['cpus']} cores, {machine['git']}; the whole run took {r['total_s'] / 60:.0f} min. Timings are "
        "the best of several runs, the median beside; the load averages say what else the machine was doing.",
        "",
    ]
    ratios = r.get("ratios_sharded_vs_flat", {})
    targets = r.get("targets", {})

    def commit(v: dict[str, Any]) -> dict[str, Any]:
        return v["one_record_git_commit"]

    def branch(v: dict[str, Any]) -> dict[str, Any]:
        return v["deleted_branch"]

    def tuned(v: dict[str, Any]) -> dict[str, Any]:
        return commit(v).get("tuned", {})

    def sparse(v: dict[str, Any]) -> dict[str, Any]:
        return v["one_record_git_commit_sparse"]

    rows: list[tuple[str, Callable[[dict[str, Any]], str], str, str]] = [
        ("First-parent commits", lambda v: f"{v['first_parent_commits']:,}", "", ""),
        ("Records at the head", lambda v: f"{v['records']:,}", "", ""),
        ("Build with git fast-import (information)", lambda v: f"{v['build_repo_s']:,} s", "", ""),
        ("`git repack -adq` (information)", lambda v: f"{v['repack_s']:,} s", "", ""),
        ("Pack size after the repack", lambda v: _mib(v["pack_bytes_after_repack"]), "", ""),
        (
            "Largest folder under registry/ (entries)",
            lambda v: f"{v['largest_folder_entries']:,} (`{v['largest_folder']}`)",
            "largest_folder",
            "largest_folder",
        ),
        ("Folders under registry/", lambda v: f"{v['folders']:,}", "", ""),
        (
            "Full extraction: index + recorded times, no cache (best; median)",
            lambda v: f"{v['full_extraction_s']} s; {v['full_extraction_median_s']} s",
            "",
            "full_extraction_s",
        ),
        ("… of which the index walk (best)", lambda v: f"{v['index_walk_only_s']} s", "", ""),
        (
            "Full extraction per commit",
            lambda v: f"{v['full_extraction_per_commit_ms']} ms",
            "full_extraction_per_commit",
            "",
        ),
        (
            "One new commit, index cached (best; median)",
            lambda v: f"{v['new_commit_s']} s; {v['new_commit_median_s']} s",
            "new_commit",
            "new_commit_s",
        ),
        ("Checkout of the head (`git worktree add`, information)", lambda v: f"{commit(v)['checkout_s']:,} s", "", ""),
        ("Index file of that work tree", lambda v: _mib(commit(v)["index_file_bytes"]), "", ""),
        (
            "One-record `git commit`, Git's defaults (best of 5; median)",
            lambda v: f"{commit(v)['git_commit_best_s']} s; {commit(v)['git_commit_median_s']} s",
            "git_commit",
            "",
        ),
        (
            "One-record `git commit`, work tree tuned by `scripts/large_checkout.sh` (best of 5; median)",
            lambda v: (
                f"{tuned(v)['git_commit_best_s']} s; {tuned(v)['git_commit_median_s']} s "
                f"({tuned(v)['monitor'] or 'no file-system monitor'})"
                if tuned(v)
                else "not measured"
            ),
            "git_commit_tuned",
            "git_commit_s",
        ),
        (
            "… traced: preload index (stat of every file); write index",
            lambda v: (
                f"{commit(v)['one_more_commit_traced_s'].get('preload index', '-')} s; "
                f"{commit(v)['one_more_commit_traced_s'].get('write index', '-')} s"
            ),
            "",
            "",
        ),
        (
            "For information: one-record `git commit` in a sparse work tree (cone mode, sparse index) of "
            "the folder of 2027's events (best)",
            lambda v: f"{sparse(v)['git_commit_best_s']} s ({sparse(v)['files_checked_out']:,} files)",
            "",
            "",
        ),
        (
            "Loose objects written by a one-record change (add + commit)",
            lambda v: f"{commit(v)['new_objects_per_commit']:g}",
            "new_objects_per_commit",
            "",
        ),
        (
            "… their bytes",
            lambda v: f"{commit(v)['new_object_bytes_per_commit']:,} B",
            "new_object_bytes_per_commit",
            "",
        ),
        (
            "Deleted branch of one-record commits: unreachable objects (`git fsck`)",
            lambda v: f"{branch(v)['unreachable_objects']:,} after {branch(v)['branch_commits']} commits",
            "",
            "",
        ),
        (
            "… their bytes on disk (loose, zlib); uncompressed",
            lambda v: f"{_mib(branch(v)['unreachable_disk_bytes'])}; {_mib(branch(v)['unreachable_size_bytes'])}",
            "",
            "",
        ),
        (
            "… bytes on disk per branch commit",
            lambda v: f"{branch(v)['unreachable_disk_bytes_per_commit']:,} B",
            "unreachable_bytes_per_branch_commit",
            "",
        ),
        (
            "… disk usage `git prune --expire=now` frees (file-system blocks)",
            lambda v: _mib(branch(v)["prune_freed_disk_usage_kib"] * 1024),
            "",
            "",
        ),
        (
            "Load average (1, 5, 15 min) before; after",
            lambda v: "; ".join(str(x) for x in v["load_average_before_after"]),
            "",
            "",
        ),
    ]
    lines += [
        "| Figure | "
        + " | ".join(f"{name} ({layouts[name]['first_parent_commits']:,} commits)" for name in names)
        + " | Sharded / flat | Target (sharded) |",
        "|---|" + "---|" * len(names) + "---|---|",
    ]
    for label, show, ratio, target in rows:
        cells = [show(layouts[name]) for name in names]
        met = targets.get(target)
        verdict = f"{met['target'].replace('.0', '')}: **{met['result']}**" if met else ""
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratios.get(ratio, '')} | {verdict} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--sample", type=int, default=5000, help="Files given to check-jsonschema.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [bench(units, args.work, args.sample) for units in args.sizes]
    write_results(results)
    print(f"results in {RESULTS} and benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
