"""The frame of the pages fmar renders itself: mkdocs-material's page (header, site navigation, palette
toggle, footer) around their content, so that every page of the site has one look.

``docs_site.build_shell`` has mkdocs render a placeholder page one folder deep (as every page fmar
renders is, ``urls.PAGE_DEPTH``), in each of their folders, as mkdocs makes a page's links relative
to it; ``Shell`` is that page cut at its content, with placeholders for the title and the description.
"""

from __future__ import annotations

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
    ``parties``), whose relative links differ."""

    by_folder: dict[str, Shell]

    @cached_property
    def key(self) -> str:
        """A digest of every frame: a page made in other frames is made again."""
        return digest(*(f"{folder}:{shell.key}" for folder, shell in sorted(self.by_folder.items())))

    def __getitem__(self, folder: str) -> Shell:
        return self.by_folder[folder]


#: Where the theme's header holds its palette toggle: the site's search box goes before it.
_PALETTE = re.compile(r'<form class="?md-header__option"? data-md-component="?palette"?>')


def with_search(html: str, root: str) -> str:
    """``html`` (a page of the theme) with the site's search box in its header, before the palette
    toggle: a form that opens the search page (``urls.search_url``) from a page ``root`` below the
    site's root (``../`` for a page one folder deep). The theme's own search (lunr, over the
    documentation only) is not used: it cannot find the registry's records, nor work from ``file://``."""
    found = _PALETTE.search(html)
    if found is None:
        raise RuntimeError("the theme's header has no palette toggle to put the search box beside")
    form = (
        f'<form class="fmar-header-search" role="search" action="{root}{search_url()}" method="get">'
        '<label class="md-visually-hidden" for="fmar-header-q">Search the registry</label>'
        '<input id="fmar-header-q" name="q" type="search" autocomplete="off" '
        'placeholder="Search units, products, parties, guides"></form>'
    )
    return html[: found.start()] + form + html[found.start() :]
