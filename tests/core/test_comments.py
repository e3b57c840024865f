"""Where the comments of a record file are: what `fmar validate` (YAML-VAL015) and the gate (GATE-VAL011) refuse."""

from __future__ import annotations

import pytest

from fmar.loading.comments import comment_problems, comments
from fmar.trust import gate

CASES = [
    ("a: 1\n", []),
    ("a: 1 # x\n", [(1, 6)]),
    ("# top\na: 1\n", [(1, 1)]),
    ("a: a#b\n", []),  # '#' not after white space: text
    ("a: 'x # y'\n", []),
    ('a: "x\n  # y"\n', []),  # inside a quoted scalar over two lines
    ("b: |\n  # text\n  x\n", []),
    ("b: >-\n  x\n\n  # text\n", []),
    ("b: |- # on the header line\n  x\n", [(1, 7)]),
    ("b: |\n  x\n# after the block\nc: 1\n", [(3, 1)]),
    ("a:\n- x # c\n- '# q'\n", [(2, 5)]),
    ("a: é€ # after non-ASCII text\n", [(1, 7)]),
    ("a: x\n  # ends the plain scalar\n", [(2, 3)]),
    ("a: [1, 2\n", []),  # not YAML: the syntax rule reports it
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_comments_are_found_where_they_are_and_text_is_not_a_comment(text: str, expected: list) -> None:
    assert comments(text) == expected
    found = comment_problems(text)
    assert [(p.line, p.column) for p in found] == expected
    assert all(p.rule.code == "YAML-VAL015" and p.message and p.hint for p in found)


def test_the_gate_and_validate_ask_the_same_function() -> None:
    assert gate.comments is comments
