"""Find the record files of a registry folder, and every file that has no business there."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fmar.core.catalogue import (
    BAD_FILE_NAME,
    EXECUTABLE_FILE,
    MISPLACED_FILE,
    NOT_A_REGULAR_FILE,
    UNKNOWN_KIND_FOLDER,
    UNREADABLE_FILE,
)
from fmar.core.findings import Problem, Rule
from fmar.core.model import KINDS


@dataclass
class Layout:
    """Record files as (path relative to the repository root, kind, size, stamp), and misplaced files.

    The stamp changes whenever the file is written or replaced (modification and change times, inode),
    so caches keyed on (size, stamp) never reuse a stale result.
    """

    files: list[tuple[str, str, int, int]] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)


def _id_pattern(kind: str) -> str:
    return str(KINDS[kind].model_fields["id"].metadata[0].pattern)


_NO_X = "clear its executable bit (chmod -x, and git update-index --chmod=-x)"


def stamp(mtime_ns: int, ctime_ns: int, inode: int) -> int:
    """The stamp of a file in ``Layout.files``: it changes whenever the file is written or replaced."""
    return hash((mtime_ns, ctime_ns, inode))


@cache
def _is_id(kind: str) -> Callable[[str, int, int], re.Match[str] | None]:
    """``fullmatch(name, 0, end)`` of ``kind``'s id pattern, compiled once."""
    return re.compile(_id_pattern(kind)).fullmatch


def scan(root: Path, registry: Path) -> Layout:
    """Walk ``registry`` (inside ``root``) without following links."""
    layout = Layout()
    prefix = registry.relative_to(root).as_posix()

    def misplaced(rel: str, rule: Rule, message: str, hint: str) -> None:
        layout.problems.append((rel, Problem(rule, message, hint, (), 1, 1)))

    try:
        top = sorted(os.scandir(registry), key=lambda entry: entry.name)
    except OSError as exc:
        misplaced(prefix, UNREADABLE_FILE, f"cannot read the registry folder: {exc.strerror}", "check the path")
        return layout
    for entry in top:
        rel = f"{prefix}/{entry.name}"
        if entry.is_symlink():
            misplaced(
                rel, NOT_A_REGULAR_FILE, "a symbolic link in the registry", "replace the link with the record itself"
            )
            continue
        if not entry.is_dir():
            misplaced(
                rel, MISPLACED_FILE, "a file directly under registry/", "records live at registry/<kind>/<id>.yaml"
            )
            continue
        if entry.name not in KINDS:
            misplaced(
                rel,
                UNKNOWN_KIND_FOLDER,
                f"unknown record kind folder {entry.name!r}",
                f"use one of: {', '.join(sorted(KINDS))}",
            )
            continue
        _scan_kind(entry.name, entry.path, f"{rel}/", layout.files, misplaced)
    return layout


def _scan_kind(
    kind: str,
    folder: str,
    base: str,
    files: list[tuple[str, str, int, int]],
    misplaced: Callable[[str, Rule, str, str], None],
) -> None:
    """Append the record files of one kind folder to ``files`` in name order (so ``files``, kind folder
    after kind folder in name order, stays sorted by path); report every other entry.

    The loop runs once per record file of a national registry, so its common case (a regular file
    named ``<id>.yaml``) does one ``lstat`` relative to the open folder and one compiled match."""
    is_id = _is_id(kind)
    lstat = os.lstat
    append = files.append
    regular = stat.S_IFREG
    file_type = stat.S_IFMT
    executable = stat.S_IXUSR  # what Git records as mode 100755
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in sorted(os.listdir(handle)):  # noqa: PTH208 (a folder descriptor, which Path cannot list)
            info = lstat(name, dir_fd=handle)
            mode = info.st_mode
            if file_type(mode) == regular and name.endswith(".yaml") and is_id(name, 0, len(name) - 5):
                append((base + name, kind, info.st_size, stamp(info.st_mtime_ns, info.st_ctime_ns, info.st_ino)))
                if mode & executable:  # read as the record it is, and reported
                    misplaced(base + name, EXECUTABLE_FILE, "an executable file in the registry", _NO_X)
            else:
                _misplaced_entry(kind, base + name, mode, misplaced)
    finally:
        os.close(handle)


def _misplaced_entry(kind: str, rel: str, mode: int, misplaced: Callable[[str, Rule, str, str], None]) -> None:
    if stat.S_ISLNK(mode):
        misplaced(rel, NOT_A_REGULAR_FILE, "a symbolic link in the registry", "commit the record itself")
    elif stat.S_ISDIR(mode):
        misplaced(rel, MISPLACED_FILE, "a folder inside a kind folder", "records are files <id>.yaml")
    elif not stat.S_ISREG(mode):
        misplaced(rel, NOT_A_REGULAR_FILE, "not a regular file", "commit the record as a plain file")
    else:
        name = rel.rsplit("/", 1)[1]
        if mode & stat.S_IXUSR:
            misplaced(rel, EXECUTABLE_FILE, "an executable file in the registry", _NO_X)
        misplaced(
            rel,
            BAD_FILE_NAME,
            f"{name!r} is not <id>.yaml for a {kind} id",
            f"name the file after the record's id (pattern {_id_pattern(kind)}) with the extension .yaml",
        )
