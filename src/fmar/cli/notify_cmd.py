"""fmar notify and fmar remind: the notification payloads for the records a push merged, and for
what time alone brings in a window, written to a folder.

The repository automation (.github/workflows/notify.yml) delivers them; this command only
reads Git and the registry, so it runs the same offline and in tests.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from fmar import gitrepo
from fmar.cli.common import UsageError, folder_option, parse_moment, registry_option
from fmar.cli.record_io import load_verified, refused_json, warn_refused
from fmar.core import record_paths
from fmar.core.registry import Registry
from fmar.core.workflow.notification import (
    Notice,
    atom_feed,
    by_recipient,
    notices,
    recipient_json,
    recipient_markdown,
)
from fmar.core.workflow.reminders import time_notices
from fmar.signing.records import iso


def _git(root: Path, *args: str) -> str:
    try:
        return gitrepo.text(root, *args)
    except gitrepo.GitError as exc:
        raise UsageError(str(exc)) from None


def changed_records(root: Path, registry_dir: Path, base: str, head: str) -> list[tuple[str, str]]:
    """(kind, id) of every record file added or modified between ``base`` and ``head``, in path order. A record
    moved with its bytes unchanged (the layout migration, ``fmar migrate layout``) is neither."""
    prefix = registry_dir.relative_to(root).as_posix()
    try:
        entries = gitrepo.changes(root, base, head)
    except gitrepo.GitError as exc:
        raise UsageError(str(exc)) from None
    changed = []
    for entry in entries:
        moved = entry.status == "R" and entry.old_object == entry.new_object
        if entry.status not in ("A", "M", "R") or moved or not entry.path.startswith(f"{prefix}/"):
            continue
        found = record_paths.parse(entry.path[len(prefix) + 1 :])
        if found is not None:
            changed.append((found.kind, found.id))
    return sorted(changed)


#: ``--out``: where ``notify`` and ``remind`` write their payloads.
_out_option = folder_option(
    "--out",
    "out_dir",
    "notifications",
    "Folder the payloads are written to (relative to the current folder; keep it out of the registry).",
)


def write_payloads(
    out_dir: Path, registry: Registry, found: list[Notice], window: dict[str, str], unverified: list[dict[str, Any]]
) -> None:
    """Per recipient of ``found``: <PARTY>.json, .atom and .md; and index.json listing them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    index = []
    for recipient, items in sorted(by_recipient(found).items()):
        (out_dir / f"{recipient}.json").write_text(recipient_json(registry, recipient, items, window), "utf-8")
        (out_dir / f"{recipient}.atom").write_text(atom_feed(recipient, items), "utf-8")
        (out_dir / f"{recipient}.md").write_text(recipient_markdown(registry, recipient, items), "utf-8")
        party = registry.parties.get(recipient)
        index.append(
            {
                "recipient": recipient,
                "github_team": party.github_team if party else None,
                "notifications": len(items),
                "topics": sorted({n.topic for n in items}),
            }
        )
        click.echo(f"{recipient}: {len(items)} notification(s)")
    document = {"format": "fmar-notifications/v1", **window, "recipients": index, "unverified": unverified}
    (out_dir / "index.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    if not index:
        click.echo("nothing in the range concerns anybody")
    click.echo(f"written to {out_dir.resolve()} (index.json and, per recipient, .json, .atom and .md)")


@click.command()
@click.option("--base", required=True, help="The commit before the push (e.g. github.event.before).")
@click.option("--head", default="HEAD", show_default=True, help="The pushed commit; must be the one checked out.")
@_out_option
@registry_option
def notify(base: str, head: str, out_dir: Path, location: tuple[Path, Path]) -> None:
    """Write notification payloads for records merged between BASE and HEAD.

    Per recipient: <PARTY>.json (with the data package of each new application), <PARTY>.atom
    (Atom entries) and <PARTY>.md (the text posted for its GitHub team); index.json lists them.
    """
    root, registry_dir = location
    head_id = _git(root, "rev-parse", "--verify", f"{head}^{{commit}}").strip()
    base_id = _git(root, "rev-parse", "--verify", f"{base}^{{commit}}").strip()
    if _git(root, "rev-parse", "HEAD").strip() != head_id:
        raise UsageError(f"check out {head} first: notify reads the registry of the pushed commit")
    as_of = datetime.fromisoformat(_git(root, "show", "-s", "--format=%cI", head_id).strip())
    verified = load_verified(root, registry_dir)
    registry, changed = verified.registry, changed_records(root, registry_dir, base_id, head_id)
    # A changed record that does not stand is nobody's news: it is named, never notified.
    changed_paths = {verified.everything.paths.get(key) for key in changed}
    refused = [f for f in verified.refusals if f.path in changed_paths]
    warn_refused(refused)
    found = notices(registry, changed, as_of)
    write_payloads(out_dir, registry, found, {"base": base_id, "head": head_id}, refused_json(refused))


@click.command()
@click.option(
    "--since",
    "since_text",
    required=True,
    metavar="WHEN",
    help="Start of the window, excluded: the previous run's --until (a date alone is the start of that day "
    "in London; a time without an offset is London time).",
)
@click.option(
    "--until",
    "until_text",
    default=None,
    metavar="WHEN",
    help="End of the window, included (a date alone is the end of that day in London). Default: now, by this "
    "machine's clock (the scheduled workflow's runner, never a commit date).",
)
@_out_option
@registry_option
def remind(since_text: str, until_text: str | None, out_dir: Path, location: tuple[Path, Path]) -> None:
    """Write the notifications time brings between --since and --until.

    What happens with no record (a qualification's validity ending, an application deemed
    withdrawn, an SO missing its target to acknowledge or decide) and advance notices (a
    qualification expiring in 60 and in 30 days, requested information due in 3 days, an SO's
    decision target in 7 days). Each is dated by the moment it is about, so runs whose windows meet
    end to end tell each once. Written as `fmar notify` writes them (index.json and, per recipient,
    .json, .atom and .md), for the scheduled workflow (.github/workflows/remind.yml) to deliver.
    """
    root, registry_dir = location
    since = parse_moment(since_text, "--since", end_of_day=False)
    until = parse_moment(until_text, "--until")
    if since >= until:
        raise UsageError(f"--since {since_text} is not before --until {until_text or 'now'}: give an earlier --since")
    verified = load_verified(root, registry_dir)
    warn_refused(verified.refusals)
    found = time_notices(verified.registry, since, until)
    window = {"since": iso(since), "until": iso(until)}
    write_payloads(out_dir, verified.registry, found, window, refused_json(verified.refusals))
