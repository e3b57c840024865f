"""Service levels: each SO's targets (per product version) measured on the times the registry recorded.

Clocks run on ``Registry.submitted_at`` (the Git commit time that merged a record into main,
else its signing time), never on times a party states, so nobody can backdate a clock:
- acknowledge: from the application's recorded time to the SO's first answer (an
  acknowledgement, an information request or an outcome), within ``acknowledge_days``;
- decide: from completeness (the acknowledgement, or the latest supply of requested
  information, else the application) to the first outcome, within ``decision_days``;
- supply information: the FSP's ``respond_by``; when it passes unanswered the application is
  deemed withdrawn (status derivation does that).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from fmar.core.model import Application, Event, EventType, Outcome
from fmar.core.registry import Registry
from fmar.core.status import OPEN, Status, application_status, json_moment

DAY = 86_400.0
#: Events that count as the SO's first answer to an application.
SO_ANSWERS = frozenset({EventType.ACKNOWLEDGED, EventType.INFORMATION_REQUESTED})


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY


@dataclass(frozen=True)
class Clock:
    """Where one application stands against its SO's targets at ``as_of``."""

    application: str
    unit: str
    #: The unit's FSP ("" when the unit is not in the registry).
    fsp: str
    product: str
    so: str
    status: Status
    submitted_at: datetime
    #: "acknowledge", "decide" or "supply information" (the FSP's turn), or "decided".
    waiting_for: str
    started_at: datetime
    due_at: datetime | None
    age_days: float
    overdue_days: float

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def waiting_on(self) -> str:
        """Whose turn it is: the FSP's to supply information, else the SO's."""
        return waiting_on(self.waiting_for, self.so, self.fsp)


def waiting_on(waiting_for: str, so: str, fsp: str) -> str:
    """The party whose turn it is to do ``waiting_for`` (``Clock.waiting_for``)."""
    return fsp if waiting_for == "supply information" else so


def days_overdue(due: datetime | None, as_of: datetime) -> float:
    """Days past ``due`` at ``as_of`` (0 before it, or without a due time) of an open application."""
    return days_between(due, as_of) if due is not None and due < as_of else 0.0


def known_answers(registry: Registry, application: Application, as_of: datetime) -> list[Outcome | Event]:
    """The outcomes and events of ``application`` recorded by ``as_of``, in recorded order."""
    return _known(registry, registry.answers.get(application.id, []), as_of)


def is_so_answer(item: Outcome | Event) -> bool:
    """True for what stops the acknowledgement clock: an outcome, an acknowledgement or a request."""
    return isinstance(item, Outcome) or item.type in SO_ANSWERS


def _known(registry: Registry, items: Iterable[Outcome | Event], as_of: datetime) -> list[Outcome | Event]:
    return sorted(
        (item for item in items if registry.submitted_at(item) <= as_of),
        key=lambda item: (registry.submitted_at(item), item.id),
    )


def clock(registry: Registry, application: Application, as_of: datetime) -> Clock | None:
    """The clock of ``application``; None when its product version is unknown."""
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    if version is None:
        return None
    levels = version.service_levels
    submitted = registry.submitted_at(application)
    items = known_answers(registry, application, as_of)
    outcomes = [item for item in items if isinstance(item, Outcome)]
    answered = [item for item in items if is_so_answer(item)]
    complete = [
        item
        for item in items
        if isinstance(item, Event) and item.type in (EventType.ACKNOWLEDGED, EventType.INFORMATION_SUPPLIED)
    ]
    status = application_status(registry, application, as_of).status
    if outcomes:
        waiting, start, due = "decided", registry.submitted_at(outcomes[0]), None
    elif status is Status.INFORMATION_REQUESTED:
        request = next(i for i in reversed(items) if isinstance(i, Event) and i.type is EventType.INFORMATION_REQUESTED)
        waiting, start, due = "supply information", registry.submitted_at(request), request.respond_by
    elif not answered:
        waiting, start = "acknowledge", submitted
        due = submitted + timedelta(days=levels.acknowledge_days)
    else:
        start = registry.submitted_at(complete[-1]) if complete else submitted
        waiting, due = "decide", start + timedelta(days=levels.decision_days)
    overdue = days_overdue(due, as_of) if status in OPEN else 0.0
    unit = registry.units.get(application.unit)
    return Clock(
        application=application.id,
        unit=application.unit,
        fsp=unit.fsp if unit is not None else "",
        product=application.product,
        so=application.so,
        status=status,
        submitted_at=submitted,
        waiting_for=waiting,
        started_at=start,
        due_at=due,
        age_days=days_between(submitted, as_of),
        overdue_days=overdue,
    )


def inbox(registry: Registry, so: str, as_of: datetime) -> list[Clock]:
    """The SO's open applications known at ``as_of``: overdue first (most overdue first), then by due time."""
    clocks = []
    for application in registry.applications.values():
        if application.so != so or registry.submitted_at(application) > as_of:
            continue
        found = clock(registry, application, as_of)
        if found is not None and found.status in OPEN:
            clocks.append(found)
    return sorted(clocks, key=lambda c: inbox_order(inbox_entry(c, as_of)))


#: An SO's inbox as JSON (``fmar inbox --format json``, and ``inboxes/<SO>.json`` of the exports).
INBOX_FORMAT = "fmar-inbox/v1"
#: The fields of an inbox entry (``inbox_entry``), in order: the inbox CSV's columns.
INBOX_COLUMNS = (
    "application",
    "unit",
    "fsp",
    "product",
    "status",
    "waiting_for",
    "waiting_on",
    "submitted_at",
    "due_at",
    "age_days",
    "overdue",
    "overdue_days",
)


def inbox_entry(clock: Clock, as_of: datetime) -> dict[str, Any]:
    """One open application of an SO's inbox as JSON: the ``Clock`` at ``as_of``, times in ISO 8601
    UTC and days to one decimal (``INBOX_COLUMNS``)."""
    return open_entry(
        application=clock.application,
        unit=clock.unit,
        fsp=clock.fsp,
        product=clock.product,
        so=clock.so,
        status=str(clock.status),
        waiting_for=clock.waiting_for,
        submitted_at=clock.submitted_at,
        due_at=clock.due_at,
        as_of=as_of,
    )


def open_entry(
    *,
    application: str,
    unit: str,
    fsp: str,
    product: str,
    so: str,
    status: str,
    waiting_for: str,
    submitted_at: datetime,
    due_at: datetime | None,
    as_of: datetime,
) -> dict[str, Any]:
    """An inbox entry (``INBOX_COLUMNS``) of an open application whose turn (``waiting_for``) is due at
    ``due_at``: what ``inbox_entry`` makes of a clock, and a site build of the facts it kept."""
    late = days_overdue(due_at, as_of)
    return {
        "application": application,
        "unit": unit,
        "fsp": fsp,
        "product": product,
        "status": status,
        "waiting_for": waiting_for,
        "waiting_on": waiting_on(waiting_for, so, fsp),
        "submitted_at": json_moment(submitted_at),
        "due_at": json_moment(due_at),
        "age_days": round(days_between(submitted_at, as_of), 1),
        "overdue": late > 0,
        "overdue_days": round(late, 1),
    }


def inbox_order(entry: dict[str, Any]) -> tuple[bool, float, str, str]:
    """Sort key of inbox entries: overdue first (most overdue first), then by due time (those without
    one last), then by application."""
    return (not entry["overdue"], -entry["overdue_days"], entry["due_at"] or "~", entry["application"])


class ServiceFact(NamedTuple):
    """One application as its SO's service levels count it (known at the as-of time): plain
    tuples, so a site build keeps them in its state (``publish.facts``)."""

    so: str
    application: str
    #: Days from submission to the SO's first answer, and the target (None: not answered).
    ack: tuple[float, int] | None
    #: Days from submission to the decision, days from completeness to it, and the decision
    #: target (None: undecided).
    decision: tuple[float, float, int] | None
    decision_target_days: int


def service_fact(registry: Registry, application: Application, as_of: datetime) -> ServiceFact | None:
    """How ``application`` counts in its SO's service levels; None when it does not count (yet):
    not submitted by ``as_of``, or for an unknown product version."""
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    submitted = registry.submitted_at(application)
    if version is None or submitted > as_of:
        return None
    levels = version.service_levels
    items = known_answers(registry, application, as_of)
    answer = next((item for item in items if is_so_answer(item)), None)
    outcome = next((item for item in items if isinstance(item, Outcome)), None)
    ack = (days_between(submitted, registry.submitted_at(answer)), levels.acknowledge_days) if answer else None
    decision = None
    if outcome is not None:
        decided = registry.submitted_at(outcome)
        complete = completed_at(registry, application, decided)
        decision = (days_between(submitted, decided), days_between(complete, decided), levels.decision_days)
    return ServiceFact(application.so, application.id, ack, decision, levels.decision_days)


@dataclass(frozen=True)
class ServiceLevel:
    """How a set of applications (an SO's, or an SO's for one product) met their targets: the one
    aggregation ``fmar sla``, the SO pages of the site and the reports show."""

    decided: int
    #: Applications awaiting a decision (counted by the caller: what it lists as open).
    open: int
    median_ack_days: float | None
    median_decision_days: float | None
    #: Answered (decided) within the acknowledgement (decision) target, and how many were.
    ack_within: tuple[int, int]
    decision_within: tuple[int, int]
    #: Days from submission to each decision, sorted.
    days_to_decision: tuple[float, ...]
    decision_target_days: int | None

    @property
    def ack_within_target(self) -> float | None:
        """Percentage answered within target (one decimal), None when none was."""
        return _percent(*self.ack_within)

    @property
    def decision_within_target(self) -> float | None:
        """Percentage decided within target (one decimal), None when none was."""
        return _percent(*self.decision_within)

    @property
    def within_target_share(self) -> float | None:
        """Share decided within target (0 to 1, three decimals), None when none was."""
        within, of = self.decision_within
        return round(within / of, 3) if of else None

    @property
    def decision_days(self) -> tuple[float, ...]:
        """Days to each decision (one decimal), sorted."""
        return tuple(round(v, 1) for v in self.days_to_decision)

    @property
    def p90_decision_days(self) -> float | None:
        return round(percentile(list(self.days_to_decision), 0.9), 1) if self.days_to_decision else None


def _percent(within: int, of: int) -> float | None:
    return round(100 * within / of, 1) if of else None


def aggregate(facts: Sequence[ServiceFact], open_: int) -> ServiceLevel:
    """The service levels of ``facts`` (the last one's decision target stands for the set's)."""
    ack = [f.ack for f in facts if f.ack is not None]
    decision = [f.decision for f in facts if f.decision is not None]
    to_decide = [d[0] for d in decision]
    return ServiceLevel(
        decided=len(decision),
        open=open_,
        median_ack_days=round(statistics.median(v for v, _ in ack), 1) if ack else None,
        median_decision_days=round(statistics.median(to_decide), 1) if to_decide else None,
        ack_within=(sum(1 for v, t in ack if v <= t), len(ack)),
        decision_within=(sum(1 for _, v, t in decision if v <= t), len(decision)),
        days_to_decision=tuple(sorted(to_decide)),
        decision_target_days=facts[-1].decision_target_days if facts else None,
    )


@dataclass(frozen=True)
class ServiceSummary:
    """A row of ``fmar sla``: one SO's service levels for one product."""

    so: str
    product: str
    open: int
    overdue: int
    decided: int
    median_days_to_decision: float | None
    p90_days_to_decision: float | None
    #: Share of decisions made within the decision target (0 to 1), None when none was made.
    within_target: float | None


def percentile(values: list[float], share: float) -> float:
    """Linear-interpolated percentile of ``values`` (share in 0..1), as spreadsheets compute it."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summaries(registry: Registry, as_of: datetime, so: str | None = None) -> list[ServiceSummary]:
    """Per SO and product: open and overdue counts (from the clocks), and the ``aggregate`` of
    the applications' service facts: decisions, days to decision, the share within target."""
    groups: dict[tuple[str, str], list[tuple[Clock, ServiceFact]]] = {}
    for application in registry.applications.values():
        if (so is not None and application.so != so) or registry.submitted_at(application) > as_of:
            continue
        found = clock(registry, application, as_of)
        fact = service_fact(registry, application, as_of)
        if found is not None and fact is not None:
            groups.setdefault((application.so, application.product), []).append((found, fact))
    out = []
    for (party, product_id), members in sorted(groups.items()):
        open_clocks = [c for c, _ in members if c.status in OPEN]
        level = aggregate([f for _, f in members], len(open_clocks))
        out.append(
            ServiceSummary(
                so=party,
                product=product_id,
                open=level.open,
                overdue=sum(1 for c in open_clocks if c.overdue),
                decided=level.decided,
                median_days_to_decision=level.median_decision_days,
                p90_days_to_decision=level.p90_decision_days,
                within_target=level.within_target_share,
            )
        )
    return out


def completed_at(registry: Registry, application: Application, decided: datetime) -> datetime:
    """When the application was complete before its decision: the latest acknowledgement or supply."""
    marks = [
        registry.submitted_at(item)
        for item in registry.answers.get(application.id, [])
        if isinstance(item, Event)
        and item.type in (EventType.ACKNOWLEDGED, EventType.INFORMATION_SUPPLIED)
        and registry.submitted_at(item) <= decided
    ]
    return max(marks, default=registry.submitted_at(application))
