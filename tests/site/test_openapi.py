"""The OpenAPI 3.1 description of the exports: valid (an independent validator), every path it names
is a file of the build, and every JSON document validates against the schema it declares."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
from openapi_spec_validator import validate

from fmar.publish.openapi import OPENAPI, described_paths
from fmar.publish.urls import API_ROOT


def _spec(site: Path) -> tuple[dict, Path]:  # type: ignore[type-arg]
    path = site / API_ROOT / OPENAPI
    return json.loads(path.read_text()), path


def _files(api: Path, template: str) -> list[Path]:
    """The build's files a path template names (``/units/{unit}.json``: every unit's document)."""
    pattern = re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(template.lstrip("/"))) + "$")
    return sorted(p for p in api.rglob("*") if p.is_file() and pattern.match(p.relative_to(api).as_posix()))


def test_the_description_passes_an_openapi_validator(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    spec, path = _spec(site)
    validate(spec, base_uri=path.as_uri())
    assert spec["openapi"] == "3.1.0" and sorted(spec["paths"]) == described_paths()
    assert spec["servers"] == [{"url": "./", "description": "The registry's site"}], "relative: works at any base path"


def test_every_described_path_is_a_file_of_the_build(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    spec, _ = _spec(site)
    api = site / API_ROOT
    for template in spec["paths"]:
        found = _files(api, template)
        assert found, f"{template}: no such file in the build"
        if "{" in template:
            parameter = spec["paths"][template]["parameters"][0]["schema"]["pattern"]
            assert all(re.match(parameter, p.name.rsplit(".", 1)[0]) for p in found), template
    # ...and every export the build writes at the API folder's top is described.
    top = {f"/{p.name}" for p in api.iterdir() if p.is_file() and p.name != OPENAPI}
    assert top <= set(spec["paths"]), top - set(spec["paths"])


def test_every_json_document_validates_against_the_schema_it_declares(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    spec, path = _spec(site)
    api = site / API_ROOT
    checked = 0
    for template, item in spec["paths"].items():
        content = item["get"]["responses"]["200"]["content"]
        if "application/json" not in content:
            continue
        reference = urljoin(path.as_uri(), content["application/json"]["schema"]["$ref"])
        schema = json.loads(Path(reference.removeprefix("file://")).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for document in _files(api, template):
            validator.validate(json.loads(document.read_text()))
            checked += 1
    assert checked > 50
