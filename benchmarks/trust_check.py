"""Benchmark of the pull-request gate: `fmar check` on a large registry with a 20-record change.

    python benchmarks/trust_check.py [--units 100000] [--work DIR] [--runs 3] [--registry DIR] [--records 20]

``--records 2000``: a large FSP's pull request (500 renamed units, 500 new ones, their 500
applications, 500 acknowledgements), results in trust-check-<units>-2000.json.

Generates (once, cached in --work, shared with benchmarks/run.py) a synthetic registry, commits
it to a Git repository as the base branch, then makes a pull request touching 20 records as the
parties would (5 new units, 5 applications for them, 5 renamed existing units, 5 SO
acknowledgements of pending applications), each signed with its party's key, and times
`fmar check --base main --head pr`: first with an empty cache folder (a fresh CI machine: the
index of references is built), then --runs times with it. Targets (2 cores, 100,000 units, 20
records): the first run under 3 s, the median of the others under 1.5 s.
The result goes to benchmarks/results/trust-check-<units>.json and the table in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import fmar
from fmar.core.ids import new_id
from fmar.core.model import Application, MarketUnit
from fmar.core.record_paths import path_of
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.generate.synthetic import IDENTITY, NOW
from fmar.trust.revision import read_record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, RESULTS, ensure_registry, write_tables

PR_AT = NOW + timedelta(days=1)
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Benchmark",
    "GIT_AUTHOR_EMAIL": "bench@fmar.example",
    "GIT_COMMITTER_NAME": "Benchmark",
    "GIT_COMMITTER_EMAIL": "bench@fmar.example",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str, when: Any = None) -> str:
    env = {**os.environ, **_GIT_ENV}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def base_repository(registry: Path) -> Path:
    """The registry's parent folder as a Git repository with the registry committed on main (once)."""
    repo = registry.parent
    if (repo / ".git").exists():
        return repo
    print("committing the base registry ...", flush=True)
    start = time.perf_counter()
    git(repo, "init", "-q", "-b", "main")
    # No automatic gc in the background of the timed runs; the objects packed as a clone has them.
    git(repo, "config", "gc.auto", "0")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base registry", when=NOW)
    git(repo, "repack", "-a", "-d", "-q")
    git(repo, "prune-packed")
    print(f"  in {time.perf_counter() - start:.1f} s", flush=True)
    return repo


def _load(registry: Path, kind: str, record_id: str) -> Any:
    path = registry / path_of(kind, record_id)
    return read_record(path.read_bytes(), f"registry/{path_of(kind, record_id)}", kind).record


def make_change(repo: Path, seed: int = 3, records: int = 20) -> int:
    """Branch ``pr`` off main with ``records`` signed records (a quarter each: renamed units, new
    units, their applications, acknowledgements); returns how many records it touches."""
    share = records // 4
    git(repo, "checkout", "-q", "-B", "pr", "main")
    registry = repo / "registry"
    rng = random.Random(f"trust-benchmark:{seed}")

    def fresh_id(kind: str, year: int) -> str:
        """A new id that no record of the registry has (the change must not collide with history)."""
        while True:
            candidate = new_id(kind, year, rng)
            if not (registry / path_of(kind, candidate)).exists():
                return candidate

    builder = Builder(
        registry, lambda party: example_key(party, "synthetic-1"), rng, registry_id=IDENTITY, new_id=fresh_id
    )
    for path in sorted((registry / "product").rglob("*.yaml")):
        builder.registry.add(_load(registry, "product", path.stem))
    answered = set(
        re.findall(
            r"application: (APP-\S+)",
            subprocess.run(
                ["grep", "-rh", "^application: ", "registry/outcome", "registry/event"],
                cwd=repo,
                capture_output=True,
                text=True,
                check=False,
            ).stdout,
        )
    )
    pending: list[Application] = []
    for path in sorted((registry / "application").rglob("*.yaml")):
        if path.stem not in answered:
            pending.append(_load(registry, "application", path.stem))
            if len(pending) == share:
                break
    unit_files = sorted((registry / "market_unit").rglob("*.yaml"))[:share]
    units = [_load(registry, "market_unit", path.stem) for path in unit_files]
    touched = 0
    for unit in units:
        data = unit.model_dump(mode="json", exclude_none=True)
        fields = {k: v for k, v in data.items() if k not in ("schema_version", "kind", "signature")}
        fields["name"] = f"{unit.name} (renamed)"[:120]
        builder.add("market_unit", fields, unit.fsp, PR_AT)
        touched += 1
    fsp = units[0].fsp
    taken = registry / "market_unit"
    serials = [
        n for n in range(900_001, 999_999) if not (taken.parent / path_of("market_unit", f"MU-{fsp}-{n:06d}")).exists()
    ]
    for serial in serials[:share]:
        unit = builder.unit(
            {
                "id": f"MU-{fsp}-{serial:06d}",
                "name": f"Benchmark battery {serial}",
                "fsp": fsp,
                "unit_type": "SPU",
                "accounting_points": 1,
                "licence_area": "UKPN_EPN",
                "gsp_group": "_A",
                "connection_type": "FIRM",
                "connection_status": "CONNECTED",
                "composition": {
                    "import_capacity_kw": 5000.0,
                    "export_capacity_kw": 5000.0,
                    "assets": [{"category": "BESS", "count": 1, "capacity_kw": 5000.0}],
                },
            },
            PR_AT,
        )
        assert isinstance(unit, MarketUnit)
        builder.apply(unit, "NESO-DFS", PR_AT, up=4000.0)
        touched += 2
    for application in pending:
        builder.registry.add(application)
        builder.event(application, "acknowledged", PR_AT)
        touched += 1
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"a {touched}-record change", when=PR_AT + timedelta(hours=1))
    return touched


def bench(units: int, work: Path, runs: int, registry: Path | None = None, records: int = 20) -> dict[str, Any]:
    source = "fmar generate" if registry is None else str(registry)
    registry = registry or ensure_registry(work, units)
    repo = base_repository(registry)
    files = int(git(repo, "ls-files", "registry").count("\n"))
    units = int(git(repo, "ls-files", "registry/market_unit").count("\n"))
    touched = make_change(repo, records=records)
    # The change is judged at the time the pull request is checked (the generator's calendar), as CI
    # would on that day: the gate's clock is the check's, so it is given, not taken from the machine.
    checked_at = (PR_AT + timedelta(hours=1)).isoformat()
    command = [str(BIN / "fmar"), "check", "--base", "main", "--head", "pr", "--format", "json", "--now", checked_at]
    env = {**os.environ, "FMAR_CACHE_DIR": tempfile.mkdtemp(prefix="fmar-trust-bench-")}
    # fmar as CI runs it, installed: pip compiles its modules, so the runs do not pay for compiling them (an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(fmar.__file__).parent)], check=True)
    times, cpu, report = [], [], {}
    for _ in range(runs + 1):  # the first run builds the index of references (cold), the others reuse it
        start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
        if done.returncode == 2:
            raise RuntimeError(done.stderr)
        report = json.loads(done.stdout)
    git(repo, "checkout", "-q", "main")
    if report.get("errors"):
        raise RuntimeError(f"the benchmark's legitimate change was refused: {json.dumps(report)[:2000]}")
    result = {
        "units": units,
        "files": files,
        "registry": source,
        "records_changed": touched,
        "cold_s": round(times[0], 3),
        "runs_s": [round(t, 3) for t in times[1:]],
        "median_s": round(statistics.median(times[1:]), 3),
        "cold_cpu_s": round(cpu[0], 3),
        "cpu_s": [round(t, 3) for t in cpu[1:]],
        "median_cpu_s": round(statistics.median(cpu[1:]), 3),
        "target_cold_s": 3.0,
        "target_s": 1.5,
        "findings": {"errors": report.get("errors"), "warnings": report.get("warnings")},
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if records == 20 else f"-{touched}"
    (RESULTS / f"trust-check-{units}{suffix}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_tables()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fmar-bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--registry", type=Path, default=None, help="Use this registry folder instead of generating.")
    parser.add_argument("--records", type=int, default=20, help="Records the pull request touches (a multiple of 4).")
    args = parser.parse_args()
    result = bench(args.units, args.work, args.runs, args.registry, args.records)
    print(
        f"fmar check, {result['units']:,} units ({result['files']:,} files), {result['records_changed']} records "
        f"changed: median {result['median_s']:.2f} s wall, {result['median_cpu_s']:.2f} s CPU "
        f"over {len(result['runs_s'])} runs (target < {result['target_s']} s), "
        f"first run {result['cold_s']:.2f} s (no cache: builds the index of references; "
        f"target < {result['target_cold_s']} s); "
        f"{result['findings']['errors']} errors, {result['findings']['warnings']} warnings"
    )


if __name__ == "__main__":
    main()
