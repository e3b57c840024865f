"""fmar history: every version of a record, and a unit's timeline with its applications and answers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import EXIT_FINDINGS, UsageError, format_option, registry_option
from fmar.cli.record_io import refused_json, warn_refused
from fmar.core import gb_time
from fmar.core.findings import Finding
from fmar.gitrepo import GitError
from fmar.history.index import build_index
from fmar.history.recorded import verified_with_history
from fmar.history.timeline import UnknownRecord, describe, history_json, history_of
from fmar.history.versions import Version
from fmar.trust.reading import Verified


def _line(version: Version) -> str:
    who = f"signed by {version.signer}" if version.signer else "unsigned"
    return (
        f"{gb_time.shown_time(version.recorded_at, seconds=True)}  {version.change:<8}  {version.commit[:12]}  "
        f"committed by {version.committer}, authored by {version.author}, {who}"
    )


def _refused(verified: Verified, kind: str, record_id: str) -> list[Finding]:
    """Refusals of the record itself, and for a unit or an application of what its timeline shows."""
    everything = verified.everything
    if kind == "market_unit":
        return verified.refused_about([record_id])
    own = [f for f in verified.refusals if f.path == everything.paths.get((kind, record_id))]
    application = everything.applications.get(record_id)
    if application is None:
        return own
    answers = {everything.path_of(answer) for answer in everything.answers.get(record_id, ())}
    return sorted({*own, *(f for f in verified.refusals if f.path in answers)})


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--ref", default="HEAD", show_default=True, help="Branch or commit whose first-parent line to read.")
@registry_option
@format_option("text", "json")
def history(record_id: str, ref: str, location: tuple[Path, Path], fmt: str) -> None:
    """Show every version of record ID, who committed and signed it, and which fields changed.

    For a Market Unit or an application the timeline also shows its applications, outcomes
    and events in the order the registry recorded them. Exit status: 0 when found, 1 when ID
    was never recorded, 2 when the history cannot be read (not a repository, shallow clone).
    """
    root, registry_dir = location
    try:
        index = build_index(root, registry_dir, ref)
        verified = verified_with_history(root, registry_dir, ref)
        registry = verified.registry
        found = history_of(root, index, verified.everything, record_id)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    except UnknownRecord as exc:
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(EXIT_FINDINGS) from None
    refused = _refused(verified, found.kind, record_id)
    if fmt == "json":
        document = {**history_json(found, registry), "unverified": refused_json(refused)}
        click.echo(json.dumps(document, indent=2, default=str))
        return
    warn_refused(refused)
    click.echo(f"{found.record} ({found.kind.replace('_', ' ')})  {found.path}")
    for version in found.versions:
        click.echo(f"  {_line(version)}")
        for change in version.changes:
            click.echo(f"      {change.path}: {json.dumps(change.before)} -> {json.dumps(change.after)}")
    if found.related:
        click.echo("timeline:")
        for version in found.timeline():
            summary = describe(registry, version)
            at = gb_time.shown_time(version.recorded_at, seconds=True)
            click.echo(f"  {at}  {version.record:<22} {version.change:<8} {summary}")
            signer = version.signer or "-"
            click.echo(f"      {version.commit[:12]} committed by {version.committer}, signed by {signer}")
            for change in version.changes:
                click.echo(f"      {change.path}: {json.dumps(change.before)} -> {json.dumps(change.after)}")
