"""The site's lists: the paged tables of units, products and parties, and the filter and search
indexes the unit table uses. A page is rendered only when its rows (or the frame) changed."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fmar.publish import pages
from fmar.publish.output import Staging, digest
from fmar.publish.overview import Overview
from fmar.validation.cache import source_digest


def templates_digest() -> str:
    """Changes with the content of any template or static file of the site (``source_digest``)."""
    base = Path(__file__).parent
    files = [p for folder in ("templates", "static") for p in (base / folder).rglob("*") if p.is_file()]
    files.append(base / "fragments.py")  # the HTML fragments (links, badges, timeline) the templates call
    return source_digest(files)


def put_page(staging: Staging, rel: str, render: Callable[[], bytes], *inputs: Any) -> None:
    """Render ``rel`` only when its inputs differ from the previous build's."""
    key = digest("page", templates_digest(), rel, repr(inputs))
    if not staging.is_current(rel, key):
        staging.put(rel, render(), key)


def write_lists(staging: Staging, overview: Overview, meta: pages.Meta) -> None:
    """The unit, product and party tables, and the unit table's filter and search indexes."""
    units = list(overview.units())
    entries = [list(facts.entry) for facts in units]
    encoded = [facts.entry_json for facts in units]
    filters, indexes = pages.filter_indexes(entries, meta.page_size, encoded)
    for rel, data in indexes.items():
        staging.put(f"filters/{rel}", data)
    for shard, data in pages.search_shards(entries, encoded, [facts.shards for facts in units]).items():
        staging.put(f"search/{shard}", data)
    columns = ["Unit", "Name", "FSP", "Licence area", "Status by product"]
    title = "Market Units and qualifications"
    _list(staging, meta, "units", title, "market_unit", columns, entries, filters, pages.unit_row)
    summaries = overview.product_summaries
    product_rows = [
        {
            "id": p.id,
            "name": p.name,
            "data": {},
            "cells": [p.so, str(p.service), str(summaries[p.id].units if p.id in summaries else 0)],
        }
        for p in sorted(overview.products.values(), key=lambda p: p.id)
    ]
    _list(
        staging,
        meta,
        "products",
        "Products",
        "product",
        ["Product", "Name", "SO", "Service", "Qualified units"],
        product_rows,
    )
    party_rows = [
        {"id": p.id, "name": p.name, "data": {}, "cells": [str(p.role), str(len(overview.units_by_fsp.get(p.id, ())))]}
        for p in sorted(overview.parties.values(), key=lambda p: p.id)
    ]
    _list(staging, meta, "parties", "Parties", "party", ["Party", "Name", "Role", "Units"], party_rows)


def _list(
    staging: Staging,
    meta: pages.Meta,
    folder: str,
    title: str,
    kind: str,
    columns: list[str],
    rows: list[Any],
    filters: list[pages.Filter] | None = None,
    row: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    """A paged list of records; a page is rendered only when its rows (or the frame) changed.

    ``row``: makes a table row of an item of ``rows`` (called only for the pages rendered)."""
    for number, count, chunk in pages.paged(rows, meta.page_size):
        # Search and filters live on the first page, so the others change only with their rows.
        search = filters is not None and number == 1
        put_page(
            staging,
            f"{folder}/{pages.list_page_name(number)}",
            partial(_list_page, meta, title, kind, columns, chunk, row, number, count, search, filters or []),
            meta,
            title,
            columns,
            number,
            count,
            chunk,
            filters if search else None,
        )


def _list_page(
    meta: pages.Meta,
    title: str,
    kind: str,
    columns: list[str],
    chunk: list[Any],
    row: Callable[[Any], dict[str, Any]] | None,
    number: int,
    count: int,
    search: bool,
    filters: list[pages.Filter],
) -> bytes:
    rows = list(map(row, chunk)) if row else chunk
    return pages.list_page(meta, title, kind, columns, rows, number, count, search=search, filters=filters)


__all__ = ["put_page", "templates_digest", "write_lists"]
