"""The standard data package an SO receives for an application (UC-04.02, step 2).

Everything the SO needs to start its own assessment, from the registry alone: the application,
the unit and its composition, the FSP, the product version applied for and its requirements,
the unit's qualifications with other SOs (portability) and the recorded times of each record.
The model is the single source of its published JSON Schema (``schemas/package.v1.schema.json``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from fmar.model import Application, MarketUnit, Party, Product
from fmar.model.common import Strict
from fmar.model.product import ProductVersion
from fmar.registry import Registry
from fmar.schemas import DIALECT
from fmar.status import application_status, unit_statuses

PACKAGE_FORMAT = "fmar-package/v1"
SCHEMA_FILE = "package.v1.schema.json"


class HeldQualification(Strict):
    """A qualification (or other status) the unit holds for another product, possibly with another SO."""

    product: str
    so: str
    status: str
    application: str
    outcome: str | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    capacity_up_kw: float = 0.0
    capacity_down_kw: float = 0.0


class RecordedTime(Strict):
    """When a record entered the registry (from Git history) and when its signer signed it."""

    kind: str
    id: str
    signer: str
    signed_at: AwareDatetime
    recorded_at: AwareDatetime | None = Field(
        default=None, description="Commit time on the main branch; None if unknown."
    )


class DataPackage(Strict):
    """The data package of one application, as the assessing SO receives it."""

    format: Literal["fmar-package/v1"] = PACKAGE_FORMAT
    as_of: AwareDatetime
    status: str = Field(description="The application's status at as_of.")
    status_detail: str
    application: Application
    unit: MarketUnit = Field(description="The unit as registered now; compare its composition with the application's.")
    fsp: Party
    product: Product
    requirements: ProductVersion = Field(description="The product version applied for.")
    other_qualifications: list[HeldQualification] = Field(
        description="The unit's status for every other product it applied for (qualification portability)."
    )
    recorded: list[RecordedTime]


def _moment(registry: Registry, record_id: str) -> datetime | None:
    return registry.recorded_at.get(record_id)


def build_package(registry: Registry, application_id: str, as_of: datetime) -> DataPackage:
    """The package of ``application_id``; KeyError when a record it needs is missing."""
    application = registry.applications[application_id]
    unit = registry.units[application.unit]
    product = registry.products[application.product]
    version = product.version(application.product_version)
    if version is None:
        raise KeyError(f"{product.id} version {application.product_version}")
    current = application_status(registry, application, as_of)
    others = [
        HeldQualification(
            product=q.product,
            so=q.so,
            status=str(q.status),
            application=q.application,
            outcome=q.outcome,
            valid_from=q.valid_from,
            valid_until=q.valid_until,
            capacity_up_kw=q.capacity_up_kw,
            capacity_down_kw=q.capacity_down_kw,
        )
        for q, _ in unit_statuses(registry, unit.id, as_of)
        if q.product != product.id
    ]
    trail = [application, *registry.answers.get(application.id, [])]
    recorded = [
        RecordedTime(
            kind=record.KIND,
            id=record.id,
            signer=record.signature.signer,
            signed_at=record.signature.signed_at,
            recorded_at=_moment(registry, record.id),
        )
        for record in (unit, *trail)
    ]
    return DataPackage(
        as_of=as_of,
        status=str(current.status),
        status_detail=current.detail,
        application=application,
        unit=unit,
        fsp=registry.parties[unit.fsp],
        product=product,
        requirements=version,
        other_qualifications=others,
        recorded=recorded,
    )


def package_json(package: DataPackage) -> dict[str, Any]:
    return package.model_dump(mode="json", exclude_none=True)


def package_schema() -> dict[str, Any]:
    generated = DataPackage.model_json_schema(mode="serialization")
    generated.pop("title", None)
    return {
        "$schema": DIALECT,
        "$id": "urn:fmar:schema:package:v1",
        "title": "fmar data package of an application, version 1",
        **generated,
    }


def render_schema() -> str:
    return json.dumps(package_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_drift(directory: Path) -> bool:
    """True when the committed package schema differs from the model."""
    path = directory / SCHEMA_FILE
    return not path.is_file() or path.read_text(encoding="utf-8") != render_schema()
