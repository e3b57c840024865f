"""The gate's clock is its own (issue 13, class 1): times are judged at the time of the check.

Commit and author dates are the submitter's to set (GIT_COMMITTER_DATE, GIT_AUTHOR_DATE), so
they never decide: a thief with a revoked key backdating both the signature and the commit is
refused, and so is a future signing time hidden behind a future commit date. The times a new
record states are bounded by its signing time, by the records it refers to and by the check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from trust_scenario import BASE_AT, PR_AT, Scenario, rel_of

from fmar.signing.records import iso
from fmar.trust.gate import check
from fmar.trust.signatures import CLOCK_SKEW

#: The time of the check in these tests: an hour after the change was signed.
NOW = PR_AT + timedelta(hours=1)
REVOKED_AT = PR_AT - timedelta(days=1)


def _codes(scenario: Scenario, path: str | None = None, **kwargs: Any) -> set[str]:
    return {f.code for f in scenario.check(**kwargs).findings if path is None or f.path == path}


def _revoke_neso(scenario: Scenario, at: datetime = REVOKED_AT) -> None:
    def change(body: dict) -> None:
        body["keys"][0].update({"revoked_at": iso(at), "revocation_reason": "Laptop stolen."})

    scenario.sign("registry/party/N/NESO.yaml", "FMAR", change=change, at=BASE_AT + timedelta(hours=1))
    scenario.merge_to_main("operator revokes a NESO key", when=BASE_AT + timedelta(hours=2))


def _acknowledge(scenario: Scenario, at: datetime) -> str:
    b = scenario.builder
    record = b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", at)
    return rel_of("event", record.id)


# --- the signing time against the clock of the check ----------------------------------------

_BACKDATED = REVOKED_AT - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("committed", "authored"),
    [
        (_BACKDATED + timedelta(seconds=30), None),  # both dates backdated
        (_BACKDATED + timedelta(seconds=30), NOW),  # committer date backdated, author date true
        (NOW, _BACKDATED + timedelta(seconds=30)),  # author date backdated, committer date true
        ((_BACKDATED + timedelta(seconds=30)).astimezone(timezone(timedelta(hours=-11))), None),  # far offset
        ((_BACKDATED + timedelta(seconds=30)).astimezone(timezone(timedelta(hours=14))), None),
    ],
)
def test_a_revoked_key_signs_nothing_new_whatever_the_dates_claim(
    scenario: Scenario, committed: datetime, authored: datetime | None
) -> None:
    _revoke_neso(scenario)
    rel = _acknowledge(scenario, at=_BACKDATED)  # "one minute before the revocation"
    result = scenario.check(committed, now=NOW, author_when=authored)
    found = [f for f in result.findings if f.path == rel]
    assert {f.code for f in found} == {"SIG-VAL006"}
    assert "whatever signed_at states" in found[0].message


def test_a_revocation_still_ahead_at_the_check_does_not_refuse(scenario: Scenario) -> None:
    _revoke_neso(scenario, at=NOW + timedelta(days=1))
    rel = _acknowledge(scenario, at=PR_AT)
    assert _codes(scenario, rel, now=NOW) == set()


def test_records_merged_before_the_revocation_stay_valid(scenario: Scenario) -> None:
    rel = _acknowledge(scenario, at=PR_AT - timedelta(days=3))
    scenario.merge_to_main("NESO acknowledges", when=PR_AT - timedelta(days=3))
    _revoke_neso(scenario)
    b = scenario.builder
    b.event(
        b.registry.applications["APP-2026-7YBPPNN8"],
        "information_requested",
        PR_AT,
        respond_by=NOW + timedelta(days=20),
    )
    result = scenario.check(now=NOW)
    assert result.findings == []
    assert rel not in {f.path for f in result.findings}


@pytest.mark.parametrize("offset", [UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))])
def test_a_future_signing_time_behind_a_future_commit_date_is_refused(scenario: Scenario, offset: timezone) -> None:
    future = NOW + timedelta(days=3)
    rel = _acknowledge(scenario, at=future)
    assert _codes(scenario, rel, when=(future + timedelta(minutes=5)).astimezone(offset), now=NOW) == {"SIG-VAL012"}


def test_the_clock_skew_tolerance(scenario: Scenario) -> None:
    assert timedelta(minutes=5) == CLOCK_SKEW
    rel = _acknowledge(scenario, at=NOW + CLOCK_SKEW - timedelta(seconds=30))
    assert _codes(scenario, rel, now=NOW) == set()
    assert _codes(scenario, rel, when=NOW, now=NOW - timedelta(minutes=1)) == {"SIG-VAL012"}


def test_the_signing_age_is_measured_at_the_check_not_at_the_commit(scenario: Scenario) -> None:
    signed = NOW - timedelta(days=31)
    rel = _acknowledge(scenario, at=signed)
    assert "SIG-VAL013" in _codes(scenario, rel, when=signed + timedelta(hours=1), now=NOW)
    assert "SIG-VAL013" not in _codes(scenario, rel, when=NOW, now=signed + timedelta(days=29))


def test_the_check_time_needs_a_time_zone(scenario: Scenario) -> None:
    scenario.repo.commit_all("nothing", when=NOW)
    with pytest.raises(ValueError, match="time zone"):
        check(scenario.root, "main", "pr", now=NOW.replace(tzinfo=None))


# --- the times a new record states ----------------------------------------------------------


def test_an_event_effective_after_its_signing_is_refused(scenario: Scenario) -> None:
    rel = _acknowledge(scenario, at=PR_AT)
    scenario.sign(rel, "NESO", at=PR_AT, change=lambda body: body.update(effective_at=iso(PR_AT + timedelta(hours=2))))
    assert _codes(scenario, rel, when=PR_AT + timedelta(hours=3), now=PR_AT + timedelta(hours=3)) == {"GATE-VAL012"}


def test_an_outcome_decided_after_its_signing_is_refused(scenario: Scenario) -> None:
    b = scenario.builder
    outcome = b.decide(b.registry.applications["APP-2026-7YBPPNN8"], "qualified", PR_AT, days=365)
    rel = rel_of("outcome", outcome.id)
    scenario.sign(rel, "ENWL", at=PR_AT - timedelta(days=1))
    assert "GATE-VAL012" in _codes(scenario, rel, now=NOW)


def test_an_outcome_decided_before_its_application_is_refused(scenario: Scenario) -> None:
    b = scenario.builder
    app = b.registry.applications["APP-2026-7YBPPNN8"]  # signed 2026-10-04T10:00Z
    early = app.signature.signed_at - timedelta(days=2)
    outcome = b.decide(app, "qualified", PR_AT, days=365, valid_from=early)
    rel = rel_of("outcome", outcome.id)
    scenario.sign(rel, "ENWL", at=PR_AT, change=lambda body: body.update(decided_at=iso(early)))
    assert {"LIFE-VAL002", "GATE-VAL013"} <= _codes(scenario, rel, now=NOW)


def test_a_record_signed_before_its_application_is_refused(scenario: Scenario) -> None:
    b = scenario.builder
    app = b.registry.applications["APP-2026-XNHPJ1N3"]  # signed 2026-11-13T10:00Z
    record = b.event(app, "acknowledged", app.signature.signed_at - timedelta(hours=1))
    rel = rel_of("event", record.id)
    now = app.signature.signed_at + timedelta(hours=1)  # reproducing a verdict of that day
    assert "GATE-VAL013" in _codes(scenario, rel, when=now, now=now)


def test_a_correction_signed_before_what_it_corrects_is_refused(scenario: Scenario) -> None:
    b = scenario.builder
    app = b.registry.applications["APP-2026-7YBPPNN8"]
    first = b.decide(app, "qualified", PR_AT, days=365)
    scenario.merge_to_main("ENWL decides", when=PR_AT + timedelta(minutes=10))
    fix = b.decide(app, "qualified", PR_AT - timedelta(hours=1), days=300, supersedes=first.id)
    rel = rel_of("outcome", fix.id)
    assert "GATE-VAL013" in _codes(scenario, rel, now=NOW)


def test_an_information_request_whose_deadline_has_passed_is_refused(scenario: Scenario) -> None:
    b = scenario.builder
    app = b.registry.applications["APP-2026-7YBPPNN8"]
    record = b.event(app, "information_requested", PR_AT, respond_by=PR_AT + timedelta(minutes=30))
    rel = rel_of("event", record.id)
    assert _codes(scenario, rel, now=NOW) == {"GATE-VAL014"}
    assert _codes(scenario, rel, now=PR_AT + timedelta(minutes=20)) == set()
