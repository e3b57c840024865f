"""Numbers a record may hold: those RFC 8785 (JSON numbers as IEEE 754 doubles) represents exactly.

A signature covers the record's RFC 8785 canonical JSON, which holds integers only from
-(2^53-1) to 2^53-1 and no infinity or NaN. Any other number would make the record impossible
to canonicalize (so to sign or verify), so the readers refuse it with a finding that says what
to write instead. The strict YAML reader decides this for record files, from the text of each
plain scalar; ``number_problems`` decides it for data built otherwise (workflow commands).
"""

from __future__ import annotations

import math
from typing import Any

from fmar.core.catalogue import NUMBER_NOT_EXACT_IN_JSON
from fmar.core.findings import Problem

#: The largest integer a JSON number (an IEEE 754 double) holds exactly, as RFC 8785 requires.
MAX_EXACT_INT = 2**53 - 1


def exact_in_json(value: object) -> bool:
    """False for an int outside +-MAX_EXACT_INT and for an infinite or NaN float; True for anything else."""
    kind = type(value)
    if kind is int:
        return -MAX_EXACT_INT <= value <= MAX_EXACT_INT  # type: ignore[operator]
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    return True


def _shown(text: str) -> str:
    digits = sum(ch.isdigit() for ch in text)
    return f"{text[:12]}...{text[-4:]} ({digits} digits)" if len(text) > 32 else text


def number_problem(value: object, text: str, location: tuple[str | int, ...] = ()) -> tuple[str, str] | None:
    """Message and hint when ``value`` (read from ``text``) is a number RFC 8785 cannot hold exactly."""
    if exact_in_json(value):
        return None
    field = next((str(part) for part in reversed(location) if isinstance(part, str)), None)
    what = field or "the number"
    quote = "or quote it if it is text"
    if type(value) is float and math.isnan(value):
        return (
            f"{_shown(text)} is not a number (NaN), which JSON (RFC 8785) cannot hold",
            f"write {what} as a finite decimal, {quote}",
        )
    if type(value) is float and text.lstrip("+-").lower() in (".inf", "inf"):
        return (
            f"{_shown(text)} is infinite, which JSON (RFC 8785) cannot hold",
            f"write {what} as a finite decimal, {quote}",
        )
    if type(value) is float and not text.lstrip("+-").isdigit():  # an integer too long to convert reads as inf
        return (
            f"{_shown(text)} is too large for a number: it reads as infinity, which JSON (RFC 8785) cannot hold",
            f"write {what} as a decimal below 1.8e308 with at most 15 significant digits, {quote}",
        )
    # An integer literal (decimal, hex or too long to convert): integer fields (count,
    # accounting_points...) take no decimal, so the advice is the range of integers JSON holds.
    return (
        f"the integer {_shown(text)} is outside -{MAX_EXACT_INT} to {MAX_EXACT_INT}, "
        "the integers JSON (RFC 8785) holds exactly",
        f"write {what} as an integer from -{MAX_EXACT_INT} to {MAX_EXACT_INT} (-(2^53-1) to 2^53-1), {quote}",
    )


def number_problems(data: Any, location: tuple[str | int, ...] = ()) -> list[Problem]:
    """A problem for every number in ``data`` (nested dicts and lists) that RFC 8785 cannot hold exactly."""
    found: list[Problem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, location)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((item, (*where, str(key))) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*where, index)) for index, item in enumerate(value))
        else:
            shown = repr(value) if type(value) is float else _int_text(value)
            problem = number_problem(value, shown, where)
            if problem:
                found.append(Problem(NUMBER_NOT_EXACT_IN_JSON, problem[0], problem[1], where))
    return sorted(found, key=lambda p: str(p.location))


def _int_text(value: object) -> str:
    """The decimal text of an int, even one too long for ``str`` (Python's 4300-digit limit)."""
    if type(value) is not int:
        return ""
    try:
        return str(value)
    except ValueError:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"{'-' if value < 0 else ''}(about {digits} digits)"
