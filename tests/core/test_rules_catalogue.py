"""The rule catalogue is the one list of rules, and the code refers to its rules by name, never by code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import ROOT

from fmar.cli import cli
from fmar.core import catalogue
from fmar.core.catalogue import RULES
from fmar.core.findings import Rule

SOURCES = ROOT / "src" / "fmar"
CATALOGUE = SOURCES / "core" / "catalogue.py"


def _source(module: str) -> Path | None:
    """The file of an fmar module (None for a name imported from a module)."""
    base = SOURCES.parent.joinpath(*module.split("."))
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.exists()), None)


def _imports(path: Path) -> set[str]:
    """Every fmar module ``path`` imports, at module level or inside a function, with the names it takes."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "fmar"}


def test_no_rule_code_is_written_outside_the_catalogue() -> None:
    # Code names a rule by its object (DUPLICATE_KEY), so a wrong name fails at import and in mypy.
    written = {
        path.relative_to(ROOT).as_posix(): codes
        for path in sorted(SOURCES.rglob("*.py"))
        if path != CATALOGUE and (codes := re.findall(r"\b[A-Z]+-VAL[0-9]{3}\b", path.read_text(encoding="utf-8")))
    }
    assert written == {}


def test_every_rule_is_named_in_the_list_and_used() -> None:
    named = {name: value for name, value in vars(catalogue).items() if isinstance(value, Rule)}
    # The list holds every named rule, in the order of the catalogue, and no rule without a name.
    assert list(RULES.values()) == list(named.values())
    assert not [name for name in named if re.search(r"VAL_?[0-9]", name)]  # named like the rule, not its code
    used: set[str] = set()
    for path in SOURCES.rglob("*.py"):
        if path != CATALOGUE:
            used |= {name.rsplit(".", 1)[1] for name in _imports(path) if name.startswith("fmar.core.catalogue.")}
    assert set(named) - used == set()


def test_fmar_rules_lists_exactly_the_catalogue() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0
    assert [rule["code"] for rule in json.loads(result.output)["rules"]] == sorted(RULES)
    text = CliRunner().invoke(cli, ["rules"]).output
    assert all(code in text for code in RULES)


def test_rules_and_findings_never_import_the_loading_layer() -> None:
    # loading/ reads files and reports rules; the rules and the findings vocabulary never read files.
    for path in [SOURCES / "core" / "findings.py", *sorted((SOURCES / "core" / "rules").glob("*.py"))]:
        assert not any(name.startswith("fmar.loading") for name in _imports(path)), path
    assert {".".join(name.split(".")[:3]) for name in _imports(CATALOGUE)} == {"fmar.core.findings"}
    # Nor does anything they import, at any depth.
    reached: set[Path] = set()
    todo = sorted((SOURCES / "rules").glob("*.py"))
    while todo:
        path = todo.pop()
        if path not in reached:
            reached.add(path)
            todo.extend(found for name in _imports(path) if (found := _source(name)) is not None)
    assert not any(path.parent.name == "loading" for path in reached), sorted(reached)
