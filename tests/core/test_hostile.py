"""Hostile and broken files: each gets a finding naming its file, line and field, and nothing else breaks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import BUNDLED_REGISTRY
from tests.core.hostile_cases import FILES, Case, load_cases, plant

from fmar.cli import cli
from fmar.core.findings import Finding
from fmar.core.registry import Registry
from fmar.loading.fast_yaml import parse_fast
from fmar.loading.strict_yaml import parse_strict
from fmar.signing.canonical import canonical_bytes
from fmar.validation.pipeline import Pipeline

CASES = load_cases()
GROUPS = sorted({case.group for case in CASES})


def _run(root: Path) -> tuple[Registry, list[Finding]]:
    return Pipeline(root, root / "registry", jobs=1, use_cache=False).load()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Registry, list[Finding]]]:
    """One registry copy and one validation per group, plus the clean bundled copy as ``baseline``."""
    out = {}
    for group in ["baseline", *GROUPS]:
        root = tmp_path_factory.mktemp(f"hostile-{group}")
        shutil.copytree(BUNDLED_REGISTRY, root / "registry")
        for case in CASES:
            if case.group == group:
                plant(root / "registry", case)
        out[group] = _run(root)
    return out


def _matches(finding: Finding, case: Case) -> bool:
    return (
        finding.path == case.finding_path
        and finding.code == case.code
        and finding.line == case.line
        and (case.column == 0 or finding.column == case.column)
        and finding.json_path == case.json_path
    )


def test_the_manifest_is_large_and_uses_every_fixture() -> None:
    assert len(CASES) >= 45
    assert len({case.name for case in CASES}) == len(CASES)
    used = {case.name for case in CASES} | {name for case in CASES for name in case.with_}
    assert {path.stem for path in FILES.glob("*.yaml")} <= used


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_file_gets_its_finding(case: Case, runs: dict[str, tuple[Registry, list[Finding]]]) -> None:
    _, findings = runs[case.group]
    about_file = [f for f in findings if f.path == case.finding_path]
    if case.passes:
        assert about_file == []
        return
    assert any(_matches(f, case) for f in about_file), [
        (f.line, f.column, f.code, f.json_path, f.message) for f in about_file
    ]
    for f in about_file:
        assert f.message and f.hint, f


@pytest.mark.parametrize("group", GROUPS)
def test_valid_records_beside_hostile_files_are_still_validated(
    group: str, runs: dict[str, tuple[Registry, list[Finding]]]
) -> None:
    baseline_registry, baseline_findings = runs["baseline"]
    registry, findings = runs[group]
    bundled = set(baseline_registry.paths.values())
    assert "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000001.yaml" in bundled
    # Every bundled record still loads, and what is said about the bundled files is unchanged.
    assert {key: path for key, path in registry.paths.items() if path in bundled} == baseline_registry.paths
    assert [f for f in findings if f.path in bundled] == [f for f in baseline_findings if f.path in bundled]
    # The rules across records still ran: a planted cross-record error of the group is reported.
    cross = {"REF-VAL001", "LIFE-VAL001", "OUT-VAL001", "MU-VAL001", "PRD-VAL001"}
    assert any(_matches(f, case) for case in CASES if case.group == group and case.code in cross for f in findings)


@pytest.mark.parametrize("group", GROUPS)
def test_cli_reports_every_hostile_file_without_crashing(group: str, git_repo) -> None:
    registry = git_repo.copy_registry()
    cases = [case for case in CASES if case.group == group]
    for case in cases:
        plant(registry, case)
    git_repo.commit_all("hostile files")
    # The corpus is hand-written YAML (edited copies of signed records): its signatures are not the point here.
    command = ["validate", "--format", "json", "--no-cache", "--unsafe-skip-signatures", "--registry", str(registry)]
    done = subprocess.run(
        [sys.executable, "-m", "fmar", *command],
        cwd=git_repo.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    document = json.loads(done.stdout)
    findings = [Finding(**{k: v for k, v in item.items() if k != "severity"}) for item in document["findings"]]
    missing = [case.name for case in cases if not case.passes and not any(_matches(f, case) for f in findings)]
    assert missing == []
    assert [f for case in cases if case.passes for f in findings if f.path == case.finding_path] == []


# --- numbers RFC 8785 cannot hold: every command that reads a record refuses them with the finding

NUMBER_CASES = [case for case in CASES if case.code == "YAML-VAL014"]
KEYS = Path(__file__).resolve().parents[2] / "examples" / "keys"


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("case", NUMBER_CASES, ids=lambda case: case.name)
def test_canonical_sign_and_verify_refuse_a_number_json_cannot_hold(
    case: Case, git_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = git_repo.copy_registry()
    plant(registry, case)
    git_repo.commit_all("a number RFC 8785 cannot hold")
    monkeypatch.chdir(git_repo.path)
    rel = case.finding_path
    before = (git_repo.path / rel).read_bytes()
    where = f"{rel}:{case.line}:{case.column}: error YAML-VAL014 "
    for args in (("canonical", rel), ("sign", rel, "--key", str(KEYS / "KESTREL.key")), ("verify", rel)):
        result = _invoke(*args)
        assert result.exit_code == 1, (args, result.output, result.stderr)
        assert where in result.stderr + result.output, (args, result.stderr, result.output)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert (git_repo.path / rel).read_bytes() == before  # never signed


QUOTED_NUMBERS = ["'9007199254740993'", '".inf"', "'-.inf'", "'.NaN'", "'1e400'", "'" + "9" * 5000 + "'"]


@pytest.mark.parametrize("quoted", QUOTED_NUMBERS, ids=lambda q: q[:20])
def test_a_quoted_number_is_text(quoted: str) -> None:
    """Quoted, the same characters are text: both readers read the string, and RFC 8785 holds it."""
    text = f"kind: market_unit\nname: {quoted}\nnested:\n- - 1\n  - {quoted}\n"
    for data in (parse_fast(text), parse_strict(text).data):
        assert data is not None
        assert data["name"] == quoted[1:-1] == data["nested"][0][1]
        assert canonical_bytes(data)


def test_a_quoted_number_in_a_record_validates_and_canonicalizes(git_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.copy_registry()
    rel = "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000001.yaml"
    path = git_repo.path / rel
    text = path.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name: "))
    path.write_text(text.replace(name_line, "name: '1e400'"), encoding="utf-8")
    git_repo.commit_all("a name that looks like a number")
    _, findings = _run(git_repo.path)
    assert [f for f in findings if f.path == rel and f.code.startswith(("YAML", "SCH"))] == []
    monkeypatch.chdir(git_repo.path)
    result = _invoke("canonical", rel)
    assert result.exit_code == 0, result.stderr
    assert '"name":"1e400"' in result.stdout
