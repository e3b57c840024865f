"""Where each thing lives on the published site: the one statement of its URL rules.

Every URL here is a *site path*: relative to the site's root, with no leading slash
(``units/MU-1.html``), so the site works wherever it is served: at a host's root, under a
sub-path such as GitHub Pages' ``https://<org>.github.io/<repo>/``, or opened from ``file://``.
A page or document links a site path through ``relative`` (an RFC 3986 relative reference from
the file that holds the link); a standard that needs an absolute URL (the sitemap, Atom feeds,
canonical links) joins the site path to the configured site URL (``site_url.absolute``). Folders are
linked by their ``index.html`` (``list_url``): ``file://`` has no directory index.

Pure and import-light: the lowest layer of ``fmar.publish``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fmar.core.model import Application, Record
from fmar.publish.documents import API_VERSION

#: The folder of the JSON exports (``api/v<N>/``, N the export format's version).
API_ROOT = f"api/v{API_VERSION}"

#: Site folder of each record kind's pages and API documents.
FOLDER = {"market_unit": "units", "application": "applications", "product": "products", "party": "parties"}

#: Site folder of the pages of the record kinds with a page of their own; an application is a
#: section of its unit's page (``application_url``).
PAGE_FOLDER = {kind: FOLDER[kind] for kind in ("market_unit", "product", "party")}

#: How deep below the root every page fmar renders itself lies (``<folder>/<name>.html``): its
#: links start with ``PAGE_ROOT`` (``fmar.publish.pages.render`` holds every page to it).
PAGE_DEPTH = 1
PAGE_ROOT = "../" * PAGE_DEPTH


#: The folder of the search page and its index.
SEARCH_FOLDER = "search"
#: The script that completes the slim frame of record pages (``shell.frame_script``); the theme's
#: template for record pages (``theme/fmar-record.html``) links it by this path.
FRAME_SCRIPT = "assets/fmar/frame.js"


def search_url() -> str:
    """The search page (``?q=`` its query)."""
    return f"{SEARCH_FOLDER}/index.html"


def page_url(kind: str, record_id: str) -> str:
    """The page of a unit, product or party (a KeyError for any other kind: there is no such page)."""
    return f"{PAGE_FOLDER[kind]}/{record_id}.html"


def list_url(folder: str) -> str:
    """The first page of a list (``units``, ``products``, ``parties``)."""
    return f"{folder}/index.html"


def docs_url(name: str) -> str:
    """A documentation page (``catalogue``, ``rules``...): an ``.html`` file (mkdocs'
    ``use_directory_urls: false``), as ``file://`` has no directory index."""
    return f"{name}.html"


def units_view_url(**state: str) -> str:
    """The unit table showing a view: its search, filters and sort as the table's script keeps them
    in the address (``?product=NESO-DC&status=qualified``; names as in ``fmar.publish.pages.FILTERS``,
    ``q`` and ``sort``)."""
    return list_url("units") + ("?" + urlencode(state) if state else "")


def application_url(unit: str, application: str) -> str:
    """Where an application is shown: its section of its unit's page."""
    return f"{page_url('market_unit', unit)}#{application}"


def record_url(record: Record) -> str:
    """Where ``record`` (a unit, application, product or party) is shown."""
    if isinstance(record, Application):
        return application_url(record.unit, record.id)
    return page_url(record.KIND, record.id)


def change_url(kind: str, record_id: str, unit: str) -> str | None:
    """Where the record of a change (with the unit it concerns, as the changes ledger has it) is shown."""
    if kind == "application":
        return application_url(unit, record_id) if unit else None
    return page_url(kind, record_id) if kind in PAGE_FOLDER else None


def api_url(kind: str, record_id: str) -> str:
    """The JSON document of a record with a document of its own (a unit, product or party: an
    application, its outcomes and events are in their unit's document)."""
    return f"{API_ROOT}/{PAGE_FOLDER[kind]}/{record_id}.json"


def export_url(name: str) -> str:
    """A registry-wide export (``qualifications.json``, ``feeds/all.atom``...)."""
    return f"{API_ROOT}/{name}"


def inbox_url(so: str, extension: str = "json") -> str:
    """An SO's inbox (``inboxes/<SO>.json`` or ``.csv``): its open applications at the build's as-of time."""
    return export_url(f"inboxes/{so}.{extension}")


#: Every FSP's portfolio, JSON and CSV, in one zip: a bulk file.
PORTFOLIOS_ZIP = "portfolios.zip"


def portfolio_url(fsp: str, extension: str = "json", bulk: str | None = None) -> str:
    """An FSP's portfolio (``portfolios/<FSP>.json`` or ``.csv``): its units against every product.
    When the bulk files are published elsewhere (``bulk``), the FSPs' portfolios travel with them,
    in ``PORTFOLIOS_ZIP`` (as ``<FSP>.json`` and ``<FSP>.csv``), not on the site: at national scale
    they would take a GitHub Pages site past its 1 GB."""
    return download_url(PORTFOLIOS_ZIP, bulk) if bulk else export_url(f"portfolios/{fsp}.{extension}")


def feed_url(folder: str, name: str) -> str:
    """The Atom feed of an SO, a product or an FSP (``feeds/<folder>/<name>.atom``)."""
    return export_url(f"feeds/{folder}/{name}.atom")


#: The registry-wide exports that grow with the registry (hundreds of MB at national scale): the bulk
#: downloads. They are exports on the site, unless the build publishes them elsewhere (``fmar build
#: --bulk-url``: a GitHub release's assets), where every link to them then points.
BULK_FILES = (
    "all.zip",
    "qualifications.json",
    "qualifications.csv",
    "changes.csv",
    "transitions.csv",
    "transitions.json",
    "units.csv",
    "portfolios.zip",
)


def download_url(name: str, bulk: str | None = None) -> str:
    """Where the bulk file ``name`` is downloaded: its absolute URL under ``bulk`` (the URL of the
    folder the bulk files are published in, ending with ``/``) when given, else its export on the site."""
    return f"{bulk}{name}" if bulk else export_url(name)


def is_absolute(url: str) -> bool:
    """Whether ``url`` is an absolute URL (with a scheme) rather than a site path."""
    return "://" in url


def site_file(url: str) -> str:
    """The file of a site path (its fragment dropped), relative to the output folder."""
    return url.partition("#")[0].lstrip("/")


def relative(url: str, here: str) -> str:
    """A relative reference to site path ``url`` from the file at site path ``here``: down from the
    file's folder when ``url`` lies below it (``MU-1.json``), else up to the root and down
    (``../../../units/MU-1.html``). An absolute URL (a bulk file published elsewhere) is its own reference."""
    if is_absolute(url):
        return url
    folder, _, _ = here.rpartition("/")
    if not folder:
        return url
    if url.startswith(folder + "/"):
        return url[len(folder) + 1 :]
    return "../" * here.count("/") + url


def from_page(url: str) -> str:
    """``url`` as linked from a page fmar renders (one folder deep, ``PAGE_DEPTH``); an absolute URL
    (a bulk file published elsewhere) as it is."""
    return url if is_absolute(url) else PAGE_ROOT + url
