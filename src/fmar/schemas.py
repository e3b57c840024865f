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


def documents() -> dict[str, str]:
    """Every published schema by file name: one per record kind, and the SO's data package."""
    from fmar.workflow.package import SCHEMA_FILE, render_schema  # the package embeds the record models

    rendered = {file_name(kind): render(kind) for kind in KINDS}
    rendered[SCHEMA_FILE] = render_schema()
    return rendered


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in documents().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def drift(directory: Path) -> list[str]:
    """Schemas whose committed file differs from the models (missing files included)."""
    stale = []
    expected = documents()
    for name, text in expected.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name.split(".", 1)[0])
    stale.extend(f"unexpected file {p.name}" for p in sorted(directory.glob("*.schema.json")) if p.name not in expected)
    return stale
