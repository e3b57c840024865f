"""A cache of validation results, kept outside the repository so a change under review cannot plant one."""

from __future__ import annotations

import functools
import hashlib
import mmap
import os
import pickle
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fmar

#: fmar's package folder: where the files ``source_digest`` names are.
PACKAGE = Path(fmar.__file__).parent
#: A file modified less than this long ago may change again without its size or modification
#: time changing (a time stamp is as coarse as the kernel's clock tick): its digest is not kept.
_RECENT_NS = 2_000_000_000
#: Path -> (size, modification time, inode, SHA-256 of the bytes) of the files hashed in this process.
_hashed: dict[str, tuple[int, int, int, bytes]] = {}


def _file_digest(path: Path) -> bytes:
    """SHA-256 of the file's bytes; kept for the process while its size, time and inode stay."""
    info = path.stat()
    stat = (info.st_size, info.st_mtime_ns, info.st_ino)
    known = _hashed.get(str(path))
    if known is not None and known[:3] == stat:
        return known[3]
    digest = hashlib.sha256(path.read_bytes()).digest()
    if time.time_ns() - info.st_mtime_ns > _RECENT_NS:
        _hashed[str(path)] = (*stat, digest)
    return digest


def source_digest(files: Iterable[Path], *salt: str) -> str:
    """SHA-256 of ``salt`` and each of ``files`` (fmar's own: under ``PACKAGE``) by its path in the
    package and its bytes. What the files hold, not when they were written: a fresh install or
    checkout of the same code (every time stamp and inode new, as in each CI run) gives the same
    digest, so the caches and the build state it keys survive it."""
    digest = hashlib.sha256()
    for part in salt:
        digest.update(part.encode() + b"\0")
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + _file_digest(path))
    return digest.hexdigest()


def package_files() -> list[Path]:
    """Every file of fmar's package (its Python source, templates and static assets), not bytecode."""
    return [
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.relative_to(PACKAGE).parts
    ]


@functools.cache
def code_fingerprint() -> str:
    """Changes whenever fmar's code changes (or its version), so stale results are never reused
    (computed once per process: the code does not change under a running one)."""
    return source_digest(package_files(), fmar.__version__)


def cache_root() -> Path:
    """fmar's cache folder: ``$FMAR_CACHE_DIR``, else ``$XDG_CACHE_HOME/fmar`` (``~/.cache/fmar``)."""
    explicit = os.environ.get("FMAR_CACHE_DIR")
    return Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "fmar"


def cache_dir(registry: Path) -> Path:
    key = hashlib.sha256(str(registry.resolve()).encode()).hexdigest()[:16]
    return cache_root() / key


class Cache:
    """Named pickles in the user's cache folder, each tagged with the code fingerprint."""

    def __init__(self, registry: Path, enabled: bool = True) -> None:
        self.enabled = enabled
        self.directory = cache_dir(registry)
        self.fingerprint = code_fingerprint() if enabled else ""

    def load(self, name: str) -> Any:
        if not self.enabled:
            return None
        try:
            with (self.directory / name).open("rb") as handle:
                tag, value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None
        return value if tag == self.fingerprint else None

    def load_bytes(self, name: str) -> bytes | None:
        """A blob saved by ``save_bytes``, if it was written by this version of fmar."""
        if not self.enabled:
            return None
        try:
            blob = (self.directory / name).read_bytes()
        except OSError:
            return None
        tag = self.fingerprint.encode() + b"\n"
        return blob[len(tag) :] if blob.startswith(tag) else None

    def map_bytes(self, name: str) -> memoryview | None:
        """``load_bytes``, mapped from the file rather than read and copied: for a large blob read
        in slices (the pages are the page cache's; the file may be replaced or removed meanwhile)."""
        if not self.enabled:
            return None
        tag = self.fingerprint.encode() + b"\n"
        try:
            with (self.directory / name).open("rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        if mapped[: len(tag)] != tag:
            mapped.close()
            return None
        return memoryview(mapped)[len(tag) :]

    def save_bytes(self, name: str, blob: bytes) -> bool:
        """Store ``blob``; False when it could not be written (the cache only ever costs time)."""
        return self._write(name, self.fingerprint.encode() + b"\n" + blob)

    def prune(self, prefix: str, keep: set[str]) -> None:
        """Remove entries named ``prefix...`` that are not in ``keep`` (buckets that no longer exist)."""
        if not self.enabled or not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            if path.name.startswith(prefix) and path.name not in keep:
                path.unlink(missing_ok=True)

    def save(self, name: str, value: Any) -> None:
        self._write(name, pickle.dumps((self.fingerprint, value), protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def scratch(cls, directory: Path) -> Cache:
        """A cache in ``directory`` (a temporary folder), used to hand results between processes."""
        cache = cls.__new__(cls)
        cache.enabled, cache.directory, cache.fingerprint = True, directory, "scratch"
        return cache

    def _write(self, name: str, data: bytes) -> bool:
        if not self.enabled:
            return False
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=name, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            Path(tmp).replace(self.directory / name)
        except OSError:
            return False  # a cache that cannot be written only costs time
        return True
