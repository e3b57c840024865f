"""What an FSP declares a Market Unit can do, and how that compares with a product's requirements.

Each value is the FSP's to declare (``fmar apply`` flags, or ``capabilities`` in the unit's
record); a value not declared is unknown, never taken from the product it is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StrictInt
from pydantic.json_schema import SkipJsonSchema

from fmar.core.model.common import Strict
from fmar.core.model.product import ProductVersion


def _no_default(schema: dict[str, Any]) -> None:
    """A value left out is not declared: the schema names no default (and allows no null)."""
    schema.pop("default", None)


class Capabilities(Strict):
    """What the FSP declares the unit can do; a value left out is not declared (unknown)."""

    full_delivery_s: Annotated[float, Field(gt=0, le=86_400, strict=True)] | SkipJsonSchema[None] = Field(
        default=None, description="Time to full delivery, seconds.", json_schema_extra=_no_default
    )
    duration_min: Annotated[StrictInt, Field(ge=1, le=1440)] | SkipJsonSchema[None] = Field(
        default=None, description="Delivery duration, minutes.", json_schema_extra=_no_default
    )
    metering_resolution_s: Annotated[float, Field(gt=0, le=3600, strict=True)] | SkipJsonSchema[None] = Field(
        default=None, description="Metering resolution, seconds.", json_schema_extra=_no_default
    )


@dataclass(frozen=True)
class Requirement:
    """One capability a product version requires, as the FSP declares it and the product states it."""

    field: str
    label: str
    #: The ``fmar apply`` flag that declares it.
    flag: str
    unit: str
    #: True when the declared value must be at most the required one (a time), else at least.
    at_most: bool

    def wanted(self, version: ProductVersion) -> str:
        """What ``version`` requires, in words: ``1 s at most``."""
        return f"{getattr(version, self.field):g} {self.unit} {'at most' if self.at_most else 'at least'}"


REQUIREMENTS = (
    Requirement("full_delivery_s", "time to full delivery", "--full-delivery-s", "s", at_most=True),
    Requirement("duration_min", "delivery duration", "--duration-min", "min", at_most=False),
    Requirement("metering_resolution_s", "metering resolution", "--metering-resolution-s", "s", at_most=True),
)


def declared_over(first: Capabilities | None, then: Capabilities | None) -> Capabilities:
    """The values declared in ``first``, and where it declares none, those of ``then``."""
    values = {}
    for r in REQUIREMENTS:
        for source in (first, then):
            value = getattr(source, r.field) if source is not None else None
            if value is not None:
                values[r.field] = value
                break
    return Capabilities(**values)


def undeclared(capabilities: Capabilities) -> list[Requirement]:
    """The requirements ``capabilities`` declares no value for."""
    return [r for r in REQUIREMENTS if getattr(capabilities, r.field) is None]


def shortfalls(capabilities: Capabilities, version: ProductVersion) -> list[tuple[Requirement, float | int]]:
    """The declared values that do not meet ``version`` (with the value declared)."""
    short = []
    for r in REQUIREMENTS:
        value = getattr(capabilities, r.field)
        required = getattr(version, r.field)
        if value is not None and (value > required if r.at_most else value < required):
            short.append((r, value))
    return short
