"""Atom feeds of changes: all, per SO and per product, the newest ``FEED_LIMIT`` entries each."""

from __future__ import annotations

from typing import Any

from fmar.publish import formats
from fmar.publish.derive import FOLDER, page_url
from fmar.publish.documents import API_ROOT
from fmar.publish.inputs import Change
from fmar.publish.overview import Overview
from fmar.signing.records import iso

#: The most entries in one Atom feed (the newest changes).
FEED_LIMIT = 200


def feeds(overview: Overview) -> dict[str, bytes]:
    """Feed file name (under ``feeds/``) -> Atom document."""
    by_feed: dict[str, list[Change]] = {"all.atom": []}
    for change, so, product in overview.concerned_changes():
        by_feed["all.atom"].append(change)
        if so:
            by_feed.setdefault(f"so/{so}.atom", []).append(change)
        if product:
            by_feed.setdefault(f"product/{product}.atom", []).append(change)
    for so in (p.id for p in overview.parties.values() if p.role.is_system_operator):
        by_feed.setdefault(f"so/{so}.atom", [])
    for product in overview.products:
        by_feed.setdefault(f"product/{product}.atom", [])
    names = {facts.unit: facts.name for facts in overview.facts.values()}
    unit_of = {
        change.id: facts.unit
        for facts in overview.facts.values()
        for change in facts.changes
        if change.kind == "application"
    }
    updated = iso(overview.as_of)
    out = {}
    for name, changes in sorted(by_feed.items()):
        newest = sorted(changes, key=lambda c: (c.at, c.kind, c.id, c.action), reverse=True)[:FEED_LIMIT]
        entries = [_entry(c, names, unit_of) for c in newest]
        title = "fmar registry: all changes" if name == "all.atom" else f"fmar registry: changes for {name[:-5]}"
        out[name] = formats.atom_bytes(
            f"urn:fmar:feed:{name[:-5]}", title, updated, f"/{API_ROOT}/feeds/{name}", entries
        )
    return out


def _entry(c: Change, names: dict[str, str], unit_of: dict[str, str]) -> dict[str, Any]:
    unit = c.id if c.kind == "market_unit" else unit_of.get(c.id) if c.kind == "application" else None
    about = f" for {names[unit]} ({unit})" if unit in names else ""
    return {
        "id": f"urn:fmar:change:{c.commit or 'signed'}:{c.kind}:{c.id}:{c.action}",
        "title": f"{c.action} {c.kind.replace('_', ' ')} {c.id}",
        "updated": iso(c.at),
        "link": page_url(c.kind, c.id) if c.kind in FOLDER else f"/{API_ROOT}/changes.csv",
        "summary": f"{c.kind.replace('_', ' ')} {c.id}{about}, signed by {c.signer}",
    }
