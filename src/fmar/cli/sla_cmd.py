"""fmar sla: each SO's service levels, measured on recorded times."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import format_option, registry_option
from fmar.cli.record_io import as_of_option, as_of_time, load_verified, refused_for_so, refused_json, warn_refused
from fmar.core import gb_time
from fmar.core.workflow.service_levels import summaries
from fmar.signing.records import iso


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@click.command()
@click.option("--so", default=None, help="Only this system operator.")
@as_of_option
@registry_option
@format_option("text", "json")
def sla(so: str | None, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Open and overdue applications, days to decision (median, 90th percentile), share within target.

    Exit status: 0, or 1 when --so names no system operator of the registry (with the nearest ones)."""
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    refused = refused_for_so(verified, so)
    rows = summaries(verified.registry, moment, so)
    if fmt == "json":
        document = {
            "format": "fmar-sla/v1",
            "as_of": iso(moment),
            "unverified": refused_json(refused),
            "clock": "recorded times (commit to main), else signing times",
            "rows": [row.__dict__ for row in rows],
        }
        click.echo(json.dumps(document, indent=2))
        return
    warn_refused(refused)
    click.echo(f"Service levels as of {gb_time.shown_time(moment)} (days on recorded times)")
    click.echo(
        f"  {'SO':<6} {'product':<18} {'open':>4} {'late':>4} {'done':>4} {'median':>7} {'p90':>7} {'on time':>8}"
    )
    for row in rows:
        share = "-" if row.within_target is None else f"{row.within_target:.0%}"
        click.echo(
            f"  {row.so:<6} {row.product:<18} {row.open:>4} {row.overdue:>4} {row.decided:>4} "
            f"{_days(row.median_days_to_decision):>7} {_days(row.p90_days_to_decision):>7} {share:>8}"
        )
