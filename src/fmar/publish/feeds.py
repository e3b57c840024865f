"""Atom feeds of changes: all, per SO and per product, the newest ``FEED_LIMIT`` entries each."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fmar.publish import formats
from fmar.publish.facts import ChangeRow
from fmar.publish.ledger import change_of
from fmar.publish.overview import Overview
from fmar.publish.urls import change_url, export_url
from fmar.signing.records import iso

#: The most entries in one Atom feed (the newest changes).
FEED_LIMIT = 200


def feeds(overview: Overview) -> dict[str, bytes]:
    """Feed file name (under ``feeds/``) -> Atom document, newest change first."""
    ledger = overview.ledger
    newest = len(ledger) - 1
    # Positions in the ledger (oldest first) of each feed's entries, newest first.
    picked: dict[str, list[int]] = {"all.atom": list(range(newest, max(-1, newest - FEED_LIMIT), -1))}
    for so in (p.id for p in overview.parties.values() if p.role.is_system_operator):
        picked[f"so/{so}.atom"] = []
    for product in overview.products:
        picked[f"product/{product}.atom"] = []
    for folder, column in (("so", ledger.so), ("product", ledger.product)):
        positions: dict[str, list[int]] = defaultdict(list)
        for at, value in enumerate(column):
            if value:
                positions[value].append(at)
        for value, found in positions.items():
            picked[f"{folder}/{value}.atom"] = found[: -FEED_LIMIT - 1 : -1]
    rows: dict[int, ChangeRow] = {}  # read back from its line once, however many feeds list it

    def row(at: int) -> ChangeRow:
        if at not in rows:
            rows[at] = change_of(ledger.lines[at], ledger.so[at], ledger.product[at], ledger.unit[at])
        return rows[at]

    by_feed = {name: [row(at) for at in found] for name, found in picked.items()}
    names = {r.unit: overview.facts[r.unit].name for r in rows.values() if r.unit in overview.facts}
    updated = iso(overview.as_of)
    out = {}
    for name, listed in sorted(by_feed.items()):
        title = "fmar registry: all changes" if name == "all.atom" else f"fmar registry: changes for {name[:-5]}"
        out[name] = formats.atom_bytes(
            f"urn:fmar:feed:{name[:-5]}",
            title,
            updated,
            export_url(f"feeds/{name}"),
            [_entry(r, names) for r in listed],
        )
    return out


def _entry(row: ChangeRow, names: dict[str, str]) -> dict[str, Any]:
    about = f" for {names[row.unit]} ({row.unit})" if row.unit in names else ""
    kind = row.kind.replace("_", " ")
    return {
        "id": f"urn:fmar:change:{row.commit or 'signed'}:{row.kind}:{row.id}:{row.action}",
        "title": f"{row.action} {kind} {row.id}",
        "updated": row.recorded_at,
        "link": change_url(row.kind, row.id, row.unit) or export_url("changes.csv"),
        "summary": f"{kind} {row.id}{about}, signed by {row.signer}",
    }
