"""What the publisher needs besides the records: when each record was recorded, and its history.

These are plain data, so the exports and pages are pure functions of them. They come from the
registry's Git history (``fmar.history``: one index of the first-parent line, cached by commit)
when the registry is in a repository; without one, or for files not committed yet, the signing
times stand in and no commit is known.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fmar import gitrepo
from fmar.core.registry import Registry
from fmar.history.index import HistoryIndex
from fmar.history.recorded import RecordedTime


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one record: added, modified or removed at a commit, signed by ``signer``.

    ``fields`` are the JSON paths a modification changed (empty for additions and removals).
    """

    at: datetime
    kind: str
    id: str
    action: str
    commit: str | None
    signer: str
    fields: tuple[str, ...] = ()


@dataclass
class History:
    """Recorded times by id, per-record timelines (oldest first), and the head commit."""

    recorded: dict[str, RecordedTime] = field(default_factory=dict)
    timelines: dict[str, list[Change]] = field(default_factory=dict)
    head: str | None = None
    head_time: datetime | None = None
    _changes: list[Change] | None = field(default=None, repr=False, compare=False)

    def changes(self) -> list[Change]:
        """Every change of every record, in recorded order (sorted once: the timelines are final
        when a build reads them)."""
        if self._changes is None:
            out = [change for timeline in self.timelines.values() for change in timeline]
            out.sort(key=lambda c: (c.at, c.kind, c.id, c.action, c.commit or ""))
            self._changes = out
        return list(self._changes)


def signing_history(registry: Registry, committed: Container[str] = ()) -> History:
    """History without Git: each record counts as added when it was signed (records at the paths
    in ``committed`` are left out: their history comes from Git)."""
    history = History()
    for record in registry.records():
        if committed and registry.path_of(record) in committed:
            continue
        at = registry.recorded_at.get(record.id) or record.signature.signed_at
        history.recorded[record.id] = RecordedTime(at)
        history.timelines[record.id] = [Change(at, record.KIND, record.id, "added", None, record.signature.signer)]
    return history


_ACTION = {"added": "added", "modified": "modified", "deleted": "removed"}


def git_history(
    root: Path, registry_dir: Path, registry: Registry, *, removed: bool = True, index: HistoryIndex | None = None
) -> History:
    """Recorded times and every version of every record in ``registry`` (and, with ``removed``, of
    every record removed from it) from the registry's Git history.

    Fills ``registry.recorded_at`` (statuses use it). ``index``: the history index
    (``history.index.build_index``), when the caller has loaded it already. Additions need no
    file reads (the index knows their signers); only files changed more than once are read, in one batch, to name
    the signer and the changed fields of each version. ``removed=False`` is for a ``registry``
    that holds only some unit groups (a partial build): a record not in it is not taken for a
    removed one, and the earlier paths of other records (the layout migration moved them all)
    are not read.
    """
    from fmar.history.index import Addition, build_index
    from fmar.history.recorded import fill_recorded, moved_from, record_of, times_of
    from fmar.history.versions import versions_of_record

    if index is None:
        index = build_index(root, registry_dir)
    # Only the records in ``registry`` (which may hold only some unit groups), and records removed.
    additions = index.changes.additions(registry.path_of(record) for record in registry.records())
    moved = moved_from(index, None if removed else {record.id for record in registry.records()})
    times = times_of(index, additions, moved)
    fill_recorded(registry, times)
    history = signing_history(registry, additions)
    history.recorded.update(times)
    held: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for path in [*moved, *additions]:  # a record's earlier path (the flat layout's) first
        found = record_of(path, index.prefix)
        if found is not None:
            kinds[found[1]] = found[0]
            held.setdefault(found[1], []).append(path)
    firsts: dict[str, Addition] = {}
    for record_id, paths in held.items():
        # Added once and never changed: the one addition, or (the layout migration) an addition moved unchanged.
        last = additions.get(paths[-1])
        if last is None or not last.alone:
            continue
        if len(paths) == 1:
            firsts[record_id] = last
        elif len(paths) == 2 and (first := moved.get(paths[0])) is not None and first.alone:
            firsts[record_id] = first
    revised = [path for record_id, paths in held.items() if record_id not in firsts for path in paths]
    texts = gitrepo.read_blobs(root, sorted({c.blob for path in revised for c in index.changes[path] if c.blob}))
    times_by_commit: dict[int, datetime] = {}
    for record_id, paths in held.items():
        kind = kinds[record_id]
        addition = firsts.get(record_id)
        if addition is not None:
            at = times_by_commit.get(addition.commit)
            if at is None:
                at = times_by_commit[addition.commit] = index.commits[addition.commit].time
            commit = index.commits[addition.commit].id
            history.timelines[record_id] = [Change(at, kind, record_id, "added", commit, addition.signer)]
            continue
        history.timelines[record_id] = [
            Change(
                v.recorded_at,
                kind,
                record_id,
                _ACTION.get(v.change, "modified"),
                v.commit,
                v.signer,
                tuple(c.path for c in v.changes),
            )
            for v in versions_of_record(root, index, paths, texts)
            if v.change != "moved"
        ]
    return history


def git_head(root: Path) -> tuple[str, datetime] | None:
    """The head commit of the repository at ``root`` and its commit time, or None outside a repository."""
    try:
        parts = gitrepo.text(root, "log", "-1", "--format=%H %ct").split()
    except gitrepo.GitError:
        return None
    if len(parts) != 2:
        return None
    return parts[0], datetime.fromtimestamp(int(parts[1]), UTC)
