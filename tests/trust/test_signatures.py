"""One record's signature: what breaks it, what does not, and the real ssh-keygen both ways."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from fmar.core.model import Party
from fmar.generate.keys import example_key
from fmar.loading.record_file import parse_text
from fmar.signing.canonical import canonical_bytes
from fmar.signing.records import iso, sign_data
from fmar.signing.sshsig import NAMESPACE, fingerprint, load_private_key, public_key_line
from fmar.trust.files import load_parties
from fmar.trust.signatures import check_signature
from fmar.trust.verify import allowed_signers

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "registry"
SAMPLE = [
    "party/N/NESO.yaml",
    "product/UKPN/UKPN-PR.yaml",
    "market_unit/KESTREL/000xxx/MU-KESTREL-000001.yaml",
    "application/2026/7/7Y/APP-2026-7YBPPNN8.yaml",
    "outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml",
    "event/2026/1/1Q/EVT-2026-1QG245MN.yaml",
    "process/Q.7.yaml",
]


def _data(rel: str) -> dict[str, Any]:
    data, _, problems = parse_text((REGISTRY / rel).read_text(encoding="utf-8"))
    assert data is not None, problems
    return data


@pytest.fixture(scope="module")
def parties() -> dict[str, Party]:
    return load_parties(REGISTRY)


def _codes(data: dict[str, Any], parties: dict[str, Party], registry: str = "fmar-gb", **kwargs: Any) -> list[str]:
    return [p.code for p in check_signature(data, parties, registry=registry, **kwargs)]


@pytest.mark.parametrize("rel", SAMPLE)
def test_bundled_records_verify(rel: str, parties: dict[str, Party]) -> None:
    assert _codes(_data(rel), parties) == []


def test_changing_any_field_the_signer_or_the_time_breaks_the_signature(parties: dict[str, Party]) -> None:
    data = _data("outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml")
    changed = {**data, "capacity_up_kw": data["capacity_up_kw"] + 1}
    assert _codes(changed, parties) == ["SIG-VAL007"]
    later = {**data, "signature": {**data["signature"], "signed_at": "2024-06-27T10:00:00Z"}}
    assert _codes(later, parties) == ["SIG-VAL007"]
    other_signer = {**data, "signature": {**data["signature"], "signer": "NGED"}}
    assert _codes(other_signer, parties) == ["SIG-VAL003"]


def test_reformatting_the_yaml_keeps_the_signature(parties: dict[str, Party]) -> None:
    data = _data("application/2026/7/7Y/APP-2026-7YBPPNN8.yaml")
    text = yaml.safe_dump(dict(reversed(list(data.items()))), default_flow_style=True, width=60)
    reparsed, _, _ = parse_text(text)
    assert reparsed is not None
    assert canonical_bytes(reparsed) == canonical_bytes(data)
    assert _codes(reparsed, parties) == []


def test_signing_times_against_the_recording_time(parties: dict[str, Party]) -> None:
    data = _data("outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml")
    signed = datetime.fromisoformat(data["signature"]["signed_at"])
    assert _codes(data, parties, now=signed + timedelta(days=29)) == []
    assert _codes(data, parties, now=signed + timedelta(days=31)) == ["SIG-VAL013"]
    assert _codes(data, parties, now=signed - timedelta(hours=1)) == ["SIG-VAL012"]
    assert _codes(data, parties, now=signed - timedelta(minutes=2)) == []


def _ssh_keygen(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["ssh-keygen", *args], input=stdin, capture_output=True, check=False, cwd=cwd)


def _verify_time(data: dict[str, Any]) -> str:
    return datetime.fromisoformat(data["signature"]["signed_at"]).astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


@pytest.mark.parametrize("rel", SAMPLE)
def test_ssh_keygen_accepts_fmar_signatures(rel: str, tmp_path: Path, parties: dict[str, Party]) -> None:
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(allowed_signers(parties), encoding="utf-8")
    data = _data(rel)
    (tmp_path / "record.sig").write_text(data["signature"]["value"], encoding="utf-8")
    args = ["-Y", "verify", "-f", str(allowed), "-I", data["signature"]["signer"], "-n", NAMESPACE]
    args += ["-s", str(tmp_path / "record.sig"), "-O", f"verify-time={_verify_time(data)}"]
    done = _ssh_keygen(*args, stdin=canonical_bytes(data))
    assert done.returncode == 0, done.stderr
    assert b"Good" in done.stdout
    tampered = _ssh_keygen(*args, stdin=canonical_bytes({**data, "id": data["id"] + "X"}))
    assert tampered.returncode != 0


def test_ssh_keygen_refuses_a_key_outside_its_window(tmp_path: Path, parties: dict[str, Party]) -> None:
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(allowed_signers(parties), encoding="utf-8")
    data = _data("party/N/NESO.yaml")
    (tmp_path / "record.sig").write_text(data["signature"]["value"], encoding="utf-8")
    done = _ssh_keygen(
        "-Y", "verify", "-f", str(allowed), "-I", "FMAR", "-n", NAMESPACE, "-s", str(tmp_path / "record.sig"),
        "-O", "verify-time=20190101Z",
        stdin=canonical_bytes(data),
    )  # fmt: skip
    assert done.returncode != 0


@pytest.mark.parametrize("key_type", [["-t", "ed25519"], ["-t", "ecdsa", "-b", "256"]], ids=["ed25519", "ecdsa-p256"])
def test_fmar_accepts_ssh_keygen_signatures(key_type: list[str], tmp_path: Path, parties: dict[str, Party]) -> None:
    key_file = tmp_path / "id"
    assert _ssh_keygen(*key_type, "-N", "", "-q", "-f", str(key_file)).returncode == 0
    public = " ".join(key_file.with_suffix(".pub").read_text().split()[:2])
    neso = parties["NESO"].model_dump(mode="json", exclude_none=True)
    neso["keys"].append({"id": "neso-hsm", "public_key": public, "valid_from": "2020-01-01T00:00:00Z"})
    with_key = {**parties, "NESO": Party.model_validate(neso)}
    data = _data("event/2026/1/1Q/EVT-2026-1QG245MN.yaml")
    data["signature"] = {
        "signer": "NESO",
        "key_fingerprint": fingerprint(public),
        "signed_at": iso(datetime.now(UTC)),
        "registry": "fmar-gb",
    }
    message = tmp_path / "record.json"
    message.write_bytes(canonical_bytes(data))
    done = _ssh_keygen("-Y", "sign", "-f", str(key_file), "-n", NAMESPACE, str(message))
    assert done.returncode == 0, done.stderr
    data["signature"]["value"] = (tmp_path / "record.json.sig").read_text()
    assert _codes(data, with_key) == []
    data["reason"] = "changed"
    assert _codes(data, with_key) == ["SIG-VAL007"]


def test_ssh_keygen_accepts_fmar_ecdsa_signatures(tmp_path: Path) -> None:
    key_file = tmp_path / "id"
    assert _ssh_keygen("-t", "ecdsa", "-b", "256", "-N", "", "-q", "-f", str(key_file)).returncode == 0
    key = load_private_key(key_file.read_bytes())
    data = sign_data({"kind": "event", "id": "EVT-2026-AAAAAAAA"}, key, "NESO", datetime.now(UTC), registry="fmar-gb")
    (tmp_path / "allowed").write_text(f'NESO namespaces="{NAMESPACE}" {public_key_line(key)}\n')
    (tmp_path / "sig").write_text(data["signature"]["value"])
    done = _ssh_keygen(
        "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "NESO", "-n", NAMESPACE, "-s", str(tmp_path / "sig"),
        stdin=canonical_bytes(data),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_example_keys_are_the_published_keys(parties: dict[str, Party]) -> None:
    for party in parties.values():
        key = load_private_key((ROOT / "examples" / "keys" / f"{party.id}.key").read_bytes())
        assert party.keys[0].public_key == public_key_line(key)
        assert public_key_line(example_key(party.id, "bundled")) == public_key_line(key)
