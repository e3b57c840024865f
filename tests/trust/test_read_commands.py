"""Read commands count only records that stand: a forged, edited or unentitled record is shown as such.

Each case is a real repository with real keys (the builder signs as each party would); the
forgery is then committed straight to main, as a direct push past the gate would.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from tests.history.history_world import IDENTITY, SEED, T0, World, make_world
from tests.workflow.cli import fmar
from trust_scenario import rel_of

from fmar.core.catalogue import (
    FSP_RECORD_NOT_BY_OWNER,
    KEY_REVOKED,
    REFERENCE_DATA_NOT_BY_OPERATOR,
    SIGNATURE_INVALID,
    SO_RECORD_NOT_BY_SO,
)
from fmar.core.model import Application, Outcome
from fmar.core.record_paths import path_of
from fmar.generate.keys import example_key
from fmar.signing.records import iso, sign_data
from fmar.writing.writer import dumps

DAY = timedelta(days=1)
UNIT = "MU-VOLTAFLEX-000001"


def resign(path: Path, party: str, at: Any, **changes: Any) -> None:
    """Sign the record at ``path`` again, as ``party`` with its real key, after applying ``changes``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(dumps(sign_data(data, example_key(party, SEED), party, at, registry=IDENTITY)), encoding="utf-8")


def record_file(world: World, kind: str, record_id: str) -> Path:
    return world.registry / path_of(kind, record_id)


def lengthen_validity(world: World, outcome: Outcome) -> str:
    """Edit the merged outcome's validity 300 days longer without signing it, and push that to main;
    returns the forged end of validity."""
    path = record_file(world, "outcome", outcome.id)
    text = path.read_text(encoding="utf-8")
    assert outcome.valid_until is not None
    valid_until, forged = iso(outcome.valid_until), iso(outcome.valid_until + 300 * DAY)
    assert valid_until in text
    path.write_text(text.replace(valid_until, forged), encoding="utf-8")
    world.repo.commit_all("a direct push: longer validity", when=T0 + 12 * DAY)
    return forged


@pytest.fixture
def qualified(git_repo: Any) -> tuple[World, Application, Outcome]:
    """VOLTAFLEX's unit applied for UKPN-PR and qualified by UKPN, all merged."""
    world = make_world(git_repo)
    unit = world.unit(UNIT, "Thurrock Battery", T0 + DAY)
    application = world.builder.apply(unit, "UKPN-PR", T0 + 2 * DAY, up=1500.0)
    git_repo.commit_all("unit and application", when=T0 + 3 * DAY)
    outcome = world.builder.decide(application, "qualified", T0 + 10 * DAY)
    git_repo.commit_all("UKPN decides", when=T0 + 11 * DAY)
    return world, application, outcome


def statuses(world: World) -> tuple[list[str], list[dict[str, Any]]]:
    document = world.fmar_json("status", UNIT, "--as-of", iso(T0 + 20 * DAY))
    return [p["status"] for p in document["products"]], document["unverified"]


def test_a_genuine_outcome_counts_and_nothing_is_flagged(qualified: tuple[World, Application, Outcome]) -> None:
    world, _, _ = qualified
    found, unverified = statuses(world)
    assert found == ["qualified"]
    assert unverified == []
    assert world.fmar("validate").exit_code == 0


def test_an_outcome_signed_by_another_so_is_not_counted_anywhere(
    qualified: tuple[World, Application, Outcome],
) -> None:
    world, application, outcome = qualified
    path = record_file(world, "outcome", outcome.id)
    # NGED signs, with its own valid key, an outcome about an application to UKPN's product.
    resign(path, "NGED", T0 + 10 * DAY)
    world.repo.commit_all("a direct push: NGED's outcome", when=T0 + 12 * DAY)
    rel = rel_of("outcome", outcome.id)

    found, unverified = statuses(world)
    assert found != ["qualified"]
    assert [(u["path"], u["code"], u["json_path"]) for u in unverified] == [
        (rel, SO_RECORD_NOT_BY_SO.code, "$.signature.signer")
    ]
    assert unverified[0]["line"] > 1 and unverified[0]["hint"]

    text = world.fmar("status", UNIT, "--as-of", iso(T0 + 20 * DAY))
    assert "Qualified" not in text.stdout
    assert f"{rel}:" in text.stderr and SO_RECORD_NOT_BY_SO.code in text.stderr and "not counted" in text.stderr

    eligible = world.fmar_json("eligible", UNIT, "--as-of", iso(T0 + 20 * DAY))
    assert [u["path"] for u in eligible["unverified"]] == [rel]
    assert all(p["current_status"] != "qualified" for p in eligible["products"])

    package = world.fmar_json("package", application.id, "--as-of", iso(T0 + 20 * DAY))
    assert package["status"] != "qualified"
    assert [u["path"] for u in package["unverified"]] == [rel]

    inbox = world.fmar_json("inbox", "UKPN", "--as-of", iso(T0 + 20 * DAY))
    assert [a["application"] for a in inbox["applications"]] == [application.id]  # still open for UKPN
    assert [u["path"] for u in inbox["unverified"]] == [rel]

    sla = world.fmar_json("sla", "--so", "UKPN", "--as-of", iso(T0 + 20 * DAY))
    assert sum(row["decided"] for row in sla["rows"]) == 0
    assert [u["path"] for u in sla["unverified"]] == [rel]

    history = world.fmar_json("history", application.id)
    assert [u["path"] for u in history["unverified"]] == [rel]

    validated = world.fmar("validate", "--format", "json")
    assert validated.exit_code == 1
    found = {(f["path"], f["code"]) for f in json.loads(validated.stdout)["findings"]}
    assert (rel, SO_RECORD_NOT_BY_SO.code) in found and {path for path, _ in found} == {rel}


def test_an_outcome_edited_after_signing_shows_neither_the_forged_nor_any_validity(
    qualified: tuple[World, Application, Outcome],
) -> None:
    world, _, outcome = qualified
    forged = lengthen_validity(world, outcome)

    document = world.fmar_json("status", UNIT, "--as-of", iso(T0 + 20 * DAY))
    assert forged[:10] not in json.dumps(document)
    assert [p["status"] for p in document["products"]] != ["qualified"]
    assert [(u["code"], u["json_path"]) for u in document["unverified"]] == [
        (SIGNATURE_INVALID.code, "$.signature.value")
    ]
    # fmar validate verifies signatures by default; only a flag named for what it risks skips it.
    assert world.fmar("validate").exit_code == 1
    skipped = world.fmar("validate", "--unsafe-skip-signatures")
    assert skipped.exit_code == 0 and "not verified" in skipped.stderr


def test_a_forged_unit_takes_its_applications_and_outcomes_with_it(
    qualified: tuple[World, Application, Outcome],
) -> None:
    world, application, outcome = qualified
    world.builder.fsp("KESTREL", "Kestrel Flex (fictional)", T0, "ops@kestrel.example")
    world.repo.commit_all("another FSP", when=T0 + 12 * DAY)
    resign(record_file(world, "market_unit", UNIT), "KESTREL", T0 + 13 * DAY)
    world.repo.commit_all("a direct push: KESTREL signs VOLTAFLEX's unit", when=T0 + 13 * DAY)

    result = world.fmar("status", UNIT, "--format", "json")
    assert result.exit_code == 1  # the unit itself does not stand
    assert FSP_RECORD_NOT_BY_OWNER.code in result.stderr
    eligible = world.fmar("eligible", UNIT, "--format", "json")
    assert eligible.exit_code == 1
    for refused in (("market_unit", UNIT), ("application", application.id), ("outcome", outcome.id)):
        assert rel_of(*refused) in eligible.stderr
    assert world.fmar_json("inbox", "UKPN")["applications"] == []


def test_a_record_recorded_after_its_key_was_revoked_is_not_counted(
    qualified: tuple[World, Application, Outcome],
) -> None:
    world, application, _ = qualified
    builder = world.builder
    revoked = {**builder.key_entry("UKPN"), "revoked_at": iso(T0 + 30 * DAY), "revocation_reason": "key stolen"}
    party = yaml.safe_load(record_file(world, "party", "UKPN").read_text(encoding="utf-8"))
    party["keys"] = [revoked, builder.key_entry("UKPN", "ukpn-2")]
    resign(record_file(world, "party", "UKPN"), "FMAR", T0 + 30 * DAY, keys=party["keys"])
    world.repo.commit_all("UKPN's key revoked", when=T0 + 30 * DAY)
    # The thief signs "before the revocation", and the outcome reaches main after it.
    late = builder.decide(application, "failed", T0 + 29 * DAY, reasons=["TEST_FAILED"])
    world.repo.commit_all("a direct push after the revocation", when=T0 + 31 * DAY)

    document = world.fmar_json("status", UNIT, "--as-of", iso(T0 + 40 * DAY))
    assert [p["status"] for p in document["products"]] == ["qualified"]
    assert [(u["path"], u["code"]) for u in document["unverified"]] == [(rel_of("outcome", late.id), KEY_REVOKED.code)]


def test_fmar_sign_refuses_a_record_its_signer_may_not_sign(
    qualified: tuple[World, Application, Outcome], tmp_path: Path
) -> None:
    world, _, outcome = qualified
    path = record_file(world, "outcome", outcome.id)
    before = path.read_bytes()
    result = sign_as(world, path, "VOLTAFLEX", tmp_path)

    assert result.exit_code == 1
    # The rules across records (OUT-VAL001) or the authorization matrix (AUTH-VAL004) say so,
    # at the file, line and column of signature.signer.
    assert re.search(rf"{re.escape(str(path))}:\d+:3: error (OUT-VAL001|{SO_RECORD_NOT_BY_SO.code}) ", result.stderr)
    assert "at $.signature.signer" in result.stderr and "nothing written" in result.stderr
    assert path.read_bytes() == before


def test_fmar_sign_refuses_a_record_the_rules_across_records_reject(
    qualified: tuple[World, Application, Outcome], tmp_path: Path
) -> None:
    world, application, _ = qualified
    path = record_file(world, "application", application.id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["product"] = "UKPN-NO-SUCH-PRODUCT"
    path.write_text(dumps(data), encoding="utf-8")
    before = path.read_bytes()
    result = sign_as(world, path, "VOLTAFLEX", tmp_path)

    assert result.exit_code == 1
    assert "REF-VAL001" in result.stderr and "nothing written" in result.stderr
    assert path.read_bytes() == before


def test_the_site_build_refuses_a_registry_with_a_forged_record(
    qualified: tuple[World, Application, Outcome], tmp_path: Path
) -> None:
    world, _, outcome = qualified
    lengthen_validity(world, outcome)

    result = world.fmar("build", "--out", str(tmp_path / "site"))

    assert result.exit_code == 1
    assert rel_of("outcome", outcome.id) in result.output and SIGNATURE_INVALID.code in result.output
    assert not (tmp_path / "site" / "index.html").exists()
    # What the refused build learned is kept for fmar validate, the refusal included.
    validated = world.fmar("validate", "--format", "json")
    assert validated.exit_code == 1
    assert (rel_of("outcome", outcome.id), SIGNATURE_INVALID.code) in {
        (f["path"], f["code"]) for f in json.loads(validated.stdout)["findings"]
    }


def sign_as(world: World, path: Path, party: str, folder: Path) -> Any:
    """``fmar sign PATH --key`` with ``party``'s real private key, written to ``folder``."""
    key = folder / f"{party.lower()}.key"
    private = example_key(party, SEED).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    key.write_bytes(private)
    key.chmod(0o600)
    return fmar(world.repo.path, "sign", path, "--key", key)


def test_fmar_sign_refuses_to_sign_another_fsps_unit(
    qualified: tuple[World, Application, Outcome], tmp_path: Path
) -> None:
    world, _, _ = qualified
    world.builder.fsp("KESTREL", "Kestrel Flex (fictional)", T0, "ops@kestrel.example")
    world.repo.commit_all("another FSP", when=T0 + 12 * DAY)
    path = record_file(world, "market_unit", UNIT)
    before = path.read_bytes()
    result = sign_as(world, path, "KESTREL", tmp_path)

    assert result.exit_code == 1
    assert re.search(rf":\d+:3: error {FSP_RECORD_NOT_BY_OWNER.code} .*signed by KESTREL", result.stderr), result.stderr
    assert path.read_bytes() == before


def test_the_judgement_kept_between_runs_follows_the_files(qualified: tuple[World, Application, Outcome]) -> None:
    """The second run reuses the first one's judgement only while nothing it rests on changed."""
    world, _, outcome = qualified
    path = record_file(world, "outcome", outcome.id)
    genuine = path.read_bytes()
    resign(path, "NGED", T0 + 10 * DAY)
    world.repo.commit_all("a direct push: NGED's outcome", when=T0 + 12 * DAY)
    for _ in range(2):  # judged, then the kept judgement
        assert [u["code"] for u in statuses(world)[1]] == [SO_RECORD_NOT_BY_SO.code]
    path.write_bytes(genuine)
    world.repo.commit_all("the genuine outcome back", when=T0 + 13 * DAY)
    for _ in range(2):
        assert statuses(world) == (["qualified"], [])


def test_notify_tells_nobody_of_a_forged_outcome_and_names_it(
    qualified: tuple[World, Application, Outcome], tmp_path: Path
) -> None:
    world, application, _ = qualified
    before = world.repo.git("rev-parse", "HEAD")
    forged = world.builder.decide(application, "failed", T0 + 12 * DAY, reasons=["TEST_FAILED"])
    resign(record_file(world, "outcome", forged.id), "NGED", T0 + 12 * DAY)
    world.repo.commit_all("a direct push: NGED fails UKPN's applicant", when=T0 + 12 * DAY)
    out = tmp_path / "notifications"

    result = world.fmar("notify", "--base", before, "--out", str(out))

    assert result.exit_code == 0, result.output
    assert rel_of("outcome", forged.id) in result.stderr and "not counted" in result.stderr
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["recipients"] == []
    assert [(u["path"], u["code"]) for u in index["unverified"]] == [
        (rel_of("outcome", forged.id), SO_RECORD_NOT_BY_SO.code)
    ]


def test_codeowners_obeys_no_forged_party_record(qualified: tuple[World, Application, Outcome], tmp_path: Path) -> None:
    world, _, _ = qualified
    world.builder.fsp("KESTREL", "Kestrel Flex (fictional)", T0, "ops@kestrel.example")
    world.repo.commit_all("another FSP", when=T0 + 12 * DAY)
    # KESTREL gives its own party record a team, signing it itself: only the operator signs parties.
    resign(record_file(world, "party", "KESTREL"), "KESTREL", T0 + 13 * DAY, github_team="@evil/kestrel")
    world.repo.commit_all("a direct push: KESTREL's own team", when=T0 + 13 * DAY)
    out = tmp_path / "CODEOWNERS"

    result = world.fmar("codeowners", "--output", str(out))

    assert result.exit_code == 0, result.output
    assert "@evil/kestrel" not in out.read_text(encoding="utf-8")
    assert "registry/party/K/KESTREL.yaml" in result.stderr and "not counted" in result.stderr
    assert REFERENCE_DATA_NOT_BY_OPERATOR.code in result.stderr
