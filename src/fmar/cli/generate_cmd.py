"""fmar generate: a seeded synthetic registry of any size, for tests, demos and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fmar.cli.common import UsageError, show_progress
from fmar.generate.synthetic import generate as generate_registry
from fmar.validation.pipeline import jobs_default


@click.command()
@click.option("--units", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="New registry folder; its trust anchor registry-trust.yaml goes beside it (in its parent folder).",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
def generate(units: int, seed: int, out: Path, jobs: int | None) -> None:
    """Write a synthetic registry of UNITS Market Units (same seed, same files) into OUT, and its
    trust anchor (registry identity fmar-gb-synthetic) beside it."""
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not empty; choose a new folder")
    workers = jobs or jobs_default()
    try:
        if show_progress():
            columns = (TextColumn("generating units"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, transient=True) as bar:
                task = bar.add_task("generate", total=units)
                records = generate_registry(out, units, seed, workers, lambda n: bar.advance(task, n))
        else:
            records = generate_registry(out, units, seed, workers)
    except FileExistsError as exc:  # another registry's trust anchor beside OUT
        raise UsageError(f"{exc}; choose an OUT whose parent folder holds no other registry") from None
    click.echo(f"wrote {records:,} records ({units:,} Market Units) to {out}")
