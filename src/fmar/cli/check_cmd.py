"""fmar check: the pull-request gate."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from fmar.cli import report
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, format_option
from fmar.core.findings import has_errors
from fmar.gitrepo import GitError
from fmar.loading.paths import repository_root
from fmar.trust.anchor import NoRegistryIdentity
from fmar.trust.gate import check as check_change


@click.command()
@click.option("--base", "base_ref", required=True, help="The branch or commit the change is made against.")
@click.option("--head", "head_ref", default="HEAD", show_default=True, help="The change's last commit.")
@format_option("text", "json", "github")
@click.option("--no-cache", is_flag=True, help="Rebuild the index of references instead of updating the cached one.")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="TIME",
    help="Judge times as of TIME (ISO 8601 with a time zone), to reproduce a past verdict. "
    "Default: this machine's clock. Never a commit date.",
)
def check(base_ref: str, head_ref: str, fmt: str, no_cache: bool, now_text: str | None) -> None:
    """Check a change (a pull request) with the authority of its base revision.

    Reports only what the change brings: its records' validity, signatures and signers, and
    the append-only, layout and mixed-change rules. Exit status: 0 clean, 1 findings, 2 usage.
    """
    root = repository_root()
    if not (root / ".git").exists():
        raise UsageError(f"{root} is not inside a Git repository")
    now = _now(now_text)
    try:
        result = check_change(root, base_ref, head_ref, now=now, use_cache=not no_cache)
    except (GitError, NoRegistryIdentity) as exc:
        raise UsageError(str(exc)) from None
    report.write(fmt, result.findings, result.files, sys.stdout)
    sys.exit(EXIT_FINDINGS if has_errors(result.findings) else EXIT_OK)


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--now {text!r} has no time zone (add Z or +00:00)")
    return moment.astimezone(UTC)
