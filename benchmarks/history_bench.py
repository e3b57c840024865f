"""Benchmark of history extraction: a 100,000-unit registry over 20,000 first-parent commits.

The repository is written with ``git fast-import`` in seconds: record-shaped YAML files (the speed
of history extraction does not depend on signatures), a quarter of the first-parent commits being
``--no-ff`` merges of a side commit, later commits editing earlier units. Measured:

- full extraction: the one-pass index of every change plus the recorded time of every record;
- one new commit on top, with the index cached (the incremental path);
- the naive approach (one ``git log`` per file) on a sample, extrapolated to every file;
- GitPython's object API (``iter_commits(first_parent=True)`` and ``Commit.diff``) on a sample of commits.

Run: ``python benchmarks/history_bench.py [--units N] [--commits N] [--dir PATH]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fmar.history.index import build_index
from fmar.history.recorded import recorded_times

START = 1_700_000_000
IDENTITY = "Bench Merger <merger@fmar.example>"


def _unit_text(number: int, revision: int) -> bytes:
    unit = f"MU-BENCH{number // 1000:03d}-{number:06d}"
    return (
        "schema_version: 1\nkind: market_unit\n"
        f"id: {unit}\nname: Bench unit {number} revision {revision}\nfsp: BENCH{number // 1000:03d}\n"
        "unit_type: SPU\naccounting_points: 1\nlicence_area: UKPN_EPN\ngsp_group: _A\n"
        "connection_type: FIRM\nconnection_status: CONNECTED\ncomposition:\n"
        f"  import_capacity_kw: {1000 + revision}.0\n  export_capacity_kw: 1000.0\n  assets:\n"
        "  - category: BESS\n    count: 1\n    capacity_kw: 1000.0\n"
        f"signature:\n  signer: BENCH{number // 1000:03d}\n  key_fingerprint: SHA256:{'A' * 43}\n"
        "  signed_at: '2024-01-01T00:00:00Z'\n  registry: fmar-gb-synthetic\n"
        f"  value: |\n    -----BEGIN SSH SIGNATURE-----\n    {'Q' * 76}\n"
        "    -----END SSH SIGNATURE-----\n"
    ).encode()


def unit_path(number: int) -> str:
    return f"registry/market_unit/MU-BENCH{number // 1000:03d}-{number:06d}.yaml"


def _stream(units: int, commits: int, initial: int) -> Iterator[bytes]:
    """``initial`` units in a first commit, the rest spread over the other commits, some edits of earlier units."""
    per_commit = max(1, (units - initial) // max(1, commits - 1))
    mark = 0
    revisions: dict[int, int] = {}
    for number in range(commits):
        if number == 0:
            changes = list(range(initial))
        else:
            first = initial + (number - 1) * per_commit
            last = units if number == commits - 1 else min(units, first + per_commit)
            changes = list(range(first, last))
            if number % 7 == 3:
                changes.append((number * 7919) % first)  # edit an earlier unit
        ops = []
        for unit in changes:
            revisions[unit] = revisions.get(unit, -1) + 1
            data = _unit_text(unit, revisions[unit])
            ops.append(b"M 100644 inline " + unit_path(unit).encode() + b"\ndata %d\n" % len(data) + data + b"\n")
        body = b"".join(ops)
        when = START + number * 60
        if number % 4 == 1:  # a pull request merged with --no-ff: side commit, then the merge
            mark += 1
            side = mark
            yield b"commit refs/heads/side\nmark :%d\n" % side
            yield f"author Bench Author <author@fmar.example> {when - 3_000_000} +0000\n".encode()
            yield f"committer Bench Author <author@fmar.example> {when - 30} +0000\n".encode()
            yield b"data 4\nside\n"
            yield b"from :%d\n" % (mark - 1)
            yield body
            mark += 1
            yield b"commit refs/heads/main\nmark :%d\n" % mark
            yield f"author {IDENTITY} {when} +0000\ncommitter {IDENTITY} {when} +0000\n".encode()
            yield b"data 5\nmerge\n"
            yield b"from :%d\nmerge :%d\n" % (mark - 2, side)
            yield body
        else:
            mark += 1
            yield b"commit refs/heads/main\nmark :%d\n" % mark
            yield f"author {IDENTITY} {when} +0000\ncommitter {IDENTITY} {when} +0000\n".encode()
            yield b"data 7\ncommit\n\n"
            yield (b"from :%d\n" % (mark - 1)) if mark > 1 else b""
            yield body


def build_repo(path: Path, units: int = 100_000, commits: int = 20_000, initial: int = 0) -> Path:
    """A repository at ``path`` holding ``units`` unit files over ``commits`` first-parent commits."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    importer = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE, env=env)
    assert importer.stdin is not None
    for piece in _stream(units, commits, initial):
        importer.stdin.write(piece)
    importer.stdin.close()
    if importer.wait() != 0:
        raise RuntimeError("git fast-import failed")
    return path


def _add_commit(path: Path, units: int) -> None:
    data = _unit_text(units + 1, 0)
    last = subprocess.run(["git", "-C", str(path), "log", "-1", "--format=%ct", "main"], capture_output=True, text=True)
    when = int(last.stdout) + 60
    stream = (
        b"commit refs/heads/main\n"
        + f"author {IDENTITY} {when} +0000\ncommitter {IDENTITY} {when} +0000\n".encode()
        + b"data 4\nnew\nfrom refs/heads/main^0\n"
        + b"M 100644 inline "
        + unit_path(units + 1).encode()
        + b"\ndata %d\n" % len(data)
        + data
        + b"\n"
    )
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream, check=True)


def _timed(action: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    value = action()
    return time.perf_counter() - began, value


def naive_per_file(path: Path, sample: list[str]) -> float:
    """Seconds per file of the naive approach: one first-parent ``git log`` per file for its adding commit."""
    began = time.perf_counter()
    for file in sample:
        subprocess.run(
            ["git", "-C", str(path), "log", "--first-parent", "--diff-filter=A", "--format=%H %ct", "main", "--", file],
            capture_output=True,
            check=True,
        )
    return (time.perf_counter() - began) / len(sample)


def gitpython_per_commit(path: Path, commits: int) -> float:
    """Seconds per commit for GitPython's object API walking the first-parent line with diffs."""
    import git as gitpython

    repo = gitpython.Repo(path)
    began = time.perf_counter()
    walked = 0
    for commit in repo.iter_commits("main", first_parent=True, max_count=commits, paths="registry"):
        parent = commit.parents[0] if commit.parents else gitpython.NULL_TREE
        for change in commit.diff(parent, paths="registry", R=True):
            _ = (change.b_path, change.change_type, change.b_blob)
        walked += 1
    return (time.perf_counter() - began) / max(walked, 1)


def measure(path: Path, units: int, commits: int) -> dict[str, Any]:
    registry = path / "registry"
    with tempfile.TemporaryDirectory() as cache:
        os.environ["FMAR_CACHE_DIR"] = cache
        full_s, times = _timed(lambda: recorded_times(path, registry, "main"))
        index_only_s, _ = _timed(lambda: build_index(path, registry, "main", use_cache=False))
        cached_s, _ = _timed(lambda: recorded_times(path, registry, "main"))
        _add_commit(path, units)
        incremental_s, index = _timed(lambda: build_index(path, registry, "main"))
        assert index.source == "incremental"
        incremental_times_s, after = _timed(lambda: recorded_times(path, registry, "main"))
    files = len(times)
    sample = [unit_path(n) for n in range(0, units, max(1, units // 20))][:20]
    naive = naive_per_file(path, sample)
    per_commit = gitpython_per_commit(path, 300)
    return {
        "units": units,
        "first_parent_commits": commits,
        "records_timed": files,
        "full_extraction_s": round(full_s, 2),
        "index_walk_only_s": round(index_only_s, 2),
        "recorded_times_cached_s": round(cached_s, 2),
        "new_commit_index_s": round(incremental_s, 3),
        "new_commit_recorded_times_s": round(incremental_times_s, 2),
        "records_after_new_commit": len(after),
        "naive_per_file_s": round(naive, 4),
        "naive_extrapolated_s": round(naive * files, 0),
        "gitpython_per_commit_s": round(per_commit, 4),
        "gitpython_extrapolated_s": round(per_commit * commits, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--initial", type=int, default=0, help="Units in the first commit (default: none).")
    parser.add_argument("--dir", type=Path, default=None, help="Where to build the repository (default: a temp dir).")
    parser.add_argument("--reuse", action="store_true", help="Measure the repository already built in --dir.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        path = args.dir or Path(scratch) / "repo"
        build_s = 0.0
        if not args.reuse:
            build_s, _ = _timed(lambda: build_repo(path, args.units, args.commits, args.initial))
        result = {"build_repo_s": round(build_s, 1), **measure(path, args.units, args.commits)}
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
