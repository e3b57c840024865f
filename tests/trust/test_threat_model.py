"""The threat model in docs/trust.md names only rules and tests that exist, and each test asserts its rule.

Every row of the table: the attack, the codes that stop it, the tests that prove it
(``file::test`` or, for the hostile-file manifest, ``file::test[case]``). A renamed test, a
retired code or a test that no longer asserts what the row says fails here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from tests.core.hostile_cases import load_cases

import fmar.core.catalogue as catalogue
from fmar.core.catalogue import RULES

ROOT = Path(__file__).resolve().parents[2]
SECTION = (ROOT / "docs" / "trust.md").read_text(encoding="utf-8").split("\n## Threat model\n", 1)[-1]
CODE = re.compile(r"\b[A-Z]+-VAL\d{3}\b")
TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)(?:\[([\w-]+)\])?`")
#: Catalogue constant names, so a test that asserts ``SIGNATURE_INVALID`` counts as asserting SIG-VAL007.
CONSTANTS = {name: rule.code for name, rule in vars(catalogue).items() if rule in RULES.values()}


def _rows() -> list[tuple[str, list[str], list[tuple[str, str, str | None]]]]:
    table = SECTION.split("| Attack | Stopped by | Proved by |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.strip().splitlines()[1:]:  # after the |---| line
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, line
        rows.append((cells[0], CODE.findall(cells[1]), TEST.findall(cells[2])))
    return rows


ROWS = _rows()


@cache
def _tests(path: str) -> dict[str, str]:
    """Source of each top-level test function of ``path``."""
    source = (ROOT / path).read_text(encoding="utf-8")
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def _asserted(path: str, name: str, case: str | None) -> set[str]:
    """The codes a cited test asserts: written out, as catalogue constants, or as its hostile case's code."""
    if case is not None:
        return {c.code for c in load_cases() if c.name == case}
    body = _tests(path)[name]
    return set(CODE.findall(body)) | {
        CONSTANTS[word] for word in re.findall(r"\b[A-Z][A-Z0-9_]+\b", body) if word in CONSTANTS
    }


def test_the_table_is_there_and_large() -> None:
    assert len(ROWS) >= 30
    assert all(codes and tests for _, codes, tests in ROWS)


@pytest.mark.parametrize(("attack", "codes", "tests"), ROWS, ids=[row[0][:40] for row in ROWS])
def test_every_code_and_test_of_a_row_exists_and_the_tests_assert_the_codes(
    attack: str, codes: list[str], tests: list[tuple[str, str, str]]
) -> None:
    assert [code for code in codes if code not in RULES] == []
    cases = {case.name for case in load_cases()}
    for path, name, case in tests:
        assert (ROOT / path).is_file(), path
        assert name in _tests(path), f"{path}::{name}"
        assert not case or case in cases, f"{path}::{name}[{case}]"
    asserted = set().union(*(_asserted(path, name, case or None) for path, name, case in tests))
    assert [code for code in codes if code not in asserted] == [], attack


def test_every_code_of_the_section_is_a_rule() -> None:
    assert [code for code in CODE.findall(SECTION) if code not in RULES] == []


def test_the_drift_check_would_notice() -> None:
    """The checks above are not vacuous: an unknown code, test or case is caught."""
    assert "SIG-VAL999" not in RULES
    assert "test_no_such_attack" not in _tests("tests/trust/test_gate_attacks.py")
    assert _asserted("tests/trust/test_gate_attacks.py", "test_revoked_key", None) == {"SIG-VAL006"}
    assert _asserted("tests/core/test_hostile.py", "test_hostile_file_gets_its_finding", "anchor") == {"YAML-VAL005"}
