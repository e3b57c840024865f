"""Market Units (building block Q.6) with their registered assets (Q.4) summarised per category.

A public registry must not hold personal data: there is no field for an MPAN, an address, a
postcode or a person's name, and unknown fields are errors, so such data cannot be added.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictInt, StringConstraints

from fmar.core.ids import MARKET_UNIT_ID, PartyId
from fmar.core.model.base import Record
from fmar.core.model.capabilities import Capabilities
from fmar.core.model.common import Kw, Name, Strict
from fmar.core.reference import AssetCategory, ConnectionStatus, ConnectionType, GspGroup, LicenceArea, UnitType


class AssetGroup(Strict):
    """All assets of one category in the unit: how many, and their total rated capacity."""

    category: AssetCategory
    count: StrictInt = Field(ge=1, le=1_000_000)
    capacity_kw: Kw = Field(description="Total rated capacity of the assets of this category, kW.")


class Composition(Strict):
    """Capacities and assets: what an SO assesses, and what a material change alters."""

    import_capacity_kw: Kw = Field(description="Maximum import (demand) capacity, kW.")
    export_capacity_kw: Kw = Field(description="Maximum export (generation) capacity, kW.")
    assets: list[AssetGroup] = Field(min_length=1, max_length=len(AssetCategory))


class MarketUnit(Record):
    KIND: ClassVar[str] = "market_unit"
    BUILDING_BLOCK: ClassVar[str] = "Q.6"
    TITLE: ClassVar[str] = "Market Unit"

    kind: Literal["market_unit"]
    id: Annotated[str, StringConstraints(pattern=MARKET_UNIT_ID)]
    name: Name = Field(description="A business or site name chosen by the FSP; never a person's name or address.")
    fsp: PartyId = Field(description="The FSP that owns the unit.")
    unit_type: UnitType
    accounting_points: StrictInt = Field(ge=1, le=1_000_000, description="Number of accounting points (meters).")
    licence_area: LicenceArea
    gsp_group: GspGroup
    connection_type: ConnectionType
    connection_status: ConnectionStatus
    bm_unit: Annotated[str, StringConstraints(pattern=r"^(?:T_|E_|2_|V_|C_|M_)[A-Z0-9-]{2,20}$")] | None = Field(
        default=None, description="Balancing Mechanism unit id, when the unit is one."
    )
    composition: Composition
    capabilities: Capabilities | None = Field(
        default=None,
        description="What the FSP declares the unit can do, for every application that declares nothing else.",
    )
