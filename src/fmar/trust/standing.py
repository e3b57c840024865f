"""Which records stand as the registry's word: a pure decision over records and their seals.

A record stands when its signature verifies (the seal holds under a key its signer publishes,
valid when it signed, not revoked before the registry recorded it) and its signer may sign it
(``fmar.trust.authorization``), judged against the records that stand before it: parties
against the trust anchor's keys, then processes, products, units, applications, outcomes and
events, each against the parties, products, units and applications that stood. So a record
that refers to a refused one is refused too, and nothing a refused record says is counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from fmar.core.catalogue import SIGNATURE_INCOMPLETE
from fmar.core.findings import Problem, Severity
from fmar.core.model import Application, Event, MarketUnit, Outcome, Party, Product, Record
from fmar.core.registry import Registry
from fmar.core.workflow.drafting import problems_with
from fmar.signing.seal import Seal
from fmar.trust.anchor import TrustAnchor, check_operator
from fmar.trust.authorization import check_authorization
from fmar.trust.signatures import Claim, judge, registry_problem

#: The order in which records are judged: each kind only refers to kinds before it.
ORDER = (
    "party",
    "data_object",
    "process",
    "toolkit",
    "practice",
    "product",
    "market_unit",
    "application",
    "outcome",
    "event",
    "import_attestation",
)


@dataclass
class Standing:
    """The records that stand (``registry``) and why each other one does not, by path."""

    registry: Registry
    refused: dict[str, list[Problem]] = field(default_factory=dict)

    @classmethod
    def of(cls, registry: Registry, refused: dict[str, list[Problem]]) -> Standing:
        """The standing that refuses the records at the paths of ``refused`` (as ``stand`` decided)."""
        if not refused:
            return cls(registry)
        stood = Registry.of((path, r) for r in registry.records() if (path := registry.path_of(r)) not in refused)
        stood.recorded_at = registry.recorded_at
        return cls(stood, dict(refused))


@dataclass
class _Stood:
    """The authorization view over the records that stood so far."""

    parties: dict[str, Party]
    stood: Registry

    def product(self, product_id: str) -> Product | None:
        return self.stood.products.get(product_id)

    def unit(self, unit_id: str) -> MarketUnit | None:
        return self.stood.units.get(unit_id)

    def application(self, application_id: str) -> Application | None:
        return self.stood.applications.get(application_id)


#: The fields authorization reads, by record kind (``fmar.trust.authorization._owner``).
_CLAIMED = {
    "party": (),
    "process": (),
    "data_object": (),
    "toolkit": (),
    "practice": ("so",),
    "product": ("so",),
    "market_unit": ("fsp",),
    "application": ("unit",),
    "outcome": ("application",),
    "event": ("type", "application"),
    "import_attestation": (),
}


def claims(record: Record) -> dict[str, Any]:
    """What authorization reads of a record, as its data would hold it."""
    out: dict[str, Any] = {"kind": record.KIND, "signature": {"signer": record.signature.signer}}
    for name in _CLAIMED[record.KIND]:
        value = getattr(record, name)
        out[name] = value.value if isinstance(value, Enum) else value
    return out


def stand(registry: Registry, seals: Mapping[str, Seal], anchor: TrustAnchor | None) -> Standing:
    """Judge every record of ``registry`` (with ``seals`` by path, and ``registry.recorded_at``: when
    the registry accepted each record) under ``anchor``: records signed for another registry than
    the one it names do not stand, and parties are checked against its keys (against the parties'
    own when there is no anchor, as in a registry being set up)."""
    recorded = registry.recorded_at
    stood = Registry(paths=registry.paths, recorded_at=registry.recorded_at)
    standing = Standing(stood)
    # Party records: the operator's keys are the anchor's; anyone else's signature is checked with the
    # keys its own party record publishes, so that what it lacks is named: the right to sign parties.
    operator_keys: Mapping[str, Party] = (
        {**registry.parties, anchor.operator: anchor.as_party()} if anchor else registry.parties
    )
    identity = anchor.registry if anchor else None
    view = _Stood(dict(registry.parties), stood)
    for kind in ORDER:
        keys = operator_keys if kind == "party" else stood.parties
        for record_id, record in registry.table(kind).items():
            path = registry.path_of(record)
            problems = _problems(record, seals.get(path), keys, recorded.get(record_id), identity)
            if not problems and not _dangling(record, registry):
                problems = check_authorization(claims(record), view)
            if isinstance(record, Party) and anchor is not None and record_id == anchor.operator and not problems:
                problems = check_operator(anchor, {record_id: record})
            if problems:
                standing.refused[path] = problems
            else:
                stood.add(record, path)
        if kind == "party":
            view.parties = stood.parties
    return standing


def _problems(
    record: Record,
    seal: Seal | None,
    keys: Mapping[str, Party],
    recorded_at: datetime | None,
    identity: str | None,
) -> list[Problem]:
    if seal is None:
        return [
            Problem(
                SIGNATURE_INCOMPLETE,
                "the record's signature was not checked",
                "read the registry with signatures checked (the default)",
                ("signature",),
            )
        ]
    signature = record.signature
    if identity is not None and (other := registry_problem(signature.registry, identity)):
        return [other]
    claim = Claim(signature.signer, signature.key_fingerprint, signature.signed_at)
    return judge(claim, seal, keys, recorded_at=recorded_at)


def _dangling(record: Record, registry: Registry) -> bool:
    """True when a record refers to a unit, application or product that is not in the registry at all
    (not refused: absent). Its signer's entitlement cannot be decided again from what remains; the
    rules across records report the missing reference (fmar validate), and the gate decided the
    entitlement when the record was merged."""
    application: Application | None
    if isinstance(record, Application):
        application = record
    elif isinstance(record, Outcome | Event):
        application = registry.applications.get(record.application)
        if application is None:
            return True
    else:
        return False
    return application.unit not in registry.units or application.product not in registry.products


def vet(record: Record, registry: Registry, anchor: TrustAnchor | None = None) -> list[Problem]:
    """Why ``record``, just signed, would not stand in ``registry`` (the records that stand): the
    errors the rules across records give it once it is there, and whether its signer may sign it
    (ownership taken from the version that stands, when it changes one; the operator is the one
    ``anchor`` pins, even before its party record stands)."""
    merged_problems = [p for p in problems_with(registry, record) if p.rule.severity is Severity.ERROR]
    if merged_problems:
        return merged_problems
    standing = registry.table(record.KIND).get(record.id)
    parties = dict(registry.parties)
    if anchor is not None:
        parties.setdefault(anchor.operator, anchor.as_party())
    view = _Stood(parties, registry)
    return check_authorization(claims(record), view, previous=claims(standing) if standing is not None else None)
