"""fmar status: the qualification status of a Market Unit, now or as of a moment."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, format_option, parse_moment, registry_option
from fmar.findings import has_errors
from fmar.status import Qualification, unit_statuses
from fmar.validate import Pipeline


def qualification_json(q: Qualification) -> dict[str, Any]:
    def moment(value: Any) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    return {
        "unit": q.unit,
        "product": q.product,
        "product_version": q.product_version,
        "so": q.so,
        "status": str(q.status),
        "since": moment(q.since),
        "detail": q.detail,
        "application": q.application,
        "outcome": q.outcome,
        "valid_from": moment(q.valid_from),
        "valid_until": moment(q.valid_until),
        "capacity_up_kw": q.capacity_up_kw,
        "capacity_down_kw": q.capacity_down_kw,
        "justified_by": list(q.justified_by),
    }


@click.command()
@click.argument("unit")
@click.option("--product", default=None, help="Only this product.")
@click.option("--as-of", "as_of", default=None, help="ISO date or date and time (default: now).")
@registry_option
@format_option("text", "json")
def status(unit: str, product: str | None, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Show the qualification status of UNIT for each product it applied for.

    Exit status: 0 when the unit is in the registry, 1 when it is not.
    """
    moment = parse_moment(as_of)
    root, registry_dir = location
    registry, findings = Pipeline(root, registry_dir).load()
    if has_errors(findings):
        click.echo("note: the registry has validation errors; statuses use its valid records only", err=True)
    if unit not in registry.units:
        click.echo(f"{unit} is not a Market Unit in the registry", err=True)
        sys.exit(EXIT_FINDINGS)
    answers = unit_statuses(registry, unit, moment, product)
    if fmt == "json":
        document = {
            "format": "fmar-status/v1",
            "unit": unit,
            "as_of": moment.isoformat().replace("+00:00", "Z"),
            "products": [
                {**qualification_json(current), "applications": [qualification_json(q) for q in history]}
                for current, history in answers
            ],
        }
        click.echo(json.dumps(document, indent=2))
        sys.exit(EXIT_OK)
    record = registry.units[unit]
    click.echo(f"{unit}  {record.name}  ({record.fsp}, {record.licence_area}) as of {moment:%Y-%m-%d %H:%M}Z")
    if not answers:
        click.echo("  no applications")
    for current, history in answers:
        line = f"  {current.product} v{current.product_version}: {current.status.label} — {current.detail}"
        if current.valid_until:
            line += f" (valid {current.valid_from:%Y-%m-%d} to {current.valid_until:%Y-%m-%d}"
            line += f", up {current.capacity_up_kw:.2f} kW, down {current.capacity_down_kw:.2f} kW)"
        click.echo(line)
        click.echo(f"      by {', '.join(current.justified_by)}")
        for other in history:
            if other.application != current.application:
                click.echo(f"      also {other.application}: {other.status.label}")
