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

A folder's manifest (relative path -> input key) is what makes it trusted. It is kept in fmar's
cache folder (``<cache>/sites/``, one file per folder, named from the folder's path), never inside
the folder: the output folder holds the site and nothing else, so it can be published as it is
(``actions/upload-pages-artifact`` packs every file, dot files included). A manifest names its
folder and carries a *seal*: the size and modification time (whole seconds, as ``tar`` and
``actions/cache`` keep them) of a sample of the folder's files, the files the build wrote among
them. A manifest whose seal the folder no longer matches (the folder replaced, restored from an
older copy, or rewritten by another tool) is not trusted; a copy that keeps modification times
(``cp -a``, a cache restored in CI) is. The spare's manifest is deleted as the build starts using
it; at publish the live site's manifest is deleted before the swap and the new one written after
it, so a build that is interrupted (exception or kill) leaves at worst a folder without a
manifest, which the next build does not trust (it writes what it cannot link). Without a trusted
spare a build starts from an empty folder and links every unchanged file from the live site.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from fmar.validation.cache import cache_root

T = TypeVar("T")

#: The key of a file another tool wrote into a folder given to :meth:`Staging.keep_folder`.
TOOL = "tool"
_RENAME_EXCHANGE = 2
#: Files a manifest's seal samples: spread over the folder, and among those the build wrote.
_SEAL_SPREAD = 32
_SEAL_WRITTEN = 32


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:32]


def manifests_dir() -> Path:
    """Where the manifests of output folders are kept: fmar's cache folder, never a site."""
    return cache_root() / "sites"


def manifest_path(folder: Path, directory: Path | None = None) -> Path:
    """The file that holds the manifest of ``folder`` (in ``directory``, default ``manifests_dir()``)."""
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
    return (directory or manifests_dir()) / f"{name}.json"


Seal = dict[str, dict[str, list[int]]]


@dataclass
class Manifest:
    """What a folder holds (``files``: relative path -> input key), sealed to the folder (``seal``:
    ``spread`` and ``written``, each relative path -> [size, modification time in whole seconds])."""

    files: dict[str, str]
    seal: Seal = field(default_factory=dict)
    #: The manifest as stored (its digest identifies the site: ``site_token``).
    stored: bytes = b""


def _stat(folder: Path, rel: str) -> list[int] | None:
    try:
        info = os.lstat(f"{folder}/{rel}")
    except OSError:
        return None
    return [info.st_size, int(info.st_mtime)] if stat.S_ISREG(info.st_mode) else None


def _spread(names: list[str], count: int) -> list[str]:
    """Up to ``count`` of the sorted ``names``, evenly spaced."""
    if len(names) <= count or count <= 0:
        return names[: max(count, 0)]
    step = len(names) / count
    return [names[int(i * step)] for i in range(count)]


def seal_of(folder: Path, files: dict[str, str], written: Iterable[str], earlier: Seal | None = None) -> Seal:
    """The seal of ``folder`` holding ``files``: a sample spread over them, and a sample of those the
    build ``written`` (when it wrote none, the files the ``earlier`` seal sampled as written that
    are still there: they are the newest files of the folder)."""
    spread = _spread(sorted(files), _SEAL_SPREAD)
    fresh = _spread(sorted(rel for rel in written if rel in files), _SEAL_WRITTEN)
    if not fresh and earlier:
        fresh = [rel for rel in earlier.get("written", {}) if rel in files]
    seal: Seal = {"spread": {}, "written": {}}
    for part, rels in (("spread", spread), ("written", fresh)):
        for rel in rels:
            stats = _stat(folder, rel)
            if stats is not None:
                seal[part][rel] = stats
    return seal


def sealed(folder: Path, seal: Seal) -> bool:
    """Whether ``folder`` still matches ``seal`` (every sampled file there, same size and time)."""
    return all(_stat(folder, rel) == stats for part in seal.values() for rel, stats in part.items())


def load_manifest(folder: Path, directory: Path | None = None) -> dict[str, str]:
    """The manifest of ``folder`` (relative path -> input key), or {} when there is none to trust."""
    manifest = load_sealed(folder, directory)
    return manifest.files if manifest else {}


#: What separates a stored manifest's head (folder and seal) from its files (``store_manifest``).
_FILES = b', "files": '


def _stored_seal(folder: Path, directory: Path | None) -> tuple[bytes, Seal] | None:
    """The stored manifest of ``folder`` and its seal, when it names ``folder`` and the folder still
    matches the seal (only the head is parsed)."""
    try:
        stored = manifest_path(folder, directory).read_bytes()
        cut = stored.find(_FILES)  # no string of the head can hold it: JSON escapes its quote
        head = json.loads(stored[:cut] + b"}") if cut > 0 else None
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("folder") != str(folder.resolve()) or not folder.is_dir():
        return None
    seal = head.get("seal")
    if not isinstance(seal, dict) or not sealed(folder, seal):
        return None
    return stored, seal


def load_sealed(folder: Path, directory: Path | None = None) -> Manifest | None:
    """The manifest of ``folder`` when ``folder`` is a folder that still matches its seal, else None."""
    found = _stored_seal(folder, directory)
    if found is None:
        return None
    stored, seal = found
    try:
        files = json.loads(stored[stored.find(_FILES) + len(_FILES) : -1])
    except ValueError:
        return None
    return Manifest(files, seal, stored) if isinstance(files, dict) else None


def site_token(folder: Path, directory: Path | None = None) -> str | None:
    """What identifies the site in ``folder``: the digest of its manifest as stored (None without a
    manifest to trust)."""
    found = _stored_seal(folder, directory)
    return hashlib.sha256(found[0]).hexdigest() if found else None


def manifest_bytes(manifest: dict[str, str]) -> bytes:
    """The manifest as ``json.dumps(manifest, sort_keys=True, indent=0)`` writes it, at C-encoder speed."""
    if not manifest:
        return b"{}"
    encode = json.encoder.encode_basestring_ascii
    lines = ",\n".join(f"{encode(rel)}: {encode(manifest[rel])}" for rel in sorted(manifest))
    return f"{{\n{lines}\n}}".encode()


def store_manifest(folder: Path, files: dict[str, str], seal: Seal, directory: Path | None = None) -> bool:
    """Write the manifest of ``folder`` (atomically: a reader sees the old one, the new one or none);
    False when it could not be written (the folder is then not trusted: the next build writes
    every file, as after an interrupted one)."""
    head = json.dumps({"folder": str(folder.resolve()), "seal": seal}, sort_keys=True)
    data = head[:-1].encode() + b', "files": ' + manifest_bytes(files) + b"}"
    path = manifest_path(folder, directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def forget_manifest(folder: Path, directory: Path | None = None) -> None:
    """From now on ``folder`` is not trusted (its manifest deleted). A manifest that is there but
    cannot be deleted stops the build (it could be trusted later for a folder it no longer describes)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # there is none
        manifest_path(folder, directory).unlink()


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


class Share(NamedTuple):
    """What a child process wrote or kept in a staging folder (``Staging.apart``)."""

    #: Manifest entries of the files written or kept, and how many were written.
    manifest: dict[str, str]
    written: int
    #: A few of the files written (the output folder's seal samples files a build wrote).
    fresh: list[str]


class Staging:
    """A build folder beside ``out``: write what changed, keep what did not, then publish.

    ``previous`` is the live site's manifest, ``spare`` that of the folder being brought up to date
    (what is physically in ``root`` when the build starts), ``manifest`` what this build produced.
    """

    def __init__(self, out: Path, manifests: Path | None = None) -> None:
        self.out = out.resolve()
        self.root = self.out.parent / f".{self.out.name}.building"
        self.spare_path = self.out.parent / f".{self.out.name}.spare"
        #: Where the folders' manifests are kept (``manifests_dir()`` unless told).
        self.manifests = manifests or manifests_dir()
        self.live = load_sealed(self.out, self.manifests)
        self.previous = self.live.files if self.live else {}
        self.manifest: dict[str, str] = {}
        self.written = 0
        #: The files this build wrote (``written`` counts them), some of which the seal samples.
        self.fresh: list[str] = []
        self.tool_folders: list[str] = []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove(self.root)  # a build that was killed: never trusted
        spare = load_sealed(self.spare_path, self.manifests)
        self.spare = spare.files if spare else {}
        # From here on the spare is being changed: without its manifest nobody trusts it again.
        forget_manifest(self.spare_path, self.manifests)
        if self.spare:
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
        self.fresh.append(rel)

    def put_with(self, rel: str, key: str, write: Callable[[Path], None]) -> bool:
        """Have ``write(path)`` make ``rel`` unless the previous build made it from the same ``key``.

        For large files written straight to disk; True when the file was written.
        """
        if self.is_current(rel, key):
            return False
        write(fresh(self.root / rel))
        self.manifest[rel] = key
        self.written += 1
        self.fresh.append(rel)
        return True

    def record(self, entries: dict[str, str], written: int, fresh: Iterable[str] = ()) -> None:
        """Take the manifest entries of files a worker process wrote or kept (``fresh``: those it wrote)."""
        self.manifest.update(entries)
        self.written += written
        self.fresh.extend(fresh)

    def apart(self, function: Callable[..., T], *args: Any) -> tuple[T, Share]:
        """``function(*args)``, which writes into this folder, with what it wrote or kept set apart
        (this staging's own record is left as it was): for a child process, whose parent then
        ``record``s the ``Share``."""
        kept = self.manifest, self.written, self.fresh
        self.manifest, self.written, self.fresh = {}, 0, []
        try:
            result = function(*args)
            return result, Share(self.manifest, self.written, self.fresh[:: max(1, len(self.fresh) // 8)])
        finally:
            self.manifest, self.written, self.fresh = kept

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
        """Remove files no longer produced, swap the build into place and write its manifest; the
        retired site becomes the spare, with the manifest it had."""
        for rel in self.tool_folders:
            for path in (self.root / rel).rglob("*"):
                if path.is_file():
                    rel_path = path.relative_to(self.root).as_posix()
                    self.manifest.setdefault(rel_path, TOOL)
                    self.fresh.append(rel_path)
        self._prune()
        # Renames keep sizes and times: the seal taken here holds for the folder once it is ``out``.
        seal = seal_of(self.root, self.manifest, self.fresh, self.live.seal if self.live else None)
        remove(self.spare_path)
        # ``out`` changes now: until its new manifest is written nobody trusts it.
        forget_manifest(self.out, self.manifests)
        if not self.out.exists() and not self.out.is_symlink():
            self.root.rename(self.out)
            retired = None
        elif _exchange(self.root, self.out):
            retired = self.root
        else:  # not atomic: for a moment there is no ``out``
            self.out.rename(self.spare_path)
            self.root.rename(self.out)
            retired = self.spare_path
        store_manifest(self.out, self.manifest, seal, self.manifests)
        if retired is not None and self.live is None:
            remove(retired)  # not a site this tool built: no manifest to trust it by
            retired = None
        if retired is None or self.live is None:
            # No site before this one to keep as the spare: the spare is this site, every file
            # hard-linked (a build replaces a file, never writes into it), so the next build brings
            # it up to date instead of linking the whole site first (10 s at 320,000 files).
            _link_tree(self.out, self.spare_path)
            store_manifest(self.spare_path, self.manifest, seal, self.manifests)
            return
        if retired != self.spare_path:
            retired.rename(self.spare_path)
        # The retired folder is the previous live site as it was: its manifest and seal hold.
        store_manifest(self.spare_path, self.live.files, self.live.seal, self.manifests)

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


def _link_tree(source: Path, target: Path) -> None:
    """``target``: a new folder of hard links to every file of ``source``, folders made alike."""
    pending = [""]
    while pending:
        rel = pending.pop()
        there = f"{source}/{rel}" if rel else str(source)
        os.mkdir(f"{target}/{rel}" if rel else target)  # noqa: PTH102 (one call per folder, no Path)
        with os.scandir(there) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name)
                else:
                    os.link(entry.path, f"{target}/{name}", follow_symlinks=False)


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
