"""Status derivation: one qualification status per Market Unit and product, as of a moment.

A pure function of the records and a time. The CLI, CI, the site and the exports all call
it, so everybody gets the same answer and the records that justify it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from fmar.core import gb_time
from fmar.core.lifecycle import QUALIFIED, State, replay
from fmar.core.model import Application, Outcome
from fmar.core.model.market_unit import Composition
from fmar.core.model.product import MaterialChangePolicy
from fmar.core.registry import Registry


class Status(StrEnum):
    PENDING = "pending"
    UNDER_ASSESSMENT = "under_assessment"
    INFORMATION_REQUESTED = "information_requested"
    QUALIFIED = "qualified"
    CONDITIONALLY_QUALIFIED = "conditionally_qualified"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    DEEMED_WITHDRAWN = "deemed_withdrawn"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    REASSESSMENT_REQUIRED = "reassessment_required"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: Statuses in which the unit holds a qualification (possibly suspended or under re-assessment).
LIVE = frozenset({Status.QUALIFIED, Status.CONDITIONALLY_QUALIFIED, Status.SUSPENDED, Status.REASSESSMENT_REQUIRED})
#: Statuses in which the unit holds a qualification in force: not suspended, no re-assessment due.
HOLDING = frozenset({Status.QUALIFIED, Status.CONDITIONALLY_QUALIFIED})
#: Statuses in which the application awaits the SO or the FSP.
OPEN = frozenset({Status.PENDING, Status.UNDER_ASSESSMENT, Status.INFORMATION_REQUESTED})


@dataclass(frozen=True, slots=True)
class Qualification:
    """The derived status of one application, with the records that justify it."""

    unit: str
    product: str
    product_version: int
    so: str
    application: str
    status: Status
    since: datetime
    detail: str
    justified_by: tuple[str, ...]
    outcome: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    capacity_up_kw: float = 0.0
    capacity_down_kw: float = 0.0


def json_moment(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class ApplicationStatusDoc(BaseModel):
    """An application's derived status: since when, why, its validity and capacities, and the
    records that justify it (the exports give it beside the application's record, which says the
    rest: ``QualificationDoc``)."""

    model_config = ConfigDict(extra="forbid")

    status: str
    since: str
    detail: str
    outcome: str | None
    valid_from: str | None
    valid_until: str | None
    capacity_up_kw: float
    capacity_down_kw: float
    justified_by: list[str]


class QualificationDoc(ApplicationStatusDoc):
    """The derived status of one application, with the unit, product, version, SO and application it is of."""

    unit: str
    product: str
    product_version: int
    so: str
    application: str


class RecordedQualificationDoc(QualificationDoc):
    """A derived status and when its application and outcome were recorded (``fmar status --format json``)."""

    recorded_at: str | None
    outcome_recorded_at: str | None


def _doc_fields(q: Qualification) -> dict[str, Any]:
    return {
        "unit": q.unit,
        "product": q.product,
        "product_version": q.product_version,
        "so": q.so,
        "status": str(q.status),
        "since": json_moment(q.since),
        "detail": q.detail,
        "application": q.application,
        "outcome": q.outcome,
        "valid_from": json_moment(q.valid_from),
        "valid_until": json_moment(q.valid_until),
        "capacity_up_kw": q.capacity_up_kw,
        "capacity_down_kw": q.capacity_down_kw,
        "justified_by": list(q.justified_by),
    }


def qualification_doc(q: Qualification) -> QualificationDoc:
    """A derived status as JSON: what the exports, the site and ``fmar status --format json`` show of it
    (built without validating: the values are the model's types)."""
    return QualificationDoc.model_construct(**_doc_fields(q))


def recorded_qualification_doc(q: Qualification, recorded: Mapping[str, datetime]) -> RecordedQualificationDoc:
    """``qualification_doc`` and when its application and outcome were recorded (``recorded``: times by id)."""
    return RecordedQualificationDoc.model_construct(
        **_doc_fields(q),
        recorded_at=json_moment(recorded.get(q.application)),
        outcome_recorded_at=json_moment(recorded.get(q.outcome)) if q.outcome else None,
    )


def material_change(policy: MaterialChangePolicy, before: Composition, after: Composition) -> str | None:
    """Why the change from ``before`` to ``after`` is material under ``policy``, or None."""
    if policy.category_change:
        added = {a.category for a in after.assets} - {a.category for a in before.assets}
        removed = {a.category for a in before.assets} - {a.category for a in after.assets}
        if added or removed:
            parts = [
                f"added {', '.join(sorted(added))}" if added else "",
                f"removed {', '.join(sorted(removed))}" if removed else "",
            ]
            return "asset categories changed: " + "; ".join(p for p in parts if p)
    for field, label in (("import_capacity_kw", "import"), ("export_capacity_kw", "export")):
        old, new = getattr(before, field), getattr(after, field)
        if old == new:
            continue
        change = abs(new - old) / old * 100 if old else 100.0
        if change > policy.capacity_change_pct:
            return (
                f"{label} capacity changed from {old:.2f} kW to {new:.2f} kW "
                f"({change:.1f}%, more than {policy.capacity_change_pct:g}%)"
            )
    return None


def _known(registry: Registry, record_id: str, signed_at: datetime, as_of: datetime) -> bool:
    return registry.known_since(record_id, signed_at) <= as_of


def application_status(registry: Registry, application: Application, as_of: datetime) -> Qualification:
    """The status of ``application`` as the records known at ``as_of`` say."""
    items = [
        item
        for item in registry.answers.get(application.id, ())
        if _known(registry, item.id, item.signature.signed_at, as_of)
        and (item.decided_at if isinstance(item, Outcome) else item.effective_at) <= as_of
    ]
    submitted = registry.submitted_at(application)
    run = replay(items, registry.made_at(application))
    state = run.state
    since = run.steps[-1].at if run.steps else submitted
    justified = (application.id, *(step.record.id for step in run.steps))
    outcome = run.outcome
    status = Status(state.value)
    detail = {
        State.PENDING: "submitted; awaiting the SO",
        State.UNDER_ASSESSMENT: "the SO is assessing",
        State.INFORMATION_REQUESTED: "the SO asked the FSP for information",
        State.FAILED: "the SO's assessment failed the unit",
        State.WITHDRAWN: "withdrawn by the FSP",
        State.SUSPENDED: "qualification suspended by the SO",
        State.REVOKED: "qualification revoked by the SO",
        State.CONDITIONALLY_QUALIFIED: "qualified by the SO, subject to conditions",
    }.get(state, "qualified by the SO")
    if state is State.INFORMATION_REQUESTED and run.open_request and run.open_request.respond_by:
        deadline = run.open_request.respond_by
        if deadline <= as_of:
            status, since = Status.DEEMED_WITHDRAWN, deadline
            detail = f"requested information not supplied by {gb_time.shown(deadline)}; deemed withdrawn"
        else:
            detail = f"the SO asked for information by {gb_time.shown(deadline)}"
    elif outcome is not None and (state in QUALIFIED or state is State.SUSPENDED):
        if outcome.valid_until is not None and outcome.valid_until <= as_of:
            status, since = Status.EXPIRED, outcome.valid_until
            detail = f"validity ended {gb_time.shown(outcome.valid_until)}"
        elif state in QUALIFIED:
            reason = _reassessment(registry, application, as_of)
            if reason:
                # Since the unit's changed record was signed (its current version), not since the
                # qualification: that is when re-assessment became required.
                status, since = (
                    Status.REASSESSMENT_REQUIRED,
                    max(since, registry.units[application.unit].signature.signed_at),
                )
                detail = f"material change since the application: {reason}"
            elif outcome.valid_from is not None and as_of < outcome.valid_from:
                detail = f"qualified from {gb_time.shown(outcome.valid_from)}"
    granting = outcome is not None and outcome.result.value != "failed" and status in LIVE | {Status.EXPIRED}
    holding = granting and status in LIVE
    return Qualification(
        unit=application.unit,
        product=application.product,
        product_version=application.product_version,
        so=application.so,
        application=application.id,
        status=status,
        since=since,
        detail=detail,
        justified_by=justified,
        outcome=outcome.id if outcome else None,
        valid_from=outcome.valid_from if granting and outcome else None,
        valid_until=outcome.valid_until if granting and outcome else None,
        capacity_up_kw=outcome.capacity_up_kw if holding and outcome else 0.0,
        capacity_down_kw=outcome.capacity_down_kw if holding and outcome else 0.0,
    )


def _reassessment(registry: Registry, application: Application, as_of: datetime) -> str | None:
    """The material change since ``application``, judged on the unit's current record if it was known at ``as_of``."""
    unit = registry.units.get(application.unit)
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    if unit is None or version is None or not _known(registry, unit.id, unit.signature.signed_at, as_of):
        return None
    return material_change(version.material_change, application.unit_composition, unit.composition)


def governing(statuses: list[Qualification]) -> Qualification:
    """The one status of a unit for a product: its latest live qualification, else its latest application."""
    live = [q for q in statuses if q.status in LIVE]
    pool = live or statuses
    return max(pool, key=lambda q: (q.since, q.application))


def unit_statuses(
    registry: Registry, unit: str, as_of: datetime, product: str | None = None
) -> list[tuple[Qualification, list[Qualification]]]:
    """For each product the unit applied for (known at ``as_of``): the governing status and all of them."""
    by_product: dict[str, list[Qualification]] = {}
    for application in registry.applications_by_unit.get(unit, ()):
        if product is not None and application.product != product:
            continue
        if not _known(registry, application.id, application.signature.signed_at, as_of):
            continue
        by_product.setdefault(application.product, []).append(application_status(registry, application, as_of))
    return [
        (governing(statuses), sorted(statuses, key=lambda q: (q.since, q.application)))
        for _, statuses in sorted(by_product.items())
    ]


def next_change(registry: Registry, unit: str, as_of: datetime) -> datetime | None:
    """The first moment after ``as_of`` at which ``unit_statuses(registry, unit, ...)`` may differ.

    Every comparison with the as-of time above is against one of these instants (when a record
    became known, when an answer took effect, a deadline, a validity bound), so the statuses are
    constant from ``as_of`` until the moment returned; None when no such moment is ahead.
    """
    moments: set[datetime] = set()
    record = registry.units.get(unit)
    if record is not None:
        moments.add(registry.submitted_at(record))
    for application in registry.applications_by_unit.get(unit, ()):
        moments |= application_moments(registry, application)
    return min((m for m in moments if m > as_of), default=None)


def application_moments(registry: Registry, application: Application) -> set[datetime]:
    """The instants the status of ``application`` may change at: when it and each of its answers
    became known, when an answer took effect, a deadline, a validity bound, and when its unit's
    record became known (a material change)."""
    moments = {registry.submitted_at(application)}
    unit = registry.units.get(application.unit)
    if unit is not None:
        moments.add(registry.submitted_at(unit))
    for item in registry.answers.get(application.id, ()):
        moments.add(registry.submitted_at(item))
        if isinstance(item, Outcome):
            moments.update(m for m in (item.decided_at, item.valid_from, item.valid_until) if m is not None)
        else:
            moments.update(m for m in (item.effective_at, item.respond_by) if m is not None)
    return moments


def all_statuses(registry: Registry, as_of: datetime) -> Iterator[Qualification]:
    """The governing status of every (unit, product) pair, sorted by unit and product."""
    for unit in sorted(registry.applications_by_unit):
        for current, _ in unit_statuses(registry, unit, as_of):
            yield current
