"""Run the fmar command line in-process, as a person would type it, in a real repository."""

from __future__ import annotations

import contextlib
from pathlib import Path

from click.testing import CliRunner, Result

from fmar.cli import cli

KEYS = Path(__file__).resolve().parents[2] / "examples" / "keys"


def fmar(cwd: Path, *args: str | Path) -> Result:
    """``fmar ARGS`` run inside ``cwd`` (the registry is found from the enclosing repository)."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def key(party: str) -> Path:
    return KEYS / f"{party}.key"
