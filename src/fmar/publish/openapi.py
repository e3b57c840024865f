"""The OpenAPI 3.1 description of the published exports (``api/v<N>/openapi.json``).

A static site is a read-only HTTP API: every document and list the build writes is a GET of a
path under the API folder. The description names each one, its media type, and for JSON the
published JSON Schema it validates against (``/schemas/``, referenced relatively, so the
description works wherever the site is served). The bulk files are described too, at the server
they are published on when that is not the site (``--bulk-url``: a GitHub release). Built from
the same tables as the site (``urls``, ``documents.EXPORT_MODELS``), never written by hand.
"""

from __future__ import annotations

from typing import Any

from fmar.core.ids import MARKET_UNIT_ID, PARTY_ID, PRODUCT_ID
from fmar.core.model import KINDS
from fmar.core.schemas import SCHEMA_FILE as PACKAGE_SCHEMA_FILE
from fmar.core.schemas import file_name
from fmar.core.workflow.reports import PERIOD
from fmar.core.workflow.webhooks import DELIVERY_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TOPIC_HEADER
from fmar.publish.documents import API_VERSION, DATA_LICENCE, schema_file
from fmar.publish.urls import API_ROOT, BULK_FILES

#: The description's own file, under the API folder.
OPENAPI = "openapi.json"
#: From the description (in the API folder) to the site's schemas folder.
_SCHEMAS = "../" * API_ROOT.count("/") + "../schemas/"

_ID = {
    "unit": MARKET_UNIT_ID,
    "product": PRODUCT_ID,
    "party": PARTY_ID,
    "so": PARTY_ID,
    "fsp": PARTY_ID,
    "period": PERIOD,
}
_ABOUT = {
    "unit": "A Market Unit's id",
    "product": "A product's id",
    "party": "A party's id",
    "so": "A system operator's id",
    "fsp": "An FSP's id",
    "period": "A month (2026-07) or a quarter (2026-Q3)",
}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _SCHEMAS + schema_file(schema)}}}


def _text(media_type: str, description: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if media_type == "application/zip":
        schema = {"type": "string", "contentMediaType": "application/zip", "description": description}
    return {media_type: {"schema": schema}}


#: Path (under the API folder) -> (operation id, summary, content).
_PATHS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/index.json": (
        "getIndex",
        "The build: its as-of time, head commit, counts, schema versions and links",
        _json("index"),
    ),
    "/units/{unit}.json": (
        "getUnit",
        "A Market Unit with its applications, their outcomes and events, statuses and history",
        _json("unit"),
    ),
    "/products/{product}.json": ("getProduct", "A product, its versions and qualified capacity", _json("product")),
    "/parties/{party}.json": ("getParty", "A party (FSP, DSO, NESO or the operator)", _json("party")),
    "/qualifications.json": (
        "getQualifications",
        "The status of every unit for every product",
        _json("qualifications"),
    ),
    "/qualifications.csv": (
        "getQualificationsCsv",
        "qualifications.json as CSV",
        _text("text/csv", "One row per unit and product; columns as in datapackage.json."),
    ),
    "/transitions.json": (
        "getTransitions",
        "Every change of every application's status, with its instant and cause",
        _json("transitions"),
    ),
    "/transitions.csv": (
        "getTransitionsCsv",
        "transitions.json as CSV",
        _text("text/csv", "One row per transition; columns as in datapackage.json."),
    ),
    "/changes.csv": (
        "getChanges",
        "Every version of every record: when it was recorded, by which commit, who signed it",
        _text("text/csv", "recorded_at,kind,id,action,commit,signer,fields"),
    ),
    "/units.csv": (
        "getUnitsCsv",
        "Every Market Unit, one row each",
        _text("text/csv", "Columns as in datapackage.json."),
    ),
    "/inboxes/{so}.json": (
        "getInbox",
        "A system operator's open applications: whose turn, due time, age and days overdue",
        _json("inbox"),
    ),
    "/inboxes/{so}.csv": (
        "getInboxCsv",
        "An SO's inbox as CSV",
        _text("text/csv", "One row per open application; columns as in datapackage.json."),
    ),
    "/portfolios.zip": (
        "getPortfolios",
        "Every FSP's portfolio, <FSP>.json and <FSP>.csv, in one zip",
        _text("application/zip", "A deterministic zip; each entry as /portfolios/{fsp}.json and .csv describe it."),
    ),
    "/portfolios/{fsp}.json": (
        "getPortfolio",
        "An FSP's units against every product: governing status, validity, capacities, open applications' due times",
        _json("portfolio"),
    ),
    "/portfolios/{fsp}.csv": (
        "getPortfolioCsv",
        "An FSP's portfolio as CSV",
        _text("text/csv", "One row per unit and product; columns as in datapackage.json."),
    ),
    "/reports/{period}.json": (
        "getReport",
        "A month's or quarter's figures per SO and product: received, decided, days to decision, open, overdue",
        _json("report"),
    ),
    "/reports/{period}.csv": (
        "getReportCsv",
        "A period report as CSV",
        _text("text/csv", "One row per SO and product; columns as in datapackage.json."),
    ),
    "/toolkit.json": (
        "getToolkit",
        "The end-to-end process toolkit: phases, building blocks (with their actors, conditions, inputs, "
        "outputs, systems and links) and data objects",
        _json("toolkit"),
    ),
    "/toolkit.jsonld": (
        "getToolkitJsonLd",
        "The toolkit as JSON-LD: SKOS concepts with stable URNs, the context inline",
        _text("application/ld+json", "JSON-LD 1.1; its context is also at toolkit.context.jsonld."),
    ),
    "/toolkit.context.jsonld": (
        "getToolkitContext",
        "The JSON-LD context of toolkit.jsonld",
        _text("application/ld+json", "A JSON-LD 1.1 context."),
    ),
    "/all.zip": ("getAll", "Every export above in one zip", _text("application/zip", "A deterministic zip.")),
    "/datapackage.json": (
        "getDataPackage",
        "A Frictionless Data Package describing the exports, with sizes and SHA-256 hashes",
        _json("datapackage"),
    ),
    "/feeds/all.atom": (
        "getFeed",
        "An Atom feed of the newest changes",
        _text("application/atom+xml", "RFC 4287 Atom feed."),
    ),
    "/feeds/so/{so}.atom": (
        "getSoFeed",
        "An Atom feed of the newest changes for one system operator",
        _text("application/atom+xml", "RFC 4287 Atom feed."),
    ),
    "/feeds/fsp/{fsp}.atom": (
        "getFspFeed",
        "An Atom feed of the newest changes to one FSP's units and applications",
        _text("application/atom+xml", "RFC 4287 Atom feed."),
    ),
    "/feeds/product/{product}.atom": (
        "getProductFeed",
        "An Atom feed of the newest changes for one product",
        _text("application/atom+xml", "RFC 4287 Atom feed."),
    ),
}


def described_paths() -> list[str]:
    """The paths the description names (under the API folder, with ``{parameters}``)."""
    return sorted(_PATHS)


def _parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:].split("}")[0] for part in path.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": _ABOUT[name],
            "schema": {"type": "string", "pattern": _ID[name]},
        }
        for name in names
    ]


def _components() -> dict[str, Any]:
    """The write side's formats: every record kind's schema (what a pull request adds, signed), the
    SO's data package, and a notification as webhooks deliver it."""
    schemas = {
        "".join(part.capitalize() for part in kind.split("_")) + "Record": {"$ref": _SCHEMAS + file_name(kind)}
        for kind in KINDS
    }
    schemas["ApplicationPackage"] = {"$ref": _SCHEMAS + PACKAGE_SCHEMA_FILE}
    schemas["Webhook"] = {"$ref": _SCHEMAS + schema_file("webhook")}
    return {"schemas": dict(sorted(schemas.items()))}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": True, "description": description, "schema": {"type": "string"}}


def _webhooks() -> dict[str, Any]:
    """What ``fmar deliver`` POSTs to a party's endpoints (OpenAPI 3.1 webhooks)."""
    return {
        "notification": {
            "post": {
                "operationId": "notification",
                "summary": "A notification for the party, signed",
                "description": (
                    "POSTed by `fmar deliver` (after each push to main, and daily for what time brings) to "
                    "each endpoint in the party's record. Check the signature over the exact body before "
                    "anything else; keep the idempotency keys seen. Any 2xx is a delivery; a timeout, "
                    "408, 425, 429 or 5xx is retried with backoff."
                ),
                "parameters": [
                    _header(SIGNATURE_HEADER, "sha256= and the hex HMAC-SHA256 of the body under the shared key."),
                    _header(DELIVERY_HEADER, "This delivery's id, the same across its retries."),
                    _header(TOPIC_HEADER, "The notification's topic."),
                    _header(IDEMPOTENCY_HEADER, "The same for the same notification however often it is delivered."),
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Webhook"}}},
                },
                "responses": {"2XX": {"description": "Delivered."}},
            }
        }
    }


#: Paths on the site only when the bulk files are too (``urls.portfolio_url``).
_ON_SITE_ONLY = frozenset({"/portfolios/{fsp}.json", "/portfolios/{fsp}.csv"})


def openapi_doc(bulk: str | None = None, site_url: str | None = None) -> dict[str, Any]:
    """The description. ``bulk``: where the bulk files are published when not on the site (their
    paths then name that server); ``site_url``: where the site is served, for an absolute server
    URL (else the API folder, relative to the description)."""
    server = f"{site_url}{API_ROOT}/" if site_url else "./"
    paths: dict[str, Any] = {}
    for path, (operation, summary, content) in sorted(_PATHS.items()):
        if bulk and path in _ON_SITE_ONLY:
            continue  # with the bulk files, in portfolios.zip alone
        item: dict[str, Any] = {
            "get": {
                "operationId": operation,
                "summary": summary,
                "responses": {
                    "200": {"description": summary, "content": content},
                    "404": {"description": "No such record, product, party or feed."},
                },
            }
        }
        parameters = _parameters(path)
        if parameters:
            item["parameters"] = parameters
        if bulk and path.lstrip("/") in BULK_FILES:
            item["servers"] = [{"url": bulk, "description": "The release the build published its bulk files in"}]
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fmar registry exports",
            "version": f"{API_VERSION}",
            "summary": "Qualification status of GB flexibility Market Units, as static JSON, CSV and Atom files.",
            "description": (
                "Read-only: every path is a file of the published site, regenerated by each build. "
                "The JSON documents validate against the JSON Schemas under /schemas/. Records are "
                "written by pull request, not through this API: see the FSP and SO guides."
            ),
            "license": {"name": DATA_LICENCE["name"], "identifier": DATA_LICENCE["name"]},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server, "description": "The registry's site"}],
        "paths": paths,
        "webhooks": _webhooks(),
        "components": _components(),
        "externalDocs": {
            "description": "Writing: records are signed YAML files added by pull request (see the FSP and SO "
            "guides); the gate (fmar check) answers with findings by file, line, field and rule code.",
            "url": f"{site_url}guides/index.html"
            if site_url
            else _SCHEMAS.removesuffix("schemas/") + "guides/index.html",
        },
    }
