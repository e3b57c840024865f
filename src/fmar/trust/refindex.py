"""Who refers to whom, at one revision: the application of each outcome and event, the unit of each application.

The gate needs the records that refer to the ones a change touches (a unit's applications, an
application's outcomes and events). Searching every file of a large registry for them costs
seconds, so the references are kept in an index cached outside the repository, keyed by the
Git tree of ``registry/`` it describes. A later revision updates a cached index from a
tree-to-tree diff, reading only the files that changed; only the first run reads them all.
The index is built from base revisions only, and keyed by tree id, so a change cannot plant one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fmar.gitrepo import Blobs, text
from fmar.validation.cache import Cache

#: Referring kinds and the id they name: applications name a unit, outcomes and events an application.
REFERRING = {"application": "MU", "outcome": "APP", "event": "APP"}
_FIELDS = {"application": "unit", "outcome": "application", "event": "application"}
_ID = {"MU": re.compile(r"\bMU-[A-Z][A-Z0-9]{1,23}-[0-9]{6}\b"), "APP": re.compile(r"\bAPP-[0-9]{4}-[0-9A-Z]{8}\b")}
_FOLDERS = [f"registry/{kind}" for kind in REFERRING]
_CACHE_NAME = "references.pickle"


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
    parts = path.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "registry" and parts[1] in REFERRING else None


@dataclass
class ReferenceIndex:
    """Paths of referring records and the id each names, for the registry tree ``tree``."""

    tree: str
    refs: dict[str, str]

    def referring(self, targets: list[str], kinds: list[str]) -> list[str]:
        wanted = set(targets)
        prefixes = tuple(f"registry/{kind}/" for kind in kinds)
        return sorted(path for path, target in self.refs.items() if target in wanted and path.startswith(prefixes))


def _build(root: Path, rev: str, tree: str) -> ReferenceIndex:
    patterns = ["-e", "unit", "-e", "application"]
    out = text(root, "grep", "-I", "--no-color", "-F", *patterns, rev, "--", *_FOLDERS, ok=(0, 1))
    refs: dict[str, str] = {}
    fallback: dict[str, str] = {}
    prefix = f"{rev}:"
    for line in out.splitlines():
        path, _, content = line.removeprefix(prefix).partition(":")
        kind = _kind(path)
        if kind is None or path in refs or _FIELDS[kind] not in content:
            continue
        found = _ID[REFERRING[kind]].search(content)
        if found and content.startswith(f"{_FIELDS[kind]}:"):
            refs[path] = found.group()
        elif found:
            fallback.setdefault(path, found.group())
    return ReferenceIndex(tree, {**fallback, **refs})


def _update(root: Path, old: ReferenceIndex, tree: str, blobs: Blobs) -> ReferenceIndex:
    out = text(root, "diff-tree", "-r", "-z", "--no-renames", "--name-status", old.tree, tree)
    fields = out.split("\0")
    refs = dict(old.refs)
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        path = f"registry/{name}"
        kind = _kind(path)
        if kind is None:
            continue
        if status == "D":
            refs.pop(path, None)
            continue
        raw = blobs.object(f"{tree}:{name}")
        target = _target(kind, raw.decode("utf-8", "replace")) if raw is not None else ""
        if target:
            refs[path] = target
        else:
            refs.pop(path, None)
    return ReferenceIndex(tree, refs)


def reference_index(root: Path, rev: str, blobs: Blobs, *, use_cache: bool = True) -> ReferenceIndex:
    """The index at ``rev``: the cached one, updated from a diff when it describes another tree."""
    tree = text(root, "rev-parse", f"{rev}:registry").strip()
    cache = Cache(root / "registry", enabled=use_cache)
    cached = cache.load(_CACHE_NAME)
    if isinstance(cached, ReferenceIndex) and cached.tree == tree:
        return cached
    if isinstance(cached, ReferenceIndex) and len(text(root, "cat-file", "-t", cached.tree, ok=(0, 128))) > 0:
        index = _update(root, cached, tree, blobs)
    else:
        index = _build(root, rev, tree)
    cache.save(_CACHE_NAME, index)
    return index
