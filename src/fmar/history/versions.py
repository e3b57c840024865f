"""Every version of a record file, with who committed and signed it and which fields changed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from fmar import gitrepo
from fmar.core.findings import json_path
from fmar.core.record_paths import flat_path, kinds_of, path_of
from fmar.history.index import HistoryIndex
from fmar.history.recorded import record_of
from fmar.loading.record_file import parse_text
from fmar.loading.text import decode
from fmar.signing.records import iso


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One JSON path whose value differs between two versions; None stands for absent."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Version:
    """One version of one record file as the first-parent line saw it."""

    path: str
    kind: str
    record: str
    commit: str
    recorded_at: datetime
    author: str
    committer: str
    #: "added", "modified", "deleted" or "moved" (to another path, unchanged: ``versions_of_record``).
    change: str
    signer: str
    signed_at: str
    changes: tuple[FieldChange, ...]
    data: dict[str, Any] | None


_CHANGE = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}


def diff(before: Any, after: Any, location: tuple[str | int, ...] = ()) -> list[FieldChange]:
    """The leaf-level differences between two parsed records, as JSON paths; lists compare by position."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in sorted(set(before) | set(after), key=str):
            out.extend(diff(before.get(key), after.get(key), (*location, str(key))))
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for position in range(max(len(before), len(after))):
            old = before[position] if position < len(before) else None
            new = after[position] if position < len(after) else None
            out.extend(diff(old, new, (*location, position)))
        return out
    if before == after and type(before) is type(after):
        return []
    return [FieldChange(json_path(location), before, after)]


def parse_blob(raw: bytes) -> dict[str, Any] | None:
    text, _ = decode(raw)
    if text is None:
        return None
    data, _, _ = parse_text(text)
    return data if isinstance(data, dict) else None


def record_paths(index: HistoryIndex, record_id: str) -> list[str]:
    """The registry files ``record_id`` had in the history (present or since deleted), oldest first: its
    path in the first, flat layout and its own path (``fmar.core.record_paths``), where the history has them."""
    found = []
    for kind in kinds_of(record_id):
        for path in (flat_path(kind, record_id), path_of(kind, record_id)):
            full = f"{index.prefix}/{path}"
            if full in index.changes and full not in found:
                found.append(full)
    return found


def versions_of_record(
    root: Path, index: HistoryIndex, paths: list[str], texts: dict[str, bytes] | None = None
) -> list[Version]:
    """Every version of a record kept at ``paths`` over time (``record_paths``), oldest first. A move
    from one path to another in one commit with the same content (the layout migration) is one version,
    ``moved``, at the new path: the record did not change."""
    numbered = []
    for path in paths:
        commits = [change.commit for change in index.changes.get(path, [])]
        numbered += [
            (number, position, version)
            for position, (number, version) in enumerate(
                zip(commits, versions_of(root, index, path, texts), strict=True)
            )
        ]
    numbered.sort(key=lambda item: (item[0], item[2].change != "deleted", item[1]))
    out: list[Version] = []
    for _, _, version in numbered:
        last = out[-1] if out else None
        if (
            last is not None
            and last.change == "deleted"
            and version.change == "added"
            and last.commit == version.commit
            and last.path != version.path
            and out[-2:-1]
            and out[-2].data == version.data
        ):
            out[-1] = replace(version, change="moved", changes=())
            continue
        out.append(version)
    return out


def versions_of(root: Path, index: HistoryIndex, path: str, texts: dict[str, bytes] | None = None) -> list[Version]:
    """Every version of the file at ``path``, oldest first."""
    found = record_of(path, index.prefix)
    kind, record_id = found if found else ("", Path(path).stem)
    changes = index.changes.get(path, [])
    if texts is None:
        texts = gitrepo.read_blobs(root, (c.blob for c in changes if c.blob))
    out: list[Version] = []
    previous: dict[str, Any] | None = None
    for change in changes:
        commit = index.commits[change.commit]
        data = parse_blob(texts[change.blob]) if change.blob in texts else None
        signature = (data or previous or {}).get("signature") or {}
        out.append(
            Version(
                path=path,
                kind=kind,
                record=record_id,
                commit=commit.id,
                recorded_at=commit.time,
                author=commit.author,
                committer=commit.committer,
                change=_CHANGE.get(change.status, "modified"),
                signer=str(signature.get("signer", "")) if isinstance(signature, dict) else "",
                signed_at=str(signature.get("signed_at", "")) if isinstance(signature, dict) else "",
                changes=() if change.status in "AD" else tuple(diff(previous or {}, data or {})),
                data=data,
            )
        )
        previous = data
    return out


def version_json(version: Version) -> dict[str, Any]:
    return {
        "path": version.path,
        "record": version.record,
        "kind": version.kind,
        "change": version.change,
        "commit": version.commit,
        "recorded_at": iso(version.recorded_at),
        "author": version.author,
        "committer": version.committer,
        "signer": version.signer,
        "signed_at": version.signed_at,
        "fields_changed": [{"path": c.path, "before": c.before, "after": c.after} for c in version.changes],
    }
