"""The output folder, double-buffered: a build brings a spare copy of the site up to date, then swaps it in.

Beside ``out`` live two hidden folders: ``.<out>.spare`` (the site before the last publish, with
its own manifest) and, during a build, ``.<out>.building``. A build renames the spare to the
building folder and brings it up to date, so its cost follows what changed, not the site's size:

* a file the spare already holds from the same inputs (its manifest says so, and the file is
  there: the spare was the live site before, where a file may have been deleted by hand) is
  kept as it is;
* else a file the live site holds from the same inputs is hard-linked from there (no rendering);
* else it is written as a new file, any previous file unlinked first: the spare's files may be
  hard links shared with the live site, and a file is never written through a link;
* files the spare holds but this build did not produce are found from the two manifests (no walk
  of the tree) and removed;
* the manifest is written last and the two folders are exchanged atomically
  (``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames); the retired site becomes the spare.

A folder's manifest (``.fmar-manifest.json``: relative path -> input key) is what makes it
trusted: the spare's is deleted as the build starts using it and a new one is written only at
publish, so a build that is interrupted (exception or kill) leaves the live site whole and a
building folder or spare without a manifest, which the next build discards. Without a trusted
spare a build starts from an empty folder and links every unchanged file from the live site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

MANIFEST = ".fmar-manifest.json"
#: The key of a file another tool wrote into a folder given to :meth:`Staging.keep_folder`.
TOOL = "tool"
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


def manifest_bytes(manifest: dict[str, str]) -> bytes:
    """The manifest as ``json.dumps(manifest, sort_keys=True, indent=0)`` writes it, at C-encoder speed."""
    if not manifest:
        return b"{}"
    encode = json.encoder.encode_basestring_ascii
    lines = ",\n".join(f"{encode(rel)}: {encode(manifest[rel])}" for rel in sorted(manifest))
    return f"{{\n{lines}\n}}".encode()


#: Create a new file, never open an existing one (so a hard link to the previous build is never written through).
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_file(root: Path, rel: str, data: bytes) -> None:
    """Write ``root/rel`` as a new file (breaking any hard link to the previous build).

    One ``open`` and one ``write`` in the common case; the folder is made, or the previous file
    (or hard link) removed, only when the first ``open`` says so.
    """
    path = f"{root}/{rel}"  # not pathlib: this runs for every file of a national site
    try:
        fd = os.open(path, _NEW_FILE, 0o666)
    except OSError:  # a previous file or link, a missing folder, or a file where a folder goes
        fd = os.open(fresh(Path(path)), _NEW_FILE, 0o666)
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
    except IsADirectoryError:
        shutil.rmtree(path)
    except NotADirectoryError:
        _clear_parents(path)
    return path


def _clear_parents(path: Path) -> None:
    """Make ``path.parent`` a folder where an earlier build left a file on its way."""
    for parent in reversed(path.parents):
        if parent.is_file() or parent.is_symlink():
            parent.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


def remove(folder: Path) -> None:
    """Remove ``folder`` (or a file of that name) if it is there."""
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)
    elif folder.exists() or folder.is_symlink():
        folder.unlink()


class Staging:
    """A build folder beside ``out``: write what changed, keep what did not, then publish.

    ``previous`` is the live site's manifest, ``spare`` that of the folder being brought up to date
    (what is physically in ``root`` when the build starts), ``manifest`` what this build produced.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.root = self.out.parent / f".{self.out.name}.building"
        self.spare_path = self.out.parent / f".{self.out.name}.spare"
        self.previous = load_manifest(self.out) if self.out.is_dir() else {}
        self.manifest: dict[str, str] = {}
        self.written = 0
        self.tool_folders: list[str] = []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove(self.root)  # a build that was killed: never trusted
        self.spare = load_manifest(self.spare_path) if self.spare_path.is_dir() else {}
        if self.spare:
            # From here on the spare is being changed: without its manifest nobody trusts it again.
            (self.spare_path / MANIFEST).unlink()
            self.spare_path.rename(self.root)
        else:
            remove(self.spare_path)
            self.root.mkdir()

    def is_current(self, rel: str, key: str) -> bool:
        """True (and the file kept) when ``root/rel`` holds, or now links, a file made from ``key``.

        Kept when the spare has it from the same inputs; else hard-linked from the live site when
        that has it from the same inputs. False when the caller must write it.
        """
        if self.spare.get(rel) == key and (self.root / rel).is_file():
            self.manifest[rel] = key
            return True
        if self.previous.get(rel) == key:
            try:
                os.link(self.out / rel, fresh(self.root / rel))
            except OSError:
                return False
            self.manifest[rel] = key
            return True
        return False

    def keep_all(self, rels: Iterable[str]) -> str | None:
        """Keep each of ``rels`` as the live site has it (the caller knows their inputs did not change);
        the first the live site does not have (None when it has all).

        The spare's copy is kept when its manifest has the same key and the file is there: checked
        from one listing of each folder, not a ``stat`` per file (at national scale a build keeps
        hundreds of thousands of files). The spare was the live site once, and a file deleted from
        that by hand is still in its manifest. Else the live file is linked."""
        previous, spare, manifest = self.previous, self.spare, self.manifest
        from_spare: list[str] = []
        for rel in rels:
            key = previous.get(rel)
            if key is None:
                return rel
            if spare.get(rel) == key:
                manifest[rel] = key
                from_spare.append(rel)
            elif not self.is_current(rel, key):
                return rel
        for rel in _absent(self.root, from_spare):
            del manifest[rel]
            if not self.is_current(rel, previous[rel]):
                return rel
        return None

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

    def keep_folder(self, rel: str) -> Path:
        """Give the folder ``rel`` to another tool this build; returns ``root/rel``, empty.

        Call it before the tool writes there: whatever the spare had in that folder (its files may
        be hard links to the live site) is removed, so the tool writes new files only. At publish
        the folder (just that one) is walked and every file in it is kept.
        """
        base = self.root / rel
        remove(base)
        prefix = f"{rel.strip('/')}/"
        for name in [name for name in self.manifest if name.startswith(prefix)]:
            del self.manifest[name]
        base.mkdir(parents=True)
        self.tool_folders.append(rel)
        return base

    def publish(self) -> None:
        """Remove files no longer produced, write the manifest and swap the build into place."""
        for rel in self.tool_folders:
            for path in (self.root / rel).rglob("*"):
                if path.is_file():
                    self.manifest.setdefault(path.relative_to(self.root).as_posix(), TOOL)
        self._prune()
        write_file(self.root, MANIFEST, manifest_bytes(self.manifest))
        remove(self.spare_path)
        if not self.out.exists() and not self.out.is_symlink():
            self.root.rename(self.out)
            return
        if _exchange(self.root, self.out):
            retired = self.root
        else:  # not atomic: for a moment there is no ``out``
            self.out.rename(self.spare_path)
            self.root.rename(self.out)
            retired = self.spare_path
        if not self.previous:
            remove(retired)  # not a site this tool built: no manifest to trust it by
        elif retired != self.spare_path:
            retired.rename(self.spare_path)

    def _prune(self) -> None:
        """Remove what the spare held but this build did not produce: from the manifests, not a walk."""
        folders: set[Path] = set()
        for rel in self.spare:
            if rel not in self.manifest:
                path = self.root / rel
                try:
                    path.unlink()
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    continue
                folders.add(path.parent)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            while folder != self.root:
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent

    def abandon(self) -> None:
        """Drop the half-built folder; the live site and its manifest are untouched."""
        shutil.rmtree(self.root, ignore_errors=True)


def _absent(root: Path, rels: list[str]) -> list[str]:
    """Those of ``rels`` that ``root`` lacks, from one listing of each folder they are in."""
    there: set[str] = set()
    for folder in {rel.rpartition("/")[0] for rel in rels}:
        try:
            names = os.listdir(f"{root}/{folder}" if folder else root)  # noqa: PTH208 (names: no Path per file)
        except OSError:
            continue
        there.update([f"{folder}/{name}" for name in names] if folder else names)
    if there.issuperset(rels):
        return []
    return [rel for rel in rels if rel not in there]


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
