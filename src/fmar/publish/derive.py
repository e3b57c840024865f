"""Pure derivation of the export documents from records, statuses (``fmar.core.status``) and history.

No I/O here: every function takes data and returns the document as its model
(``publish.documents``, the one statement of each export's shape; built with ``model_construct``,
not validated again) or CSV rows, so the same numbers feed the JSON exports, the CSV files, the
feeds and the pages. ``formats.compact_json`` encodes the models.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fmar.core.model import KINDS, SCHEMA_VERSION, MarketUnit, PartyRole, Record
from fmar.core.registry import Registry
from fmar.core.status import (
    ApplicationStatusDoc,
    Qualification,
    QualificationDoc,
    Status,
    application_status,
    qualification_doc,
    unit_statuses,
)
from fmar.core.workflow import transitions
from fmar.history.recorded import RecordedTime
from fmar.publish.documents import (
    API_VERSION,
    DATA_LICENCE,
    ApplicationEntry,
    Counts,
    DataPackage,
    DataResource,
    HistoryEntry,
    Imported,
    IndexDoc,
    PartyDoc,
    ProductDoc,
    Recorded,
    RecordEntry,
    UnitDoc,
)
from fmar.publish.formats import sha256
from fmar.publish.inputs import Change, History
from fmar.publish.urls import (
    api_url,
    download_url,
    export_url,
    feed_url,
    inbox_url,
    page_url,
    portfolio_url,
    record_url,
    relative,
)
from fmar.signing.records import iso

FORMAT = f"fmar-export/v{API_VERSION}"


@dataclass
class Derived:
    """The registry, the as-of time and the history of a build, and each unit's statuses, derived
    when first asked for (by the worker process that renders the unit)."""

    registry: Registry
    as_of: datetime
    history: History
    _statuses: dict[str, list[tuple[Qualification, list[Qualification]]]] = field(default_factory=dict)

    @classmethod
    def of(cls, registry: Registry, as_of: datetime, history: History) -> Derived:
        return cls(registry, as_of, history)

    def statuses(self, unit: str) -> list[tuple[Qualification, list[Qualification]]]:
        """``status.unit_statuses`` of ``unit`` as of the build."""
        found = self._statuses.get(unit)
        if found is None:
            found = self._statuses[unit] = unit_statuses(self.registry, unit, self.as_of)
        return found

    def recorded(self, record: Record) -> RecordedTime:
        return self.history.recorded.get(record.id) or RecordedTime(
            self.registry.recorded_at.get(record.id) or record.signature.signed_at
        )

    def timeline(self, *ids: str) -> list[Change]:
        out = [change for record_id in ids for change in self.history.timelines.get(record_id, ())]
        out.sort(key=lambda c: (c.at, c.kind, c.id, c.action))
        return out

    def unit_ids_of_timeline(self, unit: str) -> list[str]:
        ids = [unit]
        for application in sorted(self.registry.applications_by_unit.get(unit, ()), key=lambda a: a.id):
            ids.append(application.id)
            ids.extend(item.id for item in self.registry.answers.get(application.id, ()))
        return ids


def history_entries(changes: list[Change]) -> list[HistoryEntry]:
    return [
        HistoryEntry.model_construct(
            at=iso(c.at),
            kind=c.kind,
            id=c.id,
            action=c.action,
            commit=c.commit,
            signer=c.signer,
            fields=list(c.fields),
        )
        for c in changes
    ]


def entry(derived: Derived, record: Record, raw: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``RecordEntry``: ``record``'s data as stored (``raw``) without its signature
    block, its signer and signing time, when it was recorded, and its signed file's path."""
    recorded = derived.recorded(record)
    attested = derived.registry.attested.get(record.id)
    imported = (
        Imported.model_construct(
            at=iso(attested.at), source=attested.source, attestation=attested.attestation, attested_by=attested.signer
        )
        if attested is not None
        else None
    )
    return {
        "kind": record.KIND,
        "id": record.id,
        "recorded": Recorded.model_construct(at=iso(recorded.at), commit=recorded.commit),  # the one conversion
        "signer": record.signature.signer,
        "signed_at": iso(record.signature.signed_at),
        "path": derived.registry.path_of(record),
        "record": {name: value for name, value in raw.items() if name != "signature"},
        "imported": imported,
    }


def envelope(
    derived: Derived, record: Record, raw: dict[str, Any], history_ids: list[str], **links: str
) -> dict[str, Any]:
    """The fields of ``RecordDoc`` every record document carries (``links``: its links besides
    its page and itself): only what is about the record, never the build's as-of time or head
    commit (those are in ``index.json``), so a record's document changes only with it. Its history:
    the changes to the records of ``history_ids`` after each was added (when each was added is its
    ``recorded`` time)."""
    return {
        "format": FORMAT,
        **entry(derived, record, raw),
        "history": history_entries([c for c in derived.timeline(*history_ids) if c.action != "added"]),
        "links": _relative_links(api_url(record.KIND, record.id), page=record_url(record), **links),
    }


def _relative_links(here: str, **links: str) -> dict[str, str]:
    """Links (site paths) as references relative to the document at ``here``, so they resolve
    wherever the site is served."""
    return {name: relative(url, here) for name, url in links.items()}


def _links(here: str, **links: str) -> dict[str, str]:
    """A document's links (site paths) as references relative to the document itself (``here``), so
    they resolve wherever the site is served; ``self`` is the document."""
    return {"self": relative(here, here), **{name: relative(url, here) for name, url in links.items()}}


def unit_doc(derived: Derived, unit: MarketUnit, raw: dict[str, Any], applications: list[ApplicationEntry]) -> UnitDoc:
    """A unit's document: the unit (``raw``: its data as stored), its ``applications``
    (``application_entry``) and the governing one per product."""
    return UnitDoc.model_construct(
        **envelope(derived, unit, raw, derived.unit_ids_of_timeline(unit.id)),
        products={current.product: current.application for current, _ in derived.statuses(unit.id)},
        applications=applications,
    )


def status_of_application(derived: Derived, application_id: str) -> Qualification:
    """An application's status as of the build: the one its unit's statuses hold, else derived here
    (an application not known yet at the as-of time is not among them)."""
    application = derived.registry.applications[application_id]
    for _, all_of in derived.statuses(application.unit):
        for q in all_of:
            if q.application == application_id:
                return q
    return application_status(derived.registry, application, derived.as_of)


def application_entry(
    derived: Derived, application_id: str, raw: dict[str, Any], answers: list[dict[str, Any]]
) -> ApplicationEntry:
    """An application in its unit's document: ``raw`` its data as stored, ``answers`` those of its
    outcomes and events (in the registry's order: by id)."""
    registry = derived.registry
    application = registry.applications[application_id]
    items = registry.answers.get(application_id, [])
    return ApplicationEntry.model_construct(
        **entry(derived, application, raw),
        status=ApplicationStatusDoc.model_construct(
            **{
                name: value
                for name, value in qualification_doc(status_of_application(derived, application_id)).__dict__.items()
                if name in ApplicationStatusDoc.model_fields
            }
        ),
        answers=[
            RecordEntry.model_construct(**entry(derived, item, data)) for item, data in zip(items, answers, strict=True)
        ],
    )


def unit_row(unit: MarketUnit) -> list[Any]:
    """A unit's row of units.csv (columns ``UNIT_COLUMNS``)."""
    return [
        unit.id,
        unit.name,
        unit.fsp,
        str(unit.unit_type),
        str(unit.licence_area),
        str(unit.gsp_group),
        str(unit.connection_type),
        unit.composition.import_capacity_kw,
        unit.composition.export_capacity_kw,
        main_technology(unit),
    ]


UNIT_COLUMNS = (
    "id",
    "name",
    "fsp",
    "unit_type",
    "licence_area",
    "gsp_group",
    "connection_type",
    "import_capacity_kw",
    "export_capacity_kw",
    "main_technology",
)


def main_technology(unit: MarketUnit) -> str:
    """The asset category with the largest rated capacity in the unit."""
    return str(max(unit.composition.assets, key=lambda a: (a.capacity_kw, a.category)).category)


#: Units holding a qualification a product's page lists by name (the first, by id).
HOLDERS_LISTED = 100


@dataclass
class ProductSummary:
    """The units of one product by status, and those holding a qualification (``status.HOLDING``:
    qualified or conditionally qualified; not suspended, nor due for re-assessment) with their
    capacity, by technology and licence area (``overview`` adds them up from every unit's facts;
    a product's document shows the totals)."""

    #: Units holding a qualification, and their capacity.
    units: int = 0
    up_kw: float = 0.0
    down_kw: float = 0.0
    by_technology: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    by_area: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    #: Units by their (governing) status for the product.
    statuses: Counter[str] = field(default_factory=Counter)
    #: (id, name, status) of the first ``HOLDERS_LISTED`` units holding a qualification, by id.
    holders: list[tuple[str, str, str]] = field(default_factory=list)

    def status_counts(self) -> dict[str, int]:
        """Units by status, every status named (zero for none), in ``Status`` order."""
        return {str(status): self.statuses.get(str(status), 0) for status in Status}


def product_doc(derived: Derived, product_id: str, raw: dict[str, Any], summary: ProductSummary) -> ProductDoc:
    product = derived.registry.products[product_id]
    return ProductDoc.model_construct(
        **envelope(derived, product, raw, [product.id], so=page_url("party", product.so)),
        qualified_units=summary.units,
        qualified_capacity_up_kw=round(summary.up_kw, 2),
        qualified_capacity_down_kw=round(summary.down_kw, 2),
        status_counts=summary.status_counts(),
    )


def party_doc(derived: Derived, party_id: str, raw: dict[str, Any], units: int, bulk: str | None = None) -> PartyDoc:
    """A party's document; an FSP's links its portfolio (on the site, or in the bulk files' zip when
    they are published elsewhere: ``bulk``, ``urls.portfolio_url``) and its feed."""
    registry = derived.registry
    party = registry.parties[party_id]
    links = {}
    if party.role.is_system_operator:
        links = {"inbox": inbox_url(party_id), "inbox_csv": inbox_url(party_id, "csv")}
    elif party.role is PartyRole.FSP:
        links = {
            "portfolio": portfolio_url(party_id, "json", bulk),
            "portfolio_csv": portfolio_url(party_id, "csv", bulk),
            "feed": feed_url("fsp", party_id),
        }
    return PartyDoc.model_construct(
        **envelope(derived, party, raw, [party.id], **links),
        units=units,
        products=sorted(p.id for p in registry.products.values() if p.so == party_id),
    )


def index_doc(as_of: datetime, head: str | None, counts: dict[str, int], bulk: str | None = None) -> IndexDoc:
    """index.json: the build's as-of time and head commit, the registry's counts (``Overview.counts``);
    its links to the bulk files absolute under ``bulk`` when they are published there (``urls.download_url``)."""
    return IndexDoc.model_construct(
        format=FORMAT,
        as_of=iso(as_of),
        registry_commit=head,
        counts=Counts.model_construct(None, **counts),
        schema_versions={"records": SCHEMA_VERSION, "exports": API_VERSION, **dict.fromkeys(KINDS, SCHEMA_VERSION)},
        links=_links(
            export_url("index.json"),
            qualifications_json=download_url("qualifications.json", bulk),
            qualifications_csv=download_url("qualifications.csv", bulk),
            changes_csv=download_url("changes.csv", bulk),
            transitions_csv=download_url("transitions.csv", bulk),
            transitions_json=download_url("transitions.json", bulk),
            units_csv=download_url("units.csv", bulk),
            feed=export_url("feeds/all.atom"),
            bulk=download_url("all.zip", bulk),
            datapackage=export_url("datapackage.json"),
            schemas="schemas/",
            units=export_url("units/"),
            products=export_url("products/"),
            parties=export_url("parties/"),
            inboxes=export_url("inboxes/"),
            portfolios=download_url("portfolios.zip", bulk),
            toolkit=export_url("toolkit.json"),
            toolkit_jsonld=export_url("toolkit.jsonld"),
            openapi=export_url("openapi.json"),
        ),
    )


QUALIFICATION_COLUMNS = (
    "unit",
    "product",
    "product_version",
    "so",
    "status",
    "since",
    "valid_from",
    "valid_until",
    "capacity_up_kw",
    "capacity_down_kw",
    "application",
    "outcome",
    "detail",
)


def qualification_row(doc: QualificationDoc) -> list[Any]:
    """A row of qualifications.csv from a qualification's JSON."""
    fields = doc.__dict__
    return [fields[column] if fields[column] is not None else "" for column in QUALIFICATION_COLUMNS]


CHANGE_COLUMNS = ("recorded_at", "kind", "id", "action", "commit", "signer", "fields")
#: transitions.csv's columns (and transitions.json's keys): ``core.workflow.transitions``'.
TRANSITION_COLUMNS = transitions.COLUMNS


def data_package(as_of: datetime, resources: list[DataResource]) -> DataPackage:
    """datapackage.json: a Frictionless Data Package descriptor of the bulk exports (``resources``),
    under the data licence."""
    return DataPackage.model_construct(
        name="fmar-registry",
        title="fmar: qualification status of GB flexibility Market Units",
        version="1.0.0",
        created=iso(as_of),
        licenses=[DATA_LICENCE],
        resources=sorted(resources, key=lambda r: r.name),
    )


def data_resource(name: str, path: str, data: bytes, fmt: str, mediatype: str, **extra: Any) -> DataResource:
    """A resource of the data package: the file ``path`` holding ``data``."""
    return DataResource.model_construct(
        name=name,
        path=path,
        format=fmt,
        mediatype=mediatype,
        bytes=len(data),
        hash=f"sha256:{sha256(data)}",
        **extra,
    )


def table_schema(columns: Sequence[str]) -> dict[str, Any]:
    """The Table Schema of a CSV export with ``columns`` (every cell is text)."""
    return {"fields": [{"name": c, "type": "string"} for c in columns]}
