"""fmar history: every version of a record, and a unit's timeline with its applications and answers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import EXIT_FINDINGS, UsageError, format_option, registry_option
from fmar.gitrepo import GitError
from fmar.history.index import build_index
from fmar.history.recorded import load_with_history
from fmar.history.timeline import UnknownRecord, describe, history_json, history_of
from fmar.history.versions import Version
from fmar.signing.records import iso


def _line(version: Version) -> str:
    who = f"signed by {version.signer}" if version.signer else "unsigned"
    return (
        f"{iso(version.recorded_at)}  {version.change:<8}  {version.commit[:12]}  "
        f"committed by {version.committer}, authored by {version.author}, {who}"
    )


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
        registry = load_with_history(root, registry_dir, ref)
        found = history_of(root, index, registry, record_id)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    except UnknownRecord as exc:
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(EXIT_FINDINGS) from None
    if fmt == "json":
        click.echo(json.dumps(history_json(found, registry), indent=2, default=str))
        return
    click.echo(f"{found.record} ({found.kind.replace('_', ' ')})  {found.path}")
    for version in found.versions:
        click.echo(f"  {_line(version)}")
        for change in version.changes:
            click.echo(f"      {change.path}: {json.dumps(change.before)} -> {json.dumps(change.after)}")
    if found.related:
        click.echo("timeline:")
        for version in found.timeline():
            summary = describe(registry, version)
            click.echo(f"  {iso(version.recorded_at)}  {version.record:<22} {version.change:<8} {summary}")
            signer = version.signer or "-"
            click.echo(f"      {version.commit[:12]} committed by {version.committer}, signed by {signer}")
            for change in version.changes:
                click.echo(f"      {change.path}: {json.dumps(change.before)} -> {json.dumps(change.after)}")
