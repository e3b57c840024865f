"""Who may publish an SO's practice of a building block, and the toolkit's version history, as the
gate decides from the base branch: real repositories (the bundled registry on main, a pull-request
branch) with real signatures, checked as CI checks them."""

from __future__ import annotations

import json
from typing import Any

from tests.workflow.cli import fmar
from tests.workflow.cli import key as key_file
from trust_scenario import Scenario, rel_of


def _practice(so: str, block: str, **fields: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "kind": "practice",
        "id": f"PRAC-{so}-{block}",
        "so": so,
        "block": block,
        "summary": f"How {so} carries out {block}.",
        **fields,
    }


# --- who may sign: the gate ---------------------------------------------------------------------


def test_an_so_publishes_its_own_practice(scenario: Scenario) -> None:
    rel = rel_of("practice", "PRAC-ENWL-Q.7")
    body = _practice(
        "ENWL",
        "Q.7",
        inputs=["DO-QUALIFICATION-APPLICATION", "DO-UNIT-TECHNICAL-DATA"],
        timescales=[{"step": "Decide after completeness", "days": 60, "basis": "calendar"}],
        systems=["Piclo Flex"],
        documents=[{"title": "Electricity North West website", "url": "https://www.enwl.co.uk"}],
    )
    scenario.sign(rel, "ENWL", data=body)
    assert scenario.codes() == set()


def test_nobody_else_signs_an_sos_practice(scenario: Scenario) -> None:
    """Not another SO, not the registry operator, not an FSP: only the SO itself (AUTH-VAL010)."""
    rel = rel_of("practice", "PRAC-ENWL-Q.7")
    for signer in ("UKPN", "FMAR", "VOLTAFLEX"):
        scenario.sign(rel, signer, data=_practice("ENWL", "Q.7"))
        found = scenario.check().findings
        assert [(f.path, f.code) for f in found] == [(rel, "AUTH-VAL010")], signer
        assert "only the system operator whose practice it is (ENWL) may sign it" in found[0].message
        scenario.repo.git("reset", "-q", "--hard", "HEAD~1")


def test_an_so_cannot_change_another_sos_practice_nor_hand_its_own_over(scenario: Scenario) -> None:
    rel = rel_of("practice", "PRAC-UKPN-Q.7")
    scenario.sign(rel, "NGED", change=lambda body: body.update(summary="Changed by NGED."))
    assert scenario.codes() == {"AUTH-VAL010"}
    scenario.repo.git("reset", "-q", "--hard", "HEAD~1")
    # NGED signs UKPN's practice re-labelled as its own: the practice is still UKPN's (from the base branch).
    scenario.sign(rel, "NGED", change=lambda body: body.update(so="NGED"))
    assert "AUTH-VAL010" in scenario.codes()


def test_only_the_operator_changes_the_toolkit_history(scenario: Scenario) -> None:
    rel = rel_of("toolkit", "TK-E2E")

    def add_version(body: dict[str, Any]) -> None:
        body["versions"].append(
            {"version": "2.2", "date": "2025-09-01", "author": "MB", "changes": "Added a block for testing"}
        )

    scenario.sign(rel, "UKPN", change=add_version)
    assert scenario.codes() == {"AUTH-VAL001"}
    scenario.repo.git("reset", "-q", "--hard", "HEAD~1")
    scenario.sign(rel, "FMAR", change=add_version)
    assert scenario.codes() == set()


def test_fmar_sign_is_how_an_so_signs_its_practice(scenario: Scenario) -> None:
    """The write path of the SO guide: write the YAML, ``fmar sign`` it with the SO's key, open a PR."""
    rel = rel_of("practice", "PRAC-ENWL-Q.1")
    target = scenario.path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = _practice("ENWL", "Q.1", inputs=["DO-COUNTERPARTY-DETAILS"], systems=["Piclo Flex"])
    target.write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML: fmar sign rewrites it in house style
    result = fmar(scenario.root, "sign", target, "--key", key_file("ENWL"), "--at", "2026-12-10T10:00:00Z")
    assert result.exit_code == 0, result.output
    assert scenario.codes() == set()
