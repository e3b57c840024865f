"""The committed JSON Schemas match the models, are well-formed draft 2020-12, and accept every bundled record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from tests.conftest import BUNDLED_REGISTRY, ROOT

from fmar.cli import cli
from fmar.cli.schema_cmd import drift
from fmar.core import schemas
from fmar.core.model import KINDS, SCHEMA_VERSION
from fmar.core.record_paths import path_of

SCHEMAS = ROOT / "schemas"


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / schemas.file_name(kind)).read_text(encoding="utf-8"))


def test_committed_schemas_match_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    assert drift(SCHEMAS) == []
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["schema", "check"])
    assert result.exit_code == 0, result.output
    assert "match" in result.output


def test_drift_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, copy)
    path = copy / schemas.file_name("outcome")
    path.write_text(path.read_text(encoding="utf-8").replace('"maximum": 10000000', '"maximum": 1'), encoding="utf-8")
    (copy / schemas.file_name("market_unit")).unlink()
    (copy / "stray.v1.schema.json").write_text("{}", encoding="utf-8")
    assert drift(copy) == ["market_unit", "outcome", "unexpected file stray.v1.schema.json"]
    result = CliRunner().invoke(cli, ["schema", "check", "--dir", str(copy)])
    assert result.exit_code == 1


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_schema_is_draft_2020_12_with_an_id_and_a_version(kind: str) -> None:
    schema = _schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:fmar:schema:{kind}:v{SCHEMA_VERSION}"
    assert schema["x-fmar-schema-version"] == SCHEMA_VERSION
    assert schema["x-fmar-kind"] == kind
    assert schema["additionalProperties"] is False


#: Kinds the bundled example has no record of: an import attestation belongs to a registry that took
#: over an earlier register (tests/trust/test_import_attestation.py writes and checks one).
NOT_BUNDLED = {"import_attestation"}


@pytest.mark.parametrize("kind", sorted(set(KINDS) - NOT_BUNDLED))
def test_every_bundled_record_validates_against_its_schema(kind: str) -> None:
    validator = Draft202012Validator(_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
    files = sorted((BUNDLED_REGISTRY / kind).rglob("*.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path.name


def test_the_schema_refuses_personal_data_fields() -> None:
    data = yaml.safe_load(
        (BUNDLED_REGISTRY / path_of("market_unit", "MU-VOLTAFLEX-000001")).read_text(encoding="utf-8")
    )
    validator = Draft202012Validator(_schema("market_unit"))
    for field in ("mpan", "postcode", "owner_name"):
        assert not validator.is_valid({**data, field: "x"})
