"""The exports: valid against their generated schemas (independent validator), deterministic, safe."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import AS_OF, FORMULA_NAME, HOSTILE_NAME, PAGE_SIZE
from fmar.core.model import KINDS
from fmar.loading.record_file import parse_text
from fmar.publish import pages
from fmar.publish.build import build
from fmar.publish.documents import schema_file
from fmar.publish.formats import neutralise
from fmar.publish.urls import API_ROOT, page_url
from fmar.signing.canonical import canonical_bytes
from fmar.trust.signatures import verifies_over

API = API_ROOT


def _validator(site: Path, name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((site / "schemas" / schema_file(name)).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_export_validates_against_its_schema(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    api = site / API
    _validator(site, "index").validate(json.loads((api / "index.json").read_text()))
    _validator(site, "qualifications").validate(json.loads((api / "qualifications.json").read_text()))
    _validator(site, "datapackage").validate(json.loads((api / "datapackage.json").read_text()))
    checked = 0
    for folder, name in (
        ("units", "unit"),
        ("products", "product"),
        ("parties", "party"),
    ):
        validator = _validator(site, name)
        for path in sorted((api / folder).glob("*.json")):
            validator.validate(json.loads(path.read_text()))
            checked += 1
    assert checked > 40


def test_datapackage_hashes_and_frictionless(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    api = site / API
    package = json.loads((api / "datapackage.json").read_text())
    import hashlib

    for resource in package["resources"]:
        data = (api / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(api / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_unit_document_names_each_records_signed_file(built) -> None:  # type: ignore[no-untyped-def]
    """A unit's document carries each record's data without its signature's value, and the path of
    its signed file in the repository: that file holds the same data, signed by the signer the
    document names, with the key it names, verifiable with the key the signer's party record holds."""
    repo, site = built
    doc = json.loads((site / API / "units" / "MU-VOLTAFLEX-000001.json").read_text())
    entries = [doc, *doc["applications"], *(answer for a in doc["applications"] for answer in a["answers"])]
    assert len(entries) >= 3
    for entry in entries:
        signed, _, _ = parse_text((repo.path / entry["path"]).read_text())
        signature = signed.pop("signature")
        assert signed == entry["record"] and "signature" not in entry["record"]
        assert signature["signer"] == entry["signer"]
        party = json.loads((site / API / "parties" / f"{entry['signer']}.json").read_text())
        keys = [k["public_key"] for k in party["record"]["keys"]]
        assert any(
            verifies_over(canonical_bytes({**signed, "signature": signature}), signature["value"], k) for k in keys
        )
    governing = {a["id"]: a["status"]["status"] for a in doc["applications"]}
    assert next(governing[application] for application in doc["products"].values()) == "qualified"
    assert doc["recorded"]["commit"] is None or len(doc["recorded"]["commit"]) == 40
    index = json.loads((site / API / "index.json").read_text())
    assert index["as_of"] == "2026-11-01T00:00:00Z"
    qualifications = json.loads((site / API / "qualifications.json").read_text())
    assert qualifications["as_of"] == index["as_of"]
    assert "as_of" not in doc and "2026-11-01T00:00" not in (site / "units" / "MU-VOLTAFLEX-000001.html").read_text()
    assert len(index["registry_commit"]) == 40
    assert index["counts"]["market_units"] == 16
    assert set(index["schema_versions"]) >= set(KINDS)


def test_hostile_text_is_escaped_in_every_format(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    page = (site / "units" / "MU-KESTREL-000099.html").read_text()
    assert "<script>window.pwned" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    rows = list(csv.reader(io.StringIO((site / API / "units.csv").read_text())))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["MU-KESTREL-000098"] == "'" + FORMULA_NAME
    assert names["MU-KESTREL-000099"] == HOSTILE_NAME
    feed = (site / API / "feeds" / "all.atom").read_text()
    assert "<script>" not in feed
    import xml.etree.ElementTree as ET

    ET.fromstring(feed.encode())
    changes = list(csv.reader(io.StringIO((site / API / "changes.csv").read_text())))
    assert changes[0] == ["recorded_at", "kind", "id", "action", "commit", "signer", "fields"]
    assert changes[1:] == sorted(changes[1:])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.5", "-1.5"),
        ("a=b", "a=b"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_is_byte_for_byte_deterministic_and_incremental(built) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    first = _tree(site)
    other = site.parent / "again"
    build(repo.path, repo.path / "registry", other, AS_OF, jobs=2, page_size=PAGE_SIZE)
    second = _tree(other)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    with zipfile.ZipFile(site / API / "all.zip") as archive:
        assert archive.namelist() == sorted(archive.namelist())
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    bulk = other / API / "all.zip"
    inode = bulk.stat().st_ino
    again = build(repo.path, repo.path / "registry", other, AS_OF, jobs=1, page_size=PAGE_SIZE)
    assert again.pages_written == 0
    assert bulk.stat().st_ino == inode, "an unchanged export must not rewrite all.zip"


def test_bulk_zip_is_the_whole_export(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    api = site / API
    expected = {
        p.relative_to(site).as_posix(): p.read_bytes()
        for folder in (api, site / "schemas")
        for p in folder.rglob("*")
        if p.is_file() and p.name not in ("all.zip", "datapackage.json")
    }
    with zipfile.ZipFile(api / "all.zip") as archive:
        assert archive.testzip() is None
        contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents == expected
    assert "api/v2/units/MU-KESTREL-000099.json" in contents
    assert not any(name.startswith(f"{API}/applications/") for name in contents), "in their units' documents"
    assert any(name.startswith("schemas/export-unit") for name in contents)
    package = json.loads((api / "datapackage.json").read_text())
    (bulk,) = [r for r in package["resources"] if r["path"] == "all.zip"]
    assert bulk["entries"] == len(expected)


@pytest.mark.parametrize(
    ("module", "function", "error"),
    [
        ("lists", "write_lists", KeyboardInterrupt),  # in the build's own process
        ("exports", "write_exports", OSError),  # in the child process that writes the exports
    ],
)
def test_interrupted_build_leaves_the_previous_site_whole(built, monkeypatch, module, function, error) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    before = _tree(site)
    from fmar import publish

    def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise error("interrupted")

    monkeypatch.setattr(getattr(publish, module), function, fail)
    with pytest.raises(error):
        build(repo.path, repo.path / "registry", site, AS_OF, jobs=1, page_size=PAGE_SIZE)
    assert _tree(site) == before
    assert not any(p.name.endswith(".building") for p in site.parent.iterdir())


def data_of_script(site: Path, path: Path) -> Any:
    """The JSON a data script of the site (``pages.data_script``) hands to ``fmarData``, checking its name."""
    text = path.read_text()
    name = path.relative_to(site).with_suffix("").as_posix()
    prefix = f"fmarData({json.dumps(name)},"
    assert text.startswith(prefix) and text.endswith(");\n"), path
    return json.loads(text[len(prefix) : -3])


def indexed_units(site: Path) -> list[list[str]]:
    """Every unit as the site's index holds it (the search index's chunks, ``search/units-N.js``),
    in its order: each as the unit table reads it (``pages.unit_entry``: id, name, FSP, licence
    area, product|SO|status tokens)."""
    lines: list[str] = []
    for number in range(1, len(list((site / "search").glob("units-*.js"))) + 1):
        text = data_of_script(site, site / "search" / f"units-{number}.js")["units"]
        lines.extend(text.split("\n") if text else [])
    return [[u[0], u[1], u[2], u[5], u[6]] for u in (line.split("\t") for line in lines)]


def filter_index(site: Path, path: Path) -> tuple[str, str, list[list[str]]]:
    """A filter index of the site (``filters/<filter>/<key>.js``): its filter, its value and the
    units it lists, read from the site's index as the browser reads them."""
    data, units = data_of_script(site, path), indexed_units(site)
    return data["filter"], data["value"], [units[number] for number in data["units"]]


def test_filter_indexes_list_every_unit_under_each_of_its_values(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    qualifications = json.loads((site / API / "qualifications.json").read_text())["qualifications"]
    units = {p.stem: json.loads(p.read_text())["record"] for p in (site / API / "units").glob("*.json")}
    expected: dict[tuple[str, str], set[str]] = {}
    for unit_id, record in units.items():
        expected.setdefault(("fsp", record["fsp"]), set()).add(unit_id)
        expected.setdefault(("area", record["licence_area"]), set()).add(unit_id)
    for q in qualifications:
        for name in ("so", "product", "status"):
            expected.setdefault((name, q[name]), set()).add(q["unit"])
    found: dict[tuple[str, str], set[str]] = {}
    for path in sorted((site / "filters").rglob("*.js")):
        name, value, listed = filter_index(site, path)
        assert path.name == f"{pages.value_key(value)}.js" and path.parent.name == name
        assert [unit[0] for unit in listed] == sorted(unit[0] for unit in listed), "in id order"
        found.setdefault((name, value), set()).update(unit[0] for unit in listed)
    assert found == expected
    assert sorted(unit[0] for unit in indexed_units(site)) == [unit[0] for unit in indexed_units(site)]
    listing = (site / "units" / "index.html").read_text()
    assert listing.count("<tr>\n<td><a") == PAGE_SIZE
    assert 'data-key="ENWL"' in listing


def test_applications_are_sections_of_their_units_pages(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    assert not (site / "applications").exists()
    with pytest.raises(KeyError):
        page_url("application", "APP-2024-5BK6KDHW")  # no page of its own to link to
    # Every link to an application, on every page, is to a section its unit's page has.
    for page in site.rglob("*.html"):
        for unit, application in re.findall(r'href="(?:\.\./)*units/([^"#]+)\.html#(APP-[^"]+)"', page.read_text()):
            assert f'<section id="{application}"' in (site / "units" / f"{unit}.html").read_text(), (page, application)
    assert not (site / API / "applications").exists(), "an application is an entry of its unit's document"
    documents = sorted((site / API / "units").glob("*.json"))
    assert sum(len(json.loads(path.read_text())["applications"]) for path in documents) > 10
    for path in documents:
        doc = json.loads(path.read_text())
        # Links are references relative to the document (RFC 3986), so they resolve at any base path.
        assert doc["links"]["page"] == f"../../../units/{doc['id']}.html"
        assert set(doc["links"]) == {"page"}
        unit_page = (path.parent / doc["links"]["page"]).resolve().read_text()
        for application in doc["applications"]:
            assert application["record"]["unit"] == doc["id"]
            assert f'<section id="{application["id"]}"' in unit_page


def test_index_counts_the_pairs_holding_a_qualification_apart_from_the_others_standing(built) -> None:  # type: ignore[no-untyped-def]
    """``qualified_pairs`` counts what the product pages count (qualified, conditionally qualified);
    ``live_pairs`` adds the suspended and those due for re-assessment."""
    _, site = built
    counts = json.loads((site / API / "index.json").read_text())["counts"]
    statuses = [q["status"] for q in json.loads((site / API / "qualifications.json").read_text())["qualifications"]]
    holding = {"qualified", "conditionally_qualified"}
    assert counts["qualified_pairs"] == sum(s in holding for s in statuses)
    assert counts["live_pairs"] == sum(s in holding | {"suspended", "reassessment_required"} for s in statuses)
    assert counts["live_pairs"] > counts["qualified_pairs"] > 0, "the test registry has suspended pairs"
