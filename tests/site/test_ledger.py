"""The change ledger: edited in place it holds what a fresh one would, in changes.csv's order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fmar.publish.facts import change_row
from fmar.publish.inputs import Change
from fmar.publish.ledger import ChangeLedger, change_of, ledger_row

START = datetime(2026, 1, 1, tzinfo=UTC)


def _rows(rng: random.Random, groups: list[str], count: int) -> list[tuple[bytes, str, str, str, str]]:
    rows = []
    for _ in range(count):
        group = rng.choice(groups)
        kind = rng.choice(["market_unit", "application", "outcome", "event"])
        change = Change(
            START + timedelta(seconds=rng.randrange(0, 50)),  # many share a second
            kind,
            f"{group}-{rng.randrange(0, 30)}",
            rng.choice(["added", "modified", "removed"]),
            f"{rng.getrandbits(40):010x}",
            "FSP0001",
            ("name", "composition.assets[0].capacity_kw") if rng.random() < 0.3 else (),
        )
        rows.append(ledger_row(change_row(change, "SO-A", "PRODUCT-1", group), group))
    return rows


def test_lines_sort_as_the_rows_they_encode() -> None:
    rows = _rows(random.Random(1), [f"MU-{i}" for i in range(40)], 3000)
    by_line = [change_of(*row[:4]) for row in ChangeLedger.of(rows).rows()]
    assert by_line == sorted(by_line)  # ChangeRow order: recorded_at, kind, id, action, commit...


def test_replacing_groups_in_place_equals_a_fresh_ledger() -> None:
    rng = random.Random(7)
    groups = [f"MU-{i}" for i in range(60)]
    rows = _rows(rng, groups, 2500)
    ledger = ChangeLedger.of(rows)
    for _ in range(20):
        again = rng.sample(groups, rng.randrange(1, 4))
        new = _rows(rng, again, rng.randrange(0, 60))
        rows = [r for r in rows if r[4] not in again] + new
        ledger.replace(again, new)
        assert list(ledger.rows()) == list(ChangeLedger.of(rows).rows())
    assert ledger.csv_body() == b"".join(sorted(r[0] for r in rows))
    newest = next(ledger.newest())
    assert newest.line == max(r[0] for r in rows) and newest.so == "SO-A"
