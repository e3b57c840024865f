"""A fast reader for the common, simple registry file, checked against the strict reader.

Most registry files are written by fmar itself in plain block style. For those, a Rust YAML
parser is about ten times faster than libyaml. It is used only when a screen of the text
shows none of the constructs on which it could disagree with the strict reader (anchors,
aliases, tags, directives, document markers, merge keys, plain scalars that YAML 1.1 reads
differently, tabs, deep nesting) and only when its result is plain data with text keys.
Anything else, including any error, goes to the strict reader, which is the authority; a
property test holds the two to the same result.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml_rs

from fmar.loading.strict_yaml import MAX_DEPTH

_PREFIX = r"(?:(?::|^[ \t]*-)[ \t]+|[\[,][ \t]*)"
_SCREEN = re.compile(
    r"(?m)"
    r"(?:^|[ \t,\[{])[&*!][^ \t\n]"  # anchor, alias, tag
    r"|<<"  # merge key
    r"|^(?:---|\.\.\.|%)"  # document markers and directives
    r"|\t"
    r"|^ {48,}\S"  # deep block nesting
    r"|\?[ \t]"  # complex keys
    rf"|{_PREFIX}(?:[yYnN]|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF)[ \t]*(?:#.*)?(?:$|[,\]}}])"
    rf"|{_PREFIX}[-+]?(?:0[0-9_xXoObB]|[0-9][0-9_.]*(?:_|:[0-9]|[eE])|[0-9]{{4}}-[0-9]|\.)"  # numbers, dates, .5 .inf
    r"|[|>][-+0-9]*[ \t]*(?:#[^\n]*)?(?:\n[ \t]*)*\Z"  # an empty block scalar at the end of the file
)
#: Keys the fast reader may return: plain field names that no YAML version reads as anything but text.
_SAFE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD_VALUES = frozenset({"y", "yes", "n", "no", "on", "off", "true", "false", "null"})
_MAX_FLOW = 32


def _safe_key(key: Any) -> bool:
    """Keys are not screened in the text, so they are checked here: quoted or not, they must be plain names."""
    return type(key) is str and _SAFE_KEY.match(key) is not None and key.lower() not in _WORD_VALUES


def _plain_data(value: Any, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_safe_key(key) and _plain_data(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain_data(item, depth + 1) for item in value)
    return not isinstance(value, date)


def parse_fast(text: str) -> dict[str, Any] | None:
    """The record in ``text`` if the fast reader can vouch for it, else None (use the strict reader)."""
    if _SCREEN.search(text) or text.count("[") + text.count("{") > _MAX_FLOW:
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any parser complaint: the strict reader explains it
        return None
    if type(data) is not dict or not data or not _plain_data(data, 0):
        return None
    return data
