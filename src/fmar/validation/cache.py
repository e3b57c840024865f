"""A cache of validation results, kept outside the repository so a change under review cannot plant one."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import fmar


def _code_fingerprint() -> str:
    """Changes whenever fmar's code changes, so stale results are never reused."""
    package = Path(fmar.__file__).parent
    digest = hashlib.sha256(fmar.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        digest.update(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


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
        self.fingerprint = _code_fingerprint() if enabled else ""

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
