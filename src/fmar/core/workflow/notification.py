"""Who is told what when records are merged: pure payloads from the records a push added or changed.

- an application added: its SO, with the standard data package;
- an outcome added: the unit's FSP;
- an event added: the other side (SO events go to the FSP, FSP events to the SO);
- a unit changed materially: every SO whose qualification of it now requires re-assessment.

Payloads are JSON per recipient and Atom entries per recipient, byte-for-byte the same for the
same commits (ids, times and order come from the records, never from the clock).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from fmar.core import gb_time
from fmar.core.model import KINDS, Application, Event, MarketUnit, Outcome, Record
from fmar.core.model.event import EVENT_AUTHOR
from fmar.core.registry import Registry
from fmar.core.status import Status, application_status
from fmar.core.workflow.package import build_package, package_json
from fmar.signing.records import iso

NOTIFICATION_FORMAT = "fmar-notification/v1"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Notice:
    recipient: str
    topic: str
    record: str
    application: str | None
    title: str
    summary: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "topic": self.topic,
            "record": self.record,
            "application": self.application,
            "title": self.title,
            "summary": self.summary,
            "at": iso(self.at),
            **self.data,
        }


def fsp_of(registry: Registry, application: Application) -> str | None:
    unit = registry.units.get(application.unit)
    return unit.fsp if unit else None


def _application_notice(registry: Registry, application: Application, as_of: datetime) -> Notice:
    package = package_json(build_package(registry, application.id, as_of))
    return Notice(
        recipient=application.so,
        topic="application_submitted",
        record=application.id,
        application=application.id,
        title=f"New application {application.id}: {application.unit} for {application.product}",
        summary=(
            f"{fsp_of(registry, application)} applies for {application.product} v{application.product_version} "
            f"with {application.unit} (up {application.capacity_up_kw:.2f} kW, down "
            f"{application.capacity_down_kw:.2f} kW). Acknowledge or ask for information: "
            f"fmar acknowledge {application.id}"
        ),
        at=registry.submitted_at(application),
        data={"package": package},
    )


def _outcome_notice(registry: Registry, outcome: Outcome, application: Application, as_of: datetime) -> Notice | None:
    fsp = fsp_of(registry, application)
    if fsp is None:
        return None
    current = application_status(registry, application, as_of)
    validity = (
        f", valid {gb_time.shown(outcome.valid_from)} to {gb_time.shown(outcome.valid_until)} (London)"
        if outcome.valid_from and outcome.valid_until
        else ""
    )
    reasons = f" Reasons: {', '.join(outcome.reasons)}." if outcome.reasons else ""
    return Notice(
        recipient=fsp,
        topic="outcome_recorded",
        record=outcome.id,
        application=application.id,
        title=f"{application.so} decided {application.id}: {outcome.result.value.replace('_', ' ')}",
        summary=f"{application.unit} for {application.product}: {outcome.result.value}{validity}.{reasons}",
        at=registry.submitted_at(outcome),
        data={"outcome": outcome.model_dump(mode="json", exclude_none=True), "status": str(current.status)},
    )


def _event_notice(registry: Registry, event: Event, application: Application) -> Notice | None:
    by_so = EVENT_AUTHOR[event.type] == "so"
    recipient = fsp_of(registry, application) if by_so else application.so
    if recipient is None:
        return None
    what = event.type.value.replace("_", " ")
    extra = (
        f" Respond by {gb_time.shown(event.respond_by)}: fmar supply-info {application.id}" if event.respond_by else ""
    )
    reason = f" Reason: {event.reason}" if event.reason else ""
    return Notice(
        recipient=recipient,
        topic=f"event_{event.type.value}",
        record=event.id,
        application=application.id,
        title=f"{application.id} {what} by {event.signature.signer}",
        summary=f"{application.unit} for {application.product}: {what}.{reason}{extra}",
        at=registry.submitted_at(event),
        data={"event": event.model_dump(mode="json", exclude_none=True)},
    )


def _unit_notices(registry: Registry, unit: MarketUnit, as_of: datetime) -> list[Notice]:
    notices = []
    for application in registry.applications_by_unit.get(unit.id, []):
        current = application_status(registry, application, as_of)
        if current.status is Status.REASSESSMENT_REQUIRED:
            notices.append(
                Notice(
                    recipient=application.so,
                    topic="reassessment_required",
                    record=unit.id,
                    application=application.id,
                    title=f"{unit.id} changed: {application.product} qualification needs re-assessment",
                    summary=f"{current.detail}. Qualification via {application.id}.",
                    at=current.since,  # when the change took effect, not when the unit was first recorded
                    data={"unit": unit.model_dump(mode="json", exclude_none=True)},
                )
            )
    return notices


def notices(registry: Registry, changed: list[tuple[str, str]], as_of: datetime) -> list[Notice]:
    """Notices for the records ``changed`` (kind, id) in a push, as the registry stands at ``as_of``."""
    out: list[Notice] = []
    for kind, record_id in changed:
        record: Record | None = registry.table(kind).get(record_id) if kind in KINDS else None
        if isinstance(record, Application):
            out.append(_application_notice(registry, record, as_of))
        elif isinstance(record, Outcome | Event) and record.application in registry.applications:
            application = registry.applications[record.application]
            found = (
                _outcome_notice(registry, record, application, as_of)
                if isinstance(record, Outcome)
                else _event_notice(registry, record, application)
            )
            if found is not None:
                out.append(found)
        elif isinstance(record, MarketUnit):
            out.extend(_unit_notices(registry, record, as_of))
    return sorted(out, key=lambda n: (n.recipient, n.at, n.record, n.topic))


def by_recipient(found: list[Notice]) -> dict[str, list[Notice]]:
    grouped: dict[str, list[Notice]] = {}
    for notice in found:
        grouped.setdefault(notice.recipient, []).append(notice)
    return grouped


def recipient_json(registry: Registry, recipient: str, items: list[Notice], window: dict[str, str]) -> str:
    """The payload for ``recipient``; ``window``: what it covers (``base`` and ``head`` commits of a
    push, or the ``since`` and ``until`` times of a scheduled run)."""
    party = registry.parties.get(recipient)
    document = {
        "format": NOTIFICATION_FORMAT,
        "recipient": recipient,
        "github_team": party.github_team if party else None,
        "email": party.contact.email if party else None,
        "range": window,
        "notifications": [n.to_json() for n in items],
    }
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def recipient_markdown(registry: Registry, recipient: str, items: list[Notice]) -> str:
    """The body of the issue or comment the repository automation posts for ``recipient``."""
    party = registry.parties.get(recipient)
    mention = party.github_team if party and party.github_team else recipient
    lines = [f"{mention}: {len(items)} registry change(s) concern you.", ""]
    for notice in items:
        lines.append(f"- **{notice.title}** ({gb_time.shown_time(notice.at)})  ")
        lines.append(f"  {notice.summary}")
    lines += ["", "The full payloads, with each application's data package, are in the workflow's artefact."]
    return "\n".join(lines) + "\n"


def atom_feed(recipient: str, items: list[Notice]) -> str:
    """An Atom feed of the notices for ``recipient`` (one entry per notice)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:fmar:feed:{recipient}"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"fmar registry changes for {recipient}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = iso(max(n.at for n in items))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "fmar registry"
    for notice in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:fmar:notification:{notice.record}:{recipient}:{notice.topic}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = notice.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = iso(notice.at)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=notice.topic)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = notice.summary
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
