"""JSON Schemas (draft 2020-12) generated from pydantic models: the one envelope every schema fmar
generates goes through (``envelope``, ``render``), and the committed set under ``schemas/``
(one file per record kind, and the SO's data package).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from fmar.core.model import KINDS, SCHEMA_VERSION
from fmar.core.workflow.package import SCHEMA_FILE, ApplicationPackage

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def envelope(
    model: type[BaseModel], schema_id: str, mode: JsonSchemaMode, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The JSON Schema of ``model`` as fmar publishes it: the dialect and ``schema_id``, the model's
    generated schema titled ``title`` (the model's name when None), and the ``extra`` keys over it."""
    generated = model.model_json_schema(mode=mode)
    if title is not None:
        generated["title"] = title
    return {"$schema": DIALECT, "$id": schema_id, **generated, **extra}


def render(schema: dict[str, Any]) -> str:
    """A schema's file text: keys sorted, two-space indents, one final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_id(kind: str, version: int = SCHEMA_VERSION) -> str:
    return f"urn:fmar:schema:{kind}:v{version}"


def file_name(kind: str) -> str:
    return f"{kind}.v{SCHEMA_VERSION}.schema.json"


def record_schema(kind: str) -> dict[str, Any]:
    model = KINDS[kind]
    return envelope(
        model,
        schema_id(kind),
        "validation",
        title=f"fmar {model.TITLE} record, version {SCHEMA_VERSION}",
        description=(model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else model.TITLE,
        **{
            "x-fmar-kind": kind,
            "x-fmar-schema-version": SCHEMA_VERSION,
            "x-fmar-building-block": model.BUILDING_BLOCK,
        },
    )


def package_schema() -> dict[str, Any]:
    """The schema of the data package an SO receives for an application (``workflow.package``)."""
    return envelope(
        ApplicationPackage,
        "urn:fmar:schema:package:v1",
        "serialization",
        title="fmar data package of an application, version 1",
    )


def documents() -> dict[str, str]:
    """Every committed schema by file name: one per record kind, and the SO's data package."""
    rendered = {file_name(kind): render(record_schema(kind)) for kind in KINDS}
    rendered[SCHEMA_FILE] = render(package_schema())
    return rendered
