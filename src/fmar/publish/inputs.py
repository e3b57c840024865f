"""What the publisher needs besides the records: when each record was recorded, and its history.

These are plain data, so the exports and pages are pure functions of them. They come from the
registry's Git history (``fmar.history``) when the registry is in a repository; without one,
the signing times stand in and no commit is known.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fmar.registry import Registry


@dataclass(frozen=True, slots=True)
class RecordedTime:
    """When a record was accepted into the registry, and by which commit (None when not from Git)."""

    at: datetime
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one record: added, modified or removed at a commit, signed by ``signer``."""

    at: datetime
    kind: str
    id: str
    action: str
    commit: str | None
    signer: str


@dataclass
class History:
    """Recorded times by id, per-record timelines (oldest first), and the head commit."""

    recorded: dict[str, RecordedTime] = field(default_factory=dict)
    timelines: dict[str, list[Change]] = field(default_factory=dict)
    head: str | None = None
    head_time: datetime | None = None

    def changes(self) -> list[Change]:
        """Every change of every record, in recorded order."""
        out = [change for timeline in self.timelines.values() for change in timeline]
        out.sort(key=lambda c: (c.at, c.kind, c.id, c.action, c.commit or ""))
        return out


def signing_history(registry: Registry) -> History:
    """History without Git: each record counts as added when it was signed."""
    history = History()
    for record in registry.records():
        at = registry.recorded_at.get(record.id) or record.signature.signed_at
        history.recorded[record.id] = RecordedTime(at)
        history.timelines[record.id] = [Change(at, record.KIND, record.id, "added", None, record.signature.signer)]
    return history


def git_head(root: Path) -> tuple[str, datetime] | None:
    """The head commit of the repository at ``root`` and its commit time, or None outside a repository."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%H %ct"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    parts = done.stdout.split()
    if len(parts) != 2:
        return None
    return parts[0], datetime.fromtimestamp(int(parts[1]), UTC)
