"""The fmar command line: a thin layer over the core."""

from __future__ import annotations

import os
import sys

import click

from fmar import __version__
from fmar.cli import fsp_cmd, so_cmd
from fmar.cli.audit_cmd import audit_command
from fmar.cli.build_cmd import build, demo, serve
from fmar.cli.check_cmd import check
from fmar.cli.codeowners_cmd import codeowners
from fmar.cli.common import EXIT_USAGE
from fmar.cli.generate_cmd import generate
from fmar.cli.history_cmd import history
from fmar.cli.notify_cmd import notify
from fmar.cli.rules_cmd import rules
from fmar.cli.schema_cmd import schema
from fmar.cli.sla_cmd import sla
from fmar.cli.status_cmd import status
from fmar.cli.trust_cmd import canonical, keys, sign, verify
from fmar.cli.validate_cmd import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fmar")
def cli() -> None:
    """fmar: the Git-backed registry of qualification status of GB flexibility Market Units."""


for command in (
    validate,
    status,
    rules,
    schema,
    generate,
    *fsp_cmd.COMMANDS,
    *so_cmd.COMMANDS,
    sla,
    notify,
    codeowners,
    build,
    serve,
    demo,
    history,
    audit_command,
    sign,
    verify,
    canonical,
    keys,
    check,
):
    cli.add_command(command)


def main() -> None:
    """Entry point: no traceback reaches a user unless FMAR_DEBUG is set."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code if exc.exit_code != 1 else EXIT_USAGE)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # the last line of defence: report, never dump a traceback
        if os.environ.get("FMAR_DEBUG"):
            raise
        click.echo(
            f"fmar: internal error: {type(exc).__name__}: {exc}. Set FMAR_DEBUG=1 for details and report it.", err=True
        )
        sys.exit(EXIT_USAGE)
