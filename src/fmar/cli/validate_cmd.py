"""fmar validate: check records against the schemas and the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fmar.cli import report
from fmar.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    format_option,
    registry_option,
    relative,
    show_progress,
)
from fmar.core.findings import has_errors
from fmar.trust.reading import validate as validate_all
from fmar.validation.pipeline import Pipeline, only


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@registry_option
@format_option("text", "json", "github")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Read every file again, ignoring results of earlier runs.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--unsafe-skip-signatures",
    "skip_signatures",
    is_flag=True,
    help="Do not verify signatures, keys or who signed what (findings then say nothing of trust).",
)
def validate(
    paths: tuple[str, ...],
    location: tuple[Path, Path],
    fmt: str,
    jobs: int | None,
    no_cache: bool,
    strict: bool,
    skip_signatures: bool,
) -> None:
    """Validate the registry, or report only on PATHS inside it.

    Every record's signature is verified (the key its signer publishes, valid when it signed)
    and so is the signer's right to sign it, as the read commands judge them;
    --unsafe-skip-signatures leaves that out, for a quick look at the data alone.
    The whole registry is always read, because references cross files. A finding on a folder
    (an unknown kind folder, say) counts for every named file in it; a named path outside the
    registry folder is a usage error. Exit status: 0 when
    there is no error, 1 when there are errors (or warnings with --strict), 2 on a usage error.
    """
    root, registry = location
    named = relative(root, paths) if paths else []
    folder = registry.relative_to(root).as_posix()
    outside = [
        rel
        for rel in named
        if not (rel in (".", folder) or rel.startswith(folder + "/") or folder.startswith(rel + "/"))
    ]
    if outside:
        raise UsageError(f"{', '.join(outside)}: outside the registry folder {folder}/, so not a record to validate")
    pipeline = Pipeline(root, registry, jobs=jobs, use_cache=not no_cache, seal=not skip_signatures)
    total = len(pipeline.layout.files)
    if show_progress() and total > 2000:
        columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("validate", total=total)
            validation = validate_all(pipeline, lambda n: bar.advance(task, n))
    else:
        validation = validate_all(pipeline)
    findings = validation.findings
    if skip_signatures:
        click.echo("warning: signatures were not verified (--unsafe-skip-signatures)", err=True)
    if named:
        findings = only(findings, named)
    report.write(fmt, findings, validation.files, sys.stdout)
    failing = has_errors(findings) or (strict and bool(findings))
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)
