"""Model-based test of the lifecycle: random outcomes, events, corrections and time jumps on real signed records.

An independent, deliberately simple model of the rules says what the state, the refused records
and the status should be; ``lifecycle.replay``, the registry rules and ``status.application_status``
must agree with it at every step and at every moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from tests.conftest import BUNDLED_REGISTRY

from fmar.core.lifecycle import replay
from fmar.core.model import MarketUnit
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.core.status import application_status
from fmar.generate import bundled
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.validation.pipeline import Pipeline
from fmar.writing.writer import record_data

UNIT, PRODUCT = "MU-KESTREL-000004", "SPEN-OU"
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)

OPEN = {"pending", "under_assessment", "information_requested"}
QUALIFIED = {"qualified", "conditionally_qualified"}
#: event type -> (states it may follow, state it leads to; None: back to the qualified state)
ALLOWED = {
    "acknowledged": ({"pending"}, "under_assessment"),
    "information_requested": ({"pending", "under_assessment"}, "information_requested"),
    "information_supplied": ({"information_requested"}, "under_assessment"),
    "withdrawn": (OPEN | QUALIFIED | {"suspended"}, "withdrawn"),
    "suspended": (QUALIFIED, "suspended"),
    "reinstated": ({"suspended"}, None),
    "revoked": (QUALIFIED | {"suspended"}, "revoked"),
}
REASONS = {"withdrawn": "Site sold.", "suspended": "Dispatch not met.", "revoked": "Audit failed."}


@cache
def _reference() -> Registry:
    """Parties, products, the catalogue and units of the bundled registry, without its applications."""
    registry, _ = Pipeline(BUNDLED_REGISTRY.parent, BUNDLED_REGISTRY, use_cache=False).load()
    return registry


@cache
def _key(party: str):
    return example_key(party, bundled.SEED)


@dataclass
class Entry:
    """What the model knows of one outcome or event."""

    id: str
    at: datetime
    what: str  # an outcome's result or an event's type
    outcome: bool
    valid_until: datetime | None = None
    respond_by: datetime | None = None
    supersedes: str | None = None


@dataclass
class Expected:
    state: str
    status: str
    refused: dict[str, str]


class Model:
    def __init__(self, submitted: datetime) -> None:
        self.submitted = submitted
        self.entries: list[Entry] = []
        self.unit_changed_at: datetime | None = None

    def at(self, as_of: datetime) -> Expected:
        known = sorted((e for e in self.entries if e.at <= as_of), key=lambda e: (e.at, e.id))
        correction = {e.supersedes: e for e in known if e.supersedes}
        state, qualified_state = "pending", "qualified"
        outcome: Entry | None = None
        request: Entry | None = None
        refused: dict[str, str] = {}
        for original in known:
            if original.supersedes:
                continue
            entry = original
            while entry.id in correction:
                entry = correction[entry.id]
            if entry.at < self.submitted or original.at < self.submitted:
                refused[entry.id] = "LIFE-VAL002"
                continue
            if state == "information_requested" and request and request.respond_by <= original.at:
                refused[entry.id] = "LIFE-VAL001"  # deemed withdrawn: nothing follows
                continue
            if entry.outcome:
                if state not in OPEN:
                    refused[entry.id] = "LIFE-VAL001"
                    continue
                state, outcome, request = entry.what, entry, None
                qualified_state = state if state in QUALIFIED else qualified_state
                continue
            follows, leads_to = ALLOWED[entry.what]
            if state not in follows:
                refused[entry.id] = "LIFE-VAL001"
                continue
            state = leads_to or qualified_state
            request = entry if entry.what == "information_requested" else None
        status = state
        if state == "information_requested" and request and request.respond_by and request.respond_by <= as_of:
            status = "deemed_withdrawn"
        elif outcome and state in QUALIFIED | {"suspended"} and outcome.valid_until and outcome.valid_until <= as_of:
            status = "expired"
        elif state in QUALIFIED and self.unit_changed_at is not None and self.unit_changed_at <= as_of:
            status = "reassessment_required"
        return Expected(state, status, refused)


class LifecycleMachine(RuleBasedStateMachine):
    @initialize()
    def apply(self) -> None:
        reference = _reference()
        self.builder = Builder(Path("unused"), _key, random.Random(7), registry_id="fmar-gb", write_files=False)
        for record in reference.records():
            if record.KIND in ("party", "product", "process", "market_unit"):
                self.builder.registry.add(record)
        self.clock = START
        unit = self.builder.registry.units[UNIT]
        self.application = self.builder.apply(unit, PRODUCT, self.clock, up=500.0)
        self.model = Model(self.clock)

    def _next(self) -> datetime:
        self.clock += timedelta(hours=1)
        return self.clock

    @rule(
        hours=st.one_of(st.sampled_from([1, 24 * 27, 24 * 29, 24 * 31, 24 * 399, 24 * 401]), st.integers(1, 24 * 800))
    )
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)

    @precondition(lambda self: self.model.at(FAR).status == "deemed_withdrawn")
    @rule(hours=st.sampled_from([0, 1, 24 * 30]))
    def deadline_passes(self, hours: int) -> None:
        """Step past the open information request's deadline (random jumps rarely land just there)."""
        deadline = max(e.respond_by for e in self.model.entries if e.respond_by)
        self.clock = max(self.clock, deadline + timedelta(hours=hours))

    @rule(result=st.sampled_from(["qualified", "conditionally_qualified", "failed"]), days=st.sampled_from([30, 400]))
    def decide(self, result: str, days: int) -> None:
        self._decide(result, days, None)

    def _decide(self, result: str, days: int, supersedes: str | None) -> None:
        at = self._next()
        outcome = self.builder.decide(
            self.application,
            result,
            at,
            days=days,
            conditions=["Export limited to 400 kW."] if result == "conditionally_qualified" else None,
            reasons=["OTHER"] if result == "failed" else None,
            supersedes=supersedes,
        )
        self.model.entries.append(Entry(outcome.id, at, result, True, outcome.valid_until, supersedes=supersedes))

    @precondition(lambda self: any(e.outcome and not self._superseded(e.id) for e in self.model.entries))
    @rule(data=st.data(), result=st.sampled_from(["qualified", "conditionally_qualified", "failed"]))
    def correct_an_outcome(self, data: st.DataObject, result: str) -> None:
        candidates = [e.id for e in self.model.entries if e.outcome and not self._superseded(e.id)]
        self._decide(result, 400, data.draw(st.sampled_from(candidates)))

    def _superseded(self, record_id: str) -> bool:
        return any(e.supersedes == record_id for e in self.model.entries)

    @rule(event_type=st.sampled_from(sorted(ALLOWED)), backdated=st.sampled_from([False, False, False, False, True]))
    def event(self, event_type: str, backdated: bool) -> None:
        at = self.model.submitted - timedelta(hours=len(self.model.entries) + 1) if backdated else self._next()
        respond_by = at + timedelta(days=28) if event_type == "information_requested" else None
        record = self.builder.event(
            self.application, event_type, at, reason=REASONS.get(event_type), respond_by=respond_by
        )
        self.model.entries.append(Entry(record.id, at, event_type, False, respond_by=respond_by))

    @rule(data=st.data())
    def allowed_event(self, data: st.DataObject) -> None:
        """An event the model allows now: random sequences alone rarely get deep into the lifecycle."""
        state = self.model.at(FAR).state
        allowed = sorted(kind for kind, (follows, _) in ALLOWED.items() if state in follows)
        if allowed:
            self.event(data.draw(st.sampled_from(allowed)), backdated=False)

    @precondition(lambda self: self.model.unit_changed_at is None)
    @rule()
    def add_a_battery_to_the_unit(self) -> None:
        unit = self.builder.registry.units[UNIT]
        fields = record_data(unit)
        fields["composition"]["export_capacity_kw"] = 500.0
        fields["composition"]["assets"].append({"category": "BESS", "count": 1, "capacity_kw": 500.0})
        at = self._next()
        changed = self.builder.unit(fields, at)
        assert isinstance(changed, MarketUnit)
        self.model.unit_changed_at = at

    def _registry(self) -> Registry:
        return Registry.of(("", record) for record in self.builder.registry.records())

    @invariant()
    def replay_agrees_with_the_model(self) -> None:
        registry = self._registry()
        expected = self.model.at(FAR)
        run = replay(registry.answers.get(self.application.id, []), self.application.signature.signed_at)
        assert run.state.value == expected.state
        assert {item.id: rule.code for item, rule, _ in run.refused} == expected.refused

    @invariant()
    def registry_rules_report_refused_records(self) -> None:
        registry = self._registry()
        life = {
            (record.id, problem.code)
            for record, problem in check_registry(registry)
            if problem.code.startswith("LIFE-")
        }
        assert life == set(self.model.at(FAR).refused.items())

    @invariant()
    def status_agrees_with_the_model_at_every_moment(self) -> None:
        registry = self._registry()
        moments = sorted({self.model.submitted, *(e.at for e in self.model.entries), self.clock})
        probes = [*moments, *(m + timedelta(minutes=30) for m in moments)]
        tail = [self.clock + timedelta(days=d) for d in (1, 29, 31, 401, 3000)]
        for as_of in [*probes, *tail]:
            if as_of < self.model.submitted:
                continue
            got = application_status(registry, self.application, as_of).status.value
            assert got == self.model.at(as_of).status, as_of
        # Deemed withdrawal is final whatever is recorded later; with no further records, expiry is too.
        timeline = [application_status(registry, self.application, t).status.value for t in sorted(probes)]
        if "deemed_withdrawn" in timeline:
            assert set(timeline[timeline.index("deemed_withdrawn") :]) == {"deemed_withdrawn"}
        after = [application_status(registry, self.application, t).status.value for t in tail]
        if "expired" in after:
            assert set(after[after.index("expired") :]) == {"expired"}


LifecycleMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_lifecycle = LifecycleMachine.TestCase
