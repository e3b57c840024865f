"""An FSP portfolio's deadlines and qualifications expiring soon, worked out against an as-of time
from rows that hold only absolute times (``fmar.core.workflow.portfolio``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fmar.core.workflow.portfolio import EXPIRING_DAYS, PORTFOLIO_COLUMNS, deadlines, expiring

AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _row(unit: str, product: str, status: str, valid_until: str | None = None, due_at: str | None = None) -> tuple:  # type: ignore[type-arg]
    values = dict.fromkeys(PORTFOLIO_COLUMNS)
    values.update(unit=unit, product=product, status=status, valid_until=valid_until, due_at=due_at)
    if due_at:
        values.update(waiting_for="decide", waiting_on="UKPN")
    return tuple(values[c] for c in PORTFOLIO_COLUMNS)


def test_deadlines_are_the_open_rows_soonest_first_with_days_overdue() -> None:
    rows = [
        _row("MU-A-000001", "UKPN-PR", "under_assessment", due_at="2026-06-11T12:00:00Z"),
        _row("MU-A-000002", "UKPN-PR", "pending", due_at="2026-05-30T00:00:00Z"),
        _row("MU-A-000003", "UKPN-PR", "qualified", valid_until="2027-01-01T00:00:00Z"),
        _row("MU-A-000004", None, None),  # type: ignore[arg-type]  # a unit that applied for nothing
    ]
    found = deadlines(rows, AS_OF)
    assert [(d["unit"], d["overdue_days"]) for d in found] == [("MU-A-000002", 2.5), ("MU-A-000001", 0.0)]
    assert found[0]["waiting_on"] == "UKPN"


def test_expiring_is_held_qualifications_ending_within_the_window_soonest_first() -> None:
    rows = [
        _row("MU-A-000001", "UKPN-PR", "qualified", valid_until="2026-08-30T12:00:00Z"),  # the window's last instant
        _row("MU-A-000002", "UKPN-PR", "conditionally_qualified", valid_until="2026-06-02T12:00:00Z"),
        _row("MU-A-000003", "UKPN-PR", "qualified", valid_until="2026-08-30T12:00:01Z"),  # one second too late
        _row("MU-A-000004", "UKPN-PR", "suspended", valid_until="2026-06-10T00:00:00Z"),  # not held
        _row("MU-A-000005", "UKPN-PR", "qualified", valid_until="2026-05-31T00:00:00Z"),  # already ended
    ]
    assert EXPIRING_DAYS == 90
    found = expiring(rows, AS_OF)
    assert [(e["unit"], e["days_left"]) for e in found] == [("MU-A-000002", 1.0), ("MU-A-000001", 90.0)]
    assert expiring(rows, AS_OF, days=1) == found[:1]
