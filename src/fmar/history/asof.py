"""As-of queries: what the registry said at a moment, and what is known now about that moment.

"Registry said then" reads the tree of the last first-parent commit at or before the moment, with
the recorded times known then. "Known now about then" takes today's records and lets each count
from the time it states (a decision recorded late, an application merged after its signing).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fmar import gitrepo
from fmar.core.findings import Problem
from fmar.core.model import REFERENCE_KINDS
from fmar.core.registry import Registry
from fmar.core.status import Qualification, unit_statuses
from fmar.history.index import Commit, HistoryIndex
from fmar.history.recorded import record_of, times_from
from fmar.history.versions import parse_blob
from fmar.loading.record_file import check_data
from fmar.signing.seal import Seal, seal_of
from fmar.trust.files import load_anchor
from fmar.trust.standing import Standing, stand

#: Earlier than any record: an outcome or event counted "known" regardless of when it was recorded.
_ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)

UnitAnswer = list[tuple[Qualification, list[Qualification]]]


def registry_at(root: Path, index: HistoryIndex, upto: int, unit: str | None = None) -> Standing:
    """The valid records in the tree of commit ``upto`` of ``index``, with the recorded times of then,
    judged under today's trust anchor: ``Standing.registry`` holds those that stand.

    With ``unit``, only what that unit's status needs is parsed: the unit, its applications and
    their outcomes and events (picked by a byte search for the id, then parsed and checked), and the
    reference records.
    """
    commit = index.commits[upto].id
    files = [
        (path, blob, found)
        for path, blob in gitrepo.tree_files(root, commit, index.prefix)
        if (found := record_of(path, index.prefix))
    ]
    texts = gitrepo.read_blobs(root, (blob for _, blob, _ in files))
    registry = Registry()
    seals: dict[str, Seal] = {}

    def add(path: str, blob: str, kind: str, stem: str) -> None:
        data = parse_blob(texts.get(blob, b""))
        record = check_data(kind, stem, data)[0] if data is not None else None
        if record is not None and data is not None:
            registry.add(record, path)
            seals[path] = seal_of(data)

    answers = []
    mention = (unit or "").encode()
    for path, blob, (kind, stem) in files:
        if kind in ("outcome", "event") and unit is not None:
            answers.append((path, blob, kind, stem))
            continue
        about_unit = kind == "application" and mention in texts.get(blob, b"")
        if unit is None or kind in REFERENCE_KINDS or stem == unit or about_unit:
            add(path, blob, kind, stem)
    wanted = [application.encode() for application in registry.applications]
    for path, blob, kind, stem in answers:
        text = texts.get(blob, b"")
        if any(application in text for application in wanted):
            add(path, blob, kind, stem)
    registry.recorded_at.update(times_from(index, upto).at_by_id())
    _, anchor, _ = load_anchor(root)
    return stand(registry, seals, anchor)


def known_now_view(registry: Registry, moment: datetime, then: Registry) -> Registry:
    """``registry`` with every record counted from the time it states, whenever it was recorded.

    Outcomes and events count from when they take effect (their decision or effective time);
    an application recorded after ``moment`` counts from when its FSP signed it, one recorded
    by then keeps its recorded time (so its clocks match what the registry said then). A unit
    is taken as it stood then (``then``): a unit record states no time of its own, so a later
    edit describes the unit from its recording on, not before.
    """
    recorded = dict(registry.recorded_at)
    for application in registry.applications.values():
        at = recorded.get(application.id)
        if at is None or at > moment:
            recorded[application.id] = application.signature.signed_at
    recorded.update((record_id, _ALWAYS) for record_id in (*registry.outcomes, *registry.events))
    units = {**registry.units, **then.units}
    return dataclasses.replace(registry, units=units, recorded_at=recorded)


@dataclass(frozen=True)
class AsOfAnswer:
    """Both answers about ``unit`` at ``moment``; ``commit`` is None when nothing was recorded by then."""

    unit: str
    moment: datetime
    commit: Commit | None
    unit_known_then: bool
    said_then: UnitAnswer
    known_now: UnitAnswer
    #: The registry as it stood at ``commit`` (its records that stand), with the recorded times known then.
    then: Registry
    #: Path -> problems of each record of then that does not stand (not counted in ``said_then``).
    refused_then: dict[str, list[Problem]]

    @property
    def differs(self) -> bool:
        return self.said_then != self.known_now


def as_of(
    root: Path, index: HistoryIndex, now: Registry, unit: str, moment: datetime, product: str | None = None
) -> AsOfAnswer:
    upto = index.last_commit_at(moment)
    standing = registry_at(root, index, upto, unit) if upto is not None else Standing(Registry())
    then = standing.registry
    return AsOfAnswer(
        unit=unit,
        moment=moment,
        commit=index.commits[upto] if upto is not None else None,
        unit_known_then=unit in then.units,
        said_then=unit_statuses(then, unit, moment, product),
        known_now=unit_statuses(known_now_view(now, moment, then), unit, moment, product),
        then=then,
        refused_then=standing.refused,
    )
