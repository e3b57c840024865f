"""Applications for qualification of a Market Unit against a product (building block Q.7)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictInt, StringConstraints

from fmar.core.ids import APPLICATION_ID, MarketUnitId, PartyId, ProductId
from fmar.core.model.base import Record
from fmar.core.model.capabilities import Capabilities
from fmar.core.model.common import HttpsUrl, Kw, Name, Sha256Hex, Strict
from fmar.core.model.market_unit import Composition


class Evidence(Strict):
    """A document held outside the registry, pinned by its SHA-256 so it cannot change unseen."""

    title: Name
    url: HttpsUrl
    sha256: Sha256Hex


class Application(Record):
    KIND: ClassVar[str] = "application"
    BUILDING_BLOCK: ClassVar[str] = "Q.7"
    TITLE: ClassVar[str] = "Application"

    kind: Literal["application"]
    id: Annotated[str, StringConstraints(pattern=APPLICATION_ID)]
    unit: MarketUnitId
    product: ProductId
    product_version: StrictInt = Field(ge=1, le=999)
    so: PartyId = Field(description="The system operator asked to assess; the product's owner.")
    capacity_up_kw: Kw = Field(description="Capacity applied for, upward (more export or less import), kW.")
    capacity_down_kw: Kw = Field(description="Capacity applied for, downward, kW.")
    capabilities: Capabilities = Field(
        description="What the FSP declares the unit can do; a value left out is not declared (never the product's)."
    )
    unit_composition: Composition = Field(
        description="The unit's composition as applied with; a later material change requires re-assessment."
    )
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
