"""benchmarks/search_bench.py's own logic: result links read as records of the site, and the section
benchmarks/run.py writes from its results (the browser runs themselves are the benchmark's, by hand)."""

from __future__ import annotations

import importlib
import json
import sys
from types import ModuleType

from tests.conftest import ROOT


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_a_result_link_is_read_as_the_record_it_leads_to() -> None:
    bench = _module("search_bench")

    def record(url: str, base: str = "/fmar/") -> tuple[str, str]:
        result = bench.as_result(url, "", base)
        return result.kind, result.id

    served = bench.as_result("http://127.0.0.1:8000/fmar/units/MU-X-000001.html#APP-1", " Dundee works ", "/fmar/")
    assert (served.kind, served.id, served.title) == ("units", "MU-X-000001", "Dundee works")
    assert record("http://h/fmar/products/NESO-DC.html") == ("products", "NESO-DC")
    assert record("http://h/fmar/guides/fsp-guide.html") == ("guides", "fsp-guide")
    # A folder (what Pagefind links without --keep-index-url) and a page at the site's root.
    assert record("http://h/fmar/units/") == ("units", "index")
    assert record("http://h/fmar/catalogue.html") == ("", "catalogue")
    assert record("file:///work/x/site/parties/NPG.html", "/work/x/site/") == ("parties", "NPG")


def test_the_queries_name_what_they_must_find(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bench = _module("search_bench")
    api = tmp_path / "api" / "v2"
    (api / "parties").mkdir(parents=True)
    (api / "units").mkdir()
    (api / "parties" / "A.json").write_text(json.dumps({"record": {"name": "Synthetic FSP A"}}))
    battery = {"record": {"name": "Perth grid battery", "fsp": "A", "composition": {"assets": [{"category": "BESS"}]}}}
    works = {"record": {"name": "Dundee works", "fsp": "A", "composition": {"assets": []}}}
    farm = {"record": {"name": "Ayr farm", "fsp": "B", "composition": {"assets": []}}}
    for unit_id, doc in (("MU-A-000001", works), ("MU-A-000002", battery), ("MU-B-000001", farm)):
        (api / "units" / f"{unit_id}.json").write_text(json.dumps(doc))
    queries = {q.label: q for q in bench.queries(tmp_path)}
    result = bench.Result
    assert queries["full unit id"].text == "MU-A-000002"
    assert queries["id fragment"].expected(result("", "units", "MU-B-000001", ""))
    assert not queries["id fragment"].expected(result("", "parties", "MU-B-000001", ""))
    assert queries["FSP name"].text == "Synthetic FSP A"
    assert queries["FSP name"].expected(result("", "parties", "A", ""))
    assert queries["word of a unit name"].text == "Perth"
    assert queries["technology"].expected(result("", "units", "MU-A-000002", ""))
    assert not queries["technology"].expected(result("", "units", "MU-A-000001", ""))
    assert queries["product id"].expected(result("", "products", "NESO-DC", ""))


def test_the_results_section_lists_every_engine_of_every_recorded_size() -> None:
    run = _module("run")
    recorded = sorted((ROOT / "benchmarks" / "results").glob("search-*.json"))
    lines = run.search_section()
    assert bool(recorded) == bool(lines)
    for path in recorded:
        figures = json.loads(path.read_text())
        for engine in figures["engines"]:
            assert any(line.startswith(f"| {figures['units']:,} | {engine} |") for line in lines), engine
