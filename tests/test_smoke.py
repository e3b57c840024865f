import click
import pytest
from click.testing import CliRunner

from fmar.cli import COMMANDS, cli


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "status", "rules", "schema", "check", "build", "apply", "decide"):
        assert command in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_loads_under_its_own_name(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0
