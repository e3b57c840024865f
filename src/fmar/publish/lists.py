"""The site's lists: the paged tables of units, products and parties, and the filter and search
indexes the unit table uses. A page is rendered only when its rows (or the frame) changed."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fmar.core import gb_time
from fmar.publish import pages
from fmar.publish.output import Staging, digest
from fmar.publish.overview import Overview
from fmar.publish.urls import SEARCH_FOLDER, page_url, search_url
from fmar.signing.records import iso
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


def write_lists(
    staging: Staging, overview: Overview, meta: pages.Meta, docs: list[list[str]], bulk: str | None = None
) -> None:
    """The unit, product and party tables, the unit table's filter and search indexes, and the site's
    search page and index (``docs``: the documentation pages, ``docs_site.search_page``). ``bulk``:
    where the bulk files are published, when not on the site (``urls.download_url``)."""
    units = list(overview.units())
    chunks = write_search(staging, overview, meta, [facts.search for facts in units], docs)
    entries = [list(facts.entry) for facts in units]
    filters, indexes = pages.filter_indexes(entries)
    for rel, data in indexes.items():
        _put_data(staging, f"filters/{rel}", data)
    # The build's as-of time for the site's script (an SO page's days overdue): the one data
    # script that changes with every as-of time, as index.json does.
    _put_data(
        staging,
        "build.json",
        pages.encode(
            {"as_of": iso(overview.as_of), "as_of_shown": gb_time.shown_time(overview.as_of), "commit": overview.head}
        )
        + b"\n",
    )
    columns = ["Unit", "Name", "FSP", "Licence area", "Status by product"]
    title = "Market Units and qualifications"
    _list(staging, meta, "units", title, "market_unit", columns, entries, filters, pages.unit_row, bulk, chunks)
    summaries = overview.product_summaries
    product_rows = [
        {
            "id": p.id,
            "name": p.name,
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
        {"id": p.id, "name": p.name, "cells": [str(p.role), str(len(overview.units_by_fsp.get(p.id, ())))]}
        for p in sorted(overview.parties.values(), key=lambda p: p.id)
    ]
    _list(staging, meta, "parties", "Parties", "party", ["Party", "Name", "Role", "Units"], party_rows)


def write_search(
    staging: Staging, overview: Overview, meta: pages.Meta, units: list[str], docs: list[list[str]]
) -> int:
    """The search page (``urls.search_url``) and its index (``pages.search_index``): every unit,
    product, party and documentation page. Returns the number of the index's chunks of units, which
    the unit table reads too."""
    others = [
        *(
            ["product", p.id, p.name, f"{p.so} {p.service}", page_url("product", p.id)]
            for p in overview.products.values()
        ),
        *(["party", p.id, p.name, str(p.role), page_url("party", p.id)] for p in overview.parties.values()),
        *docs,
    ]
    files = pages.search_index(units, sorted(others, key=lambda entry: (entry[0], entry[1])))
    for name, data in files.items():
        _put_data(staging, f"{SEARCH_FOLDER}/{name}", data)
    chunks = len(files) - 1
    put_page(
        staging,
        search_url(),
        partial(pages.render, "search.html", meta, search_url(), title="Search", chunks=chunks),
        meta,
        chunks,
    )
    return chunks


def _put_data(staging: Staging, rel: str, document: bytes) -> None:
    """An index (``<name>.json`` as made) as the data script ``<name>.js`` (``pages.data_script``)."""
    name = rel.removesuffix(".json")
    staging.put(f"{name}.js", pages.data_script(name, document))


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
    bulk: str | None = None,
    chunks: int = 0,
) -> None:
    """A paged list of records; a page is rendered only when its rows (or the frame) changed.

    ``row``: makes a table row of an item of ``rows`` (called only for the pages rendered);
    ``chunks``: the search index's chunks of units, which the unit table's search and filters read."""
    for number, count, chunk in pages.paged(rows, meta.page_size):
        # Search, filters and the CSV link live on the first page, so the others change only with their rows.
        search = filters is not None and number == 1
        put_page(
            staging,
            f"{folder}/{pages.list_page_name(number)}",
            partial(
                _list_page, meta, title, kind, columns, chunk, row, number, count, search, filters or [], bulk, chunks
            ),
            meta,
            title,
            columns,
            number,
            count,
            chunk,
            (filters, bulk, chunks) if search else None,
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
    bulk: str | None,
    chunks: int,
) -> bytes:
    rows = list(map(row, chunk)) if row else chunk
    return pages.list_page(
        meta, title, kind, columns, rows, number, count, search=search, filters=filters, bulk=bulk, chunks=chunks
    )


__all__ = ["put_page", "templates_digest", "write_lists"]
