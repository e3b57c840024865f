"""Importing an existing register: records that existed before the Git registry keep their original
times, on the registry operator's signed word, and only for records the import itself brings in.

Each scenario is a real repository (the bundled registry merged on main, a pull-request branch),
real signatures, and the gate and history as CI runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator
from tests.workflow.cli import KEYS, fmar
from trust_scenario import PR_AT, Scenario, key, rel_of

from fmar.core.model import Application, MarketUnit, Outcome
from fmar.core.reference import LicenceArea
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.core.schemas import file_name
from fmar.core.status import Status, application_status
from fmar.core.workflow import forms, service_levels
from fmar.core.workflow.reports import period, report
from fmar.generate import bundled
from fmar.history.recorded import verified_with_history
from fmar.publish.build import build
from fmar.signing.records import iso, sign_data

#: When the earlier register recorded the unit, its application and the SO's decision.
UNIT_AT = datetime(2024, 2, 1, 10, 0, tzinfo=UTC)
APPLIED_AT = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
DECIDED_AT = datetime(2024, 4, 15, 14, 0, tzinfo=UTC)
ATTESTATION = "IMP-2026-001"
SOURCE = "ENWL flexibility register, extract of 2026-11-30"
MERGED_AT = PR_AT + timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[2]


def _records(scenario: Scenario) -> tuple[MarketUnit, Application, Outcome]:
    """A unit, its application and the SO's qualification from the earlier register, each signed anew
    by the party entitled to it (the decision keeps its original decision time)."""
    b = scenario.builder
    fields = bundled._unit(
        "MU-KESTREL-000091", "Imported cold store", LicenceArea.ENWL, [("BESS", 1, 900.0)], imp=900.0, exp=900.0
    )
    unit = b.unit(fields, PR_AT)
    application = b.apply(unit, "ENWL-SU", PR_AT, up=500.0)
    decision = forms.outcome_fields(
        application, "qualified", DECIDED_AT, capacity_up_kw=500.0, record_id=b.new_id("outcome", 2024)
    )
    outcome = b.add("outcome", decision, "ENWL", PR_AT)
    assert isinstance(outcome, Outcome)
    return unit, application, outcome


def _attest(scenario: Scenario, entries: list[tuple[str, datetime]], signer: str = "FMAR") -> str:
    data = {
        "schema_version": 1,
        "kind": "import_attestation",
        "id": ATTESTATION,
        "source": SOURCE,
        "records": [{"id": record_id, "recorded_at": iso(at)} for record_id, at in entries],
    }
    rel = rel_of("import_attestation", ATTESTATION)
    scenario.write(rel, sign_data(data, key(signer), signer, PR_AT, registry=scenario.identity))
    return rel


def _import(scenario: Scenario, signer: str = "FMAR") -> tuple[MarketUnit, Application, Outcome, str]:
    unit, application, outcome = _records(scenario)
    rel = _attest(scenario, [(unit.id, UNIT_AT), (application.id, APPLIED_AT), (outcome.id, DECIDED_AT)], signer)
    return unit, application, outcome, rel


def _findings(scenario: Scenario) -> list[tuple[str, str, str]]:
    return [(f.path, f.code, f.message) for f in scenario.check(MERGED_AT).findings]


def _merged(scenario: Scenario) -> Registry:
    scenario.merge_to_main("import", when=MERGED_AT)
    return verified_with_history(scenario.root, scenario.root / "registry").registry


def test_the_operators_import_with_its_records_passes_the_gate(scenario: Scenario) -> None:
    *_, rel = _import(scenario)
    assert _findings(scenario) == []
    schema = json.loads((ROOT / "schemas" / file_name("import_attestation")).read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(scenario.data(rel))


def test_a_merged_import_counts_from_the_attested_times_everywhere_but_its_commit(
    scenario: Scenario, tmp_path: Path
) -> None:
    unit, application, outcome, _ = _import(scenario)
    registry = _merged(scenario)
    imported = {unit.id, application.id, outcome.id, ATTESTATION}
    assert [hit[1].rule.code for hit in check_registry(registry) if hit[0].id in imported] == []
    # Git still says when the records came in; the clocks count from the earlier register's times.
    assert registry.recorded_at[application.id] == MERGED_AT
    assert registry.submitted_at(application) == APPLIED_AT and registry.submitted_at(outcome) == DECIDED_AT
    assert application_status(registry, application, datetime(2024, 3, 20, tzinfo=UTC)).status is Status.PENDING
    assert application_status(registry, application, datetime(2024, 5, 1, tzinfo=UTC)).status is Status.QUALIFIED
    fact = service_levels.service_fact(registry, application, MERGED_AT)
    assert fact is not None and fact.decision is not None
    assert round(fact.decision[0], 2) == round((DECIDED_AT - APPLIED_AT).total_seconds() / 86400, 2)
    rows = {(r.so, r.product): r for r in report(registry, period("2024-Q1"))}
    assert rows[("ENWL", "ENWL-SU")].received == 1 and rows[("ENWL", "ENWL-SU")].open_at_end == 1
    rows = {(r.so, r.product): r for r in report(registry, period("2024-Q2"))}
    assert rows[("ENWL", "ENWL-SU")].decided == 1
    shown = fmar(scenario.root, "status", unit.id)
    assert shown.exit_code == 0 and f"in {SOURCE}, attested by FMAR ({ATTESTATION})" in shown.output, shown.output
    # The site says where the times come from: imported, attested by the operator.
    out = tmp_path / "site"
    build(scenario.root, scenario.root / "registry", out, MERGED_AT, jobs=1)
    page = (out / "units" / f"{unit.id}.html").read_text(encoding="utf-8")
    assert f"imported: first recorded 2024-03-04 09:00 GMT in {SOURCE}, attested by FMAR ({ATTESTATION})" in page
    assert "entered this registry 2026-12-10 11:00 GMT" in page
    document = (out / "api" / "v2" / "units" / f"{unit.id}.json").read_text(encoding="utf-8")
    assert f'"imported":{{"at":"2024-02-01T10:00:00Z","attestation":"{ATTESTATION}","attested_by":"FMAR"' in document
    assert document.count('"imported"') == 3, "the unit, its application and its outcome"


def test_an_attestation_not_signed_by_the_operator_is_refused(scenario: Scenario) -> None:
    *_, rel = _import(scenario, signer="KESTREL")
    assert (rel, "AUTH-VAL009") in {(path, code) for path, code, _ in _findings(scenario)}


def test_a_record_first_recorded_here_is_never_given_an_earlier_time(scenario: Scenario) -> None:
    merged = "APP-2026-XNHPJ1N3"  # on main since the base was merged
    _, application, _ = _records(scenario)
    rel = _attest(scenario, [(application.id, APPLIED_AT), (merged, datetime(2023, 1, 1, tzinfo=UTC))])
    found = [(code, message) for path, code, message in _findings(scenario) if path == rel]
    why = f"{merged} is already on the base branch: it was first recorded here, and keeps that time"
    assert ("GATE-VAL018", why) in found


def test_a_merged_attestation_is_never_changed(scenario: Scenario) -> None:
    *_, rel = _import(scenario)
    scenario.merge_to_main("import", when=MERGED_AT)

    def earlier(body: dict) -> None:  # type: ignore[type-arg]
        body["records"][1]["recorded_at"] = "2023-01-01T00:00:00Z"

    scenario.sign(rel, "FMAR", at=PR_AT + timedelta(days=1), change=earlier)
    codes = scenario.codes(PR_AT + timedelta(days=1, hours=1))
    assert "GATE-VAL001" in codes


def test_validate_refuses_an_attestation_committed_after_its_records(scenario: Scenario) -> None:
    """Committed past the gate (straight to main): the registry rules still see the record was first
    recorded here, by an earlier commit than the attestation's."""
    _, application, _ = _records(scenario)
    scenario.merge_to_main("records", when=MERGED_AT)
    _attest(scenario, [(application.id, APPLIED_AT)])
    registry = _merged_later(scenario)
    codes = {(hit[0].id, hit[1].rule.code) for hit in check_registry(registry)}
    assert (ATTESTATION, "IMP-VAL004") in codes


def _merged_later(scenario: Scenario) -> Registry:
    scenario.merge_to_main("attestation", when=MERGED_AT + timedelta(days=1))
    return verified_with_history(scenario.root, scenario.root / "registry").registry


def test_the_registry_rules_of_attestations(scenario: Scenario) -> None:
    unit, application, outcome = _records(scenario)
    future = PR_AT + timedelta(days=3)
    _attest(
        scenario,
        [
            (application.id, APPLIED_AT),
            (outcome.id, datetime(2024, 1, 1, tzinfo=UTC)),  # before its application: out of order
            ("APP-2024-ZZZZZZZZ", APPLIED_AT),  # not in the registry
            (unit.id, future),  # after the attestation was signed
        ],
    )
    registry = _merged(scenario)
    found = {hit[1].rule.code: hit[1] for hit in check_registry(registry) if hit[0].id == ATTESTATION}
    assert {"IMP-VAL001", "IMP-VAL003", "IMP-VAL005"} <= set(found), found
    assert found["IMP-VAL001"].location == ("records", 2, "id")
    assert found["IMP-VAL003"].location == ("records", 3, "recorded_at")


def test_fmar_attest_import_writes_the_operators_attestation_or_names_each_bad_cell(
    scenario: Scenario, tmp_path: Path
) -> None:
    unit, application, outcome = _records(scenario)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,recorded_at\n{application.id},2024-03-04 09:00\n{unit.id},2024-02-01T10:00:00Z\n{unit.id},x\n")
    operator_key = KEYS / "FMAR.key"
    asked = ("attest-import", ATTESTATION, "--register", SOURCE, "--key", operator_key, "--at", iso(PR_AT))
    refused = fmar(scenario.root, *asked, "--from", bad)
    assert refused.exit_code == 1
    not_a_time = "error WF-VAL004 '2024-03-04 09:00' is not a time with an offset"
    assert f"{bad}:2: column recorded_at: {not_a_time}" in refused.stderr
    assert f"{bad}:4: column id: error WF-VAL004 {unit.id} is listed already, on line 3" in refused.stderr
    assert not scenario.path(rel_of("import_attestation", ATTESTATION)).exists(), "nothing written"
    good = tmp_path / "times.csv"
    good.write_text(
        f"id,recorded_at\n{unit.id},{iso(UNIT_AT)}\n{application.id},{iso(APPLIED_AT)}\n{outcome.id},{iso(DECIDED_AT)}\n"
    )
    written = fmar(scenario.root, *asked, "--from", good)
    assert written.exit_code == 0, written.output
    assert f"wrote {rel_of('import_attestation', ATTESTATION)}: 3 record(s) of {SOURCE}" in written.output
    data = scenario.data(rel_of("import_attestation", ATTESTATION))
    assert data["signature"]["signer"] == "FMAR" and data["records"][1] == {
        "id": application.id,
        "recorded_at": "2024-03-04T09:00:00Z",
    }
    assert _findings(scenario) == []
