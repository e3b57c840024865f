"""Inputs the property test (test_no_internal_errors.py) found that made a command fail internally or
accept what it should refuse, each now a finding with its rule code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.conftest import BUNDLED_REGISTRY, EXAMPLE_KEYS

from fmar.cli import cli

FMAR = "registry/party/F/FMAR.yaml"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG4N7yw8wdscY7vOUwaaqLJUwQ99+G01jS5bXQU5lyCN"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(BUNDLED_REGISTRY, tmp_path / "registry")
    shutil.copy(BUNDLED_REGISTRY.parent / "registry-trust.yaml", tmp_path / "registry-trust.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "internal error" not in result.output
    return result


def _findings(root: Path, *args: str) -> list[dict[str, str]]:
    result = _run(*args, "--registry", str(root / "registry"), "--format", "json")
    assert result.exit_code == 1, result.output
    return list(json.loads(result.stdout)["findings"])


@pytest.mark.parametrize(
    ("public_key", "says"),
    [
        # found: one byte inserted into the body ('/'), so base64 no longer decodes (binascii.Error in verify)
        (KEY.replace(" AAAA", " /AAAA"), "base64 body is damaged"),
        # an ed25519 body under the name of another type, and a body cut short: text of the right shape
        (KEY.replace("ssh-ed25519", "ecdsa-sha2-nistp256"), "not an OpenSSH ecdsa-sha2-nistp256 public key"),
        (KEY[:-4], "not an OpenSSH ssh-ed25519 public key"),
    ],
    ids=["damaged_base64", "other_type", "cut_short"],
)
def test_a_damaged_public_key_is_a_format_finding_not_a_crash(root: Path, public_key: str, says: str) -> None:
    path = root / FMAR
    path.write_text(path.read_text(encoding="utf-8").replace(KEY, public_key), encoding="utf-8")
    [finding] = [f for f in _findings(root, "validate") if f["path"] == FMAR]
    assert (finding["code"], finding["json_path"], finding["line"]) == ("SCH-VAL005", "$.keys[0].public_key", 11)
    assert says in finding["message"] and "copy the whole .pub line" in finding["message"]
    # verify read the key to fingerprint it, and failed internally: now FMAR is no party to sign with
    assert {f["code"] for f in _findings(root, "verify")} >= {"SIG-VAL002"}
    signed = _run("sign", str(path), "--key", str(EXAMPLE_KEYS / "FMAR.key"), "--signer", "FMAR")
    assert signed.exit_code == 1 and "SCH-VAL005" in signed.output


def test_a_trust_anchor_with_schema_version_true_is_refused(root: Path) -> None:
    """Found: the anchor took ``schema_version: true`` (and ``1.0``) for 1, which records refuse (SCH-VAL003)."""
    anchor = root / "registry-trust.yaml"
    anchor.write_text(anchor.read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: true"))
    [finding] = _findings(root, "verify")
    assert (finding["path"], finding["code"]) == ("registry-trust.yaml", "AUTH-VAL007")
    assert "schema_version" in finding["json_path"] and "valid integer" in finding["message"]
