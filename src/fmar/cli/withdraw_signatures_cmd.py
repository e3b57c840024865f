"""fmar withdraw-signatures: a pull request closed unmerged withdraws the signatures it carried.

The repository automation (.github/workflows/withdraw.yml) runs it when a pull request is
closed without merging and proposes the updated list to the registry operator; it only reads
Git objects, so the closed pull request's code is never checked out or run.
"""

from __future__ import annotations

import json
from typing import Any

import click

from fmar.cli.common import UsageError, format_option
from fmar.gitrepo import GitError
from fmar.loading.paths import repository_root
from fmar.trust.withdraw import ClosedSignature, DamagedList, WithdrawResult, withdraw
from fmar.trust.withdrawn import WITHDRAWN_PATH


def _item(item: ClosedSignature) -> dict[str, Any]:
    entry = item.withdrawal
    return {"digest": entry.digest, "path": entry.path, "pull_request": entry.pull_request, "signer": item.signer}


def _document(result: WithdrawResult, pull_request: int) -> dict[str, Any]:
    return {
        "format": "fmar-withdrawn-signatures/v1",
        "list": WITHDRAWN_PATH,
        "pull_request": pull_request,
        "base": result.base,
        "head": result.head,
        "merge_base": result.merge_base,
        "added": [_item(item) for item in result.added],
        "already_listed": [_item(item) for item in result.already_listed],
    }


def _text(result: WithdrawResult, pull_request: int) -> None:
    if result.added:
        click.echo(f"withdrew {len(result.added)} signature(s) of pull request #{pull_request} in {WITHDRAWN_PATH}:")
    for item in result.added:
        click.echo(f"  {item.withdrawal.path} signed by {item.signer}: {item.withdrawal.digest}")
    for item in result.already_listed:
        click.echo(f"already withdrawn: {item.withdrawal.path} signed by {item.signer}: {item.withdrawal.digest}")
    if not result.added:
        click.echo(f"pull request #{pull_request} withdraws nothing new; {WITHDRAWN_PATH} is unchanged")
    else:
        click.echo("commit the list and have the registry operator merge it", err=True)


@click.command("withdraw-signatures")
@click.option("--base", "base_ref", required=True, help="The branch the pull request was made against.")
@click.option(
    "--head", "head_ref", required=True, help="The closed pull request's last commit (fetched, not checked out)."
)
@click.option("--pr", "pull_request", required=True, type=click.IntRange(min=1), help="The pull request's number.")
@format_option("text", "json")
def withdraw_signatures(base_ref: str, head_ref: str, pull_request: int, fmt: str) -> None:
    """Withdraw the signatures of a pull request closed without merging.

    Lists the signed records HEAD adds or changes against BASE (from their merge base, as
    fmar check does) and adds each signature to audit/withdrawn-signatures.txt in the working
    tree: the SHA-256 of the signed bytes, the record's path, the pull request. fmar check then
    refuses those signatures, read from the base branch once the operator has merged the list;
    the signer signs again to submit the record anew. Reads Git objects only. Exit status: 0
    done (whether or not anything was added), 2 usage (unknown commit, a damaged list).
    """
    root = repository_root()
    if not (root / ".git").exists():
        raise UsageError(f"{root} is not inside a Git repository")
    try:
        result = withdraw(root, base_ref, head_ref, pull_request)
    except (GitError, DamagedList) as exc:
        raise UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(_document(result, pull_request), indent=2))
    else:
        _text(result, pull_request)
