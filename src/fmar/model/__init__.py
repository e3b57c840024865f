"""Record models: the single source of truth for every record kind and its JSON Schema."""

from __future__ import annotations

from fmar.model.application import Application
from fmar.model.base import SCHEMA_VERSION, Record, Signature
from fmar.model.event import Event, EventType
from fmar.model.market_unit import MarketUnit
from fmar.model.outcome import Outcome, Result
from fmar.model.party import Party, PartyRole
from fmar.model.process import Process
from fmar.model.product import Product

#: Record kinds in dependency order: a kind may refer only to kinds before it.
RECORD_TYPES: tuple[type[Record], ...] = (Process, Party, Product, MarketUnit, Application, Outcome, Event)
KINDS: dict[str, type[Record]] = {model.KIND: model for model in RECORD_TYPES}

__all__ = [
    "KINDS",
    "RECORD_TYPES",
    "SCHEMA_VERSION",
    "Application",
    "Event",
    "EventType",
    "MarketUnit",
    "Outcome",
    "Party",
    "PartyRole",
    "Process",
    "Product",
    "Record",
    "Result",
    "Signature",
]
