"""Pure derivation of the export documents from records, statuses (``fmar.status``) and history.

No I/O here: every function takes data and returns plain JSON-ready dicts, so the same
numbers feed the JSON exports, the CSV files, the feeds and the pages.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fmar.cli.status_cmd import qualification_json
from fmar.model import SCHEMA_VERSION, Event, EventType, MarketUnit, Outcome, Record
from fmar.publish.documents import API_ROOT, API_VERSION
from fmar.publish.inputs import Change, History, RecordedTime
from fmar.registry import Registry, effective_at
from fmar.signing.records import iso
from fmar.status import LIVE, OPEN, Qualification, Status, application_status, unit_statuses

FORMAT = f"fmar-export/v{API_VERSION}"

#: Site folder of each record kind's pages and API documents.
FOLDER = {"market_unit": "units", "application": "applications", "product": "products", "party": "parties"}


def page_url(kind: str, record_id: str) -> str:
    return f"/{FOLDER[kind]}/{record_id}.html"


def api_url(kind: str, record_id: str) -> str:
    return f"/{API_ROOT}/{FOLDER[kind]}/{record_id}.json"


def _moment(value: datetime | None) -> str | None:
    return iso(value) if value else None


@dataclass
class Derived:
    """Everything computed once for a build: statuses by unit, qualified pairs, and the history."""

    registry: Registry
    as_of: datetime
    history: History
    statuses: dict[str, list[tuple[Qualification, list[Qualification]]]] = field(default_factory=dict)

    @classmethod
    def of(cls, registry: Registry, as_of: datetime, history: History) -> Derived:
        derived = cls(registry, as_of, history)
        for unit in sorted(registry.units):
            derived.statuses[unit] = unit_statuses(registry, unit, as_of)
        return derived

    def current(self) -> list[Qualification]:
        """The governing status of every (unit, product) pair, sorted by unit and product."""
        return [q for unit in sorted(self.statuses) for q, _ in self.statuses[unit]]

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


def history_json(changes: list[Change]) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(c.at),
            "kind": c.kind,
            "id": c.id,
            "action": c.action,
            "commit": c.commit,
            "signer": c.signer,
            "fields": list(c.fields),
        }
        for c in changes
    ]


def envelope(derived: Derived, record: Record, raw: dict[str, Any], history_ids: list[str]) -> dict[str, Any]:
    """What every record document carries: only what is about the record, never the build's as-of
    time or head commit (those are in ``index.json``), so a record's document changes only with it."""
    recorded = derived.recorded(record)
    links = {"page": page_url(record.KIND, record.id), "self": api_url(record.KIND, record.id)}
    return {
        "format": FORMAT,
        "kind": record.KIND,
        "id": record.id,
        "recorded": {"at": iso(recorded.at), "commit": recorded.commit},
        "signer": record.signature.signer,
        "signed_at": iso(record.signature.signed_at),
        "key_fingerprint": record.signature.key_fingerprint,
        "record": raw,
        "history": history_json(derived.timeline(*history_ids)),
        "links": links,
    }


def unit_doc(derived: Derived, unit: MarketUnit, raw: dict[str, Any]) -> dict[str, Any]:
    doc = envelope(derived, unit, raw, derived.unit_ids_of_timeline(unit.id))
    doc["products"] = [
        {**qualification_json(current), "applications": [qualification_json(q) for q in all_of]}
        for current, all_of in derived.statuses.get(unit.id, [])
    ]
    doc["links"]["fsp"] = page_url("party", unit.fsp)
    return doc


def status_of_application(derived: Derived, application_id: str) -> Qualification:
    """An application's status as of the build: the one its unit's statuses hold, else derived here
    (an application not known yet at the as-of time is not among them)."""
    application = derived.registry.applications[application_id]
    for _, all_of in derived.statuses.get(application.unit, ()):
        for q in all_of:
            if q.application == application_id:
                return q
    return application_status(derived.registry, application, derived.as_of)


def application_doc(
    derived: Derived, application_id: str, raw: dict[str, Any], answers: list[dict[str, Any]]
) -> dict[str, Any]:
    registry = derived.registry
    application = registry.applications[application_id]
    ids = [application.id, *(item.id for item in registry.answers.get(application.id, ()))]
    doc = envelope(derived, application, raw, ids)
    doc["status"] = qualification_json(status_of_application(derived, application_id))
    doc["answers"] = answers
    doc["links"]["unit"] = page_url("market_unit", application.unit)
    return doc


@dataclass
class ProductSummary:
    """Qualified units and capacity of one product, by technology and licence area."""

    units: int = 0
    up_kw: float = 0.0
    down_kw: float = 0.0
    by_technology: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    by_area: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    statuses: Counter[str] = field(default_factory=Counter)


def main_technology(unit: MarketUnit) -> str:
    """The asset category with the largest rated capacity in the unit."""
    return str(max(unit.composition.assets, key=lambda a: (a.capacity_kw, a.category)).category)


def product_summaries(derived: Derived) -> dict[str, ProductSummary]:
    summaries: dict[str, ProductSummary] = defaultdict(ProductSummary)
    for q in derived.current():
        summary = summaries[q.product]
        summary.statuses[str(q.status)] += 1
        if q.status not in LIVE:
            continue
        unit = derived.registry.units[q.unit]
        summary.units += 1
        summary.up_kw += q.capacity_up_kw
        summary.down_kw += q.capacity_down_kw
        for table, key in ((summary.by_technology, main_technology(unit)), (summary.by_area, str(unit.licence_area))):
            row = table[key]
            row[0] += 1
            row[1] += q.capacity_up_kw
            row[2] += q.capacity_down_kw
    return summaries


def product_doc(derived: Derived, product_id: str, raw: dict[str, Any], summary: ProductSummary) -> dict[str, Any]:
    product = derived.registry.products[product_id]
    doc = envelope(derived, product, raw, [product.id])
    doc["qualified_units"] = summary.units
    doc["qualified_capacity_up_kw"] = round(summary.up_kw, 2)
    doc["qualified_capacity_down_kw"] = round(summary.down_kw, 2)
    doc["links"]["so"] = page_url("party", product.so)
    return doc


def party_doc(derived: Derived, party_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    registry = derived.registry
    party = registry.parties[party_id]
    doc = envelope(derived, party, raw, [party.id])
    doc["units"] = len(registry.units_by_fsp.get(party_id, ()))
    doc["products"] = sorted(p.id for p in registry.products.values() if p.so == party_id)
    return doc


def counts(derived: Derived) -> dict[str, int]:
    r = derived.registry
    return {
        "parties": len(r.parties),
        "products": len(r.products),
        "market_units": len(r.units),
        "applications": len(r.applications),
        "outcomes": len(r.outcomes),
        "events": len(r.events),
        "processes": len(r.processes),
        "qualified_pairs": sum(1 for q in derived.current() if q.status in LIVE),
    }


def index_doc(derived: Derived) -> dict[str, Any]:
    from fmar.model import KINDS

    base = f"/{API_ROOT}"
    return {
        "format": FORMAT,
        "as_of": iso(derived.as_of),
        "registry_commit": derived.history.head,
        "counts": counts(derived),
        "schema_versions": {"records": SCHEMA_VERSION, "exports": API_VERSION, **dict.fromkeys(KINDS, SCHEMA_VERSION)},
        "links": {
            "qualifications_json": f"{base}/qualifications.json",
            "qualifications_csv": f"{base}/qualifications.csv",
            "changes_csv": f"{base}/changes.csv",
            "feed": f"{base}/feeds/all.atom",
            "bulk": f"{base}/all.zip",
            "datapackage": f"{base}/datapackage.json",
            "schemas": "/schemas/",
            "units": f"{base}/units/",
            "applications": f"{base}/applications/",
            "products": f"{base}/products/",
            "parties": f"{base}/parties/",
        },
    }


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


def qualification_rows(derived: Derived) -> list[list[Any]]:
    rows = []
    for q in derived.current():
        doc = qualification_json(q)
        rows.append([doc[column] if doc[column] is not None else "" for column in QUALIFICATION_COLUMNS])
    return rows


CHANGE_COLUMNS = ("recorded_at", "kind", "id", "action", "commit", "signer", "fields")


def change_rows(derived: Derived) -> list[list[str]]:
    rows = [
        [iso(c.at), c.kind, c.id, c.action, c.commit or "", c.signer, " ".join(c.fields)]
        for c in derived.history.changes()
    ]
    rows.sort()
    return rows


@dataclass(frozen=True)
class ServiceLevel:
    """How an SO met its service levels: days to acknowledge and to decide, against its targets."""

    decided: int
    open: int
    median_ack_days: float | None
    median_decision_days: float | None
    ack_within_target: float | None
    decision_within_target: float | None
    decision_days: tuple[float, ...]
    decision_target_days: int | None


def service_level(derived: Derived, so: str) -> ServiceLevel:
    registry = derived.registry
    ack: list[tuple[float, int]] = []
    decision: list[tuple[float, int]] = []
    open_count = 0
    target_decision: int | None = None
    for application in registry.applications.values():
        if application.so != so:
            continue
        product = registry.products.get(application.product)
        version = product.version(application.product_version) if product else None
        if version is None:
            continue
        levels = version.service_levels
        target_decision = levels.decision_days
        submitted = derived.recorded(application).at
        if submitted > derived.as_of:
            continue
        answers = [a for a in registry.answers.get(application.id, ()) if derived.recorded(a).at <= derived.as_of]
        first_ack = next(
            (effective_at(a) for a in answers if isinstance(a, Event) and a.type is EventType.ACKNOWLEDGED), None
        )
        outcome = next((a for a in answers if isinstance(a, Outcome)), None)
        start = first_ack or submitted
        if first_ack is not None:
            ack.append(((first_ack - submitted).total_seconds() / 86400, levels.acknowledge_days))
        if outcome is not None:
            decision.append(((outcome.decided_at - start).total_seconds() / 86400, levels.decision_days))
        else:
            open_count += 1

    def median(values: list[tuple[float, int]]) -> float | None:
        return round(statistics.median(v for v, _ in values), 1) if values else None

    def within(values: list[tuple[float, int]]) -> float | None:
        return round(100 * sum(1 for v, t in values if v <= t) / len(values), 1) if values else None

    return ServiceLevel(
        decided=len(decision),
        open=open_count,
        median_ack_days=median(ack),
        median_decision_days=median(decision),
        ack_within_target=within(ack),
        decision_within_target=within(decision),
        decision_days=tuple(sorted(round(v, 1) for v, _ in decision)),
        decision_target_days=target_decision,
    )


def open_applications(derived: Derived, so: str) -> list[Qualification]:
    out = [
        q for unit in derived.statuses.values() for _, all_of in unit for q in all_of if q.so == so and q.status in OPEN
    ]
    out.sort(key=lambda q: (q.since, q.application))
    return out


def status_label(status: str) -> str:
    return Status(status).label
