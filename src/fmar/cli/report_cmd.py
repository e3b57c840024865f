"""fmar report: a month's or quarter's figures per SO and product, for the regulator."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import UsageError, format_option, registry_option
from fmar.cli.record_io import load_verified, refused_for_so, refused_json, warn_refused
from fmar.core.workflow.reports import COLUMNS, NotAPeriod, csv_row, period, report
from fmar.publish.formats import csv_bytes
from fmar.signing.records import iso


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@click.command("report")
@click.option(
    "--period", "period_text", required=True, metavar="PERIOD", help="A month (2026-07) or a quarter (2026-Q3)."
)
@click.option("--so", default=None, help="Only this system operator.")
@registry_option
@format_option("text", "json", "csv")
def report_cmd(period_text: str, so: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Per SO and product in a month or quarter (London days): applications received and decided,
    median and 90th-percentile days to decision, share decided within target, open and overdue at
    the period's end, outcomes by result and failure reasons. All on recorded times.

    Exit status: 0; 1 when --so names no system operator of the registry; 2 for a period that is
    neither a month nor a quarter."""
    try:
        span = period(period_text)
    except NotAPeriod:
        raise UsageError(f"--period {period_text!r} is not a month (2026-07) or a quarter (2026-Q3)") from None
    verified = load_verified(*location)
    refused = refused_for_so(verified, so)
    rows = report(verified.registry, span, so)
    if fmt == "csv":
        click.echo(csv_bytes(COLUMNS, (csv_row(span, row) for row in rows)).decode(), nl=False)
        return
    if fmt == "json":
        document = {
            "format": "fmar-report/v1",
            "period": span.name,
            "from": iso(span.start),
            "until": iso(span.end),
            "clock": "recorded times (commit to main), else signing times",
            "unverified": refused_json(refused),
            "rows": [row.__dict__ for row in rows],
        }
        click.echo(json.dumps(document, indent=2))
        return
    warn_refused(refused)
    click.echo(f"Report for {span.name} (London days), on recorded times")
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
