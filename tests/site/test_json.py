"""The JSON encoders of the exports: orjson where it can, the standard library where it cannot, one layout."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmar.publish.formats import compact_json, json_bytes
from fmar.validation.pipeline import data_json

_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_FLOATS = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(lambda f: round(f, 3))
_JSON = st.recursive(
    _SCALARS | _FLOATS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _standard(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@given(_JSON)
def test_compact_json_is_the_standard_encoding_for_export_values(value: object) -> None:
    # Export values: strings, integers, capacities in kW (two or three decimals), lists, objects.
    assert compact_json(value) == _standard(value)
    assert json.loads(json_bytes(value)) == value
    assert json_bytes(value).endswith(b"\n")


@pytest.mark.parametrize("value", [{"count": 2**70}, {2: "b", 1: "a"}], ids=["int-beyond-64-bits", "non-string-key"])
def test_what_orjson_refuses_is_encoded_by_the_standard_library(value: object) -> None:
    assert compact_json(value) == _standard(value)


def test_record_data_that_is_not_plain_json_is_left_to_the_reader() -> None:
    assert data_json({"name": "Unit", "capacity_kw": 1.5}) == b'{"name":"Unit","capacity_kw":1.5}'
    assert data_json({"at": datetime(2026, 1, 1, tzinfo=UTC)}) is None
    assert data_json({"count": 2**70}) is None
    assert data_json(None) is None
