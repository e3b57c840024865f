"""Service-level arithmetic: percentiles and clocks on recorded times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fmar.core.workflow.service_levels import clock, percentile
from fmar.validation.pipeline import Pipeline


def test_percentile_interpolates_like_a_spreadsheet() -> None:
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.1
    assert percentile([10.0, 0.0], 0.5) == 5.0


def test_clocks_run_on_recorded_times_not_on_signing_times(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry).load()
    application = registry.applications["APP-2026-XNHPJ1N3"]  # pending with NESO
    signed = application.signature.signed_at
    as_of = signed + timedelta(days=30)
    on_signing = clock(registry, application, as_of)
    assert on_signing is not None and on_signing.waiting_for == "acknowledge"
    registry.recorded_at[application.id] = signed + timedelta(days=10)  # merged ten days after signing
    on_record = clock(registry, application, as_of)
    assert on_record is not None
    assert on_record.due_at == on_signing.due_at + timedelta(days=10)  # type: ignore[operator]
    assert round(on_record.age_days) == 20
    late = clock(registry, application, signed + timedelta(days=200))
    assert late is not None and late.overdue and late.overdue_days > 0
    assert datetime(2020, 1, 1, tzinfo=UTC) < late.submitted_at
