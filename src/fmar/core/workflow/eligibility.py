"""Which products a Market Unit may apply for, and why: indicative only, the SO's outcome decides.

Checks each product's version in force against the unit: the direction it can deliver, the
minimum capacity, the licence area for DSO products, its connection, and the capabilities its FSP
declared (in the unit's record, else in its latest application). The answer is yes, no, or
unknown where a capability the product requires was never declared (never assumed from the
product). The table of equivalences (UC-04.03) adds: a unit qualified for A is eligible for every
product A names as equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fmar.core.model import MarketUnit, PartyRole, Product
from fmar.core.model.capabilities import REQUIREMENTS, Capabilities, declared_over, shortfalls, undeclared
from fmar.core.model.product import Direction, Service
from fmar.core.registry import Registry
from fmar.core.status import LIVE, Status, unit_statuses
from fmar.core.workflow.capacity import deliverable
from fmar.core.workflow.forms import current_version


@dataclass(frozen=True)
class Eligibility:
    product: str
    name: str
    so: str
    version: int
    #: "yes", "no", or "unknown" (nothing against, but a required capability is not declared).
    answer: str
    reasons: tuple[str, ...]
    #: Products whose live qualification makes the unit eligible for this one (UC-04.03).
    via_equivalence: tuple[str, ...] = ()
    current_status: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return self.answer == "yes"


def declared_capabilities(registry: Registry, unit: str) -> Capabilities:
    """What the unit's FSP declared: in the unit's record, and where it declares nothing there, in
    its latest application (values never declared stay unknown)."""
    applications = registry.applications_by_unit.get(unit, [])
    latest = max(applications, key=lambda a: (registry.submitted_at(a), a.id)) if applications else None
    record = registry.units.get(unit)
    return declared_over(record.capabilities if record else None, latest.capabilities if latest else None)


def _checks(
    registry: Registry, unit: MarketUnit, product: Product, at: datetime, declared: Capabilities
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(reasons against, reasons for, unknowns, notes) for ``unit`` and the version of ``product`` in force."""
    version = current_version(product, at)
    against: list[str] = []
    good: list[str] = []
    notes: list[str] = []
    for direction in ("up", "down") if version.direction == "both" else (str(version.direction),):
        offered, how = deliverable(unit, direction, product.service)
        if offered < version.min_capacity_kw:
            against.append(
                f"{direction}ward capacity {offered:.2f} kW ({how}) is below the minimum "
                f"{version.min_capacity_kw:.2f} kW"
            )
        else:
            good.append(f"{direction}ward capacity {offered:.2f} kW meets the minimum {version.min_capacity_kw:.2f} kW")
    if (
        version.direction is Direction.UP
        and unit.composition.export_capacity_kw == 0
        and product.service is not Service.DEMAND_FLEXIBILITY
    ):
        notes.append("upward delivery from this unit means reducing its import (demand turn-down)")
    so = registry.parties.get(product.so)
    if so is not None and so.role is PartyRole.DSO:
        if unit.licence_area in so.licence_areas:
            good.append(f"{unit.licence_area} is in {so.id}'s licence areas")
        else:
            against.append(f"{unit.licence_area} is outside {so.id}'s licence areas")
    if unit.connection_status.value == "DISCONNECTED":
        against.append("the unit is disconnected")
    elif unit.connection_status.value == "PENDING":
        notes.append("the unit's connection is pending; the SO may ask for the connection date")
    short = shortfalls(declared, version)
    for requirement, value in short:
        against.append(
            f"declared {requirement.label} {value:g} {requirement.unit} does not meet {requirement.wanted(version)}"
        )
    unknown = [
        f"unknown: declare the {r.label} ({r.flag}, or capabilities in the unit record; "
        f"the product wants {r.wanted(version)})"
        for r in undeclared(declared)
    ]
    met = [r.label for r in REQUIREMENTS if getattr(declared, r.field) is not None and r not in dict(short)]
    if met:
        good.append(f"declared {', '.join(met)} meet the requirements")
    return against, good, unknown, notes


def eligibility(registry: Registry, unit_id: str, at: datetime) -> list[Eligibility]:
    """One answer per product in the registry, eligible ones first, then unknown, then by product id."""
    unit = registry.units[unit_id]
    declared = declared_capabilities(registry, unit_id)
    statuses = {current.product: current for current, _ in unit_statuses(registry, unit_id, at)}
    live = {p for p, q in statuses.items() if q.status in LIVE and q.status is not Status.REASSESSMENT_REQUIRED}
    equivalent_from: dict[str, list[str]] = {}
    for qualified in sorted(live):
        source = registry.products.get(qualified)
        for equivalence in source.equivalent_to if source else ():
            equivalent_from.setdefault(equivalence.product, []).append(qualified)
    answers = []
    for product in registry.products.values():
        against, good, unknown, notes = _checks(registry, unit, product, at, declared)
        via = tuple(equivalent_from.get(product.id, ()))
        outside = any("licence areas" in reason for reason in against)
        if via and not outside:
            good.insert(0, f"qualified for {', '.join(via)}, which the table of equivalences makes eligible")
            answer, reasons = "yes", good
        elif against:
            answer, reasons = "no", against
        elif unknown:
            answer, reasons = "unknown", unknown + good
        else:
            answer, reasons = "yes", good
        current = statuses.get(product.id)
        answers.append(
            Eligibility(
                product=product.id,
                name=product.name,
                so=product.so,
                version=current_version(product, at).version,
                answer=answer,
                reasons=tuple(reasons),
                via_equivalence=via,
                current_status=str(current.status) if current else None,
                notes=tuple(notes),
            )
        )
    return sorted(answers, key=lambda e: (_ORDER[e.answer], e.product))


#: Eligible first, then unknown, then not.
_ORDER = {"yes": 0, "unknown": 1, "no": 2}
