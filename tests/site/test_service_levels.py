"""The SO pages' service levels are the ones `fmar sla` reports: same clocks, same counts."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path

from fmar.core.workflow import service_levels
from fmar.publish.derive import Derived
from fmar.publish.facts import unit_facts
from fmar.publish.inputs import signing_history
from fmar.publish.ledger import ChangeLedger
from fmar.publish.overview import Overview
from fmar.validation.pipeline import Pipeline

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def test_site_service_levels_agree_with_fmar_sla(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    derived = Derived.of(registry, AS_OF, signing_history(registry))
    overview = Overview(
        AS_OF,
        None,
        registry.parties,
        registry.products,
        registry.processes,
        {unit: unit_facts(derived, unit) for unit in registry.units},
        ChangeLedger(),
    )
    checked = 0
    for so in sorted(p.id for p in registry.parties.values() if p.role.is_system_operator):
        level = overview.service_level(so)
        reported = service_levels.summaries(registry, AS_OF, so)
        decided = sum(s.decided for s in reported)
        assert level.decided == decided
        assert level.open == sum(s.open for s in reported)
        if decided:
            within = sum(round((s.within_target or 0) * s.decided) for s in reported)
            assert level.decision_within_target == round(100 * within / decided, 1)
            durations = [
                service_levels.days_between(c.submitted_at, c.started_at)
                for a in registry.applications.values()
                if a.so == so and (c := service_levels.clock(registry, a, AS_OF)) and c.waiting_for == "decided"
            ]
            assert level.median_decision_days == round(statistics.median(durations), 1)
            checked += 1
    assert checked >= 2
