"""The output folder: built beside the live one, only changed files rewritten, then swapped in whole.

A build starts from a hard-linked copy of the previous output, so files whose inputs did not
change cost nothing; a changed file is written as a new file (never through the link), so the
live site is never modified in place. At the end the two folders are exchanged atomically
(``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames), and an interrupted build leaves
the previous site whole.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

MANIFEST = ".fmar-manifest.json"
_RENAME_EXCHANGE = 2


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:32]


def load_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


#: Create a new file, never open an existing one (so a hard link to the previous build is never written through).
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_file(root: Path, rel: str, data: bytes) -> None:
    """Write ``root/rel`` as a new file (breaking any hard link to the previous build).

    One ``open`` and one ``write`` in the common case; the folder is made, or the previous file
    (or hard link) removed, only when the first ``open`` says so.
    """
    path = root / rel
    try:
        fd = os.open(path, _NEW_FILE, 0o666)
    except FileExistsError:
        path.unlink()
        fd = os.open(path, _NEW_FILE, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def fresh(path: Path) -> Path:
    """``path`` made ready for a new file: any previous file (or hard link) removed, its folder made."""
    try:
        path.unlink()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


class Staging:
    """A build folder beside ``out``: write what changed, keep what did not, then publish."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.root = self.out.parent / f".{self.out.name}.building"
        self.previous = load_manifest(self.out)
        self.manifest: dict[str, str] = {}
        self.written = 0
        if self.root.exists():
            shutil.rmtree(self.root)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if self.out.is_dir() and self.previous:
            _link_tree(self.out, self.root)
        else:
            self.previous = {}
            self.root.mkdir()

    def is_current(self, rel: str, key: str) -> bool:
        """True (and the file kept) when the previous build wrote ``rel`` from the same inputs."""
        if self.previous.get(rel) == key and (self.root / rel).is_file():
            self.manifest[rel] = key
            return True
        return False

    def keep(self, rel: str) -> None:
        """Keep ``rel`` as the previous build wrote it (its inputs are known not to have changed)."""
        key = self.previous.get(rel)
        if key is not None:
            self.manifest[rel] = key

    def put(self, rel: str, data: bytes, key: str | None = None) -> None:
        """Write ``rel`` unless the previous build wrote the same inputs (or, without a key, bytes)."""
        key = key or digest(data)
        if self.is_current(rel, key):
            return
        write_file(self.root, rel, data)
        if os.environ.get("FMAR_DEBUG_WRITES"):
            print("write", rel)
        self.manifest[rel] = key
        self.written += 1

    def put_with(self, rel: str, key: str, write: Callable[[Path], None]) -> bool:
        """Have ``write(path)`` make ``rel`` unless the previous build made it from the same ``key``.

        For large files written straight to disk; True when the file was written.
        """
        if self.is_current(rel, key):
            return False
        write(fresh(self.root / rel))
        self.manifest[rel] = key
        self.written += 1
        return True

    def record(self, entries: dict[str, str], written: int) -> None:
        """Take the manifest entries of files a worker process wrote or kept."""
        self.manifest.update(entries)
        self.written += written

    def keep_folder(self, rel: str) -> None:
        """Keep every file under ``rel`` (written by another tool this build) out of pruning."""
        base = self.root / rel
        for path in base.rglob("*"):
            if path.is_file():
                name = path.relative_to(self.root).as_posix()
                self.manifest.setdefault(name, "tool")

    def publish(self) -> None:
        """Remove files no longer produced, write the manifest and swap the build into place."""
        for dirpath, _, files in os.walk(self.root):
            for name in files:
                rel = Path(dirpath, name).relative_to(self.root).as_posix()
                if rel not in self.manifest and rel != MANIFEST:
                    Path(dirpath, name).unlink()
        (self.root / MANIFEST).write_text(json.dumps(self.manifest, sort_keys=True, indent=0), encoding="utf-8")
        if self.out.exists():
            if not _exchange(self.root, self.out):
                retired = self.out.parent / f".{self.out.name}.previous"
                shutil.rmtree(retired, ignore_errors=True)
                self.out.rename(retired)
                self.root.rename(self.out)
                shutil.rmtree(retired, ignore_errors=True)
                return
            shutil.rmtree(self.root)
        else:
            self.root.rename(self.out)

    def abandon(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    for dirpath, dirnames, files in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        base = target / rel if rel != "." else target
        base.mkdir(parents=True, exist_ok=True)
        dirnames.sort()
        for name in files:
            os.link(Path(dirpath, name), base / name)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
