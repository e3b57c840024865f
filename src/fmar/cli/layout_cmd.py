"""fmar where (the path of any record id) and fmar migrate layout (move a registry to those paths)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar import gitrepo
from fmar.cli.common import EXIT_FINDINGS, UsageError, format_option, registry_option
from fmar.core import record_paths
from fmar.loading.paths import locate_registry
from fmar.writing import relayout


def _candidates(record_id: str, kind: str | None) -> list[str]:
    kinds = record_paths.kinds_of(record_id)
    if kind is not None:
        kinds = [kind] if record_paths.is_id(kind, record_id) else []
    if not kinds:
        expected = (
            f"a {kind} id ({record_paths.ID_PATTERNS[kind]})"
            if kind
            else "an id of a record kind (for example MU-VOLTAFLEX-000042, APP-2026-7YBPPNN8, NESO-DC, UKPN)"
        )
        raise UsageError(f"{record_id!r} is not {expected}")
    return kinds


@click.command()
@click.argument("record_ids", metavar="ID...", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice(sorted(record_paths.ID_PATTERNS)),
    default=None,
    help="The record kind, for a name that may be a party's or a product's (such as NESO-DC).",
)
@click.option(
    "--registry",
    "registry_dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Registry folder the paths are in (default: registry/ of the enclosing repository).",
)
@format_option("text", "json")
def where(record_ids: tuple[str, ...], kind: str | None, registry_dir: str | None, fmt: str) -> None:
    """Print the path of each record ID, whether or not the record exists yet.

    The path is a pure function of the kind and id (docs/layout.md): units by FSP, applications,
    outcomes and events by year, parties by initial, products by SO. A name that may be a party's or
    a product's (NESO-DC) prints the path of the record that exists, else both unless --kind says
    which. JSON says whether each file exists.
    """
    root, registry = locate_registry(registry_dir)
    prefix = registry.relative_to(root).as_posix() if registry.is_relative_to(root) else str(registry)
    rows = []
    for record_id in record_ids:
        kinds = _candidates(record_id, kind)
        existing = [found for found in kinds if (registry / record_paths.path_of(found, record_id)).is_file()]
        kinds = existing if len(existing) == 1 else kinds
        if len(kinds) > 1 and fmt == "text":
            click.echo(f"{record_id} may be a {' or a '.join(kinds)}: --kind says which", err=True)
        for found in kinds:
            path = record_paths.path_of(found, record_id)
            rows.append(
                {"id": record_id, "kind": found, "path": f"{prefix}/{path}", "exists": (registry / path).is_file()}
            )
    if fmt == "json":
        click.echo(json.dumps({"format": "fmar-where/v1", "records": rows}, indent=2))
    else:
        for row in rows:
            click.echo(row["path"])


@click.group()
def migrate() -> None:
    """Move a registry to what this release expects of it."""


@migrate.command()
@registry_option
@click.option("--dry-run", is_flag=True, help="Say what would move; change nothing.")
@click.option(
    "--commit",
    "key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Commit the move, signed with this SSH private key of the registry operator (the gate accepts the "
    "move only so).",
)
@click.option(
    "--message",
    default="Move every record to its path in the registry layout (fmar migrate layout)",
    show_default=True,
    help="The commit message, with --commit.",
)
@format_option("text", "json")
def layout(location: tuple[Path, Path], dry_run: bool, key: Path | None, message: str, fmt: str) -> None:
    """Move every record file to its path in the layout (docs/layout.md), by renames alone.

    No record's bytes or signature change, so signatures, history and recorded times carry over. In a
    Git work tree the renames are staged; with --commit they are committed, signed with the operator's
    key, as the one change the gate accepts for it (nothing else may be in it). Files that are not
    records, or whose path is taken, stay where they are and are listed (exit 1).
    """
    root, registry = location
    moving = relayout.plan(registry)
    staged = False
    commit = None
    if not dry_run and moving.moves:
        try:
            staged = relayout.migrate(root, registry, moving.moves)
            if key is not None:
                if not staged:
                    raise UsageError("--commit needs the registry in a Git work tree")
                commit = relayout.commit(root, message, key)
        except (relayout.NotRenamesAlone, gitrepo.GitError) as exc:
            raise UsageError(str(exc)) from None
    by_kind: dict[str, int] = {}
    for move in moving.moves:
        by_kind[move.kind] = by_kind.get(move.kind, 0) + 1
    if fmt == "json":
        out = {
            "format": "fmar-migrate-layout/v1",
            "dry_run": dry_run,
            "moved": len(moving.moves),
            "moved_by_kind": dict(sorted(by_kind.items())),
            "in_place": moving.in_place,
            "staged": staged,
            "commit": commit,
            "left": [{"path": path, "reason": reason} for path, reason in moving.left],
            "moves": [{"id": m.id, "kind": m.kind, "from": m.old, "to": m.new} for m in moving.moves],
        }
        click.echo(json.dumps(out, indent=2))
    else:
        verb = "would move" if dry_run else "moved"
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items())) or "nothing"
        click.echo(f"{verb} {len(moving.moves)} record files ({kinds}); {moving.in_place} already in place")
        for path, reason in moving.left:
            click.echo(f"left {path}: {reason}", err=True)
        if commit:
            click.echo(f"committed {commit}, signed with {key}: open a pull request with this commit alone")
        elif staged:
            click.echo("staged as renames: commit them signed with the operator's key (git commit -S) and alone")
    if moving.left:
        raise SystemExit(EXIT_FINDINGS)
