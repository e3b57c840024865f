"""Atom feeds of changes: all, per SO and per product, the newest ``FEED_LIMIT`` entries each.

Each entry says what happened in words ("NESO qualified MU-… for NESO-DC until 2029-12-06"),
from the change's row of the ledger, the names in the units' facts and, for outcomes and events,
the notes the facts keep of them (``facts.AnswerNote``): no record file is read.

Ids are ``tag:`` URIs (RFC 4151, ``site_url.tag_uri``) that never change from build to build.
With a site URL every link is absolute and the feed links to itself (``rel="self"``); without
one, links are relative to the feed's own file, so they resolve wherever the site is served, and
the self link is the feed's own file name.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from fmar.core import gb_time
from fmar.publish import formats
from fmar.publish.facts import AnswerNote, ChangeRow, TimedNote
from fmar.publish.ledger import change_of
from fmar.publish.overview import Overview
from fmar.publish.site_url import absolute, tag_uri
from fmar.publish.urls import API_ROOT, application_url, change_url, docs_url, download_url, page_url, relative
from fmar.signing.records import iso

#: The most entries in one Atom feed (the newest changes).
FEED_LIMIT = 200
#: Entries in an FSP's feed: each FSP has one (hundreds at national scale), so fewer, enough for a
#: reader that looks at least daily.
FSP_FEED_LIMIT = 30
#: Each kind of feed's title, by its folder (the file name without ``.atom`` in place of {}).
_TITLES = {
    "all.atom": "fmar registry: all changes",
    "so": "fmar registry: changes for system operator {}",
    "product": "fmar registry: changes for product {}",
    "fsp": "fmar registry: changes to the units and applications of FSP {}",
}
#: How many changed fields an entry's summary names.
_FIELDS_SHOWN = 5


def feeds(overview: Overview, site_url: str | None = None, bulk: str | None = None) -> dict[str, bytes]:
    """Feed file name (under ``feeds/``) -> Atom document, newest change first.

    ``site_url``: where the site is served (``site_url.normalise``d), for absolute links; ``bulk``:
    where the bulk files are published, when not on the site (entries of records no longer in the
    registry link changes.csv)."""
    ledger = overview.ledger
    newest = len(ledger) - 1
    # Positions in the ledger (oldest first) of each feed's entries, newest first.
    picked: dict[str, list[int]] = {"all.atom": list(range(newest, max(-1, newest - FEED_LIMIT), -1))}
    for so in (p.id for p in overview.parties.values() if p.role.is_system_operator):
        picked[f"so/{so}.atom"] = []
    for product in overview.products:
        picked[f"product/{product}.atom"] = []
    fsps = overview.portfolios
    for fsp in fsps:
        picked[f"fsp/{fsp}.atom"] = []
    owner = {facts.unit: fsp for fsp, group in fsps.items() for facts in group}
    fsp_of = [owner.get(group, "") for group in ledger.group]
    for folder, column in (("so", ledger.so), ("product", ledger.product), ("fsp", fsp_of)):
        positions: dict[str, list[int]] = defaultdict(list)
        for at, value in enumerate(column):
            if value:
                positions[value].append(at)
        limit = FSP_FEED_LIMIT if folder == "fsp" else FEED_LIMIT
        for value, found in positions.items():
            picked[f"{folder}/{value}.atom"] = found[: -limit - 1 : -1]
    # The transitions time made alone (no record, so no ledger row), newest first, per feed.
    timed = sorted(((n, f.unit) for f in overview.facts.values() for n in f.timed), key=_timed_order, reverse=True)
    timed_picked: dict[str, list[tuple[TimedNote, str]]] = defaultdict(list, {"all.atom": timed[:FEED_LIMIT]})
    for note, unit in timed:
        for name in (f"so/{note.so}.atom", f"product/{note.product}.atom", f"fsp/{owner.get(unit, '')}.atom"):
            limit = FSP_FEED_LIMIT if name.startswith("fsp/") else FEED_LIMIT
            if name in picked and len(timed_picked[name]) < limit:
                timed_picked[name].append((note, unit))
    said = Said(overview, bulk)
    entries: dict[int, dict[str, Any]] = {}  # said once, however many feeds list it

    def entry(at: int) -> dict[str, Any]:
        if at not in entries:
            row = change_of(ledger.lines[at], ledger.so[at], ledger.product[at], ledger.unit[at])
            entries[at] = said.entry(row, ledger.group[at], site_url)
        return entries[at]

    as_of = iso(overview.as_of)
    out = {}
    for name, found in sorted(picked.items()):
        rel = f"{API_ROOT}/feeds/{name}"
        limit = FSP_FEED_LIMIT if name.startswith("fsp/") else FEED_LIMIT
        timed_entries = [_timed_entry(n, u, site_url) for n, u in timed_picked[name]]
        listed = _newest([entry(at) for at in found], timed_entries, limit)
        title = _TITLES[name.partition("/")[0]].format(name.rpartition("/")[2][:-5])
        listed = [{**e, "link": _href(e["link"], rel, site_url)} for e in listed]
        out[name] = formats.atom_bytes(
            tag_uri(site_url, "feed", *name[:-5].split("/")),
            title,
            _latest(as_of, listed),
            absolute(site_url, rel) if site_url else rel.rpartition("/")[2],
            listed,
            alternate=_href(_feed_page(overview, name), rel, site_url),
        )
    return out


def _timed_order(item: tuple[TimedNote, str]) -> tuple[datetime, str, str]:
    note, _ = item
    return datetime.fromisoformat(note.at), note.application, note.rule


def _newest(
    changes: list[dict[str, Any]], timed: list[dict[str, Any]], limit: int = FEED_LIMIT
) -> list[dict[str, Any]]:
    """The ``limit`` newest of a feed's changes and transitions made by time (each newest first)."""
    if not timed:
        return changes
    merged = sorted([*changes, *timed], key=lambda e: datetime.fromisoformat(e["updated"]), reverse=True)
    return merged[:limit]


#: What a transition time made alone says, by its rule (``core.workflow.transitions``).
_TIMED_TITLES = {
    "validity_ended": "The qualification of {unit} for {product} expired",
    "information_not_supplied": "{unit}'s application for {product} was deemed withdrawn",
    "acknowledgement_target_missed": "{so} missed its target to acknowledge {unit}'s application for {product}",
    "decision_target_missed": "{so} missed its target to decide {unit}'s application for {product}",
}


def _timed_entry(note: TimedNote, unit: str, site_url: str | None) -> dict[str, Any]:
    """The entry of a transition time made alone (its ``link`` a site path, as ``Said.entry``'s)."""
    title = _TIMED_TITLES.get(note.rule, "{unit} for {product}: " + note.rule.replace("_", " ")).format(
        unit=unit, product=note.product, so=note.so
    )
    return {
        "id": tag_uri(site_url, "transition", note.application, note.rule, note.at),
        "title": title,
        "updated": note.at,
        "author": "fmar registry",
        "link": application_url(unit, note.application),
        "link_type": "text/html",
        "summary": (
            f"{note.detail} (application {note.application}; status {note.status.replace('_', ' ')}). "
            f"No record was added: time alone made this change ({note.rule})."
        ),
    }


def _href(url: str, feed: str, site_url: str | None) -> str:
    """``url`` (a site path, with or without a leading ``/``, or an absolute URL) as the feed at site
    file ``feed`` links it."""
    return absolute(site_url, url) if site_url else relative(url.lstrip("/"), feed)


def _latest(as_of: str, entries: list[dict[str, Any]]) -> str:
    """The feed's updated time: the as-of time, or a later entry's (a build as of an earlier time
    still lists the changes recorded since)."""
    moments = [(datetime.fromisoformat(t), t) for t in (as_of, *(e["updated"] for e in entries))]
    return max(moments)[1]


def _feed_page(overview: Overview, name: str) -> str:
    """The page a feed is the changes of: the SO's or the product's, else the site's home page."""
    folder, _, stem = name[:-5].partition("/")
    if folder in ("so", "fsp") and stem in overview.parties:
        return page_url("party", stem)
    if folder == "product" and stem in overview.products:
        return page_url("product", stem)
    return "/"


class Said:
    """What the entries of the feeds and the home page's recent changes say: a change in words, and
    where its record is shown."""

    def __init__(self, overview: Overview, bulk: str | None = None) -> None:
        self.overview = overview
        self.bulk = bulk
        self._notes: dict[str, dict[str, AnswerNote]] = {}

    def note(self, unit: str, record_id: str) -> AnswerNote | None:
        if unit not in self._notes:
            facts = self.overview.facts.get(unit)
            self._notes[unit] = {n.id: n for n in facts.notes} if facts else {}
        return self._notes[unit].get(record_id)

    def told(self, row: ChangeRow, group: str = "") -> tuple[str, str, str]:
        """The change of ``row`` as a short title, a fuller summary and where its record is shown
        (a site path)."""
        unit = row.unit or group
        note = self.note(unit, row.id) if unit and row.kind in ("outcome", "event") else None
        title, summary = self.words(row, unit, note)
        return title, summary, self.link(row, unit, note)[0]

    def entry(self, row: ChangeRow, group: str, site_url: str | None) -> dict[str, Any]:
        """The entry of ``row`` (its ``link`` a site path; the caller makes it the feed's)."""
        unit = row.unit or group
        note = self.note(unit, row.id) if unit and row.kind in ("outcome", "event") else None
        title, summary = self.words(row, unit, note)
        link, link_type = self.link(row, unit, note)
        return {
            "id": tag_uri(site_url, "change", row.commit or "signed", row.kind, row.id, row.action),
            "title": title,
            "updated": row.recorded_at,
            "author": row.signer,
            "link": link,
            "link_type": link_type,
            "summary": summary,
        }

    def link(self, row: ChangeRow, unit: str, note: AnswerNote | None) -> tuple[str, str]:
        """Where the change's record is shown (its page, its application's section of its unit's
        page, the process catalogue), else changes.csv; and that link's media type."""
        overview = self.overview
        if row.kind == "process":
            return docs_url("catalogue"), "text/html"
        shown = {
            "market_unit": unit in overview.facts,
            "application": unit in overview.facts,
            "outcome": unit in overview.facts and note is not None,
            "event": unit in overview.facts and note is not None,
            "product": row.id in overview.products,
            "party": row.id in overview.parties,
        }
        if shown.get(row.kind):
            url = application_url(unit, note.application) if note else change_url(row.kind, row.id, unit)
            if url:
                return url, "text/html"
        return download_url("changes.csv", self.bulk), "text/csv"

    def words(self, row: ChangeRow, unit: str, note: AnswerNote | None) -> tuple[str, str]:
        """A short title and a fuller summary of the change."""
        who, kind, product = row.signer, row.kind.replace("_", " "), row.product or "its product"
        facts = self.overview.facts.get(unit) if unit else None
        named = f"{unit} ({facts.name})" if facts else unit
        if row.action == "removed":
            title = f"{who} removed {kind} {row.id}"
            what = f"{who} removed the {kind} {row.id} from the registry"
        elif note is not None and row.action == "added":
            title, what = _answer(who, unit, named, product, row, note)
        elif row.kind == "application" and row.action == "added":
            title = f"{who} applied to {row.so} for {unit} ({product})"
            what = f"{who} applied to {row.so} to qualify {named} for {product} (application {row.id})"
        elif row.kind == "market_unit" and row.action == "added":
            title = f"{who} registered {unit}"
            what = f"{who} registered the Market Unit {named}"
        elif row.kind in ("outcome", "event", "application") and unit:
            title = f"{who} {row.action} {kind} {row.id} of {unit}"
            what = f"{who} {row.action} the {kind} {row.id} of {named} for {product}"
        else:
            verb = "added" if row.action == "added" else "updated"
            name = self.name_of(row)
            title = f"{who} {verb} {kind} {row.id}"
            what = f"{who} {verb} the {kind} {row.id}" + (f" ({name})" if name else "")
        return title, f"{what}{_changed(row)}. {_recorded(row)}"

    def name_of(self, row: ChangeRow) -> str:
        """The name of the record of ``row`` ("" when it has none or is gone)."""
        overview = self.overview
        if row.kind == "market_unit":
            facts = overview.facts.get(row.id)
            return facts.name if facts else ""
        tables: dict[str, dict[str, Any]] = {
            "product": overview.products,
            "party": overview.parties,
            "process": overview.processes,
        }
        record = tables.get(row.kind, {}).get(row.id)
        return str(getattr(record, "name", "") or "")


#: An outcome or event in words, by its result or type: a title ({unit} its id) and a summary
#: ({unit} its id and name); {until}: an outcome's end of validity or an information request's deadline.
_ANSWER = {
    "qualified": "{who} qualified {unit} for {product}{until}",
    "conditionally_qualified": "{who} conditionally qualified {unit} for {product}{until}",
    "failed": "{who} did not qualify {unit} for {product}",
    "acknowledged": "{who} acknowledged the application of {unit} for {product}",
    "information_requested": "{who} asked for more information on {unit} for {product}{until}",
    "information_supplied": "{who} supplied information on {unit} for {product}",
    "withdrawn": "{who} withdrew {unit} from {product}",
    "suspended": "{who} suspended {unit} for {product}",
    "reinstated": "{who} reinstated {unit} for {product}",
    "revoked": "{who} revoked the qualification of {unit} for {product}",
}


def _answer(who: str, unit: str, named: str, product: str, row: ChangeRow, note: AnswerNote) -> tuple[str, str]:
    """The title and summary of the addition of an outcome or event."""
    template = _ANSWER.get(note.what, "{who} recorded " + note.what.replace("_", " ") + " for {unit} ({product})")
    by = " by " if row.kind == "event" else " until "
    short = f"{by}{_day(note.until)[:10]}" if note.until else ""  # the date alone in the title
    until = f"{by}{_day(note.until)}" if note.until else ""
    title = template.format(who=who, unit=unit, product=product, until=short)
    what = template.format(who=who, unit=named, product=product, until=until)
    if row.kind == "outcome" and note.what != "failed":
        what += f", {_kw(note.up_kw)} up and {_kw(note.down_kw)} down"
    return title, f"{what} ({row.kind} {row.id} of application {note.application})"


def _changed(row: ChangeRow) -> str:
    """The fields a modification changed, the first few named."""
    fields = row.fields.split()
    if row.action != "modified" or not fields:
        return ""
    shown = ", ".join(fields[:_FIELDS_SHOWN])
    more = f" and {len(fields) - _FIELDS_SHOWN} more" if len(fields) > _FIELDS_SHOWN else ""
    return f": changed {shown}{more}"


def _recorded(row: ChangeRow) -> str:
    where = f" in commit {row.commit[:12]}" if row.commit else " (signed, not yet committed)"
    return f"Recorded {_day(row.recorded_at)}{where}; signed by {row.signer}."


def _day(moment: str) -> str:
    """An ISO 8601 time as a reader wants it, in London: the date alone at the start or end of a
    London day, else date, time and zone (``gb_time.shown``)."""
    return gb_time.shown(moment)


def _kw(value: float) -> str:
    return f"{value:,.0f} kW" if value == int(value) else f"{value:,.2f} kW"


__all__ = ["FEED_LIMIT", "feeds"]
