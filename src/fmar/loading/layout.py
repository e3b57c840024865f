"""Find the record files of a registry folder, and every file that has no business there."""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fmar.core import record_paths
from fmar.core.catalogue import (
    BAD_FILE_NAME,
    FOLDER_TOO_LARGE,
    MISPLACED_FILE,
    RECORD_AT_WRONG_PATH,
    UNKNOWN_KIND_FOLDER,
    UNREADABLE_FILE,
)
from fmar.core.file_modes import EXECUTABLE, GITLINK, SPECIAL, SYMLINK, mode_problem
from fmar.core.findings import Problem, Rule
from fmar.core.model import KINDS
from fmar.core.spelling import clash_problem, clashing_names


@dataclass
class Layout:
    """Record files as (path relative to the repository root, kind, size, stamp), and misplaced files.

    The stamp changes whenever the file is written or replaced (modification and change times, inode),
    so caches keyed on (size, stamp) never reuse a stale result.
    """

    files: list[tuple[str, str, int, int]] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    #: False after a light scan (``scan(light=True)``) until ``restat``: record files then have
    #: size and stamp 0 and their mode is not checked.
    stated: bool = True

    def restat(self, root: Path, paths: Iterable[str]) -> None:
        """``lstat`` the record files at ``paths`` (relative to ``root``) that a light scan listed:
        their size and stamp, and whether they are executable. The others keep size and stamp 0."""
        rels = [rel for rel, _, _, _ in self.files]
        for path in sorted(set(paths)):
            at = bisect_left(rels, path)
            if at == len(rels) or rels[at] != path:
                continue
            try:
                info = os.lstat(root / path)
            except OSError:
                continue  # gone since the scan: the caller finds it missing when it reads it
            rel, kind, _, _ = self.files[at]
            self.files[at] = (rel, kind, info.st_size, stamp(info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
            problem = mode_problem(rel, EXECUTABLE) if info.st_mode & stat.S_IXUSR else None
            if problem is not None:
                self.problems.append((rel, problem))


def stamp(mtime_ns: int, ctime_ns: int, inode: int) -> int:
    """The stamp of a file in ``Layout.files``: it changes whenever the file is written or replaced."""
    return hash((mtime_ns, ctime_ns, inode))


@cache
def _is_id(kind: str) -> Callable[[str, int, int], re.Match[str] | None]:
    """``fullmatch(name, 0, end)`` of ``kind``'s id pattern, compiled once."""
    return re.compile(record_paths.ID_PATTERNS[kind]).fullmatch


#: Given paths relative to the repository root, those its Git index records as submodules (gitlinks).
Gitlinks = Callable[[list[str]], set[str]]


def scan(root: Path, registry: Path, *, gitlinks: Gitlinks | None = None, light: bool = False) -> Layout:
    """Walk ``registry`` (inside ``root``) without following links.

    ``light``: record files (regular files named ``<id>.yaml`` at their own path, as the folder's
    listing tells) are not ``lstat``ed: their size and stamp are 0 and whether they are executable
    is not checked (``Layout.stated`` is False) until the caller ``restat``s those that may have
    changed since a scan that checked them all (for a national registry, 445,000 ``lstat``s
    fewer). Everything else is checked as always.

    Besides misplaced files, it reports what a checkout cannot hold as it is (``fmar check`` says the
    same of a change): names of one folder that differ only by letter case, Unicode normal form or
    trailing dots and spaces, a spelling of the registry folder beside it, links, executables, and
    submodules. A submodule shows
    as a folder holding ``.git`` once checked out, as an empty folder before: ``gitlinks`` (one question
    to Git, asked only when such folders are found) tells those from plain folders.
    """
    found = _Scan(root, prefix=registry.relative_to(root).as_posix())
    found.light, found.layout.stated = light, not light
    found.beside(registry)
    try:
        top = sorted(os.scandir(registry), key=lambda entry: entry.name)
    except OSError as exc:
        found.misplaced(
            found.prefix, UNREADABLE_FILE, f"cannot read the registry folder: {exc.strerror}", "check the path"
        )
        return found.layout
    found.clashes(found.prefix, [entry.name for entry in top], lambda name: name in KINDS)
    for entry in top:
        rel = f"{found.prefix}/{entry.name}"
        if entry.is_symlink():
            found.problem(rel, mode_problem(rel, SYMLINK))
        elif not entry.is_dir():
            found.misplaced(
                rel,
                MISPLACED_FILE,
                "a file directly under registry/",
                "records live in the folders of their kind (docs/layout.md)",
            )
        elif entry.name not in KINDS:
            found.folder(
                rel,
                entry.path,
                Problem(
                    UNKNOWN_KIND_FOLDER,
                    f"unknown record kind folder {entry.name!r}",
                    f"use one of: {', '.join(sorted(KINDS))}",
                    (),
                    1,
                    1,
                ),
            )
        elif not found.submodule(rel, entry.path):
            _scan_kind(entry.name, entry.path, f"{rel}/", found)
    found.resolve(gitlinks)
    return found.layout


class _Scan:
    """What a scan has found so far, and the folders that may be submodules."""

    def __init__(self, root: Path, prefix: str) -> None:
        self.root = root
        self.prefix = prefix
        self.layout = Layout()
        #: Record files are listed from the folder's entries, not ``lstat``ed (``scan(light=True)``).
        self.light = False
        #: Folders a Git index may record as submodules, with what they are if it does not.
        self.folders: dict[str, Problem | None] = {}

    def problem(self, rel: str, problem: Problem | None) -> None:
        if problem is not None:
            self.layout.problems.append((rel, problem))

    def misplaced(self, rel: str, rule: Rule, message: str, hint: str) -> None:
        self.layout.problems.append((rel, Problem(rule, message, hint, (), 1, 1)))

    def beside(self, registry: Path) -> None:
        """Another spelling of the registry folder in the folder that holds it (``Registry/``)."""
        if not registry.parent.is_relative_to(self.root):
            return
        try:
            names = [entry.name for entry in registry.parent.iterdir()]
        except OSError:
            return
        folder = registry.parent.relative_to(self.root).as_posix()
        base = "" if folder == "." else f"{folder}/"
        for other in clashing_names(names).get(registry.name, []):
            self.problem(base + other, clash_problem(base + other, self.prefix))

    def clashes(self, folder: str, names: list[str], proper: Callable[[str], bool]) -> None:
        """Names of ``folder`` that clash (``fmar.core.spelling``). A name that is what the layout asks for
        (a kind folder, ``<id>.yaml``) is not reported when a clashing name is not: that one is the stray."""
        for name, others in clashing_names(names).items():
            fitting = [other for other in others if proper(other)]
            if proper(name) and len(fitting) < len(others):
                continue
            self.problem(f"{folder}/{name}", clash_problem(f"{folder}/{name}", f"{folder}/{(fitting or others)[0]}"))

    def submodule(self, rel: str, path: str) -> bool:
        """Report the folder at ``path`` if it is a checked-out submodule (it holds ``.git``); True if so.
        An empty folder may be one not checked out: Git is asked about it at the end."""
        if _checked_out_submodule(path):
            self.problem(rel, mode_problem(rel, GITLINK))
            return True
        if _empty(path):
            self.folders[rel] = None
        return False

    def folder(self, rel: str, path: str, otherwise: Problem) -> None:
        """A folder where none belongs: a submodule (checked out or not), else ``otherwise``."""
        if _checked_out_submodule(path):
            self.problem(rel, mode_problem(rel, GITLINK))
        else:
            self.folders[rel] = otherwise

    def resolve(self, gitlinks: Gitlinks | None) -> None:
        """Folders Git records as submodules are reported as such; the others as what they are."""
        linked = gitlinks(sorted(self.folders)) if gitlinks is not None and self.folders else set()
        for rel, otherwise in self.folders.items():
            self.problem(rel, mode_problem(rel, GITLINK) if rel in linked else otherwise)


def _checked_out_submodule(folder: str) -> bool:
    """A folder holding ``.git`` (a file naming the submodule's Git folder, or the folder itself)."""
    return os.path.lexists(f"{folder}/.git")


def _empty(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _scan_kind(kind: str, folder: str, base: str, found: _Scan) -> None:
    """Append the record files of one kind folder to the layout's files in path order (kind folder after
    kind folder in name order, folders walked depth first in name order, so they stay sorted by path);
    report every other entry, and every record file not at its own path (``fmar.core.record_paths``)."""
    _scan_folder(kind, folder, base, record_paths.DEPTH[kind], len(found.prefix) + 1, found)


def _scan_folder(kind: str, folder: str, base: str, depth: int, start: int, found: _Scan) -> None:
    """One folder of a kind, ``depth`` folders above its record files; ``start``: where the path under
    ``registry/`` begins in a path relative to the repository root.

    The loop runs once per record file of a national registry, so its common case (a regular file
    named ``<id>.yaml`` at its own path) does one ``lstat`` relative to the open folder, one compiled
    match and one comparison of paths."""
    is_id = _is_id(kind)
    lstat = os.lstat
    append = found.layout.files.append
    regular = stat.S_IFREG
    file_type = stat.S_IFMT
    executable = stat.S_IXUSR  # what Git records as mode 100755
    path_of = record_paths.path_of
    here = base.rstrip("/")
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        found.misplaced(here, UNREADABLE_FILE, f"cannot read the folder: {exc.strerror}", "check its permissions")
        return
    try:
        if found.light and not depth:
            _light_leaf(kind, folder, handle, base, start, found)
            return
        names = sorted(os.listdir(handle))  # noqa: PTH208 (a folder descriptor, which Path cannot list)
        if not names:  # perhaps a submodule not checked out: Git is asked at the end
            found.folders.setdefault(here, None)
        if len(names) > record_paths.FOLDER_LIMIT:
            found.problem(here, too_large(here, len(names)))
        found.clashes(here, names, lambda name: _proper(name, depth, is_id))
        for name in names:
            info = lstat(name, dir_fd=handle)
            mode = info.st_mode
            if file_type(mode) == regular and name.endswith(".yaml") and is_id(name, 0, len(name) - 5):
                rel = base + name
                if depth or rel[start:] != path_of(kind, name[:-5]):
                    found.problem(rel, wrong_path(kind, name[:-5], found.prefix))
                    continue
                append((rel, kind, info.st_size, stamp(info.st_mtime_ns, info.st_ctime_ns, info.st_ino)))
                if mode & executable:  # read as the record it is, and reported
                    found.problem(rel, mode_problem(rel, EXECUTABLE))
            elif depth and stat.S_ISDIR(mode):
                if _checked_out_submodule(f"{folder}/{name}"):
                    found.problem(base + name, mode_problem(base + name, GITLINK))
                else:
                    _scan_folder(kind, f"{folder}/{name}", f"{base}{name}/", depth - 1, start, found)
            elif not stat.S_ISDIR(mode) or not depth:
                _misplaced_entry(kind, f"{folder}/{name}", base + name, mode, found)
    finally:
        os.close(handle)


def _light_leaf(kind: str, folder: str, handle: int, base: str, start: int, found: _Scan) -> None:
    """A folder of record files in a light scan: a record file's type comes from the folder's
    listing (no ``lstat``); any other entry is ``lstat``ed and judged as ``_scan_folder`` does."""
    is_id = _is_id(kind)
    path_of = record_paths.path_of
    append = found.layout.files.append
    here = base.rstrip("/")
    with os.scandir(handle) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    names = [entry.name for entry in entries]
    if not names:
        found.folders.setdefault(here, None)
    if len(names) > record_paths.FOLDER_LIMIT:
        found.problem(here, too_large(here, len(names)))
    found.clashes(here, names, lambda name: _proper(name, 0, is_id))
    for entry in entries:
        name = entry.name
        if name.endswith(".yaml") and is_id(name, 0, len(name) - 5) and entry.is_file(follow_symlinks=False):
            rel = base + name
            if rel[start:] != path_of(kind, name[:-5]):
                found.problem(rel, wrong_path(kind, name[:-5], found.prefix))
                continue
            append((rel, kind, 0, 0))
        else:
            mode = os.lstat(name, dir_fd=handle).st_mode
            _misplaced_entry(kind, f"{folder}/{name}", base + name, mode, found)


def _proper(name: str, depth: int, is_id: Callable[[str, int, int], re.Match[str] | None]) -> bool:
    """Whether ``name`` is what the layout asks for in a folder ``depth`` folders above record files: a
    record file ``<id>.yaml`` where records live, a folder (any name without the suffix) above them."""
    is_record = name.endswith(".yaml") and bool(is_id(name, 0, len(name) - 5))
    return is_record if not depth else is_record or not name.endswith(".yaml")


def wrong_path(kind: str, record_id: str, prefix: str = "registry") -> Problem:
    """A record file of ``kind`` named after ``record_id`` but not at the path the layout gives it."""
    right = f"{prefix}/{record_paths.path_of(kind, record_id)}"
    return Problem(
        RECORD_AT_WRONG_PATH,
        f"the {kind} {record_id} is not at its path {right}",
        f"move the file to {right} (git mv keeps its history; fmar migrate layout moves a whole registry "
        "from the flat layout)",
        (),
        1,
        1,
    )


def too_large(folder: str, count: int) -> Problem:
    return Problem(
        FOLDER_TOO_LARGE,
        f"the folder {folder} holds {count} entries, more than {record_paths.FOLDER_LIMIT}",
        "records are placed by id (docs/layout.md): ask the registry operator, this folder cannot take more",
        (),
        1,
        1,
    )


def _misplaced_entry(kind: str, path: str, rel: str, mode: int, found: _Scan) -> None:
    if stat.S_ISLNK(mode):
        found.problem(rel, mode_problem(rel, SYMLINK))
    elif stat.S_ISDIR(mode):
        found.folder(
            rel,
            path,
            Problem(MISPLACED_FILE, "a folder where records belong", "records are files <id>.yaml", (), 1, 1),
        )
    elif not stat.S_ISREG(mode):
        found.problem(rel, mode_problem(rel, SPECIAL))
    else:
        name = rel.rsplit("/", 1)[1]
        if mode & stat.S_IXUSR:
            found.problem(rel, mode_problem(rel, EXECUTABLE))
        found.misplaced(
            rel,
            BAD_FILE_NAME,
            f"{name!r} is not <id>.yaml for a {kind} id",
            f"name the file after the record's id (pattern {record_paths.ID_PATTERNS[kind]}) with the extension .yaml",
        )
