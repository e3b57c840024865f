"""An in-memory registry: validated records by kind and id, with the lookups the rules need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import ClassVar, NamedTuple

from fmar.core import record_paths
from fmar.core.model import (
    Application,
    DataObject,
    Event,
    ImportAttestation,
    MarketUnit,
    Outcome,
    Party,
    Practice,
    Process,
    Product,
    Record,
    Toolkit,
)


class Attested(NamedTuple):
    """A record's original recorded time, as an import attestation gives it."""

    at: datetime
    attestation: str
    #: Who signed the attestation (the registry operator, when it stands) and the register it names.
    signer: str
    source: str


@dataclass
class Registry:
    """Records by kind and id. ``paths`` maps (kind, id) to the file the record came from."""

    parties: dict[str, Party] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    units: dict[str, MarketUnit] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    import_attestations: dict[str, ImportAttestation] = field(default_factory=dict)
    data_objects: dict[str, DataObject] = field(default_factory=dict)
    toolkits: dict[str, Toolkit] = field(default_factory=dict)
    practices: dict[str, Practice] = field(default_factory=dict)
    paths: dict[tuple[str, str], str] = field(default_factory=dict)
    #: When each record was accepted into the registry (from Git), by id; empty when unknown.
    recorded_at: dict[str, datetime] = field(default_factory=dict)

    _TABLES: ClassVar[dict[str, str]] = {
        "party": "parties",
        "product": "products",
        "market_unit": "units",
        "application": "applications",
        "outcome": "outcomes",
        "event": "events",
        "process": "processes",
        "import_attestation": "import_attestations",
        "data_object": "data_objects",
        "toolkit": "toolkits",
        "practice": "practices",
    }

    @classmethod
    def of(cls, records: Iterable[tuple[str, Record]]) -> Registry:
        registry = cls()
        for path, record in records:
            registry.add(record, path)
        return registry

    def add(self, record: Record, path: str = "") -> None:
        getattr(self, self._TABLES[record.KIND])[record.id] = record
        if isinstance(record, ImportAttestation):
            self.__dict__.pop("attested", None)
        if path:
            self.paths[(record.KIND, record.id)] = path

    def table(self, kind: str) -> dict[str, Record]:
        return getattr(self, self._TABLES[kind])

    def records(self) -> Iterable[Record]:
        for name in self._TABLES.values():
            yield from getattr(self, name).values()

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in self._TABLES.values())

    def path_of(self, record: Record) -> str:
        return self.paths.get((record.KIND, record.id)) or f"registry/{record_paths.path_of(record.KIND, record.id)}"

    def submitted_at(self, record: Record) -> datetime:
        """When a record entered the registry: the original recorded time an import attestation gives
        it (``attested``), else its recorded time if known, else its signing time."""
        return self.known_since(record.id, record.signature.signed_at)

    def made_at(self, record: Record) -> datetime:
        """When the record was made, as the lifecycle counts it: the original recorded time an import
        attestation gives it, else its signing time."""
        attested = self.attested.get(record.id)
        return attested.at if attested is not None else record.signature.signed_at

    def known_since(self, record_id: str, signed_at: datetime) -> datetime:
        """``submitted_at`` of the record ``record_id`` signed at ``signed_at``, from its id alone: the
        one statement of it."""
        attested = self.attested.get(record_id)
        if attested is not None:
            return attested.at
        return self.recorded_at.get(record_id) or signed_at

    @cached_property
    def attested(self) -> dict[str, Attested]:
        """The records an import attestation gives an original recorded time, by id (the first
        attestation by id, should two name one record: a registry rule refuses that)."""
        found: dict[str, Attested] = {}
        for attestation in sorted(self.import_attestations.values(), key=lambda a: a.id):
            signer = attestation.signature.signer
            for entry in attestation.records:
                found.setdefault(entry.id, Attested(entry.recorded_at, attestation.id, signer, attestation.source))
        return found

    @cached_property
    def applications_by_unit(self) -> dict[str, list[Application]]:
        index: dict[str, list[Application]] = defaultdict(list)
        for application in self.applications.values():
            index[application.unit].append(application)
        return index

    @cached_property
    def units_by_fsp(self) -> dict[str, list[MarketUnit]]:
        index: dict[str, list[MarketUnit]] = defaultdict(list)
        for unit in self.units.values():
            index[unit.fsp].append(unit)
        return index

    @cached_property
    def answers(self) -> dict[str, list[Outcome | Event]]:
        """Outcomes and events of each application, in the order they took effect."""
        index: dict[str, list[Outcome | Event]] = defaultdict(list)
        for outcome in self.outcomes.values():
            index[outcome.application].append(outcome)
        for event in self.events.values():
            index[event.application].append(event)
        for items in index.values():
            items.sort(key=lambda item: (effective_at(item), item.id))
        return index


def effective_at(item: Outcome | Event) -> datetime:
    """When an outcome or event takes effect in the lifecycle."""
    return item.decided_at if isinstance(item, Outcome) else item.effective_at
