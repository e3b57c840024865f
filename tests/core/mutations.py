"""Hypothesis strategies for record files a hostile or careless contributor could write.

Each starts from a real bundled record (``registry/**.yaml``) and mutates it: its data (a field
replaced by any YAML value, deleted, or an unknown one added) and then, or instead, its text
(truncated, bytes inserted, a byte-order mark, tabs, anchors and aliases, tags, duplicate keys,
very long lines, several documents...). ``Mutant.raw`` is what lands in the file. And how the
property tests run commands on them and judge the answer (``handled``).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from tests.conftest import BUNDLED_REGISTRY

from fmar.cli import cli
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from fmar.loading.record_file import parse_text

#: Every bundled record, by path relative to the repository root (``registry/<kind>/<id>.yaml``).
RECORDS = sorted(path.relative_to(BUNDLED_REGISTRY.parent).as_posix() for path in BUNDLED_REGISTRY.rglob("*.yaml"))

_INTS = st.one_of(
    st.integers(),
    st.integers(2**53 - 3, 2**53 + 3),
    st.integers(-(2**53) - 3, -(2**53) + 3),
    st.integers(-(10**400), 10**400),
)
_TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "NESO",
        "FMAR",
        "SSEN",
        "MU-VOLTAFLEX-000001",
        "APP-2026-S10WNSK7",
        "NESO-DC",
        "2026-11-03T10:00:00Z",
        "2026-11-03T10:00:00",
        "2026-11-03",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "2026-02-30T10:00:00Z",
        "SHA256:yjBcMLF+FsqySKseJhTCR0uJhWcMk5mlJ2ulRRHOAVo",
        "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x",
        "https://example.org/x",
        "null",
        "~",
        "yes",
        "no",
        ".nan",
        "1e400",
        "0x1F",
        "SW1A 1AA",
        "a\u202eb",
        "a\u200bb",
        "a\x00b",
        "\ud7ff\ue000\U0010ffff",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    _INTS,
    st.floats(),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20),
    _TRICKY_TEXT,
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.binary(max_size=8),
)
_KEYS = st.one_of(st.text(max_size=12), st.sampled_from(["id", "kind", "signature", "value", "<<"]), st.integers())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


#: Extremes a well-typed value can take: they pass the schema more often, so they reach the rules
#: across records, the signatures and the lifecycle (dates at the ends of the calendar, numbers at the
#: ends of what JSON holds).
_EXTREMES: list[Any] = [
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-23:59",
    "1970-01-01T00:00:00Z",
    "2026-11-03T10:00:00.999999Z",
    "0001-01-01",
    "9999-12-31",
    "2024-02-29",
    0,
    -1,
    1,
    0.01,
    -0.0,
    9007199254740991,
    -9007199254740991,
    10**15,
    99999999999.99,
    True,
    False,
    [],
    {},
]


def _scalars_by_key(data: Any, into: dict[str, set[Any]], key: str = "") -> None:
    if isinstance(data, dict):
        for name, value in data.items():
            _scalars_by_key(value, into, str(name))
    elif isinstance(data, list):
        for value in data:
            _scalars_by_key(value, into, key)
    elif key:
        into.setdefault(key, set()).add(data)


def _pool() -> dict[str, list[Any]]:
    """Every scalar the bundled registry holds, by the name of its field: other ids a reference can
    name, other values of an enumeration, other times."""
    into: dict[str, set[Any]] = {}
    for path in RECORDS:
        data, _, _ = parse_text(Path(BUNDLED_REGISTRY.parent, path).read_text(encoding="utf-8"))
        _scalars_by_key(data, into)
    return {key: sorted(values, key=repr) for key, values in into.items()}


POOL = _pool()


def _deep(depth: int, leaf: Any, as_list: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


DEEP = st.builds(_deep, st.integers(1, 40), SCALARS, st.booleans())


@dataclass
class Mutant:
    """A mutated record file: where it goes, its bytes and how they were made (for a failure's report)."""

    path: str
    raw: bytes
    steps: list[str] = field(default_factory=list)
    #: The bundled record it was made from (``path`` unless it moved to another id).
    origin: str = ""

    def __post_init__(self) -> None:
        self.origin = self.origin or self.path

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        return f"Mutant({self.path!r}, steps={self.steps!r}, raw={self.raw[:2000]!r})"


def _places(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``data``: the path of keys and indices to it (the root is ``()``)."""
    out = [here]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _places(value, (*here, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _places(value, (*here, index))
    return out


def _at(data: Any, place: tuple[Any, ...]) -> Any:
    for step in place:
        data = data[step]
    return data


@st.composite
def _mutate_data(draw: st.DrawFn, data: dict[str, Any], steps: list[str]) -> Any:
    for _ in range(draw(st.integers(1, 3))):
        places = _places(data)
        place = draw(st.sampled_from(places))
        operation = draw(st.sampled_from(["replace", "nudge", "nudge", "delete", "add", "deep"]))
        if not place:
            if operation in ("replace", "deep"):
                data = draw(VALUES if operation == "replace" else DEEP)
                steps.append(f"the whole record replaced by {data!r}"[:300])
                if not isinstance(data, dict):
                    return data
            continue
        parent, last = _at(data, place[:-1]), place[-1]
        if operation == "nudge":  # another value of the kind the field holds: from the registry, or an extreme
            name = next((step for step in reversed(place) if isinstance(step, str)), "")
            parent[last] = copy.deepcopy(draw(st.sampled_from(POOL.get(name, []) + _EXTREMES)))  # [] and {} are shared
            steps.append(f"{place!r} = {parent[last]!r}")
        elif operation == "delete":
            del parent[last]
            steps.append(f"deleted {place!r}")
        elif operation == "add":
            target = _at(data, place)
            if isinstance(target, dict):
                key = draw(_KEYS)
                target[key] = draw(VALUES)
                steps.append(f"added {key!r} at {place!r}")
            elif isinstance(target, list):
                target.append(draw(VALUES))
                steps.append(f"appended to {place!r}")
        else:
            parent[last] = draw(VALUES if operation == "replace" else DEEP)
            steps.append(f"{place!r} = {parent[last]!r}"[:300])
    return data


def _dump(draw: st.DrawFn, data: Any) -> str:
    return yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        width=draw(st.sampled_from([80, 10**6])),
    )


_BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]
_SNIPPETS = [
    "extra: &a [1, 2]\nmore: *a\n",
    "id: &x NESO\nother: *x\n",
    "<<: {kind: party}\n",
    "value: !!python/object/apply:os.system ['echo pwned']\n",
    "value: !!python/name:os.system\n",
    "value: !custom 3\n",
    "value: !!binary aGVsbG8=\n",
    "value: !!str 3\n",
    "value: !!float 1\n",
    "%YAML 1.1\n---\n",
    "---\n",
    "...\n",
    "--- !!set\n? a\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "1: numeric key\n",
    "null: null key\n",
    "[a, b]\n",
    "- a list\n",
    "'just a string'\n",
    "\t\n",
    "\tkind: event\n",
    "# a comment\n",
    "key: value # a comment\n",
    "a: " + "[" * 200 + "]" * 200 + "\n",
    "a: " + "{b: " * 60 + "c" + "}" * 60 + "\n",
    "long: " + "x" * 70_000 + "\n",
    "x" * 5000 + ": 1\n",
    "big: 123456789012345678901234567890\n",
    "nan: .nan\ninf: -.inf\n",
    "date: 2026-13-45\n",
    "when: 2026-11-03 10:00:00\n",
    "mapping: {a: 1, a: 2}\n",
    's: "\\x00\\u202e\\ud800"\n',
    "s: '\x85'\n",
    "s: |\n  text\n   \ttab\n",
    "&anchor\n",
    "*alias\n",
    "!tag\n",
    "@reserved\n",
    "`reserved\n",
    "key: [unclosed\n",
    'key: "unclosed\n',
    "key: 'unclosed\n",
    ": no key\n",
    "-\n",
]


@st.composite
def _mutate_text(draw: st.DrawFn, raw: bytes, steps: list[str]) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(
            st.sampled_from(
                ["truncate", "bytes", "text", "snippet", "bom", "tabs", "duplicate", "crlf", "documents", "char"]
            )
        )
        at = draw(st.integers(0, len(raw)))
        if operation == "truncate":
            raw = raw[:at]
        elif operation == "bytes":
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif operation == "text":
            raw = raw[:at] + draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=8)).encode() + raw[at:]
        elif operation == "snippet":
            snippet = draw(st.sampled_from(_SNIPPETS)).encode("utf-8", "surrogatepass")
            start = raw.rfind(b"\n", 0, at) + 1 if draw(st.booleans()) else at  # at a line start, or anywhere
            raw = raw[:start] + snippet + raw[start:]
        elif operation == "bom":
            raw = draw(st.sampled_from(_BOMS)) + raw
        elif operation == "tabs":
            raw = raw.replace(b"\n  ", b"\n\t", draw(st.integers(1, 3)))
        elif operation == "duplicate":
            lines = raw.splitlines(keepends=True)
            if lines:
                line = draw(st.sampled_from(lines))
                raw = raw + (line if line.endswith(b"\n") else line + b"\n")
        elif operation == "crlf":
            raw = raw.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\x85", "\u2028".encode()])))
        elif operation == "documents":
            raw = raw + b"---\n" + raw
        elif raw:
            raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
        steps.append(f"{operation} at {at}")
    return raw


@st.composite
def mutants(draw: st.DrawFn, records: list[str] = RECORDS) -> Mutant:
    """A bundled record mutated: its data, its text, or both."""
    path = draw(st.sampled_from(records))
    raw = Path(BUNDLED_REGISTRY.parent, path).read_bytes()
    steps: list[str] = []
    how = draw(st.sampled_from(["data", "text", "both"]))
    if how != "text":
        data, _, _ = parse_text(raw.decode())
        assert data is not None, path
        raw = _dump(draw, draw(_mutate_data(data, steps))).encode("utf-8", "surrogatepass")
    if how != "data":
        raw = draw(_mutate_text(raw, steps))
    return Mutant(path, raw, steps)


# --- running commands on mutants ----------------------------------------------------------------

EXAMPLES = int(os.environ.get("FMAR_HYPOTHESIS_EXAMPLES", "0"))


def hostile_settings(examples: int) -> settings:
    """``examples`` examples, the same on every run (for CI); ``FMAR_HYPOTHESIS_EXAMPLES`` random ones instead."""
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        derandomize=not EXAMPLES,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def handled(result: Result, mutant: Mutant, allowed: tuple[int, ...] = (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE)) -> None:
    """The command answered: a documented exit status, no exception, no traceback."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"internal error on {mutant!r}") from result.exception
    assert result.exit_code in allowed, (result.exit_code, result.output, mutant)
    assert "Traceback" not in result.output and "internal error" not in result.output, (result.output, mutant)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def signer_of(mutant: Mutant) -> str:
    """The party whose key signed the original record, so that a mutant can be signed as its author would."""
    data, _, _ = parse_text((BUNDLED_REGISTRY.parent / mutant.origin).read_text(encoding="utf-8"))
    assert data is not None
    return str(data["signature"]["signer"])
