"""A problem found in one record before the registry knows its file path."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """A rule hit inside one file. ``location`` is a path into the record; line 0 means "look it up"."""

    code: str
    message: str
    hint: str = ""
    location: tuple[str | int, ...] = ()
    line: int = 0
    column: int = 0
