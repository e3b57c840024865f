"""Period reports for the regulator: per SO and product, what a month or quarter brought.

For a period (a month ``2026-07`` or a quarter ``2026-Q3``, days of London time): applications
received (recorded in the period), applications decided (their first outcome recorded in the
period) with the median and 90th-percentile days from submission to decision and the share decided
within the decision target, applications open and overdue at the period's end, and the decisions'
outcomes by result and the failed ones' reasons. All on the times the registry recorded
(``Registry.submitted_at``), never on times a party states: the service levels' own clocks
(``service_levels``), aggregated the way ``fmar sla`` and the SO pages aggregate them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from fmar.core import gb_time
from fmar.core.model import Application, Outcome
from fmar.core.registry import Registry
from fmar.core.status import OPEN, application_moments, json_moment
from fmar.core.workflow import service_levels

RESULTS = ("qualified", "conditionally_qualified", "failed")


class NotAPeriod(ValueError):
    """A period is a month (2026-07) or a quarter (2026-Q3)."""


@dataclass(frozen=True)
class Period:
    """A month or quarter of London days: ``start`` its first instant, ``end`` its last second."""

    name: str
    start: datetime
    end: datetime


#: How a period is named: a month (``2026-07``) or a quarter (``2026-Q3``).
PERIOD = r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$"


def period(text: str) -> Period:
    """``2026-07`` or ``2026-Q3`` as a ``Period``; NotAPeriod for anything else."""
    found = re.fullmatch(PERIOD[1:-1], text.strip())
    if found is None:
        raise NotAPeriod(text)
    year = int(found.group(1))
    first_month = int(found.group(2)) if found.group(2) else 3 * int(found.group(3)) - 2
    months = 1 if found.group(2) else 3
    after = (first_month - 1 + months) % 12 + 1
    last_day = date(year + (first_month - 1 + months) // 12, after, 1) - timedelta(days=1)
    return Period(text.strip(), gb_time.day_start(date(year, first_month, 1)), gb_time.day_end(last_day))


@dataclass(frozen=True)
class ReportRow:
    """One SO's figures for one product in a period."""

    so: str
    product: str
    received: int
    decided: int
    median_days_to_decision: float | None
    p90_days_to_decision: float | None
    #: Share of the period's decisions made within the decision target (0 to 1), None for none.
    within_target: float | None
    open_at_end: int
    overdue_at_end: int
    outcomes: dict[str, int] = field(default_factory=dict)
    failure_reasons: dict[str, int] = field(default_factory=dict)


def _first_outcome(registry: Registry, application_id: str) -> Outcome | None:
    outcomes = [item for item in registry.answers.get(application_id, ()) if isinstance(item, Outcome)]
    return min(outcomes, key=lambda o: (registry.submitted_at(o), o.id), default=None)


class ReportFact(NamedTuple):
    """One application as the period reports count it, known at an as-of time: plain values (times as
    POSIX seconds), so a site build keeps them with each unit's facts and reports any period up to
    its as-of time without the records (``publish.facts``)."""

    so: str
    product: str
    #: When the registry recorded it.
    submitted: float
    #: When its first outcome was recorded (None: undecided at the as-of time, or its product
    #: version is unknown), that outcome's result and failure reasons.
    decided: float | None
    result: str
    reasons: tuple[str, ...]
    #: ``ServiceFact.decision`` and the decision target (days) of its product version.
    decision: tuple[float, float, int] | None
    target: int
    #: While it was open: (from, until, due), ``until`` None when still open at the as-of time,
    #: ``due`` the time its turn (acknowledge, decide, supply information) was due, None without one.
    open: tuple[tuple[float, float | None, float | None], ...]


def report_fact(registry: Registry, application: Application, as_of: datetime) -> ReportFact | None:
    """How ``application`` counts in the period reports up to ``as_of``; None when not submitted by then.

    Its open spans come from its clock (``service_levels.clock``) at each moment its status or
    clock may change (``status.application_moments``, the transitions' moments): constant between
    them, as the transition log has it."""
    submitted = registry.submitted_at(application)
    if submitted > as_of:
        return None
    service = service_levels.service_fact(registry, application, as_of)
    first = _first_outcome(registry, application.id)
    decided = None
    if service is not None and first is not None and registry.submitted_at(first) <= as_of:
        decided = first
    moments = sorted(m for m in application_moments(registry, application) if submitted <= m <= as_of)
    spans: list[tuple[float, float | None, float | None]] = []
    for number, moment in enumerate(moments):
        clock = service_levels.clock(registry, application, moment)
        if clock is None or clock.status not in OPEN:
            continue
        start = moment.timestamp()
        until = moments[number + 1].timestamp() if number + 1 < len(moments) else None
        due = clock.due_at.timestamp() if clock.due_at is not None else None
        if spans and spans[-1][1] == start and spans[-1][2] == due:
            start = spans.pop()[0]
        spans.append((start, until, due))
    return ReportFact(
        so=application.so,
        product=application.product,
        submitted=submitted.timestamp(),
        decided=registry.submitted_at(decided).timestamp() if decided is not None else None,
        result=str(decided.result) if decided is not None else "",
        reasons=tuple(str(r) for r in decided.reasons or ()) if decided is not None else (),
        decision=service.decision if service is not None else None,
        target=service.decision_target_days if service is not None else 0,
        open=tuple(spans),
    )


def report(registry: Registry, span: Period, so: str | None = None, as_of: datetime | None = None) -> list[ReportRow]:
    """The period's figures per SO and product (of ``so`` alone when given), sorted; a pair with
    nothing received, decided or open in the period is left out. ``as_of``: the time the figures are
    known at; a period not over by then is reported to date (open and overdue at ``as_of``)."""
    known = min(span.end, as_of) if as_of is not None else span.end
    facts = (
        report_fact(registry, application, known)
        for application in registry.applications.values()
        if so is None or application.so == so
    )
    return reports_from((f for f in facts if f is not None), [span], known)[span.name]


class _Tally:
    """What one SO and product gathered in one period."""

    __slots__ = ("decided", "open", "outcomes", "overdue", "reasons", "received")

    def __init__(self) -> None:
        self.received = 0
        self.decided: list[service_levels.ServiceFact] = []
        self.open = 0
        self.overdue = 0
        self.outcomes: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()


def reports_from(facts: Iterable[ReportFact], spans: Sequence[Period], as_of: datetime) -> dict[str, list[ReportRow]]:
    """The rows of each of ``spans`` (by name) from the facts of every application known at ``as_of``
    (``report_fact``): in one pass, each fact counted in the periods its times fall in. A period not
    over at ``as_of`` counts what is open and overdue at ``as_of``. (A site build runs it over every
    application at each rebuild: the loop is written for speed.)"""
    series = _series(spans, as_of)
    tallies: dict[tuple[str, str, str], _Tally] = {}
    found = tallies.get
    for fact in facts:
        so, product, submitted, decided = fact.so, fact.product, fact.submitted, fact.decided
        service = service_levels.ServiceFact(so, "", None, fact.decision, fact.target) if decided is not None else None
        for starts, ends, names, moments in series:
            index = bisect_right(starts, submitted) - 1
            if index >= 0 and submitted <= ends[index]:
                key = (names[index], so, product)
                tally = found(key) or tallies.setdefault(key, _Tally())
                tally.received += 1
            if service is not None and decided is not None:
                index = bisect_right(starts, decided) - 1
                if index >= 0 and decided <= ends[index]:
                    key = (names[index], so, product)
                    tally = found(key) or tallies.setdefault(key, _Tally())
                    tally.decided.append(service)
                    tally.outcomes[fact.result] += 1
                    if fact.reasons:
                        tally.reasons.update(fact.reasons)
            for begin, until, due in fact.open:
                last = bisect_left(moments, until) if until is not None else len(moments)
                for index in range(bisect_left(moments, begin), last):
                    key = (names[index], so, product)
                    tally = found(key) or tallies.setdefault(key, _Tally())
                    tally.open += 1
                    if due is not None and due < moments[index]:
                        tally.overdue += 1
    by_period: dict[str, dict[tuple[str, str], _Tally]] = {span.name: {} for span in spans}
    for (name, so, product), tally in tallies.items():
        by_period[name][(so, product)] = tally
    return {name: _rows(found_in) for name, found_in in by_period.items()}


def _series(spans: Sequence[Period], as_of: datetime) -> list[tuple[list[float], list[float], list[str], list[float]]]:
    """The periods as series of disjoint ones, each sorted (months, quarters): their starts, ends,
    names and the moments each counts open applications at (its end, or ``as_of`` if sooner)."""
    out = []
    for months in (True, False):
        chosen = sorted((s for s in spans if ("Q" not in s.name) == months), key=lambda s: s.start)
        if chosen:
            out.append(
                (
                    [s.start.timestamp() for s in chosen],
                    [s.end.timestamp() for s in chosen],
                    [s.name for s in chosen],
                    [min(s.end, as_of).timestamp() for s in chosen],
                )
            )
    return out


def _rows(tallies: dict[tuple[str, str], _Tally]) -> list[ReportRow]:
    rows = []
    for (party, product), tally in sorted(tallies.items()):
        level = service_levels.aggregate(tally.decided, tally.open)
        rows.append(
            ReportRow(
                so=party,
                product=product,
                received=tally.received,
                decided=level.decided,
                median_days_to_decision=level.median_decision_days,
                p90_days_to_decision=level.p90_decision_days,
                within_target=level.within_target_share,
                open_at_end=level.open,
                overdue_at_end=tally.overdue,
                outcomes={r: tally.outcomes.get(r, 0) for r in RESULTS},
                failure_reasons=dict(sorted(tally.reasons.items())),
            )
        )
    return rows


def periods_between(first: datetime, last: datetime) -> list[Period]:
    """Every month and quarter from the one holding ``first`` to the one holding ``last`` (London
    days), months first, each in order."""
    start, end = gb_time.local(first).date(), gb_time.local(last).date()
    months: list[Period] = []
    quarters: list[Period] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(period(f"{year:04d}-{month:02d}"))
        quarter = f"{year:04d}-Q{(month - 1) // 3 + 1}"
        if not quarters or quarters[-1].name != quarter:
            quarters.append(period(quarter))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months + quarters


#: A period report as JSON (``fmar report --format json``, and ``reports/<period>.json`` of the exports).
REPORT_FORMAT = "fmar-report/v1"


def report_document(span: Period, rows: Sequence[ReportRow], as_of: datetime) -> dict[str, Any]:
    """A period's report as JSON: the period, the time its figures are known at (its end, or the
    as-of time of a period not over), whether it is over, and the rows."""
    known = min(span.end, as_of)
    return {
        "format": REPORT_FORMAT,
        "period": span.name,
        "from": json_moment(span.start),
        "until": json_moment(span.end),
        "as_of": json_moment(known),
        "complete": span.end <= as_of,
        "clock": "recorded times (commit to main), else signing times",
        "rows": [row.__dict__ for row in rows],
    }


#: The columns of a report as CSV (outcomes by result, then the failure reasons as REASON=COUNT;...).
COLUMNS = (
    "period",
    "so",
    "product",
    "received",
    "decided",
    "median_days_to_decision",
    "p90_days_to_decision",
    "within_target",
    "open_at_end",
    "overdue_at_end",
    *(f"outcomes_{r}" for r in RESULTS),
    "failure_reasons",
)


def csv_row(span: Period, row: ReportRow) -> list[object]:
    """A report row as its CSV cells (``COLUMNS``)."""
    reasons = ";".join(f"{k}={v}" for k, v in row.failure_reasons.items())
    return [
        span.name,
        row.so,
        row.product,
        row.received,
        row.decided,
        row.median_days_to_decision if row.median_days_to_decision is not None else "",
        row.p90_days_to_decision if row.p90_days_to_decision is not None else "",
        row.within_target if row.within_target is not None else "",
        row.open_at_end,
        row.overdue_at_end,
        *(row.outcomes.get(r, 0) for r in RESULTS),
        reasons,
    ]
