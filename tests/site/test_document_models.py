"""The export documents are their models (``publish.documents``): derive builds them without
validating, ``formats.compact_json`` encodes their fields; that must be pydantic's own JSON of
them, and valid against them."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pydantic import BaseModel

from fmar.core.status import RecordedQualificationDoc, recorded_qualification_doc, unit_statuses
from fmar.publish import derive, formats
from fmar.publish.derive import Derived, ProductSummary
from fmar.publish.documents import Counts
from fmar.publish.inputs import signing_history
from fmar.validation.pipeline import Pipeline

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def _documents(bundled_registry: Path) -> list[BaseModel]:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    derived = Derived.of(registry, AS_OF, signing_history(registry))
    raw = {"id": "as stored"}
    docs: list[BaseModel] = [derive.index_doc(AS_OF, "0" * 40, dict.fromkeys(Counts.model_fields, 1))]
    for unit in registry.units.values():
        applications = [
            derive.application_entry(derived, a.id, raw, [raw] * len(registry.answers.get(a.id, [])))
            for a in registry.applications_by_unit.get(unit.id, [])
        ]
        docs.append(derive.unit_doc(derived, unit, raw, applications))
    docs += [derive.product_doc(derived, p, raw, ProductSummary(1, 1.5, 2.25)) for p in registry.products]
    docs += [derive.party_doc(derived, p, raw, 3) for p in registry.parties]
    table = derive.data_resource("t", "t.csv", b"a\r\n", "csv", "text/csv", schema=derive.table_schema(["a"]))
    docs.append(derive.data_package(AS_OF, [table, derive.data_resource("j", "j.json", b"{}", "json", "text/json")]))
    return docs


def test_documents_encode_as_pydantic_serialises_them(bundled_registry: Path) -> None:
    for doc in _documents(bundled_registry):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a field holding what its model does not declare
            dumped = doc.model_dump(mode="json")
        assert formats.compact_json(doc) == orjson.dumps(dumped, option=orjson.OPT_SORT_KEYS)
        type(doc).model_validate_json(formats.compact_json(doc))


def test_the_status_json_of_fmar_status_is_valid_against_its_model(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    registry.recorded_at.update(dict.fromkeys(list(registry.applications)[::2], AS_OF))
    for unit in registry.units:
        for _, all_of in unit_statuses(registry, unit, AS_OF):
            for q in all_of:
                doc = recorded_qualification_doc(q, registry.recorded_at)
                assert RecordedQualificationDoc.model_validate(doc.model_dump()) == doc
