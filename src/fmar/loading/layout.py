"""Find the record files of a registry folder, and every file that has no business there."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from fmar.ids import matches
from fmar.loading.problems import Problem
from fmar.model import KINDS


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


def scan(root: Path, registry: Path) -> Layout:
    """Walk ``registry`` (inside ``root``) without following links."""
    layout = Layout()
    prefix = registry.relative_to(root).as_posix()

    def misplaced(rel: str, code: str, message: str, hint: str) -> None:
        layout.problems.append((rel, Problem(code, message, hint, (), 1, 1)))

    try:
        top = sorted(os.scandir(registry), key=lambda entry: entry.name)
    except OSError as exc:
        misplaced(prefix, "REG-VAL007", f"cannot read the registry folder: {exc.strerror}", "check the path")
        return layout
    for entry in top:
        rel = f"{prefix}/{entry.name}"
        if entry.is_symlink():
            misplaced(rel, "REG-VAL003", "a symbolic link in the registry", "replace the link with the record itself")
            continue
        if not entry.is_dir():
            misplaced(rel, "REG-VAL001", "a file directly under registry/", "records live at registry/<kind>/<id>.yaml")
            continue
        if entry.name not in KINDS:
            misplaced(
                rel,
                "REG-VAL002",
                f"unknown record kind folder {entry.name!r}",
                f"use one of: {', '.join(sorted(KINDS))}",
            )
            continue
        kind = entry.name
        pattern = _id_pattern(kind)
        with os.scandir(entry.path) as inner:
            for item in inner:
                item_rel = f"{rel}/{item.name}"
                info = item.stat(follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    misplaced(item_rel, "REG-VAL003", "a symbolic link in the registry", "commit the record itself")
                elif stat.S_ISDIR(info.st_mode):
                    misplaced(item_rel, "REG-VAL001", "a folder inside a kind folder", "records are files <id>.yaml")
                elif not stat.S_ISREG(info.st_mode):
                    misplaced(item_rel, "REG-VAL003", "not a regular file", "commit the record as a plain file")
                elif not item.name.endswith(".yaml") or not matches(pattern, item.name[:-5]):
                    misplaced(
                        item_rel,
                        "REG-VAL004",
                        f"{item.name!r} is not <id>.yaml for a {kind} id",
                        f"name the file after the record's id (pattern {pattern}) with the extension .yaml",
                    )
                else:
                    layout.files.append(
                        (item_rel, kind, info.st_size, hash((info.st_mtime_ns, info.st_ctime_ns, info.st_ino)))
                    )
    layout.files.sort()
    return layout
