"""Status as of a past moment uses only what the registry knew then, and a deemed withdrawal is final."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fmar.core.model import Event
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.core.status import Status, application_status, next_change, unit_statuses
from fmar.generate import bundled
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.validation.pipeline import Pipeline


def test_a_later_material_change_does_not_reach_back_in_time(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    unit = registry.units["MU-FENLAND-000003"]  # qualified mid-2024; a battery added in 2026
    changed = unit.signature.signed_at

    def status_at(moment: datetime) -> Status:
        [(current, _)] = unit_statuses(registry, unit.id, moment)
        return current.status

    assert status_at(datetime(2025, 1, 1, tzinfo=UTC)) is Status.QUALIFIED
    assert status_at(changed) is Status.REASSESSMENT_REQUIRED
    assert status_at(datetime(2026, 12, 1, tzinfo=UTC)) is Status.REASSESSMENT_REQUIRED


def test_information_supplied_after_the_deadline_does_not_revive_a_deemed_withdrawal(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    [application] = registry.applications_by_unit["MU-HEATSHIFT-000001"]  # deemed withdrawn in the scenario
    [request] = [item for item in registry.answers[application.id] if isinstance(item, Event)]
    assert request.respond_by is not None
    late = request.respond_by + timedelta(days=3)
    builder = Builder(
        Path("unused"),
        lambda party: example_key(party, bundled.SEED),
        random.Random(1),
        registry_id=bundled.IDENTITY,
        write_files=False,
    )
    builder.registry = registry
    supplied = builder.event(application, "information_supplied", late)
    fresh = Registry.of(("", record) for record in registry.records())

    refused = [(record.id, problem.code) for record, problem in check_registry(fresh) if record.id == supplied.id]
    assert refused == [(supplied.id, "LIFE-VAL001")]
    for moment in (request.respond_by, late, late + timedelta(days=400)):
        assert application_status(fresh, application, moment).status is Status.DEEMED_WITHDRAWN


def test_statuses_hold_from_one_next_change_to_the_next(bundled_registry: Path) -> None:
    """Between ``as_of`` and ``next_change`` (exclusive) a unit's statuses do not change, and they
    do change at some of those moments: the build re-derives a unit only when that moment passes."""
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    rng = random.Random(7)
    changed_at_a_next_change = 0
    for unit in sorted(registry.units):
        moment: datetime | None = datetime(2015, 1, 1, tzinfo=UTC)
        steps = 0
        while moment is not None:
            upcoming = next_change(registry, unit, moment)
            here = unit_statuses(registry, unit, moment)
            probes = [moment + timedelta(seconds=rng.uniform(0, 1e7))]
            if upcoming is not None:
                gap = (upcoming - moment).total_seconds()
                probes = [moment + timedelta(seconds=rng.uniform(0, gap)) for _ in range(3)]
                probes.append(upcoming - timedelta(microseconds=1))
                changed_at_a_next_change += unit_statuses(registry, unit, upcoming) != here
            for probe in probes:
                assert probe >= moment
                assert unit_statuses(registry, unit, probe) == here, (unit, moment, probe, upcoming)
            moment = upcoming
            steps += 1
            assert steps < 200
    assert changed_at_a_next_change >= len(registry.units)
