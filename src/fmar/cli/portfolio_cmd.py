"""fmar portfolio: an FSP's units against every product, with deadlines and qualifications expiring soon."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import format_option, registry_option
from fmar.cli.record_io import as_of_option, as_of_time, fail, load_verified, refused_json, warn_refused
from fmar.core import gb_time
from fmar.core.catalogue import UNRESOLVED_REFERENCE
from fmar.core.model import PartyRole
from fmar.core.workflow.portfolio import (
    EXPIRING_DAYS,
    PORTFOLIO_COLUMNS,
    csv_cells,
    deadlines,
    expiring,
    portfolio,
    portfolio_document,
)
from fmar.publish.formats import csv_bytes


@click.command("portfolio")
@click.argument("fsp")
@as_of_option
@registry_option
@format_option("text", "json", "csv")
def portfolio_cmd(fsp: str, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """FSP's Market Units against every product they applied for: the governing status, validity,
    capacities and, for an open application, whose turn it is and when it is due; then the deadlines
    coming and the qualifications expiring within 90 days of the as-of time (default: now).

    --format json prints the document the site publishes as api/v2/portfolios/FSP.json (with the
    records left out as unverified); --format csv its CSV.

    Exit status: 0; 1 when FSP is not an FSP of the registry."""
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    registry = verified.registry
    party = registry.parties.get(fsp)
    if party is None or party.role is not PartyRole.FSP:
        fail(f"{UNRESOLVED_REFERENCE.code} {fsp} is not an FSP of the registry")
    units = [u.id for u in registry.units.values() if u.fsp == fsp]
    refused = verified.refused_about(units=units)
    rows = portfolio(registry, fsp, moment)
    if fmt == "csv":
        click.echo(csv_bytes(PORTFOLIO_COLUMNS, [csv_cells(r) for r in rows]).decode(), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps({**portfolio_document(fsp, rows), "unverified": refused_json(refused)}, indent=2))
        return
    warn_refused(refused)
    click.echo(f"{fsp}: {len(units)} unit(s), {len(rows)} unit × product pair(s), as of {gb_time.shown_time(moment)}")
    for row in rows:
        values = dict(zip(PORTFOLIO_COLUMNS, row, strict=True))
        until = f"until {gb_time.shown_day(values['valid_until'])}" if values["valid_until"] else ""
        click.echo(f"  {values['unit']:<22} {values['product']:<18} {values['status']:<24} {until}")
    coming = deadlines(rows, moment)
    click.echo(f"Deadlines ({len(coming)}):" if coming else "Deadlines: none")
    for d in coming:
        late = f"OVERDUE {d['overdue_days']:.0f} d" if d["overdue_days"] else "due"
        click.echo(
            f"  {late} {gb_time.shown_time(d['due_at'])}  {d['unit']} {d['product']}: {d['waiting_for']} "
            f"({d['waiting_on']})"
        )
    ending = expiring(rows, moment)
    click.echo(
        f"Expiring within {EXPIRING_DAYS} days ({len(ending)}):"
        if ending
        else f"Expiring within {EXPIRING_DAYS} days: none"
    )
    for e in ending:
        click.echo(f"  {gb_time.shown_day(e['valid_until'])} ({e['days_left']:.0f} d)  {e['unit']} {e['product']}")
