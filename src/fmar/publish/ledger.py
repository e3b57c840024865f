"""Every change of every record, in the order changes.csv lists them, kept up to date by difference.

A national registry has hundreds of thousands of changes. A build that derived ten unit groups
again must not re-sort (or even re-read) all of them: the ledger drops the rows of those groups
and inserts their new rows where they belong. Rows are kept as five parallel columns of plain
values (a fraction of the objects of one tuple per row), so a build state holding them loads fast.

Order: by the row's line of changes.csv, byte for byte. The line starts with the recorded time
(fixed-width ISO 8601, UTC), then kind, id, action and commit, all written from alphabets that
sort after the comma (ids, kinds, hex commits): so lines sort by time first, then by kind, id,
action and commit, which is what a tool syncing from changes.csv reads it by.
"""

from __future__ import annotations

import csv
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fmar.publish.facts import ChangeRow

#: (line, so, product, unit, group): a change row as the ledger stores it.
Row = tuple[bytes, str, str, str, str]
#: Above this many rows to drop or insert, the ledger is sorted again rather than edited in place.
_EDIT_LIMIT = 4000


def ledger_row(row: ChangeRow, group: str) -> Row:
    """``row`` as the ledger keeps it; ``group``: the unit whose group the record belongs to ("" for none)."""
    return row.line, row.so, row.product, row.unit, group


@dataclass
class ChangeLedger:
    lines: list[bytes] = field(default_factory=list)
    so: list[str] = field(default_factory=list)
    product: list[str] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rows: Iterable[Row]) -> ChangeLedger:
        ordered = sorted(rows, key=lambda r: r[0])
        if not ordered:
            return cls()
        return cls(*(list(column) for column in zip(*ordered, strict=True)))

    def __len__(self) -> int:
        return len(self.lines)

    def rows(self) -> Iterator[Row]:
        return zip(self.lines, self.so, self.product, self.unit, self.group, strict=True)

    def replace(self, groups: Collection[str], rows: list[Row]) -> None:
        """Drop every row of ``groups`` and add ``rows`` (the groups' rows as derived again)."""
        wanted = set(groups)
        drop = [i for i, g in enumerate(self.group) if g in wanted]
        if len(drop) + len(rows) > _EDIT_LIMIT:
            kept = (r for r in self.rows() if r[4] not in wanted)
            self.__dict__.update(ChangeLedger.of([*kept, *rows]).__dict__)
            return
        columns: tuple[list[Any], ...] = (self.lines, self.so, self.product, self.unit, self.group)
        for i in reversed(drop):
            for column in columns:
                del column[i]
        for row in sorted(rows, key=lambda r: r[0]):
            at = bisect_left(self.lines, row[0])
            for column, value in zip(columns, row, strict=True):
                column.insert(at, value)

    def csv_body(self) -> bytes:
        """changes.csv without its header line."""
        return b"".join(self.lines)

    def newest(self) -> Iterator[ChangeRow]:
        """The changes, newest first, read back from their lines."""
        for i in range(len(self.lines) - 1, -1, -1):
            yield change_of(self.lines[i], self.so[i], self.product[i], self.unit[i])


def change_of(line: bytes, so: str, product: str, unit: str) -> ChangeRow:
    """The ``ChangeRow`` whose line of changes.csv is ``line``."""
    cells = next(csv.reader([line.decode()]))
    recorded_at, kind, record_id, action, commit, signer, fields = cells
    return ChangeRow(recorded_at, kind, record_id, action, commit, signer, fields, so, product, unit, line)


__all__ = ["ChangeLedger", "Row", "change_of", "ledger_row"]
