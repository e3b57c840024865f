"""The FSP journey drawn: the toolkit's phases and building blocks as an SVG diagram made at build
time (no script, no CDN), each block linked to its section of the process catalogue and its links
to the blocks it leads to drawn as arrows; the blocks this registry serves stand out, with what the
registry does for each (its record kinds, the commands that write them, live counts).

Pure: records and counts in, markup and rows out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from fmar.core.model import KINDS, Process
from fmar.core.model.process import PHASES

#: The commands that write each record kind (``fmar <command>``), as the guides introduce them.
KIND_COMMANDS: dict[str, tuple[str, ...]] = {
    "party": (),
    "process": (),
    "data_object": (),
    "product": (),
    "market_unit": ("unit", "eligible"),
    "application": ("apply", "withdraw", "supply-info"),
    "outcome": ("decide",),
    "event": ("acknowledge", "request-info", "suspend", "reinstate", "revoke"),
    "import_attestation": ("attest-import",),
}
#: The registry-wide count (``Overview.counts``) of each record kind, where there is one.
KIND_COUNTS = {
    "party": "parties",
    "product": "products",
    "market_unit": "market_units",
    "application": "applications",
    "outcome": "outcomes",
    "event": "events",
    "process": "processes",
    "data_object": "data_objects",
    "import_attestation": "import_attestations",
}

_COLUMN, _ROW, _WIDTH, _HEIGHT, _TOP, _LEFT = 196, 64, 170, 48, 52, 8
_SERVED, _OTHER = "#e8eaf6", "#ffffff"


def _place(blocks: Mapping[str, Process]) -> dict[str, tuple[float, float]]:
    """Each block's box (its top left corner): a column per phase, a row per position in it."""
    places: dict[str, tuple[float, float]] = {}
    for column, phase in enumerate(p.phase for p in PHASES):
        in_phase = sorted((b for b in blocks.values() if b.phase == phase), key=lambda b: (b.order, b.id))
        for row, block in enumerate(in_phase):
            places[block.id] = (_LEFT + column * _COLUMN, _TOP + row * _ROW)
    return places


def _edge(source: tuple[float, float], target: tuple[float, float]) -> str:
    """The path of an arrow from one box to another: right side to left side across columns, bottom
    to top within one, around the boxes' left side when it goes back up a column."""
    (sx, sy), (tx, ty) = source, target
    if tx > sx:
        x1, y1, x2, y2 = sx + _WIDTH, sy + _HEIGHT / 2, tx, ty + _HEIGHT / 2
        bend = max(24.0, (x2 - x1) / 2)
        return f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    if tx == sx and ty > sy:
        x, y1, y2 = sx + _WIDTH / 2, sy + _HEIGHT, ty
        return f"M{x:.0f},{y1:.0f} L{x:.0f},{y2:.0f}"
    # Back: from the box's left side, around to the left side of the target.
    x1, y1, x2, y2 = sx, sy + _HEIGHT / 2, tx, ty + _HEIGHT / 2
    out = min(x1, x2) - 6
    return f"M{x1:.0f},{y1:.0f} C{out - 30:.0f},{y1:.0f} {out - 30:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


def journey_svg(blocks: Mapping[str, Process], served: Mapping[str, str], link: str = "catalogue.html") -> Markup:
    """The diagram: ``served`` gives, for the blocks this registry serves, the line shown under their
    name (what the registry holds for them); each block links to ``link#<code>``."""
    places = _place(blocks)
    rows = max((sum(1 for b in blocks.values() if b.phase == p.phase) for p in PHASES), default=1)
    width, height = _LEFT * 2 + _COLUMN * len(PHASES), _TOP + rows * _ROW + 8
    parts = [
        f'<svg class="fmar-journey" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg" font-size="11"><title>The FSP journey: phases, building blocks and '
        "how they lead to one another</title>"
        '<defs><marker id="fmar-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#5c6bc0"/></marker></defs>'
    ]
    for column, (_, title, letter, _) in enumerate(PHASES):
        x = _LEFT + column * _COLUMN + _WIDTH / 2
        parts.append(f'<text x="{x:.0f}" y="24" text-anchor="middle" font-weight="bold" font-size="13">')
        parts.append(f"{escape(letter)}. {escape(title)}</text>")
    for block in sorted(blocks.values(), key=lambda b: b.id):
        for target in block.leads_to:
            if target in places:
                path = _edge(places[block.id], places[target])
                parts.append(
                    f'<path class="fmar-edge" d="{path}" fill="none" stroke="#5c6bc0" stroke-width="1.2" '
                    f'marker-end="url(#fmar-arrow)"><title>{escape(block.id)} leads to {escape(target)}</title></path>'
                )
    for code, (x, y) in sorted(places.items()):
        block = blocks[code]
        fill = _SERVED if code in served else _OTHER
        lines = textwrap.wrap(block.name, 26)[:2]
        parts.append(f'<a class="fmar-block-link" href="{escape(link)}#{escape(code)}">')
        parts.append(
            f'<rect x="{x}" y="{y}" width="{_WIDTH}" height="{_HEIGHT}" rx="5" fill="{fill}" stroke="#3f51b5"/>'
        )
        parts.append(f'<text x="{x + 6}" y="{y + 14}"><tspan font-weight="bold">{escape(code)}</tspan> ')
        parts.append(f"{escape(lines[0] if lines else '')}</text>")
        if len(lines) > 1:
            parts.append(f'<text x="{x + 6}" y="{y + 28}">{escape(lines[1])}</text>')
        if code in served:
            parts.append(f'<text x="{x + 6}" y="{y + 42}" fill="#283593">{escape(served[code])}</text>')
        parts.append("</a>")
    parts.append("</svg>")
    return Markup("".join(parts))


def served_rows(blocks: Mapping[str, Process], counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """What the registry does for each block it serves (its record kinds), in code order: the kinds,
    the commands that write them and how many records of each the registry holds."""
    rows = []
    phases = [p.phase for p in PHASES]
    for block in sorted(blocks.values(), key=lambda b: (phases.index(b.phase), b.order, b.id)):
        kinds = [kind for kind in block.record_kinds if kind in KINDS]
        if not kinds:
            continue
        rows.append(
            {
                "code": block.id,
                "name": block.name,
                "kinds": [(kind, counts.get(KIND_COUNTS.get(kind, ""), 0)) for kind in kinds],
                "commands": [f"fmar {c}" for kind in kinds for c in KIND_COMMANDS.get(kind, ())],
            }
        )
    return rows


def served_lines(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The line a served block shows in the diagram: its records' counts, shortest first."""
    out = {}
    for row in rows:
        shown = ", ".join(f"{kind.replace('_', ' ')} {n:,}" for kind, n in row["kinds"])
        out[row["code"]] = shown if len(shown) <= 30 else f"{sum(n for _, n in row['kinds']):,} records here"
    return out
