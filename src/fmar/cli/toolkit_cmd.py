"""fmar toolkit: the end-to-end process toolkit's versions and the raw JSON glossary of each."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmar.cli.common import format_option, registry_option, unknown
from fmar.cli.record_io import fail, load_verified, warn_refused
from fmar.core.glossary import glossary, glossary_text
from fmar.core.model import Toolkit
from fmar.core.registry import Registry


@click.group("toolkit")
def toolkit() -> None:
    """The end-to-end process toolkit: its version history and the catalogue of each version."""


def _toolkit(registry: Registry) -> Toolkit:
    if not registry.toolkits:
        fail(
            "the registry holds no toolkit record (registry/toolkit/): the operator signs one with the version "
            "history; see docs/toolkit.md",
        )
    return registry.toolkits[min(registry.toolkits)]


@toolkit.command("glossary")
@click.option(
    "--version", "version", default=None, metavar="V", help="A version of the toolkit (2.1 or v2.1); default: current."
)
@registry_option
def glossary_cmd(version: str | None, location: tuple[Path, Path]) -> None:
    """Print the raw JSON glossary of the toolkit's building blocks as version V published it: each
    phase's blocks in order, with their codes. The current catalogue is the registry's process
    records; an earlier version's is that with the edits of every later version undone (a renamed
    phase, condensed or added blocks), numbered by place as the toolkit numbers them.

    Exit status: 0; 1 when the registry holds no toolkit record or not version V."""
    verified = load_verified(*location)
    warn_refused([f for f in verified.refusals if "/toolkit/" in f.path or "/process/" in f.path])
    registry = verified.registry
    found = _toolkit(registry)
    numbers = [v.version for v in found.versions]
    wanted = (version or found.current.version).removeprefix("v")
    if wanted not in numbers:
        unknown("toolkit version", wanted, numbers)
    published = next(v for v in found.versions if v.version == wanted)
    if not published.glossary:
        click.echo(
            f"note: v{wanted} published no raw JSON glossary; this is its catalogue as the version history gives it",
            err=True,
        )
    click.echo(glossary_text(glossary(registry.processes, found, wanted)), nl=False)


@toolkit.command("versions")
@registry_option
@format_option("text", "json")
def versions_cmd(location: tuple[Path, Path], fmt: str) -> None:
    """List the toolkit's versions, oldest first: date, author, what changed and the edits each made
    to the building-block catalogue.

    Exit status: 0; 1 when the registry holds no toolkit record."""
    found = _toolkit(load_verified(*location).registry)
    if fmt == "json":
        document = [v.model_dump(mode="json", exclude_defaults=True) for v in found.versions]
        click.echo(json.dumps({"toolkit": found.id, "name": found.name, "versions": document}, indent=2))
        return
    click.echo(f"{found.name} ({found.id})")
    for entry in found.versions:
        current = "  (current)" if entry is found.current else ""
        click.echo(f"  v{entry.version:<5} {entry.date:<10}  {entry.author}{current}")
        click.echo(f"         {entry.changes}")
        for edit in entry.edits:
            click.echo(f"         - {_edit_text(edit.model_dump(mode='json'))}")


def _edit_text(edit: dict[str, object]) -> str:
    kind = edit["edit"]
    if kind == "rename_phase":
        return f"phase {edit['phase']} renamed (was {edit['was']}, codes {edit['letter']}.n)"
    if kind == "condense_blocks":
        was = edit["was"]
        return f"{edit['block']} condensed from {', '.join(str(w) for w in was) if isinstance(was, list) else was}"
    if kind == "rename_block":
        return f"{edit['block']} renamed (was {edit['was']})"
    return f"{edit['block']} added"
