"""The fields of the records the workflow commands write: pure functions of the registry and the request."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from fmar.core import gb_time
from fmar.core.ids import new_id
from fmar.core.model import Application, MarketUnit, Product
from fmar.core.model.product import ProductVersion, Service
from fmar.core.reference import GSP_GROUP_OF_AREA, LicenceArea
from fmar.core.workflow.capacity import deliverable
from fmar.signing.records import iso


def current_version(product: Product, at: datetime) -> ProductVersion:
    """The product version in force at ``at`` (the latest whose effective day has come), else the first."""
    started = [v for v in product.versions if v.effective_from <= gb_time.local(at).date()]
    return max(started, key=lambda v: v.version) if started else product.versions[0]


def capacity_defaults(
    unit: MarketUnit, version: ProductVersion, service: Service | None = None
) -> dict[str, tuple[float, str]]:
    """Direction -> (kW, how it was worked out) an application asks for when its FSP names none:
    what the unit can deliver in each direction the product version needs
    (``eligibility.deliverable``), nothing in a direction it does not."""
    return {
        direction: deliverable(unit, direction, service)
        if version.direction in (direction, "both")
        else (0.0, f"{version.direction} product: none {direction}ward")
        for direction in ("up", "down")
    }


def application_fields(
    unit: MarketUnit,
    product: Product,
    version: ProductVersion,
    at: datetime,
    *,
    capacity_up_kw: float | None,
    capacity_down_kw: float | None,
    capabilities: dict[str, Any] | None,
    evidence: list[dict[str, str]],
    rng: random.Random | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    """An application for ``unit`` against ``version`` of ``product`` with the unit's current composition.

    Capacities left out default to what the unit can deliver in each direction the product needs
    (``capacity_defaults``). ``capabilities``: what the FSP declares (the values it left out are not
    declared, never the product's requirements).
    """
    defaults = capacity_defaults(unit, version, product.service)
    up = capacity_up_kw if capacity_up_kw is not None else defaults["up"][0]
    down = capacity_down_kw if capacity_down_kw is not None else defaults["down"][0]
    fields: dict[str, Any] = {
        "id": record_id or new_id("application", at.year, rng),
        "unit": unit.id,
        "product": product.id,
        "product_version": version.version,
        "so": product.so,
        "capacity_up_kw": round(float(up), 2),
        "capacity_down_kw": round(float(down), 2),
        "capabilities": {k: v for k, v in (capabilities or {}).items() if v is not None},
        "unit_composition": unit.composition.model_dump(mode="json"),
    }
    if evidence:
        fields["evidence"] = evidence
    return fields


def outcome_fields(
    application: Application,
    result: str,
    at: datetime,
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    days: int | None = None,
    capacity_up_kw: float | None = None,
    capacity_down_kw: float | None = None,
    conditions: tuple[str, ...] = (),
    reasons: tuple[str, ...] = (),
    notes: str | None = None,
    supersedes: str | None = None,
    max_validity_days: int | None = None,
    case_reference: str | None = None,
    rng: random.Random | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    """An outcome; a qualification runs from ``valid_from`` (default: decision time) for ``days``
    (default: the product version's longest validity) unless ``valid_until`` is given, and grants
    the capacity applied for unless capacities are given."""
    fields: dict[str, Any] = {
        "id": record_id or new_id("outcome", at.year, rng),
        "application": application.id,
        "result": result,
        "decided_at": iso(at),
    }
    if result != "failed":
        start = valid_from or at
        end = valid_until or start + timedelta(days=days or max_validity_days or 365)
        fields["valid_from"] = iso(start)
        fields["valid_until"] = iso(end)
        up = application.capacity_up_kw if capacity_up_kw is None else capacity_up_kw
        down = application.capacity_down_kw if capacity_down_kw is None else capacity_down_kw
        fields["capacity_up_kw"] = round(float(up), 2)
        fields["capacity_down_kw"] = round(float(down), 2)
    if conditions:
        fields["conditions"] = list(conditions)
    if reasons:
        fields["reasons"] = list(reasons)
    if notes:
        fields["notes"] = notes
    if supersedes:
        fields["supersedes"] = supersedes
    if case_reference:
        fields["case_reference"] = case_reference
    return fields


def event_fields(
    application: Application,
    event_type: str,
    at: datetime,
    *,
    reason: str | None = None,
    respond_by: datetime | None = None,
    case_reference: str | None = None,
    rng: random.Random | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": record_id or new_id("event", at.year, rng),
        "application": application.id,
        "type": event_type,
        "effective_at": iso(at),
    }
    if reason:
        fields["reason"] = reason
    if respond_by is not None:
        fields["respond_by"] = iso(respond_by)
    if case_reference:
        fields["case_reference"] = case_reference
    return fields


#: The fields of a Market Unit a flag of ``fmar unit add`` (or a column of ``--from``) gives as is.
UNIT_FLAGS = (
    "name",
    "fsp",
    "unit_type",
    "accounting_points",
    "licence_area",
    "gsp_group",
    "connection_type",
    "connection_status",
    "bm_unit",
)


class NotAnAsset(ValueError):
    """An asset is written CATEGORY:COUNT:KW."""


def asset(text: str) -> dict[str, Any]:
    """An asset group from ``CATEGORY:COUNT:KW`` (``BESS:1:2000``); NotAnAsset if it is not that."""
    parts = text.split(":")
    if len(parts) != 3:
        raise NotAnAsset(f"{text!r}: write CATEGORY:COUNT:KW, e.g. BESS:1:2000")
    try:
        return {"category": parts[0], "count": int(parts[1]), "capacity_kw": float(parts[2])}
    except ValueError:
        raise NotAnAsset(f"{text!r}: COUNT is a whole number and KW a number") from None


def unit_fields(base: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """A unit's fields: ``base`` (a file's, or the registered unit's) with the values ``flags`` gives
    over it (``UNIT_FLAGS``, ``import_kw``, ``export_kw``, ``assets`` as CATEGORY:COUNT:KW texts);
    the GSP group defaults to the licence area's, and an SPU's accounting points to 1."""
    fields = dict(base)
    for name in UNIT_FLAGS:
        if flags.get(name) is not None:
            fields[name] = flags[name]
    composition = dict(fields.get("composition") or {})
    if flags.get("import_kw") is not None:
        composition["import_capacity_kw"] = flags["import_kw"]
    if flags.get("export_kw") is not None:
        composition["export_capacity_kw"] = flags["export_kw"]
    if flags.get("assets"):
        composition["assets"] = [asset(text) for text in flags["assets"]]
    if composition:
        fields["composition"] = composition
    area = fields.get("licence_area")
    if "gsp_group" not in fields and isinstance(area, str) and area in LicenceArea.__members__:
        fields["gsp_group"] = str(GSP_GROUP_OF_AREA[LicenceArea(area)])
    if fields.get("accounting_points") is None and fields.get("unit_type") == "SPU":
        fields["accounting_points"] = 1
    return fields


#: What a new unit must say, and the flag that says it (with --file, the field of that name).
UNIT_NEEDED = (
    ("name", "--name"),
    ("unit_type", "--unit-type"),
    ("licence_area", "--licence-area"),
    ("connection_type", "--connection-type"),
    ("connection_status", "--connection-status"),
    ("composition.import_capacity_kw", "--import-kw"),
    ("composition.export_capacity_kw", "--export-kw"),
    ("composition.assets", "--asset"),
)


def missing_unit_fields(fields: dict[str, Any]) -> list[str]:
    """The flags a new unit still needs (``UNIT_NEEDED``): those whose field is not given.
    ``accounting_points`` needs --accounting-points only for an SPG (an SPU has one)."""
    missing = []
    for path, flag in UNIT_NEEDED:
        value: Any = fields
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or value == []:
            missing.append(flag)
    if fields.get("unit_type") == "SPG" and fields.get("accounting_points") is None:
        missing.append("--accounting-points")
    return missing
