"""fmar schema export|check: the JSON Schemas generated from the record models."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fmar import schemas
from fmar.cli.common import EXIT_FINDINGS
from fmar.paths import repository_root


def _default_dir() -> Path:
    return repository_root() / "schemas"


@click.group()
def schema() -> None:
    """Export or check the JSON Schemas of the record kinds."""


@schema.command("export")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def export(directory: Path | None) -> None:
    """Write one draft 2020-12 JSON Schema per record kind (default: schemas/)."""
    for path in schemas.export(directory or _default_dir()):
        click.echo(f"wrote {path}")


@schema.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def check(directory: Path | None) -> None:
    """Fail (exit 1) when the committed schemas differ from the models."""
    stale = schemas.drift(directory or _default_dir())
    if stale:
        click.echo(f"schemas out of date: {', '.join(stale)}; run 'fmar schema export'", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo("schemas match the models")
