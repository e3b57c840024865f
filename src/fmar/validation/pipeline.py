"""Validation of a whole registry: files in parallel, then the rules across records.

Results are cached per bucket of files (see ``Pipeline``), and the findings of the whole run
by a digest of every file's stat, so a run with nothing changed reads no file.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import pickle
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from fmar.core.findings import Finding, Problem, json_path
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.gitrepo import gitlinks
from fmar.loading.layout import Layout, scan
from fmar.loading.paths import ANCHOR_PATH
from fmar.loading.record_file import LoadedFile, locate, read_record
from fmar.loading.strict_yaml import parse_strict
from fmar.loading.text import decode
from fmar.signing.seal import Seal
from fmar.validation.cache import Cache
from fmar.validation.memory import collector_paused

#: Below this many files to read, one process is faster than starting workers.
PARALLEL_THRESHOLD = 400
#: Files per bucket, roughly: the unit of parallel work and of caching.
_BUCKET = 1000

Progress = Callable[[int], None]


@dataclass
class Read:
    """A registry read file by file (``Pipeline.read``), before the rules across records."""

    registry: Registry
    #: The findings of the layout and of each file alone, sorted.
    findings: list[Finding]
    #: Path -> JSON of the data of each valid record whose file was read in this run (``data_json``;
    #: records whose results came from the cache are not here), when asked for.
    data: dict[str, bytes]
    #: Path -> the seal of each valid record's signature (empty when read without seals).
    seals: dict[str, Seal] = field(default_factory=dict)


@dataclass
class Validation:
    findings: list[Finding]
    files: int
    #: True when nothing changed since the last run and its findings were reused whole.
    reused: bool


def finding(path: str, problem: Problem) -> Finding:
    return Finding(
        path=path,
        line=problem.line or 1,
        column=problem.column or 1,
        code=problem.rule.code,
        message=problem.message,
        hint=problem.hint,
        json_path=json_path(problem.location),
        severity=problem.rule.severity,
    )


def _load_bucket(
    root: str, key: str, items: list[tuple[str, str]], cache: Cache, data: str | None = None, seal: bool = True
) -> bytes | None:
    """Read one bucket of files in a worker and store the pickled result under ``key`` in ``cache``.

    Only the key travels back (None), so a worker never waits for the parent to drain a pipe;
    the blob itself comes back only if it could not be stored. With ``data`` (a scratch folder of
    ``Pipeline.read``), the data of each valid record is also written there as JSON, for
    ``Read.data``.
    """
    base = Path(root)
    read = [read_record(base, rel, kind, seal=seal) for rel, kind in items]
    blob = pickle.dumps([loaded for loaded, _ in read], protocol=pickle.HIGHEST_PROTOCOL)
    if data is not None:
        encoded = {loaded.path: found for loaded, values in read if (found := data_json(values)) is not None}
        Path(data, key).write_bytes(marshal.dumps(encoded))
    return None if cache.save_bytes(key, blob) else blob


#: Data orjson would turn into JSON by its own rules (dates, dataclasses, ``str`` subclasses) is
#: not plain JSON: such a record's reader parses its file again.
_PLAIN = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def data_json(values: dict[str, Any] | None) -> bytes | None:
    """A valid record's data as JSON; None without data, or for data that is not plain JSON (a
    reader then parses the file itself)."""
    if values is None:
        return None
    try:
        return orjson.dumps(values, option=_PLAIN)
    except orjson.JSONEncodeError:
        return None


def _record_data(folder: Path) -> dict[str, bytes]:
    """Path -> JSON of the record's data, as ``_load_bucket`` left them in ``folder``."""
    out: dict[str, bytes] = {}
    for path in folder.iterdir():
        out.update(marshal.loads(path.read_bytes()))
    return out


def jobs_default() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def bucket_count(files: int) -> int:
    """A power of two near files/1000, so buckets hold about a thousand files and rarely change number."""
    count = 1
    while count * _BUCKET < files:
        count *= 2
    return count


class Pipeline:
    """Reads a registry folder into records and findings, reusing what an earlier run learned.

    Files are read in buckets (by a hash of their path), in parallel. Each bucket's result is
    cached under a digest of its files' paths, sizes and modification times, so a changed
    file costs the re-reading of its bucket only; a run with nothing changed reads no file.
    """

    def __init__(
        self,
        root: Path,
        registry: Path,
        *,
        jobs: int | None = None,
        use_cache: bool = True,
        start_method: str = "fork",
        seal: bool = True,
        layout: Layout | None = None,
    ) -> None:
        self.root = root
        #: Whether each valid record's signature is sealed as its file is read (``Read.seals``).
        self.seal = seal
        #: How the worker processes that read files are started (``multiprocessing``'s ``fork`` or ``spawn``).
        self.start_method = start_method
        self.registry_dir = registry
        self.jobs = jobs or jobs_default()
        self.cache = Cache(registry, enabled=use_cache)
        #: The registry folder's record files and misplaced files (scanned now unless given).
        self.layout = layout or scan(root, registry, gitlinks=functools.partial(gitlinks, root))

    @property
    def _bucket_prefix(self) -> str:
        """Buckets read with seals and without are kept apart: a run of one mode keeps the other's."""
        return "bucket-s-" if self.seal else "bucket-u-"

    @property
    def _findings_name(self) -> str:
        return "findings.pickle" if self.seal else "findings-unsealed.pickle"

    @property
    def digest(self) -> str:
        """Of every record file's stat, the layout's problems, and the trust anchor (whose keys and
        identity decide which signatures verify)."""
        h = hashlib.sha256(b"sealed\n" if self.seal else b"unsealed\n")
        try:
            h.update((self.root / ANCHOR_PATH).read_bytes())
        except OSError:
            h.update(b"no anchor")
        for rel, kind, size, stamp in self.layout.files:
            h.update(f"{rel}\0{kind}\0{size}\0{stamp}\n".encode())
        for rel, problem in self.layout.problems:
            h.update(f"{rel}\0{problem.code}\n".encode())
        return h.hexdigest()

    def reusable_findings(self) -> list[Finding] | None:
        saved = self.cache.load(self._findings_name)
        if saved and saved[0] == self.digest:
            return list(saved[1])
        return None

    def _buckets(self) -> dict[str, list[tuple[str, str]]]:
        count = bucket_count(len(self.layout.files))
        members: dict[int, list[tuple[str, str, int, int]]] = defaultdict(list)
        for entry in self.layout.files:
            members[zlib.crc32(entry[0].encode()) % count].append(entry)
        buckets = {}
        for number in sorted(members):
            h = hashlib.sha256(f"{count}:{number}:{self.seal}".encode())
            for rel, kind, size, stamp in members[number]:
                h.update(f"{rel}\0{kind}\0{size}\0{stamp}\n".encode())
            buckets[f"{self._bucket_prefix}{h.hexdigest()[:24]}"] = [(rel, kind) for rel, kind, _, _ in members[number]]
        return buckets

    def load(self, progress: Progress | None = None) -> tuple[Registry, list[Finding]]:
        """Every record and the findings of the files and of the rules across records, reading only
        buckets of files that changed since the last run. Whether the records stand is not judged
        here (``fmar.trust.reading``), so nothing is remembered for ``fmar validate``."""
        read = self.read(progress)
        findings = sorted([*read.findings, *self.registry_findings(read.registry)])
        return read.registry, findings

    def read(self, progress: Progress | None = None, *, with_data: bool = False) -> Read:
        """Every record and the findings of the files alone, reading only buckets of files that
        changed since the last run; the caller runs ``registry_findings`` itself (and may
        ``remember`` all). ``with_data``: also the data of the records read (``Read.data``), for a
        caller that needs it as well as the models (``fmar build``) without parsing them again."""
        buckets = self._buckets()
        files: list[LoadedFile] = []
        missing = []
        data: dict[str, bytes] = {}
        with collector_paused():
            for key, items in buckets.items():
                blob = self.cache.load_bytes(key)
                if blob is None:
                    missing.append(key)
                    continue
                files.extend(pickle.loads(blob))
                if progress:
                    progress(len(items))
            # Workers read the missing buckets into the cache (a scratch folder without one) while
            # this process unpickles the buckets they have finished.
            with tempfile.TemporaryDirectory(prefix="fmar-buckets-") as scratch:
                exchange = self.cache if self.cache.enabled else Cache.scratch(Path(scratch))
                folder = Path(scratch, "data") if with_data else None
                if folder is not None:
                    folder.mkdir()
                for key, blob in self._read(missing, buckets, exchange, progress, folder):
                    read = blob if blob is not None else exchange.load_bytes(key)
                    if read is None:
                        raise OSError(f"a worker's results for {key} could not be read back from {exchange.directory}")
                    files.extend(pickle.loads(read))
                if folder is not None:
                    data = _record_data(folder)
            self.cache.prune(self._bucket_prefix, set(buckets))
            files.sort(key=lambda f: f.path)
            registry = Registry.of((f.path, f.record) for f in files if f.record is not None)
            seals = {f.path: f.seal for f in files if f.seal is not None}
        findings = [finding(rel, problem) for rel, problem in self.layout.problems]
        findings.extend(finding(f.path, p) for f in files for p in f.problems)
        return Read(registry, sorted(findings), data, seals)

    def remember(self, findings: list[Finding]) -> None:
        """Keep every finding of the registry as it is now, for a run with nothing changed."""
        self.cache.save(self._findings_name, (self.digest, findings))

    def _read(
        self,
        keys: list[str],
        buckets: dict[str, list[tuple[str, str]]],
        exchange: Cache,
        progress: Progress | None,
        data: Path | None = None,
    ) -> Iterator[tuple[str, bytes | None]]:
        total = sum(len(buckets[k]) for k in keys)
        root = str(self.root)
        folder = str(data) if data is not None else None
        if self.jobs <= 1 or total < PARALLEL_THRESHOLD:
            for key in keys:
                yield key, _load_bucket(root, key, buckets[key], exchange, folder, self.seal)
                if progress:
                    progress(len(buckets[key]))
            return
        with ProcessPoolExecutor(max_workers=self.jobs, mp_context=get_context(self.start_method)) as pool:
            futures = {
                pool.submit(_load_bucket, root, key, buckets[key], exchange, folder, self.seal): key for key in keys
            }
            for future in as_completed(futures):
                key = futures[future]
                yield key, future.result()
                if progress:
                    progress(len(buckets[key]))

    def registry_findings(self, registry: Registry) -> list[Finding]:
        by_path: dict[str, list[Problem]] = defaultdict(list)
        for record, problem in check_registry(registry):
            by_path[registry.path_of(record)].append(problem)
        return located_findings(self.root, by_path)


def located_findings(root: Path, by_path: dict[str, list[Problem]]) -> list[Finding]:
    """Findings of the problems of each file (path relative to ``root``), each at its line and column
    there: the files are read again only for problems found after reading (across records, trust)."""
    out: list[Finding] = []
    for path, problems in by_path.items():
        text = _read_text(root / path)
        located = locate(problems, text, parse_strict(text).source_map) if text is not None else problems
        out.extend(finding(path, problem) for problem in located)
    return out


def _read_text(path: Path) -> str | None:
    try:
        text, _ = decode(path.read_bytes())
    except OSError:
        return None
    return text


def only(findings: Iterable[Finding], paths: list[str]) -> list[Finding]:
    """Findings about ``paths`` (files or folders, relative to the repository root): on a named path,
    inside a named folder, or on a folder that holds a named path (a misplaced folder is wrong for
    every file in it)."""
    prefixes = [p.rstrip("/") for p in paths]
    if "." in prefixes:
        return list(findings)

    def about(path: str) -> bool:
        return any(path == p or path.startswith(p + "/") or p.startswith(path + "/") for p in prefixes)

    return [f for f in findings if about(f.path)]
