"""Recorded time: when the registry accepted a record, from Git, not from what its submitter wrote.

A record's recorded time is the commit time of the first commit on the first-parent line of the
main branch whose tree contains it: the merge (or squash or rebase merge) that accepted it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from fmar import gitrepo
from fmar.core.model import KINDS
from fmar.core.record_paths import parse_any
from fmar.core.registry import Registry
from fmar.history.kept_times import kept_firsts
from fmar.validation.cache import Cache

if TYPE_CHECKING:  # imported where used: the builds import this module for ``RecordedTime`` alone
    from fmar.history.index import Addition, Commit, FileChange, HistoryIndex
    from fmar.trust.reading import Verified


class RecordedTime(NamedTuple):
    """When and by which commit a record entered the registry, and who wrote and signed it.

    A named tuple, not a frozen dataclass: a national registry makes 300,000 of them on every read of
    its recorded times, and a tuple is made in a third of the time.

    The one statement of a recorded time: the builds read it too (``publish.inputs.History``, whose
    export model ``publish.documents.Recorded`` is made of its time and commit). Outside Git, or
    for a file not committed yet, the signing time stands in and no commit, author or committer
    is known.
    """

    at: datetime
    commit: str | None = None
    author: str = ""
    committer: str = ""
    #: The party that signed the record as first recorded ("" when it carries no readable signer).
    signer: str = ""


def record_of(path: str, prefix: str) -> tuple[str, str] | None:
    """(kind, id) of a registry file path such as ``registry/party/U/UKPN.yaml`` (or the path the record had
    in the first, flat layout, ``registry/party/UKPN.yaml``), or None for other files."""
    return parse_any(path[len(prefix) + 1 :]) if path.startswith(prefix + "/") else None


def first_recorded(changes: list[FileChange]) -> FileChange:
    """The change that first brought the file in (the first addition)."""
    return next((change for change in changes if change.status == "A"), changes[0])


def times_from(index: HistoryIndex, upto: int | None = None, paths: Iterable[str] | None = None) -> RecordedTimes:
    """Recorded times of the records present after commit ``upto`` of ``index`` (default: its head),
    or of those at ``paths`` only."""
    from fmar.history.index import Addition

    if upto is None:
        return times_of(index, index.changes.additions(paths), moved_from(index))
    every = index.present(upto)
    chosen = every if paths is None else {path: every[path] for path in paths if path in every}
    firsts = {path: first_recorded(changes) for path, changes in chosen.items()}
    gone = {}
    for path, changes in index.changes.items():
        known = [change for change in changes if change.commit <= upto]
        if known and not known[-1].blob and path not in every:
            first = first_recorded(known)
            gone[path] = Addition(first.commit, first.signer, False)
    present = {path: Addition(first.commit, first.signer, False) for path, first in firsts.items()}
    return times_of(index, present, gone)


def moved_from(index: HistoryIndex, ids: Container[str] | None = None) -> dict[str, Addition]:
    """The first additions of the files the history deleted: where records were before the layout
    migration moved them (``fmar.trust.migration``), so that their recorded times carry over.
    With ``ids``, only the files of those records (a record's file is named ``<id>.yaml`` in
    either layout, ``record_paths.parse``)."""
    removed = index.changes.removed()
    if ids is not None:
        removed = [path for path in removed if path[path.rfind("/") + 1 : -5] in ids]
    return index.changes.additions(removed, removed=True) if removed else {}


def times_of(
    index: HistoryIndex, additions: Mapping[str, Addition], earlier: Mapping[str, Addition] | None = None
) -> RecordedTimes:
    """Recorded times, by record id, of the record files that came in by ``additions``
    (``ChangeTable.additions``); other files are left out. A record that ``earlier`` (files since
    deleted, ``moved_from``) shows at another path first counts from there: the layout migration
    moves records, it does not record them anew."""
    return times_at(index, first_additions(index, additions, earlier))


def first_additions(
    index: HistoryIndex, additions: Mapping[str, Addition], earlier: Mapping[str, Addition] | None = None
) -> dict[str, Addition]:
    """The first addition of each record, by id, of ``additions`` and ``earlier`` (``times_of``)."""
    folder = index.prefix + "/"
    firsts: dict[str, Addition] = {}
    for path, addition in additions.items():
        # a cheap record_of: this loop runs once per record of the registry
        kind, _, rest = path[len(folder) :].partition("/")
        if path.startswith(folder) and kind in KINDS and rest.endswith(".yaml"):
            firsts[rest[rest.rfind("/") + 1 : -5]] = addition
    for path, addition in (earlier or {}).items():
        found = record_of(path, index.prefix)
        known = firsts.get(found[1]) if found else None
        if found and known is not None and addition.commit < known.commit:
            firsts[found[1]] = addition
    return firsts


class RecordedTimes(Mapping[str, RecordedTime]):
    """Recorded times by record id, each ``RecordedTime`` made when first read.

    A national registry holds 445,000 records whose first additions fall in some 300,000 distinct
    (commit, signer) moments: making a named tuple for each costs more than everything else one new
    commit asks of ``recorded_times``. Statuses need only the time of each (``at_by_id``, one
    ``datetime`` per commit, shared); the exports read every entry and pay for what they read.
    """

    def __init__(
        self, commits: Sequence[Commit], firsts: Mapping[str, tuple[int, str]] | Mapping[str, Addition]
    ) -> None:
        self._commits = commits
        self._firsts = firsts
        self._moments: dict[tuple[int, str], RecordedTime] = {}
        self._times: dict[int, datetime] = {}  # a commit's time made once, not once per signer in it

    def _time(self, number: int) -> datetime:
        at = self._times.get(number)
        if at is None:
            at = self._times[number] = self._commits[number].time
        return at

    def __getitem__(self, record_id: str) -> RecordedTime:
        first = self._firsts[record_id]
        moment = (first[0], first[1])
        made = self._moments.get(moment)
        if made is None:
            commit = self._commits[moment[0]]
            made = self._moments[moment] = RecordedTime(
                self._time(moment[0]), commit.id, commit.author, commit.committer, moment[1]
            )
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._firsts)

    def __len__(self) -> int:
        return len(self._firsts)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._firsts

    def at_by_id(self) -> dict[str, datetime]:
        """The recorded time alone of every record, by id (what statuses and clocks read)."""
        time = self._time
        return {record_id: time(first[0]) for record_id, first in self._firsts.items()}


def times_at(index: HistoryIndex, firsts: Mapping[str, tuple[int, str]] | Mapping[str, Addition]) -> RecordedTimes:
    """Recorded times by record id from (commit number, signer) of each record's first addition."""
    return RecordedTimes(index.commits, firsts)


def recorded_times(root: Path, registry_dir: Path, ref: str = "HEAD") -> RecordedTimes:
    """Recorded time of every record in ``registry_dir`` at ``ref``, keyed by record id.

    Empty when ``root`` is not a Git repository or has no commit yet (nothing has been recorded);
    a shallow clone or an unknown ``ref`` raises ``fmar.gitrepo.GitError``.
    """
    from fmar.history.index import build_index

    if not gitrepo.is_repository(root) or (ref == "HEAD" and not gitrepo.has_commit(root, "HEAD")):
        return RecordedTimes((), {})
    index = build_index(root, registry_dir, ref)
    compute = lambda: first_additions(index, index.changes.additions(), moved_from(index))  # noqa: E731
    return times_at(index, kept_firsts(index, Cache(registry_dir), compute))


def load_with_history(root: Path, registry_dir: Path, ref: str = "HEAD") -> Registry:
    """The records that stand, with their recorded times from Git (``verified_with_history``): the
    library's registry, never one holding a record whose signature or entitlement fails."""
    return verified_with_history(root, registry_dir, ref).registry


def verified_with_history(root: Path, registry_dir: Path, ref: str = "HEAD") -> Verified:
    """The registry with recorded times from Git, every record judged: ``Verified.registry`` holds only
    the records that stand (``fmar.trust.standing``). Records not yet committed (a working tree
    with new files) keep no recorded time, so they fall back to their signing time wherever a time
    is needed."""
    from fmar.trust.reading import read_verified

    times = recorded_times(root, registry_dir, ref)
    return read_verified(root, registry_dir, recorded=lambda registry: fill_recorded(registry, times))


def fill_recorded(registry: Registry, times: RecordedTimes) -> None:
    registry.recorded_at.update(times.at_by_id())
