"""FSP portfolios: the published ``portfolios/<FSP>.json`` and ``.csv`` of a build of a year of the
demo are the document ``fmar portfolio FSP --format json`` prints for the same moment; every unit of
the FSP stands against every product it applied for, each row worked out again here from the
records; the FSP's page lists the deadlines and the qualifications expiring soon, and its feed only
the changes to its units and applications."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import jsonschema
from tests.workflow.cli import fmar
from tests.workflow.conftest import DEMO_SITE_AS_OF as AS_OF

from fmar.core.model import PartyRole
from fmar.core.registry import Registry
from fmar.core.status import HOLDING, OPEN, unit_statuses
from fmar.core.workflow.portfolio import EXPIRING_DAYS, PORTFOLIO_COLUMNS
from fmar.core.workflow.service_levels import clock
from fmar.publish.documents import schema_file
from fmar.publish.records import PORTFOLIO_LISTED
from fmar.publish.urls import API_ROOT

ATOM = "{http://www.w3.org/2005/Atom}"


def _fsps(registry: Registry) -> list[str]:
    return sorted(p.id for p in registry.parties.values() if p.role is PartyRole.FSP)


def _published(demo_site, fsp: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return json.loads((demo_site / API_ROOT / "portfolios" / f"{fsp}.json").read_bytes())  # type: ignore[no-any-return]


def test_each_fsps_published_portfolio_is_what_fmar_portfolio_prints(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    root, registry = demo_year
    schema = json.loads((demo_site / "schemas" / schema_file("portfolio")).read_bytes())
    rows = 0
    for fsp in _fsps(registry):
        published = _published(demo_site, fsp)
        jsonschema.Draft202012Validator(schema).validate(published)
        asked = fmar(root, "portfolio", fsp, "--as-of", AS_OF.isoformat(), "--format", "json")
        assert asked.exit_code == 0, asked.output
        printed = json.loads(asked.output)
        assert printed.pop("unverified") == []
        assert published == printed, fsp
        rows += len(published["rows"])
    assert rows >= sum(1 for u in registry.units.values() if registry.recorded_at[u.id] <= AS_OF) > 0


def test_a_portfolio_is_every_unit_against_every_product_it_applied_for(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    """Each row recomputed from the records: the governing status per product, its validity and
    capacities, and for an open application the clock's turn and due time."""
    _, registry = demo_year
    open_rows = 0
    for fsp in _fsps(registry):
        document = _published(demo_site, fsp)
        assert document["columns"] == list(PORTFOLIO_COLUMNS)
        got = [dict(zip(PORTFOLIO_COLUMNS, row, strict=True)) for row in document["rows"]]
        units = sorted(u.id for u in registry.units.values() if u.fsp == fsp and registry.recorded_at[u.id] <= AS_OF)
        expected = []
        for unit_id in units:
            governing = [q for q, _ in unit_statuses(registry, unit_id, AS_OF)]
            if not governing:
                expected.append((unit_id, None, None))
            expected.extend((unit_id, q.product, str(q.status)) for q in sorted(governing, key=lambda q: q.product))
        assert [(r["unit"], r["product"], r["status"]) for r in got] == expected, fsp
        for row in got:
            if row["product"] is None:
                continue
            q = next(q for q, _ in unit_statuses(registry, row["unit"], AS_OF, row["product"]))
            assert row["application"] == q.application and row["so"] == q.so
            assert row["unit_name"] == registry.units[row["unit"]].name
            assert (row["capacity_up_kw"], row["capacity_down_kw"]) == (q.capacity_up_kw, q.capacity_down_kw)
            until = q.valid_until.isoformat().replace("+00:00", "Z") if q.valid_until else None
            assert row["valid_until"] == until
            if q.status in OPEN:
                found = clock(registry, registry.applications[q.application], AS_OF)
                assert found is not None
                assert row["waiting_for"] == found.waiting_for and row["waiting_on"] == found.waiting_on
                due = found.due_at.isoformat().replace("+00:00", "Z") if found.due_at else None
                assert row["due_at"] == due
                open_rows += 1
            else:
                assert row["waiting_for"] is row["waiting_on"] is row["due_at"] is None
    assert open_rows > 0


def test_the_portfolio_csv_holds_the_json_rows_and_the_party_links_them(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    package = {r["name"]: r for r in json.loads((demo_site / API_ROOT / "datapackage.json").read_bytes())["resources"]}
    for fsp in _fsps(registry):
        document = _published(demo_site, fsp)
        data = (demo_site / API_ROOT / "portfolios" / f"{fsp}.csv").read_bytes()
        rows = list(csv.reader(io.StringIO(data.decode())))
        assert tuple(rows[0]) == PORTFOLIO_COLUMNS
        assert len(rows) - 1 == len(document["rows"])
        for line, row in zip(rows[1:], document["rows"], strict=True):
            for cell, value in zip(line, row, strict=True):
                assert cell == ("" if value is None else f"{value:.2f}" if isinstance(value, float) else value)
        resource = package[f"portfolio-{fsp.lower()}"]
        assert resource["path"] == f"portfolios/{fsp}.csv" and resource["bytes"] == len(data)
        party = json.loads((demo_site / API_ROOT / "parties" / f"{fsp}.json").read_bytes())
        for link, target in (
            ("portfolio", f"portfolios/{fsp}.json"),
            ("portfolio_csv", f"portfolios/{fsp}.csv"),
            ("feed", f"feeds/fsp/{fsp}.atom"),
        ):
            assert (demo_site / API_ROOT / "parties" / party["links"][link]).resolve() == (
                demo_site / API_ROOT / target
            ).resolve()


def test_the_fsps_page_lists_its_deadlines_and_what_expires_soon(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    holding = {str(s) for s in HOLDING}
    seen_deadlines = seen_expiring = 0
    for fsp in _fsps(registry):
        page = (demo_site / "parties" / f"{fsp}.html").read_text(encoding="utf-8")
        rows = [dict(zip(PORTFOLIO_COLUMNS, r, strict=True)) for r in _published(demo_site, fsp)["rows"]]
        due = sorted((r["due_at"], r["unit"]) for r in rows if r["due_at"])
        deadlines = page.split('id="fmar-deadlines"', 1)[1].split("</table>", 1)[0] if due else ""
        shown = [chunk.split('"', 1)[0] for chunk in deadlines.split('<time datetime="')[1:]]
        assert [d for d, _ in due][:PORTFOLIO_LISTED] == shown, fsp
        late = [d for d, _ in due[:PORTFOLIO_LISTED] if datetime.fromisoformat(d) < AS_OF]
        assert deadlines.count("fmar-overdue") == len(late)
        seen_deadlines += len(due)
        window = AS_OF + timedelta(days=EXPIRING_DAYS)
        held = [r for r in rows if r["valid_until"] and r["status"] in holding]
        ending = sorted(
            (r["valid_until"], r["unit"], r["product"])
            for r in held
            if AS_OF <= datetime.fromisoformat(r["valid_until"]) <= window
        )
        if ending:
            table = page.split('id="fmar-expiring"', 1)[1].split("</table>", 1)[0]
            listed = [c.split(".html", 1)[0] for c in table.split("../units/")[1:]]
            assert [e[1] for e in ending][:PORTFOLIO_LISTED] == listed, fsp
            seen_expiring += len(ending)
        else:
            assert 'id="fmar-expiring"' not in page
        view = page.split('id="portfolio"', 1)[1]
        assert f'href="../units/index.html?fsp={fsp}"' in view  # every unit's status by product
        assert f'href="../{API_ROOT}/portfolios/{fsp}.json"' in view and f"feeds/fsp/{fsp}.atom" in view
    assert seen_deadlines > 0


def test_an_fsps_feed_holds_only_changes_to_its_own_units(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    entries = 0
    for fsp in _fsps(registry):
        feed = ET.fromstring((demo_site / API_ROOT / "feeds" / "fsp" / f"{fsp}.atom").read_bytes())
        for entry in feed.findall(f"{ATOM}entry"):
            link = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
            assert f"units/MU-{fsp}-" in link or f"MU-{fsp}-" in (entry.findtext(f"{ATOM}title") or ""), link
            entries += 1
    assert entries > 0
