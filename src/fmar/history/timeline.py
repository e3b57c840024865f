"""The history of one record, or of a Market Unit with its applications and their outcomes and events."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmar import gitrepo
from fmar.core.model import Event, Outcome
from fmar.core.registry import Registry, effective_at
from fmar.history.index import HistoryIndex
from fmar.history.recorded import record_of
from fmar.history.versions import Version, record_paths, version_json, versions_of_record
from fmar.signing.records import iso


class UnknownRecord(LookupError):
    """No file of that id was ever on the first-parent line."""


@dataclass
class RecordHistory:
    """A record's versions, and for a unit (or an application) the records that answer it."""

    record: str
    kind: str
    path: str
    versions: list[Version]
    #: Related records' versions (a unit's applications, an application's outcomes and events), by id.
    related: dict[str, list[Version]] = field(default_factory=dict)

    def timeline(self) -> list[Version]:
        """Every version of the record and of its related records, in the order they were recorded."""
        every = [*self.versions, *(v for versions in self.related.values() for v in versions)]
        return sorted(every, key=lambda v: (v.recorded_at, _stated_time(v), v.record))


def _stated_time(version: Version) -> str:
    """The time a version states for itself (decision, effect or signing), as its ISO text."""
    data = version.data or {}
    return str(data.get("decided_at") or data.get("effective_at") or version.signed_at)


def related_ids(registry: Registry, record: str, kind: str) -> list[str]:
    """Records that belong to the history of ``record``: a unit's applications and their answers."""
    if kind == "market_unit":
        applications = [a.id for a in registry.applications_by_unit.get(record, ())]
    elif kind == "application":
        applications = [record]
    else:
        return []
    out = [a for a in applications if a != record]
    for application in applications:
        out.extend(item.id for item in registry.answers.get(application, ()))
    return out


def history_of(root: Path, index: HistoryIndex, registry: Registry, record: str) -> RecordHistory:
    """The history of ``record`` (any kind); units and applications include their related records."""
    own_paths = record_paths(index, record)
    found = record_of(own_paths[-1], index.prefix) if own_paths else None
    if found is None:
        raise UnknownRecord(f"{record} was never recorded on the first-parent line of {index.head[:12]}")
    kind = found[0]
    paths = {record: own_paths}
    for other in related_ids(registry, record, kind):
        other_paths = record_paths(index, other)
        if other_paths:
            paths[other] = other_paths
    blobs = (c.blob for held in paths.values() for p in held for c in index.changes[p] if c.blob)
    texts = gitrepo.read_blobs(root, blobs)
    versions = {rid: versions_of_record(root, index, held, texts) for rid, held in paths.items()}
    own = versions.pop(record)
    return RecordHistory(record, kind, own_paths[-1], own, versions)


def describe(registry: Registry, version: Version) -> str:
    """A short account of what a version of an outcome, event or application says."""
    record = (
        registry.outcomes.get(version.record) or registry.events.get(version.record)
        if version.kind in ("outcome", "event")
        else None
    )
    if isinstance(record, Outcome):
        return f"{record.result} for {record.application}, decided {iso(effective_at(record))}"
    if isinstance(record, Event):
        return f"{record.type} on {record.application}, effective {iso(effective_at(record))}"
    application = registry.applications.get(version.record)
    if application is not None:
        return f"application for {application.product} v{application.product_version} to {application.so}"
    return version.kind.replace("_", " ")


def history_json(history: RecordHistory, registry: Registry) -> dict[str, Any]:
    return {
        "format": "fmar-history/v1",
        "record": history.record,
        "kind": history.kind,
        "path": history.path,
        "versions": [version_json(v) for v in history.versions],
        "timeline": [{**version_json(v), "summary": describe(registry, v)} for v in history.timeline()],
    }
