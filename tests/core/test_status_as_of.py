"""Status as of a past moment uses only what the registry knew then."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fmar.status import Status, unit_statuses
from fmar.validate import Pipeline


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
