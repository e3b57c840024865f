"""Unit tests of the core's small pieces: YAML 1.1 traps, material change, privacy patterns, positions."""

from __future__ import annotations

import pytest

from fmar.core.catalogue import RULES
from fmar.core.findings import Problem
from fmar.core.model.market_unit import Composition
from fmar.core.model.product import MaterialChangePolicy
from fmar.core.rules.record import privacy
from fmar.core.status import material_change
from fmar.loading.record_file import locate
from fmar.loading.strict_yaml import parse_strict, yaml11_trap
from fmar.loading.text import decode


@pytest.mark.parametrize(
    ("value", "read_as"),
    [
        ("NO", "a boolean"),
        ("on", "a boolean"),
        ("Off", "a boolean"),
        ("yes", "a boolean"),
        ("010", "an integer"),
        ("0o17", "text"),
        ("08", "text"),
        ("1_000", "an integer"),
        ("10:30", "an integer"),
        ("2024-01-31", "a date"),
        ("2024-01-31 09:30:00", "a date and time"),
        ("1e3", "text"),
        (".1e3", "text"),
        ("+.5", "text"),
    ],
)
def test_yaml11_traps_are_explained(value: str, read_as: str) -> None:
    message = yaml11_trap(value)
    assert message is not None and read_as in message and repr(value) in message


@pytest.mark.parametrize(
    "value",
    ["Thurrock", "Thurrock Battery Park", "2000.0", "1.5", "-3", "0", "12", "true", "false", "null", "0x1F", "1.0e+3"],
)
def test_values_both_yaml_versions_agree_on_are_not_traps(value: str) -> None:
    assert yaml11_trap(value) is None


POLICY = MaterialChangePolicy(capacity_change_pct=10.0, category_change=True)


def _composition(imp: float, exp: float, *assets: tuple[str, float]) -> Composition:
    return Composition.model_validate(
        {
            "import_capacity_kw": imp,
            "export_capacity_kw": exp,
            "assets": [{"category": c, "count": 1, "capacity_kw": kw} for c, kw in assets],
        }
    )


BEFORE = _composition(1000.0, 500.0, ("BESS", 1000.0))


@pytest.mark.parametrize(
    ("after", "policy", "expected"),
    [
        (BEFORE, POLICY, None),
        (_composition(1100.0, 500.0, ("BESS", 1100.0)), POLICY, None),  # exactly 10% is not beyond 10%
        (_composition(1100.01, 500.0, ("BESS", 1200.0)), POLICY, "import capacity changed"),
        (_composition(1000.0, 400.0, ("BESS", 1000.0)), POLICY, "export capacity changed"),
        (_composition(1000.0, 500.0, ("BESS", 1000.0), ("SOLAR_PV", 10.0)), POLICY, "added SOLAR_PV"),
        (_composition(1000.0, 500.0, ("SOLAR_PV", 1000.0)), POLICY, "added SOLAR_PV; removed BESS"),
        (
            _composition(1000.0, 500.0, ("BESS", 1000.0), ("SOLAR_PV", 10.0)),
            MaterialChangePolicy(capacity_change_pct=10.0, category_change=False),
            None,
        ),
    ],
)
def test_material_change(after: Composition, policy: MaterialChangePolicy, expected: str | None) -> None:
    reason = material_change(policy, BEFORE, after)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def test_material_change_from_zero_capacity_is_a_full_change() -> None:
    before = _composition(1000.0, 0.0, ("BESS", 1000.0))
    after = _composition(1000.0, 50.0, ("BESS", 1000.0))
    assert "export capacity changed from 0.00 kW to 50.00 kW (100.0%" in (material_change(POLICY, before, after) or "")


ORDINARY_NAMES = [
    "Thurrock Battery Park",
    "B1 site",
    "Block A1 2nd floor",
    "Unit B12 3rd phase",
    "Glasgow G2 1st street depot",
    "M25 junction 30 depot",
    "Leeds LS1 heat pumps",
    "EV 22 kW chargers",
    "Phase 2 2024-2025",
    "Export limited to 1,500 kW until the 2026 reinforcement at the primary substation.",
    "Two consecutive dispatch instructions not met; under investigation.",
    "Batteries 2x 500 kW 1h",
]


@pytest.mark.parametrize("text", ORDINARY_NAMES)
def test_ordinary_names_are_not_personal_data(text: str) -> None:
    assert list(privacy({"name": text, "notes": text})) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Meter 1200012345678", "PRIV-VAL001"),
        ("MPAN 12 3456 7890 123", "PRIV-VAL001"),
        ("Depot at SW1A 1AA", "PRIV-VAL002"),
        ("Depot at G1 1XX", "PRIV-VAL002"),
        ("depot at sw1a 1aa", "PRIV-VAL002"),
        ("Depot EC1A1BB", "PRIV-VAL002"),
        ("Call 01632 960123", "PRIV-VAL003"),
        ("Call +44 1632 960123", "PRIV-VAL003"),
        ("Write to jo.bloggs@example.com", "PRIV-VAL003"),
    ],
)
def test_personal_data_in_free_text_is_found(text: str, code: str) -> None:
    problems = list(privacy({"name": "Site", "composition": {"notes": text}}))
    assert [(p.code, p.location) for p in problems] == [(code, ("composition", "notes"))]


def test_privacy_reads_free_text_fields_only() -> None:
    assert list(privacy({"id": "MU-X-1200012345678", "bm_unit": "SW1A 1AA", "conditions": ["ok", "SW1A 1AA"]})) == [
        Problem(
            RULES["PRIV-VAL002"],
            "text contains what looks like a full UK postcode",
            "name the site by its area or a business name; postcodes of domestic premises are personal data",
            ("conditions", 1),
        )
    ]


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"name: X\xff\n", 1, 8),
        ("name: Café éé X".encode() + b"\xff\n", 1, 16),
        ("a: ééé\nname: X".encode() + b"\xff\n", 2, 8),
        (b"a: 1\n\xff", 2, 1),
    ],
)
def test_invalid_utf8_is_placed_by_character_not_byte(raw: bytes, line: int, column: int) -> None:
    text, [problem] = decode(raw)
    assert text is None and problem.code == "YAML-VAL001"
    assert (problem.line, problem.column) == (line, column)


SOURCE = """\
kind: market_unit
name: "Quoted"
composition:
  import_capacity_kw: 10.0
  assets:
  - category: BESS
    count: 1
  -   category: HVAC
      count: 2
"""


def test_source_map_positions_of_keys_values_and_list_items() -> None:
    parsed = parse_strict(SOURCE)
    assert parsed.problems == []
    smap = parsed.source_map
    assert smap.position(("kind",)) == (1, 1)
    assert smap.values[("name",)] == (2, 7)
    assert smap.position(("composition", "import_capacity_kw")) == (4, 3)
    assert smap.position(("composition", "assets", 0)) == (6, 5)
    assert smap.position(("composition", "assets", 1, "count")) == (9, 7)
    # Unknown locations fall back to the nearest known parent, and the root is line 1.
    assert smap.position(("composition", "assets", 1, "capacity_kw")) == (8, 7)
    assert smap.position(("composition", "assets", 7)) == (5, 3)
    assert smap.position(("nowhere", "deeper")) == (1, 1)


def test_locate_fills_only_missing_positions() -> None:
    problems = [
        Problem(RULES["SCH-VAL003"], "m", "h", ("composition", "assets", 1, "count")),
        Problem(RULES["YAML-VAL004"], "m", "h", ("name",), 3, 4),
        Problem(RULES["SCH-VAL001"], "m", "h", ()),
    ]
    located = locate(problems, SOURCE, None)
    assert [(p.line, p.column) for p in located] == [(9, 7), (3, 4), (1, 1)]
    assert locate(problems[1:2], SOURCE, None) == problems[1:2]


@pytest.mark.parametrize("brackets", [17, 200, 5000])
def test_deep_flow_nesting_is_refused_by_fmar_not_by_the_library(brackets: int) -> None:
    # Whatever nesting limit the installed PyYAML has, the verdict and position are fmar's own.
    parsed = parse_strict("kind: market_unit\nname: " + "[" * brackets + "]" * brackets + "\n")
    assert [(p.code, p.line, p.column, p.location) for p in parsed.problems] == [
        ("YAML-VAL009", 2, 22, ("name", *([0] * 15)))
    ]


def test_brackets_in_text_are_not_nesting() -> None:
    text = "kind: market_unit\nname: '" + "[" * 40 + "'\nnote: \"" + "{" * 40 + '"\nlist: [[1], [2]]\n'
    parsed = parse_strict(text)
    assert parsed.problems == []
    assert parsed.data == {"kind": "market_unit", "name": "[" * 40, "note": "{" * 40, "list": [[1], [2]]}
