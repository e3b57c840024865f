"""Governance files, merged history byte for byte, comments and ids removed by merges (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from trust_scenario import BASE_AT, PR_AT, Scenario

from fmar.cli import cli
from fmar.core.workflow.codeowners import unowned
from fmar.gitrepo import ever_deleted

OUTCOME = "registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml"  # UKPN's outcome, merged


def _put(scenario: Scenario, rel: str, text: str) -> None:
    scenario.path(rel).parent.mkdir(parents=True, exist_ok=True)
    scenario.path(rel).write_text(text, encoding="utf-8")


# --- class 6: governance files never go with data -------------------------------------------


def test_emptying_the_published_heads_with_a_data_change(scenario: Scenario) -> None:
    _put(scenario, "audit/published-heads.txt", "0123456789abcdef0123456789abcdef01234567\n")
    scenario.merge_to_main("operator publishes a head", when=BASE_AT + timedelta(hours=1))
    scenario.acknowledge()
    _put(scenario, "audit/published-heads.txt", "")
    result = scenario.check()
    found = [f for f in result.findings if f.path == "audit/published-heads.txt"]
    assert {f.code for f in found} == {"GATE-VAL009"}
    assert "split it" in found[0].hint and "registry operator" in found[0].hint


@pytest.mark.parametrize(
    "governance",
    [
        ".github/workflows/x.yml",
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        ".ci/run",
        "scripts/x.sh",
        "pyproject.toml",
        "requirements/constraints.txt",
    ],
)
def test_governance_file_with_a_data_change(scenario: Scenario, governance: str) -> None:
    scenario.acknowledge()
    _put(scenario, governance, "changed: true\n")
    assert "GATE-VAL009" in scenario.codes(path=governance)


def test_trust_anchor_with_other_data(scenario: Scenario) -> None:
    scenario.acknowledge()
    text = scenario.path("registry-trust.yaml").read_text(encoding="utf-8")
    _put(scenario, "registry-trust.yaml", text + "\n")
    assert "GATE-VAL009" in scenario.codes(path="registry-trust.yaml")


def test_governance_alone_is_not_a_mixed_change(scenario: Scenario) -> None:
    _put(scenario, ".github/workflows/x.yml", "on: push\n")
    _put(scenario, "audit/published-heads.txt", "")
    assert not {"GATE-VAL005", "GATE-VAL009"} & scenario.codes()


def test_a_text_file_at_the_root_is_not_documentation(scenario: Scenario) -> None:
    scenario.acknowledge()
    _put(scenario, "notes.txt", "Call Jane on 07700 900123, SW1A 1AA\n")
    assert "GATE-VAL005" in scenario.codes(path="notes.txt")


def test_docs_folder_with_data_is_fine(scenario: Scenario) -> None:
    scenario.acknowledge()
    _put(scenario, "docs/x.md", "notes\n")
    assert scenario.codes() == set()


def test_codeowners_check_names_unowned_paths(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scenario.root)
    runner = CliRunner()
    assert runner.invoke(cli, ["codeowners"], catch_exceptions=False).exit_code == 0
    scenario.repo.commit_all("codeowners", when=PR_AT)
    assert runner.invoke(cli, ["codeowners", "--check"], catch_exceptions=False).exit_code == 0
    # the operator loses its team: the generated file then owns nothing
    operator = scenario.data("registry/party/F/FMAR.yaml")
    operator.pop("github_team")
    scenario.write("registry/party/F/FMAR.yaml", operator)
    assert runner.invoke(cli, ["codeowners"], catch_exceptions=False).exit_code == 0
    scenario.repo.commit_all("operator without a team", when=PR_AT)
    done = runner.invoke(cli, ["codeowners", "--check"], catch_exceptions=False)
    assert done.exit_code == 1
    assert "registry-trust.yaml" in done.output
    assert "registry/party/F/FMAR.yaml" in done.output
    assert "registry/outcome/" not in done.output  # shared record folders have no owner on purpose


def test_codeowners_last_matching_pattern_wins() -> None:
    text = "*  @o/ops\n/audit/\n/docs/ @o/docs\n/registry/outcome/\n"
    paths = ["src/a.py", "audit/published-heads.txt", "docs/x.md", "registry/outcome/OUT-1.yaml", "x/audit/y"]
    assert unowned(text, paths) == ["audit/published-heads.txt"]
    assert unowned("/src/ @o/ops\n", ["src/a.py", "notes.txt", ".ci/run"]) == ["notes.txt", ".ci/run"]


# --- class 5: ids removed by a merge commit are never reused --------------------------------


def _reuse(scenario: Scenario, rel: str) -> set[str]:
    scenario.write_reused_event(rel)
    return scenario.codes(PR_AT + timedelta(hours=4), path=rel)


def test_reusing_an_id_deleted_only_by_a_merge_commit(scenario: Scenario) -> None:
    repo = scenario.repo
    rel = scenario.acknowledge()
    scenario.merge_to_main("acknowledged", when=PR_AT + timedelta(hours=1))
    repo.git("checkout", "-q", "-b", "side", "main")
    _put(scenario, "docs/side.md", "side\n")
    repo.commit_all("side work", when=PR_AT + timedelta(hours=1, minutes=10))
    repo.git("checkout", "-q", "main")
    _put(scenario, "docs/main.md", "main\n")
    repo.commit_all("main work", when=PR_AT + timedelta(hours=1, minutes=20))
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.git("rm", "-q", rel)  # the merge resolves by dropping the file: no other commit deletes it
    repo.git("commit", "-q", "-m", "merge side", when=PR_AT + timedelta(hours=2))
    plain = repo.git("log", "--diff-filter=D", "--name-only", "--format=", "main", "--", rel)
    assert plain.strip() == ""  # what git log shows without -m: the merge's deletion is invisible
    assert ever_deleted(scenario.root, "main", [rel]) == {rel}
    repo.git("checkout", "-q", "pr")
    repo.git("reset", "-q", "--hard", "main")
    assert "GATE-VAL004" in _reuse(scenario, rel)


def test_reusing_an_id_an_ours_merge_dropped(scenario: Scenario) -> None:
    repo = scenario.repo
    repo.git("checkout", "-q", "-b", "side", "main")
    rel = scenario.acknowledge()
    repo.commit_all("side adds an event", when=PR_AT + timedelta(hours=1))
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "-s", "ours", "-m", "evil merge", "side", when=PR_AT + timedelta(hours=2))
    assert not scenario.path(rel).exists()
    repo.git("checkout", "-q", "pr")
    repo.git("reset", "-q", "--hard", "main")
    assert "GATE-VAL004" in _reuse(scenario, rel)


def test_ever_deleted_is_not_fooled_by_a_side_branch(git_repo: Any) -> None:
    """A side branch adds and deletes a file that main never had: history simplification must not hide it."""
    root: Path = git_repo.path
    (root / "a").write_text("a\n")
    git_repo.commit_all("start", when=BASE_AT)
    git_repo.git("checkout", "-q", "-b", "side")
    (root / "x.yaml").write_text("x\n")
    git_repo.commit_all("add x", when=BASE_AT + timedelta(hours=1))
    (root / "x.yaml").unlink()
    git_repo.commit_all("drop x", when=BASE_AT + timedelta(hours=2))
    git_repo.git("checkout", "-q", "main")
    (root / "b").write_text("b\n")
    git_repo.commit_all("main", when=BASE_AT + timedelta(hours=3))
    git_repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", when=BASE_AT + timedelta(hours=4))
    assert ever_deleted(root, "main", ["x.yaml", "a", "b"]) == {"x.yaml"}


# --- class 4: merged history is immutable byte for byte; records hold no comments -----------


def test_a_comment_added_to_a_merged_outcome(scenario: Scenario) -> None:
    text = scenario.path(OUTCOME).read_text(encoding="utf-8")
    _put(scenario, OUTCOME, text + "# Jane Doe, 07700 900123, SW1A 1AA\n")
    codes = scenario.codes(path=OUTCOME)
    assert {"GATE-VAL010", "GATE-VAL011"} <= codes
    assert "GATE-VAL001" not in codes


def test_a_whitespace_change_of_a_merged_outcome(scenario: Scenario) -> None:
    text = scenario.path(OUTCOME).read_text(encoding="utf-8")
    _put(scenario, OUTCOME, text + "\n\n")
    assert scenario.codes(path=OUTCOME) == {"GATE-VAL010"}


def test_a_comment_in_a_new_record(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    text = scenario.path(rel).read_text(encoding="utf-8")
    _put(scenario, rel, "# signed off by Jane Doe\n" + text)
    result = scenario.check()
    found = [(f.code, f.line) for f in result.findings if f.path == rel]
    assert found == [("GATE-VAL011", 1)]


def test_a_comment_in_a_unit_update(scenario: Scenario) -> None:
    rel = "registry/market_unit/KESTREL/000xxx/MU-KESTREL-000004.yaml"
    text = scenario.path(rel).read_text(encoding="utf-8")
    _put(scenario, rel, text.replace("kind: market_unit", "kind: market_unit  # owner: 07700 900123"))
    assert scenario.codes(path=rel) == {"GATE-VAL011"}
