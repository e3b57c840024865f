"""The document and page of each record: a unit's group (the unit and its applications, in a
worker process) and, once every unit's facts are known, each product and party.

A ``RecordWriter`` holds what that needs and is handed to each worker once (see ``workers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from fmar.core.model import MarketUnit, Party, PartyRole, Product, Record
from fmar.core.status import HOLDING, OPEN
from fmar.core.workflow import portfolio
from fmar.loading.record_file import parse_text
from fmar.loading.text import decode
from fmar.publish import derive, formats, pages
from fmar.publish.charts import histogram
from fmar.publish.derive import Derived, ProductSummary
from fmar.publish.documents import RecordDoc
from fmar.publish.facts import UnitFacts, unit_facts
from fmar.publish.facts import encode as encode_facts
from fmar.publish.fragments import status_label
from fmar.publish.ledger import Row, ledger_row
from fmar.publish.output import Share, Staging, digest
from fmar.publish.overview import Overview
from fmar.publish.urls import api_url, from_page, page_url, portfolio_url, units_view_url

_TEMPLATE = {"market_unit": "unit", "product": "product", "party": "party"}


class UnitsWritten(NamedTuple):
    """What a worker sends back for a chunk of units."""

    #: What it wrote or kept in the staging folder.
    share: Share
    #: Each unit's facts (``facts.encode``).
    facts: list[bytes]
    #: The units' changes as ledger rows.
    rows: list[Row]


@dataclass
class RecordWriter:
    """Writes records' documents and pages into ``staging``."""

    derived: Derived
    #: The repository root (record files are read from it when ``data`` lacks them).
    root: Path
    staging: Staging
    meta: pages.Meta
    #: ``lists.templates_digest()``: part of every page's key.
    templates: str
    #: Path -> JSON of a record's data, for the records this build read.
    data: dict[str, bytes]

    def units(self, units: list[str]) -> UnitsWritten:
        """Each unit's statuses and facts, and the documents and pages of the unit and its
        applications; the staging folder's own manifest is left as it was."""
        (out, rows), share = self.staging.apart(self._units, units)
        return UnitsWritten(share, out, rows)

    def _units(self, units: list[str]) -> tuple[list[bytes], list[Row]]:
        out: list[bytes] = []
        rows: list[Row] = []
        for unit in units:
            facts = unit_facts(self.derived, unit)
            self._group(facts)
            out.append(encode_facts(facts))
            rows.extend(ledger_row(row, unit) for row in facts.changes)
        return out, rows

    def products_and_parties(self, overview: Overview) -> None:
        """Write the document and page of each product and party (they need every unit's facts)."""
        registry = self.derived.registry
        for kind, ids in (("product", registry.products), ("party", registry.parties)):
            for record_id in sorted(ids):
                doc, data, extra = self._document(overview, kind, record_id)
                self._page(kind, record_id, doc, extra, (data, repr(sorted(extra.items()))))

    def _group(self, facts: UnitFacts) -> None:
        """Write the document of a unit, which holds its applications, and the unit's page."""
        doc, data, extra = self._document(None, "market_unit", facts.unit)
        self._page("market_unit", facts.unit, doc, extra, (data,))

    def _raw(self, record: Record) -> dict[str, Any]:
        """The data of ``record`` as its file holds it: as this build read it, else read again."""
        rel = self.derived.registry.path_of(record)
        known = self.data.get(rel)
        if known is not None:
            return orjson.loads(known)
        text, _ = decode((self.root / rel).read_bytes())
        data, _, _ = parse_text(text or "")
        return data or {}

    def _document(
        self, overview: Overview | None, kind: str, record_id: str
    ) -> tuple[RecordDoc, bytes, dict[str, Any]]:
        """Write a record's document; returns it, its bytes and its page's extra context."""
        raw = self._raw(self.derived.registry.table(kind)[record_id])
        doc, extra = self._doc(overview, kind, record_id, raw)
        data = formats.json_bytes(doc)
        self.staging.put(api_url(kind, record_id), data)
        return doc, data, extra

    def _page(
        self,
        kind: str,
        record_id: str,
        doc: RecordDoc,
        extra: dict[str, Any],
        inputs: tuple[bytes | str, ...],
    ) -> None:
        """Write a record's page from ``doc`` and ``extra``: a function of ``inputs`` (the documents
        it shows, and what else made ``extra``), the frame and the templates."""
        staging, meta = self.staging, self.meta
        rel = page_url(kind, record_id)
        key = digest(self.templates, repr(meta.record_frame()), *inputs)
        if not staging.is_current(rel, key):
            record = self.derived.registry.table(kind)[record_id]
            page = pages.render(
                f"{_TEMPLATE[kind]}.html",
                meta,
                rel,
                title=_title(record),
                description=_description(record),
                record=True,
                doc=doc,
                **extra,
            )
            staging.put(rel, page, key)

    def _doc(
        self, overview: Overview | None, kind: str, record_id: str, raw: dict[str, Any]
    ) -> tuple[RecordDoc, dict[str, Any]]:
        """A record's document and its page's extra context; products and parties need the ``overview``."""
        derived = self.derived
        registry = derived.registry
        if kind == "market_unit":
            applications = [
                derive.application_entry(
                    derived,
                    application.id,
                    self._raw(application),
                    [self._raw(item) for item in registry.answers.get(application.id, [])],
                )
                for application in sorted(registry.applications_by_unit.get(record_id, ()), key=lambda a: a.id)
            ]
            unit = derive.unit_doc(derived, registry.units[record_id], raw, applications)
            by_id = {entry.id: entry for entry in applications}
            return unit, {"governing": [by_id[application] for application in unit.products.values()]}
        assert overview is not None, "products and parties are rendered after every unit's facts are known"
        if kind == "product":
            summary = overview.product_summaries.get(record_id) or ProductSummary()
            doc = derive.product_doc(derived, record_id, raw, summary)
            return doc, _product_extra(record_id, summary)
        units = overview.units_by_fsp.get(record_id, [])
        bulk = self.meta.bulk_url
        return derive.party_doc(derived, record_id, raw, len(units), bulk), _party_extra(
            overview, record_id, units, bulk
        )


def write_units(writer: RecordWriter, units: list[str]) -> UnitsWritten:
    """``writer.units(units)``: the job each worker process runs for its chunks."""
    return writer.units(units)


def _title(record: Record) -> str:
    return str(getattr(record, "name", None) or record.id)


def _description(record: Record) -> str:
    """A page's meta description: what the record is, in a sentence."""
    if isinstance(record, MarketUnit):
        return (
            f"Market Unit {record.id} ({record.name}) of {record.fsp} in {record.licence_area}: "
            "its qualification status per product, applications and outcomes."
        )
    if isinstance(record, Product):
        return f"{record.name} ({record.id}), procured by {record.so}: requirements and the units qualified for it."
    if isinstance(record, Party):
        return f"{record.name} ({record.id}), {record.role}: its units, products and applications in the registry."
    return _title(record)


def open_applications(listed: list[dict[str, Any]], as_of: datetime) -> list[dict[str, Any]]:
    """An SO's open applications (``facts.open_doc``) as its page shows them: with ``overdue`` true
    for those whose due time is before the build's as-of time. The page shows the due date and
    marks those overdue, never a count of days, so it changes when an application falls due, not
    with every as-of time (the site's script shows the days overdue as of the build, ``build.js``)."""
    return [{**q, "overdue": q["due"] is not None and datetime.fromisoformat(q["due"]) < as_of} for q in listed]


def _product_extra(product: str, summary: ProductSummary) -> dict[str, Any]:
    """A product's page beside its document: the status breakdown, each count linked to the unit
    table showing those units (``urls.units_view_url``), and the first units holding a qualification."""
    counts = summary.status_counts()
    views = {status: from_page(units_view_url(product=product, status=status)) for status, n in counts.items() if n}
    return {
        "by_technology": sorted(summary.by_technology.items()),
        "by_area": sorted(summary.by_area.items()),
        "status_counts": [(status, n, views.get(status)) for status, n in counts.items()],
        "holders": summary.holders,
        "holding_views": [(status, counts[status], views.get(status)) for status in counts if status in HOLDING],
    }


#: Open applications an SO's page lists (those waiting longest); the unit table shows them all.
OPEN_LISTED = 100


#: Deadlines and expiring qualifications an FSP's page lists (the soonest); its portfolio holds them all.
PORTFOLIO_LISTED = 25


def _party_extra(
    overview: Overview, party_id: str, units: list[tuple[str, str]], bulk: str | None = None
) -> dict[str, Any]:
    party = overview.parties[party_id]
    context: dict[str, Any] = {"so": None, "chart": "", "open_applications": []}
    if party.role.is_system_operator:
        level = overview.service_level(party_id)
        context["so"] = level
        context["chart"] = histogram(level.decision_days, level.decision_target_days, f"Days to decide, {party_id}")
        waiting = overview.open_applications(party_id)
        context["open_applications"] = open_applications(waiting[:OPEN_LISTED], overview.as_of)
        context["open_count"] = len(waiting)
        context["overdue_count"] = sum(1 for q in open_applications(waiting, overview.as_of) if q["overdue"])
        context["open_views"] = [
            (status_label(status), from_page(units_view_url(so=party_id, status=status)))
            for status in sorted(str(s) for s in OPEN)
        ]
    context["units"] = [{"id": unit_id, "name": name} for unit_id, name in units[: pages.PAGE_SIZE]]
    if party.role is PartyRole.FSP:
        context.update(_portfolio_extra(overview, party_id, bulk))
    return context


def _portfolio_extra(overview: Overview, fsp: str, bulk: str | None) -> dict[str, Any]:
    """An FSP's page: its portfolio in figures (the files, linked, hold every row; the unit table
    shows every unit's status by product), the deadlines of its open applications (soonest first,
    those overdue at the build's as-of time marked) and the qualifications expiring within
    ``portfolio.EXPIRING_DAYS`` of it. At national scale an FSP has hundreds of units: a table of
    every unit and product on each FSP's page would take the site past GitHub Pages' 1 GB."""
    rows = [row for facts in overview.portfolios.get(fsp, []) for row in facts.portfolio]
    columns = portfolio.PORTFOLIO_COLUMNS
    counts: dict[str, int] = {}
    at = columns.index("status")
    for row in rows:
        if row[at] is not None:
            counts[row[at]] = counts.get(row[at], 0) + 1
    coming = portfolio.deadlines(rows, overview.as_of)
    ending = portfolio.expiring(rows, overview.as_of)
    # The page shows which are overdue and which expire soon, never how many days: it changes when an
    # application falls due or a qualification comes within the window, not with every as-of time.
    return {
        "portfolio_size": sum(1 for row in rows if row[at] is not None),
        "portfolio_json": from_page(portfolio_url(fsp, "json", bulk)),
        "portfolio_csv": from_page(portfolio_url(fsp, "csv", bulk)),
        "portfolio_zipped": bulk is not None,
        "portfolio_view": from_page(units_view_url(fsp=fsp)),
        "portfolio_counts": sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        "deadlines": [
            {**{k: v for k, v in d.items() if k != "overdue_days"}, "overdue": d["overdue_days"] > 0}
            for d in coming[:PORTFOLIO_LISTED]
        ],
        "deadlines_count": len(coming),
        "expiring": [{k: v for k, v in e.items() if k != "days_left"} for e in ending[:PORTFOLIO_LISTED]],
        "expiring_count": len(ending),
        "expiring_days": portfolio.EXPIRING_DAYS,
    }


__all__ = ["RecordWriter", "UnitsWritten", "write_units"]
