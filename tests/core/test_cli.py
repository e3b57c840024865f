"""Acceptance of the core commands: validate, status, rules, through the real command line where it matters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import BUNDLED_REGISTRY
from tests.core.hostile_cases import load_cases, plant

from fmar.cli import cli
from fmar.cli.report import GITHUB_ANNOTATION_CAP
from fmar.core.catalogue import RULES
from fmar.core.record_paths import path_of
from fmar.core.status import Status
from fmar.trust.reading import validate
from fmar.validation.pipeline import Pipeline

UNITS = sorted(path.stem for path in (BUNDLED_REGISTRY / "market_unit").rglob("*.yaml"))
#: What the bundled scenario (fmar/generate/bundled.py) sets up for each unit, as of 2026-12-01.
EXPECTED = {
    "MU-VOLTAFLEX-000001": {"NESO-DC": "qualified", "UKPN-PR": "conditionally_qualified"},
    "MU-VOLTAFLEX-000002": {"NESO-DM": "pending"},
    "MU-VOLTAFLEX-000003": {"NESO-DR": "revoked"},
    "MU-VOLTAFLEX-000004": {"NESO-SFFR": "failed"},
    "MU-KESTREL-000001": {"ENWL-SU": "under_assessment"},
    "MU-KESTREL-000002": {"SSEN-OU": "information_requested"},
    "MU-KESTREL-000003": {"UKPN-SU": "expired"},
    "MU-KESTREL-000004": {},
    "MU-HEATSHIFT-000001": {"NPG-PR": "deemed_withdrawn"},
    "MU-HEATSHIFT-000002": {"NESO-DFS": "qualified"},
    "MU-HEATSHIFT-000003": {"NGED-PR": "qualified"},
    "MU-FENLAND-000001": {"NGED-SAOU": "withdrawn"},
    "MU-FENLAND-000002": {"NESO-QR": "suspended"},
    "MU-FENLAND-000003": {"NGED-OU": "reassessment_required"},
}


def fmar(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a separate process."""
    done = subprocess.run(
        [sys.executable, "-m", "fmar", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


@pytest.fixture
def repo(git_repo):
    git_repo.copy_registry()
    git_repo.commit_all("bundled registry")
    return git_repo


def test_exit_codes(repo) -> None:
    assert fmar("validate", cwd=repo.path).returncode == 0
    assert fmar("validate", "--registry", str(repo.path / "nowhere"), cwd=repo.path).returncode == 2
    bad_moment = fmar("status", "MU-VOLTAFLEX-000001", "--as-of", "last tuesday", cwd=repo.path)
    assert bad_moment.returncode == 2 and "--as-of" in bad_moment.stderr
    assert fmar("validate", "--format", "yaml", cwd=repo.path).returncode == 2
    assert fmar("status", "MU-NOBODY-000001", cwd=repo.path).returncode == 1
    # Every negative answer exits 1 and names the nearest ids the registry has.
    never = fmar("history", "MU-NOBODY-000001", cwd=repo.path)
    assert never.returncode == 1 and "never recorded" in never.stderr
    typo = fmar("status", "MU-VOLTAFLEX-000001", "--product", "NESO-DCC", cwd=repo.path)
    assert typo.returncode == 1 and "NESO-DCC is not a product" in typo.stderr and "NESO-DC" in typo.stderr
    no_so = fmar("sla", "--so", "NESSO", cwd=repo.path)
    assert no_so.returncode == 1 and "did you mean NESO" in no_so.stderr
    assert fmar("sla", "--so", "VOLTAFLEX", cwd=repo.path).returncode == 1, "an FSP is no system operator"
    assert fmar("sla", "--so", "NESO", cwd=repo.path).returncode == 0
    near_unit = fmar("eligible", "MU-VOLTAFLEX-00001", cwd=repo.path)
    assert near_unit.returncode == 1 and "did you mean MU-VOLTAFLEX-000001" in near_unit.stderr
    (repo.path / "registry" / path_of("party", "NESO")).write_text("kind: party\nkind: party\n", encoding="utf-8")
    assert fmar("validate", cwd=repo.path).returncode == 1


def test_json_findings_name_file_line_field_and_fix(repo) -> None:
    plant(repo.path / "registry", next(c for c in load_cases() if c.name == "dup_key_nested"))
    done = fmar("validate", "--format", "json", cwd=repo.path)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert document["format"] == "fmar-findings/v1" and document["errors"] >= 1
    for item in document["findings"]:
        assert {"path", "line", "column", "code", "json_path", "hint", "message", "severity"} <= set(item)
        assert item["code"] in RULES and item["hint"] and item["json_path"].startswith("$")
    [error] = [item for item in document["findings"] if item["severity"] == "error"]
    assert error["path"] == "registry/market_unit/KESTREL/000xxx/MU-KESTREL-000902.yaml"
    assert (error["line"], error["column"], error["code"]) == (15, 3, "YAML-VAL004")


def test_github_format_caps_annotations_and_writes_the_full_summary(repo, tmp_path: Path) -> None:
    cases = [case for case in load_cases() if case.group == "single" and not case.passes]
    for case in cases:
        plant(repo.path / "registry", case)
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    done = fmar("validate", "--format", "github", cwd=repo.path, env=env)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == GITHUB_ANNOTATION_CAP
    assert all(re.match(r"::error file=registry/[^,]+,line=\d+,col=\d+,title=[A-Z]+-VAL\d{3}::", e) for e in errors)
    assert "more than GitHub annotates" in done.stdout
    table = [row for row in summary.read_text(encoding="utf-8").splitlines() if row.startswith("| error |")]
    document = json.loads(fmar("validate", "--format", "json", cwd=repo.path).stdout)
    assert len(table) == document["errors"] > GITHUB_ANNOTATION_CAP
    assert all(case.finding_path in summary.read_text(encoding="utf-8") for case in cases)


def test_status_answers_for_every_bundled_unit_in_text_and_json() -> None:
    assert sorted(EXPECTED) == UNITS
    runner = CliRunner()
    registry = ["--registry", str(BUNDLED_REGISTRY), "--as-of", "2026-12-01"]
    for unit in UNITS:
        text = runner.invoke(cli, ["status", unit, *registry])
        assert text.exit_code == 0, text.output
        assert text.output.startswith(unit)
        as_json = runner.invoke(cli, ["status", unit, *registry, "--format", "json"])
        assert as_json.exit_code == 0, as_json.output
        document = json.loads(as_json.output)
        assert document["format"] == "fmar-status/v1" and document["unit"] == unit
        answers = {item["product"]: item["status"] for item in document["products"]}
        assert answers == EXPECTED[unit], unit
        for product, status in answers.items():
            assert Status(status).label in text.output, (unit, product)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-01-20", None),  # before the application
        ("2024-02-01", "pending"),  # applied, not yet acknowledged
        ("2024-03-01", "under_assessment"),  # acknowledged, before the outcome
        ("2024-04-12T09:59:59Z", "under_assessment"),
        ("2024-04-12T10:00:00Z", "qualified"),  # the outcome's decision time
        ("2028-04-11", "qualified"),
        ("2028-04-13", "expired"),  # 1461 days after the decision
    ],
)
def test_as_of_moves_the_answer_along_the_records(as_of: str, expected: str | None) -> None:
    result = CliRunner().invoke(
        cli,
        ["status", "MU-VOLTAFLEX-000001", "--registry", str(BUNDLED_REGISTRY), "--as-of", as_of, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    answers = {item["product"]: item["status"] for item in json.loads(result.output)["products"]}
    assert answers.get("NESO-DC") == expected


def test_a_warm_run_reuses_the_findings(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(BUNDLED_REGISTRY, root / "registry")
    (root / "registry" / path_of("party", "NESO")).write_text("kind: party\n", encoding="utf-8")
    cold = validate(Pipeline(root, root / "registry"))
    warm = validate(Pipeline(root, root / "registry"))
    assert not cold.reused and warm.reused
    assert warm.findings == cold.findings and any(f.code == "SCH-VAL001" for f in warm.findings)
    (root / "registry" / path_of("party", "NESO")).write_text("kind: party\nid: NESO\n", encoding="utf-8")
    again = validate(Pipeline(root, root / "registry"))
    assert not again.reused


def test_a_run_without_signatures_keeps_the_results_of_one_with_them(tmp_path: Path) -> None:
    """Each mode keeps its own results: neither is reused for the other, neither evicts the other."""
    root = tmp_path / "repo"
    shutil.copytree(BUNDLED_REGISTRY, root / "registry")
    shutil.copy(BUNDLED_REGISTRY.parent / "registry-trust.yaml", root)
    tampered = f"registry/{path_of('outcome', 'OUT-2024-ZNDCB2F5')}"  # edited after it was signed
    outcome = root / tampered
    text = outcome.read_text(encoding="utf-8")
    outcome.write_text(text.replace("capacity_up_kw: 1500.0", "capacity_up_kw: 1400.0"), encoding="utf-8")
    sealed = validate(Pipeline(root, root / "registry"))
    unsealed = validate(Pipeline(root, root / "registry", seal=False))
    again = validate(Pipeline(root, root / "registry"))
    assert not sealed.reused and not unsealed.reused and again.reused
    assert (tampered, "SIG-VAL007") in {(f.path, f.code) for f in again.findings}
    assert tampered not in {f.path for f in unsealed.findings}
