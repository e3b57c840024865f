"""fmar validate: check records against the schemas and the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fmar import report
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, format_option, registry_option, relative, show_progress
from fmar.findings import has_errors
from fmar.validate import Pipeline, only


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@registry_option
@format_option("text", "json", "github")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Read every file again, ignoring results of earlier runs.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(
    paths: tuple[str, ...], location: tuple[Path, Path], fmt: str, jobs: int | None, no_cache: bool, strict: bool
) -> None:
    """Validate the registry, or report only on PATHS inside it.

    The whole registry is always read, because references cross files. Exit status: 0 when
    there is no error, 1 when there are errors (or warnings with --strict), 2 on a usage error.
    """
    root, registry = location
    pipeline = Pipeline(root, registry, jobs=jobs, use_cache=not no_cache)
    findings = pipeline.reusable_findings()
    if findings is None:
        total = len(pipeline.layout.files)
        if show_progress() and total > 2000:
            columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, transient=True) as bar:
                task = bar.add_task("validate", total=total)
                _, findings = pipeline.load(lambda n: bar.advance(task, n))
        else:
            _, findings = pipeline.load()
    if paths:
        findings = only(findings, relative(root, paths))
    report.write(fmt, findings, len(pipeline.layout.files), sys.stdout)
    failing = has_errors(findings) or (strict and bool(findings))
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)
