"""fmar codeowners: write or check .github/CODEOWNERS, generated from the party records."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fmar.cli.common import EXIT_FINDINGS, registry_option
from fmar.cli.record_io import load_verified, warn_refused
from fmar.core.workflow.codeowners import codeowners as render
from fmar.core.workflow.codeowners import unowned
from fmar.gitrepo import is_repository, tracked_files


@click.command()
@click.option(
    "--check",
    is_flag=True,
    help="Fail (exit 1) when the file differs from the party records or leaves a tracked path without an owner.",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: .github/CODEOWNERS."
)
@registry_option
def codeowners(check: bool, output: Path | None, location: tuple[Path, Path]) -> None:
    """Generate .github/CODEOWNERS from the party records (see docs/github.md for the mapping)."""
    root, registry_dir = location
    # Only party records that stand give a team ownership: a forged party record is named, not obeyed.
    verified = load_verified(root, registry_dir)
    registry, everything = verified.registry, verified.everything
    parties = {everything.path_of(party) for party in everything.parties.values()}
    warn_refused([f for f in verified.refusals if f.path in parties])
    target = output or root / ".github" / "CODEOWNERS"
    text = render(registry)
    if check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            click.echo(f"{target} is out of date with the party records; run 'fmar codeowners'", err=True)
            sys.exit(EXIT_FINDINGS)
        missing = unowned(text, tracked_files(root)) if is_repository(root) else []
        if missing:
            shown = "\n".join(f"  {path}" for path in missing[:50])
            more = f"\n  and {len(missing) - 50} more" if len(missing) > 50 else ""
            click.echo(
                f"{target} leaves {len(missing)} tracked path(s) without an owner:\n{shown}{more}\n"
                "give the registry operator a GitHub team (github_team in its party record) and run "
                "'fmar codeowners'",
                err=True,
            )
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{target} matches the party records and gives every tracked path an owner")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}")
