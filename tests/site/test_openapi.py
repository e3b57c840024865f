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


def test_the_write_side_is_described_and_a_webhook_body_matches_it(built) -> None:  # type: ignore[no-untyped-def]
    from fmar.core.model import Party
    from fmar.core.model.party import Webhook
    from fmar.core.workflow.webhooks import SIGNATURE_HEADER, requests_for

    _, site = built
    spec, path = _spec(site)
    for name, schema in spec["components"]["schemas"].items():
        target = Path(urljoin(path.as_uri(), schema["$ref"]).removeprefix("file://"))
        assert target.is_file(), f"{name}: {schema['$ref']} is not a file of the build"
        jsonschema.Draft202012Validator.check_schema(json.loads(target.read_text()))
    assert {"MarketUnitRecord", "ApplicationRecord", "OutcomeRecord", "EventRecord", "Webhook"} <= set(
        spec["components"]["schemas"]
    )
    guides = Path(urljoin(path.as_uri(), spec["externalDocs"]["url"]).removeprefix("file://"))
    assert guides.is_file()
    hook = spec["webhooks"]["notification"]["post"]
    assert SIGNATURE_HEADER in {p["name"] for p in hook["parameters"]}
    # A body fmar deliver would send validates against the schema the description names.
    hooks = [Webhook(url="https://flex.example.com/fmar", secret="FMAR_WEBHOOK_UKPN")]
    party = Party.model_construct(id="UKPN", webhooks=hooks)
    payload = {
        "recipient": "UKPN",
        "range": {"base": "a" * 40, "head": "b" * 40},
        "notifications": [
            {"recipient": "UKPN", "topic": "application_submitted", "record": "APP-2026-00000000",
             "application": "APP-2026-00000000", "title": "t", "summary": "s", "at": "2026-11-01T00:00:00Z",
             "package": {"format": "x"}},
        ],
    }  # fmt: skip
    (request,) = requests_for({"UKPN": party}, [payload])
    webhook_ref = urljoin(path.as_uri(), spec["components"]["schemas"]["Webhook"]["$ref"])
    schema = json.loads(Path(webhook_ref.removeprefix("file://")).read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(request.body))
