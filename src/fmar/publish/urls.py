"""Where each thing lives on the published site: the one statement of its URL rules.

Every URL here is site-absolute (``/units/MU-1.html``); ``site_file`` turns one into the path of
its file under the output folder. Pure and import-light: the lowest layer of ``fmar.publish``.
"""

from __future__ import annotations

from fmar.core.model import Application, Record
from fmar.publish.documents import API_VERSION

#: The folder of the JSON exports (``/api/v<N>/``, N the export format's version).
API_ROOT = f"api/v{API_VERSION}"

#: Site folder of each record kind's pages and API documents.
FOLDER = {"market_unit": "units", "application": "applications", "product": "products", "party": "parties"}

#: Site folder of the pages of the record kinds with a page of their own; an application is a
#: section of its unit's page (``application_url``).
PAGE_FOLDER = {kind: FOLDER[kind] for kind in ("market_unit", "product", "party")}


def page_url(kind: str, record_id: str) -> str:
    """The page of a unit, product or party (a KeyError for any other kind: there is no such page)."""
    return f"/{PAGE_FOLDER[kind]}/{record_id}.html"


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
    """The JSON document of a record."""
    return f"/{API_ROOT}/{FOLDER[kind]}/{record_id}.json"


def export_url(name: str) -> str:
    """A registry-wide export (``qualifications.json``, ``feeds/all.atom``, ``units/``...)."""
    return f"/{API_ROOT}/{name}"


def site_file(url: str) -> str:
    """The file of a site-absolute URL, relative to the output folder."""
    return url.lstrip("/")
