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
