"""JSON Schemas (draft 2020-12) generated from the record models, one file per kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fmar.model import KINDS, SCHEMA_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(kind: str, version: int = SCHEMA_VERSION) -> str:
    return f"urn:fmar:schema:{kind}:v{version}"


def file_name(kind: str) -> str:
    return f"{kind}.v{SCHEMA_VERSION}.schema.json"


def record_schema(kind: str) -> dict[str, Any]:
    model = KINDS[kind]
    generated = model.model_json_schema(mode="validation")
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": schema_id(kind),
        "title": f"fmar {model.TITLE} record, version {SCHEMA_VERSION}",
        "x-fmar-kind": kind,
        "x-fmar-schema-version": SCHEMA_VERSION,
        "x-fmar-building-block": model.BUILDING_BLOCK,
    }
    generated.pop("title", None)
    schema.update(generated)
    schema["description"] = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else model.TITLE
    return schema


def render(kind: str) -> str:
    return json.dumps(record_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = directory / file_name(kind)
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written


def drift(directory: Path) -> list[str]:
    """Kinds whose committed schema differs from the models (missing files included)."""
    stale = []
    for kind in KINDS:
        path = directory / file_name(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != render(kind):
            stale.append(kind)
    expected = {file_name(kind) for kind in KINDS}
    stale.extend(f"unexpected file {p.name}" for p in sorted(directory.glob("*.schema.json")) if p.name not in expected)
    return stale
