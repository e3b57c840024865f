"""Products of the product register (UC-04.01): versioned, each owned by one system operator."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from fmar.core.ids import PRODUCT_ID, PartyId, ProductId
from fmar.core.model.base import Record
from fmar.core.model.common import Day, Kw, Name, PublicText, Strict


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    BOTH = "both"


class Service(StrEnum):
    RESPONSE = "response"
    RESERVE = "reserve"
    CONSTRAINT_MANAGEMENT = "constraint_management"
    DEMAND_FLEXIBILITY = "demand_flexibility"
    DSO_FLEXIBILITY = "dso_flexibility"


class ServiceLevels(Strict):
    """The SO's targets, in days, on times recorded by the registry."""

    acknowledge_days: StrictInt = Field(
        ge=1, le=365, description="Confirm the application complete (art. 155: 8 weeks)."
    )
    decision_days: StrictInt = Field(ge=1, le=730, description="Decide after completeness (art. 155: 3 months).")
    information_response_days: StrictInt = Field(
        ge=1, le=365, description="FSP's time to supply requested information before deemed withdrawal (4 weeks)."
    )


class MaterialChangePolicy(Strict):
    """What counts as a material change of a unit's composition for this product."""

    capacity_change_pct: float = Field(
        ge=0,
        le=100,
        strict=True,
        description="A change of import or export capacity beyond this percentage is material.",
    )
    category_change: StrictBool = Field(description="Adding or removing an asset category is material.")


class ProductVersion(Strict):
    version: StrictInt = Field(ge=1, le=999)
    effective_from: Day = Field(description="First day the version applies.")
    direction: Direction
    min_capacity_kw: Kw
    full_delivery_s: float = Field(gt=0, le=86_400, strict=True, description="Time to full delivery, seconds.")
    duration_min: StrictInt = Field(ge=1, le=1440, description="Minimum delivery duration, minutes.")
    metering_resolution_s: float = Field(
        gt=0, le=3600, strict=True, description="Required metering resolution, seconds."
    )
    max_validity_days: StrictInt = Field(ge=1, le=1827, description="Longest validity of a qualification (≤ 5 years).")
    service_levels: ServiceLevels
    material_change: MaterialChangePolicy
    notes: PublicText | None = None


class Equivalence(Strict):
    """Qualification for this product makes a unit eligible to apply for ``product`` (indicative only)."""

    product: ProductId
    note: PublicText | None = None


class Product(Record):
    KIND: ClassVar[str] = "product"
    BUILDING_BLOCK: ClassVar[str] = "C.1"
    TITLE: ClassVar[str] = "Product"

    kind: Literal["product"]
    id: Annotated[str, StringConstraints(pattern=PRODUCT_ID)]
    name: Name
    so: PartyId = Field(description="The system operator that procures the product and decides applications.")
    service: Service
    description: PublicText | None = None
    versions: list[ProductVersion] = Field(min_length=1, max_length=100)
    equivalent_to: list[Equivalence] = Field(default_factory=list, max_length=50)

    def version(self, number: int) -> ProductVersion | None:
        for candidate in self.versions:
            if candidate.version == number:
                return candidate
        return None
