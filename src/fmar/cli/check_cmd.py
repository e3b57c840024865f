"""fmar check: the pull-request gate."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from fmar.cli import report
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, format_option, now_option
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
@now_option("times")
def check(base_ref: str, head_ref: str, fmt: str, no_cache: bool, now: datetime) -> None:
    """Check a change (a pull request) with the authority of its base revision.

    Reports only what the change brings: its records' validity, signatures and signers, and
    the append-only, layout and mixed-change rules. Exit status: 0 clean, 1 findings, 2 usage.
    """
    root = repository_root()
    if not (root / ".git").exists():
        raise UsageError(f"{root} is not inside a Git repository")
    try:
        result = check_change(root, base_ref, head_ref, now=now, use_cache=not no_cache)
    except (GitError, NoRegistryIdentity) as exc:
        raise UsageError(str(exc)) from None
    report.write(fmt, result.findings, result.files, sys.stdout)
    sys.exit(EXIT_FINDINGS if has_errors(result.findings) else EXIT_OK)
