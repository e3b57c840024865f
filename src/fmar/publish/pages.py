"""Per-record pages and list pages, rendered by jinja2 outside the mkdocs navigation.

They share mkdocs-material's built stylesheet, so they look like the rest of the site, and
a light header instead of the full navigation, so each page costs the same at any scale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fmar.core import gb_time
from fmar.core.model import MarketUnit
from fmar.publish import fragments
from fmar.publish.formats import compact_json, templates
from fmar.publish.fragments import status_label
from fmar.publish.shell import Shells
from fmar.publish.site_url import absolute
from fmar.publish.urls import API_ROOT, PAGE_FOLDER, PAGE_ROOT, download_url, from_page, page_url, relative

PAGE_SIZE = 500
_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Meta:
    """What the pages need from the build: the frame of every page, commit link base, list page size and
    site URL.

    Not the head commit nor the as-of time: only the home page and index.json show those, so
    record and list pages keep their bytes from build to build while their content stands."""

    shells: Shells
    commit_url: str | None = None
    #: Rows of a list page, entries of a filter index page.
    page_size: int = PAGE_SIZE
    #: Where the site is served (``fmar build --site-url``, ``site_url.normalise``d: ends with
    #: ``/``), for what must be absolute (``<link rel="canonical">``); None when not told.
    site_url: str | None = None
    #: Where the bulk files are published when not on the site (``fmar build --bulk-url``, the tag
    #: put in): the pages that link a bulk file (an FSP's, its portfolio) need it; not part of the
    #: record frame, so the other record pages do not change with every release.
    bulk_url: str | None = None

    def record_frame(self) -> tuple[str, str | None, str | None]:
        """What a record page shows of the build: its frame (by digest), the commit link base and the
        site URL, never the head commit or as-of time (a page key made of this survives a new head)."""
        return self.shells.key, self.commit_url, self.site_url


def environment() -> Any:
    env = templates()
    for name, function in fragments.GLOBALS.items():
        env.globals.setdefault(name, function)
    env.filters.setdefault("status_label", status_label)
    env.filters.setdefault("page", lambda record_id, kind: from_page(page_url(kind, record_id)))
    env.filters.setdefault("list_page", fragments.list_page_name)
    env.filters.setdefault("column_key", column_key)
    env.filters.setdefault("day", gb_time.shown_day)
    env.filters.setdefault("moment", gb_time.shown_time)
    env.filters.setdefault("shown", gb_time.shown)
    return env


def column_key(label: str) -> str:
    """The name of a list column in the unit table's URL state (``?sort=-licence-area``): its label
    in lower case, words joined by ``-``."""
    return "-".join(words(label))


@cache
def _template(name: str) -> Any:
    """A page template, looked up once per process (the environment never reloads templates)."""
    return environment().get_template(name)


def render(
    template: str, meta: Meta, here: str, /, *, title: str, description: str = "", record: bool = False, **context: Any
) -> bytes:
    """The page at site path ``here`` (``units/MU-1.html``), rendered by fmar itself in the frame of its
    folder (``meta.shells``): one folder below the site's root (``urls.PAGE_DEPTH``), its links
    relative (``root``: the way up to the root), so it works at any base path and from ``file://``;
    its canonical link absolute when the build knows the site URL. ``description``: its meta
    description (default: ``title``); ``record``: a record page, in the slim frame the frame script
    completes (``shell.Shells.record``)."""
    content = _template(template).render(meta=meta, title=title, root=PAGE_ROOT, api=API_ROOT, **context)
    canonical = absolute(meta.site_url, here) if meta.site_url else None
    folder = here.partition("/")[0]
    shell = meta.shells.of_record(folder) if record else meta.shells[folder]
    return shell.page(title, description or title, content, canonical).encode()


list_page_name = fragments.list_page_name


def paged(rows: list[Any], size: int) -> Iterable[tuple[int, int, list[Any]]]:
    """(page number, page count, rows of the page), ``size`` rows a page; one empty page for no rows."""
    count = max(1, -(-len(rows) // size))
    for number in range(1, count + 1):
        yield number, count, rows[(number - 1) * size : number * size]


def list_page(
    meta: Meta,
    title: str,
    kind: str,
    columns: list[str],
    rows: list[dict[str, Any]],
    number: int,
    count: int,
    *,
    search: bool = False,
    filters: list[Filter] | None = None,
    bulk: str | None = None,
    chunks: int = 0,
) -> bytes:
    """Page ``number`` of ``count`` of a list of records. ``bulk``: where the bulk files are
    published, when not on the site (the unit table's first page links units.csv); ``chunks``: the
    search index's chunks of units (``search_index``), which the unit table's search and filters read."""
    here = f"{PAGE_FOLDER[kind]}/{list_page_name(number)}"
    return render(
        "list.html",
        meta,
        here,
        title=title if number == 1 else f"{title} (page {number})",
        kind=kind,
        columns=columns,
        rows=rows,
        page=number,
        pages=count,
        search=search,
        filters=filters or [],
        chunks=chunks,
        csv_all=relative(download_url("units.csv", bulk), here),
    )


#: Unit filters of the unit table: (name, label). FSP and licence area are the unit's own (index
#: entry positions in ``OWN``); SO, product and status are each product's, read from the unit's
#: ``PAIRS``: the filter indexes list a unit under each of its values, and the browser reads which
#: go together from ``PAIRS``.
FILTERS = (
    ("fsp", "FSP"),
    ("so", "System operator"),
    ("product", "Product"),
    ("status", "Status"),
    ("area", "Licence area"),
)
#: Index entry positions of the unit's own filter values.
OWN = {"fsp": 2, "area": 3}
#: Index entry position of a unit's (product, SO, status) triples: ``product|so|status`` tokens,
#: space-separated, one per product (its governing status), sorted by product. The unit table's
#: SO, product and status filters must be met by one token (``PAIR_PARTS``); FSP and licence area
#: are the unit's own. Its statuses, SOs, products and status summary are read from them, not
#: carried beside them (at 100,000 units each entry is repeated under five filters).
PAIRS = 4
#: The part of a ``PAIRS`` token each filter compares with.
PAIR_PARTS = {"product": 0, "so": 1, "status": 2}
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,80}")


def filter_values(entry: list[str], name: str) -> list[str]:
    """The values of filter ``name`` a unit's index entry has: its own (``OWN``), or those of its
    products (``PAIRS``), each once, sorted."""
    if name in OWN:
        return [entry[OWN[name]]] if entry[OWN[name]] else []
    part = PAIR_PARTS[name]
    return sorted({token.split("|")[part] for token in entry[PAIRS].split()})


def status_summary(entry: list[str]) -> str:
    """Every product's status of a unit, as its row shows them (``NESO-DC: Qualified; ...``)."""
    pairs = [token.split("|") for token in entry[PAIRS].split()]
    return "; ".join(f"{product}: {status_label(status)}" for product, _, status in pairs) or "no applications"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    key: str
    count: int


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    options: tuple[Option, ...]


def value_key(value: str) -> str:
    """A file-name-safe key for a filter value: the value itself when safe, else ``x-`` and its hex."""
    return value if _SAFE.fullmatch(value) else "x-" + value.encode().hex()[:120]


#: ``value`` as ``formats.json_bytes`` writes it inside a document (compact, keys sorted).
encode = compact_json


def filter_indexes(entries: list[list[str]]) -> tuple[list[Filter], dict[str, bytes]]:
    """The unit filters with their options, and their index files (``<filter>/<key>.json``).

    Each file lists, for one value, the units having it by their place in ``entries`` (sorted by
    id, as the search index's chunks hold them: ``search_index``), so a browser filtering for one
    value reads only that value's numbers and finds each unit in the chunks; a unit's entry is
    not repeated under each of its values."""
    filters, files = [], {}
    for name, label in FILTERS:
        by_value: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(entries):
            for value in filter_values(entry, name):
                by_value[value].append(number)
        options = []
        for value in sorted(by_value):
            listed = by_value[value]
            key = value_key(value)
            files[f"{name}/{key}.json"] = (
                b'{"filter":' + encode(name) + b',"units":' + encode(listed) + b',"value":' + encode(value) + b"}\n"
            )
            shown = status_label(value) if name == "status" else value
            options.append(Option(value, shown, key, len(listed)))
        filters.append(Filter(name, label, tuple(options)))
    return filters, files


def data_script(name: str, document: bytes) -> bytes:
    """A data file of the site's script (``name``: its site path without ``.js``) holding ``document``
    (JSON): ``fmarData("<name>",<document>);``. A script, not a JSON file, because browsers refuse to
    fetch files from a page opened from ``file://`` but do run its scripts."""
    return b"fmarData(" + encode(name) + b"," + document.rstrip(b"\n") + b");\n"


def words(text: str) -> list[str]:
    return [w for w in _WORD.split(text.lower()) if w]


def pair_token(product: str, so: str, status: str) -> str:
    """A unit's governing status for one product as its index entry lists it (``PAIRS``)."""
    return f"{product}|{so}|{status}"


def unit_entry(unit: MarketUnit, pairs: list[str]) -> list[str]:
    """A unit as the search and filter indexes carry it: id, name, FSP, licence area (``OWN``) and
    its ``pair_token`` per product (``PAIRS``)."""
    return [unit.id, unit.name, unit.fsp, str(unit.licence_area), " ".join(pairs)]


def search_entry(unit: MarketUnit, pairs: list[str]) -> str:
    """A unit as the site's search and the unit table find it (``search_index``), a line of
    tab-separated fields: id, name, FSP, the categories of its assets (the technologies), the
    products it applied for, its licence area, and its ``pair_token`` per product (``PAIRS``)."""
    technologies = sorted({str(asset.category) for asset in unit.composition.assets})
    products = [token.split("|")[0] for token in pairs]
    fields = [unit.id, unit.name, unit.fsp, " ".join(technologies), " ".join(products), str(unit.licence_area)]
    fields.append(" ".join(pairs))
    return "\t".join(_ONE_LINE.sub(" ", field) for field in fields)


_ONE_LINE = re.compile(r"[\t\n\r\u2028\u2029]")

#: Units a chunk of the search index holds: the site's search loads every chunk, in parallel, on the
#: first query (a national registry's 100,000 units in 10 files).
SEARCH_CHUNK = 10_000


def search_index(units: list[str], others: list[list[str]], chunk: int = SEARCH_CHUNK) -> dict[str, bytes]:
    """The site search's index files (``search/units-N.json``, ``search/pages.json``): the units
    (``search_entry`` lines, by id) in chunks of ``chunk``, each chunk one string of lines (a browser
    reads one string far faster than 10,000 small arrays, and searches it whole), and every other
    thing to find (each ``[kind, id, title, words, site path]``: products, parties, documentation
    pages)."""
    chunks = [units[start : start + chunk] for start in range(0, len(units), chunk)] or [[]]
    files = {
        f"units-{number}.json": b'{"units":' + encode("\n".join(part)) + b"}\n" for number, part in enumerate(chunks, 1)
    }
    files["pages.json"] = b'{"chunks":%d,"pages":' % len(chunks) + encode(others) + b"}\n"
    return files


def unit_row(entry: list[str]) -> dict[str, Any]:
    """A unit table row from its index entry."""
    return {
        "id": entry[0],
        "name": entry[1],
        "cells": [entry[2], entry[3], status_summary(entry)],
    }
