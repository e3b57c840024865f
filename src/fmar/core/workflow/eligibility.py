"""Which products a Market Unit may apply for, and why: indicative only, the SO's outcome decides.

Checks each product's version in force against the unit: the direction it can deliver, the
minimum capacity, the licence area for DSO products, its connection, and the capabilities it
last declared (if any). The table of equivalences (UC-04.03) adds: a unit qualified for A is
eligible for every product A names as equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fmar.core.model import MarketUnit, PartyRole, Product
from fmar.core.model.application import Capabilities
from fmar.core.model.product import Direction
from fmar.core.registry import Registry
from fmar.core.status import LIVE, Status, unit_statuses
from fmar.core.workflow.capacity import deliverable_kw
from fmar.core.workflow.forms import current_version


@dataclass(frozen=True)
class Eligibility:
    product: str
    name: str
    so: str
    version: int
    eligible: bool
    reasons: tuple[str, ...]
    #: Products whose live qualification makes the unit eligible for this one (UC-04.03).
    via_equivalence: tuple[str, ...] = ()
    current_status: str | None = None
    notes: tuple[str, ...] = field(default=())


def latest_capabilities(registry: Registry, unit: str) -> Capabilities | None:
    """What the unit's FSP declared in its latest application, if it made any."""
    applications = registry.applications_by_unit.get(unit, [])
    if not applications:
        return None
    latest = max(applications, key=lambda a: (registry.submitted_at(a), a.id))
    return latest.capabilities


def _checks(
    registry: Registry, unit: MarketUnit, product: Product, at: datetime, declared: Capabilities | None
) -> tuple[list[str], list[str], list[str]]:
    """(reasons against, reasons for, notes) for ``unit`` and the version of ``product`` in force."""
    version = current_version(product, at)
    against: list[str] = []
    good: list[str] = []
    notes: list[str] = []
    for direction in ("up", "down") if version.direction == "both" else (str(version.direction),):
        offered = deliverable_kw(unit, direction)
        if offered < version.min_capacity_kw:
            against.append(
                f"{direction}ward capacity {offered:.2f} kW is below the minimum {version.min_capacity_kw:.2f} kW"
            )
        else:
            good.append(f"{direction}ward capacity {offered:.2f} kW meets the minimum {version.min_capacity_kw:.2f} kW")
    if version.direction is Direction.UP and unit.composition.export_capacity_kw == 0:
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
    if declared is not None:
        if declared.full_delivery_s > version.full_delivery_s:
            against.append(
                f"declared full delivery {declared.full_delivery_s:g} s is slower than {version.full_delivery_s:g} s"
            )
        if declared.duration_min < version.duration_min:
            against.append(f"declared duration {declared.duration_min} min is under {version.duration_min} min")
        if declared.metering_resolution_s > version.metering_resolution_s:
            against.append(
                f"declared metering {declared.metering_resolution_s:g} s is coarser than "
                f"{version.metering_resolution_s:g} s"
            )
        if len(against) == 0:
            good.append("the capabilities declared in the latest application meet the requirements")
    else:
        notes.append(
            f"no declared capabilities yet: needs full delivery within {version.full_delivery_s:g} s, "
            f"{version.duration_min} min duration, metering every {version.metering_resolution_s:g} s"
        )
    return against, good, notes


def eligibility(registry: Registry, unit_id: str, at: datetime) -> list[Eligibility]:
    """One answer per product in the registry, eligible ones first, then by product id."""
    unit = registry.units[unit_id]
    declared = latest_capabilities(registry, unit_id)
    statuses = {current.product: current for current, _ in unit_statuses(registry, unit_id, at)}
    live = {p for p, q in statuses.items() if q.status in LIVE and q.status is not Status.REASSESSMENT_REQUIRED}
    equivalent_from: dict[str, list[str]] = {}
    for qualified in sorted(live):
        source = registry.products.get(qualified)
        for equivalence in source.equivalent_to if source else ():
            equivalent_from.setdefault(equivalence.product, []).append(qualified)
    answers = []
    for product in registry.products.values():
        against, good, notes = _checks(registry, unit, product, at, declared)
        via = tuple(equivalent_from.get(product.id, ()))
        outside = any("licence areas" in reason for reason in against)
        if via and not outside:
            good.insert(0, f"qualified for {', '.join(via)}, which the table of equivalences makes eligible")
            eligible = True
        else:
            eligible = not against
        current = statuses.get(product.id)
        answers.append(
            Eligibility(
                product=product.id,
                name=product.name,
                so=product.so,
                version=current_version(product, at).version,
                eligible=eligible,
                reasons=tuple(good if eligible else against),
                via_equivalence=via,
                current_status=str(current.status) if current else None,
                notes=tuple(notes),
            )
        )
    return sorted(answers, key=lambda e: (not e.eligible, e.product))
