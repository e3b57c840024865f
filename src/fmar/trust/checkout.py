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

The base tree is never listed whole: only the folders on the way to each added path are, one
``git ls-tree`` each, and searched as bytes for the entries that can collide (names equal but for
ASCII letter case, and names holding a byte outside printable ASCII), which is what git's
case-insensitive and non-ASCII pathspecs would find, without git matching every path of the tree.
"""

from __future__ import annotations

from collections.abc import Iterable

from fmar.core.catalogue import FILE_TYPE_CHANGED
from fmar.core.file_modes import describe, mode_problem
from fmar.core.findings import Problem, Rule
from fmar.core.record_paths import FOLDER_LIMIT
from fmar.core.spelling import clash_problem, clashing_paths, folded
from fmar.gitrepo import DiffEntry, Folders, files_under, object_types
from fmar.loading.layout import too_large
from fmar.loading.paths import ANCHOR_PATH
from fmar.trust.revision import REGISTRY


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


def _spelled(path: str) -> list[str]:
    """``path`` and its folded forms when they are ASCII: what is looked for in any ASCII letter case."""
    return [path, *sorted(form for form in folded(path) if form != path and form.isascii())]


def _lowered(name: str) -> bytes:
    return name.encode("utf-8").lower()  # ASCII letters only, as git's icase pathspec magic


def _files(folders: Folders, base: str, path: str, kind: str) -> list[str]:
    """The entry ``path`` itself, or what lies under it when it is a folder."""
    return files_under(folders.root, base, path) if kind == "tree" else [path]


def existing_like(folders: Folders, base: str, spelled: list[str], odd_in: list[str]) -> set[str]:
    """Files of the base tree that a path could be merged with: those equal to one of ``spelled`` but for ASCII
    letter case, or under such a folder (git's ``:(icase,literal)`` pathspecs find these), and those under an
    entry of an ``odd_in`` folder whose name holds a byte outside printable ASCII (``:(glob)<folder>/*[! -~]*``
    and its ``/**``). Only the folders on the way are listed."""
    found: set[str] = set()
    for folder in odd_in:
        for path, kind in folders(base, folder).odd():
            found.update(_files(folders, base, path, kind))
    # Down the tree a level at a time, through every folder spelled like the path so far.
    frontier = {("", tuple(path.split("/"))) for path in spelled}
    while frontier:
        wanted: dict[str, set[tuple[str, ...]]] = {}
        for folder, rest in frontier:
            wanted.setdefault(folder, set()).add(rest)
        folders.start(base, wanted)
        frontier = set()
        for folder, rests in sorted(wanted.items()):
            for path, kind in folders(base, folder).like({rest[0] for rest in rests}):
                name = _lowered(path.rsplit("/", 1)[-1])
                for rest in rests:
                    if name != _lowered(rest[0]):
                        continue
                    if len(rest) == 1:
                        found.update(_files(folders, base, path, kind))
                    elif kind == "tree":
                        frontier.add((path, rest[1:]))
    return found


def listed_folders(changes: list[DiffEntry]) -> list[str]:
    """The folders ``collisions`` lists (the top and every folder on the way to an added path): start them early."""
    added = {c.path for c in changes if c.status in ("A", "R", "C")}
    return sorted({"", *(prefix for path in added for prefix in _prefixes(path)[:-1])}) if added else []


def collisions(folders: Folders, base: str, changes: list[DiffEntry]) -> list[tuple[str, Problem]]:
    """Added paths that a case-insensitive or normalising file system would merge with another path
    of the base tree or of the change itself (``fmar.core.spelling``, as ``fmar validate`` judges a folder)."""
    added = sorted({c.path for c in changes if c.status in ("A", "R", "C")})
    if not added:
        return []
    gone = {c.path for c in changes if c.status == "D"}
    gone |= {c.old_path for c in changes if c.status == "R" and c.old_path}
    prefixes = sorted({prefix for path in added for prefix in _prefixes(path)[:-1]})
    in_base = object_types(folders.root, base, prefixes)
    spelled = [form for path in added for form in _spelled(path)]
    spelled += [form for folder in prefixes if in_base.get(folder) != "tree" for form in _spelled(folder)]
    odd_in = ["", *[folder for folder in prefixes if in_base.get(folder) == "tree"]]
    existing = sorted(existing_like(folders, base, spelled, odd_in) - gone)
    return [(path, clash_problem(prefix, other)) for path, prefix, other in clashing_paths([*existing, *added], added)]


def checkout_problems(folders: Folders, base: str, changes: list[DiffEntry]) -> list[tuple[str, Problem]]:
    """What the gate adds for the checkout: file modes of data paths, and spellings of every added path."""
    return mode_problems(changes) + collisions(folders, base, changes)


def full_folders(folders: Folders, head: str, added: list[str]) -> list[tuple[str, Problem]]:
    """Each added path whose folder holds more than ``FOLDER_LIMIT`` entries at ``head`` (``fmar validate``
    applies the same limit to the folders it walks)."""
    by_folder: dict[str, list[str]] = {}
    for path in added:
        by_folder.setdefault(path.rpartition("/")[0], []).append(path)
    folders.start(head, by_folder)
    out = []
    for folder, paths in sorted(by_folder.items()):
        size = folders(head, folder).size()
        if size > FOLDER_LIMIT:
            out += [(path, too_large(folder, size)) for path in sorted(paths)]
    return out
