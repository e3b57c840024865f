"""Many records from one CSV file (``fmar apply --from``, ``fmar decide --from``): pure, rows in,
fields or problems out.

A large FSP applies for hundreds of units at once; an SO decides a batch of applications from its
own systems. The whole file is read and checked first; the command writes nothing unless every row
is accepted, and each problem names its row (the line of the file) and column. A header line names
the columns. Applications: ``unit`` and ``product``, and any of ``capacity_up_kw``,
``capacity_down_kw``, ``product_version``, ``full_delivery_s``, ``duration_min``,
``metering_resolution_s``, ``evidence`` (``URL=SHA256``, several separated by spaces). Decisions:
``application`` and ``result`` (``qualified``, ``conditionally_qualified``, ``failed``), and any of
``valid_from``, ``valid_until`` (London dates, as ``fmar decide`` reads them), ``days``,
``capacity_up_kw``, ``capacity_down_kw``, ``conditions`` and ``reasons`` (several separated by
``;``), ``notes``, ``case_reference``.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from fmar.core import gb_time
from fmar.core.catalogue import BAD_BULK_ROW, UNIT_ADD_OR_UPDATE, UNKNOWN_PRODUCT_VERSION, UNRESOLVED_REFERENCE
from fmar.core.findings import Problem
from fmar.core.ids import MARKET_UNIT_ID, close_ids
from fmar.core.model.capabilities import Capabilities, declared_over
from fmar.core.registry import Registry
from fmar.core.workflow.forms import (
    UNIT_FLAGS,
    NotAnAsset,
    application_fields,
    current_version,
    missing_unit_fields,
    outcome_fields,
    unit_fields,
)

#: The columns of a file of applications (``fmar apply --from``): needed, and optional with the type of their cells.
APPLICATION_COLUMNS = ("unit", "product")
APPLICATION_OPTIONAL: dict[str, Callable[[str], Any]] = {
    "capacity_up_kw": float,
    "capacity_down_kw": float,
    "product_version": int,
    "full_delivery_s": float,
    "duration_min": int,
    "metering_resolution_s": float,
    "evidence": str,
}
#: The columns of a file of decisions (``fmar decide --from``).
DECISION_COLUMNS = ("application", "result")
DECISION_OPTIONAL: dict[str, Callable[[str], Any]] = {
    "valid_from": str,
    "valid_until": str,
    "days": int,
    "capacity_up_kw": float,
    "capacity_down_kw": float,
    "conditions": str,
    "reasons": str,
    "notes": str,
    "case_reference": str,
}
RESULTS = ("qualified", "conditionally_qualified", "failed")
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
    """An accepted row: its line, the party whose record it makes (who must sign it), the record's
    kind and fields."""

    line: int
    owner: str
    kind: str
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


def _unknown(line: int, column: str, value: str, known: Iterable[str], otherwise: str) -> RowProblem:
    """``value`` is no id the registry knows: the nearest ones, or what to do."""
    near = close_ids(value, known)
    what = {"unit": "a Market Unit", "product": "a product", "application": "an application"}[column]
    hint = f"did you mean {', '.join(near)}?" if near else otherwise
    return _problem(line, column, f"{value!r} is not {what} in the registry", hint, UNRESOLVED_REFERENCE)


def table(
    text: str, required: tuple[str, ...], optional: dict[str, Callable[[str], Any]]
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    """The rows of a CSV ``text`` as (line, values): the ``required`` cells as text, the ``optional``
    ones given, of their type; and the problems of the header and of each row's cells."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    problems: list[RowProblem] = []
    unknown = [c for c in header if c not in required and c not in optional]
    missing = [c for c in required if c not in header]
    if missing or unknown:
        for column in missing:
            problems.append(_problem(1, column, f"the header has no column {column!r}", "name it in the first line"))
        for column in unknown:
            known = ", ".join((*required, *optional))
            problems.append(_problem(1, column, f"unknown column {column!r}", f"columns are: {known}"))
        return [], problems
    rows = []
    for number, cells in enumerate(reader, start=2):
        line = reader.line_num
        if number - 1 > MAX_ROWS:
            problems.append(_problem(line, "", f"more than {MAX_ROWS} rows", "split the file"))
            break
        if None in cells:
            problems.append(_problem(line, "", "more cells than the header names", "quote cells holding commas"))
            continue
        values: dict[str, Any] = {column: (cells.get(column) or "").strip() for column in required}
        ok = True
        for column, kind in optional.items():
            raw = (cells.get(column) or "").strip()
            if not raw:
                continue
            try:
                values[column] = kind(raw)
            except ValueError:
                ok = False
                wanted = "a whole number" if kind is int else "a number"
                problems.append(_problem(line, column, f"{raw!r} is not {wanted}", f"write {column} as {wanted}"))
        if ok:
            rows.append((line, values))
    return rows, problems


def read_rows(
    text: str, registry: Registry, at: datetime, rng: random.Random | None = None
) -> tuple[list[Row], list[RowProblem]]:
    """The applications ``text`` (a CSV file) asks for, as of ``at``; and every problem found in it."""
    cells, problems = table(text, APPLICATION_COLUMNS, APPLICATION_OPTIONAL)
    rows: list[Row] = []
    for line, values in cells:
        unit_id, product_id = values["unit"], values["product"]
        unit, product = registry.units.get(unit_id), registry.products.get(product_id)
        if unit is None:
            problems.append(_unknown(line, "unit", unit_id, registry.units, "register it first: fmar unit add"))
        if product is None:
            problems.append(_unknown(line, "product", product_id, registry.products, "see fmar eligible UNIT"))
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
        rows.append(Row(line, unit.fsp, "application", fields))
    return rows, problems


def _moment(value: str | None, *, end_of_day: bool) -> datetime | str | None:
    """A date or date and time cell as an instant (``gb_time.parse``), or what is wrong with it."""
    if not value:
        return None
    try:
        return gb_time.parse(value, end_of_day=end_of_day).replace(microsecond=0)
    except gb_time.NotAMoment:
        return f"{value!r} is not an ISO date or date and time (2027-04-01, or 2027-04-01T09:30 in London time)"


def read_decisions(
    text: str, registry: Registry, at: datetime, rng: random.Random | None = None
) -> tuple[list[Row], list[RowProblem]]:
    """The outcomes ``text`` (a CSV file of decisions) records, as of ``at``; and every problem in it."""
    cells, problems = table(text, DECISION_COLUMNS, DECISION_OPTIONAL)
    rows: list[Row] = []
    for line, values in cells:
        application = registry.applications.get(values["application"])
        if application is None:
            problems.append(
                _unknown(line, "application", values["application"], registry.applications, "fmar inbox SO")
            )
            continue
        if values["result"] not in RESULTS:
            problems.append(
                _problem(line, "result", f"{values['result']!r} is not a result", f"one of: {', '.join(RESULTS)}")
            )
            continue
        start = _moment(values.get("valid_from"), end_of_day=False)
        end = _moment(values.get("valid_until"), end_of_day=True)
        wrong = [(c, m) for c, m in (("valid_from", start), ("valid_until", end)) if isinstance(m, str)]
        problems.extend(_problem(line, c, m, "dates are London days; see fmar decide --help") for c, m in wrong)
        if end is not None and "days" in values:
            problems.append(_problem(line, "days", "valid_until and days both set the end of validity", "give one"))
        if wrong or (end is not None and "days" in values):
            continue
        assert not isinstance(start, str) and not isinstance(end, str)
        product = registry.products.get(application.product)
        version = product.version(application.product_version) if product else None
        fields = outcome_fields(
            application,
            values["result"],
            at,
            valid_from=start,
            valid_until=end,
            days=values.get("days"),
            capacity_up_kw=values.get("capacity_up_kw"),
            capacity_down_kw=values.get("capacity_down_kw"),
            conditions=tuple(c.strip() for c in values.get("conditions", "").split(";") if c.strip()),
            reasons=tuple(r.strip() for r in values.get("reasons", "").split(";") if r.strip()),
            notes=values.get("notes") or None,
            max_validity_days=version.max_validity_days if version else None,
            case_reference=values.get("case_reference") or None,
            rng=rng,
        )
        rows.append(Row(line, application.so, "outcome", fields))
    return rows, problems


#: The columns of a file of new Market Units (``fmar unit add --from``): each a flag of ``unit add``.
UNIT_COLUMNS = ("id",)
UNIT_OPTIONAL: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(UNIT_FLAGS, str),
    "accounting_points": int,
    "import_kw": float,
    "export_kw": float,
    "assets": str,
    "full_delivery_s": float,
    "duration_min": int,
    "metering_resolution_s": float,
}


def _column_of(flag: str) -> str:
    """The column of a ``unit add`` flag (``--import-kw``: ``import_kw``; ``--asset``: ``assets``)."""
    return "assets" if flag == "--asset" else flag[2:].replace("-", "_")


def read_units(
    text: str, registry: Registry, at: datetime, rng: random.Random | None = None
) -> tuple[list[Row], list[RowProblem]]:
    """The Market Units ``text`` (a CSV file) registers; and every problem found in it. Assets are
    written CATEGORY:COUNT:KW, several separated by ``;``."""
    cells, problems = table(text, UNIT_COLUMNS, UNIT_OPTIONAL)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, values in cells:
        unit_id = values["id"]
        if re.fullmatch(MARKET_UNIT_ID, unit_id) is None:
            problems.append(_problem(line, "id", f"{unit_id!r} is not a Market Unit id", "MU-<FSP>-<6-digit serial>"))
            continue
        if unit_id in registry.units or unit_id in seen:
            where = f"line {seen[unit_id]} of this file" if unit_id in seen else "the registry"
            message = f"{unit_id} is already in {where}"
            problems.append(
                _problem(line, "id", message, f"to change it: fmar unit update {unit_id}", UNIT_ADD_OR_UPDATE)
            )
            continue
        seen[unit_id] = line
        flags = {**values, "assets": [a.strip() for a in values.get("assets", "").split(";") if a.strip()]}
        try:
            fields = unit_fields({"id": unit_id, "fsp": unit_id.split("-")[1]}, flags)
        except NotAnAsset as exc:
            problems.append(_problem(line, "assets", str(exc), "several separated by ';'"))
            continue
        missing = missing_unit_fields(fields)
        for flag in missing:
            column = _column_of(flag)
            problems.append(
                _problem(line, column, f"{unit_id} needs a value in column {column}", f"as {flag} of unit add")
            )
        if missing:
            continue
        declared = {k: values[k] for k in _CAPABILITIES if k in values}
        if declared:
            fields["capabilities"] = declared
        rows.append(Row(line, str(fields["fsp"]), "market_unit", fields))
    return rows, problems


#: The columns of a file of attested recorded times (``fmar attest-import --from``).
ATTESTED_COLUMNS = ("id", "recorded_at")


def read_attested(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """The records and original recorded times ``text`` (a CSV file: ``id``, ``recorded_at`` in ISO
    8601 with an offset) lists, as (line, {"id", "recorded_at"}), and every problem found in it."""
    cells, problems = table(text, ATTESTED_COLUMNS, {})
    rows = []
    seen: dict[str, int] = {}
    for line, values in cells:
        record_id, moment = values["id"], values["recorded_at"]
        if record_id in seen:
            problems.append(_problem(line, "id", f"{record_id} is listed already, on line {seen[record_id]}", "once"))
            continue
        seen[record_id] = line
        try:
            at = datetime.fromisoformat(moment)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            problems.append(
                _problem(
                    line,
                    "recorded_at",
                    f"{moment!r} is not a time with an offset",
                    "write ISO 8601 with its offset, as the earlier register has it: 2024-03-01T09:30:00+00:00",
                )
            )
            continue
        rows.append((line, {"id": record_id, "recorded_at": at.isoformat().replace("+00:00", "Z")}))
    return rows, problems
