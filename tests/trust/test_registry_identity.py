"""Signatures name the registry they were made for (class 9 of issue 13: replay across registries).

Two real registries in real Git repositories with the same parties and keys: production
(``fmar-gb``, the bundled trust anchor) and a staging copy (``fmar-gb-staging``, its anchor re-signed
by the operator). A record validly signed by its owner for one is refused by the other.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import GitRepo
from tests.workflow.cli import KEYS, fmar
from trust_scenario import BASE_AT, PR_AT, Scenario

from fmar.core.catalogue import SIGNATURE_INCOMPLETE, SIGNED_FOR_OTHER_REGISTRY
from fmar.core.model import Party
from fmar.loading.record_file import parse_text
from fmar.signing.canonical import canonical_bytes
from fmar.signing.records import sign_data
from fmar.signing.sshsig import load_private_key
from fmar.trust.files import load_parties
from fmar.trust.signatures import check_signature
from fmar.writing.writer import dumps

PRODUCTION = "fmar-gb"
STAGING = "fmar-gb-staging"
APPLICATION = "APP-2026-XNHPJ1N3"  # pending with NESO in the bundled registry
NOW = (PR_AT + timedelta(hours=1)).isoformat()
ANCHOR = "registry-trust.yaml"
#: Spellings that a lenient comparison could take for fmar-gb: none is this registry.
LOOK_ALIKES = [
    STAGING,
    "FMAR-GB",
    "Fmar-gb",
    "fmar-gb ",
    " fmar-gb",
    "fmar-gb\n",
    "fmar_gb",
    "fmar-gb.",
    "fm\u0430r-gb",  # a Cyrillic a
]


def _line_of(text: str, prefix: str) -> int:
    """The 1-based line of ``text`` that starts with ``prefix``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def _data(path: Path) -> dict[str, Any]:
    data, _, problems = parse_text(path.read_text(encoding="utf-8"))
    assert data is not None, problems
    return data


def _findings(result: Any) -> list[tuple[str, int, str, str]]:
    assert "Traceback" not in result.output
    return [(f["path"], f["line"], f["code"], f["json_path"]) for f in json.loads(result.output)["findings"]]


def _sign_for(registry: Path, identity: str) -> None:
    """Sign every record under ``registry`` again for ``identity``, each by its own signer with its
    real key and at its own signing time, as an operator setting up a staging copy would."""
    for path in sorted(registry.glob("*/**/*.yaml")):  # every record file, at any depth of its kind folder
        data = _data(path)
        block = data["signature"]
        key = load_private_key((KEYS / f"{block['signer']}.key").read_bytes())
        signed_at = datetime.fromisoformat(block["signed_at"])
        path.write_text(dumps(sign_data(data, key, block["signer"], signed_at, registry=identity)), encoding="utf-8")


@pytest.fixture
def staging(tmp_path: Path) -> GitRepo:
    """A staging copy of the registry: the bundled records signed again for fmar-gb-staging, and an
    anchor naming it that the operator signed with its pinned key (through fmar sign)."""
    repo = GitRepo(tmp_path / "staging")
    _sign_for(repo.copy_registry(), STAGING)
    anchor = repo.path / ANCHOR
    anchor.write_text(
        anchor.read_text(encoding="utf-8").replace(f"registry: {PRODUCTION}\n", f"registry: {STAGING}\n", 1),
        encoding="utf-8",
    )
    signed = fmar(repo.path, "sign", ANCHOR, "--key", KEYS / "FMAR.key", "--at", BASE_AT.isoformat())
    assert signed.exit_code == 0, signed.output
    assert f"for registry {STAGING}" in signed.output
    repo.commit_all("staging copy of the registry", when=BASE_AT)
    return repo


def _acknowledge_in(repo: Path) -> str:
    """NESO acknowledges APPLICATION in ``repo`` with fmar acknowledge; returns the new event's path."""
    result = fmar(repo, "acknowledge", APPLICATION, "--key", KEYS / "NESO.key", "--at", PR_AT.isoformat())
    assert result.exit_code == 0, result.output
    return next(word for word in result.output.split() if word.startswith("registry/event/"))


def test_fmar_sign_names_the_registry_of_the_repository(scenario: Scenario, staging: GitRepo) -> None:
    rel = "registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml"  # signed by SSEN
    for root, identity in ((scenario.root, PRODUCTION), (staging.path, STAGING)):
        result = fmar(root, "sign", rel, "--key", KEYS / "SSEN.key")
        assert result.exit_code == 0, result.output
        assert f"for registry {identity}" in result.output
        text = (root / rel).read_text(encoding="utf-8")
        assert f"  registry: {identity}\n" in text
        assert _line_of(text, "  signed_at:") + 1 == _line_of(text, "  registry:") < _line_of(text, "  value:")
        assert fmar(root, "verify", rel).exit_code == 0
        # The identity is in the signed bytes (fmar canonical, ssh-keygen -Y verify): only value is left out.
        assert f'"registry":"{identity}"'.encode() in canonical_bytes(_data(root / rel))


def test_a_record_signed_for_a_staging_copy_is_refused_by_check_and_verify(
    scenario: Scenario, staging: GitRepo
) -> None:
    """NESO signs a real acknowledgement in staging; the same file, replayed into production, is refused."""
    rel = _acknowledge_in(staging.path)
    assert fmar(staging.path, "verify", rel, ANCHOR).exit_code == 0  # valid where it was signed
    text = (staging.path / rel).read_text(encoding="utf-8")
    assert f"  registry: {STAGING}\n" in text
    scenario.path(rel).parent.mkdir(parents=True, exist_ok=True)
    scenario.path(rel).write_text(text, encoding="utf-8")
    scenario.repo.commit_all("replayed from staging", when=PR_AT + timedelta(hours=1))
    where = (rel, _line_of(text, "  registry:"), "SIG-VAL016", "$.signature.registry")

    gate = fmar(scenario.root, "check", "--base", "main", "--now", NOW, "--format", "json")
    assert gate.exit_code == 1
    assert _findings(gate) == [where]
    verify = fmar(scenario.root, "verify", rel, "--format", "json")
    assert verify.exit_code == 1
    assert _findings(verify) == [where]
    shown = fmar(scenario.root, "verify", rel)
    assert f"signed for registry '{STAGING}', but this registry is '{PRODUCTION}' ({ANCHOR})" in shown.output
    assert "fix: sign it again for this registry: fmar sign FILE --key PATH" in shown.output

    # Signed again by NESO in production, it is accepted.
    assert fmar(scenario.root, "sign", rel, "--key", KEYS / "NESO.key", "--at", PR_AT.isoformat()).exit_code == 0
    scenario.repo.commit_all("signed for this registry", when=PR_AT + timedelta(hours=1))
    assert _findings(fmar(scenario.root, "check", "--base", "main", "--now", NOW, "--format", "json")) == []


@pytest.mark.parametrize("other", LOOK_ALIKES, ids=repr)
def test_no_other_spelling_of_the_identity_is_this_registry(scenario: Scenario, other: str) -> None:
    rel = scenario.acknowledge()
    signed = scenario.sign(rel, "NESO", registry=other)
    parties = load_parties(scenario.root / "registry")
    [problem] = check_signature(signed, parties, registry=PRODUCTION)
    assert (problem.rule, problem.location) == (SIGNED_FOR_OTHER_REGISTRY, ("signature", "registry"))
    assert check_signature(signed, parties, registry=other) == []  # a valid signature, for the other registry
    found = scenario.check(now=PR_AT + timedelta(hours=1)).findings
    mine = [(f.code, f.json_path, f.line) for f in found if f.path == rel and f.code.startswith("SIG-")]
    assert mine == [("SIG-VAL016", "$.signature.registry", _line_of(scenario.path(rel).read_text(), "  registry:"))]
    verify = fmar(scenario.root, "verify", rel, "--format", "json")
    assert verify.exit_code == 1
    assert "SIG-VAL016" in {code for _, _, code, _ in _findings(verify)}


def test_editing_the_registry_after_signing_breaks_the_signature(scenario: Scenario, staging: GitRepo) -> None:
    """A staging record whose registry is edited to production's is not a production signature: SIG-VAL007."""
    rel = _acknowledge_in(staging.path)
    text = (staging.path / rel).read_text(encoding="utf-8")
    edited = text.replace(f"  registry: {STAGING}\n", f"  registry: {PRODUCTION}\n")
    assert edited != text
    scenario.path(rel).parent.mkdir(parents=True, exist_ok=True)
    scenario.path(rel).write_text(edited, encoding="utf-8")
    scenario.repo.commit_all("registry edited after signing", when=PR_AT + timedelta(hours=1))
    where = (rel, _line_of(edited, "  value:"), "SIG-VAL007", "$.signature.value")
    assert _findings(fmar(scenario.root, "check", "--base", "main", "--now", NOW, "--format", "json")) == [where]
    assert _findings(fmar(scenario.root, "verify", rel, "--format", "json")) == [where]


def test_a_signature_without_registry_is_incomplete(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    del data["signature"]["registry"]
    scenario.write(rel, data)
    parties: dict[str, Party] = load_parties(scenario.root / "registry")
    [problem] = check_signature(data, parties, registry=PRODUCTION)
    assert problem.rule == SIGNATURE_INCOMPLETE
    assert problem.message == "the signature block has no registry"
    assert problem.location == ("signature", "registry")
    found = scenario.check(now=PR_AT + timedelta(hours=1)).findings
    assert ("SIG-VAL001", "$.signature.registry") in {(f.code, f.json_path) for f in found if f.path == rel}
    verify = fmar(scenario.root, "verify", rel, "--format", "json")
    assert [(code, path) for _, _, code, path in _findings(verify)] == [("SIG-VAL001", "$.signature.registry")]


def test_the_anchor_names_its_own_identity(scenario: Scenario) -> None:
    """The anchor is signed for the identity it names: edit either and it no longer verifies (AUTH-VAL007),
    and every record then names another registry (SIG-VAL016)."""
    anchor = scenario.data(ANCHOR)
    assert anchor["registry"] == anchor["signature"]["registry"] == PRODUCTION
    # The identity edited in both places after the operator signed: the signature breaks.
    anchor["registry"] = anchor["signature"]["registry"] = STAGING
    scenario.write(ANCHOR, anchor)
    result = fmar(scenario.root, "verify", "--format", "json")
    assert result.exit_code == 1
    found = {(path, code, json_path) for path, _, code, json_path in _findings(result)}
    assert (ANCHOR, "AUTH-VAL007", "$.signature.value") in found
    assert ("registry/party/N/NESO.yaml", "SIG-VAL016", "$.signature.registry") in found
    # Validly signed, but for another identity than the one it names.
    scenario.sign(ANCHOR, "FMAR", registry=PRODUCTION, change=lambda body: body.update(registry=STAGING))
    line = _line_of(scenario.path(ANCHOR).read_text(encoding="utf-8"), "  registry:")
    only_anchor = fmar(scenario.root, "verify", ANCHOR, "--format", "json")
    assert _findings(only_anchor) == [(ANCHOR, line, "AUTH-VAL007", "$.signature.registry")]


def test_only_the_operator_changes_the_identity(scenario: Scenario) -> None:
    """UKPN cannot rename the registry (AUTH-VAL007); the operator, with a pinned key, can."""

    def rename(body: dict[str, Any]) -> None:
        body["registry"] = STAGING

    scenario.sign(ANCHOR, "UKPN", change=rename, registry=STAGING)
    assert "AUTH-VAL007" in scenario.codes(path=ANCHOR)
    scenario.sign(ANCHOR, "FMAR", change=rename, registry=STAGING)
    assert scenario.codes(path=ANCHOR, when=PR_AT + timedelta(hours=2)) == set()


def test_a_repository_without_its_identity_is_a_usage_error(scenario: Scenario) -> None:
    """No anchor, or one without a valid identity: every command that signs or verifies says which file
    is missing and how to fix it, exit status 2, no traceback; nothing is written."""
    rel = "registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml"
    before = scenario.path(rel).read_bytes()
    events = sorted(scenario.path("registry/event").rglob("*"))
    commands = [
        ("sign", rel, "--key", KEYS / "SSEN.key"),
        ("verify",),
        ("check", "--base", "HEAD", "--now", NOW),
        ("audit",),
        ("acknowledge", APPLICATION, "--key", KEYS / "NESO.key"),
    ]
    anchor = scenario.data(ANCHOR)
    for broken in ("missing", "FMAR-GB", None):
        if broken == "missing":
            scenario.path(ANCHOR).unlink()
        else:
            if broken is None:
                anchor.pop("registry")
            else:
                anchor["registry"] = broken
            scenario.write(ANCHOR, anchor)
        scenario.repo.commit_all(f"anchor {broken}", when=PR_AT)
        for command in commands:
            result = fmar(scenario.root, *command)
            assert result.exit_code == 2, (broken, command, result.output)
            assert "Traceback" not in result.output
            assert ANCHOR in result.output and "fmar sign registry-trust.yaml --key PATH" in result.output
            if broken == "missing":
                assert "no trust anchor" in result.output
            else:
                assert "registry" in result.output and "3 to 64 lower-case letters" in result.output
        assert scenario.path(rel).read_bytes() == before
        assert sorted(scenario.path("registry/event").rglob("*")) == events
