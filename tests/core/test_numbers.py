"""Numbers RFC 8785 cannot hold exactly are problems, whether read from a file or given to a command."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from fmar.core.numbers import MAX_EXACT_INT, exact_in_json, number_problems
from fmar.generate.keys import example_key
from fmar.loading.strict_yaml import parse_strict
from fmar.signing.canonical import canonical_bytes
from fmar.writing.authoring import RecordRejected, author


@pytest.mark.parametrize("value", [0, MAX_EXACT_INT, -MAX_EXACT_INT, 1e308, -0.0, 5e-324, True, "1e400", None])
def test_numbers_json_holds(value: object) -> None:
    assert exact_in_json(value)
    canonical_bytes({"v": value})  # and RFC 8785 agrees


@pytest.mark.parametrize(
    "value",
    [MAX_EXACT_INT + 1, -MAX_EXACT_INT - 1, 10**5000, math.inf, -math.inf, math.nan],
    ids=["2^53", "-2^53", "10^5000", "inf", "-inf", "nan"],  # str(10**5000) is refused
)
def test_numbers_json_cannot_hold(value: object) -> None:
    assert not exact_in_json(value)
    [problem] = number_problems({"a": [{"b": [1, value]}]})
    assert problem.code == "YAML-VAL014"
    assert problem.location == ("a", 0, "b", 1)
    assert problem.message and "quote it if it is text" in problem.hint


def test_a_command_never_signs_a_number_json_cannot_hold() -> None:
    fields = {"id": "MU-KESTREL-000001", "composition": {"import_capacity_kw": math.inf}}
    with pytest.raises(RecordRejected) as rejected:
        author(
            "market_unit",
            fields,
            key=example_key("KESTREL", "t"),
            signer="KESTREL",
            signed_at=datetime.now(UTC),
            registry="fmar-gb",
        )
    assert [(p.code, p.location) for p in rejected.value.problems] == [
        ("YAML-VAL014", ("composition", "import_capacity_kw"))
    ]


@pytest.mark.parametrize(
    ("line", "integer"),
    [
        ("count: 9007199254740992", True),
        ("count: -9007199254740992", True),
        ("count: 0x20000000000000", True),
        ("count: " + "9" * 5000, True),  # too long to convert: read as infinity, still an integer literal
        ("capacity_kw: 1e400", False),
        ("capacity_kw: .inf", False),
        ("capacity_kw: -.inf", False),
        ("capacity_kw: .nan", False),
    ],
    ids=lambda v: v if isinstance(v, bool) else v[:30],
)
def test_the_hint_fits_an_integer_literal_or_a_decimal(line: str, integer: bool) -> None:
    """An integer field takes no decimal: an integer literal is told the integer range, a float a decimal."""
    [problem] = parse_strict(line + "\n").problems
    field = line.split(":")[0]
    assert (problem.rule.code, problem.line, problem.column, problem.location) == (
        "YAML-VAL014",
        1,
        len(field) + 3,
        (field,),
    )
    if integer:
        assert f"write {field} as an integer from -{MAX_EXACT_INT} to {MAX_EXACT_INT}" in problem.hint
        assert "decimal" not in problem.hint
    else:
        assert f"write {field} as a" in problem.hint and "decimal" in problem.hint
    assert problem.hint.endswith("or quote it if it is text")
