"""The export documents as pydantic models: the one source of their JSON Schemas under /schemas/.

The builders in ``derive`` produce plain dicts; a test validates every written export
against the schemas generated here with an independent validator.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fmar.core.schemas import envelope, render
from fmar.core.status import ApplicationStatusDoc, QualificationDoc

#: Version of the export format; it is also the /api/v<N>/ folder. Version 2: one document per
#: Market Unit holding its applications, outcomes and events (no document per application); each
#: record's data without its signature value, with the path of its signed file in the repository;
#: history only of what changed after a record was added.
API_VERSION = 2


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Recorded(_Doc):
    """When the registry accepted the record: the time of the commit that added it (or its signing time)."""

    at: str = Field(description="ISO 8601 UTC time.")
    commit: str | None = Field(
        description="Commit of the main branch's first-parent line that first recorded it; null outside Git."
    )


class HistoryEntry(_Doc):
    at: str
    kind: str
    id: str
    action: Literal["added", "modified", "removed"]
    commit: str | None
    signer: str
    fields: list[str] = Field(description="JSON paths a modification changed; empty otherwise.")


class Imported(_Doc):
    """A record brought in from an earlier register: when that register recorded it, as the registry
    operator attests (``core.model.import_attestation``)."""

    at: str = Field(description="ISO 8601 UTC: when the earlier register recorded it; its clocks count from here.")
    source: str = Field(description="The earlier register and extract, as the attestation names it.")
    attestation: str = Field(description="The import attestation's id.")
    attested_by: str = Field(description="Who signed the attestation: the registry operator.")


def _null(value: object) -> bool:
    return value is None


class RecordEntry(_Doc):
    """A record as the exports carry it: its data, who signed it when, when the registry recorded
    it, and where its signed file is.

    The signature (its value and key) is not repeated here: the signed file is in the registry's Git
    repository at ``path`` as of ``recorded.commit``, where anyone can verify it (``fmar verify``);
    the site is built only from records whose signatures verified."""

    kind: str
    id: str
    recorded: Recorded
    signer: str
    signed_at: str
    path: str = Field(description="The record's signed file in the registry's repository (from its root).")
    record: dict[str, Any] = Field(description="The record's data as stored, without its signature block.")
    imported: Imported | None = Field(
        default=None,
        exclude_if=_null,
        description="Only for a record imported from an earlier register: when that register recorded it (what "
        "the service levels, statuses and reports count from) and who attests it. ``recorded`` stays the commit "
        "that brought it in.",
    )


class RecordDoc(RecordEntry):
    """Envelope shared by every record's document: the record (``RecordEntry``), the changes made
    to it after it was added (``history``: each record's addition is its ``recorded`` time) and links.

    It carries only what is about the record, never the build's as-of time or head commit: those are
    in ``index.json``, so a record's document keeps its bytes from build to build until something
    about the record changes.
    """

    format: str
    history: list[HistoryEntry] = Field(
        description="Modifications and removals of the document's records after they were added, oldest first."
    )
    links: dict[str, str]


class ApplicationEntry(RecordEntry):
    """An application in its unit's document: the record, its derived status, and its outcomes and events."""

    kind: Literal["application"]
    status: ApplicationStatusDoc
    answers: list[RecordEntry] = Field(description="Outcomes and events of the application, oldest id first.")


class UnitDoc(RecordDoc):
    """A Market Unit's document: the unit, its applications with their statuses, outcomes and events,
    and for each product it applied for, the application whose status is the unit's status for it
    (the governing one, as in qualifications.json)."""

    kind: Literal["market_unit"]
    products: dict[str, str] = Field(
        description="Product id -> the id of the application (in applications) whose status is the unit's "
        "status for the product."
    )
    applications: list[ApplicationEntry]


class ProductDoc(RecordDoc):
    kind: Literal["product"]
    qualified_units: int = Field(
        description="Units holding a qualification for the product: their status for it (the governing one) is "
        "qualified or conditionally_qualified. Units whose qualification is suspended or whose re-assessment is "
        "required are not counted (see status_counts)."
    )
    qualified_capacity_up_kw: float = Field(description="Capacity up (kW) of the units counted in qualified_units.")
    qualified_capacity_down_kw: float = Field(description="Capacity down (kW) of the units counted in qualified_units.")
    status_counts: dict[str, int] = Field(
        description="Units by their status for the product (the governing one, as in qualifications.json): every "
        "status is named, zero when no unit has it."
    )


class PartyDoc(RecordDoc):
    kind: Literal["party"]
    units: int
    products: list[str]


class Counts(_Doc):
    parties: int
    products: int
    market_units: int
    applications: int
    outcomes: int
    events: int
    processes: int
    qualified_pairs: int = Field(
        description="Unit-product pairs holding a qualification (qualified or conditionally qualified), as "
        "the product pages count them; not those suspended nor those whose re-assessment is required."
    )
    live_pairs: int = Field(
        description="Unit-product pairs whose qualification stands in any form: those holding one, those "
        "suspended and those whose re-assessment is required."
    )


class IndexDoc(_Doc):
    """The entry point: the as-of time and head commit of the build, counts, schema versions, links."""

    format: str
    as_of: str = Field(
        description="The time the statuses are derived at (the build's --as-of, else the head commit time; "
        "never the wall clock), as in qualifications.json. Record documents and pages do not repeat it."
    )
    registry_commit: str | None = Field(description="The registry's head commit the build read; null outside Git.")
    counts: Counts
    schema_versions: dict[str, int]
    links: dict[str, str]


class QualificationsDoc(_Doc):
    format: str
    as_of: str
    qualifications: list[QualificationDoc]


class TransitionDoc(_Doc):
    """One change of an application's status, or a target missed (``core.workflow.transitions``)."""

    at: str = Field(description="ISO 8601 UTC instant the change took effect.")
    unit: str
    product: str
    so: str
    application: str
    from_status: str | None = Field(description="The status before; null for the application's first.")
    to_status: str
    rule: str = Field(
        description="What caused it: record, validity_ended, information_not_supplied, "
        "material_change, acknowledgement_target_missed or decision_target_missed."
    )
    record: str = Field(description="The record that caused it, or that the rule applied to.")
    detail: str


class TransitionsDoc(_Doc):
    format: str
    as_of: str
    transitions: list[TransitionDoc]


class InboxEntry(_Doc):
    """One open application in its SO's inbox (``service_levels.INBOX_COLUMNS``)."""

    application: str
    unit: str
    fsp: str = Field(description="The unit's FSP.")
    product: str
    status: str = Field(description="The application's status: pending, under_assessment or information_requested.")
    waiting_for: str = Field(
        description='Whose turn it is to do what: "acknowledge" or "decide" (the SO), "supply information" (the FSP).'
    )
    waiting_on: str = Field(description="The party whose turn it is: the SO, or the FSP asked for information.")
    submitted_at: str = Field(description="ISO 8601 UTC: when the registry recorded the application.")
    due_at: str | None = Field(
        description="ISO 8601 UTC: when the turn is due (the SO's target, or the FSP's respond_by); null without one."
    )
    age_days: float = Field(description="Days from submission to the as-of time.")
    overdue: bool
    overdue_days: float = Field(description="Days past due_at at the as-of time; 0 when not overdue.")


class InboxDoc(_Doc):
    """An SO's open applications at the as-of time, overdue first (most overdue first), then by due
    time: the same document as ``fmar inbox SO --format json``."""

    format: Literal["fmar-inbox/v1"]
    so: str
    as_of: str
    unverified: list[dict[str, Any]] | None = Field(
        default=None,
        description="fmar inbox only: records left out because their signature did not verify. The site is "
        "built from verified records alone.",
    )
    applications: list[InboxEntry]


class PortfolioDoc(_Doc):
    """An FSP's units against every product they applied for, by unit and product: the governing
    status, its validity and capacities, and for an open application whose turn it is and when it is
    due (``portfolio.PORTFOLIO_COLUMNS``; a row holds a value per column, null for none). Only what
    changes with a record or a status: how late or how soon is worked out against the build's as-of
    time (``index.json``). The same document as ``fmar portfolio FSP --format json``."""

    format: Literal["fmar-portfolio/v1"]
    fsp: str
    columns: list[str] = Field(
        description="unit, unit_name, product, so, status, since, valid_until (ISO 8601 UTC), capacity_up_kw, "
        "capacity_down_kw, application, waiting_for (acknowledge, decide, supply information), waiting_on "
        "(the party whose turn it is), due_at (ISO 8601 UTC). A unit that has applied for nothing has one row with "
        "only its unit and unit_name."
    )
    rows: list[list[str | float | None]]
    unverified: list[dict[str, Any]] | None = Field(
        default=None,
        description="fmar portfolio only: records left out because their signature did not verify. The site is "
        "built from verified records alone.",
    )


class ReportRowDoc(_Doc):
    """One SO's figures for one product in a period (``reports.ReportRow``)."""

    so: str
    product: str
    received: int = Field(description="Applications recorded in the period.")
    decided: int = Field(description="Applications whose first outcome was recorded in the period.")
    median_days_to_decision: float | None = Field(description="From submission to decision, of those decided.")
    p90_days_to_decision: float | None
    within_target: float | None = Field(description="Share (0 to 1) of those decided within the decision target.")
    open_at_end: int = Field(description="Applications open at the period's end (or as_of, if sooner).")
    overdue_at_end: int = Field(description="Of those open, the ones past their due time then.")
    outcomes: dict[str, int] = Field(description="Decisions by result.")
    failure_reasons: dict[str, int] = Field(description="Reasons given by the failed decisions, counted.")


class ReportDoc(_Doc):
    """A month's or quarter's figures per SO and product, on recorded times: the document
    ``fmar report --period P --format json`` prints (which adds ``unverified``)."""

    format: Literal["fmar-report/v1"]
    period: str = Field(description="A month (2026-07) or a quarter (2026-Q3) of London days.")
    from_: str = Field(alias="from", description="ISO 8601 UTC: the period's first instant.")
    until: str = Field(description="ISO 8601 UTC: the period's last second.")
    as_of: str = Field(description="ISO 8601 UTC: when the figures are known (the period's end, or the as-of time).")
    complete: bool = Field(description="False for a period not over at the as-of time: its figures are to date.")
    clock: str
    unverified: list[dict[str, Any]] | None = Field(
        default=None, description="fmar report only: records left out because their signature did not verify."
    )
    rows: list[ReportRowDoc]


class ToolkitPhase(_Doc):
    phase: str
    title: str
    letter: str
    urn: str


class ToolkitBlock(_Doc):
    """A building block as its process record states it, with its stable URN."""

    code: str
    urn: str
    phase: str
    order: int
    name: str
    description: str | None
    actors: list[str]
    preconditions: list[str]
    postconditions: list[str]
    inputs: list[str] = Field(description="Ids of data objects.")
    outputs: list[str] = Field(description="Ids of data objects.")
    systems: list[str]
    follows: list[str] = Field(description="Codes of blocks.")
    leads_to: list[str] = Field(description="Codes of blocks.")
    record_kinds: list[str] = Field(description="The registry's record kinds that serve the block.")


class ToolkitCarrier(_Doc):
    kind: str
    fields: list[str]


class ToolkitDataObject(_Doc):
    id: str
    urn: str
    name: str
    description: str
    carried_by: list[ToolkitCarrier]


class ToolkitVersionDoc(_Doc):
    """A published version of the toolkit and the edits it made to the catalogue."""

    version: str
    date: str = Field(description="A day, or only the month where the toolkit dates it so.")
    author: str
    changes: str
    edits: list[dict[str, Any]] = Field(
        description="Each edit as the toolkit record states it: add_block, rename_block, condense_blocks or "
        "rename_phase (record schema toolkit.v1)."
    )
    glossary: bool = Field(description="This version published the raw JSON glossary.")


class ToolkitAboutDoc(_Doc):
    """The toolkit record: what the toolkit is, its aims, and every version."""

    id: str
    name: str
    description: str
    aims: list[str]
    discussion: str | None
    versions: list[ToolkitVersionDoc] = Field(description="Oldest first; the last is current.")


class PracticeTimescaleDoc(_Doc):
    step: str
    days: int
    basis: Literal["calendar", "working"]
    note: str | None


class PracticeDocumentDoc(_Doc):
    title: str
    url: str


class PracticeDoc(_Doc):
    """An SO's practice of a building block, as the SO signed it."""

    id: str
    so: str
    block: str
    summary: str
    inputs: list[str] = Field(description="Ids of data objects.")
    timescales: list[PracticeTimescaleDoc]
    systems: list[str]
    documents: list[PracticeDocumentDoc]


class ToolkitDoc(_Doc):
    """The end-to-end process toolkit as the registry holds it: its version history, phases in
    journey order, building blocks, data objects, and the SOs' practices of the blocks
    (``toolkit.jsonld`` says the blocks and data objects as SKOS concepts)."""

    format: Literal["fmar-toolkit/v1"]
    version: str | None = Field(description="The current version of the toolkit; null without a toolkit record.")
    toolkit: ToolkitAboutDoc | None
    phases: list[ToolkitPhase]
    blocks: list[ToolkitBlock]
    data_objects: list[ToolkitDataObject]
    practices: list[PracticeDoc] = Field(description="By block in journey order, then by SO.")


class NotificationDoc(_Doc):
    """A notification (``fmar notify``, ``fmar remind``): who it is for, its topic, the record and
    application it is about, when, and what it says; topics add their own data (a new application's
    data package, an outcome, a transition...)."""

    model_config = ConfigDict(extra="allow")
    recipient: str
    topic: str
    record: str
    application: str | None
    title: str
    summary: str
    at: str = Field(description="ISO 8601 UTC: the moment the notification is about.")


class WebhookDoc(_Doc):
    """The body of a webhook request (``fmar deliver``), signed by HMAC-SHA256 in X-Fmar-Signature-256."""

    format: Literal["fmar-webhook/v1"]
    recipient: str
    idempotency_key: str = Field(description="The same for the same notification, however often delivered.")
    range: dict[str, str] | None = Field(
        description="What the run covered: base and head commits of a push, or since and until of a window."
    )
    notification: NotificationDoc


#: The licence of the registry's data and of the exports built from it (the code's is in pyproject.toml).
DATA_LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}


class DataResource(_Doc):
    model_config = ConfigDict(extra="allow")
    name: str
    path: str
    format: str
    mediatype: str
    bytes: int
    hash: str


class DataPackage(_Doc):
    model_config = ConfigDict(extra="allow")
    name: str
    title: str
    version: str
    created: str
    resources: list[DataResource]


#: Export file (under /api/v<API_VERSION>/) -> the model describing it.
EXPORT_MODELS: dict[str, type[BaseModel]] = {
    "index": IndexDoc,
    "unit": UnitDoc,
    "product": ProductDoc,
    "party": PartyDoc,
    "qualifications": QualificationsDoc,
    "transitions": TransitionsDoc,
    "inbox": InboxDoc,
    "portfolio": PortfolioDoc,
    "report": ReportDoc,
    "toolkit": ToolkitDoc,
    "datapackage": DataPackage,
    "webhook": WebhookDoc,
}


def export_schema(name: str) -> dict[str, Any]:
    return envelope(EXPORT_MODELS[name], f"urn:fmar:export:{name}:v{API_VERSION}", "serialization")


def schema_file(name: str) -> str:
    return f"export-{name}.v{API_VERSION}.schema.json"


def schema_texts() -> dict[str, str]:
    """File name -> JSON text of every export schema."""
    return {schema_file(name): render(export_schema(name)) for name in EXPORT_MODELS}
