"""Every version of a record file, with who committed and signed it and which fields changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fmar import gitrepo
from fmar.core.findings import json_path
from fmar.core.model import KINDS
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
    #: "added", "modified" or "deleted".
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


def record_path(index: HistoryIndex, record_id: str) -> str | None:
    """The registry file of ``record_id`` in the history (present or since deleted)."""
    for kind in KINDS:
        path = f"{index.prefix}/{kind}/{record_id}.yaml"
        if path in index.changes:
            return path
    return None


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
