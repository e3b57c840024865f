"""Changes the property test (test_gate_no_internal_errors.py) found that made ``fmar check`` fail
internally, each now answered by findings with their rule codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from trust_scenario import Scenario

PRODUCT = "registry/product/ENWL/ENWL-OU.yaml"
APPLICATION = "registry/application/2026/S/S1/APP-2026-S10WNSK7.yaml"


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[field] = value

    return change


@pytest.mark.parametrize(
    ("rel", "field", "value"),
    [
        # found: a product whose id is a list (TypeError: unhashable type: 'list', in the set of changed products)
        (PRODUCT, "id", []),
        # the same in the names a record relies on (its SO, FSP, product, signer)
        (APPLICATION, "so", ["SSEN"]),
        (APPLICATION, "product", {"id": "SSEN-OU"}),
    ],
    ids=["product_id_list", "application_so_list", "application_product_map"],
)
def test_an_id_or_name_that_is_not_text_is_a_schema_finding(
    scenario: Scenario, rel: str, field: str, value: Any
) -> None:
    """Re-signed by the record's own signer, so every check past the signature runs on it."""
    scenario.sign(rel, scenario.data(rel)["signature"]["signer"], change=_set(field, value))
    found = scenario.check().findings
    assert ("SCH-VAL003", f"$.{field}") in {(f.code, f.json_path) for f in found if f.path == rel}, found
