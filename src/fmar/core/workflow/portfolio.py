"""An FSP's portfolio: every one of its Market Units against every product it applied for, with the
governing status, the validity, and, for an application still open, whose turn it is and when that
is due; and, as of a moment, the deadlines coming and the qualifications expiring soon.

Pure: statuses and clocks in, rows out. ``fmar portfolio FSP`` prints the document a site build
publishes as ``api/v2/portfolios/<FSP>.json`` and ``.csv`` (one function, ``portfolio_row``, makes
the rows of both). A row holds only what changes when a record or a status does: how late an
application is, or how soon a qualification expires, is worked out against the as-of time
(``deadlines``, ``expiring``), so a published portfolio keeps its bytes until something about its
units changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from fmar.core.registry import Registry
from fmar.core.status import HOLDING, OPEN, Qualification, json_moment, unit_statuses
from fmar.core.workflow.service_levels import clock, days_between, days_overdue, waiting_on

PORTFOLIO_FORMAT = "fmar-portfolio/v1"
#: The columns of a portfolio's rows (``rows`` of its JSON, its CSV's header), in order.
PORTFOLIO_COLUMNS = (
    "unit",
    "unit_name",
    "product",
    "so",
    "status",
    "since",
    "valid_until",
    "capacity_up_kw",
    "capacity_down_kw",
    "application",
    "waiting_for",
    "waiting_on",
    "due_at",
)
_COLUMN = {name: index for index, name in enumerate(PORTFOLIO_COLUMNS)}
#: A qualification ending within this many days of the as-of time is expiring soon.
EXPIRING_DAYS = 90

Row = tuple[Any, ...]


def portfolio_row(q: Qualification, unit_name: str, fsp: str, waiting_for: str | None, due_at: datetime | None) -> Row:
    """A unit's governing status for one product as a portfolio row (``PORTFOLIO_COLUMNS``):
    ``waiting_for`` and ``due_at`` from the clock of its application when it is open."""
    return (
        q.unit,
        unit_name,
        q.product,
        q.so,
        str(q.status),
        json_moment(q.since),
        json_moment(q.valid_until),
        q.capacity_up_kw,
        q.capacity_down_kw,
        q.application,
        waiting_for,
        waiting_on(waiting_for, q.so, fsp) if waiting_for else None,
        json_moment(due_at),
    )


#: An open application's turn: what it waits for and when that is due, by application id.
Turns = Mapping[str, tuple[str | None, datetime | None]]


def turns_of(
    registry: Registry, current: Iterable[Qualification], as_of: datetime
) -> dict[str, tuple[str, datetime | None]]:
    """The turn of each open application among ``current``, from its ``service_levels.clock``."""
    out = {}
    for q in current:
        if q.status in OPEN:
            found = clock(registry, registry.applications[q.application], as_of)
            if found is not None:
                out[q.application] = (found.waiting_for, found.due_at)
    return out


def unit_rows(registry: Registry, unit_id: str, current: Iterable[Qualification], turns: Turns) -> list[Row]:
    """The portfolio rows of one unit from its governing statuses (by product) and the turns of its
    open applications (``turns_of``); a unit that has applied for nothing has one row, with no
    product and no status."""
    unit = registry.units[unit_id]
    rows: list[Row] = []
    for q in sorted(current, key=lambda q: q.product):
        waiting_for, due_at = turns.get(q.application, (None, None)) if q.status in OPEN else (None, None)
        rows.append(portfolio_row(q, unit.name, unit.fsp, waiting_for, due_at))
    if not rows:
        rows.append((unit.id, unit.name, *(None,) * (len(PORTFOLIO_COLUMNS) - 2)))
    return rows


def portfolio(registry: Registry, fsp: str, as_of: datetime) -> list[Row]:
    """Every unit of ``fsp`` against every product it applied for (known at ``as_of``), by unit and product."""
    rows: list[Row] = []
    for unit_id in sorted(u.id for u in registry.units.values() if u.fsp == fsp):
        current = [q for q, _ in unit_statuses(registry, unit_id, as_of)]
        rows.extend(unit_rows(registry, unit_id, current, turns_of(registry, current, as_of)))
    return rows


def portfolio_document(fsp: str, rows: Sequence[Row]) -> dict[str, Any]:
    """The portfolio as its JSON document: the columns once, then a row (an array) per pair."""
    return {"format": PORTFOLIO_FORMAT, "fsp": fsp, "columns": list(PORTFOLIO_COLUMNS), "rows": [list(r) for r in rows]}


def deadlines(rows: Iterable[Row], as_of: datetime) -> list[dict[str, Any]]:
    """The open applications with a due time, soonest first, each with whose turn it is and the
    days it is overdue at ``as_of`` (0 when not)."""
    out = []
    for row in rows:
        due = row[_COLUMN["due_at"]]
        if due is None:
            continue
        at = datetime.fromisoformat(due)
        out.append(
            {
                **dict(zip(PORTFOLIO_COLUMNS, row, strict=True)),
                "overdue_days": round(days_overdue(at, as_of), 1),
            }
        )
    return sorted(out, key=lambda d: (d["due_at"], d["unit"], d["product"]))


def expiring(rows: Iterable[Row], as_of: datetime, days: int = EXPIRING_DAYS) -> list[dict[str, Any]]:
    """The qualifications held at ``as_of`` whose validity ends within ``days``, soonest first, with
    the days left."""
    holding = {str(s) for s in HOLDING}
    until = as_of + timedelta(days=days)
    out = []
    for row in rows:
        end = row[_COLUMN["valid_until"]]
        if end is None or row[_COLUMN["status"]] not in holding:
            continue
        at = datetime.fromisoformat(end)
        if as_of <= at <= until:
            out.append(
                {**dict(zip(PORTFOLIO_COLUMNS, row, strict=True)), "days_left": round(days_between(as_of, at), 1)}
            )
    return sorted(out, key=lambda d: (d["valid_until"], d["unit"], d["product"]))


def csv_cells(row: Row) -> list[Any]:
    """A row as CSV cells: nothing for a value there is not."""
    return ["" if value is None else value for value in row]
