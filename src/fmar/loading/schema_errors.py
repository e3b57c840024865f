"""Turn pydantic validation errors into problems with a rule code and a hint that says what to write."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ValidationError

from fmar.core.catalogue import (
    MISSING_FIELD,
    OUT_OF_BOUNDS,
    UNKNOWN_FIELD,
    VALUE_NOT_ALLOWED,
    WRONG_FORMAT,
    WRONG_TYPE,
)
from fmar.core.findings import Problem
from fmar.core.model import KINDS

_TYPE_ERRORS = {
    "string_type",
    "int_type",
    "float_type",
    "bool_type",
    "list_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "int_parsing",
    "float_parsing",
    "bool_parsing",
    "int_from_float",
    "string_sub_type",
    "is_instance_of",
}
_BOUND_ERRORS = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
    "finite_number",
}
_PERSONAL = ("mpan", "postcode", "post_code", "address", "owner", "contact_name", "person", "phone", "meter")


@cache
def _schema(kind: str) -> dict[str, Any]:
    return KINDS[kind].model_json_schema()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf"):
        for option in node.get(key, ()):
            option = _resolve(schema, option)
            if option.get("type") != "null":
                return option
    return node


def schema_at(kind: str, location: tuple[str | int, ...]) -> dict[str, Any]:
    """The JSON Schema of the value at ``location`` in a record of ``kind`` ({} if unknown)."""
    schema = _schema(kind)
    node = _resolve(schema, schema)
    for part in location:
        if isinstance(part, int):
            node = _resolve(schema, node.get("items", {}))
        else:
            node = _resolve(schema, node.get("properties", {}).get(part, {}))
        if not node:
            return {}
    return node


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field(location: tuple[str | int, ...]) -> str:
    for part in reversed(location):
        if isinstance(part, str):
            return part
    return "value"


def problems_from(kind: str, error: ValidationError) -> list[Problem]:
    out: list[Problem] = []
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        etype = item["type"]
        value = item.get("input")
        message = str(item["msg"]).removeprefix("Value error, ")
        name = _field(location)
        if etype == "missing":
            parent = location[:-1]
            spec = schema_at(kind, location)
            described = f" ({spec['description']})" if spec.get("description") else ""
            out.append(
                Problem(
                    MISSING_FIELD,
                    f"missing required field '{name}'{described}",
                    f"add '{name}: ...' here; 'fmar schema export' writes the schema that lists every field",
                    parent,
                )
            )
        elif etype == "extra_forbidden":
            allowed = sorted(schema_at(kind, location[:-1]).get("properties", {}))
            hint = f"remove '{name}'; fields allowed here: {', '.join(allowed)}" if allowed else f"remove '{name}'"
            if any(word in name.lower() for word in _PERSONAL):
                hint += ". A public registry holds no MPANs, addresses, postcodes or people's names"
            out.append(Problem(UNKNOWN_FIELD, f"unknown field '{name}'", hint, location))
        elif etype in ("literal_error", "enum"):
            out.append(
                Problem(
                    VALUE_NOT_ALLOWED,
                    f"{name}: {_shown(value)} is not allowed: {message}",
                    # The allowed values as pydantic lists them, their case kept (it matters).
                    f"write {message.removeprefix('Input should be ')}",
                    location,
                )
            )
        elif etype in _TYPE_ERRORS:
            out.append(
                Problem(WRONG_TYPE, f"{name}: {message}, got {_shown(value)}", _type_hint(value, etype), location)
            )
        elif etype in _BOUND_ERRORS:
            out.append(
                Problem(
                    OUT_OF_BOUNDS,
                    f"{name}: {message}, got {_shown(value)}",
                    "change the value to fit the bound",
                    location,
                )
            )
        else:
            spec = schema_at(kind, location)
            hint = "correct the value"
            if etype == "string_pattern_mismatch" and spec.get("pattern"):
                hint = f"write a value matching {spec['pattern']}"
                message = "does not have the required format"
            elif "ISO 8601" in message:
                hint = "quote it and write it like '2026-01-31T09:30:00Z'"
            out.append(Problem(WRONG_FORMAT, f"{name}: {_shown(value)} {message}", hint, location))
    return out


def _type_hint(value: Any, etype: str) -> str:
    if etype == "string_type" and isinstance(value, bool):
        return "quote it: YAML reads unquoted yes/no/true/false as a boolean"
    if etype == "string_type" and isinstance(value, int | float):
        return "quote it: unquoted digits are read as a number (a leading zero would be lost)"
    if etype in ("int_type", "float_type", "int_parsing", "float_parsing") and isinstance(value, str):
        return "write the number without quotes"
    if etype == "bool_type":
        return "write true or false, unquoted"
    if etype == "list_type":
        return "write a list: one '- item' per line"
    if etype in ("dict_type", "model_type", "model_attributes_type"):
        return "write a mapping of fields, indented under this key"
    return "change the value to the type the schema gives"
