"""The fmar command line: a thin layer over the core."""

from __future__ import annotations

import importlib
import os
import sys

import click

from fmar import __version__
from fmar.cli.common import EXIT_USAGE

#: Command name -> "module:attribute". Modules are imported only when their command runs (or for
#: --help), so `fmar check` in CI does not pay for importing the site builder or the FSP commands.
COMMANDS: dict[str, str] = {
    "validate": "fmar.cli.validate_cmd:validate",
    "status": "fmar.cli.status_cmd:status",
    "history": "fmar.cli.history_cmd:history",
    "rules": "fmar.cli.rules_cmd:rules",
    "schema": "fmar.cli.schema_cmd:schema",
    "verify": "fmar.cli.trust_cmd:verify",
    "sign": "fmar.cli.trust_cmd:sign",
    "canonical": "fmar.cli.trust_cmd:canonical",
    "keys": "fmar.cli.trust_cmd:keys",
    "check": "fmar.cli.check_cmd:check",
    "audit": "fmar.cli.audit_cmd:audit_command",
    "unit": "fmar.cli.fsp_cmd:unit",
    "eligible": "fmar.cli.fsp_cmd:eligible",
    "apply": "fmar.cli.fsp_cmd:apply",
    "withdraw": "fmar.cli.fsp_cmd:withdraw",
    "withdraw-signatures": "fmar.cli.withdraw_signatures_cmd:withdraw_signatures",
    "supply-info": "fmar.cli.fsp_cmd:supply_info",
    "inbox": "fmar.cli.so_cmd:inbox",
    "package": "fmar.cli.so_cmd:package",
    "acknowledge": "fmar.cli.so_cmd:acknowledge",
    "request-info": "fmar.cli.so_cmd:request_info",
    "decide": "fmar.cli.so_cmd:decide",
    "suspend": "fmar.cli.so_cmd:suspend",
    "reinstate": "fmar.cli.so_cmd:reinstate",
    "revoke": "fmar.cli.so_cmd:revoke",
    "sla": "fmar.cli.sla_cmd:sla",
    "report": "fmar.cli.report_cmd:report_cmd",
    "notify": "fmar.cli.notify_cmd:notify",
    "remind": "fmar.cli.notify_cmd:remind",
    "deliver": "fmar.cli.deliver_cmd:deliver_cmd",
    "codeowners": "fmar.cli.codeowners_cmd:codeowners",
    "build": "fmar.cli.build_cmd:build",
    "serve": "fmar.cli.build_cmd:serve",
    "demo": "fmar.cli.build_cmd:demo",
    "generate": "fmar.cli.generate_cmd:generate",
    "where": "fmar.cli.layout_cmd:where",
    "migrate": "fmar.cli.layout_cmd:migrate",
    "attest-import": "fmar.cli.import_cmd:attest_import",
    "toolkit": "fmar.cli.toolkit_cmd:toolkit",
    "portfolio": "fmar.cli.portfolio_cmd:portfolio_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (the pattern of click's documentation)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fmar")
def cli() -> None:
    """fmar: the Git-backed registry of qualification status of GB flexibility Market Units."""


def main() -> None:
    """Entry point: no traceback reaches a user unless FMAR_DEBUG is set."""
    try:
        # Not standalone, so that errors are reported here; click then returns a command's exit
        # status (``Exit``, ``ctx.exit``) instead of raising it: it must become the process's.
        status = cli.main(standalone_mode=False)
        if isinstance(status, int) and not isinstance(status, bool):
            sys.exit(status)
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
        from fmar.gitrepo import GitError  # imported here: most commands never run git

        if isinstance(exc, GitError):  # a command that did not turn it into a UsageError itself
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(
            f"fmar: internal error: {type(exc).__name__}: {exc}. Set FMAR_DEBUG=1 for details and report it.", err=True
        )
        sys.exit(EXIT_USAGE)
