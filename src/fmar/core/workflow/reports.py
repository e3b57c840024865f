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
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fmar.core import gb_time
from fmar.core.model import Outcome
from fmar.core.registry import Registry
from fmar.core.status import OPEN
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


def period(text: str) -> Period:
    """``2026-07`` or ``2026-Q3`` as a ``Period``; NotAPeriod for anything else."""
    found = re.fullmatch(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))", text.strip())
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


def report(registry: Registry, span: Period, so: str | None = None) -> list[ReportRow]:
    """The period's figures per SO and product (of ``so`` alone when given), sorted; a pair with
    nothing received, decided or open in the period is left out."""
    groups: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for application in registry.applications.values():
        if so is not None and application.so != so:
            continue
        submitted = registry.submitted_at(application)
        if submitted > span.end:
            continue
        group = groups.setdefault(
            (application.so, application.product), {"received": [], "decided": [], "open": [], "outcomes": []}
        )
        if submitted >= span.start:
            group["received"].append(application.id)
        first = _first_outcome(registry, application.id)
        if first is not None and span.start <= registry.submitted_at(first) <= span.end:
            fact = service_levels.service_fact(registry, application, span.end)
            if fact is not None:
                group["decided"].append(fact)
                group["outcomes"].append(first)
        clock = service_levels.clock(registry, application, span.end)
        if clock is not None and clock.status in OPEN:
            group["open"].append(clock)
    rows = []
    for (party, product), group in sorted(groups.items()):
        if not (group["received"] or group["decided"] or group["open"]):
            continue
        level = service_levels.aggregate(group["decided"], len(group["open"]))
        results = Counter(str(o.result) for o in group["outcomes"])
        reasons = Counter(str(r) for o in group["outcomes"] for r in o.reasons or ())
        rows.append(
            ReportRow(
                so=party,
                product=product,
                received=len(group["received"]),
                decided=level.decided,
                median_days_to_decision=level.median_decision_days,
                p90_days_to_decision=level.p90_decision_days,
                within_target=level.within_target_share,
                open_at_end=level.open,
                overdue_at_end=sum(1 for c in group["open"] if c.overdue),
                outcomes={r: results.get(r, 0) for r in RESULTS},
                failure_reasons=dict(sorted(reasons.items())),
            )
        )
    return rows


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
