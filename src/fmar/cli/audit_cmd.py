"""fmar audit: tamper evidence over the registry's whole history."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from fmar import gitrepo
from fmar.cli import report
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, format_option, now_option, registry_option
from fmar.core.findings import has_errors
from fmar.history.audit import PUBLISHED_HEADS, audit, record_head
from fmar.history.index import build_index
from fmar.trust.anchor import NoRegistryIdentity


@click.command("audit")
@click.option("--ref", default="HEAD", show_default=True, help="Branch or commit whose history to audit.")
@click.option(
    "--published",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"List of published heads (default: {PUBLISHED_HEADS} in the repository). "
    "Pass a copy kept outside the repository to catch a rewrite of the list itself.",
)
@click.option(
    "--record-head",
    "record_head_flag",
    is_flag=True,
    help="Append the head of --ref to the list of published heads and stop.",
)
@click.option("--note", default="", help="With --record-head: a note for the line (e.g. the export version).")
@registry_option
@format_option("text", "json", "github")
@now_option("commit times")
def audit_command(
    ref: str,
    published: Path | None,
    record_head_flag: bool,
    note: str,
    location: tuple[Path, Path],
    fmt: str,
    now: datetime,
) -> None:
    """Check that the history still holds every published head and that every version of every record verifies.

    Exit status: 0 when the history is intact, 1 when it was rewritten or a version does not
    verify, 2 when the history cannot be read (not a repository, shallow clone). Commit times of the
    main line that go backwards or lie after the time of the audit (--now) are warned about.
    """
    root, registry_dir = location
    listed = published or root / PUBLISHED_HEADS
    try:
        if record_head_flag:
            head = gitrepo.resolve(root, ref)
            added = record_head(listed, head, datetime.now(UTC).replace(microsecond=0), note)
            click.echo(f"{'recorded' if added else 'already recorded'} published head {head} in {listed}")
            click.echo("commit the list so later audits can check it", err=True)
            sys.exit(EXIT_OK)
        index = build_index(root, registry_dir, ref)
        findings = audit(root, registry_dir, index, ref, listed, now=now)
    except (gitrepo.GitError, NoRegistryIdentity) as exc:
        raise UsageError(str(exc)) from None
    files = sum(1 for changes in index.changes.values() for change in changes if change.blob)
    report.write(fmt, findings, files, sys.stdout)
    sys.exit(EXIT_FINDINGS if has_errors(findings) else EXIT_OK)
