"""fmar deliver: POST the notifications ``fmar notify`` or ``fmar remind`` wrote to the parties' webhooks."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from fmar.cli.common import EXIT_FINDINGS, UsageError, format_option, registry_option
from fmar.cli.record_io import load_verified
from fmar.core.workflow.webhooks import requests_for
from fmar.delivery import Outcome, deliver

#: What the secrets are read from: variables of their own names, or all of them as one JSON object
#: (``${{ toJSON(secrets) }}`` in a workflow), of which only the FMAR_WEBHOOK_ names are read.
SECRETS_VARIABLE = "FMAR_WEBHOOK_SECRETS"
_PREFIX = "FMAR_WEBHOOK_"


def webhook_secrets(environ: dict[str, str]) -> dict[str, str]:
    """The webhook secrets (name -> value) in ``environ``."""
    found = {k: v for k, v in environ.items() if k.startswith(_PREFIX) and k != SECRETS_VARIABLE}
    bundle = environ.get(SECRETS_VARIABLE)
    if bundle:
        try:
            values = json.loads(bundle)
        except json.JSONDecodeError:
            raise UsageError(f"{SECRETS_VARIABLE} is not a JSON object of secrets") from None
        if isinstance(values, dict):
            found.update({k: str(v) for k, v in values.items() if k.startswith(_PREFIX) and k != SECRETS_VARIABLE})
    return found


def _payloads(folder: Path) -> list[dict[str, Any]]:
    index_path = folder / "index.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        return [
            json.loads((folder / f"{entry['recipient']}.json").read_text(encoding="utf-8"))
            for entry in index["recipients"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{index_path}: not a folder fmar notify or fmar remind wrote ({exc})") from None


def _summary(outcomes: list[Outcome]) -> str:
    lines = [
        "### Webhook deliveries",
        "",
        "| Party | Endpoint | Topic | Delivered | Attempts | Answer |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        answer = str(o.status) if o.status is not None else (o.error or "")
        lines.append(
            f"| {o.recipient} | {o.url} | {o.topic} | {'yes' if o.delivered else '**no**'} | {o.attempts} | {answer} |"
        )
    failed = sum(1 for o in outcomes if not o.delivered)
    lines += [
        "",
        f"{len(outcomes) - failed} of {len(outcomes)} delivered." + (" Re-run to deliver the rest." if failed else ""),
    ]
    return "\n".join(lines) + "\n"


@click.command()
@click.option(
    "--from",
    "folder",
    default="notifications",
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The folder fmar notify or fmar remind wrote.",
)
@click.option("--attempts", type=click.IntRange(1, 20), default=5, show_default=True, help="Tries per request.")
@click.option(
    "--backoff",
    type=click.FloatRange(0, 600),
    default=2.0,
    show_default=True,
    help="Seconds before the first retry, doubling each time.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    help="Seconds to connect, and to wait for an answer.",
)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Certificates to trust instead of the system's (a private CA in front of an endpoint).",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append a Markdown table of the deliveries (e.g. $GITHUB_STEP_SUMMARY).",
)
@format_option("text", "json")
@registry_option
def deliver_cmd(
    folder: Path,
    attempts: int,
    backoff: float,
    timeout: float,
    ca_bundle: Path | None,
    summary: Path | None,
    fmt: str,
    location: tuple[Path, Path],
) -> None:
    """POST each notification in --from to its party's webhooks, signed (HMAC-SHA256).

    Endpoints are the `webhooks` of the party records on the checked-out branch; each names the CI
    secret that signs it (FMAR_WEBHOOK_*, read from the environment, or all at once as a JSON object
    in FMAR_WEBHOOK_SECRETS). Headers: X-Fmar-Signature-256 (sha256=HMAC of the body, as GitHub
    signs its webhooks), X-Fmar-Delivery, X-Fmar-Event (the topic) and Idempotency-Key (the same
    for the same notification however often it is delivered). Failures are retried with backoff;
    every outcome is written to deliveries.json in --from. Exit 1 when any was not delivered: the
    payloads stay, and a re-run delivers them again under the same idempotency keys.
    """
    payloads = _payloads(folder)
    registry = load_verified(*location).registry
    requests = requests_for(registry.parties, payloads)
    outcomes = deliver(
        requests,
        webhook_secrets(dict(os.environ)),
        attempts=attempts,
        backoff=backoff,
        timeout=timeout,
        ca_bundle=ca_bundle,
    )
    record = {"format": "fmar-deliveries/v1", "deliveries": [o.to_json() for o in outcomes]}
    (folder / "deliveries.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if summary is not None:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(_summary(outcomes))
    failed = [o for o in outcomes if not o.delivered]
    if fmt == "json":
        click.echo(json.dumps(record, indent=2))
    else:
        for o in outcomes:
            state = "delivered" if o.delivered else f"NOT delivered ({o.error})"
            click.echo(f"{o.recipient} {o.topic} -> {o.url}: {state}, {o.attempts} attempt(s)")
        where = (folder / "deliveries.json").resolve()
        click.echo(f"{len(outcomes) - len(failed)} of {len(outcomes)} delivered; recorded in {where}")
    if failed:
        sys.exit(EXIT_FINDINGS)
