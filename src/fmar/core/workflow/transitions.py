"""The status-transition log: every change of an application's status, with the instant it took
effect and the record or rule that caused it, including the changes time makes alone.

A status is a pure function of the records and a moment (``status.application_status``), and it
can change only at the moments ``status.next_change`` lists: when a record becomes known or takes
effect, when a deadline or a validity bound passes. So the log of an application is its status
evaluated at each such moment, kept where it differs from the one before. Beside the changes of
status, the log marks the moments an SO misses a service-level target (its status does not
change, but the application is overdue from then on).

Causes (``Transition.rule``):

- ``record``: a record became known or took effect (``record``: its id; the application itself
  for its first status);
- ``validity_ended``: a qualification's ``valid_until`` passed (``record``: the outcome);
- ``information_not_supplied``: an information request's ``respond_by`` passed unanswered, and
  the application is deemed withdrawn (``record``: the request);
- ``material_change``: the unit's record changed materially since the application (``record``:
  the unit);
- ``acknowledgement_target_missed``, ``decision_target_missed``: the SO's target for answering or
  deciding passed with the application still open (``record``: the record its clock started at).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from fmar.core import gb_time, status
from fmar.core.model import Application
from fmar.core.registry import Registry
from fmar.core.status import OPEN, Status, application_status
from fmar.core.workflow import service_levels

#: Rules a transition may be caused by (see the module's docstring).
RECORD = "record"
VALIDITY_ENDED = "validity_ended"
INFORMATION_NOT_SUPPLIED = "information_not_supplied"
MATERIAL_CHANGE = "material_change"
ACKNOWLEDGEMENT_TARGET_MISSED = "acknowledgement_target_missed"
DECISION_TARGET_MISSED = "decision_target_missed"
RULES = (
    RECORD,
    VALIDITY_ENDED,
    INFORMATION_NOT_SUPPLIED,
    MATERIAL_CHANGE,
    ACKNOWLEDGEMENT_TARGET_MISSED,
    DECISION_TARGET_MISSED,
)
#: The rules under which time alone makes the change: no record is added when it happens.
BY_TIME = frozenset({VALIDITY_ENDED, INFORMATION_NOT_SUPPLIED, ACKNOWLEDGEMENT_TARGET_MISSED, DECISION_TARGET_MISSED})
#: The clock a missed target is of (``service_levels.Clock.waiting_for``) and its rule.
_MISSED = {"acknowledge": ACKNOWLEDGEMENT_TARGET_MISSED, "decide": DECISION_TARGET_MISSED}


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of an application's status (``before`` None: its first), or a target missed
    (``before`` equal to ``after``)."""

    at: datetime
    unit: str
    product: str
    so: str
    application: str
    before: Status | None
    after: Status
    rule: str
    record: str
    detail: str

    @property
    def by_time(self) -> bool:
        """Whether time alone made it (no record was added when it happened)."""
        return self.rule in BY_TIME


def moments(registry: Registry, application: Application) -> list[datetime]:
    """The moments the status of ``application`` may change at (``status.application_moments``), sorted."""
    return sorted(status.application_moments(registry, application))


def _rule(status: Status) -> str:
    """The rule a change to ``status`` is caused by (a record, unless time or the unit's change made it)."""
    if status is Status.DEEMED_WITHDRAWN:
        return INFORMATION_NOT_SUPPLIED
    if status is Status.EXPIRED:
        return VALIDITY_ENDED
    if status is Status.REASSESSMENT_REQUIRED:
        return MATERIAL_CHANGE
    return RECORD


def application_transitions(registry: Registry, application: Application, until: datetime) -> list[Transition]:
    """The transitions of ``application`` up to ``until`` (included), in order of time."""
    found: list[Transition] = []
    previous: Status | None = None
    times = [m for m in moments(registry, application) if m <= until]
    submitted = registry.submitted_at(application)
    for number, moment in enumerate(times):
        if moment < submitted:
            continue
        current = application_status(registry, application, moment)
        if current.status is not previous:
            # An application's first status is its records' doing, whatever it is (it may come into
            # the registry already expired, say); later ones may be time's.
            rule = _rule(current.status) if previous is not None else RECORD
            record = application.unit if rule == MATERIAL_CHANGE else current.justified_by[-1]
            if rule == VALIDITY_ENDED and current.outcome:
                record = current.outcome
            found.append(
                Transition(
                    at=moment,
                    unit=application.unit,
                    product=application.product,
                    so=application.so,
                    application=application.id,
                    before=previous,
                    after=current.status,
                    rule=rule,
                    record=record,
                    detail=current.detail,
                )
            )
            previous = current.status
        if current.status in OPEN:
            following = times[number + 1] if number + 1 < len(times) else None
            missed = _missed_target(registry, application, moment, following, until)
            if missed is not None:
                found.append(missed)
    return found


def _missed_target(
    registry: Registry, application: Application, moment: datetime, following: datetime | None, until: datetime
) -> Transition | None:
    """The SO's target missed between ``moment`` and the next moment a record or deadline may
    change the application's clock (``following``), if it passes by ``until``."""
    clock = service_levels.clock(registry, application, moment)
    if clock is None or clock.due_at is None or clock.waiting_for not in _MISSED:
        return None
    due = clock.due_at
    if not (moment <= due <= until) or (following is not None and due >= following):
        return None
    waiting = "acknowledge" if clock.waiting_for == "acknowledge" else "decide on"
    return Transition(
        at=due,
        unit=application.unit,
        product=application.product,
        so=application.so,
        application=application.id,
        before=clock.status,
        after=clock.status,
        rule=_MISSED[clock.waiting_for],
        record=_clock_start(registry, application, clock.started_at),
        detail=f"{application.so} did not {waiting} the application by its target, {gb_time.shown_time(due)}",
    )


def _clock_start(registry: Registry, application: Application, started: datetime) -> str:
    """The record a clock started at: the latest of the application and its answers recorded then."""
    started_by = [
        item.id for item in registry.answers.get(application.id, ()) if registry.submitted_at(item) == started
    ]
    return max(started_by) if started_by else application.id


def unit_transitions(registry: Registry, unit: str, until: datetime) -> Iterator[Transition]:
    """The transitions of every application of ``unit`` up to ``until``, by time, then application."""
    found = [
        t
        for application in registry.applications_by_unit.get(unit, ())
        for t in application_transitions(registry, application, until)
    ]
    yield from sorted(found, key=lambda t: (t.at, t.application, t.rule))


def registry_transitions(registry: Registry, until: datetime) -> Iterator[Transition]:
    """Every transition of the registry up to ``until``, by unit (``unit_transitions``'s order each)."""
    for unit in sorted(registry.applications_by_unit):
        yield from unit_transitions(registry, unit, until)


def next_change(registry: Registry, unit: str, as_of: datetime) -> datetime | None:
    """The first moment after ``as_of`` at which the unit's statuses or transitions may differ:
    ``status.next_change``, or an open application's service-level target passing."""
    found = [m for m in (status.next_change(registry, unit, as_of),) if m is not None]
    for application in registry.applications_by_unit.get(unit, ()):
        if registry.submitted_at(application) > as_of:
            continue
        clock = service_levels.clock(registry, application, as_of)
        if clock is None or clock.status not in OPEN or clock.waiting_for not in _MISSED:
            continue
        if clock.due_at is not None and clock.due_at > as_of:
            found.append(clock.due_at)
    return min(found, default=None)


#: The fields of a transition as ``transitions.csv`` lists them (the JSON has the same keys).
COLUMNS = ("at", "unit", "product", "so", "application", "from_status", "to_status", "rule", "record", "detail")


def transition_doc(t: Transition) -> dict[str, str | None]:
    """A transition as the exports give it (``COLUMNS``; ``from_status`` None for an application's first)."""
    return {
        "at": t.at.isoformat().replace("+00:00", "Z"),
        "unit": t.unit,
        "product": t.product,
        "so": t.so,
        "application": t.application,
        "from_status": str(t.before) if t.before is not None else None,
        "to_status": str(t.after),
        "rule": t.rule,
        "record": t.record,
        "detail": t.detail,
    }
