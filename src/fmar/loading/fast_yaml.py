"""A fast reader for the common, simple registry file, checked against the strict reader.

Most registry files are written by fmar itself in plain block style. For those, a Rust YAML
parser is several times faster than libyaml. It is used only when the text shows none of the
constructs on which it could disagree with the strict reader (anchors, aliases, tags,
directives, document markers, merge keys, complex keys, flow collections, tabs, deep nesting, number forms that
YAML 1.1 reads differently) and only when its result is plain data with text keys in which no
text value could have been an unquoted YAML 1.1 boolean, date or number, and no number is
beyond what RFC 8785 JSON holds exactly (an integer past 2^53-1, .inf, .nan). Anything else,
including any error, goes to the strict reader, which is the authority; a property test holds
the two to the same result.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml_rs

from fmar.core.numbers import exact_in_json
from fmar.loading.strict_yaml import MAX_DEPTH

#: Anchors, aliases and tags in a node position.
_NODE_PROPERTY = re.compile(r"(?:^|[ ,\[{])[&*!][^ \n]", re.MULTILINE)
#: Plain numbers that YAML 1.1 and 1.2 read differently: leading zeros, 0o/0x/0b, exponents, 1_000, 1:30.
_NUMBER_FORM = re.compile(r"[:\-] [-+]?(?:0[0-9_oOxXbB]|[0-9][0-9_.]*(?:_|:[0-9]|[eE])|\.)")
#: An empty block scalar at the very end of the file (readers disagree on its value).
_TRAILING_BLOCK = re.compile(r"[|>][-+0-9]*[ \t]*(?:#[^\r\n]*)?(?:[\r\n][ \t]*)*\Z")  # any line ending
#: Keys the fast reader may return: plain field names that no YAML version reads as anything but text.
_SAFE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD_KEYS = frozenset({"y", "yes", "n", "no", "on", "off", "true", "false", "null"})
#: Text values that would be booleans, dates or numbers to YAML 1.1 if they were written unquoted.
_YAML11_WORDS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]
)
_YAML11_LOOKALIKE = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?$|[-+]?[0-9][0-9_.]*_|[0-9]{4}-[0-9]")
_DEEP = "\n" + " " * 48


def _screen(text: str) -> bool:
    """True when the text may hold a construct only the strict reader handles."""
    if (
        "\t" in text
        or "<<" in text
        or "? " in text
        or _DEEP in text
        or text.startswith(("---", "...", "%"))
        or "\n---" in text
        or "\n..." in text
        or "\n%" in text
    ):
        return True
    if ("&" in text or "*" in text or "!" in text) and _NODE_PROPERTY.search(text):
        return True
    if "[" in text or "{" in text:
        return True  # flow collections: fmar writes none, and the strict reader handles them exactly
    return _NUMBER_FORM.search(text) is not None or _TRAILING_BLOCK.search(text) is not None


def _safe_key(key: object) -> bool:
    """Keys are not screened in the text, so they are checked here: quoted or not, they must be plain names."""
    if key in _SAFE_KEYS:  # records repeat the same few dozen field names
        return True
    safe = type(key) is str and _SAFE_KEY.match(key) is not None and key.lower() not in _WORD_KEYS
    if safe and len(_SAFE_KEYS) < 4096:
        _SAFE_KEYS.add(key)  # type: ignore[arg-type]
    return safe


#: Keys found safe so far (a set lookup instead of a match for the names every record has).
_SAFE_KEYS: set[str] = set()


def _quoted_everywhere(value: str, text: str) -> bool:
    return text.count(value) == text.count(f"'{value}'") + text.count(f'"{value}"')


def lookalike(value: str) -> bool:
    """True for a text value that some YAML 1.1 reader could take, unquoted, for a boolean, a date or
    a number: the fast reader accepts it only quoted, so fmar's writer quotes it."""
    if value in _YAML11_WORDS:
        return True
    return bool(value) and value[0] in "+-0123456789" and _YAML11_LOOKALIKE.match(value) is not None


def _plain_text(value: str, text: str) -> bool:
    """A text value that no YAML version reads as anything else, or one quoted wherever it appears."""
    return not lookalike(value) or _quoted_everywhere(value, text)


def _plain(data: Any, text: str) -> bool:
    """Plain data, text keys, and no text value that could be an unquoted YAML 1.1 non-string.

    A loop over a stack rather than recursion (it runs for every record file): text values, the
    most common, are checked where they are found, so only containers and other scalars are pushed."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is dict or kind is list:
            if depth >= MAX_DEPTH or (kind is dict and not all(map(_safe_key, value))):
                return False
            for item in value.values() if kind is dict else value:
                if type(item) is str:
                    if not _plain_text(item, text):
                        return False
                else:
                    stack.append((item, depth + 1))
        elif kind is int or kind is float:
            if not exact_in_json(value):
                return False  # out of JSON's exact range: the strict reader says so, with the position
        elif isinstance(value, date):
            return False
    return True


def parse_fast(text: str) -> dict[str, Any] | None:
    """The record in ``text`` if the fast reader can vouch for it, else None (use the strict reader)."""
    if _screen(text):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any parser complaint: the strict reader explains it
        return None
    if type(data) is not dict or not data or not _plain(data, text):
        return None
    return data
