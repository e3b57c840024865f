"""A registry is judged under its own trust anchor: the one beside it, even inside another repository.

``fmar generate --out DIR/registry`` writes the anchor at ``DIR``; a benchmark or a test keeps such a
registry in an ignored folder of this repository. The anchor beside it names its identity
(fmar-gb-synthetic), not the enclosing repository's (fmar-gb), so every signature verifies.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from fmar.cli import cli
from fmar.loading.paths import locate_registry


def test_a_generated_registry_in_another_repositorys_folder_is_judged_under_its_own_anchor(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    subprocess.run(["git", "init", "-q", str(outer)], check=True)
    (outer / "registry-trust.yaml").write_text("the enclosing repository's own anchor, never read here\n")
    registry = outer / "work" / "units-40" / "registry"
    made = CliRunner().invoke(cli, ["generate", "--units", "40", "--out", str(registry)], catch_exceptions=False)
    assert made.exit_code == 0, made.output

    assert locate_registry(str(registry)) == (registry.parent, registry)
    result = CliRunner().invoke(cli, ["validate", "--registry", str(registry), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0
    # The files are named as the registry names them, relative to its own root.
    status = CliRunner().invoke(cli, ["verify", "--registry", str(registry), "--format", "json"])
    assert status.exit_code == 0, status.output
