"""The registry as it stands at one Git revision, read lazily: only the records a check asks for.

Parties, products and the process catalogue (the small reference tables) are read whole;
units, applications, outcomes and events one by one, so the cost follows the change.

Finding a file's blob in a folder of 100,000 files costs git a read of the whole folder, so a
revision is told what it can know without a look: the blobs a diff names (``diff_sides``), and,
for the head of a change, the revision it differs from only where the diff says (``like``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from fmar.core.findings import Problem
from fmar.core.model import (
    KINDS,
    Application,
    DataObject,
    MarketUnit,
    Party,
    Practice,
    Process,
    Product,
    Record,
    Toolkit,
)
from fmar.core.record_paths import flat_path, is_id, path_of
from fmar.gitrepo import Blobs, DiffEntry, Folders, files_mentioning, list_files
from fmar.loading.record_file import check_data, parse_text
from fmar.loading.strict_yaml import SourceMap
from fmar.loading.text import decode

REGISTRY = "registry"
#: The small reference tables, read whole.
_TABLES = ("party", "product", "process", "data_object", "toolkit", "practice")


@dataclass
class RecordFile:
    """One registry file at a revision: its text, data, record (when valid) and problems."""

    path: str
    kind: str
    text: str | None
    data: dict[str, Any] | None
    record: Record | None
    problems: list[Problem]
    source_map: SourceMap | None = None


def record_path(kind: str, record_id: str) -> str:
    """The record's path in the repository (``fmar.core.record_paths``); for a string that is no id of
    ``kind`` (a reference a record got wrong), a path no record can have."""
    return f"{REGISTRY}/{path_of(kind, record_id) if is_id(kind, record_id) else flat_path(kind, record_id)}"


def kind_of(path: str) -> str | None:
    """The kind folder of a file ``registry/<kind>/.../<file>`` in a known kind's folder, else None."""
    parts = path.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == REGISTRY and parts[1] in KINDS else None


def read_record(raw: bytes, path: str, kind: str) -> RecordFile:
    """Check the bytes of a record file as core validation does (bytes, YAML, schema, record rules)."""
    text, problems = decode(raw)
    if text is None:
        return RecordFile(path, kind, None, None, None, problems)
    data, source_map, problems = parse_text(text)
    if data is None:
        return RecordFile(path, kind, text, None, None, problems, source_map)
    stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    record, problems = check_data(kind, stem, data)
    return RecordFile(path, kind, text, data, record, problems, source_map)


class RecordBlobs(Blobs):
    """Blobs read through one ``git cat-file --batch``, with the record files parsed from them, and the
    listings of the folders they were found in."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        #: Parsed files by (blob id, path), shared by every revision read through these blobs.
        self.parsed: dict[tuple[str, str], Any] = {}
        #: Folder listings by revision, shared by every revision and by the check of path spellings.
        self.folders = Folders(root)


def _blob(mode: str, object_id: str) -> str | None:
    """The blob a diff side names: None for no file there (all zeros) or a submodule (a commit, no blob)."""
    return None if mode in ("000000", "160000") or not object_id.strip("0") else object_id


def diff_sides(changes: Iterable[DiffEntry]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """What the paths of a diff hold on its old side and on its new side: path -> blob id, None for none
    (a path two entries name holds what the one that finds a blob there says)."""
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}

    def note(side: dict[str, str | None], path: str, blob: str | None) -> None:
        if blob is not None or path not in side:
            side[path] = blob

    for change in changes:
        if change.old_path and change.status in ("R", "C"):
            note(old, change.old_path, _blob(change.old_mode, change.old_object))
            if change.status == "R":
                note(new, change.old_path, None)
        added = change.status in ("A", "R", "C")
        note(old, change.path, None if added else _blob(change.old_mode, change.old_object))
        note(new, change.path, None if change.status == "D" else _blob(change.new_mode, change.new_object))
    return old, new


class Revision:
    """Registry records at ``rev`` of the repository at ``root``.

    ``known``: blob ids already known at ``rev`` (path -> blob id, None when no file is there), from a diff.
    ``like``: a revision with the same files as this one at every path ``known`` does not name (the base of
    a diff whose new side this is): its files are found through it, without reading this revision's trees.
    """

    def __init__(
        self,
        root: Path,
        rev: str,
        blobs: RecordBlobs,
        *,
        known: Mapping[str, str | None] | None = None,
        like: Revision | None = None,
    ) -> None:
        self.root = root
        self.rev = rev
        self.blobs = blobs
        self._files: dict[str, RecordFile | None] = {}
        self._searches: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
        self._blobs: dict[str, str | None] = dict(known or {})
        self._like = like

    def _blob_ids(self, paths: list[str]) -> dict[str, str]:
        """Blob id of each of ``paths`` that is a file at this revision: known, found through ``like``, or in the
        listings of their folders (one ``git ls-tree`` a folder, searched again for every later question)."""
        todo = [path for path in paths if path not in self._blobs]
        if todo:
            found = (
                self._like._blob_ids(todo) if self._like is not None else self.blobs.folders.blob_ids(self.rev, todo)
            )
            self._blobs.update({path: found.get(path) for path in todo})
        return {path: blob for path in paths if (blob := self._blobs[path]) is not None}

    def file(self, path: str) -> RecordFile | None:
        """The record file at ``path``, or None when there is none at this revision."""
        if path not in self._files:
            self.prefetch([path])
        return self._files[path]

    def prefetch(self, paths: list[str]) -> None:
        """Read the record files at ``paths`` in one go: one tree listing, one batch of blobs."""
        todo = [path for path in dict.fromkeys(paths) if path not in self._files]
        if not todo:
            return
        blobs = self._blob_ids([path for path in todo if kind_of(path)])
        self.blobs.prefetch([blob for path, blob in blobs.items() if (blob, path) not in self.blobs.parsed])
        for path in todo:
            kind, blob = kind_of(path), blobs.get(path)
            if kind is None or blob is None:
                self._files[path] = None
                continue
            found = self.blobs.parsed.get((blob, path))
            if found is None:
                found = self.blobs.parsed[(blob, path)] = read_record(self.blobs.object(blob) or b"", path, kind)
            self._files[path] = found

    def record(self, kind: str, record_id: str) -> Record | None:
        """The record at its path; in a revision still in the flat layout, at its path there."""
        if not record_id:
            return None
        found = self.file(record_path(kind, record_id))
        if found is None and is_id(kind, record_id):
            found = self.file(f"{REGISTRY}/{flat_path(kind, record_id)}")
        return found.record if found else None

    @cached_property
    def _table_files(self) -> dict[str, list[tuple[str, str]]]:
        """(blob id, path) of the files of each reference table's folder (one ``git ls-tree`` for them all)."""
        out: dict[str, list[tuple[str, str]]] = {kind: [] for kind in _TABLES}
        for blob, path in list_files(self.root, self.rev, *(f"{REGISTRY}/{kind}" for kind in _TABLES)):
            if not path.endswith(".yaml"):
                continue
            out[path.split("/")[1]].append((blob, path))
        return out

    def _table(self, kind: str) -> dict[str, Any]:
        out = {}
        entries = self._table_files[kind]
        self.blobs.prefetch([blob for blob, path in entries if (blob, path) not in self.blobs.parsed])
        for blob, path in entries:
            found = self.blobs.parsed.get((blob, path))
            if found is None:
                raw = self.blobs.object(blob)
                found = self.blobs.parsed[(blob, path)] = read_record(raw or b"", path, kind)
            self._files[path] = found
            if found.record is not None:
                out[found.record.id] = found.record
        return out

    @cached_property
    def parties(self) -> dict[str, Party]:
        return self._table("party")

    @cached_property
    def products(self) -> dict[str, Product]:
        return self._table("product")

    @cached_property
    def processes(self) -> dict[str, Process]:
        return self._table("process")

    @cached_property
    def data_objects(self) -> dict[str, DataObject]:
        return self._table("data_object")

    @cached_property
    def toolkits(self) -> dict[str, Toolkit]:
        return self._table("toolkit")

    @cached_property
    def practices(self) -> dict[str, Practice]:
        return self._table("practice")

    def product(self, product_id: str) -> Product | None:
        return self.products.get(product_id)

    def unit(self, unit_id: str) -> MarketUnit | None:
        found = self.record("market_unit", unit_id)
        return found if isinstance(found, MarketUnit) else None

    def application(self, application_id: str) -> Application | None:
        found = self.record("application", application_id)
        return found if isinstance(found, Application) else None

    def mentioning(self, needles: list[str], kinds: list[str]) -> list[str]:
        """Paths of records of ``kinds`` whose text names any of ``needles`` (one search per question)."""
        key = (tuple(needles), tuple(kinds))
        if key not in self._searches:
            folders = [f"{REGISTRY}/{kind}" for kind in kinds]
            self._searches[key] = files_mentioning(self.root, self.rev, needles, folders)
        return self._searches[key]
