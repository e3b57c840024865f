"""The trust commands as a user runs them: sign, verify, canonical, keys allowed-signers, check."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from trust_scenario import PR_AT, Scenario, key, rel_of

from fmar.cli import cli
from fmar.signing.canonical import canonical_bytes

EVENT = "registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml"  # signed by SSEN


def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


@pytest.fixture
def repo(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    monkeypatch.chdir(scenario.root)
    return scenario


def _protected_key(tmp_path: Path, party: str, passphrase: bytes) -> Path:
    path = tmp_path / f"{party}.key"
    pem = key(party).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(passphrase),
    )
    path.write_bytes(pem)
    return path


def test_verify_passes_on_the_bundled_registry(repo: Scenario) -> None:
    result = _run("verify")
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_verify_fails_on_a_tampered_record_with_its_place(repo: Scenario) -> None:
    data = repo.data(EVENT)
    data["reason"] = "Tampered."
    repo.write(EVENT, data)
    result = _run("verify", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["path"], f["code"], f["json_path"]) for f in findings] == [(EVENT, "SIG-VAL007", "$.signature.value")]
    assert _run("verify", "registry/party").exit_code == 0


def test_verify_checks_the_trust_anchor(repo: Scenario) -> None:
    anchor = repo.data("registry-trust.yaml")
    anchor["operator"] = "UKPN"
    repo.write("registry-trust.yaml", anchor)
    result = _run("verify")
    assert result.exit_code == 1
    assert "AUTH-VAL007" in result.output and "AUTH-VAL008" in result.output


def test_canonical_prints_the_signed_bytes(repo: Scenario) -> None:
    result = CliRunner().invoke(cli, ["canonical", EVENT])
    assert result.exit_code == 0
    assert result.stdout_bytes == canonical_bytes(repo.data(EVENT))
    assert b'"value"' not in result.stdout_bytes


def test_allowed_signers_file(repo: Scenario, tmp_path: Path) -> None:
    out = tmp_path / "allowed"
    assert _run("keys", "allowed-signers", "-o", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == len(list((repo.root / "registry" / "party").rglob("*.yaml")))
    assert lines[0].startswith('ENWL namespaces="fmar-record-v1",valid-after="20200101000000Z" ssh-ed25519 ')


def test_sign_with_a_passphrase_from_the_environment(repo: Scenario, tmp_path: Path) -> None:
    path = _protected_key(tmp_path, "SSEN", b"correct horse")
    data = repo.data(EVENT)
    data["reason"] = "More detail requested."
    repo.write(EVENT, data)
    assert _run("verify", EVENT).exit_code == 1
    result = _run("sign", EVENT, "--key", str(path), env={"FMAR_KEY_PASSPHRASE": "correct horse"})
    assert result.exit_code == 0, result.output
    assert "signed" in result.output and "as SSEN" in result.output
    assert _run("verify", EVENT).exit_code == 0
    signed_at = datetime.fromisoformat(repo.data(EVENT)["signature"]["signed_at"])
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=1)


def test_sign_with_a_wrong_or_missing_passphrase_writes_nothing(repo: Scenario, tmp_path: Path) -> None:
    path = _protected_key(tmp_path, "SSEN", b"s3cret")
    before = repo.path(EVENT).read_bytes()
    wrong = _run("sign", EVENT, "--key", str(path), env={"FMAR_KEY_PASSPHRASE": "nope"})
    assert wrong.exit_code == 2
    assert "wrong passphrase" in wrong.output
    missing = _run("sign", EVENT, "--key", str(path), env={"FMAR_KEY_PASSPHRASE": None})  # type: ignore[dict-item]
    assert missing.exit_code == 2
    assert "FMAR_KEY_PASSPHRASE" in missing.output
    assert repo.path(EVENT).read_bytes() == before


def test_sign_refuses_an_invalid_record_and_writes_nothing(repo: Scenario, tmp_path: Path) -> None:
    key_file = tmp_path / "SSEN.key"
    shutil.copy(Path(__file__).resolve().parents[2] / "examples" / "keys" / "SSEN.key", key_file)
    text = repo.path(EVENT).read_text().replace("type: information_requested", "type: approved_by_magic")
    repo.path(EVENT).write_text(text)
    result = _run("sign", EVENT, "--key", str(key_file))
    assert result.exit_code == 1
    assert "SCH-VAL004" in result.output and "not signed" in result.output
    assert repo.path(EVENT).read_text() == text


def test_sign_refuses_a_key_the_signer_does_not_publish(repo: Scenario, tmp_path: Path) -> None:
    key_file = tmp_path / "NESO.key"
    shutil.copy(Path(__file__).resolve().parents[2] / "examples" / "keys" / "NESO.key", key_file)
    result = _run("sign", EVENT, "--key", str(key_file), "--signer", "SSEN")
    assert result.exit_code == 1
    assert "SIG-VAL003" in result.output


def test_check_exit_codes_and_formats(repo: Scenario) -> None:
    b = repo.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    repo.repo.commit_all("ack", when=PR_AT + timedelta(hours=1))
    now = (PR_AT + timedelta(hours=1)).isoformat()
    clean = _run("check", "--base", "main", "--now", now)
    assert clean.exit_code == 0, clean.output
    repo.path("registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml").unlink()
    repo.repo.commit_all("delete", when=PR_AT + timedelta(hours=2))
    failing = _run("check", "--base", "main", "--format", "github", "--now", now)
    assert failing.exit_code == 1
    assert "::error file=registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml" in failing.output
    assert "title=GATE-VAL002" in failing.output
    as_json = json.loads(_run("check", "--base", "main", "--head", "HEAD", "--format", "json", "--now", now).output)
    assert as_json["errors"] == 1
    assert _run("check", "--base", "no-such-branch").exit_code == 2
    assert _run("check", "--base", "main", "--now", "2026-12-10T11:00").exit_code == 2  # no time zone
    assert _run("check", "--base", "main", "--now", "yesterday").exit_code == 2


@pytest.mark.parametrize("number", ["9007199254740993", ".inf", "9" * 5000])
def test_check_reports_a_number_json_cannot_hold_as_a_finding(repo: Scenario, number: str) -> None:
    """A change adding an outcome whose capacity RFC 8785 cannot hold: a finding with its place, no crash."""
    b = repo.builder
    outcome = b.decide(b.registry.applications["APP-2026-7YBPPNN8"], "qualified", PR_AT, days=365)
    rel = rel_of("outcome", outcome.id)
    lines = repo.path(rel).read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("capacity_up_kw: "))
    lines[line - 1] = f"capacity_up_kw: {number}\n"
    repo.path(rel).write_text("".join(lines), encoding="utf-8")
    repo.repo.commit_all("an outcome", when=PR_AT + timedelta(hours=1))
    result = _run("check", "--base", "main", "--format", "json", "--now", (PR_AT + timedelta(hours=1)).isoformat())
    assert result.exit_code == 1, result.output
    found = [f for f in json.loads(result.stdout)["findings"] if f["path"] == rel]
    assert [(f["code"], f["line"], f["column"], f["json_path"]) for f in found] == [
        ("YAML-VAL014", line, 17, "$.capacity_up_kw")
    ]
