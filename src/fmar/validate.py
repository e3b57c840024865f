"""Validation of a whole registry: files in parallel, then the rules across records.

Per-file results are cached by path, size and modification time, and the findings of the
whole run by a digest of every file's stat, so a run with nothing changed reads no file.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from fmar.cache import Cache
from fmar.findings import Finding, json_path
from fmar.loading.layout import scan
from fmar.loading.problems import Problem
from fmar.loading.record_file import LoadedFile, load_file, locate
from fmar.loading.strict_yaml import parse_strict
from fmar.loading.text import decode
from fmar.registry import Registry
from fmar.rules.catalogue import RULES
from fmar.rules.registry import check_registry

#: Below this many files to read, one process is faster than starting workers.
PARALLEL_THRESHOLD = 400
_CHUNK = 1000

Progress = Callable[[int], None]


@dataclass
class Validation:
    findings: list[Finding]
    files: int
    #: True when nothing changed since the last run and its findings were reused whole.
    reused: bool


def finding(path: str, problem: Problem) -> Finding:
    rule = RULES[problem.code]
    return Finding(
        path=path,
        line=problem.line or 1,
        column=problem.column or 1,
        code=problem.code,
        message=problem.message,
        hint=problem.hint,
        json_path=json_path(problem.location),
        severity=rule.severity,
    )


def _load_chunk(root: str, items: list[tuple[str, str]]) -> list[LoadedFile]:
    base = Path(root)
    return [load_file(base, rel, kind) for rel, kind in items]


def jobs_default() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _load_all(root: Path, items: list[tuple[str, str]], jobs: int, progress: Progress | None) -> list[LoadedFile]:
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        out = []
        for index, (rel, kind) in enumerate(items, 1):
            out.append(load_file(root, rel, kind))
            if progress and index % 500 == 0:
                progress(500)
        if progress:
            progress(len(items) % 500)
        return out
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    results: list[LoadedFile] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        for chunk, loaded in zip(chunks, pool.map(_load_chunk, [str(root)] * len(chunks), chunks), strict=True):
            results.extend(loaded)
            if progress:
                progress(len(chunk))
    return results


class Pipeline:
    """Reads a registry folder into records and findings, reusing what an earlier run learned."""

    def __init__(self, root: Path, registry: Path, *, jobs: int | None = None, use_cache: bool = True) -> None:
        self.root = root
        self.registry_dir = registry
        self.jobs = jobs or jobs_default()
        self.cache = Cache(registry, enabled=use_cache)
        self.layout = scan(root, registry)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for rel, kind, size, mtime in self.layout.files:
            h.update(f"{rel}\0{kind}\0{size}\0{mtime}\n".encode())
        for rel, problem in self.layout.problems:
            h.update(f"{rel}\0{problem.code}\n".encode())
        return h.hexdigest()

    def reusable_findings(self) -> list[Finding] | None:
        saved = self.cache.load("findings.pickle")
        if saved and saved[0] == self.digest:
            return list(saved[1])
        return None

    def load(self, progress: Progress | None = None) -> tuple[Registry, list[Finding]]:
        """Every record and every finding, reading only files that changed since the cached run."""
        cached: dict[str, tuple[int, int, LoadedFile]] = self.cache.load("files.pickle") or {}
        fresh: dict[str, tuple[int, int, LoadedFile]] = {}
        to_read: list[tuple[str, str]] = []
        stats: dict[str, tuple[int, int]] = {}
        for rel, kind, size, mtime in self.layout.files:
            hit = cached.get(rel)
            if hit and hit[0] == size and hit[1] == mtime and hit[2].kind == kind:
                fresh[rel] = hit
                if progress:
                    progress(1)
            else:
                to_read.append((rel, kind))
                stats[rel] = (size, mtime)
        for loaded in _load_all(self.root, to_read, self.jobs, progress):
            size, mtime = stats[loaded.path]
            fresh[loaded.path] = (size, mtime, loaded)
        if to_read or len(fresh) != len(cached):
            self.cache.save("files.pickle", fresh)
        files = [fresh[rel][2] for rel, _, _, _ in self.layout.files]
        registry = Registry.of((f.path, f.record) for f in files if f.record is not None)
        findings = [finding(rel, problem) for rel, problem in self.layout.problems]
        findings.extend(finding(f.path, p) for f in files for p in f.problems)
        findings.extend(self._registry_findings(registry))
        findings.sort()
        self.cache.save("findings.pickle", (self.digest, findings))
        return registry, findings

    def _registry_findings(self, registry: Registry) -> list[Finding]:
        by_path: dict[str, list[Problem]] = defaultdict(list)
        for record, problem in check_registry(registry):
            by_path[registry.path_of(record)].append(problem)
        out = []
        for path, problems in by_path.items():
            text = _read_text(self.root / path)
            located = locate(problems, text, parse_strict(text).source_map) if text is not None else problems
            out.extend(finding(path, problem) for problem in located)
        return out


def _read_text(path: Path) -> str | None:
    try:
        text, _ = decode(path.read_bytes())
    except OSError:
        return None
    return text


def validate(
    root: Path,
    registry: Path,
    *,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> Validation:
    pipeline = Pipeline(root, registry, jobs=jobs, use_cache=use_cache)
    reused = pipeline.reusable_findings()
    if reused is not None:
        return Validation(reused, len(pipeline.layout.files), reused=True)
    _, findings = pipeline.load(progress)
    return Validation(findings, len(pipeline.layout.files), reused=False)


def only(findings: Iterable[Finding], paths: list[str]) -> list[Finding]:
    """Findings about ``paths`` (files or folders, relative to the repository root)."""
    prefixes = [p.rstrip("/") for p in paths]
    return [f for f in findings if any(f.path == p or f.path.startswith(p + "/") for p in prefixes)]
