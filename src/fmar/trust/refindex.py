"""Who refers to whom, at one revision: the application of each outcome and event, the unit of each application.

The gate needs the records that refer to the ones a change touches (a unit's applications, an
application's outcomes and events). Only the text of every referring file says so, and reading
hundreds of thousands of files costs seconds, so the answers are kept in an index cached outside
the repository, keyed by the Git tree of ``registry/`` it describes.

The index is what ``git grep`` prints for the reference field of each referring folder (the lines
naming ``unit`` and an ``MU-`` id in applications, ``application`` in outcomes and events: no other
line can name a target), kept as printed and
searched, as bytes, for the few ids a change asks about: nothing is parsed that nobody asks for,
so loading the index costs milliseconds. On a first run the three searches start as soon as the
gate knows the change touches records, one ``git grep`` a folder, and run on the other cores while
the gate checks the change's own records. A later revision updates a cached index from a
tree-to-tree diff, reading only the files that changed. The index is built from base revisions only,
and keyed by tree id, so a change cannot plant one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fmar.core.record_paths import DEPTH
from fmar.gitrepo import Blobs, Running, lines_holding, text, tree_id
from fmar.validation.cache import Cache

#: Referring kinds and the id they name: applications name a unit, outcomes and events an application.
REFERRING = {"application": "MU", "outcome": "APP", "event": "APP"}
_FIELDS = {"application": "unit", "outcome": "application", "event": "application"}
#: What git keeps: the lines naming the field; only those can name a target (``_target``). In applications,
#: only those holding an ``MU-`` id too (which drops ``unit_composition:``, half of them); in outcomes and
#: events every such line holds an ``APP-`` id, and asking for it only costs git time.
_NEEDLES = {"application": ("unit", "MU-"), "outcome": ("application",), "event": ("application",)}
_ID = {"MU": re.compile(r"\bMU-[A-Z][A-Z0-9]{1,23}-[0-9]{6}\b"), "APP": re.compile(r"\bAPP-[0-9]{4}-[0-9A-Z]{8}\b")}
#: What an id found by ``_ID`` can be: other targets never match, so they are never searched for.
_WHOLE_ID = {name: re.compile(pattern.pattern.replace(r"\b", "")) for name, pattern in _ID.items()}
_CACHE_NAME = "references.pickle"
#: Past this many files changed since the index was searched for, a fresh search is cheaper than the updates.
_MAX_UPDATES = 20_000


def _target(kind: str, text: str) -> str:
    """The id a record of ``kind`` refers to, read from the lines naming its reference field."""
    field = _FIELDS[kind]
    fallback = ""
    for line in text.splitlines():
        if field in line:
            found = _ID[REFERRING[kind]].search(line)
            if found and line.startswith(f"{field}:"):
                return found.group()
            fallback = fallback or (found.group() if found else "")
    return fallback


def _kind(path: str) -> str | None:
    """The referring kind of a file where a layout puts that kind's record files, else None: as many folders
    below ``registry/<kind>/`` as the kind's own paths have (``record_paths.DEPTH``), or none (the flat layout
    of a revision not yet moved). ``fmar validate`` loads no file from anywhere else in the folder either."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "registry" or parts[1] not in REFERRING:
        return None
    return parts[1] if len(parts) in (3, 3 + DEPTH[parts[1]]) else None


def _file_lines(found: bytes, start: int, header: bytes) -> list[str]:
    """The lines ``git grep`` printed for one file: those around ``start`` that begin with its ``header``."""
    first = start
    while first > 0:
        previous = found.rfind(b"\n", 0, first - 1) + 1
        if not found.startswith(header, previous):
            break
        first = previous
    lines = []
    at = first
    while at < len(found) and found.startswith(header, at):
        end = found.find(b"\n", at)
        end = len(found) if end < 0 else end
        lines.append(found[at + len(header) : end].decode("utf-8", "replace"))
        at = end + 1
    return lines


@dataclass
class ReferenceIndex:
    """Paths of referring records and the id each names, for the registry tree ``tree``."""

    tree: str
    #: Referring kind -> what ``git grep -z`` printed for the lines naming its reference field in ``tree``.
    found: dict[str, bytes]
    #: Files changed since that search -> the id each names now ("" for none, or deleted): they override ``found``.
    updates: dict[str, str] = field(default_factory=dict)
    #: The tree that was searched (``found`` names it on every line): ``tree`` itself until an update.
    searched: str = ""

    def __post_init__(self) -> None:
        self.searched = self.searched or self.tree

    def _prefix(self, kind: str) -> bytes:
        return f"{self.searched}:{kind}/".encode()

    def _searched(self, kind: str, wanted: set[str]) -> set[str]:
        """Paths whose printed lines name one of ``wanted`` as their target (the file's lines decide)."""
        found, prefix = self.found.get(kind, b""), self._prefix(kind)
        pattern = re.compile(b"|".join(re.escape(target.encode()) for target in sorted(wanted)))
        seen: set[bytes] = set()
        out = set()
        for match in pattern.finditer(found):
            start = found.rfind(b"\n", 0, match.start()) + 1
            end = found.find(b"\0", start)
            if end < 0 or not found.startswith(prefix, start):
                continue
            header = found[start : end + 1]
            if header in seen:
                continue
            seen.add(header)
            path = f"registry/{kind}/{header[len(prefix) : -1].decode('utf-8', 'surrogateescape')}"
            if _kind(path) == kind and _target(kind, "\n".join(_file_lines(found, start, header))) in wanted:
                out.add(path)
        return out

    def referring(self, targets: list[str], kinds: list[str]) -> list[str]:
        out: set[str] = set()
        for kind in kinds:
            if kind not in REFERRING:
                continue
            wanted = {target for target in targets if _WHOLE_ID[REFERRING[kind]].fullmatch(target)}
            if not wanted:
                continue
            out |= {path for path in self._searched(kind, wanted) if path not in self.updates}
            out |= {path for path, target in self.updates.items() if target in wanted and _kind(path) == kind}
        return sorted(out)

    @property
    def refs(self) -> dict[str, str]:
        """Every referring path and the id it names (reads the whole index: for tests and inspection)."""
        out: dict[str, str] = {}
        for kind, found in self.found.items():
            prefix = self._prefix(kind)
            files: dict[str, list[str]] = {}
            for line in found.split(b"\n"):
                header, _, content = line.partition(b"\0")
                if header.startswith(prefix):
                    name = header[len(prefix) :].decode("utf-8", "surrogateescape")
                    files.setdefault(f"registry/{kind}/{name}", []).append(content.decode("utf-8", "replace"))
            for path, lines in files.items():
                target = _target(kind, "\n".join(lines)) if _kind(path) == kind else ""
                if target:
                    out[path] = target
        for path, target in self.updates.items():
            if target:
                out[path] = target
            else:
                out.pop(path, None)
        return out


def _changed_files(root: Path, old: str, new: str, limit: int) -> list[tuple[str, str]] | None:
    """(path, blob id or "" when deleted) of the referring files that differ between two registry trees;
    None when ``old`` is gone from the repository or more than ``limit`` changed (a fresh search is cheaper)."""
    if not text(root, "cat-file", "-t", old, ok=(0, 128)).strip():
        return None
    fields = text(root, "diff-tree", "-r", "-z", "--no-renames", "--raw", old, new).split("\0")
    out = []
    for meta, name in zip(fields[0::2], fields[1::2], strict=False):
        path = f"registry/{name}"
        if _kind(path) is not None:
            parts = meta.split()  # ":<old mode> <new mode> <old blob> <new blob> <status>"
            out.append((path, "" if parts[4] == "D" or parts[1] == "160000" else parts[3]))
    return out if len(out) <= limit else None


class References:
    """The index at ``rev``, on its way: taken from the cache, to be updated from a diff, or searched for
    by git in the background from the moment this is made (one ``git grep`` a referring folder) while the
    caller does other work. ``index`` collects it; ``close`` stops searches nobody collected."""

    def __init__(self, root: Path, rev: str, *, use_cache: bool = True) -> None:
        self.root = root
        self.tree = tree_id(root, rev, "registry") or ""
        self._cache = Cache(root / "registry", enabled=use_cache and bool(self.tree))
        cached = self._cache.load(_CACHE_NAME) if self.tree else ReferenceIndex("", {})  # no registry: no references
        self._cached = cached if isinstance(cached, ReferenceIndex) else None
        self._changed: list[tuple[str, str]] | None = None
        self._searches: dict[str, Running] = {}
        if self._cached is not None and self._cached.tree != self.tree:
            limit = _MAX_UPDATES - len(self._cached.updates)  # updates pile up as the base moves on
            self._changed = _changed_files(root, self._cached.tree, self.tree, limit)
        if self._cached is None or (self._cached.tree != self.tree and self._changed is None):
            self._search()

    def _search(self) -> None:
        self._searches = {kind: lines_holding(self.root, self.tree, _NEEDLES[kind], kind) for kind in REFERRING}

    def index(self, blobs: Blobs) -> ReferenceIndex:
        """The index (cached, updated, or what the searches found); saved to the cache when new."""
        if self._cached is not None and self._cached.tree == self.tree:
            return self._cached
        if not self._searches and self._changed is None:
            self._search()  # the searches were stopped (``close``) before anyone asked
        if self._searches:
            index = ReferenceIndex(self.tree, {kind: search.result() for kind, search in self._searches.items()})
            self._searches = {}
        else:
            assert self._cached is not None and self._changed is not None
            blobs.prefetch([blob for _, blob in self._changed if blob])
            updates = dict(self._cached.updates)
            for path, blob in self._changed:
                raw = blobs.object(blob) if blob else None
                kind = _kind(path)
                assert kind is not None
                updates[path] = _target(kind, raw.decode("utf-8", "replace")) if raw is not None else ""
            index = ReferenceIndex(self.tree, self._cached.found, updates, self._cached.searched)
        self._cached = index
        self._cache.save(_CACHE_NAME, index)
        return index

    def close(self) -> None:
        for search in self._searches.values():
            search.cancel()
        self._searches = {}


def reference_index(root: Path, rev: str, blobs: Blobs, *, use_cache: bool = True) -> ReferenceIndex:
    """The index at ``rev``: the cached one, updated from a diff when it describes another tree."""
    references = References(root, rev, use_cache=use_cache)
    try:
        return references.index(blobs)
    finally:
        references.close()
