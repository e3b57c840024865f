"""Findings: what the registry's checks say about a file, with where, why and how to fix it.

The vocabulary every check speaks: a ``Rule`` (each one is a named constant of
``fmar.core.catalogue``), a ``Problem`` (a rule hit inside one file, found before the file's path
is known) and a ``Finding`` (a problem placed in the repository, as reported).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Rule:
    """A rule of the registry: its stable code, its one-line statement and how grave a breach is.

    Rules order by code (codes are unique), so problems sort as they did when they held codes.
    """

    code: str
    statement: str
    severity: Severity = Severity.ERROR

    @property
    def area(self) -> str:
        return self.code.split("-", 1)[0]


class Problem(NamedTuple):
    """A rule hit inside one file. ``location`` is a path into the record; line 0 means "look it up"."""

    rule: Rule
    message: str
    hint: str = ""
    location: tuple[str | int, ...] = ()
    line: int = 0
    column: int = 0

    @property
    def code(self) -> str:
        return self.rule.code


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One error or warning. ``path`` is relative to the repository root, ``line``/``column`` 1-based."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    json_path: str = "$"
    severity: Severity = field(default=Severity.ERROR, compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def json_path(location: tuple[str | int, ...]) -> str:
    """Render a location such as ``("composition", "assets", 0, "count")`` as ``$.composition.assets[0].count``."""
    out = ["$"]
    for part in location:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.isidentifier():
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
