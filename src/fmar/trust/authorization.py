"""Who may sign what: the authorization matrix as data, and a pure decision against a registry view.

The view is the *base* registry (the revision a change is made against), never the change
itself: ownership, roles and licence areas a change grants cannot authorise the same change.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol

from fmar.core.catalogue import (
    ANCHOR_CHANGE_NOT_BY_OPERATOR,
    FSP_RECORD_NOT_BY_OWNER,
    IMPORT_NOT_BY_OPERATOR,
    PRACTICE_NOT_BY_SO,
    PRODUCT_NOT_BY_OWNER,
    REFERENCE_DATA_NOT_BY_OPERATOR,
    SO_RECORD_NOT_BY_SO,
)
from fmar.core.findings import Problem, Rule
from fmar.core.model import Application, MarketUnit, Party, PartyRole, Product
from fmar.core.model.event import EVENT_AUTHOR


class Entitled(StrEnum):
    """A party entitled to sign a record, described by its relation to the record."""

    OPERATOR = "the registry operator"
    OWNING_SO = "the system operator that owns the product"
    PRACTISING_SO = "the system operator whose practice it is"
    OWNING_FSP = "the FSP that owns the unit"
    DECIDING_SO = "the system operator that owns the product applied for"


#: The authorization matrix: subject (record kind, or ``event:<type>``) -> (rule, who may sign).
MATRIX: dict[str, tuple[Rule, tuple[Entitled, ...]]] = {
    "party": (REFERENCE_DATA_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "process": (REFERENCE_DATA_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "data_object": (REFERENCE_DATA_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "toolkit": (REFERENCE_DATA_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "practice": (PRACTICE_NOT_BY_SO, (Entitled.PRACTISING_SO,)),
    "import_attestation": (IMPORT_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "trust_anchor": (ANCHOR_CHANGE_NOT_BY_OPERATOR, (Entitled.OPERATOR,)),
    "product": (PRODUCT_NOT_BY_OWNER, (Entitled.OWNING_SO, Entitled.OPERATOR)),
    "market_unit": (FSP_RECORD_NOT_BY_OWNER, (Entitled.OWNING_FSP,)),
    "application": (FSP_RECORD_NOT_BY_OWNER, (Entitled.OWNING_FSP,)),
    "outcome": (SO_RECORD_NOT_BY_SO, (Entitled.DECIDING_SO,)),
    **{
        f"event:{event_type}": (
            (FSP_RECORD_NOT_BY_OWNER, (Entitled.OWNING_FSP,))
            if side == "fsp"
            else (SO_RECORD_NOT_BY_SO, (Entitled.DECIDING_SO,))
        )
        for event_type, side in EVENT_AUTHOR.items()
    },
}

#: Record kinds that grant authority: a change of one of these may not be used in the same change.
AUTHORITY_KINDS = ("party", "product")


class View(Protocol):
    """The records authorization looks up (in the gate: the base revision, loaded on demand)."""

    @property
    def parties(self) -> Mapping[str, Party]: ...

    def product(self, product_id: str) -> Product | None: ...

    def unit(self, unit_id: str) -> MarketUnit | None: ...

    def application(self, application_id: str) -> Application | None: ...


def subject(data: Mapping[str, Any]) -> str:
    kind = str(data.get("kind"))
    return f"event:{data.get('type')}" if kind == "event" else kind


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _owner(entitled: Entitled, kind: str, data: Mapping[str, Any], view: View) -> tuple[set[str], str]:
    """Parties matching ``entitled`` for the record, and why none do when the set is empty."""
    parties = view.parties
    if entitled is Entitled.OPERATOR:
        return {p.id for p in parties.values() if p.role is PartyRole.OPERATOR}, "the registry has no operator"
    if (entitled, kind) in ((Entitled.OWNING_SO, "product"), (Entitled.PRACTISING_SO, "practice")):
        so = _text(data.get("so"))
        party = parties.get(so)
        if party is None or not party.role.is_system_operator:
            return set(), f"{so or 'the named SO'} is not a system operator of the registry"
        return {so}, ""
    if entitled is Entitled.OWNING_FSP and kind == "market_unit":
        fsp = _text(data.get("fsp"))
        party = parties.get(fsp)
        if party is None or party.role is not PartyRole.FSP:
            return set(), f"{fsp or 'the named FSP'} is not an FSP of the registry"
        return {fsp}, ""
    application: Application | None = None
    unit_id = _text(data.get("unit"))
    if kind != "application":
        application_id = _text(data.get("application"))
        application = view.application(application_id)
        if application is None:
            return set(), f"application {application_id!r} is not in the registry"
        unit_id = application.unit
    if entitled is Entitled.OWNING_FSP:
        unit = view.unit(unit_id)
        if unit is None:
            return set(), f"unit {unit_id!r} is not in the registry"
        return {unit.fsp}, ""
    assert application is not None
    product = view.product(application.product)
    if product is None:
        return set(), f"product {application.product!r} is not in the registry"
    return {product.so}, ""


def check_authorization(
    data: Mapping[str, Any], view: View, *, previous: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Problems when the signer of ``data`` may not sign it, decided from ``view``.

    ``previous`` is the record as it stands in the view when ``data`` changes it: ownership
    (a product's SO, a unit's FSP) is taken from it, so a change cannot hand a record over.
    """
    signature = data.get("signature")
    signer = _text(signature.get("signer")) if isinstance(signature, dict) else ""
    topic = subject(data)
    entry = MATRIX.get(topic)
    if entry is None or not signer:
        return []  # unknown kinds and unsigned records are reported by the schema and signature rules
    rule, entitled = entry
    kind = str(data.get("kind"))
    owners: set[str] = set()
    reasons = []
    for who in entitled:
        found, why = _owner(who, kind, previous or data, view)
        owners |= found
        if why:
            reasons.append(why)
    if signer in owners:
        return []
    described = " or ".join(str(who) for who in entitled)
    named = f" ({', '.join(sorted(owners))})" if owners else ""
    because = f"; {'; '.join(reasons)}" if not owners and reasons else ""
    what = topic.replace("event:", "a ").replace("_", " ")
    return [
        Problem(
            rule,
            f"{what} record signed by {signer}, but only {described}{named} may sign it{because}",
            f"have {', '.join(sorted(owners)) or 'the entitled party'} sign it with one of its keys",
            ("signature", "signer"),
        )
    ]
