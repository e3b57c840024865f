"""YAML comments in a record file: where they are (they are outside the signed canonical form).

``fmar validate`` (COMMENT_IN_YAML) and the gate (COMMENT_IN_RECORD) both ask this module, so a
working tree that validates never holds what the gate would refuse. It is cheap on the common
file: text without a ``#`` that could start a comment is never scanned.
"""

from __future__ import annotations

import re

import yaml

from fmar.core.catalogue import COMMENT_IN_YAML
from fmar.core.findings import Problem

#: A ``#`` that starts a comment: at the start of a line or after a space or tab (YAML 1.2, 6.6).
_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _text_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the scalars' text; a block scalar's header line (``|-  # note``) is not text."""
    spans = []
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, yaml.ScalarToken):
            start, end = token.start_mark.index, token.end_mark.index
            if token.style in ("|", ">"):
                header_end = text.find("\n", start, end)
                start = end if header_end < 0 else header_end
            spans.append((start, end))
    return spans


def comments(text: str) -> list[tuple[int, int]]:
    """(line, column), 1-based, of every comment in ``text``; none when it is not well-formed YAML
    (the syntax rules report that). A ``#`` inside a scalar (quoted, plain or block) is text."""
    if "#" not in text or _HASH.search(text) is None:
        return []  # the common case: no '#' at all, or only inside words such as 'a#b'
    try:
        spans = _text_spans(text)
    except yaml.YAMLError:
        return []
    found = []
    for match in _HASH.finditer(text):
        at = match.start()
        if not any(start <= at < end for start, end in spans):
            line = text.count("\n", 0, at) + 1
            found.append((line, at - (text.rfind("\n", 0, at) + 1) + 1))
    return found


def comment_problems(text: str) -> list[Problem]:
    """A COMMENT_IN_YAML problem, with its line and column, for every comment in ``text``."""
    return [
        Problem(
            COMMENT_IN_YAML,
            "a YAML comment in a record file: it is not signed, and it is not checked like the record's text",
            "remove the comment; put what it says in a text field of the record, which the signer signs",
            (),
            line,
            column,
        )
        for line, column in comments(text)
    ]
