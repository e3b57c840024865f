"""Record models: the single source of truth for every record kind and its JSON Schema."""

from __future__ import annotations

from fmar.core.model.application import Application
from fmar.core.model.base import SCHEMA_VERSION, Record, Signature
from fmar.core.model.data_object import DataObject
from fmar.core.model.event import Event, EventType
from fmar.core.model.import_attestation import ImportAttestation
from fmar.core.model.market_unit import MarketUnit
from fmar.core.model.outcome import Outcome, Result
from fmar.core.model.party import Party, PartyRole
from fmar.core.model.practice import Practice
from fmar.core.model.process import Process
from fmar.core.model.product import Product
from fmar.core.model.toolkit import Toolkit

#: Record kinds in dependency order: a kind may refer only to kinds before it.
RECORD_TYPES: tuple[type[Record], ...] = (
    DataObject,
    Process,
    Toolkit,
    Party,
    Practice,
    Product,
    MarketUnit,
    Application,
    Outcome,
    Event,
    ImportAttestation,
)
KINDS: dict[str, type[Record]] = {model.KIND: model for model in RECORD_TYPES}
#: Kinds of reference records: every other record may refer to them, so they are always read whole
#: (never picked by the unit they concern).
REFERENCE_KINDS = frozenset({"party", "product", "process", "data_object", "toolkit", "practice", "import_attestation"})

__all__ = [
    "KINDS",
    "RECORD_TYPES",
    "REFERENCE_KINDS",
    "SCHEMA_VERSION",
    "Application",
    "DataObject",
    "Event",
    "EventType",
    "ImportAttestation",
    "MarketUnit",
    "Outcome",
    "Party",
    "PartyRole",
    "Practice",
    "Process",
    "Product",
    "Record",
    "Result",
    "Signature",
    "Toolkit",
]
