"""Findings: what the registry's checks say about a file, with where, why and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


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
