"""Byte-level checks of a registry file before any YAML is read."""

from __future__ import annotations

import re

from fmar.core.catalogue import FILE_TOO_LARGE, FORBIDDEN_CHARACTER, NOT_UTF8
from fmar.core.findings import Problem

#: Largest registry file accepted, in bytes. Real records are 1 to 6 KiB.
MAX_FILE_BYTES = 64 * 1024

#: NUL and C0/C1 controls other than tab, LF and CR; zero-width and bidirectional controls; BOM.
_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)

_NAMES = {
    "\x00": "NUL",
    "\ufeff": "byte order mark",
    "\u202e": "right-to-left override",
    "\u202d": "left-to-right override",
    "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate",
    "\u2068": "first strong isolate",
    "\u2069": "pop directional isolate",
    "\u202a": "left-to-right embedding",
    "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting",
    "\u200b": "zero-width space",
}


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def decode(raw: bytes) -> tuple[str | None, list[Problem]]:
    """Decode ``raw`` as UTF-8 and reject characters that can hide or disguise content."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(
                FILE_TOO_LARGE,
                f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                "a record is a few KiB; move long material to evidence held elsewhere (URL and hash)",
                line=1,
                column=1,
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = line_col(before, len(before))
        return None, [
            Problem(
                NOT_UTF8,
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                "save the file as UTF-8 (without a byte order mark)",
                line=line,
                column=column,
            )
        ]
    problems = []
    for match in _FORBIDDEN.finditer(text):
        char = match.group()
        line, column = line_col(text, match.start())
        name = _NAMES.get(char, "control character")
        problems.append(
            Problem(
                FORBIDDEN_CHARACTER,
                f"forbidden character U+{ord(char):04X} ({name})",
                "remove it: registry text may not hide or reorder what reviewers see",
                line=line,
                column=column,
            )
        )
        if len(problems) >= 10:
            break
    if problems:
        return None, problems
    return text, []
