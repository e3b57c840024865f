"""HTML fragments every record page repeats (links, status badges, the timeline), built in Python.

A jinja2 macro call costs tens of microseconds and a timeline has one row per version of every
related record, so these are plain functions, registered as template globals: each escapes
every value it interpolates and returns ``Markup``, which the templates insert as it is. Links to
parties and status badges repeat on most pages, so they are kept (``Markup`` is immutable).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from fmar.core import gb_time
from fmar.core.status import Status
from fmar.publish.documents import HistoryEntry, RecordDoc, RecordEntry
from fmar.publish.urls import api_url, application_url, from_page, page_url

_DASH = "—"


@lru_cache(maxsize=4096)
def record_link(kind: str, record_id: str, text: str | None = None) -> Markup:
    """``<a>`` to a record's page, showing ``text`` (or the id)."""
    return Markup(f'<a href="{escape(from_page(page_url(kind, record_id)))}">{escape(text or record_id)}</a>')


@lru_cache(maxsize=4096)
def application_link(unit: str, application: str) -> Markup:
    """``<a>`` to an application's section of its unit's page."""
    return Markup(f'<a href="{escape(from_page(application_url(unit, application)))}">{escape(application)}</a>')


def commit_link(commit: str | None, commit_url: str | None) -> Markup:
    """A commit's short id, linked to ``commit_url + commit`` when the site has a commit URL."""
    if not commit:
        return Markup(_DASH)
    if commit_url:
        return Markup(f'<a href="{escape(commit_url + commit)}"><code>{escape(commit[:10])}</code></a>')
    return Markup(f"<code>{escape(commit[:10])}</code>")


def source_url(commit_url: str | None, commit: str | None, path: str) -> str | None:
    """Where a record's signed file is shown as of ``commit``, when the site's commit URL is a
    GitHub-style one (``https://github.com/OWNER/REPO/commit/``: the file is at
    ``.../blob/<commit>/<path>``); else None."""
    if not commit_url or not commit or not commit_url.endswith("/commit/"):
        return None
    return f"{commit_url.removesuffix('commit/')}blob/{commit}/{path}"


def link(url: str | None, text: str | None = None) -> Markup:
    """An outside link (http and https only, ``nofollow``); any other address is shown as text."""
    shown = text or url or ""
    if url and url.startswith(("https://", "http://")):
        return Markup(f'<a href="{escape(url)}" rel="nofollow noopener">{escape(shown)}</a>')
    return escape(shown)


def status_label(status: str) -> str:
    """How a status (its value) is shown."""
    return Status(status).label


@lru_cache(maxsize=64)
def status_badge(status: str) -> Markup:
    return Markup(f'<span class="fmar-status fmar-status--{escape(status)}">{escape(status_label(status))}</span>')


def timeline(history: Iterable[HistoryEntry], commit_url: str | None) -> Markup:
    """The ordered list of versions (``history`` entries of a record document), oldest first."""
    parts = ['<ol class="fmar-timeline">\n']
    for h in history:
        at = h.at
        signer = record_link("party", h.signer) if h.signer else _DASH
        parts.append(
            f'  <li><time datetime="{escape(at)}">{escape(gb_time.shown_time(at))}</time>\n'
            f"    {escape(h.action)} {escape(h.kind.replace('_', ' '))} <code>{escape(h.id)}</code>\n"
            f"    signed by {signer} · commit {commit_link(h.commit, commit_url)}\n"
        )
        if h.fields:
            changed = ", ".join(f"<code>{escape(f)}</code>" for f in h.fields)
            parts.append(f"<br><small>changed: {changed}</small>")
        parts.append("</li>\n")
    parts.append("</ol>\n")
    return Markup("".join(parts))


def signature(doc: RecordDoc, commit_url: str | None) -> Markup:
    """Who signed a record document's record and when, when it was recorded, its JSON and its
    signed file (``source_url``)."""
    recorded = doc.recorded
    source = source_url(commit_url, recorded.commit, doc.path)
    signed = f' · <a href="{escape(source)}">signed file</a>' if source else ""
    signed_at, recorded_at = (gb_time.shown_time(at, seconds=True) for at in (doc.signed_at, recorded.at))
    return Markup(
        f'<p class="fmar-signature">Signed by {record_link("party", doc.signer)} at {escape(signed_at)}\n'
        f"; recorded {escape(recorded_at)}\n"
        f"(commit {commit_link(recorded.commit, commit_url)}). "
        f'<a href="{escape(from_page(api_url(doc.kind, doc.id)))}">JSON</a>{signed}</p>\n'
    )


def recorded(entry: RecordEntry, commit_url: str | None) -> Markup:
    """When a record of a unit's document (the unit, an application, an outcome or event) was
    recorded, who signed it and the commit (its signed file is in the repository at that commit)."""
    at = entry.recorded.at
    imported = entry.imported
    origin = (
        f"imported: first recorded {escape(gb_time.shown_time(imported.at))} in {escape(imported.source)}, attested "
        f"by {escape(imported.attested_by)} ({escape(imported.attestation)}); entered this registry "
        if imported is not None
        else "recorded "
    )
    return Markup(
        f'<small class="fmar-recorded">{origin}{escape(gb_time.shown_time(at))} by {escape(entry.signer)}'
        f", commit {commit_link(entry.recorded.commit, commit_url)}</small>"
    )


def table_rows(kind: str, rows: Iterable[dict[str, Any]]) -> Markup:
    """The ``<tr>`` of each row of a list page: a link to the record, its name and its cells (one
    call per page instead of a dozen template nodes per row). The unit table's search and filters
    read the site's index, not the rows."""
    parts = []
    for row in rows:
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row["cells"])
        link = f'<a href="{escape(from_page(page_url(kind, row["id"])))}">{escape(row["id"])}</a>'
        parts.append(f"<tr>\n<td>{link}</td><td>{escape(row['name'])}</td>{cells}\n</tr>\n")
    return Markup("".join(parts))


def list_page_name(number: int) -> str:
    """The file of page ``number`` of a paged list."""
    return "index.html" if number == 1 else f"page-{number}.html"


def page_links(page: int, pages: int) -> Markup:
    """Links to every page of a paged list, the current one in bold."""
    return Markup(
        "".join(
            f"<strong>{n}</strong> " if n == page else f'<a href="{list_page_name(n)}">{n}</a> '
            for n in range(1, pages + 1)
        )
    )


#: The template globals this module provides.
GLOBALS = {
    "record_link": record_link,
    "application_link": application_link,
    "commit_link": commit_link,
    "status_badge": status_badge,
    "link": link,
    "timeline": timeline,
    "signature": signature,
    "recorded": recorded,
    "table_rows": table_rows,
    "page_links": page_links,
}
