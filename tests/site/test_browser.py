"""The built site in real Chromium: pages load cleanly, search and filters work, hostile text stays text."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from urllib.parse import urljoin

import pytest

from conftest import FORMULA_NAME, HOSTILE_NAME, PAGE_SIZE
from fmar.core import gb_time

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing in CI: scripts/test.sh installs it")
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it when run as root)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


#: Where the tests serve the site: a sub-path, as GitHub Pages serves a project site.
BASE = "/fmar/"


def test_site_in_chromium(built, browser) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    from fmar.publish.serve import in_background

    _, site = built
    httpd, base = in_background(site, BASE)
    try:
        page = browser.new_page()
        errors: list[str] = []
        # (A JSON document has no icon link: for it the browser itself asks the host's root for favicon.ico.)
        page.on(
            "console",
            lambda m: (
                errors.append(f"{m.text} {m.location}")
                if m.type == "error" and m.location.get("url") != base.rsplit("/", 1)[0] + "/favicon.ico"
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        # Nothing the site asks for lies outside its base path: the rest of the host is someone else's.
        page.on("request", lambda r: errors.append(f"outside {r.url}") if not r.url.startswith(base + "/") else None)
        pages = [
            "/",
            "/catalogue.html",
            "/practices.html",
            "/rules.html",
            "/api-reference.html",
            "/schema-reference.html",
            "/guides/fsp-guide.html",
            "/units/index.html",
            "/units/MU-VOLTAFLEX-000001.html",
            "/units/MU-KESTREL-000099.html",
            "/products/NESO-DC.html",
            "/parties/NESO.html",
            "/parties/VOLTAFLEX.html",
        ]
        axe = Axe()
        for path in pages:
            response = page.goto(base + path)
            assert response is not None and response.ok, path
            assert _styled(page), f"{path}: the theme's stylesheet did not apply"
            results = axe.run(page)
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            detail = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], (path, detail)
        assert errors == []
        _click_through(page, base + "/")
        assert errors == []

        # A record page says the time its statuses hold at (the build's, which the page does not hold).
        as_of = json.loads((site / "api/v2/index.json").read_text())["as_of"]
        page.goto(base + "/units/MU-VOLTAFLEX-000001.html")
        page.wait_for_selector("[data-fmar-as-of]:not([hidden])")
        shown = gb_time.shown_time(as_of)
        assert shown.endswith((" GMT", " BST")) and f"Statuses as of {shown}," in page.inner_text("[data-fmar-as-of]")
        assert as_of[:16] not in (site / "units/MU-VOLTAFLEX-000001.html").read_text()

        # The hostile unit: its name is text, nothing ran, no javascript: link.
        page.goto(base + "/units/MU-KESTREL-000099.html")
        assert "<script>window.pwned=1</script>" in page.inner_text("h1")
        assert page.evaluate("window.pwned") is None
        assert page.locator("a[href^='javascript:']").count() == 0

        # An application is a section of its unit's page (and an entry of its unit's document): the
        # status table and the SO's open applications link to it, and it shows the application's
        # status and outcomes; the records table says who signed it and when it was recorded.
        unit_doc = json.loads((site / "api/v2/units/MU-VOLTAFLEX-000001.json").read_text())
        application = sorted(unit_doc["products"].items())[0][1]
        assert application in [entry["id"] for entry in unit_doc["applications"]]
        document_url = f"{base}/api/v2/units/MU-VOLTAFLEX-000001.json"
        assert urljoin(document_url, unit_doc["links"]["page"]) == f"{base}/units/MU-VOLTAFLEX-000001.html"
        page.goto(base + "/units/MU-VOLTAFLEX-000001.html")
        page.click(f"#fmar-statuses a[href$='#{application}']")
        section = page.locator(f"section#{application}")
        assert section.is_visible()
        assert application in section.inner_text()
        assert "by VOLTAFLEX" in section.locator(".fmar-recorded").first.inner_text()
        page.goto(base + "/parties/NESO.html")
        hrefs = page.eval_on_selector_all("a[href*='.html#APP-']", "links => links.map(l => l.href)")
        assert hrefs, "NESO has open applications, each linked to its section of its unit's page"
        for href in hrefs[:3]:
            page.goto(href)
            assert page.locator(f"section#{href.rsplit('#', 1)[1]}").count() == 1, href

        # The unit, its applications, outcomes and events each say when they were recorded, by whom.
        page.goto(base + "/units/MU-FENLAND-000003.html")
        recorded = page.locator(".fmar-recorded").all_inner_texts()
        assert len(recorded) >= 2 and all(text.startswith("recorded ") and " by " in text for text in recorded)

        # Search by id and by name; filters.
        page.goto(base + "/units/index.html")
        page.fill("#fmar-q", "MU-HEATSHIFT-000002")
        page.wait_for_function("document.querySelectorAll('#fmar-table tbody tr').length === 1")
        assert "Tyneside" in page.inner_text("#fmar-table tbody")
        page.fill("#fmar-q", "Wisbech batt")
        page.wait_for_function("document.querySelector('#fmar-table tbody').innerText.includes('MU-FENLAND-000002')")
        page.fill("#fmar-q", "")
        page.wait_for_function(f"document.querySelectorAll('#fmar-table tbody tr').length === {PAGE_SIZE}")
        page.select_option("select[data-filter=fsp]", "HEATSHIFT")
        page.wait_for_function("document.getElementById('fmar-count').innerText === '3 units match'")
        visible = page.locator("#fmar-table tbody tr:not([hidden])")
        assert visible.count() == 3
        page.select_option("select[data-filter=status]", "qualified")
        page.wait_for_function("document.getElementById('fmar-count').innerText === '2 units match'")
        assert page.locator("#fmar-table tbody tr:not([hidden])").count() == 2

        # Filters read the build-time filter indexes: they find units beyond the first list page.
        page.goto(base + "/units/index.html")
        assert "MU-KESTREL-000099" not in page.inner_text("#fmar-table tbody")
        page.select_option("select[data-filter=area]", "ENWL")
        page.wait_for_function("document.querySelector('#fmar-table tbody').innerText.includes('MU-KESTREL-000099')")
        assert all(row.get_attribute("data-area") == "ENWL" for row in page.locator("#fmar-table tbody tr").all())
        # A value listed on several index pages: the first page of matches, then the rest on demand.
        page.select_option("select[data-filter=area]", "")
        total = int(page.get_attribute("select[data-filter=status] option[value=qualified]", "data-count"))
        page.select_option("select[data-filter=status]", "qualified")
        # Wait for this filter's rows, not the table the cleared area filter showed a moment before.
        rows = "[...document.querySelectorAll('#fmar-table tbody tr')]"
        page.wait_for_function(
            f"{rows}.length === {min(total, PAGE_SIZE)}"
            f" && {rows}.every(r => r.dataset.pairs.split(' ').some(t => t.endsWith('|qualified')))"
        )
        shown = page.locator("#fmar-table tbody tr").count()
        if total > PAGE_SIZE:
            assert shown == PAGE_SIZE
            page.click("#fmar-more")
            page.wait_for_function(f"document.querySelectorAll('#fmar-table tbody tr').length === {total}")
        else:
            assert shown == total
        assert errors == []

        # Core content reads without JavaScript.
        context = browser.new_context(java_script_enabled=False)
        plain = context.new_page()
        listed = 0
        for number in range(1, -(-16 // PAGE_SIZE) + 1):
            plain.goto(base + ("/units/index.html" if number == 1 else f"/units/page-{number}.html"))
            listed += plain.locator("#fmar-table tbody tr").count()
        assert listed == 16
        plain.goto(base + "/units/MU-VOLTAFLEX-000001.html")
        assert "Qualified" in plain.inner_text("#fmar-statuses")
        context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


ROWS = "[...document.querySelectorAll('#fmar-table tbody tr')]"


def _ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("#fmar-table tbody tr", "rows => rows.map(r => r.cells[0].innerText)")


def _wait_count(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"document.getElementById('fmar-count').innerText === {json.dumps(text)}")


def _filters(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "select[data-filter]", "ss => Object.fromEntries(ss.filter(s => s.value).map(s => [s.dataset.filter, s.value]))"
    )


def test_unit_table_views_in_chromium(built, browser) -> None:  # type: ignore[no-untyped-def]
    """Filters met by one product's status; the view in the address, both ways; sorting; the view as CSV."""
    from fmar.publish.serve import in_background

    _, site = built
    httpd, base = in_background(site, BASE)
    try:
        page = browser.new_page(accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        units = base + "/units/index.html"

        # MU-VOLTAFLEX-000001 is qualified for NESO-DC and conditionally qualified for UKPN-PR:
        # NESO-DC and "conditionally qualified" together match no unit (per unit, it matched).
        page.goto(units + "?product=NESO-DC&status=conditionally_qualified")
        _wait_count(page, "0 units match")
        assert _filters(page) == {"product": "NESO-DC", "status": "conditionally_qualified"}
        page.goto(units + "?so=NESO&status=conditionally_qualified")
        _wait_count(page, "0 units match")
        page.goto(units + "?product=UKPN-PR&status=conditionally_qualified")
        _wait_count(page, "1 unit matches")
        assert _ids(page) == ["MU-VOLTAFLEX-000001"]
        # The row shows the chosen product's status, not the unit's summary.
        assert page.inner_text("#fmar-table tbody tr td:last-child") == "UKPN-PR: Conditionally qualified"
        assert page.inner_text("#fmar-table thead th:last-child") == "Status for UKPN-PR"
        page.select_option("select[data-filter=product]", "NESO-DC")
        _wait_count(page, "0 units match")
        page.select_option("select[data-filter=status]", "qualified")
        _wait_count(page, "1 unit matches")
        assert page.inner_text("#fmar-table tbody tr td:last-child") == "NESO-DC: Qualified"
        # ... and the address holds the view.
        assert page.url == units + "?product=NESO-DC&status=qualified"
        page.select_option("select[data-filter=status]", "")
        page.select_option("select[data-filter=product]", "")
        _wait_count(page, f"{PAGE_SIZE} shown")
        assert page.url == units

        # Sorting: a header click sorts ascending, a second descending, aria-sort says which.
        static = _ids(page)
        assert static == sorted(static)
        page.click("#fmar-table th[data-sort=unit] button")
        assert page.get_attribute("th[data-sort=unit]", "aria-sort") == "ascending"
        assert _ids(page) == static
        page.click("#fmar-table th[data-sort=unit] button")
        assert page.get_attribute("th[data-sort=unit]", "aria-sort") == "descending"
        assert _ids(page) == sorted(static, reverse=True)
        assert page.url == units + "?sort=-unit"
        page.click("#fmar-table th[data-sort=fsp] button")
        assert page.get_attribute("th[data-sort=unit]", "aria-sort") is None
        fsps = page.eval_on_selector_all("#fmar-table tbody tr", "rows => rows.map(r => r.cells[2].innerText)")
        assert fsps == sorted(fsps)

        # The view in the address, shared: a query, filters and a sort, read back on load.
        page.fill("#fmar-q", "battery")
        page.select_option("select[data-filter=so]", "NESO")
        page.click("#fmar-table th[data-sort=name] button")
        page.click("#fmar-table th[data-sort=name] button")
        page.wait_for_function("location.search.includes('q=battery')")
        shared = page.url
        assert shared == units + "?q=battery&so=NESO&sort=-name"
        shown = _ids(page)
        assert shown
        other = browser.new_page()
        other.goto(shared)
        other.wait_for_function(f"{ROWS}.length === {len(shown)}")
        assert _ids(other) == shown
        assert other.input_value("#fmar-q") == "battery" and _filters(other) == {"so": "NESO"}
        assert other.get_attribute("th[data-sort=name]", "aria-sort") == "descending"
        other.close()

        # Download this view as CSV: every matching unit, past the first page, in the order shown.
        qualifications = json.loads((site / "api/v2/qualifications.json").read_text())["qualifications"]
        neso = sorted({q["unit"] for q in qualifications if q["so"] == "NESO"}, reverse=True)
        assert len(neso) > PAGE_SIZE, "the view must span more than one page of the filter index"
        page.goto(units + "?so=NESO&sort=-unit")
        _wait_count(page, f"{PAGE_SIZE} shown; more match")
        assert page.is_hidden("#fmar-csv-all") and page.is_visible("#fmar-csv")
        with page.expect_download() as download:
            page.click("#fmar-csv")
        assert download.value.suggested_filename == "fmar-units-so-NESO.csv"
        text = Path(download.value.path()).read_bytes().decode()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["id", "name", "fsp", "licence_area", "matching_status"]
        assert [r[0] for r in rows[1:]] == neso
        statuses = {
            q["unit"]: f"{q['product']}: {q['status'].replace('_', ' ').capitalize()}"
            for q in qualifications
            if q["so"] == "NESO"
        }
        assert {r[0]: r[4] for r in rows[1:]} == statuses
        assert text.endswith("\r\n") and "\r\n" in text
        # Cells a spreadsheet would run are neutralised as the exports do; hostile text stays as it is.
        enwl = [
            p.stem for p in sorted((site / "api/v2/units").glob("*.json")) if '"licence_area":"ENWL"' in p.read_text()
        ]
        page.goto(units + "?area=ENWL")
        _wait_count(page, f"{len(enwl)} units match")
        with page.expect_download() as download:
            page.click("#fmar-csv")
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
        names = {r[0]: r[1] for r in rows[1:]}
        assert sorted(names) == enwl
        assert names["MU-KESTREL-000098"] == "'" + FORMULA_NAME
        assert names["MU-KESTREL-000099"] == HOSTILE_NAME
        assert rows[0][4] == "status_by_product"
        # No search, no filter: the whole registry is the full export, linked.
        page.goto(units)
        assert page.is_hidden("#fmar-csv") and page.is_visible("#fmar-csv-all")
        href = page.eval_on_selector("#fmar-csv-all", "a => a.href")
        assert href == base + "/api/v2/units.csv" and page.request.get(href).ok

        # A product's page counts and lists the units holding a qualification and links to them.
        page.goto(base + "/products/NESO-DC.html")
        page.click("a[href$='?product=NESO-DC&status=qualified'] >> nth=0")
        assert page.url == units + "?product=NESO-DC&status=qualified"
        _wait_count(page, "1 unit matches")
        assert _ids(page) == ["MU-VOLTAFLEX-000001"]

        # An SO's page: due dates, and the days overdue as of the build from build.js.
        page.goto(base + "/parties/ENWL.html")
        page.wait_for_function("document.querySelector('.fmar-overdue').innerText.includes('as of')")
        assert page.inner_text(".fmar-overdue") == "since 2026-10-25 01:00 BST (7 days as of 2026-11-01 00:00 GMT)"
        assert errors == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_site_from_file_url(built, browser) -> None:  # type: ignore[no-untyped-def]
    """Opened from the folder it was built in, with no web server: styled, and every link and the
    search work."""
    _, site = built
    page = browser.new_page()
    failures: list[str] = []
    # (A request the browser itself cancels as the page navigates away, net::ERR_ABORTED, is no fault.)
    page.on(
        "requestfailed",
        lambda r: failures.append(f"{r.url}: {r.failure}") if r.failure != "net::ERR_ABORTED" else None,
    )
    page.on("pageerror", lambda e: failures.append(str(e)))
    home = site.resolve().as_uri() + "/index.html"
    page.goto(home)
    assert _styled(page)
    _click_through(page, home)
    assert failures == []
    # A view in the address, read and written from file:// too (a page of its own: leaving a page
    # early may abort its icon's request, which is no failure of the site).
    page = browser.new_page()
    page.on("pageerror", lambda e: failures.append(str(e)))
    units = site.resolve().as_uri() + "/units/index.html"
    page.goto(units + "?product=UKPN-PR&status=conditionally_qualified")
    _wait_count(page, "1 unit matches")
    assert _ids(page) == ["MU-VOLTAFLEX-000001"]
    page.select_option("select[data-filter=status]", "qualified")
    _wait_count(page, "0 units match")
    assert page.url == units + "?product=UKPN-PR&status=qualified"
    page.goto(site.resolve().as_uri() + "/parties/ENWL.html")
    page.wait_for_function("document.querySelector('.fmar-overdue').innerText.includes('as of')")
    assert failures == []


def _styled(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether mkdocs-material's stylesheet applies (once the page has loaded): its header is coloured,
    not transparent."""
    page.wait_for_load_state()
    colour = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    return bool(colour) and colour not in ("rgba(0, 0, 0, 0)", "transparent")


def _click_through(page, home: str) -> None:  # type: ignore[no-untyped-def]
    """From the home page, as a reader would, by clicking: the unit list, a search, a unit, its FSP,
    the products, a product, the API reference, index.json and an export it links, and home again.
    Every page reached is styled."""
    page.goto(home)
    page.click("text=Search and filter units")
    assert page.url.endswith("/units/index.html") and _styled(page)
    page.fill("#fmar-q", "MU-HEATSHIFT-000002")
    page.wait_for_function("document.querySelectorAll('#fmar-table tbody tr').length === 1")
    page.click("#fmar-table tbody a")
    assert page.url.endswith("/units/MU-HEATSHIFT-000002.html") and _styled(page)
    assert "Tyneside demand turn-down" in page.inner_text("h1")
    page.click("article p a[href*='parties/'] >> nth=0")
    assert page.url.endswith("/parties/HEATSHIFT.html") and _styled(page)
    page.click("nav.md-nav--primary >> text=Products")
    assert page.url.endswith("/products/index.html") and _styled(page)
    product = page.inner_text("#fmar-table tbody a >> nth=0")
    page.click("#fmar-table tbody a >> nth=0")
    assert page.url.endswith(f"/products/{product}.html") and product in page.inner_text("article")
    page.click("nav.md-nav--primary >> text=API (exports)")
    assert page.url.endswith("/api-reference.html") and _styled(page)
    page.click("article a[href$='api/v2/index.json']")
    assert page.url.endswith("/api/v2/index.json")
    index = json.loads(page.inner_text("body"))
    exported = urljoin(page.url, index["links"]["qualifications_json"])
    page.goto(exported)
    assert json.loads(page.inner_text("body"))["qualifications"]
    page.goto(home)
    page.click("text=Search and filter units")
    page.click("header a.md-logo")
    assert page.url == home or page.url.endswith("/index.html")


def test_every_page_type_fits_a_phone_in_one_look(built, browser) -> None:  # type: ignore[no-untyped-def]
    """At 390 px (a phone) no page scrolls sideways (wide tables scroll within themselves, the unit
    table becomes cards), and every page, fmar's own and mkdocs', has the same frame: the header with
    the palette toggle and the site navigation."""
    _, site = built
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in [
        "index.html",
        "catalogue.html",
        "practices.html",
        "rules.html",
        "api-reference.html",
        "schema-reference.html",
        "guides/fsp-guide.html",
        "units/index.html",
        "units/page-2.html",
        "units/MU-VOLTAFLEX-000001.html",
        "units/MU-KESTREL-000099.html",
        "products/index.html",
        "products/NESO-DC.html",
        "parties/index.html",
        "parties/NESO.html",
        "parties/VOLTAFLEX.html",
    ]:
        page.goto((site / path).resolve().as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator("header.md-header [data-md-component=palette]").count() == 1, path
        units = page.locator("nav.md-nav--primary a", has_text="Units").first.get_attribute("href")
        assert urljoin(page.url, units) == (site / "units/index.html").resolve().as_uri(), path
        assert "FMARSHELL" not in page.content(), path
        description = page.get_attribute("meta[name=description]", "content")
        assert description and "FMARSHELL" not in description, path


def test_one_search_box_finds_units_products_parties_and_guides(built, browser) -> None:  # type: ignore[no-untyped-def]
    """The header of every page holds the site's search box; its page finds units by any part of
    their id, words of their names, FSPs, technologies and the products they applied for, and
    products, parties and guides, served under a sub-path and from file://."""
    from fmar.publish.serve import in_background

    _, site = built
    httpd, base = in_background(site, BASE)
    try:
        for home in (base + "/", (site / "index.html").resolve().as_uri()):
            page = browser.new_page()
            errors: list[object] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(urljoin(home, "products/NESO-DC.html"))
            page.fill("#fmar-header-q", "0001")
            page.press("#fmar-header-q", "Enter")
            found = _results(page, "0001")
            assert page.url.split("?")[0].endswith("/search/index.html")
            assert {"MU-VOLTAFLEX-000001", "MU-HEATSHIFT-000001"} <= {r.split(" ")[0] for r in found}
            assert all("0001" in r.split(" ")[0] for r in found)
            for query, first in [
                ("MU-HEATSHIFT-000002", "MU-HEATSHIFT-000002"),  # a whole id: that unit first
                ("NESO-DC", "NESO-DC"),  # a product id: the product first, then its units
                ("NESO", "NESO"),  # the party first
                ("wisbech batt", "MU-FENLAND-000002"),  # words of a name, in part
            ]:
                page.fill("#fmar-search-q", query)
                assert _results(page, query)[0].split(" ")[0] == first, query
            page.fill("#fmar-search-q", "BESS")
            technology = _results(page, "BESS")
            assert technology and all("BESS" in row for row in technology)
            page.fill("#fmar-search-q", "trust keys")
            assert any("Trust" in row for row in _results(page, "trust keys"))
            # The view is an address: the query is in it, and the first result opens its page.
            assert page.url.endswith("?q=trust%20keys")
            page.fill("#fmar-search-q", "NESO-DC")
            _results(page, "NESO-DC")
            page.click("#fmar-search-results li a >> nth=0")
            assert page.url.endswith("/products/NESO-DC.html")
            assert errors == []
            page.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


def _results(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The results the search page shows for ``query``, once it has answered it: each as
    "<id> · <title> ..." without its kind."""
    # (null-safe: the search page may not have opened yet when a form on another page was sent)
    page.wait_for_function(
        f"(document.getElementById('fmar-search-results') || {{dataset: {{}}}}).dataset.query === {query!r}"
    )
    links = page.locator("#fmar-search-results li a").all_inner_texts()
    abouts = page.locator("#fmar-search-results li").all_inner_texts()
    return [f"{link} {about}" for link, about in zip(links, abouts, strict=True)]


def _frame(page) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a reader sees of a page's frame: the header's buttons and title, the site navigation's
    links (resolved), the footer, and whether the theme's script has run (its drawer works)."""
    return page.evaluate(
        """() => ({
          drawer: !!document.querySelector("header label[for=__drawer]"),
          palette: document.querySelectorAll("header [data-md-component=palette] input").length,
          search: !!document.querySelector("header #fmar-header-q"),
          title: document.querySelector("header [data-md-component=header-topic]").innerText.trim(),
          nav: [...document.querySelectorAll("nav.md-nav--primary > ul > li > a")]
            .map(a => [a.innerText.trim(), a.href]),
          footer: !!document.querySelector("footer.md-footer .md-copyright"),
          config: !!document.getElementById("__config"),
        })"""
    )


def test_record_pages_carry_a_slim_frame_the_frame_script_completes(built, browser) -> None:  # type: ignore[no-untyped-def]
    """A record page (100,000 of them at national scale) carries only the theme's header cut to its
    logo, title and search box: the frame script puts the theme's whole header, navigation and
    footer around it, the same as a list page's, so it looks like every other page. Without scripts
    it keeps its header, title, search box, stylesheet and content."""
    _, site = built
    unit = site / "units/MU-VOLTAFLEX-000001.html"
    html = unit.read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    description = html[html.index("<meta content=") : html.index("name=description>")]
    assert len(html) - len(article) - len(description) < 3000, "the frame of a record page has grown"
    assert "md-nav__list" not in html and "md-footer" not in html and "__md_scope" not in html
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "units/index.html").resolve().as_uri())
    listed = _frame(page)
    for path in ["units/MU-VOLTAFLEX-000001.html", "products/NESO-DC.html", "parties/NESO.html"]:
        page.goto((site / path).resolve().as_uri())
        framed = _frame(page)
        assert framed["drawer"] and framed["palette"] == 2 and framed["search"], path
        assert framed["footer"] and framed["config"], path
        assert framed["nav"] == listed["nav"], path
        assert framed["title"] == page.inner_text("article h1").strip(), path
    assert errors == []
    # The palette chosen on one page holds on a record page (the theme's script reads it, as the
    # frame script has put its toggle in place).
    page.goto((site / "units/index.html").resolve().as_uri())
    page.click("header label[for=__palette_1]")
    page.goto(unit.resolve().as_uri())
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"

    bare = browser.new_context(java_script_enabled=False).new_page()
    bare.goto(unit.resolve().as_uri())
    assert _styled(bare)
    assert bare.locator("header #fmar-header-q").count() == 1
    assert "Voltaflex" in bare.inner_text("header") or bare.inner_text("article h1") in bare.inner_text("header")
    assert bare.locator("article table#fmar-statuses").count() == 1
