"""SO inboxes as data: the published ``inboxes/<SO>.json`` and ``.csv`` of a build of a year of the
demo are the document ``fmar inbox SO --format json`` prints for the same moment, and list exactly
the SO's open applications, each worked out again here from the records."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from tests.workflow.cli import fmar
from tests.workflow.conftest import DEMO_SITE_AS_OF as AS_OF

from fmar.core.registry import Registry
from fmar.core.status import OPEN, application_status
from fmar.core.workflow.service_levels import DAY, INBOX_COLUMNS
from fmar.publish.urls import API_ROOT


def _sos(registry: Registry) -> list[str]:
    return sorted(p.id for p in registry.parties.values() if p.role.is_system_operator)


def test_each_sos_published_inbox_is_what_fmar_inbox_prints(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    root, registry = demo_year
    listed = 0
    for so in _sos(registry):
        published = json.loads((demo_site / API_ROOT / "inboxes" / f"{so}.json").read_bytes())
        asked = fmar(root, "inbox", so, "--as-of", AS_OF.isoformat(), "--format", "json")
        assert asked.exit_code == 0, asked.output
        printed = json.loads(asked.output)
        assert printed.pop("unverified") == []
        assert published == printed, so
        listed += len(published["applications"])
    assert listed > 0


def test_an_inbox_lists_exactly_the_sos_open_applications_with_their_turn_and_lateness(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    overdue = fsp_turns = 0
    for so in _sos(registry):
        entries = json.loads((demo_site / API_ROOT / "inboxes" / f"{so}.json").read_bytes())["applications"]
        expected = {
            a.id
            for a in registry.applications.values()
            if a.so == so
            and registry.submitted_at(a) <= AS_OF
            and application_status(registry, a, AS_OF).status in OPEN
        }
        assert sorted(e["application"] for e in entries) == sorted(expected), so
        for entry in entries:
            application = registry.applications[entry["application"]]
            unit = registry.units[application.unit]
            assert (entry["unit"], entry["fsp"], entry["product"]) == (unit.id, unit.fsp, application.product)
            submitted = registry.submitted_at(application)
            assert entry["age_days"] == round((AS_OF - submitted).total_seconds() / DAY, 1)
            assert entry["waiting_on"] == (unit.fsp if entry["waiting_for"] == "supply information" else so)
            due = datetime.fromisoformat(entry["due_at"]) if entry["due_at"] else None
            late = (AS_OF - due).total_seconds() / DAY if due is not None and due < AS_OF else 0.0
            assert (entry["overdue"], entry["overdue_days"]) == (late > 0, round(late, 1))
            overdue += entry["overdue"]
            fsp_turns += entry["waiting_on"] == unit.fsp
        keys = [(not e["overdue"], -e["overdue_days"], e["due_at"] or "~") for e in entries]
        assert keys == sorted(keys), f"{so}: overdue first, most overdue first, then by due time"
    assert overdue > 0 and fsp_turns > 0, "in December some applications are late and one waits on its FSP"


def test_the_inbox_csv_holds_the_json_rows_and_the_data_package_describes_it(demo_year, demo_site) -> None:  # type: ignore[no-untyped-def]
    _, registry = demo_year
    package = json.loads((demo_site / API_ROOT / "datapackage.json").read_bytes())
    described = {r["name"]: r for r in package["resources"]}
    for so in _sos(registry):
        entries = json.loads((demo_site / API_ROOT / "inboxes" / f"{so}.json").read_bytes())["applications"]
        data = (demo_site / API_ROOT / "inboxes" / f"{so}.csv").read_bytes()
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        assert tuple(rows[0].keys() if rows else INBOX_COLUMNS) == INBOX_COLUMNS
        assert [r["application"] for r in rows] == [e["application"] for e in entries]
        for row, entry in zip(rows, entries, strict=True):
            assert row["overdue"] == ("true" if entry["overdue"] else "false")
            assert float(row["overdue_days"]) == pytest.approx(entry["overdue_days"], abs=0.005)
            assert row["due_at"] == (entry["due_at"] or "")
        resource = described[f"inbox-{so.lower()}"]
        assert resource["path"] == f"inboxes/{so}.csv" and resource["bytes"] == len(data)
        party = json.loads((demo_site / API_ROOT / "parties" / f"{so}.json").read_bytes())
        for link, extension in (("inbox", "json"), ("inbox_csv", "csv")):
            linked = (demo_site / API_ROOT / "parties" / party["links"][link]).resolve()
            assert linked == (demo_site / API_ROOT / "inboxes" / f"{so}.{extension}").resolve()
