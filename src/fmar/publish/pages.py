"""Per-record pages and list pages, rendered by jinja2 outside the mkdocs navigation.

They share mkdocs-material's built stylesheet, so they look like the rest of the site, and
a light header instead of the full navigation, so each page costs the same at any scale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fmar.model import MarketUnit
from fmar.publish.derive import page_url, status_label
from fmar.publish.formats import templates

PAGE_SIZE = 500
_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Meta:
    """What every page shows in its frame: the commit, the as-of time and the stylesheets."""

    commit: str | None
    as_of: str
    css: tuple[str, ...]
    commit_url: str | None = None


def environment() -> Any:
    env = templates()
    env.filters.setdefault("status_label", status_label)
    env.filters.setdefault("page", lambda record_id, kind: page_url(kind, record_id))
    env.filters.setdefault("list_page", lambda n: "index.html" if n == 1 else f"page-{n}.html")
    return env


def render(template: str, meta: Meta, **context: Any) -> bytes:
    page = environment().get_template(template)
    assets = {"css": meta.css}
    return page.render(meta=meta, assets=assets, **context).encode()


def list_pages(
    meta: Meta,
    title: str,
    kind: str,
    columns: list[str],
    rows: list[dict[str, Any]],
    *,
    search: bool = False,
    filters: dict[str, list[str]] | None = None,
) -> dict[str, bytes]:
    """File name (in the kind's folder) -> page, PAGE_SIZE rows a page."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    out = {}
    for number in range(1, pages + 1):
        chunk = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        name = "index.html" if number == 1 else f"page-{number}.html"
        out[name] = render(
            "list.html",
            meta,
            title=title if number == 1 else f"{title} (page {number})",
            kind=kind,
            columns=columns,
            rows=chunk,
            page=number,
            pages=pages,
            search=search,
            filters=filters or {},
        )
    return out


def words(text: str) -> list[str]:
    return [w for w in _WORD.split(text.lower()) if w]


def search_shards(entries: Iterable[list[str]]) -> dict[str, list[list[str]]]:
    """Shard file name -> index entries: by the last 3 digits of the id, and by 3-letter word prefixes."""
    shards: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for entry in entries:
        unit_id, name = entry[0], entry[1]
        digits = re.search(r"([0-9]+)$", unit_id)
        if digits:
            shards[f"id-{digits.group(1)[-3:]}.json"][unit_id] = entry
        for word in set(words(f"{unit_id} {name}")):
            if len(word) >= 3 and word != "mu":
                key = word[:3].encode().hex()
                shards[f"n-{key}.json"][unit_id] = entry
    return {name: [shard[k] for k in sorted(shard)] for name, shard in sorted(shards.items())}


def unit_row(unit: MarketUnit, statuses: list[str], summary: str) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "fsp": unit.fsp,
        "area": str(unit.licence_area),
        "statuses": statuses,
        "cells": [unit.fsp, str(unit.licence_area), summary],
    }
