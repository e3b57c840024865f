"""Many applications from one CSV file (``fmar apply --from FILE.csv``): pure, rows in, fields or problems out.

A large FSP applies for hundreds of units at once. The whole file is read and checked first; the
command writes nothing unless every row is accepted, and each problem names its row (the line of
the file) and column. Columns (a header line names them; only ``unit`` and ``product`` are needed):

``unit, product, capacity_up_kw, capacity_down_kw, product_version, full_delivery_s, duration_min,
metering_resolution_s, evidence`` (``URL=SHA256``, several separated by spaces).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from fmar.core.catalogue import BAD_BULK_ROW, UNKNOWN_PRODUCT_VERSION, UNRESOLVED_REFERENCE
from fmar.core.findings import Problem
from fmar.core.ids import close_ids
from fmar.core.model.capabilities import Capabilities, declared_over
from fmar.core.registry import Registry
from fmar.core.workflow.forms import application_fields, current_version

REQUIRED = ("unit", "product")
#: Optional column -> the type of its cells.
OPTIONAL: dict[str, Callable[[str], Any]] = {
    "capacity_up_kw": float,
    "capacity_down_kw": float,
    "product_version": int,
    "full_delivery_s": float,
    "duration_min": int,
    "metering_resolution_s": float,
    "evidence": str,
}
_CAPABILITIES = ("full_delivery_s", "duration_min", "metering_resolution_s")
#: The most rows one file may hold.
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row (its line in the file) and column ("" for the row as a whole)."""

    line: int
    column: str
    problem: Problem


@dataclass(frozen=True)
class Row:
    """An accepted row: the line it came from, the signer it needs and the application's fields."""

    line: int
    unit: str
    fsp: str
    fields: dict[str, Any]


def _problem(line: int, column: str, message: str, hint: str, rule: Any = BAD_BULK_ROW) -> RowProblem:
    return RowProblem(line, column, Problem(rule, message, hint, (column,) if column else ()))


def _evidence(text: str) -> list[dict[str, str]] | str:
    """The evidence a cell lists, or what is wrong with it."""
    out = []
    for item in text.split():
        url, sep, digest = item.rpartition("=")
        if not sep or not url.startswith("https://") or len(digest) != 64:
            return f"{item!r} is not URL=SHA256 (an https URL, '=', the 64 hex digits of its SHA-256)"
        title = url.rstrip("/").rsplit("/", 1)[-1] or "Evidence"
        out.append({"title": title if len(title) >= 2 else "Evidence", "url": url, "sha256": digest.lower()})
    return out


def read_rows(
    text: str, registry: Registry, at: datetime, rng: random.Random | None = None
) -> tuple[list[Row], list[RowProblem]]:
    """The applications ``text`` (a CSV file) asks for, as of ``at``; and every problem found in it."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    problems: list[RowProblem] = []
    unknown = [c for c in header if c not in REQUIRED and c not in OPTIONAL]
    missing = [c for c in REQUIRED if c not in header]
    if missing or unknown:
        for column in missing:
            problems.append(_problem(1, column, f"the header has no column {column!r}", "name it in the first line"))
        for column in unknown:
            known = ", ".join((*REQUIRED, *OPTIONAL))
            problems.append(_problem(1, column, f"unknown column {column!r}", f"columns are: {known}"))
        return [], problems
    rows: list[Row] = []
    for number, cells in enumerate(reader, start=2):
        line = reader.line_num
        if number - 1 > MAX_ROWS:
            problems.append(_problem(line, "", f"more than {MAX_ROWS} rows", "split the file"))
            break
        if None in cells:
            problems.append(_problem(line, "", "more cells than the header names", "quote cells holding commas"))
            continue
        values: dict[str, Any] = {}
        for column, kind in OPTIONAL.items():
            raw = (cells.get(column) or "").strip()
            if not raw:
                continue
            try:
                values[column] = kind(raw)
            except ValueError:
                wanted = "a whole number" if kind is int else "a number"
                problems.append(_problem(line, column, f"{raw!r} is not {wanted}", f"write {column} as {wanted}"))
        unit_id, product_id = (cells.get("unit") or "").strip(), (cells.get("product") or "").strip()
        unit, product = registry.units.get(unit_id), registry.products.get(product_id)
        if unit is None:
            near = close_ids(unit_id, registry.units)
            problems.append(
                _problem(
                    line,
                    "unit",
                    f"{unit_id!r} is not a Market Unit in the registry",
                    f"did you mean {', '.join(near)}?" if near else "register it first: fmar unit add",
                    UNRESOLVED_REFERENCE,
                )
            )
        if product is None:
            near = close_ids(product_id, registry.products)
            problems.append(
                _problem(
                    line,
                    "product",
                    f"{product_id!r} is not a product in the registry",
                    f"did you mean {', '.join(near)}?" if near else "see fmar eligible UNIT",
                    UNRESOLVED_REFERENCE,
                )
            )
        if unit is None or product is None or any(p.line == line for p in problems):
            continue
        number_asked = values.get("product_version")
        version = product.version(number_asked) if number_asked else current_version(product, at)
        if version is None:
            problems.append(
                _problem(
                    line,
                    "product_version",
                    f"{product.id} has no version {number_asked}",
                    f"versions: {', '.join(str(v.version) for v in product.versions)}",
                    UNKNOWN_PRODUCT_VERSION,
                )
            )
            continue
        evidence = _evidence(values.get("evidence", ""))
        if isinstance(evidence, str):
            problems.append(_problem(line, "evidence", evidence, "separate several with spaces"))
            continue
        declared = {k: values[k] for k in _CAPABILITIES if k in values}
        try:
            flags = Capabilities(**declared)
        except ValidationError as exc:
            error = exc.errors()[0]
            column = str(error["loc"][0])
            problems.append(
                _problem(line, column, f"{declared.get(column)!r}: {error['msg']}", "see fmar apply --help")
            )
            continue
        fields = application_fields(
            unit,
            product,
            version,
            at,
            capacity_up_kw=values.get("capacity_up_kw"),
            capacity_down_kw=values.get("capacity_down_kw"),
            capabilities=declared_over(flags, unit.capabilities).model_dump(exclude_none=True),
            evidence=evidence,
            rng=rng,
        )
        rows.append(Row(line, unit.id, unit.fsp, fields))
    return rows, problems
