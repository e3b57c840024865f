"""What a Market Unit can deliver in each direction, from its composition (one source of truth for
the capacities an application asks for by default and for the eligibility check)."""

from __future__ import annotations

from fmar.core.model import MarketUnit
from fmar.core.model.product import Service


def deliverable(unit: MarketUnit, direction: str, service: Service | None = None) -> tuple[float, str]:
    """What ``unit`` can deliver in ``direction`` ("up": more export or less import; "down": the
    reverse) from its composition, for a product of ``service``, and how that is worked out.

    A demand flexibility service is delivered by changing demand alone: its import turned down (up)
    or up (down), whatever the unit exports; a unit that imports nothing offers nothing.

    Up is its export capacity, or for a unit that only imports, its import capacity (turning its
    demand down); down is its import capacity, or for a unit that only exports, its export capacity
    (turning its generation down). Never the sum of the two: a 3 MW battery offers 3 MW either way
    from rest, not the 6 MW swing from full charge to full discharge, which holds only while it
    happens to be charging at full power."""
    imports, exports = unit.composition.import_capacity_kw, unit.composition.export_capacity_kw
    if service is Service.DEMAND_FLEXIBILITY:
        if imports == 0:
            return 0.0, "it imports nothing, and a demand flexibility service is delivered by changing demand"
        turned = "down" if direction == "up" else "up"
        return imports, f"its import capacity, turned {turned}: a demand flexibility service"
    if direction == "up":
        if exports > 0:
            return exports, "its export capacity"
        return imports, "its import capacity, turned down"
    if imports > 0:
        return imports, "its import capacity"
    return exports, "its export capacity, turned down"
