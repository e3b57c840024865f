"""What a checkout of a change holds beyond the bytes the gate reads: file types and path spellings.

The gate judges blobs; a checkout turns them into files. Two gaps between the two are closed here:

* File modes. Only a regular, non-executable file (Git mode 100644) is data: a symbolic link's blob
  is its link text (a checkout makes a dangling link of a validly signed record), a submodule
  (gitlink, 160000) has no blob at all, and an executable bit is no part of a record
  (``fmar.core.file_modes``, which ``fmar validate`` applies to what it finds on disk).
* Spellings. macOS and Windows file systems ignore letter case and Unicode normal form, so a path
  added as ``Registry/party/NESO.yaml``, ``registry/Party/...`` or with a decomposed accent lands on
  another file there. Added paths are compared with the base tree and with each other by
  ``fmar.core.spelling``, the definition ``fmar validate`` applies to the folders it walks.

The base tree is never listed whole: git itself finds the few entries that can collide
(case-insensitive and non-ASCII pathspecs over the folders the change adds to).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from fmar.core.catalogue import FILE_TYPE_CHANGED
from fmar.core.file_modes import describe, mode_problem
from fmar.core.findings import Problem, Rule
from fmar.core.spelling import clash_problem, clashing_paths, folded
from fmar.gitrepo import DiffEntry, files_matching, object_types
from fmar.loading.paths import ANCHOR_PATH
from fmar.trust.revision import REGISTRY

_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


def is_data_path(path: str) -> bool:
    """Registry data: the registry folder itself, anything under it, and the trust anchor."""
    return path in (REGISTRY, ANCHOR_PATH) or path.startswith(f"{REGISTRY}/")


def _problem(rule: Rule, message: str, hint: str) -> Problem:
    return Problem(rule, message, hint, (), 1, 1)


def mode_problems(changes: Iterable[DiffEntry]) -> list[tuple[str, Problem]]:
    """A data path the change leaves as anything but a regular, non-executable file, or whose type it changes."""
    out: list[tuple[str, Problem]] = []
    for change in changes:
        if change.status == "D" or not is_data_path(change.path):
            continue
        mode = change.new_mode
        problem = mode_problem(change.path, mode)
        if problem is not None:
            out.append((change.path, problem))
        if change.status in ("M", "T") and change.old_mode != mode:
            out.append(
                (
                    change.path,
                    _problem(
                        FILE_TYPE_CHANGED,
                        f"changes the merged {change.path} from {describe(change.old_mode)} (mode {change.old_mode}) "
                        f"to {describe(mode)} (mode {mode})",
                        "restore the file as it was merged",
                    ),
                )
            )
    return out


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _icase(path: str) -> list[str]:
    """Pathspecs matching ``path`` with any ASCII letter case, and its folded forms when they are ASCII."""
    specs = [f":(icase,literal){path}"]
    for spelling in sorted(folded(path)):
        if spelling != path and spelling.isascii():
            specs.append(f":(icase,literal){spelling}")
    return specs


def _non_ascii_children(folder: str) -> list[str]:
    """Pathspecs matching the entries of ``folder`` whose names hold a byte outside printable ASCII
    (files, and what lies under such folders: a glob matches a folder's contents only through ``**``)."""
    escaped = _GLOB_SPECIAL.sub(r"\\\1", folder)
    pattern = f"{escaped}/*[! -~]*" if folder else "*[! -~]*"
    return [f":(glob){pattern}", f":(glob){pattern}/**"]


def collisions(root: Path, base: str, changes: list[DiffEntry]) -> list[tuple[str, Problem]]:
    """Added paths that a case-insensitive or normalising file system would merge with another path
    of the base tree or of the change itself (``fmar.core.spelling``, as ``fmar validate`` judges a folder)."""
    added = sorted({c.path for c in changes if c.status in ("A", "R", "C")})
    if not added:
        return []
    gone = {c.path for c in changes if c.status == "D"}
    gone |= {c.old_path for c in changes if c.status == "R" and c.old_path}
    folders = sorted({prefix for path in added for prefix in _prefixes(path)[:-1]})
    in_base = object_types(root, base, folders)
    specs: list[str] = []
    for path in added:
        specs += _icase(path)
    for folder in folders:
        if in_base.get(folder) != "tree":
            specs += _icase(folder)
    for folder in ["", *folders]:
        if not folder or in_base.get(folder) == "tree":
            specs += _non_ascii_children(folder)
    existing = [path for path in files_matching(root, base, sorted(set(specs))) if path not in gone]
    return [(path, clash_problem(prefix, other)) for path, prefix, other in clashing_paths([*existing, *added], added)]


def checkout_problems(root: Path, base: str, changes: list[DiffEntry]) -> list[tuple[str, Problem]]:
    """What the gate adds for the checkout: file modes of data paths, and spellings of every added path."""
    return mode_problems(changes) + collisions(root, base, changes)
