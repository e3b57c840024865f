"""The SOs' practices of a building block side by side, with what differs between them marked.

Pure: practices in, a comparison out (the site's practices page and ``toolkit.json`` draw on it).
A practice's inputs and systems differ where an item is not shared by every SO that publishes a
practice of the block. A step's timescale differs where the SOs give it different durations (or
not every SO states it): the durations other than the one most SOs give are marked, or every one
when no duration is the most common. With one SO's practice nothing differs: nothing to compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fmar.core.model import Practice
from fmar.core.model.practice import Timescale


@dataclass(frozen=True)
class Item:
    text: str
    differs: bool


@dataclass(frozen=True)
class Row:
    """One aspect of the block across the SOs: a cell of items per SO, in the SOs' order."""

    label: str
    cells: tuple[tuple[Item, ...], ...]
    differs: bool


@dataclass(frozen=True)
class Comparison:
    block: str
    practices: tuple[Practice, ...]
    rows: tuple[Row, ...]

    @property
    def sos(self) -> tuple[str, ...]:
        return tuple(p.so for p in self.practices)

    @property
    def differences(self) -> int:
        """How many rows differ between the SOs."""
        return sum(row.differs for row in self.rows)


def _shared_row(label: str, lists: list[list[str]]) -> Row:
    shared = set.intersection(*(set(values) for values in lists)) if lists else set()
    cells = tuple(tuple(Item(text, text not in shared) for text in values) for values in lists)
    return Row(label, cells, any(item.differs for cell in cells for item in cell))


def _usual(texts: list[str]) -> str | None:
    """The value most SOs give, when one value is given by more SOs than any other and by at least
    two: the others are marked as differing from it. None otherwise (every differing value is marked)."""
    counts = Counter(texts).most_common()
    if len(counts) == 1 or (counts[0][1] > 1 and counts[0][1] > counts[1][1]):
        return counts[0][0]
    return None


def timescale_text(timescale: Timescale | None) -> str:
    if timescale is None:
        return "not stated"
    unit = "day" if timescale.days == 1 else "days"
    return f"{timescale.days} {timescale.basis} {unit}"


def compare(block: str, practices: Iterable[Practice], names: Mapping[str, str]) -> Comparison:
    """The practices of ``block`` side by side (by SO id); ``names`` gives data objects' names."""
    chosen = tuple(sorted((p for p in practices if p.block == block), key=lambda p: p.so))
    rows = [
        _shared_row("Asks for", [[names.get(i, i) for i in p.inputs] for p in chosen]),
        _shared_row("Systems", [list(p.systems) for p in chosen]),
    ]
    steps: list[str] = []
    for practice in chosen:
        steps.extend(t.step for t in practice.timescales if t.step not in steps)
    for step in steps:
        texts = [timescale_text(next((t for t in p.timescales if t.step == step), None)) for p in chosen]
        usual = _usual(texts)
        cells = tuple((Item(text, text != usual),) for text in texts)
        rows.append(Row(step, cells, len(set(texts)) > 1))
    return Comparison(block, chosen, tuple(rows))


def comparisons(practices: Mapping[str, Practice], blocks: Iterable[str], names: Mapping[str, str]) -> list[Comparison]:
    """A comparison for each of ``blocks`` (in their order) that has at least one practice."""
    practised = {p.block for p in practices.values()}
    return [compare(block, practices.values(), names) for block in blocks if block in practised]
