"""Rules that look at one record alone. Pure functions: a record in, problems out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fmar.core.catalogue import (
    ACCOUNTING_POINT_COUNT,
    BAD_EQUIVALENCE,
    CAPACITY_ABOVE_APPLIED,
    CAPACITY_ABOVE_ASSETS,
    CONDITIONS_OR_REASONS,
    CONTACT_DETAILS_IN_TEXT,
    DUPLICATE_ASSET_CATEGORY,
    FAILURE_GRANTS_SOMETHING,
    GSP_GROUP_MISMATCH,
    KEY_NOT_UNIQUE,
    KEY_VALIDITY_WINDOW,
    LICENCE_AREAS,
    METER_NUMBER_IN_TEXT,
    NO_CAPACITY,
    POSTCODE_IN_TEXT,
    PRODUCT_ID_NOT_SO,
    PRODUCT_VERSION_SEQUENCE,
    REASON_MISSING,
    RESPONSE_DEADLINE,
    UNIT_ID_NOT_FSP,
    VALIDITY_BACKWARDS,
)
from fmar.core.findings import Problem
from fmar.core.model import (
    Application,
    Event,
    EventType,
    MarketUnit,
    Outcome,
    Party,
    PartyRole,
    Product,
    Record,
)
from fmar.core.model.market_unit import Composition
from fmar.core.model.outcome import Result
from fmar.core.reference import GSP_GROUP_OF_AREA, UnitType
from fmar.core.rules import toolkit

#: Fields holding free text written by people, checked for personal data.
TEXT_FIELDS = frozenset(
    {
        "name",
        "description",
        "notes",
        "note",
        "conditions",
        "reason",
        "revocation_reason",
        "title",
        "summary",
        "step",
        "changes",
        "aims",
        "preconditions",
        "postconditions",
    }
)
_MPAN = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,20}[0-9](?![0-9])")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
#: "2nd", "3rd", "1st", "4th": an ordinal after a code-like word ("Block A1 2nd floor"), not an inward postcode.
_ORDINAL = re.compile(r"[0-9](?:st|nd|rd|th)\Z")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
_PHONE = re.compile(r"(?<![0-9])(?:\+44 ?|0)(?:[0-9] ?){9,10}(?![0-9])")


def _texts(value: Any, location: tuple[str | int, ...], in_text: bool) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location, text) of every string in a free-text field, depth first in document order.

    A loop over a stack (it runs for every record file): only containers and the strings of
    text fields are visited; other values are passed over where they are found."""
    stack: list[tuple[Any, tuple[str | int, ...], bool]] = [(value, location, in_text)]
    while stack:
        value, location, in_text = stack.pop()
        if isinstance(value, dict):
            found = [
                (item, (*location, key), key in TEXT_FIELDS)
                for key, item in value.items()
                if isinstance(item, (dict, list)) or (isinstance(item, str) and key in TEXT_FIELDS)
            ]
            stack.extend(reversed(found))
        elif isinstance(value, list):
            found = [
                (item, (*location, index), in_text)
                for index, item in enumerate(value)
                if isinstance(item, (dict, list)) or (in_text and isinstance(item, str))
            ]
            stack.extend(reversed(found))
        elif in_text and isinstance(value, str):
            yield location, value


def privacy(data: dict[str, Any]) -> Iterator[Problem]:
    """The privacy rules on the raw record data (free-text fields only): meter numbers, postcodes, contact details."""
    for location, text in _texts(data, (), False):
        if _MPAN.search(text):
            yield Problem(
                METER_NUMBER_IN_TEXT,
                "text contains a long number that could be an MPAN or meter serial",
                "remove it: a public registry never shows MPANs (even hashed); the SO receives them privately",
                location,
            )
        if any(not _ORDINAL.search(match.group()) for match in _POSTCODE.finditer(text)):
            yield Problem(
                POSTCODE_IN_TEXT,
                "text contains what looks like a full UK postcode",
                "name the site by its area or a business name; postcodes of domestic premises are personal data",
                location,
            )
        if _EMAIL.search(text) or _PHONE.search(text):
            yield Problem(
                CONTACT_DETAILS_IN_TEXT,
                "text contains an e-mail address or telephone number",
                "put an organisation's role mailbox in the party's contact block, nowhere else",
                location,
            )


def _party(party: Party) -> Iterator[Problem]:
    if party.role is PartyRole.DSO and not party.licence_areas:
        yield Problem(
            LICENCE_AREAS, "a DSO must list its licence areas", "add 'licence_areas: [...]'", ("licence_areas",)
        )
    if party.role is not PartyRole.DSO and party.licence_areas:
        yield Problem(
            LICENCE_AREAS,
            f"a party with role {party.role} has no licence areas",
            "remove 'licence_areas'",
            ("licence_areas",),
        )
    seen: set[str] = set()
    for index, key in enumerate(party.keys):
        if key.id in seen:
            yield Problem(
                KEY_NOT_UNIQUE, f"key id {key.id!r} is used twice", "give every key its own id", ("keys", index, "id")
            )
        seen.add(key.id)
        if key.valid_until is not None and key.valid_until <= key.valid_from:
            yield Problem(
                KEY_VALIDITY_WINDOW,
                "key validity ends before it starts",
                "make valid_until later than valid_from",
                ("keys", index, "valid_until"),
            )
        if (key.revoked_at is None) != (key.revocation_reason is None):
            yield Problem(
                KEY_VALIDITY_WINDOW,
                "a revoked key needs both revoked_at and revocation_reason",
                "give both the time of revocation and its reason, or neither",
                ("keys", index),
            )


def _product(product: Product) -> Iterator[Problem]:
    previous = None
    for index, version in enumerate(product.versions):
        if version.version != index + 1:
            yield Problem(
                PRODUCT_VERSION_SEQUENCE,
                f"version {version.version} is number {index + 1} in the list",
                "number versions 1, 2, 3... in order; add a new version at the end",
                ("versions", index, "version"),
            )
        if previous is not None and version.effective_from <= previous.effective_from:
            yield Problem(
                PRODUCT_VERSION_SEQUENCE,
                f"version {version.version} takes effect no later than version {previous.version}",
                "give each new version a later effective_from",
                ("versions", index, "effective_from"),
            )
        previous = version
    seen: set[str] = set()
    for index, equivalence in enumerate(product.equivalent_to):
        if equivalence.product == product.id or equivalence.product in seen:
            yield Problem(
                BAD_EQUIVALENCE,
                f"equivalence to {equivalence.product} repeats or names the product itself",
                "name each other product once",
                ("equivalent_to", index, "product"),
            )
        seen.add(equivalence.product)
    if not product.id.startswith(product.so + "-"):
        yield Problem(
            PRODUCT_ID_NOT_SO,
            f"product id {product.id} does not start with its SO's id {product.so}",
            f"name the product {product.so}-<CODE>",
            ("id",),
        )


def composition_problems(composition: Composition, location: tuple[str | int, ...]) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, group in enumerate(composition.assets):
        if group.category in seen:
            yield Problem(
                DUPLICATE_ASSET_CATEGORY,
                f"asset category {group.category} appears twice",
                "give one entry per category, with the total count and capacity",
                (*location, "assets", index, "category"),
            )
        seen.add(group.category)
    rated = round(sum(group.capacity_kw for group in composition.assets), 2)
    for field in ("import_capacity_kw", "export_capacity_kw"):
        value = getattr(composition, field)
        if value > rated:
            yield Problem(
                CAPACITY_ABOVE_ASSETS,
                f"{field} {value:.2f} kW exceeds the assets' rated capacity {rated:.2f} kW",
                "lower the capacity or list the assets that provide it",
                (*location, field),
            )
    if composition.import_capacity_kw == 0 and composition.export_capacity_kw == 0:
        yield Problem(
            NO_CAPACITY, "the unit can neither import nor export", "give its import or export capacity", location
        )


def _market_unit(unit: MarketUnit) -> Iterator[Problem]:
    expected = GSP_GROUP_OF_AREA[unit.licence_area]
    if unit.gsp_group != expected:
        yield Problem(
            GSP_GROUP_MISMATCH,
            f"GSP group {unit.gsp_group} is not that of licence area {unit.licence_area}",
            f"write gsp_group: {expected}",
            ("gsp_group",),
        )
    if unit.unit_type is UnitType.SPU and unit.accounting_points != 1:
        yield Problem(
            ACCOUNTING_POINT_COUNT,
            f"an SPU has one accounting point, not {unit.accounting_points}",
            "make it an SPG, or set accounting_points: 1",
            ("accounting_points",),
        )
    if unit.unit_type is UnitType.SPG and unit.accounting_points < 2:
        yield Problem(
            ACCOUNTING_POINT_COUNT,
            "an SPG spans two or more accounting points",
            "make it an SPU, or give the number of accounting points",
            ("accounting_points",),
        )
    yield from composition_problems(unit.composition, ("composition",))
    if not unit.id.startswith(f"MU-{unit.fsp}-"):
        yield Problem(
            UNIT_ID_NOT_FSP,
            f"unit id {unit.id} does not name its FSP {unit.fsp}",
            f"name the unit MU-{unit.fsp}-<6-digit serial>",
            ("id",),
        )


def _application(application: Application) -> Iterator[Problem]:
    yield from composition_problems(application.unit_composition, ("unit_composition",))


def _outcome(outcome: Outcome) -> Iterator[Problem]:
    granting = outcome.result is not Result.FAILED
    if granting:
        if outcome.valid_from is None or outcome.valid_until is None:
            yield Problem(
                VALIDITY_BACKWARDS,
                "a qualification needs valid_from and valid_until",
                "give the validity window of the qualification",
                (),
            )
        elif outcome.valid_from >= outcome.valid_until:
            yield Problem(
                VALIDITY_BACKWARDS,
                "validity ends before it starts",
                "make valid_until later than valid_from",
                ("valid_until",),
            )
        if outcome.capacity_up_kw == 0 and outcome.capacity_down_kw == 0:
            yield Problem(
                CAPACITY_ABOVE_APPLIED,
                "a qualification grants no capacity",
                "give the capacity qualified (capacity_up_kw, capacity_down_kw)",
                (),
            )
        if outcome.reasons:
            yield Problem(
                CONDITIONS_OR_REASONS, "only a failed outcome gives failure reasons", "remove 'reasons'", ("reasons",)
            )
    else:
        if outcome.valid_from or outcome.valid_until or outcome.capacity_up_kw or outcome.capacity_down_kw:
            yield Problem(
                FAILURE_GRANTS_SOMETHING,
                "a failed outcome grants no validity and no capacity",
                "remove valid_from, valid_until and the capacities",
                (),
            )
        if not outcome.reasons:
            yield Problem(CONDITIONS_OR_REASONS, "a failed outcome lists its reasons", "add 'reasons: [...]'", ())
    if outcome.result is Result.CONDITIONALLY_QUALIFIED and not outcome.conditions:
        yield Problem(
            CONDITIONS_OR_REASONS, "a conditional qualification lists its conditions", "add 'conditions: [...]'", ()
        )
    if outcome.result is not Result.CONDITIONALLY_QUALIFIED and outcome.conditions:
        yield Problem(
            CONDITIONS_OR_REASONS,
            "only a conditional qualification has conditions",
            "remove 'conditions' or make the result conditionally_qualified",
            ("conditions",),
        )


_NEEDS_REASON = {EventType.WITHDRAWN, EventType.SUSPENDED, EventType.REVOKED}


def _event(event: Event) -> Iterator[Problem]:
    if event.type in _NEEDS_REASON and not event.reason:
        yield Problem(REASON_MISSING, f"a {event.type} event gives a reason", "add 'reason: ...'", ())
    if event.type is EventType.INFORMATION_REQUESTED:
        if event.respond_by is None:
            yield Problem(
                RESPONSE_DEADLINE,
                "an information request gives a deadline",
                "add 'respond_by' (the product's information_response_days after now)",
                (),
            )
        elif event.respond_by <= event.effective_at:
            yield Problem(
                RESPONSE_DEADLINE, "the deadline is not after the request", "make respond_by later", ("respond_by",)
            )
    elif event.respond_by is not None:
        yield Problem(
            RESPONSE_DEADLINE, "only an information request has a deadline", "remove 'respond_by'", ("respond_by",)
        )


_BY_KIND: dict[str, Callable[[Any], Iterator[Problem]]] = {
    "party": _party,
    "product": _product,
    "market_unit": _market_unit,
    "application": _application,
    "outcome": _outcome,
    "event": _event,
    "process": toolkit.process,
    "data_object": toolkit.data_object,
    "toolkit": toolkit.toolkit_versions,
    "practice": toolkit.practice,
    # Import attestations: every rule is across records (``rules.registry.imports``).
    "import_attestation": lambda _: iter(()),
}


def check_record(record: Record, data: dict[str, Any]) -> list[Problem]:
    """Every single-record rule for ``record`` (validated) parsed from ``data``."""
    return [*privacy(data), *_BY_KIND[record.KIND](record)]
