"""What a Market Unit can deliver in each direction, from its composition (one source of truth for
the capacities an application asks for by default and for the eligibility check)."""

from __future__ import annotations

from fmar.core.model import MarketUnit


def deliverable(unit: MarketUnit, direction: str) -> tuple[float, str]:
    """What ``unit`` can deliver in ``direction`` ("up": more export or less import; "down": the
    reverse) from its composition, and how that is worked out.

    Up is its export capacity, or for a unit that only imports, its import capacity (turning its
    demand down); down is its import capacity, or for a unit that only exports, its export capacity
    (turning its generation down). Never the sum of the two: a 3 MW battery offers 3 MW either way
    from rest, not the 6 MW swing from full charge to full discharge, which holds only while it
    happens to be charging at full power."""
    imports, exports = unit.composition.import_capacity_kw, unit.composition.export_capacity_kw
    if direction == "up":
        if exports > 0:
            return exports, "its export capacity"
        return imports, "its import capacity, turned down"
    if imports > 0:
        return imports, "its import capacity"
    return exports, "its export capacity, turned down"


def deliverable_kw(unit: MarketUnit, direction: str) -> float:
    """``deliverable``'s kW."""
    return deliverable(unit, direction)[0]
