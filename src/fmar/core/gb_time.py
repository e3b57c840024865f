"""Days and times as the GB flexibility market reads them: in Europe/London, stored as UTC instants.

A date alone names a day of the market's local time: as a start (``--valid-from``, ``--at``) it is
that day's first instant, 00:00 in London; as an end (``--valid-until``, ``--respond-by``, ``--as-of``)
the day's last second, 23:59:59 in London, inclusive. A date and time without an offset is London
time; with an offset (``Z``, ``+01:00``) it is that instant. Either way the result is an aware UTC
``datetime``, as records store it. Across the clock changes (the last Sundays of March and October)
a London day is 23 or 25 hours long, and its midnight is 00:00Z in winter, 23:00Z the day before
in summer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import tzdata  # type: ignore[import-untyped]  # noqa: F401  (the zone database zoneinfo falls back on where the system has none)

#: The GB market's local time.
GB = ZoneInfo("Europe/London")


class NotAMoment(ValueError):
    """The text is neither an ISO date nor an ISO date and time."""


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in London, in UTC."""
    return datetime.combine(day, time(0), GB).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The last second of ``day`` in London (23:59:59, inclusive), in UTC."""
    return (datetime.combine(day + timedelta(days=1), time(0), GB) - timedelta(seconds=1)).astimezone(UTC)


def parse(text: str, *, end_of_day: bool) -> datetime:
    """``text`` (an ISO date, or date and time) as an aware UTC instant: a date alone is the start of
    that London day, or its end with ``end_of_day``; a time without an offset is London time."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return day_end(day) if end_of_day else day_start(day)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise NotAMoment(text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=GB)
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` in London time."""
    return moment.astimezone(GB)


def _instant(moment: datetime | str) -> datetime:
    """An aware instant from a ``datetime`` or ISO text (a naive value is UTC, as records store it)."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def shown_day(moment: datetime | str) -> str:
    """The London date of ``moment``: ``2026-12-07``."""
    return _instant(moment).astimezone(GB).date().isoformat()


def shown_time(moment: datetime | str, *, seconds: bool = False) -> str:
    """``moment`` in London time to the minute (or second), the zone named: ``2026-12-07 14:30 GMT``
    (BST in summer)."""
    at = _instant(moment).astimezone(GB)
    return f"{at:%Y-%m-%d %H:%M:%S} {at.tzname()}" if seconds else f"{at:%Y-%m-%d %H:%M} {at.tzname()}"


def is_day_boundary(moment: datetime | str) -> bool:
    """Whether ``moment`` is the first instant (00:00:00) or last second (23:59:59) of a London day:
    what a date alone stands for."""
    at = _instant(moment).astimezone(GB)
    clock = (at.hour, at.minute, at.second, at.microsecond)
    return clock in ((0, 0, 0, 0), (23, 59, 59, 0))


def shown(moment: datetime | str) -> str:
    """``moment`` as a reader wants it: the London date alone where it is the start or end of a London
    day (as a date-only ``--valid-from`` or ``--valid-until`` makes it), else ``shown_time``."""
    return shown_day(moment) if is_day_boundary(moment) else shown_time(moment)
