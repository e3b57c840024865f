from click.testing import CliRunner

from fmar.cli import cli


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "status", "rules", "schema"):
        assert command in result.output
