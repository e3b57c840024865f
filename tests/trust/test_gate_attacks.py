"""Attacks on the registry through a pull request: each one fails fmar check with its own rule code."""

from __future__ import annotations

import base64
import shutil
import struct
from datetime import timedelta
from typing import Any

import pytest
from trust_scenario import BASE_AT, PR_AT, Scenario, key, rel_of

from fmar.core.record_paths import flat_path, folder_of
from fmar.generate.keys import example_key
from fmar.signing.canonical import canonical_bytes
from fmar.signing.records import iso
from fmar.signing.sshsig import public_key_line, sign

APPLICATION = "registry/application/2026/7/7Y/APP-2026-7YBPPNN8.yaml"  # KESTREL's unit, ENWL-SU, under assessment
OUTCOME = "registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml"  # UKPN's outcome on APP-2024-1VNXK21J
UNIT = "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000002.yaml"


def _outcome(scenario: Scenario, signer: str, *, at=PR_AT, application: str = "APP-2026-7YBPPNN8") -> str:
    b = scenario.builder
    original = b.key_for
    b.key_for = lambda party: key(signer)
    app = b.registry.applications[application]
    record = b.decide(app, "qualified", at, days=365)
    # Builder signs as the application's SO; re-sign as the attacker with the attacker's key.
    rel = rel_of("outcome", record.id)
    scenario.sign(rel, signer, at=at)
    b.key_for = original
    return rel


def _revise_key(scenario: Scenario, party: str, **window: Any) -> None:
    """The operator changes the window of ``party``'s key on main (a merged earlier change)."""

    def change(body: dict) -> None:
        body["keys"][0].update({k: iso(v) if hasattr(v, "isoformat") else v for k, v in window.items()})

    scenario.sign(rel_of("party", party), "FMAR", change=change, at=BASE_AT + timedelta(hours=1))
    scenario.merge_to_main("operator changes a key window", when=BASE_AT + timedelta(hours=2))


# --- signatures -----------------------------------------------------------------------------


def test_content_changed_after_signing(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    data["reason"] = "Edited after signing."
    scenario.write(rel, data)
    assert "SIG-VAL007" in scenario.codes(path=rel)


def test_forged_signature_with_the_attackers_key(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    attacker = example_key("MALLORY", "attack")
    data["signature"]["value"] = sign(canonical_bytes(data), attacker)
    scenario.write(rel, data)
    assert "SIG-VAL009" in scenario.codes(path=rel)


def test_truncated_signature(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    lines = data["signature"]["value"].splitlines()
    data["signature"]["value"] = "\n".join([*lines[:2], lines[-1]]) + "\n"
    scenario.write(rel, data)
    assert "SIG-VAL008" in scenario.codes(path=rel)


def test_valid_signature_over_other_content(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    # a real signature by the right key, but over the record without its signature block
    body = {k: v for k, v in data.items() if k != "signature"}
    data["signature"]["value"] = sign(canonical_bytes(body), key("NESO"))
    scenario.write(rel, data)
    assert "SIG-VAL014" in scenario.codes(path=rel)


def test_signature_copied_from_another_record(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    donor = scenario.data("registry/event/2024/R/RY/EVT-2024-RYKS2QSE.yaml")  # signed by NESO too
    data["signature"] = donor["signature"]
    data["signature"]["signed_at"] = iso(PR_AT)
    scenario.write(rel, data)
    assert "SIG-VAL015" in scenario.codes(path=rel)


def test_signature_for_another_namespace(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    data["signature"]["value"] = sign(canonical_bytes(data), key("NESO"), namespace="git")
    scenario.write(rel, data)
    assert "SIG-VAL010" in scenario.codes(path=rel)


def test_missing_signature_block(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    del data["signature"]
    scenario.write(rel, data)
    assert "SIG-VAL001" in scenario.codes(path=rel)


def test_unknown_signer(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    scenario.sign(rel, "MALLORY")
    assert "SIG-VAL002" in scenario.codes(path=rel)


def test_unknown_key(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    scenario.sign(rel, "NESO", with_key=example_key("NESO", "stolen-laptop"))
    assert "SIG-VAL003" in scenario.codes(path=rel)


def test_revoked_key(scenario: Scenario) -> None:
    _revise_key(scenario, "NESO", revoked_at=PR_AT - timedelta(days=1), revocation_reason="Key compromised.")
    rel = scenario.acknowledge()
    assert "SIG-VAL006" in scenario.codes(path=rel)


def test_expired_key(scenario: Scenario) -> None:
    _revise_key(scenario, "NESO", valid_until=PR_AT - timedelta(days=1))
    rel = scenario.acknowledge()
    assert "SIG-VAL005" in scenario.codes(path=rel)


def test_key_not_yet_valid(scenario: Scenario) -> None:
    _revise_key(scenario, "NESO", valid_from=PR_AT + timedelta(days=1))
    rel = scenario.acknowledge()
    assert "SIG-VAL004" in scenario.codes(path=rel)


def test_fido_key_is_refused(scenario: Scenario) -> None:
    raw = example_key("NESO", "fido").public_key().public_bytes_raw()
    blob = b"".join(struct.pack(">I", len(part)) + part for part in (b"sk-ssh-ed25519@openssh.com", raw, b"ssh:"))
    line = "sk-ssh-ed25519@openssh.com " + base64.b64encode(blob).decode()

    def add(body: dict) -> None:
        body["keys"].append({"id": "neso-fido", "public_key": line, "valid_from": iso(BASE_AT)})

    scenario.sign("registry/party/N/NESO.yaml", "FMAR", change=add, at=BASE_AT + timedelta(hours=1))
    scenario.merge_to_main("operator publishes a FIDO key", when=BASE_AT + timedelta(hours=2))
    rel = scenario.acknowledge()
    data = scenario.data(rel)
    from fmar.signing.sshsig import fingerprint

    data["signature"]["key_fingerprint"] = fingerprint(line)
    scenario.write(rel, data)
    assert "SIG-VAL011" in scenario.codes(path=rel)


def test_backdated_signing_time(scenario: Scenario) -> None:
    rel = scenario.acknowledge(at=PR_AT - timedelta(days=60))
    assert "SIG-VAL013" in scenario.codes(path=rel)


def test_signing_time_in_the_future(scenario: Scenario) -> None:
    rel = scenario.acknowledge(at=PR_AT + timedelta(days=3))
    assert "SIG-VAL012" in scenario.codes(path=rel)


# --- who may sign what ----------------------------------------------------------------------


def test_fsp_signs_an_outcome(scenario: Scenario) -> None:
    rel = _outcome(scenario, "KESTREL")
    assert "AUTH-VAL004" in scenario.codes(path=rel)


def test_so_decides_another_sos_product(scenario: Scenario) -> None:
    rel = _outcome(scenario, "UKPN")
    assert "AUTH-VAL004" in scenario.codes(path=rel)


def test_fsp_applies_for_another_fsps_unit(scenario: Scenario) -> None:
    b = scenario.builder
    application = b.apply(b.registry.units["MU-VOLTAFLEX-000004"], "UKPN-PR", PR_AT, up=1000.0)
    rel = rel_of("application", application.id)
    scenario.sign(rel, "KESTREL")
    assert "AUTH-VAL003" in scenario.codes(path=rel)


def test_fsp_withdraws_another_fsps_application(scenario: Scenario) -> None:
    b = scenario.builder
    record = b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "withdrawn", PR_AT, reason="Not ours.")
    rel = rel_of("event", record.id)
    scenario.sign(rel, "FENLAND")
    assert "AUTH-VAL003" in scenario.codes(path=rel)


def test_fsp_takes_over_another_fsps_unit(scenario: Scenario) -> None:
    rel = "registry/market_unit/FENLAND/000xxx/MU-FENLAND-000001.yaml"

    def take(body: dict) -> None:
        body["name"] = "Now ours"

    scenario.sign(rel, "VOLTAFLEX", change=take)
    assert "AUTH-VAL003" in scenario.codes(path=rel)


def test_so_changes_another_sos_product(scenario: Scenario) -> None:
    rel = "registry/product/UKPN/UKPN-PR.yaml"

    def edit(body: dict) -> None:
        body["description"] = "Rewritten by a competitor."

    scenario.sign(rel, "NGED", change=edit)
    assert "AUTH-VAL002" in scenario.codes(path=rel)


def test_fsp_registers_a_party(scenario: Scenario) -> None:
    b = scenario.builder
    b.fsp("SHELLCO", "Shell Company Ltd", PR_AT, "flex@shellco.example")
    rel = "registry/party/S/SHELLCO.yaml"
    scenario.sign(rel, "VOLTAFLEX")
    assert "AUTH-VAL001" in scenario.codes(path=rel)


def test_key_added_in_the_same_change_that_uses_it(scenario: Scenario) -> None:
    new_key = example_key("NESO", "bundled", 2)

    def add(body: dict) -> None:
        body["keys"].append({"id": "neso-2", "public_key": public_key_line(new_key), "valid_from": iso(BASE_AT)})

    scenario.sign("registry/party/N/NESO.yaml", "FMAR", change=add)
    rel = scenario.acknowledge()
    scenario.sign(rel, "NESO", with_key=new_key)
    assert "AUTH-VAL006" in scenario.codes(path=rel)


def test_fsp_makes_itself_a_dso_and_uses_it(scenario: Scenario) -> None:
    def promote(body: dict) -> None:
        body["role"] = "dso"
        body["licence_areas"] = ["UKPN_EPN"]
        del body["contact"]["email"]
        body["contact"]["website"] = "https://voltaflex.example"

    scenario.sign("registry/party/V/VOLTAFLEX.yaml", "VOLTAFLEX", change=promote)
    outcome = _outcome(scenario, "VOLTAFLEX", application="APP-2026-XNHPJ1N3")
    result = scenario.check()
    by_path = {(f.path, f.code) for f in result.findings}
    assert ("registry/party/V/VOLTAFLEX.yaml", "AUTH-VAL001") in by_path
    assert (outcome, "AUTH-VAL005") in by_path


def test_licence_area_added_and_used_in_the_same_change(scenario: Scenario) -> None:
    def widen(body: dict) -> None:
        body["licence_areas"] = [*body["licence_areas"], "NGED_EMID"]

    scenario.sign("registry/party/U/UKPN.yaml", "FMAR", change=widen)
    b = scenario.builder
    application = b.apply(b.registry.units["MU-FENLAND-000003"], "UKPN-SU", PR_AT, up=200.0)
    rel = rel_of("application", application.id)
    assert "AUTH-VAL005" in scenario.codes(path=rel)


# --- the trust anchor -----------------------------------------------------------------------


def test_operator_keys_changed_by_a_non_operator(scenario: Scenario) -> None:
    def add(body: dict) -> None:
        body["keys"].append({"id": "evil", "public_key": public_key_line(key("UKPN")), "valid_from": iso(PR_AT)})

    scenario.sign("registry-trust.yaml", "UKPN", change=add)
    assert "AUTH-VAL007" in scenario.codes(path="registry-trust.yaml")


def test_anchor_signed_with_a_key_it_adds(scenario: Scenario) -> None:
    new_key = example_key("FMAR", "attacker")

    def replace_keys(body: dict) -> None:
        body["keys"] = [{"id": "fmar-9", "public_key": public_key_line(new_key), "valid_from": iso(BASE_AT)}]

    scenario.sign("registry-trust.yaml", "FMAR", change=replace_keys, with_key=new_key)
    scenario.sign("registry/party/F/FMAR.yaml", "FMAR", change=replace_keys, with_key=new_key)
    assert "AUTH-VAL007" in scenario.codes(path="registry-trust.yaml")


def test_operator_party_keys_changed_without_the_anchor(scenario: Scenario) -> None:
    def add(body: dict) -> None:
        body["keys"].append(
            {"id": "fmar-2", "public_key": public_key_line(example_key("FMAR", "bundled", 2)), "valid_from": iso(PR_AT)}
        )

    scenario.sign("registry/party/F/FMAR.yaml", "FMAR", change=add)
    assert "AUTH-VAL008" in scenario.codes(path="registry/party/F/FMAR.yaml")


def test_deleting_the_trust_anchor(scenario: Scenario) -> None:
    scenario.path("registry-trust.yaml").unlink()
    assert "AUTH-VAL007" in scenario.codes(path="registry-trust.yaml")


# --- history is append-only -----------------------------------------------------------------


def test_editing_a_merged_outcome(scenario: Scenario) -> None:
    def extend(body: dict) -> None:
        body["capacity_up_kw"] = 1400.0

    scenario.sign(OUTCOME, "UKPN", change=extend)
    assert "GATE-VAL001" in scenario.codes(path=OUTCOME)


def test_deleting_a_merged_outcome(scenario: Scenario) -> None:
    scenario.path(OUTCOME).unlink()
    assert "GATE-VAL002" in scenario.codes(path=OUTCOME)


def test_deleting_an_application(scenario: Scenario) -> None:
    scenario.path(APPLICATION).unlink()
    assert "GATE-VAL002" in scenario.codes(path=APPLICATION)


def test_deleting_a_unit(scenario: Scenario) -> None:
    scenario.path("registry/market_unit/KESTREL/000xxx/MU-KESTREL-000004.yaml").unlink()
    assert "GATE-VAL007" in scenario.codes(path="registry/market_unit/KESTREL/000xxx/MU-KESTREL-000004.yaml")


def test_renaming_a_record(scenario: Scenario) -> None:
    target = rel_of("event", "EVT-2026-ZZZZZZZZ")  # the new name's own path: only the rename is wrong
    scenario.path(target).parent.mkdir(parents=True)
    shutil.move(scenario.path("registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml"), scenario.path(target))
    assert "GATE-VAL003" in scenario.codes(path=target)


def test_reusing_a_deleted_id(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    scenario.merge_to_main("acknowledged", when=PR_AT + timedelta(hours=1))
    scenario.path(rel).unlink()
    scenario.merge_to_main("maintainer removed it", when=PR_AT + timedelta(hours=2))
    scenario.write_reused_event(rel)
    assert "GATE-VAL004" in scenario.codes(PR_AT + timedelta(hours=4), path=rel)


def test_adding_an_id_that_main_already_has(scenario: Scenario) -> None:
    rel = scenario.acknowledge()
    scenario.repo.commit_all("pr adds the event", when=PR_AT + timedelta(minutes=30))
    scenario.repo.git("checkout", "-q", "main")
    scenario.repo.git("checkout", "-q", "pr", "--", rel)
    scenario.repo.commit_all("someone else merged the same id", when=PR_AT + timedelta(minutes=40))
    scenario.repo.git("checkout", "-q", "pr")
    assert "GATE-VAL004" in scenario.codes(path=rel)


# --- layout and mixed changes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "outside",
    ["docs/registry/outcome/OUT-2026-AAAAAAAA.yaml", f"docs/{rel_of('outcome', 'OUT-2026-AAAAAAAA')}", "outcome.yaml"],
)
def test_record_outside_registry(scenario: Scenario, outside: str) -> None:
    data = scenario.data(OUTCOME)
    scenario.write(outside, data)
    assert "GATE-VAL006" in scenario.codes(path=outside)


def test_mixed_data_and_code_change(scenario: Scenario) -> None:
    scenario.acknowledge()
    scenario.path("src").mkdir()
    scenario.path("src/rules.py").write_text("ALLOW_EVERYTHING = True\n", encoding="utf-8")
    assert "GATE-VAL005" in scenario.codes(path="src/rules.py")


def test_misplaced_file_in_the_registry(scenario: Scenario) -> None:
    rel = "registry/outcome/decision.yaml"
    scenario.write(rel, scenario.data(OUTCOME))
    assert "REG-VAL004" in scenario.codes(path=rel)


@pytest.mark.parametrize("where", ["the flat layout's path", "another record's folder"])
def test_new_record_at_a_wrong_path(scenario: Scenario, where: str) -> None:
    """A new record, validly signed, is refused anywhere but its own path (``record_paths.path_of``)."""
    rel = scenario.acknowledge()
    record_id = rel.rsplit("/", 1)[1].removesuffix(".yaml")
    if where == "the flat layout's path":
        wrong = f"registry/{flat_path('event', record_id)}"
    else:
        wrong = f"registry/{folder_of('event', 'EVT-2026-ZZZZZZZZ')}/{record_id}.yaml"
    assert wrong != rel
    scenario.path(wrong).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(scenario.path(rel), scenario.path(wrong))
    assert "REG-VAL010" in scenario.codes(path=wrong)


# --- the core rules judge the changed records -----------------------------------------------


def test_core_rules_apply_to_changed_records(scenario: Scenario) -> None:
    b = scenario.builder
    application = b.apply(b.registry.units["MU-KESTREL-000004"], "SPEN-PR", PR_AT, up=5000.0)
    rel = rel_of("application", application.id)
    assert "APP-VAL004" in scenario.codes(path=rel)


def test_lifecycle_of_a_changed_record_uses_its_history(scenario: Scenario) -> None:
    b = scenario.builder
    # APP-2024-T55DTE65 failed: it cannot be suspended
    b.event(b.registry.applications["APP-2024-T55DTE65"], "suspended", PR_AT, reason="Late.")
    assert "LIFE-VAL001" in scenario.codes()


def test_second_open_application_is_found_in_the_base(scenario: Scenario) -> None:
    b = scenario.builder
    b.apply(b.registry.units["MU-KESTREL-000001"], "ENWL-SU", PR_AT, up=900.0)
    assert "APP-VAL003" in scenario.codes()
