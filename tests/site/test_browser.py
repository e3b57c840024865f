"""The built site in real Chromium: pages load cleanly, search and filters work, hostile text stays text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import PAGE_SIZE

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


def test_site_in_chromium(built, browser) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    from fmar.publish.serve import in_background

    _, site = built
    httpd, base = in_background(site)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        pages = [
            "/",
            "/catalogue/",
            "/rules/",
            "/api-reference/",
            "/schema-reference/",
            "/units/",
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
            results = axe.run(page)
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            detail = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], (path, detail)
        assert errors == []

        # The hostile unit: its name is text, nothing ran, no javascript: link.
        page.goto(base + "/units/MU-KESTREL-000099.html")
        assert "<script>window.pwned=1</script>" in page.inner_text("h1")
        assert page.evaluate("window.pwned") is None
        assert page.locator("a[href^='javascript:']").count() == 0

        # An application is a section of its unit's page: the status table and the SO's open
        # applications link to it, and it shows the application's status, outcomes and signature.
        unit_doc = json.loads((site / "api/v1/units/MU-VOLTAFLEX-000001.json").read_text())
        application = unit_doc["products"][0]["application"]
        application_doc = json.loads((site / f"api/v1/applications/{application}.json").read_text())
        assert application_doc["links"]["page"] == f"/units/MU-VOLTAFLEX-000001.html#{application}"
        page.goto(base + "/units/MU-VOLTAFLEX-000001.html")
        page.click(f".fmar-statuses a[href='#{application}']")
        section = page.locator(f"section#{application}")
        assert section.is_visible()
        assert application in section.inner_text() and "Signed by VOLTAFLEX" in section.inner_text()
        page.goto(base + "/parties/NESO.html")
        hrefs = page.eval_on_selector_all("a[href*='.html#APP-']", "links => links.map(l => l.href)")
        assert hrefs, "NESO has open applications, each linked to its section of its unit's page"
        for href in hrefs[:3]:
            page.goto(href)
            assert page.locator(f"section#{href.rsplit('#', 1)[1]}").count() == 1, href

        # The timeline shows the unit's history and its application.
        page.goto(base + "/units/MU-FENLAND-000003.html")
        timeline = page.inner_text(".fmar-timeline")
        assert "market unit MU-FENLAND-000003" in timeline and "application" in timeline

        # Search by id and by name; filters.
        page.goto(base + "/units/")
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
        page.goto(base + "/units/")
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
            f" && {rows}.every(r => r.dataset.status.split(' ').includes('qualified'))"
        )
        shown = page.locator("#fmar-table tbody tr").count()
        if total > PAGE_SIZE:
            assert shown == PAGE_SIZE
            page.click("#fmar-more")
            page.wait_for_function(f"document.querySelectorAll('#fmar-table tbody tr').length === {total}")
        else:
            assert shown == total

        # Core content reads without JavaScript.
        context = browser.new_context(java_script_enabled=False)
        plain = context.new_page()
        plain.goto(base + "/units/")
        listed = 0
        for number in range(1, -(-16 // PAGE_SIZE) + 1):
            plain.goto(base + ("/units/" if number == 1 else f"/units/page-{number}.html"))
            listed += plain.locator("#fmar-table tbody tr").count()
        assert listed == 16
        plain.goto(base + "/units/MU-VOLTAFLEX-000001.html")
        assert "Qualified" in plain.inner_text(".fmar-statuses")
        context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
