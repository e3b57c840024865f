"""fmar report: a month's or quarter's figures per SO and product, for the regulator."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import UsageError, format_option, registry_option
from fmar.cli.record_io import as_of_option, as_of_time, load_verified, refused_for_so, refused_json, warn_refused
from fmar.core import gb_time
from fmar.core.workflow.reports import COLUMNS, NotAPeriod, csv_row, period, report, report_document
from fmar.publish.formats import csv_bytes


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@click.command("report")
@click.option(
    "--period", "period_text", required=True, metavar="PERIOD", help="A month (2026-07) or a quarter (2026-Q3)."
)
@click.option("--so", default=None, help="Only this system operator.")
@as_of_option
@registry_option
@format_option("text", "json", "csv")
def report_cmd(period_text: str, so: str | None, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Per SO and product in a month or quarter (London days): applications received and decided,
    median and 90th-percentile days to decision, share decided within target, open and overdue at
    the period's end, outcomes by result and failure reasons. All on recorded times; a period not
    over at the as-of time (default: now) is reported to date.

    Exit status: 0; 1 when --so names no system operator of the registry; 2 for a period that is
    neither a month nor a quarter."""
    try:
        span = period(period_text)
    except NotAPeriod:
        raise UsageError(f"--period {period_text!r} is not a month (2026-07) or a quarter (2026-Q3)") from None
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    refused = refused_for_so(verified, so)
    rows = report(verified.registry, span, so, moment)
    if fmt == "csv":
        click.echo(csv_bytes(COLUMNS, (csv_row(span, row) for row in rows)).decode(), nl=False)
        return
    if fmt == "json":
        document = {**report_document(span, rows, moment), "unverified": refused_json(refused)}
        click.echo(json.dumps(document, indent=2))
        return
    warn_refused(refused)
    to_date = "" if span.end <= moment else f", to date ({gb_time.shown_time(moment)})"
    click.echo(f"Report for {span.name} (London days){to_date}, on recorded times")
    click.echo(
        f"  {'SO':<6} {'product':<18} {'in':>4} {'done':>4} {'median':>7} {'p90':>7} {'on time':>8} "
        f"{'open':>5} {'late':>5}  outcomes"
    )
    for row in rows:
        share = "-" if row.within_target is None else f"{row.within_target:.0%}"
        outcomes = ", ".join(f"{k} {v}" for k, v in row.outcomes.items() if v)
        reasons = "; ".join(f"{k} {v}" for k, v in row.failure_reasons.items())
        click.echo(
            f"  {row.so:<6} {row.product:<18} {row.received:>4} {row.decided:>4} "
            f"{_days(row.median_days_to_decision):>7} {_days(row.p90_days_to_decision):>7} {share:>8} "
            f"{row.open_at_end:>5} {row.overdue_at_end:>5}  {outcomes}" + (f" (reasons: {reasons})" if reasons else "")
        )
    if not rows:
        click.echo("  nothing received, decided or open in the period")
