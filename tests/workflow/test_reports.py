"""Period reports on a year of the demo, each figure recomputed here from the records, independently."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.workflow.cli import fmar

from fmar.core.model import Outcome
from fmar.core.registry import Registry
from fmar.core.status import OPEN, application_status
from fmar.core.workflow import service_levels
from fmar.core.workflow.reports import NotAPeriod, period, report

QUARTERS = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")


def test_periods_are_london_months_and_quarters() -> None:
    q3 = period("2026-Q3")
    assert q3.start == datetime(2026, 6, 30, 23, tzinfo=UTC) and q3.end == datetime(2026, 9, 30, 22, 59, 59, tzinfo=UTC)
    december = period("2026-12")
    assert december.start == datetime(2026, 12, 1, tzinfo=UTC) and december.end == datetime(
        2026, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    q4 = period("2026-Q4")
    assert q4.end == december.end and period("2026-Q1").start == datetime(2026, 1, 1, tzinfo=UTC)
    for text in ("2026-Q5", "2026-13", "2026", "Q3-2026"):
        with pytest.raises(NotAPeriod):
            period(text)


def _expected(registry: Registry, name: str) -> dict[tuple[str, str], dict[str, object]]:
    """The figures of ``name`` worked out directly from the records and recorded times."""
    span = period(name)
    found: dict[tuple[str, str], dict[str, object]] = {}
    days: dict[tuple[str, str], list[float]] = {}
    for application in registry.applications.values():
        key = (application.so, application.product)
        submitted = registry.submitted_at(application)
        if submitted > span.end:
            continue
        row = found.setdefault(
            key, {"received": 0, "decided": 0, "open": 0, "overdue": 0, "results": Counter(), "reasons": Counter()}
        )
        if span.start <= submitted:
            row["received"] += 1  # type: ignore[operator]
        outcomes = sorted(
            (i for i in registry.answers.get(application.id, ()) if isinstance(i, Outcome)),
            key=lambda o: (registry.submitted_at(o), o.id),
        )
        if outcomes and span.start <= registry.submitted_at(outcomes[0]) <= span.end:
            row["decided"] += 1  # type: ignore[operator]
            row["results"][str(outcomes[0].result)] += 1  # type: ignore[index]
            row["reasons"].update(str(r) for r in outcomes[0].reasons or ())  # type: ignore[attr-defined]
            days.setdefault(key, []).append((registry.submitted_at(outcomes[0]) - submitted).total_seconds() / 86400)
        if application_status(registry, application, span.end).status in OPEN:
            row["open"] += 1  # type: ignore[operator]
            clock = service_levels.clock(registry, application, span.end)
            assert clock is not None
            row["overdue"] += clock.due_at is not None and clock.due_at < span.end  # type: ignore[operator]
    for key, row in found.items():
        row["median"] = round(statistics.median(days[key]), 1) if key in days else None
    return {k: v for k, v in found.items() if v["received"] or v["decided"] or v["open"]}


@pytest.mark.parametrize("name", QUARTERS)
def test_a_quarter_of_the_demo_matches_the_records(demo_year: tuple[Path, Registry], name: str) -> None:
    _, registry = demo_year
    rows = {(r.so, r.product): r for r in report(registry, period(name))}
    expected = _expected(registry, name)
    assert set(rows) == set(expected) and rows, name
    for key, want in expected.items():
        row = rows[key]
        assert (row.received, row.decided, row.open_at_end) == (want["received"], want["decided"], want["open"]), key
        assert row.overdue_at_end == want["overdue"], key
        assert row.median_days_to_decision == want["median"], key
        assert {k: v for k, v in row.outcomes.items() if v} == dict(want["results"]), key  # type: ignore[call-overload]
        assert row.failure_reasons == dict(sorted(want["reasons"].items())), key  # type: ignore[attr-defined]
        if row.decided:
            assert row.p90_days_to_decision is not None and row.p90_days_to_decision >= row.median_days_to_decision
            assert row.within_target is not None and 0 <= row.within_target <= 1
    # The quarter is its three months: what is received and decided adds up.
    year, quarter = name.split("-Q")
    months = [f"{year}-{3 * (int(quarter) - 1) + m:02d}" for m in (1, 2, 3)]
    monthly = [report(registry, period(m)) for m in months]
    for field in ("received", "decided"):
        assert sum(getattr(r, field) for r in rows.values()) == sum(getattr(r, field) for rs in monthly for r in rs)


def test_report_writes_csv_and_json_and_refuses_a_bad_period(demo_year: tuple[Path, Registry]) -> None:
    root, registry = demo_year
    as_json = fmar(root, "report", "--period", "2025-Q3", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.output)
    assert document["period"] == "2025-Q3" and document["from"] == "2025-06-30T23:00:00Z"
    as_csv = fmar(root, "report", "--period", "2025-Q3", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert len(rows) == len(document["rows"]) == len(report(registry, period("2025-Q3")))
    assert [int(r["received"]) for r in rows] == [r["received"] for r in document["rows"]]
    bad = fmar(root, "report", "--period", "2025-Q5")
    assert bad.exit_code == 2 and "not a month (2026-07) or a quarter (2026-Q3)" in bad.output
    nobody = fmar(root, "report", "--period", "2025-Q3", "--so", "NESOO")
    assert nobody.exit_code == 1 and "did you mean NESO" in nobody.stderr
