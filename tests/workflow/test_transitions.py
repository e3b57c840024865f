"""The status-transition log and what time alone tells the parties, on a year of the demo replayed
into a real Git repository (real signatures, commits dated through the year).

The log is checked against statuses recomputed day by day, and the notices of windows that meet
end to end against those of the whole period.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from tests.workflow.cli import fmar

from fmar.core.registry import Registry
from fmar.core.status import Status, application_status
from fmar.core.workflow import service_levels, transitions
from fmar.core.workflow.reminders import time_notices
from fmar.generate.demo import END, START

#: Far enough past the demo's year for its qualifications to expire.
UNTIL = END + timedelta(days=3 * 365)


@pytest.fixture
def demo(demo_year: tuple[Path, Registry]) -> tuple[Path, Registry]:
    return demo_year


def _days(start: datetime, end: datetime) -> list[datetime]:
    """Every day's noon from ``start`` to ``end``, and the last second of each day: the moments checked."""
    moments = []
    day = start.replace(hour=12, minute=0, second=0, microsecond=0)
    while day <= end:
        moments += [day, day + timedelta(hours=11, minutes=59, seconds=59)]
        day += timedelta(days=1)
    return moments


def test_the_log_agrees_with_the_statuses_recomputed_day_by_day(demo: tuple[Path, Registry]) -> None:
    _, registry = demo
    log = list(transitions.registry_transitions(registry, UNTIL))
    assert {t.rule for t in log} == set(transitions.RULES) - {transitions.MATERIAL_CHANGE}, "the demo has every rule"
    by_application: dict[str, list[transitions.Transition]] = {}
    for t in log:
        by_application.setdefault(t.application, []).append(t)
    checked = 0
    for application in registry.applications.values():
        moves = [t for t in by_application[application.id] if t.before is not t.after]
        assert moves[0].before is None and moves[0].at == registry.submitted_at(application)
        assert all(a.after is b.before for a, b in pairwise(moves)), "each starts where the last ended"
        for moment in _days(START, UNTIL):
            if moment < registry.submitted_at(application):
                continue
            logged = [t.after for t in moves if t.at <= moment][-1]
            assert application_status(registry, application, moment).status is logged, (application.id, moment)
            checked += 1
    assert checked > 40_000


def test_each_transition_names_its_instant_and_cause(demo: tuple[Path, Registry]) -> None:
    _, registry = demo
    for t in transitions.registry_transitions(registry, UNTIL):
        application = registry.applications[t.application]
        answers = {item.id: item for item in registry.answers.get(application.id, ())}
        if t.rule == transitions.RECORD:
            assert t.record == application.id or t.record in answers
            # A record's change takes effect when the registry recorded it (or later, when it says so).
            recorded = registry.submitted_at(answers[t.record]) if t.record in answers else None
            assert recorded is None or t.at >= recorded
        elif t.rule == transitions.VALIDITY_ENDED:
            assert t.after is Status.EXPIRED and t.at == answers[t.record].valid_until  # type: ignore[union-attr]
        elif t.rule == transitions.INFORMATION_NOT_SUPPLIED:
            assert t.after is Status.DEEMED_WITHDRAWN and t.at == answers[t.record].respond_by  # type: ignore[union-attr]
        else:  # a target missed: the status stays, and the clock was due then
            assert t.before is t.after and t.after in (Status.PENDING, Status.UNDER_ASSESSMENT)
            clock = service_levels.clock(registry, application, t.at)
            assert clock is not None and clock.due_at == t.at
            assert service_levels.clock(registry, application, t.at + timedelta(seconds=1)).overdue  # type: ignore[union-attr]


def test_the_next_change_of_a_unit_is_its_next_transition(demo: tuple[Path, Registry]) -> None:
    """Facts derived at one moment hold until ``next_change``: no transition may fall before it."""
    _, registry = demo
    for unit in sorted(registry.applications_by_unit)[:15]:
        log = list(transitions.unit_transitions(registry, unit, UNTIL))
        moment = START
        while (following := transitions.next_change(registry, unit, moment)) is not None:
            assert not [t for t in log if moment < t.at < following], (unit, moment, following)
            moment = following


def test_windows_that_meet_end_to_end_give_each_notice_once(demo: tuple[Path, Registry]) -> None:
    _, registry = demo
    whole = time_notices(registry, START, UNTIL)
    daily: list = []
    moment, lengths = START, iter(range(10**6))
    while moment < UNTIL:  # windows of 1 to 9 days and a few hours, as late runs of a daily schedule make
        following = min(moment + timedelta(days=1 + next(lengths) % 9, hours=next(lengths) % 5), UNTIL)
        daily += time_notices(registry, moment, following)
        moment = following
    key = lambda n: (n.recipient, n.at, n.record, n.topic)  # noqa: E731
    assert sorted(daily, key=key) == whole
    topics = Counter(n.topic for n in whole)
    assert topics["expiring_in_60_days"] and topics["expiring_in_30_days"] and topics["validity_ended"]
    assert topics["information_due_in_3_days"] and topics["information_not_supplied"]
    assert topics["decision_due_in_7_days"] and topics["decision_target_missed"]
    for notice in whole:
        application = registry.applications[notice.application or ""]
        if notice.topic.startswith("expiring_in_"):
            days = int(notice.topic.split("_")[2])
            (outcome,) = [i for i in registry.answers[application.id] if i.id == notice.record]
            assert notice.at + timedelta(days=days) == outcome.valid_until  # type: ignore[union-attr]
            assert application_status(registry, application, notice.at).status in (
                Status.QUALIFIED,
                Status.CONDITIONALLY_QUALIFIED,
                Status.SUSPENDED,
                Status.REASSESSMENT_REQUIRED,
            )
        if notice.topic == "information_due_in_3_days":
            assert application_status(registry, application, notice.at).status is Status.INFORMATION_REQUESTED
        if notice.topic == "decision_due_in_7_days":
            clock = service_levels.clock(registry, application, notice.at)
            assert clock is not None and clock.due_at == notice.at + timedelta(days=7)


def test_remind_writes_the_window_and_refuses_an_empty_one(demo: tuple[Path, Registry], tmp_path: Path) -> None:
    root, _ = demo
    out = tmp_path / "out"
    result = fmar(root, "remind", "--since", "2025-06-01", "--until", "2025-09-01", "--out", out)
    assert result.exit_code == 0, result.output
    assert f"written to {out.resolve()}" in result.output
    index = json.loads((out / "index.json").read_text())
    assert index["since"] == "2025-05-31T23:00:00Z" and index["until"] == "2025-09-01T22:59:59Z"  # London days
    assert index["recipients"]
    for entry in index["recipients"]:
        payload = json.loads((out / f"{entry['recipient']}.json").read_text())
        assert payload["range"] == {"since": index["since"], "until": index["until"]}
        assert len(payload["notifications"]) == entry["notifications"]
        for notice in payload["notifications"]:
            assert index["since"] < notice["at"] <= index["until"]
    again = fmar(root, "remind", "--since", "2025-06-01", "--until", "2025-09-01", "--out", tmp_path / "again")
    assert again.exit_code == 0
    for path in out.iterdir():
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), "the same window, the same bytes"
    refused = fmar(root, "remind", "--since", "2025-09-01", "--until", "2025-06-01", "--out", tmp_path / "none")
    assert refused.exit_code == 2 and "--since" in refused.output
    assert not (tmp_path / "none").exists()


def test_the_build_publishes_the_log_and_feeds_what_time_did(demo: tuple[Path, Registry], tmp_path: Path) -> None:
    from fmar.publish.build import build

    root, registry = demo
    site = tmp_path / "site"
    as_of = UNTIL
    build(root, root / "registry", site, as_of, jobs=1)
    rows = list(csv.DictReader(io.StringIO((site / "api/v2/transitions.csv").read_text())))
    expected = [transitions.transition_doc(t) for t in transitions.registry_transitions(registry, as_of)]
    assert rows == [{k: v or "" for k, v in d.items()} for d in expected]
    document = json.loads((site / "api/v2/transitions.json").read_text())
    assert document["transitions"] == expected
    feed = (site / "api/v2/feeds/all.atom").read_text()
    expired = [t for t in transitions.registry_transitions(registry, as_of) if t.rule == transitions.VALIDITY_ENDED]
    assert expired and f"transition/{expired[-1].application}/validity_ended/" in feed
