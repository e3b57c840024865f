"""What a change of a unit's composition triggers: re-assessment of the qualifications it makes material."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fmar.core.model import MarketUnit
from fmar.core.registry import Registry
from fmar.core.status import LIVE, OPEN, application_status, material_change


@dataclass(frozen=True)
class Impact:
    application: str
    product: str
    so: str
    status: str
    reason: str


def impacts(registry: Registry, updated: MarketUnit, as_of: datetime) -> list[Impact]:
    """Each live qualification or open application of the unit for which ``updated`` is a material change.

    Uses each product version's own policy, against the composition the unit applied with.
    """
    found = []
    for application in sorted(registry.applications_by_unit.get(updated.id, []), key=lambda a: a.id):
        product = registry.products.get(application.product)
        version = product.version(application.product_version) if product else None
        if version is None:
            continue
        current = application_status(registry, application, as_of)
        if current.status not in LIVE | OPEN:
            continue
        reason = material_change(version.material_change, application.unit_composition, updated.composition)
        if reason:
            found.append(Impact(application.id, application.product, application.so, str(current.status), reason))
    return found
