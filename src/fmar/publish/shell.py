"""The frame of the pages fmar renders itself: mkdocs-material's page (header, site navigation, palette
toggle, footer) around their content, so that every page of the site has one look.

``docs_site.build_shells`` has mkdocs render a placeholder page one folder deep (as every page fmar
renders is, ``urls.PAGE_DEPTH``), in each of their folders, as mkdocs makes a page's links relative
to it; ``Shell`` is that page cut at its content, with placeholders for the title and the description.

Record pages (100,000 Market Units at national scale) would repeat eight kilobytes of frame each:
800 MB of a GitHub Pages site's 1 GB. They get the theme's page cut to its header's logo, title and
search box (``theme/fmar-record.html``); the frame script (``frame_script``, published as
``urls.FRAME_SCRIPT``) puts the theme's whole header, navigation, footer and configuration around
them in the browser, cut from the theme's own page (``theme/fmar-frame.html``), before the theme's
script runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property

from markupsafe import escape

from fmar.publish.output import digest
from fmar.publish.urls import search_url

TITLE = "FMARSHELLTITLE"
DESCRIPTION = "FMARSHELLDESCRIPTION"
CONTENT = "<h1>FMARSHELLCONTENT</h1>"


@dataclass(frozen=True)
class Shell:
    """mkdocs-material's page around fmar's own pages (header, site navigation, palette toggle, footer):
    every page of the site has one look. ``head`` runs up to the page's content, ``tail`` from its end;
    both hold the page's title and description as placeholders (``page``)."""

    head: str
    tail: str

    @cached_property
    def key(self) -> str:
        """A digest of the frame: a page made in another frame is made again."""
        return digest(self.head, self.tail)

    def page(self, title: str, description: str, content: str, canonical: str | None = None) -> str:
        """A whole page: ``title`` and ``description`` are plain text (escaped here), ``content`` HTML;
        ``canonical``: the page's absolute URL, for ``<link rel="canonical">``."""
        head = self.head.replace(TITLE, str(escape(title))).replace(DESCRIPTION, str(escape(description)))
        if canonical:
            head = head.replace("</head>", f'<link rel="canonical" href="{escape(canonical)}">\n</head>', 1)
        return head + content + self.tail.replace(TITLE, str(escape(title)))


@dataclass(frozen=True)
class Shells:
    """The frame of the pages of each folder (``urls.PAGE_FOLDER``: ``units``, ``products``,
    ``parties``; ``urls.SEARCH_FOLDER``), whose relative links differ; ``record``: the slim frame of
    the record pages of any of them, whose links are all one folder up; ``script``: the frame script
    that completes it (``frame_script``)."""

    by_folder: dict[str, Shell]
    record: Shell | None = None
    script: str = ""

    @cached_property
    def key(self) -> str:
        """A digest of every frame: a page made in other frames is made again."""
        record = self.record.key if self.record else ""
        return digest(*(f"{folder}:{shell.key}" for folder, shell in sorted(self.by_folder.items())), record)

    def __getitem__(self, folder: str) -> Shell:
        return self.by_folder[folder]

    def of_record(self, folder: str) -> Shell:
        """The frame of a record page in ``folder``: the slim frame, if there is one."""
        return self.record or self.by_folder[folder]


#: The parts of the theme's page a record page leaves to the frame script, in the order it puts them
#: in place; ``theme/fmar-frame.html`` marks each with ``<!--fmar:NAME-->`` and ``<!--/fmar:NAME-->``.
FRAME_PARTS = ("header", "nav", "footer", "config")

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

#: What the frame script does with the parts (``FRAME_PARTS``), in the reader's browser, as the
#: record page is parsed (the script is the page's last but the theme's): the theme's header in
#: place of the slim one (keeping the page's title), its navigation in the empty sidebar, its footer
#: at the end of the page's container, its configuration (read by the theme's script) in the body.
_FRAME_SCRIPT = """// fmar: the frame of a record page, made by fmar build from mkdocs-material's own page (see
// fmar.publish.shell). A record page carries only the theme's header cut to the site's name, the
// page's title and the search box, and an empty sidebar: this puts the theme's toggles, whole
// header, site navigation, footer and configuration in place before the theme's script (the next
// one on the page) runs.
// The theme's helpers its other scripts use, which its pages define in their <head>:
%(first)s
(function () {
  "use strict";
  var parts = %(parts)s;
  var topic = document.querySelector("header [data-md-component=header-topic]");
  var title = topic ? topic.textContent.trim() : document.title;
  var header = document.querySelector("header[data-md-component=header]");
  if (!header) return;
  header.insertAdjacentHTML("beforebegin", parts.before);
  header.outerHTML = parts.header;
  var shown = document.querySelector("header [data-md-component=header-topic] .md-ellipsis");
  if (shown) shown.textContent = title;
  var nav = document.querySelector("[data-md-component=sidebar][data-md-type=navigation]");
  if (nav) nav.outerHTML = parts.nav;
  var container = document.querySelector("[data-md-component=container]");
  if (container) container.insertAdjacentHTML("beforeend", parts.footer);
  document.body.insertAdjacentHTML("beforeend", parts.dialog + parts.config);
})();
// The theme's own scripts from those parts, run once they are in place.
%(scripts)s
"""


def frame_parts(html: str) -> dict[str, str]:
    """The parts of the theme's page (``html``, rendered from ``theme/fmar-frame.html``) that a record
    page leaves to the frame script, by name (``FRAME_PARTS``)."""
    parts = {}
    for name in FRAME_PARTS:
        start, end = f"<!--fmar:{name}-->", f"<!--/fmar:{name}-->"
        _, found, rest = html.partition(start)
        part, closed, _ = rest.partition(end)
        if not found or not closed:
            raise RuntimeError(f"the theme's frame page has no part {name!r} marked {start} ... {end}")
        parts[name] = part
    return parts


#: What the theme puts between the start of a page's body and its header: the drawer's and search's
#: toggles, the overlay, the skip link's and announcement's places.
_BEFORE_HEADER = re.compile(r"(<body[^>]*>)(.*?)(<header)", re.DOTALL)
#: The theme's dialog (where its script says "copied to clipboard"), after the page's container.
_DIALOG = re.compile(r"<div class=\"?md-dialog\"?[^>]*>.*?</div></div>", re.DOTALL)


def slimmed(record: Shell) -> tuple[Shell, list[str], str, str]:
    """The slim frame of record pages without the theme's inline scripts (its storage helpers in the
    ``<head>``, which only the theme's scripts use, and its tabbed content's, which record pages
    lack), without what it puts before the header (``_BEFORE_HEADER``) and without its dialog
    (``_DIALOG``): those scripts, for the frame script to run first, and those elements, for it to
    put back (``frame_script``)."""
    scripts = [found.strip() for half in (record.head, record.tail) for found in _INLINE_SCRIPT.findall(half)]
    head = _INLINE_SCRIPT.sub("", record.head)
    found = _BEFORE_HEADER.search(head)
    if found is None:
        raise RuntimeError("the theme's record page has no <body> before its <header>")
    head = head[: found.start(2)] + head[found.end(2) :]
    tail = _INLINE_SCRIPT.sub("", record.tail)
    dialog = _DIALOG.search(tail)
    if dialog is None:
        raise RuntimeError("the theme's record page has no dialog")
    tail = tail[: dialog.start()] + tail[dialog.end() :]
    return Shell(head, tail), scripts, found.group(2), dialog.group(0)


def frame_script(
    parts: dict[str, str], first: list[str] | tuple[str, ...] = (), before: str = "", dialog: str = ""
) -> str:
    """The frame script (``assets/fmar/frame.js``): ``parts`` (``frame_parts``, links relative to a
    page one folder below the site's root, as every record page is) put in place in the browser,
    their inline scripts (the palette's) run after; ``first``: scripts run before anything,
    ``before``: the elements put at the start of the body, ``dialog``: the one put at its end
    (``slimmed``)."""
    scripts: list[str] = []
    kept = {}
    for name, part in parts.items():
        if name == "config":  # JSON the theme's script reads, not a script to run
            kept[name] = part.strip()
            continue
        scripts.extend(found.strip() for found in _INLINE_SCRIPT.findall(part))
        kept[name] = _INLINE_SCRIPT.sub("", part).strip()
    kept["before"] = before.strip()
    kept["dialog"] = dialog.strip()
    return _FRAME_SCRIPT % {
        "first": "\n".join(f"{script.rstrip(';')};" for script in first),
        "parts": json.dumps(kept, indent=2, sort_keys=True, ensure_ascii=False),
        "scripts": "\n".join(f"{script.rstrip(';')};" for script in scripts),
    }


#: Where the theme's header holds its palette toggle: the site's search box goes before it.
_PALETTE = re.compile(r'<form class="?md-header__option"? data-md-component="?palette"?>')


def with_search(html: str, root: str, *, compact: bool = False) -> str:
    """``html`` (a page of the theme) with the site's search box in its header, before the palette
    toggle: a form that opens the search page (``urls.search_url``) from a page ``root`` below the
    site's root (``../`` for a page one folder deep). The theme's own search (lunr, over the
    documentation only) is not used: it cannot find the registry's records, nor work from ``file://``.
    ``compact``: the box of the slim frame of record pages, in fewer bytes (the frame script puts the
    theme's header, with the full box, in its place)."""
    found = _PALETTE.search(html)
    if found is None:
        raise RuntimeError("the theme's header has no palette toggle to put the search box beside")
    form = (
        f'<form class="fmar-header-search" role="search" action="{root}{search_url()}">'
        '<input id="fmar-header-q" name="q" type="search" aria-label="Search the registry" placeholder="Search"></form>'
        if compact
        else f'<form class="fmar-header-search" role="search" action="{root}{search_url()}" method="get">'
        '<label class="md-visually-hidden" for="fmar-header-q">Search the registry</label>'
        '<input id="fmar-header-q" name="q" type="search" autocomplete="off" '
        'placeholder="Search units, products, parties, guides"></form>'
    )
    return html[: found.start()] + form + html[found.start() :]
