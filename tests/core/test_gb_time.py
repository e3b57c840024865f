"""Days of the GB market's local time (Europe/London) as UTC instants, across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fmar.core import gb_time

#: The clock changes around the demo's dates: back an hour on the last Sunday of October 2026,
#: forward an hour on the last Sunday of March 2027.
AUTUMN, SPRING = date(2026, 10, 25), date(2027, 3, 28)


def test_a_day_starts_at_london_midnight_and_ends_at_its_last_second() -> None:
    assert gb_time.day_start(date(2026, 12, 7)) == datetime(2026, 12, 7, tzinfo=UTC)  # GMT
    assert gb_time.day_end(date(2026, 12, 7)) == datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)
    assert gb_time.day_start(date(2026, 7, 7)) == datetime(2026, 7, 6, 23, tzinfo=UTC)  # BST
    assert gb_time.day_end(date(2026, 7, 7)) == datetime(2026, 7, 7, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(("day", "hours"), [(AUTUMN, 25), (SPRING, 23), (date(2026, 12, 7), 24)])
def test_the_clock_change_days_last_25_and_23_hours(day: date, hours: int) -> None:
    start, end = gb_time.day_start(day), gb_time.day_end(day)
    assert end - start == timedelta(hours=hours) - timedelta(seconds=1)
    assert gb_time.day_start(day + timedelta(days=1)) - end == timedelta(seconds=1)
    assert gb_time.local(start).hour == 0 and gb_time.local(end).time().isoformat() == "23:59:59"


def test_the_clock_change_days_in_utc() -> None:
    assert gb_time.day_start(AUTUMN) == datetime(2026, 10, 24, 23, tzinfo=UTC)  # 00:00 BST
    assert gb_time.day_end(AUTUMN) == datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)  # 23:59:59 GMT
    assert gb_time.day_start(SPRING) == datetime(2027, 3, 28, tzinfo=UTC)  # 00:00 GMT
    assert gb_time.day_end(SPRING) == datetime(2027, 3, 28, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST


def test_parse_reads_dates_as_london_days_and_bare_times_as_london_time() -> None:
    assert gb_time.parse("2026-07-07", end_of_day=False) == datetime(2026, 7, 6, 23, tzinfo=UTC)
    assert gb_time.parse("2026-07-07", end_of_day=True) == datetime(2026, 7, 7, 22, 59, 59, tzinfo=UTC)
    assert gb_time.parse("2026-07-07T09:30", end_of_day=True) == datetime(2026, 7, 7, 8, 30, tzinfo=UTC)
    assert gb_time.parse("2026-12-07T09:30", end_of_day=True) == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert gb_time.parse("2026-07-07T09:30Z", end_of_day=True) == datetime(2026, 7, 7, 9, 30, tzinfo=UTC)
    assert gb_time.parse("2026-07-07T09:30+02:00", end_of_day=False) == datetime(2026, 7, 7, 7, 30, tzinfo=UTC)
    # 01:30 on the autumn Sunday happens twice: the first (BST), as Python's fold=0 reads it.
    assert gb_time.parse("2026-10-25T01:30", end_of_day=False) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    for text in ("2026-13-01", "tomorrow", "2026-07-07T25:00"):
        with pytest.raises(gb_time.NotAMoment):
            gb_time.parse(text, end_of_day=False)


def test_times_are_shown_in_london_with_the_zone_named() -> None:
    assert gb_time.shown_time(datetime(2026, 12, 7, 14, 30, tzinfo=UTC)) == "2026-12-07 14:30 GMT"
    assert gb_time.shown_time("2026-07-07T14:30:05Z") == "2026-07-07 15:30 BST"
    assert gb_time.shown_time("2026-07-07T14:30:05Z", seconds=True) == "2026-07-07 15:30:05 BST"
    # Either side of the autumn change, 01:30 happens twice: the zone tells them apart.
    assert gb_time.shown_time("2026-10-25T00:30:00Z") == "2026-10-25 01:30 BST"
    assert gb_time.shown_time("2026-10-25T01:30:00Z") == "2026-10-25 01:30 GMT"
    # The spring change skips 01:00 to 02:00 London time.
    assert gb_time.shown_time("2027-03-28T00:59:00Z") == "2027-03-28 00:59 GMT"
    assert gb_time.shown_time("2027-03-28T01:00:00Z") == "2027-03-28 02:00 BST"


@pytest.mark.parametrize("day", [AUTUMN, SPRING, date(2026, 7, 7), date(2026, 12, 7)])
def test_a_day_boundary_is_shown_as_its_london_date(day: date) -> None:
    start, end = gb_time.day_start(day), gb_time.day_end(day)
    assert gb_time.shown(start) == gb_time.shown(end) == day.isoformat()
    assert gb_time.shown_day(start) == gb_time.shown_day(end) == day.isoformat()
    # One second either side is another day, or a time.
    assert gb_time.shown(start - timedelta(seconds=1)) == (day - timedelta(days=1)).isoformat()
    assert gb_time.shown(start + timedelta(seconds=1)).startswith(f"{day.isoformat()} 00:00 ")


def test_a_summer_start_is_not_shown_as_the_utc_day_before() -> None:
    """``--valid-from 2027-04-01`` is stored as 2027-03-31T23:00:00Z: it is shown as 1 April."""
    stored = gb_time.parse("2027-04-01", end_of_day=False)
    assert stored == datetime(2027, 3, 31, 23, tzinfo=UTC)
    assert gb_time.shown(stored) == gb_time.shown(stored.isoformat()) == "2027-04-01"
    assert gb_time.shown("2027-03-31T22:00:00Z") == "2027-03-31 23:00 BST"


def test_the_product_version_in_force_is_judged_on_the_london_date() -> None:
    """Half an hour after midnight on 1 April (BST) is still 31 March in UTC: version 2 is in force."""
    from fmar.core.model import Product
    from fmar.core.model.product import ProductVersion
    from fmar.core.workflow.forms import current_version

    versions = [
        ProductVersion.model_construct(version=1, effective_from=date(2026, 1, 1)),
        ProductVersion.model_construct(version=2, effective_from=date(2027, 4, 1)),
    ]
    product = Product.model_construct(id="NESO-DC", versions=versions)
    assert current_version(product, datetime(2027, 3, 31, 23, 30, tzinfo=UTC)).version == 2
    assert current_version(product, datetime(2027, 3, 31, 22, 59, 59, tzinfo=UTC)).version == 1
