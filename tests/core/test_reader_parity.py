"""The fast reader never disagrees: when it returns data, the strict reader reads the same and has no complaint."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fmar.loading.fast_yaml import parse_fast
from fmar.loading.strict_yaml import parse_strict
from fmar.loading.text import decode

#: Every spelling YAML 1.1 reads as a boolean or null, and the YAML 1.2 ones.
BOOLEAN_WORDS = [
    *(w for base in ("y", "yes", "n", "no", "true", "false", "on", "off") for w in (base, base.title(), base.upper())),
    "~",
    "null",
    "Null",
    "NULL",
]
#: Plain numbers RFC 8785 cannot hold exactly: only the strict reader reads them, to refuse them.
OUT_OF_JSON = ["9007199254740992", "-9007199254740992", "0x20000000000000", "1e400", "-1.0e+400", "9" * 5000]
#: Plain scalars on which YAML readers are known to differ, or nearly so.
TRICKY = [
    *BOOLEAN_WORDS,
    *("0", "-0", "+0", "00", "010", "0o17", "0O17", "0x1F", "0X1f", "0b101", "08", "0_1", "1_000", "-1_0"),
    *("1e3", "1E3", "1e+3", "1.0e+3", "1.5E-3", "12e3", ".1e3", "1.e5", "6.8523015e+5", "685.230_15e+03"),
    *(".5", "+.5", "-.5", "5.", "-5.", "1.5", "+1.5", "0.", "00.5", "1.2.3", "1,000", "1 000"),
    *(".inf", "-.inf", "+.inf", ".Inf", ".INF", ".iNF", ".nan", ".NaN", ".NAN", ".nAn", "inf", "nan", "Infinity"),
    *("10:30", "1:20:30", "190:20:30", "12:30:00", "-1:30", "1:2"),
    *(
        "2024-01-31",
        "2024-1-3",
        "2024-01",
        "2024-01-31T09:30:00Z",
        "2024-01-31 09:30:00",
        "2024-01-31t09:30:00.5+01:00",
    ),
    *("<<", "=", "-", "--", "a:b", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "? x", "a #b", "a#b", "#x", "x #"),
    *("9223372036854775808", "123456789012345678901234567890", "1.0e400", "١٢", "１２", "tRUE", "nULL", "0xG", "0o"),
    *OUT_OF_JSON,
    *("9007199254740991", "-9007199254740991", "0x1FFFFFFFFFFFFF", "1e308", "1e-400", "-0.0"),
]
_SAFE_TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"))


def _number_forms() -> st.SearchStrategy[str]:
    digits = st.text("0123456789", min_size=1, max_size=6)
    return st.one_of(
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.builds(lambda s, a, b: f"{s}{a}.{b}", st.sampled_from(["", "+", "-"]), digits, digits),
        st.builds(lambda a, e, b: f"{a}{e}{b}", digits, st.sampled_from(["e", "E", "e+", "e-", "E+"]), digits),
        st.from_regex(r"[-+]?[0-9_.:eExXoObB]{1,8}", fullmatch=True),
    )


def _dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates().map(str),
        st.datetimes().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat(sep=" ") + "Z"),
        st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2})?", fullmatch=True),
    )


PLAIN = st.one_of(
    st.sampled_from(TRICKY),
    _number_forms(),
    _dates(),
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ._/()-]{0,20}[A-Za-z0-9)]", fullmatch=True),
    st.text(_SAFE_TEXT, min_size=1, max_size=12),
)
QUOTED = st.one_of(
    st.text(_SAFE_TEXT, max_size=20).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.text(_SAFE_TEXT, max_size=20).map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.sampled_from(TRICKY).map(lambda s: f"'{s}'"),
    st.sampled_from(TRICKY).map(lambda s: f'"{s}"'),
)
SCALAR = st.one_of(PLAIN, PLAIN, QUOTED)
KEY = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(TRICKY),
    QUOTED,
)


NODE = st.recursive(
    SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: ("list", items)),
        st.lists(st.tuples(KEY, children), max_size=5).map(lambda pairs: ("map", pairs)),
        st.tuples(
            st.sampled_from(["|", "|-", "|+", ">", ">-", ">+", "|2"]),
            st.lists(st.from_regex(r"[A-Za-z0-9+/= ]{0,20}", fullmatch=True), max_size=3),
        ).map(lambda block: ("block", block)),
    ),
    max_leaves=25,
)


def _render(node: Any, indent: int) -> list[str]:
    """Block-style YAML lines for a collection node (each line without the newline)."""
    pad = " " * indent
    kind, body = node
    out: list[str] = []
    if kind == "map":
        for key, value in body:
            out.extend(_entry(f"{pad}{key}:", value, indent))
    else:
        for value in body:
            out.extend(_entry(f"{pad}-", value, indent))
    return out


def _entry(head: str, value: Any, indent: int) -> list[str]:
    if isinstance(value, str):
        return [f"{head} {value}"]
    kind, body = value
    if kind == "block":
        header, lines = body
        return [f"{head} {header}", *(" " * (indent + 2) + line for line in lines)]
    if not body:
        return [f"{head} {'[]' if kind == 'list' else '{}'}"]
    return [head, *_render(value, indent + 2)]


DOCUMENT = st.builds(
    lambda pairs, newline: newline.join(_render(("map", pairs), 0)) + newline,
    st.lists(st.tuples(KEY, NODE), min_size=1, max_size=6),
    st.sampled_from(["\n", "\n", "\r\n"]),
)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def assert_agree(text: str) -> None:
    decoded, _ = decode(text.encode("utf-8"))
    if decoded is None:
        return  # the byte checks reject it before either reader sees it
    fast = parse_fast(decoded)
    if fast is None:
        return
    strict = parse_strict(decoded)
    assert strict.problems == [], (text, fast, strict.problems)
    assert _same(fast, strict.data), (text, fast, strict.data)


# Disagreements found by the property below, kept as regression examples (see loading/fast_yaml.py).
REGRESSIONS = [
    "on: 1\n",
    "yes: 1\n",
    "2024-01-01: x\n",
    "a:\n  NO: 1\n",
    "a:\n- b: 1\n  on: 2\n",
    "a: .1e3\n",
    "a: +.5\n",
    "a: -.5\n",
    "a: .iNF\n",
    "k: |\n",
    "k: >\n\n",
    "a: 1\r\nk: |\r\n",
    "k:\r\n- >\r\n",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
@example("a: 1\n")
def test_fast_reader_agrees_with_strict_reader(text: str) -> None:
    assert_agree(text)


@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize(
    "template", ["k: {}\n", "k:\n- {}\n", "k:\n  j: {}\n", "{}: v\n", "- x\n", "a: 1\r\nk: {}\r\n", "k:\r\n- {}\r\n"]
)
def test_tricky_scalars(template: str, value: str) -> None:
    assert_agree(template.format(value))


@pytest.mark.parametrize("text", REGRESSIONS)
def test_known_disagreements_go_to_the_strict_reader(text: str) -> None:
    assert parse_fast(text) is None
    assert_agree(text)


def test_plain_records_take_the_fast_path(bundled_registry) -> None:
    """The screen is not so wide that ordinary records never use the fast reader."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(bundled_registry.glob("*/**/*.yaml"))]
    fast = [text for text in texts if parse_fast(text) is not None]
    assert len(fast) == len(texts)


@pytest.mark.parametrize("value", OUT_OF_JSON, ids=lambda v: v[:20])
@pytest.mark.parametrize("template", ["k: {}\n", "k:\n- - 1\n  - {}\n", "k:\n  j: {}\n"])
def test_numbers_json_cannot_hold_go_to_the_strict_reader(template: str, value: str) -> None:
    text = template.format(value)
    assert parse_fast(text) is None
    assert [problem.code for problem in parse_strict(text).problems] == ["YAML-VAL014"]
