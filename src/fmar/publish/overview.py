"""The registry as the registry-wide outputs see it: reference records plus every unit's facts.

``Overview`` aggregates (``facts.UnitFacts``); it never needs the unit groups' records, so a
build that re-derived ten units still publishes tables, summaries and service levels over all
of them. Pure: data in, data out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from fmar.core.model import DataObject, ImportAttestation, Party, PartyRole, Practice, Process, Product, Toolkit
from fmar.core.status import HOLDING
from fmar.core.workflow.reports import Period, ReportRow, periods_between, reports_from
from fmar.core.workflow.service_levels import ServiceFact, ServiceLevel, aggregate, inbox_order, open_entry
from fmar.publish.derive import HOLDERS_LISTED, ProductSummary
from fmar.publish.facts import UnitFacts
from fmar.publish.ledger import ChangeLedger

#: The statuses that hold a qualification, as the contributions spell them.
_HOLDING = frozenset(str(status) for status in HOLDING)


@dataclass
class Overview:
    as_of: datetime
    head: str | None
    parties: dict[str, Party]
    products: dict[str, Product]
    processes: dict[str, Process]
    #: Facts by unit id.
    facts: dict[str, UnitFacts]
    #: Every change of every record (reference records, unit groups, removed records), in order.
    ledger: ChangeLedger
    #: The toolkit's data objects, by id.
    data_objects: dict[str, DataObject] = field(default_factory=dict)
    #: The import attestations, by id.
    import_attestations: dict[str, ImportAttestation] = field(default_factory=dict)
    #: The toolkit's own record (its version history), by id: one in a valid registry.
    toolkits: dict[str, Toolkit] = field(default_factory=dict)
    #: The SOs' practices of building blocks, by id.
    practices: dict[str, Practice] = field(default_factory=dict)

    @property
    def toolkit(self) -> Toolkit | None:
        """The toolkit record (the first by id, should a registry hold more: ``TOOLKIT_NOT_ONE``)."""
        return self.toolkits[min(self.toolkits)] if self.toolkits else None

    def units(self) -> Iterator[UnitFacts]:
        for unit_id in sorted(self.facts):
            yield self.facts[unit_id]

    def qualifications_json(self) -> bytes:
        """The encoded JSON array of the governing status of every (unit, product) pair, sorted
        by unit and product."""
        return b"[" + b",".join(f.qualifications_json for f in self.units() if f.qualifications_json) + b"]"

    @cached_property
    def counts(self) -> dict[str, int]:
        facts = self.facts.values()
        return {
            "parties": len(self.parties),
            "products": len(self.products),
            "market_units": len(self.facts),
            "applications": sum(len(f.applications) for f in facts),
            "outcomes": sum(f.answers[0] for f in facts),
            "events": sum(f.answers[1] for f in facts),
            "processes": len(self.processes),
            "qualified_pairs": sum(c.status in _HOLDING for f in facts for c in f.contributions),
            "live_pairs": sum(c.live for f in facts for c in f.contributions),
        }

    @cached_property
    def product_summaries(self) -> dict[str, ProductSummary]:
        """Each product's units by status, and those holding a qualification (``status.HOLDING``)."""
        summaries: dict[str, ProductSummary] = defaultdict(ProductSummary)
        for facts in self.units():
            for c in facts.contributions:
                summary = summaries[c.product]
                summary.statuses[c.status] += 1
                if c.status not in HOLDING:
                    continue
                if summary.units < HOLDERS_LISTED:
                    summary.holders.append((facts.unit, facts.name, c.status))
                summary.units += 1
                summary.up_kw += c.up_kw
                summary.down_kw += c.down_kw
                for table, key in ((summary.by_technology, c.technology), (summary.by_area, c.area)):
                    row = table[key]
                    row[0] += 1
                    row[1] += c.up_kw
                    row[2] += c.down_kw
        return summaries

    @cached_property
    def _by_so(self) -> dict[str, list[ServiceFact]]:
        out: dict[str, list[ServiceFact]] = defaultdict(list)
        for facts in self.facts.values():
            for fact in facts.service:
                out[fact.so].append(fact)
        for facts_of_so in out.values():
            facts_of_so.sort(key=lambda f: f.application)
        return out

    def service_level(self, so: str) -> ServiceLevel:
        """The SO's service levels over every unit's applications (``service_levels.aggregate``,
        as ``fmar sla`` counts them), its open applications being those the site lists."""
        return aggregate(self._by_so.get(so, []), len(self.open_applications(so)))

    def open_applications(self, so: str) -> list[dict[str, Any]]:
        """Applications awaiting ``so`` or its FSPs (``status.qualification_doc`` fields), oldest first."""
        return self._open_by_so.get(so, [])

    @cached_property
    def reports(self) -> dict[Period, list[ReportRow]]:
        """Every month's and quarter's report (``reports.reports_from``), from the month of the first
        application recorded to the as-of time's: months, then quarters, each in order."""
        first = min((f.submitted for facts in self.facts.values() for f in facts.reports), default=None)
        if first is None:
            return {}
        spans = periods_between(datetime.fromtimestamp(first, UTC), self.as_of)
        found = reports_from((f for facts in self.units() for f in facts.reports), spans, self.as_of)
        return {span: found[span.name] for span in spans}

    @cached_property
    def portfolios(self) -> dict[str, list[UnitFacts]]:
        """Each FSP's units' facts, by FSP id (every FSP, with units or none), the units by id (once
        every unit's facts are known)."""
        out: dict[str, list[UnitFacts]] = {
            party_id: [] for party_id, party in sorted(self.parties.items()) if party.role is PartyRole.FSP
        }
        for facts in self.units():
            out.setdefault(facts.fsp, []).append(facts)
        return out

    def system_operators(self) -> list[str]:
        """The ids of the SOs (DSOs and NESO), sorted."""
        return sorted(party_id for party_id, party in self.parties.items() if party.role.is_system_operator)

    def inbox(self, so: str) -> list[dict[str, Any]]:
        """The SO's inbox at the as-of time, as ``fmar inbox --format json`` lists it
        (``service_levels.open_entry``, in ``service_levels.inbox_order``)."""
        entries = [
            open_entry(
                application=q["application"],
                unit=q["unit"],
                fsp=q["fsp"],
                product=q["product"],
                so=so,
                status=q["status"],
                waiting_for=q["waiting_for"] or "",
                submitted_at=datetime.fromisoformat(q["submitted_at"]),
                due_at=datetime.fromisoformat(q["due"]) if q["due"] else None,
                as_of=self.as_of,
            )
            for q in self.open_applications(so)
        ]
        return sorted(entries, key=inbox_order)

    @cached_property
    def _open_by_so(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for facts in self.facts.values():
            for q in facts.open:
                out[q["so"]].append(q)
        for listed in out.values():
            listed.sort(key=lambda q: (q["since"], q["application"]))
        return out

    @cached_property
    def units_by_fsp(self) -> dict[str, list[tuple[str, str]]]:
        """(id, name) of each FSP's units, sorted by id."""
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for facts in self.units():
            out[facts.fsp].append((facts.unit, facts.name))
        return out
