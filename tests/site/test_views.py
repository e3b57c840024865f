"""What the unit table's filters, the product pages and the SO pages answer, on the built test site:
the right question, each time (issue 15)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import product as combinations
from pathlib import Path

from test_exports import filter_index, indexed_units

from conftest import AS_OF, PAGE_SIZE
from fmar.core.status import HOLDING, Status
from fmar.core.workflow import service_levels
from fmar.publish import pages, records
from fmar.publish.build import build
from fmar.publish.derive import Derived
from fmar.publish.facts import unit_facts
from fmar.publish.inputs import signing_history
from fmar.publish.ledger import ChangeLedger
from fmar.publish.overview import Overview
from fmar.publish.records import open_applications
from fmar.validation.pipeline import Pipeline

API = "api/v2"
#: The test registry's unit with two products in two statuses (NESO-DC qualified, UKPN-PR
#: conditionally qualified): the unit the per-unit filters answered wrongly for.
TWO_STATUSES = "MU-VOLTAFLEX-000001"


def _index_entries(site: Path, name: str, value: str) -> list[list[str]]:
    """Every entry of the filter index of ``name`` = ``value``, as the browser reads it page by page."""
    return filter_index(site, site / "filters" / name / f"{pages.value_key(value)}.js")[2]


def _list_pages(site: Path, folder: str) -> str:
    """Every page of a paged list, joined."""
    return "".join(p.read_text() for p in [site / folder / "index.html", *sorted((site / folder).glob("page-*.html"))])


def _per_pair(entry: list[str], chosen: dict[str, str]) -> bool:
    """The rule site.js applies: SO, product and status met by one (product, SO, status) token."""
    tokens = [token.split("|") for token in entry[pages.PAIRS].split()]
    wanted = {pages.PAIR_PARTS[name]: value for name, value in chosen.items()}
    return any(all(token[part] == value for part, value in wanted.items()) for token in tokens)


def _per_unit(entry: list[str], chosen: dict[str, str]) -> bool:
    """The rule the unit table had: each filter met by some product of the unit, each its own."""
    return all(value in pages.filter_values(entry, name) for name, value in chosen.items())


def test_filters_match_one_products_status_not_any(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    qualifications = json.loads((site / API / "qualifications.json").read_text())["qualifications"]
    products = {q["product"] for q in qualifications}
    sos = {q["so"] for q in qualifications}
    statuses = {q["status"] for q in qualifications}
    # The index entry lists each product's governing status, exactly as qualifications.json has it.
    for entry in indexed_units(site):
        expected = [
            pages.pair_token(q["product"], q["so"], q["status"]) for q in qualifications if q["unit"] == entry[0]
        ]
        assert entry[pages.PAIRS] == " ".join(expected)

    wrong = []
    for chosen in (
        *({"product": p, "status": s} for p, s in combinations(sorted(products), sorted(statuses))),
        *({"so": so, "status": s} for so, s in combinations(sorted(sos), sorted(statuses))),
    ):
        truth = {q["unit"] for q in qualifications if all(q[name] == value for name, value in chosen.items())}
        # The browser scans the index of one chosen value (it picks the one with fewest units).
        scanned = _index_entries(site, "status", chosen["status"])
        assert {e[0] for e in scanned if _per_pair(e, chosen)} == truth, chosen
        if {e[0] for e in scanned if _per_unit(e, chosen)} != truth:
            wrong.append((chosen, sorted({e[0] for e in scanned if _per_unit(e, chosen)} - truth)))
    # The wrong answer the per-unit rule gave: NESO-DC "conditionally qualified" listed the unit
    # whose NESO-DC status is Qualified (its UKPN-PR one is the conditional one).
    assert ({"product": "NESO-DC", "status": "conditionally_qualified"}, [TWO_STATUSES]) in wrong
    assert ({"so": "NESO", "status": "conditionally_qualified"}, [TWO_STATUSES]) in wrong


def test_product_pages_count_units_holding_a_qualification(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    qualifications = json.loads((site / API / "qualifications.json").read_text())["qualifications"]
    by_product: dict[str, Counter[str]] = {}
    for q in qualifications:
        by_product.setdefault(q["product"], Counter())[q["status"]] += 1
    for path in sorted((site / API / "products").glob("*.json")):
        doc = json.loads(path.read_text())
        counts = by_product.get(doc["id"], Counter())
        assert doc["status_counts"] == {str(s): counts[str(s)] for s in Status}
        assert doc["qualified_units"] == sum(counts[str(s)] for s in HOLDING)
        page = (site / "products" / f"{doc['id']}.html").read_text()
        holders = sorted(q["unit"] for q in qualifications if q["product"] == doc["id"] and q["status"] in HOLDING)
        listed = re.findall(r'<li><a href="\.\./units/([^"]+)\.html">', page.split("<h2>Qualified units</h2>")[1])
        assert listed == holders[:100]
        for status, n in counts.items():
            assert f'<a href="../units/index.html?product={doc["id"]}&amp;status={status}">{n}</a>' in page
    # Suspended and re-assessment-required units hold no qualification in force: not counted.
    suspended = json.loads((site / API / "products" / "NESO-QR.json").read_text())
    assert suspended["status_counts"]["suspended"] == 1 and suspended["qualified_units"] == 0
    reassess = json.loads((site / API / "products" / "NGED-OU.json").read_text())
    assert reassess["status_counts"]["reassessment_required"] == 1 and reassess["qualified_units"] == 0
    assert "0 unit(s) hold a qualification" in (site / "products" / "NESO-QR.html").read_text()
    rows = _list_pages(site, "products")
    assert re.search(r"NESO-QR</a></td><td>[^<]*</td><td>NESO</td><td>[^<]*</td><td>0</td>", rows)


def test_so_pages_show_due_dates_as_fmar_inbox_does(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    for as_of in (AS_OF, AS_OF + timedelta(days=20), AS_OF + timedelta(days=60)):
        derived = Derived.of(registry, as_of, signing_history(registry))
        facts = {unit: unit_facts(derived, unit) for unit in registry.units}
        overview = Overview(as_of, None, registry.parties, registry.products, registry.processes, facts, ChangeLedger())
        overdue = 0
        for so in sorted(p.id for p in registry.parties.values() if p.role.is_system_operator):
            shown = {q["application"]: q for q in open_applications(overview.open_applications(so), as_of)}
            clocks = {c.application: c for c in service_levels.inbox(registry, so, as_of)}
            assert shown.keys() == clocks.keys()
            for application, clock in clocks.items():
                q = shown[application]
                assert q["waiting_for"] == clock.waiting_for
                assert q["due"] == (clock.due_at.isoformat().replace("+00:00", "Z") if clock.due_at else None)
                assert q["overdue"] == clock.overdue
                overdue += clock.overdue
        if as_of == AS_OF + timedelta(days=60):
            assert overdue, "60 days on, ENWL's decision is overdue"


def _so_page(site: Path, so: str) -> str:
    return (site / "parties" / f"{so}.html").read_text()


def test_so_page_changes_when_an_application_falls_due_not_with_every_as_of(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    page = _so_page(site, "ENWL")
    # Due 2026-10-25 (acknowledgement), overdue at the build's as-of time: marked, without a day count.
    assert re.search(r'data-fmar-due="2026-10-25T[^"]*">since 2026-10-25 01:00 BST</span>', page)
    assert '<time datetime="2026-11-30T00:00:00Z">2026-11-30</time></td>\n<td>—</td>' in _so_page(site, "NESO")
    assert "days" not in page.split("Open applications")[1].split("</table>")[0]
    out = tmp_path / "site"
    build(repo.path, repo.path / "registry", out, AS_OF + timedelta(days=1), jobs=1, page_size=PAGE_SIZE)
    # A day on, nothing else fell due: the SO pages keep their bytes; build.js tells the script the time.
    for so in ("ENWL", "NESO", "SSEN"):
        assert _so_page(out, so) == _so_page(site, so), so
    assert '"as_of":"2026-11-02T00:00:00Z"' in (out / "build.js").read_text()
    # Past NESO's due date (2026-11-30), the incremental build marks it overdue.
    later = datetime(2026, 12, 1, tzinfo=UTC)
    result = build(repo.path, repo.path / "registry", out, later, jobs=1, page_size=PAGE_SIZE)
    assert not result.full
    assert re.search(r'data-fmar-due="2026-11-30T[^"]*">since 2026-11-30</span>', _so_page(out, "NESO"))


def test_an_so_page_lists_the_applications_waiting_longest_and_links_the_rest(  # type: ignore[no-untyped-def]
    built, tmp_path: Path, monkeypatch
) -> None:
    repo, _ = built
    monkeypatch.setattr(records, "OPEN_LISTED", 1)
    out = tmp_path / "site"
    build(repo.path, repo.path / "registry", out, AS_OF, jobs=1, page_size=PAGE_SIZE)
    waiting: dict[str, list[tuple[str, str]]] = {}
    for path in (out / API / "units").glob("*.json"):
        for entry in json.loads(path.read_text())["applications"]:
            if entry["status"]["status"] in ("pending", "under_assessment", "information_requested"):
                waiting.setdefault(entry["record"]["so"], []).append((entry["status"]["since"], entry["id"]))
    so = max(waiting, key=lambda s: len(waiting[s]))
    assert len(waiting[so]) > 1
    page = _so_page(out, so)
    table = page.split('<table id="fmar-open">')[1].split("</table>")[0]
    assert len(re.findall(r"<tr><td>", table)) == 1
    assert f"{len(waiting[so])} open," in page and min(waiting[so])[1] in table
    assert "The 1 waiting longest are listed" in page
    for status in ("pending", "under_assessment", "information_requested"):
        assert f'href="../units/index.html?so={so}&amp;status={status}"' in page


def _links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def test_views_are_linked_relatively(built) -> None:  # type: ignore[no-untyped-def]
    _, site = built
    page = (site / "products" / "UKPN-PR.html").read_text()
    view = "../units/index.html?product=UKPN-PR&amp;status=conditionally_qualified"
    assert f'<a href="{view}">1</a>' in page
    assert all(not link.startswith("/") for link in _links(page))
    listing = (site / "units" / "index.html").read_text()
    assert 'id="fmar-csv-all" href="../api/v2/units.csv"' in listing
    assert '<th data-sort="licence-area">Licence area</th>' in listing
