"""Atom feeds of changes: all, per SO and per product, the newest ``FEED_LIMIT`` entries each."""

from __future__ import annotations

from typing import Any

from fmar.publish import formats
from fmar.publish.derive import FOLDER, page_url
from fmar.publish.documents import API_ROOT
from fmar.publish.facts import ChangeRow
from fmar.publish.ledger import change_of
from fmar.publish.overview import Overview
from fmar.signing.records import iso

#: The most entries in one Atom feed (the newest changes).
FEED_LIMIT = 200


def feeds(overview: Overview) -> dict[str, bytes]:
    """Feed file name (under ``feeds/``) -> Atom document, newest change first."""
    by_feed: dict[str, list[ChangeRow]] = {"all.atom": []}
    for so in (p.id for p in overview.parties.values() if p.role.is_system_operator):
        by_feed[f"so/{so}.atom"] = []
    for product in overview.products:
        by_feed[f"product/{product}.atom"] = []
    ledger = overview.ledger
    # Newest first; a row is read back from its line only when a feed that is not full takes it.
    for i in range(len(ledger) - 1, -1, -1):
        targets = ["all.atom"]
        if ledger.so[i]:
            targets.append(f"so/{ledger.so[i]}.atom")
        if ledger.product[i]:
            targets.append(f"product/{ledger.product[i]}.atom")
        takers = [feed for feed in (by_feed.setdefault(name, []) for name in targets) if len(feed) < FEED_LIMIT]
        if takers:
            row = change_of(ledger.lines[i], ledger.so[i], ledger.product[i], ledger.unit[i])
            for entries in takers:
                entries.append(row)
    names = {facts.unit: facts.name for facts in overview.facts.values()}
    updated = iso(overview.as_of)
    out = {}
    for name, rows in sorted(by_feed.items()):
        title = "fmar registry: all changes" if name == "all.atom" else f"fmar registry: changes for {name[:-5]}"
        out[name] = formats.atom_bytes(
            f"urn:fmar:feed:{name[:-5]}", title, updated, f"/{API_ROOT}/feeds/{name}", [_entry(r, names) for r in rows]
        )
    return out


def _entry(row: ChangeRow, names: dict[str, str]) -> dict[str, Any]:
    about = f" for {names[row.unit]} ({row.unit})" if row.unit in names else ""
    kind = row.kind.replace("_", " ")
    return {
        "id": f"urn:fmar:change:{row.commit or 'signed'}:{row.kind}:{row.id}:{row.action}",
        "title": f"{row.action} {kind} {row.id}",
        "updated": row.recorded_at,
        "link": page_url(row.kind, row.id) if row.kind in FOLDER else f"/{API_ROOT}/changes.csv",
        "summary": f"{kind} {row.id}{about}, signed by {row.signer}",
    }
