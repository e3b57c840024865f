"""What the registry-wide outputs need to know about one Market Unit: its facts.

A unit, its applications and their outcomes and events form the unit's group. Everything the
site and the exports show across the registry (the unit table and its indexes, the
qualification and change files, product summaries, SO service levels, FSP unit lists, counts)
is an aggregate of these per-unit facts and of the few reference records (parties, products,
processes). Facts are a pure function of the group's records, the reference records, their
history and the as-of time, and they stay valid until ``next_change``: so a build derives
again only the groups whose files changed or whose next change has come, and aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fmar.cli.status_cmd import qualification_json
from fmar.model import Event, EventType, Outcome
from fmar.publish.inputs import Change
from fmar.registry import effective_at
from fmar.status import LIVE, OPEN, Qualification, next_change


@dataclass(frozen=True, slots=True)
class ServiceFact:
    """One application as its SO's service levels count it (known at the as-of time)."""

    so: str
    application: str
    #: Days from submission to the first acknowledgement, and the target (None: not acknowledged).
    ack: tuple[float, int] | None
    #: Days from acknowledgement (else submission) to the decision, and the target (None: undecided).
    decision: tuple[float, int] | None
    decision_target_days: int


@dataclass(frozen=True, slots=True)
class Contribution:
    """A unit's current status for one product, as the product's summary counts it."""

    product: str
    status: str
    live: bool
    up_kw: float
    down_kw: float
    technology: str
    area: str


@dataclass(frozen=True, slots=True)
class UnitFacts:
    unit: str
    name: str
    fsp: str
    #: The unit as the search and filter indexes carry it (``pages.unit_entry``).
    entry: tuple[str, ...]
    #: Its row of units.csv.
    row: tuple[Any, ...]
    #: The governing status per product, as JSON (sorted by product).
    qualifications: tuple[dict[str, Any], ...]
    contributions: tuple[Contribution, ...]
    service: tuple[ServiceFact, ...]
    #: Applications awaiting the SO or the FSP.
    open: tuple[Qualification, ...]
    #: Every change of every record of the group, and what each concerns: (SO, product).
    changes: tuple[Change, ...]
    concerns: tuple[tuple[str | None, str | None], ...]
    #: Records of the group by kind.
    counts: tuple[tuple[str, int], ...]
    #: Ids of the group's records with a page and a document (the unit and its applications).
    pages: tuple[tuple[str, str], ...]
    #: The first moment after the as-of time at which these facts may change.
    next_change: datetime | None


def unit_facts(derived: Any, unit_id: str) -> UnitFacts:
    """The facts of one unit from a ``derive.Derived`` whose registry holds the unit's whole group."""
    from fmar.publish import derive, pages

    registry = derived.registry
    unit = registry.units[unit_id]
    statuses = derived.statuses.get(unit_id, [])
    current = [q for q, _ in statuses]
    summary = "; ".join(f"{q.product}: {q.status.label}" for q in current) or "no applications"
    entry = pages.unit_entry(
        unit,
        sorted({str(q.status) for q in current}),
        sorted({q.so for q in current}),
        sorted({q.product for q in current}),
        summary,
    )
    technology, area = derive.main_technology(unit), str(unit.licence_area)
    contributions = tuple(
        Contribution(q.product, str(q.status), q.status in LIVE, q.capacity_up_kw, q.capacity_down_kw, technology, area)
        for q in current
    )
    applications = sorted(registry.applications_by_unit.get(unit_id, ()), key=lambda a: a.id)
    open_ = tuple(q for _, all_of in statuses for q in all_of if q.status in OPEN)
    changes: list[Change] = []
    concerns: list[tuple[str | None, str | None]] = []
    for record_id, so, product in [
        (unit_id, None, None),
        *(
            (item_id, a.so, a.product)
            for a in applications
            for item_id in (a.id, *(i.id for i in registry.answers.get(a.id, ())))
        ),
    ]:
        for change in derived.history.timelines.get(record_id, ()):
            changes.append(change)
            concerns.append((so, product))
    answers = sum(len(registry.answers.get(a.id, ())) for a in applications)
    outcomes = sum(1 for a in applications for i in registry.answers.get(a.id, ()) if isinstance(i, Outcome))
    return UnitFacts(
        unit=unit_id,
        name=unit.name,
        fsp=unit.fsp,
        entry=tuple(entry),
        row=tuple(derive.unit_row(unit)),
        qualifications=tuple(qualification_json(q) for q in current),
        contributions=contributions,
        service=tuple(f for f in (service_fact(derived, a) for a in applications) if f is not None),
        open=open_,
        changes=tuple(changes),
        concerns=tuple(concerns),
        counts=(
            ("application", len(applications)),
            ("event", answers - outcomes),
            ("market_unit", 1),
            ("outcome", outcomes),
        ),
        pages=(("market_unit", unit_id), *(("application", a.id) for a in applications)),
        next_change=next_change(registry, unit_id, derived.as_of),
    )


def service_fact(derived: Any, application: Any) -> ServiceFact | None:
    """How ``application`` counts in its SO's service levels; None when it does not count (yet)."""
    registry = derived.registry
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    if version is None:
        return None
    levels = version.service_levels
    submitted = derived.recorded(application).at
    if submitted > derived.as_of:
        return None
    answers = [a for a in registry.answers.get(application.id, ()) if derived.recorded(a).at <= derived.as_of]
    first_ack = next(
        (effective_at(a) for a in answers if isinstance(a, Event) and a.type is EventType.ACKNOWLEDGED), None
    )
    outcome = next((a for a in answers if isinstance(a, Outcome)), None)
    start = first_ack or submitted
    ack = ((first_ack - submitted).total_seconds() / 86400, levels.acknowledge_days) if first_ack else None
    decision = ((outcome.decided_at - start).total_seconds() / 86400, levels.decision_days) if outcome else None
    return ServiceFact(application.so, application.id, ack, decision, levels.decision_days)
