"""Period reports on the site: every month and quarter of the demo's year, up to the build's as-of
time, published as the JSON and CSV ``fmar report`` prints for that moment, with a page of charts
whose labels and counts are written out (readable without hovering)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.workflow.cli import fmar
from tests.workflow.conftest import DEMO_SITE_AS_OF

from fmar.core.registry import Registry
from fmar.core.workflow.reports import periods_between
from fmar.publish.urls import API_ROOT

_SVG = "{http://www.w3.org/2000/svg}"


def _periods(registry: Registry) -> list[str]:
    first = min(registry.submitted_at(a) for a in registry.applications.values())
    return [span.name for span in periods_between(first, DEMO_SITE_AS_OF)]


def test_every_period_to_the_as_of_time_is_published_as_fmar_report_prints_it(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    root, registry = demo_year
    names = _periods(registry)
    assert "2025-Q4" in names and "2025-12" in names and "2026-01" not in names
    folder = demo_site / API_ROOT / "reports"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.{e}" for n in names for e in ("json", "csv"))
    moment = DEMO_SITE_AS_OF.isoformat()
    decided = 0
    for name in names:
        published = json.loads((folder / f"{name}.json").read_bytes())
        printed = fmar(root, "report", "--period", name, "--as-of", moment, "--format", "json")
        assert printed.exit_code == 0, printed.output
        expected = json.loads(printed.output)
        assert expected.pop("unverified") == []
        assert published == expected, name
        as_csv = fmar(root, "report", "--period", name, "--as-of", moment, "--format", "csv")
        assert (folder / f"{name}.csv").read_text(encoding="utf-8") == as_csv.output, name
        decided += sum(row["decided"] for row in published["rows"])
    assert decided > 0
    december = json.loads((folder / "2025-12.json").read_bytes())
    assert december["complete"] is False and december["as_of"] == "2025-12-05T12:00:00Z"
    september = json.loads((folder / "2025-09.json").read_bytes())
    assert september["complete"] is True and september["as_of"] == september["until"]


def _charts(section: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", section, re.DOTALL)]


def test_the_reports_page_draws_each_quarter_with_its_labels_and_counts_written_out(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    page = (demo_site / "reports.html").read_text(encoding="utf-8")
    quarters = [n for n in _periods(registry) if "Q" in n]
    assert page.index('id="2025-Q4"') < page.index('id="2025-Q1"'), "newest first"
    assert "2025-Q4 (to date)" in page and "2025-Q3 (to date)" not in page
    for name in quarters:
        rows = json.loads((demo_site / API_ROOT / "reports" / f"{name}.json").read_bytes())["rows"]
        section = page.split(f'id="{name}"', 1)[1].split("<h2", 1)[0]
        assert f'href="{API_ROOT}/reports/{name}.csv"' in section
        if not rows:
            continue
        volume, days = _charts(section)
        for chart, series in ((volume, 4), (days, 2)):
            texts = [t.text or "" for t in chart.iter(f"{_SVG}text")]
            for row in rows:
                assert f"{row['so']} · {row['product']}" in texts, (name, row["product"])
            assert len(list(chart.iter(f"{_SVG}rect"))) == series * len(rows) + series  # bars and legend keys
            assert any(t.endswith("days") or t == "applications" for t in texts), "the axis says what it counts"
        written = [t.text for t in volume.iter(f"{_SVG}text")]
        for row in rows:  # each row's label, then the count at the end of each of its bars
            at = written.index(f"{row['so']} · {row['product']}")
            counts = written[at + 1 : at + 5]
            assert counts == [f"{row[k]:,}" for k in ("received", "decided", "open_at_end", "overdue_at_end")], row


def test_the_reports_are_described_and_linked(demo_site: Path) -> None:
    spec = json.loads((demo_site / API_ROOT / "openapi.json").read_bytes())
    assert {"/reports/{period}.json", "/reports/{period}.csv", "/inboxes/{so}.json"} <= set(spec["paths"])
    package = json.loads((demo_site / API_ROOT / "datapackage.json").read_bytes())
    names = {r["name"] for r in package["resources"]}
    assert {"report-2025-q3", "report-2025-09", "inbox-neso"} <= names
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert 'href="reports.html"' in home, "the navigation lists the reports"
