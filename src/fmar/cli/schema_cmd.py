"""fmar schema export|check: the JSON Schemas generated from the record models."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fmar.cli.common import EXIT_FINDINGS
from fmar.core import schemas
from fmar.loading.paths import repository_root


def _default_dir() -> Path:
    return repository_root() / "schemas"


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas.documents().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def drift(directory: Path) -> list[str]:
    """Schemas whose committed file differs from the models (missing files included)."""
    stale = []
    expected = schemas.documents()
    for name, text in expected.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name.split(".", 1)[0])
    stale.extend(f"unexpected file {p.name}" for p in sorted(directory.glob("*.schema.json")) if p.name not in expected)
    return stale


@click.group()
def schema() -> None:
    """Export or check the JSON Schemas of the record kinds."""


@schema.command("export")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def export(directory: Path | None) -> None:
    """Write one draft 2020-12 JSON Schema per record kind (default: schemas/)."""
    for path in write_schemas(directory or _default_dir()):
        click.echo(f"wrote {path}")


@schema.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def check(directory: Path | None) -> None:
    """Fail (exit 1) when the committed schemas differ from the models."""
    stale = drift(directory or _default_dir())
    if stale:
        click.echo(f"schemas out of date: {', '.join(stale)}; run 'fmar schema export'", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo("schemas match the models")
