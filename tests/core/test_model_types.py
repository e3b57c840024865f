"""Numbers in records are numbers: the models refuse quoted numbers and booleans, as the JSON Schemas do."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from tests.conftest import BUNDLED_REGISTRY

from fmar.core import schemas
from fmar.core.record_paths import path_of
from fmar.loading.record_file import check_data


def _unit() -> dict[str, Any]:
    return yaml.safe_load((BUNDLED_REGISTRY / path_of("market_unit", "MU-VOLTAFLEX-000001")).read_text())


def _product() -> dict[str, Any]:
    return yaml.safe_load((BUNDLED_REGISTRY / path_of("product", "NESO-DC")).read_text())


CASES = [
    ("market_unit", ("composition", "import_capacity_kw"), "2000.0"),
    ("market_unit", ("composition", "assets", 0, "capacity_kw"), True),
    ("market_unit", ("schema_version",), "1"),
    ("market_unit", ("schema_version",), True),
    ("product", ("versions", 0, "full_delivery_s"), "1.0"),
    ("product", ("versions", 0, "material_change", "capacity_change_pct"), "10"),
]


def _set(data: dict[str, Any], location: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for part in location[:-1]:
        node = node[part]
    node[location[-1]] = value


@pytest.mark.parametrize(("kind", "location", "value"), CASES)
def test_quoted_numbers_and_booleans_are_type_errors(kind: str, location: tuple[str | int, ...], value: Any) -> None:
    data = copy.deepcopy(_unit() if kind == "market_unit" else _product())
    _set(data, location, value)
    record, problems = check_data(kind, data["id"], data)
    assert record is None
    assert [(p.code, p.location) for p in problems] == [("SCH-VAL003", location)]
    # The JSON Schema, read independently of pydantic, refuses the same value.
    assert list(Draft202012Validator(schemas.record_schema(kind)).iter_errors(data))


def test_integers_still_count_as_numbers() -> None:
    data = _unit()
    data["composition"]["import_capacity_kw"] = 2000
    record, problems = check_data("market_unit", data["id"], data)
    assert problems == [] and record is not None


def test_a_value_outside_a_list_is_refused_with_the_allowed_values_as_written() -> None:
    """Allowed values are case-sensitive, so the fix quotes them as they must be written."""
    data = _unit()
    data["licence_area"] = "ukpn_epn"
    record, problems = check_data("market_unit", data["id"], data)
    assert record is None
    [problem] = problems
    assert (problem.code, problem.location) == ("SCH-VAL004", ("licence_area",))
    assert "'UKPN_EPN'" in problem.hint and "'ENWL'" in problem.hint and "ukpn_epn" not in problem.hint
