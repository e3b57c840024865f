"""YAML comments in a record file: where they are (they are outside the signed canonical form)."""

from __future__ import annotations

import re

import yaml

#: A ``#`` that starts a comment: at the start of a line or after a space or tab (YAML 1.2, 6.6).
_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)


def comments(text: str) -> list[tuple[int, int]]:
    """(line, column), 1-based, of every comment in ``text``; none when it is not well-formed YAML
    (the syntax rules report that). A ``#`` inside a scalar (quoted, plain or block) is text."""
    if "#" not in text:
        return []
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    spans = [(t.start_mark.index, t.end_mark.index) for t in tokens if isinstance(t, yaml.ScalarToken)]
    found = []
    for match in _HASH.finditer(text):
        at = match.start()
        if not any(start <= at < end for start, end in spans):
            line = text.count("\n", 0, at) + 1
            found.append((line, at - (text.rfind("\n", 0, at) + 1) + 1))
    return found
