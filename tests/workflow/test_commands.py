"""The workflow commands on a copy of the bundled registry: what they write, and what they refuse."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import GitRepo
from tests.workflow.cli import fmar, key

from fmar.core.record_paths import path_of
from fmar.core.schemas import package_schema
from fmar.core.workflow.eligibility import eligibility
from fmar.core.workflow.package import build_package, package_json
from fmar.loading.record_file import parse_text
from fmar.validation.pipeline import Pipeline


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.copy_registry()
    return git_repo


def files(repo: GitRepo, kind: str) -> set[str]:
    """The files under the kind folder, as paths relative to ``registry/``."""
    registry = repo.path / "registry"
    return {p.relative_to(registry).as_posix() for p in (registry / kind).rglob("*") if not p.is_dir()}


def test_apply_below_the_minimum_is_refused_with_a_finding_and_writes_nothing(repo: GitRepo) -> None:
    before = files(repo, "application")
    result = fmar(
        repo.path, "apply", "MU-KESTREL-000001", "ENWL-PR", "--capacity-up", "1",
        "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "APP-VAL005" in result.stderr and "$.capacity_up_kw" in result.stderr
    refused = re.search(r"APP-2026-[0-9A-Z]{8}", result.stderr)
    assert refused is not None and "nothing written" in result.stderr
    assert f"registry/{path_of('application', refused.group())}:" in result.stderr
    assert files(repo, "application") == before


@pytest.mark.parametrize(
    ("unit", "fsp", "product", "up", "down", "said"),
    [
        # A 10 MW / 10 MW battery: 10 MW each way, not the 20 MW swing (import plus export).
        ("MU-VOLTAFLEX-000003", "VOLTAFLEX", "NESO-BR", 10000.0, 10000.0, "its export capacity"),
        # Demand only (880 kW import), an upward product: its demand turned down; nothing downward.
        ("MU-KESTREL-000004", "KESTREL", "SPEN-PR", 880.0, 0.0, "its import capacity, turned down"),
    ],
)
def test_apply_asks_by_default_for_what_the_unit_can_deliver_each_way_and_says_so(
    repo: GitRepo, unit: str, fsp: str, product: str, up: float, down: float, said: str
) -> None:
    before = files(repo, "application")
    result = fmar(repo.path, "apply", unit, product, "--key", key(fsp), "--at", "2026-11-20T10:00:00Z")
    assert result.exit_code == 0, result.output
    (new,) = files(repo, "application") - before
    data, _, _ = parse_text((repo.path / "registry" / new).read_text())
    assert data is not None and (data["capacity_up_kw"], data["capacity_down_kw"]) == (up, down)
    assert f"capacity up: {up:.2f} kW by default ({said}; name another with --capacity-up)" in result.output
    assert f"capacity down: {down:.2f} kW by default" in result.output


def test_eligibility_weighs_each_direction_a_product_needs(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry, use_cache=False).load()
    at = datetime(2026, 11, 20, tzinfo=UTC)
    # 1,300 kW import and 500 kW export: 1,800 kW together, but only 500 kW upward.
    answers = {e.product: e for e in eligibility(registry, "MU-FENLAND-000003", at)}
    both = answers["NESO-BR"]
    assert not both.eligible
    assert "upward capacity 500.00 kW (its export capacity) is below the minimum 1000.00 kW" in both.reasons
    assert not any("downward" in reason for reason in both.reasons)  # 1,300 kW downward meets it
    assert answers["NGED-PR"].eligible


def test_apply_to_an_unknown_product_names_the_nearest(repo: GitRepo) -> None:
    result = fmar(repo.path, "apply", "MU-VOLTAFLEX-000001", "NESO-DCC", "--key", key("VOLTAFLEX"))
    assert result.exit_code == 1 and "NESO-DCC is not a product in the registry; did you mean NESO-DC" in result.stderr


def test_a_second_open_application_is_refused(repo: GitRepo) -> None:
    # MU-VOLTAFLEX-000002 already has a pending NESO-DM application in the bundled registry.
    result = fmar(repo.path, "apply", "MU-VOLTAFLEX-000002", "NESO-DM", "--key", key("VOLTAFLEX"))
    assert result.exit_code == 1
    assert "APP-VAL003" in result.stderr


def test_signing_with_another_partys_key_is_refused(repo: GitRepo) -> None:
    before = files(repo, "event")
    result = fmar(repo.path, "acknowledge", "APP-2026-XNHPJ1N3", "--key", key("VOLTAFLEX"))
    assert result.exit_code == 1
    assert "WF-VAL001" in result.stderr and "NESO" in result.stderr
    # Another SO deciding NESO's application is told it is NESO's to decide, not to use NESO's key.
    ukpn = fmar(repo.path, "decide", "APP-2026-XNHPJ1N3", "--qualified", "--key", key("UKPN"))
    assert ukpn.exit_code == 1 and "is UKPN's: only NESO may sign this record" in ukpn.stderr
    assert files(repo, "event") == before


def test_a_transition_the_lifecycle_refuses_is_not_written(repo: GitRepo) -> None:
    # APP-2026-XNHPJ1N3 is pending: it cannot be suspended.
    result = fmar(repo.path, "suspend", "APP-2026-XNHPJ1N3", "--reason", "Test", "--key", key("NESO"))
    assert result.exit_code == 1 and "LIFE-VAL001" in result.stderr


def test_unit_add_refuses_an_existing_unit_and_update_an_unknown_one(repo: GitRepo) -> None:
    added = fmar(repo.path, "unit", "add", "MU-KESTREL-000001", "--key", key("KESTREL"))
    assert added.exit_code == 1 and "WF-VAL002" in added.stderr
    updated = fmar(repo.path, "unit", "update", "MU-KESTREL-000099", "--key", key("KESTREL"))
    assert updated.exit_code == 1 and "WF-VAL002" in updated.stderr


def test_unit_add_names_the_flags_a_new_unit_still_needs(repo: GitRepo) -> None:
    """Not a missing YAML field at line 1 of a file that does not exist: the flags, at once."""
    before = files(repo, "market_unit")
    short = fmar(repo.path, "unit", "add", "MU-KESTREL-000777", "--name", "Test", "--key", key("KESTREL"))
    assert short.exit_code == 2
    assert "MU-KESTREL-000777 needs --unit-type, --licence-area, --connection-type" in short.output
    assert "--asset" in short.output and ":1:1" not in short.output
    wrong = fmar(repo.path, "unit", "add", "MU-kestrel-1", "--key", key("KESTREL"))
    assert wrong.exit_code == 2 and "is not a Market Unit id" in wrong.output
    added = fmar(
        repo.path, "unit", "add", "MU-KESTREL-000777", "--name", "Test", "--unit-type", "SPU", "--licence-area",
        "ENWL", "--connection-type", "FIRM", "--connection-status", "CONNECTED", "--import-kw", "0",
        "--export-kw", "2000", "--asset", "BESS:1:2000", "--key", key("KESTREL"),
    )  # fmt: skip
    assert added.exit_code == 0, added.output  # the FSP is the one the id names
    assert files(repo, "market_unit") - before == {path_of("market_unit", "MU-KESTREL-000777")}


def test_unit_add_from_a_file_reports_schema_problems_by_field(repo: GitRepo, tmp_path: Path) -> None:
    source = tmp_path / "unit.yaml"
    source.write_text("name: Depot chargers\nfsp: KESTREL\nunit_type: SPG\nlicence_area: ENWL\n", encoding="utf-8")
    result = fmar(repo.path, "unit", "add", "MU-KESTREL-000050", "--file", source, "--key", key("KESTREL"))
    assert result.exit_code == 1
    assert "SCH-VAL001" in result.stderr and "composition" in result.stderr
    assert not [path for path in files(repo, "market_unit") if path.endswith("/MU-KESTREL-000050.yaml")]


def test_non_material_update_says_so(repo: GitRepo) -> None:
    result = fmar(
        repo.path, "unit", "update", "MU-VOLTAFLEX-000001", "--name", "Thurrock Battery Park II",
        "--key", key("VOLTAFLEX"), "--at", "2026-11-20T10:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "not a material change" in result.output


def test_eligibility_explains_each_answer_and_uses_equivalences(bundled_registry: Path, tmp_path: Path) -> None:
    # A copy outside Git: in fmar's own repository the bundled records count from when they were
    # committed there (recorded times, fmar.history), after the moment asked about.
    shutil.copytree(bundled_registry, tmp_path / "registry")
    result = fmar(tmp_path, "eligible", "MU-VOLTAFLEX-000001", "--format", "json", "--as-of", "2026-06-01")
    products = {p["product"]: p for p in json.loads(result.output)["products"]}
    assert products["NESO-SFFR"]["eligible"] and products["NESO-SFFR"]["via_equivalence"] == ["NESO-DC"]
    assert not products["ENWL-PR"]["eligible"]
    assert any("outside ENWL's licence areas" in r for r in products["ENWL-PR"]["reasons"])
    assert all(p["reasons"] for p in products.values())


def test_package_matches_its_published_schema(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry).load()
    schema = json.loads((bundled_registry.parent / "schemas" / "package.v1.schema.json").read_text())
    assert schema == package_schema()
    for application in registry.applications:
        document = package_json(build_package(registry, application, datetime(2026, 11, 22, tzinfo=UTC)))
        jsonschema.validate(document, schema)
        assert document["application"]["id"] == application


def test_inbox_puts_overdue_first(bundled_registry: Path) -> None:
    result = fmar(bundled_registry.parent, "inbox", "NESO", "--as-of", "2027-06-01", "--format", "json")
    rows = json.loads(result.output)["applications"]
    assert rows and rows[0]["overdue"]
    flags = [r["overdue"] for r in rows]
    assert flags == sorted(flags, reverse=True)


def test_sla_reports_per_so_and_product(bundled_registry: Path) -> None:
    result = fmar(bundled_registry.parent, "sla", "--so", "NESO", "--as-of", "2026-11-22", "--format", "json")
    rows = {r["product"]: r for r in json.loads(result.output)["rows"]}
    assert {r["so"] for r in rows.values()} == {"NESO"}
    dfs = rows["NESO-DFS"]
    assert dfs["decided"] == 2 and dfs["median_days_to_decision"] is not None
    assert 0 <= dfs["within_target"] <= 1


def _new_outcome(repo: GitRepo, before: set[str]) -> dict[str, object]:
    """The outcome record a command wrote (the one file under outcome/ not there ``before``)."""
    (written,) = files(repo, "outcome") - before
    data, _, _ = parse_text((repo.path / "registry" / written).read_text())
    return data


def test_dates_are_days_of_london_time_across_the_clock_changes(repo: GitRepo) -> None:
    """A date-only start is 00:00 of that day in London and a date-only end its 23:59:59, stored as
    UTC instants: in summer time (from 28 March 2027, when the clocks go forward, to 31 October)
    29 March starts at 23:00Z the day before and 30 October ends at 22:59:59Z; a time without an
    offset is London time. (The day arithmetic at the clock changes: tests/core/test_gb_time.py.)"""
    ack = fmar(repo.path, "acknowledge", "APP-2026-XNHPJ1N3", "--key", key("NESO"), "--at", "2026-11-20")
    assert ack.exit_code == 0, ack.output
    before = files(repo, "outcome")
    decided = fmar(
        repo.path, "decide", "APP-2026-XNHPJ1N3", "--qualified", "--valid-from", "2027-03-29",
        "--valid-until", "2027-10-30", "--key", key("NESO"), "--at", "2027-03-29T09:00",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    outcome = _new_outcome(repo, before)
    assert outcome["valid_from"] == "2027-03-28T23:00:00Z"
    assert outcome["valid_until"] == "2027-10-30T22:59:59Z"
    assert outcome["signature"]["signed_at"] == "2027-03-29T08:00:00Z"  # type: ignore[index]  # 09:00 BST


def test_contradictory_decide_options_are_refused_at_once(repo: GitRepo) -> None:
    before = files(repo, "outcome")
    both = fmar(repo.path, "decide", "APP-2026-XNHPJ1N3", "--qualified", "--failed", "--key", key("NESO"))
    assert both.exit_code == 2 and "--qualified and --failed contradict each other" in both.output
    twice = fmar(
        repo.path, "decide", "APP-2026-XNHPJ1N3", "--qualified", "--valid-until", "2027-01-31", "--days", "30",
        "--key", key("NESO"),
    )  # fmt: skip
    assert twice.exit_code == 2 and "--valid-until and --days" in twice.output
    bad = fmar(
        repo.path, "decide", "APP-2026-XNHPJ1N3", "--qualified", "--valid-from", "31/01/2027", "--key", key("NESO")
    )
    assert bad.exit_code == 2 and "--valid-from '31/01/2027' is not an ISO date" in bad.output
    assert files(repo, "outcome") == before


def _new_battery(
    repo: GitRepo, tmp_path: Path, capabilities: str = "", imports: int = 2000, exports: int = 2000, asset: str = "BESS"
) -> str:
    """A new ENWL unit of KESTREL's with no application (its record declaring ``capabilities``)."""
    source = tmp_path / "unit.yaml"
    source.write_text(
        "name: Test unit\nunit_type: SPU\nlicence_area: ENWL\ngsp_group: _G\nconnection_type: FIRM\n"
        f"connection_status: CONNECTED\naccounting_points: 1\ncomposition:\n  import_capacity_kw: {imports}\n"
        f"  export_capacity_kw: {exports}\n  assets:\n    - {{category: {asset}, count: 1, capacity_kw: 2000}}\n"
        + capabilities,
        encoding="utf-8",
    )
    added = fmar(repo.path, "unit", "add", "MU-KESTREL-000777", "--file", source, "--key", key("KESTREL"))
    assert added.exit_code == 0, added.output + added.stderr
    return "MU-KESTREL-000777"


def _eligible(repo: GitRepo, unit: str) -> dict[str, dict]:  # type: ignore[type-arg]
    result = fmar(repo.path, "eligible", unit, "--format", "json", "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    return {p["product"]: p for p in json.loads(result.output)["products"]}


def test_nothing_is_declared_for_the_fsp_and_eligibility_says_what_is_unknown(repo: GitRepo, tmp_path: Path) -> None:
    unit = _new_battery(repo, tmp_path)
    before = _eligible(repo, unit)["ENWL-PR"]
    assert before["answer"] == "unknown" and not before["eligible"]
    assert before["reasons"][0].startswith("unknown: declare the time to full delivery (--full-delivery-s")
    assert len([r for r in before["reasons"] if r.startswith("unknown: declare")]) == 3
    applied = fmar(
        repo.path, "apply", unit, "ENWL-PR", "--duration-min", "120", "--key", key("KESTREL"),
        "--at", "2026-11-20T10:00:00Z",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output + applied.stderr
    (new,) = [p for p in files(repo, "application") if "APP-" in p and unit in (repo.path / "registry" / p).read_text()]
    data, _, _ = parse_text((repo.path / "registry" / new).read_text())
    assert data is not None and data["capabilities"] == {"duration_min": 120}, "nothing copied from the product"
    assert "time to full delivery: not declared (the product wants" in applied.output
    after = _eligible(repo, unit)["ENWL-PR"]
    assert after["answer"] == "unknown" and len([r for r in after["reasons"] if "unknown" in r]) == 2


def test_the_unit_record_declares_for_every_application_and_flags_override(repo: GitRepo, tmp_path: Path) -> None:
    declared = "capabilities:\n  full_delivery_s: 600\n  duration_min: 240\n  metering_resolution_s: 60\n"
    unit = _new_battery(repo, tmp_path, declared)
    answers = _eligible(repo, unit)
    assert answers["ENWL-PR"]["answer"] == "yes", answers["ENWL-PR"]
    assert answers["NESO-DC"]["answer"] == "no"  # 600 s is far slower than Dynamic Containment's 1 s
    assert any(
        "declared time to full delivery 600 s does not meet 1 s at most" in r for r in answers["NESO-DC"]["reasons"]
    )
    applied = fmar(
        repo.path, "apply", unit, "ENWL-PR", "--duration-min", "180", "--key", key("KESTREL"),
        "--at", "2026-11-20T10:00:00Z",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output + applied.stderr
    assert "time to full delivery: 600 s, as the unit record declares" in applied.output
    (new,) = [p for p in files(repo, "application") if unit in (repo.path / "registry" / p).read_text()]
    data, _, _ = parse_text((repo.path / "registry" / new).read_text())
    assert data is not None
    assert data["capabilities"] == {"full_delivery_s": 600.0, "duration_min": 180, "metering_resolution_s": 60.0}


def test_a_demand_flexibility_service_needs_demand_to_turn_down(repo: GitRepo, tmp_path: Path) -> None:
    """A solar farm that imports nothing cannot turn its demand down, however much it exports."""
    declared = "capabilities:\n  full_delivery_s: 60\n  duration_min: 240\n  metering_resolution_s: 60\n"
    solar = _new_battery(repo, tmp_path, declared, imports=0, exports=2000, asset="SOLAR_PV")
    answers = _eligible(repo, solar)
    dfs = answers["NESO-DFS"]
    assert dfs["answer"] == "no"
    wanted = "it imports nothing, and a demand flexibility service is delivered by changing demand"
    assert any(wanted in reason for reason in dfs["reasons"])
    assert answers["ENWL-PR"]["answer"] == "yes", "its export meets an upward DSO product"


def test_a_demand_flexibility_service_counts_import_not_export(repo: GitRepo, tmp_path: Path) -> None:
    declared = "capabilities:\n  full_delivery_s: 60\n  duration_min: 240\n  metering_resolution_s: 60\n"
    unit = _new_battery(repo, tmp_path, declared, imports=1500, exports=2000)
    dfs = _eligible(repo, unit)["NESO-DFS"]
    assert dfs["answer"] == "yes", dfs
    applied = fmar(repo.path, "apply", unit, "NESO-DFS", "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert applied.exit_code == 0, applied.output + applied.stderr
    said = "capacity up: 1500.00 kW by default (its import capacity, turned down: a demand flexibility service;"
    assert said in applied.output, "its demand turned down, not its 2,000 kW export"


def _batteries(repo: GitRepo, tmp_path: Path, count: int) -> list[str]:
    """``count`` new ENWL batteries of KESTREL's, each declaring its capabilities, with no application."""
    units = []
    for n in range(count):
        source = tmp_path / f"unit-{n}.yaml"
        source.write_text(
            "name: Battery park\nunit_type: SPU\nlicence_area: ENWL\ngsp_group: _G\nconnection_type: FIRM\n"
            "connection_status: CONNECTED\naccounting_points: 1\ncomposition:\n  import_capacity_kw: 2000\n"
            "  export_capacity_kw: 2000\n  assets:\n    - {category: BESS, count: 1, capacity_kw: 2000}\n"
            "capabilities:\n  full_delivery_s: 1\n  duration_min: 240\n  metering_resolution_s: 1\n",
            encoding="utf-8",
        )
        unit = f"MU-KESTREL-000{700 + n}"
        added = fmar(repo.path, "unit", "add", unit, "--file", source, "--key", key("KESTREL"))
        assert added.exit_code == 0, added.output + added.stderr
        units.append(unit)
    return units


BULK_PRODUCTS = ("ENWL-PR", "ENWL-SU", "ENWL-OU", "ENWL-SAOU", "ENWL-VAOU")


def test_apply_from_a_csv_file_writes_every_row_signed(repo: GitRepo, tmp_path: Path) -> None:
    units = _batteries(repo, tmp_path, 3)
    rows = ["unit,product,capacity_up_kw,duration_min"]
    rows += [
        f"{u},{p},{1500 if p == 'ENWL-PR' else ''},{'' if p != 'ENWL-SU' else 300}"
        for u in units
        for p in BULK_PRODUCTS
    ]
    source = tmp_path / "applications.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = files(repo, "application")
    result = fmar(repo.path, "apply", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert result.exit_code == 0, result.output + result.stderr
    new = files(repo, "application") - before
    assert len(new) == 15 and "15 application(s) written, signed as KESTREL" in result.output
    written = [parse_text((repo.path / "registry" / p).read_text())[0] for p in sorted(new)]
    assert {(d["unit"], d["product"]) for d in written if d} == {(u, p) for u in units for p in BULK_PRODUCTS}
    for data in written:
        assert data is not None and data["signature"]["signer"] == "KESTREL"
        if data["product"] == "ENWL-PR":
            assert data["capacity_up_kw"] == 1500.0
        assert data["capabilities"]["duration_min"] == (300 if data["product"] == "ENWL-SU" else 240)
    assert fmar(repo.path, "validate").exit_code == 0, "every record written is valid where it was written"


def test_apply_from_a_file_with_bad_rows_writes_nothing_and_names_each_row_and_column(
    repo: GitRepo, tmp_path: Path
) -> None:
    units = _batteries(repo, tmp_path, 2)
    source = tmp_path / "applications.csv"
    source.write_text(
        "unit,product,capacity_up_kw\n"
        f"{units[0]},ENWL-PR,\n"  # line 2: fine alone
        "MU-KESTREL-000071,ENWL-PR,\n"  # line 3: no such unit
        f"{units[1]},ENWL-SU,lots\n"  # line 4: not a number
        f"{units[1]},ENWL-PRR,\n"  # line 5: no such product
        "MU-VOLTAFLEX-000001,ENWL-PR,\n"  # line 6: another FSP's unit
        f"{units[0]},ENWL-PR,\n",  # line 7: a second open application beside line 2's
        encoding="utf-8",
    )
    before = files(repo, "application")
    result = fmar(repo.path, "apply", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert result.exit_code == 1
    assert files(repo, "application") == before, "nothing written"
    err = result.stderr
    assert f"{source}:3: column unit: error REF-VAL001 'MU-KESTREL-000071' is not a Market Unit" in err
    assert "did you mean" in err and "MU-KESTREL-000001" in err
    assert f"{source}:4: column capacity_up_kw: error WF-VAL004 'lots' is not a number" in err
    assert f"{source}:5: column product: error REF-VAL" in err and "did you mean ENWL-PR" in err
    assert f"{source}:6: column unit: error APP-VAL007 MU-VOLTAFLEX-000001 is VOLTAFLEX's" in err
    assert "nothing written:" in err
    # With the row problems fixed, the registry-wide check still judges the rows together.
    source.write_text(f"unit,product\n{units[0]},ENWL-PR\n{units[0]},ENWL-PR\n{units[1]},ENWL-SU\n", encoding="utf-8")
    again = fmar(repo.path, "apply", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert again.exit_code == 1 and files(repo, "application") == before
    flagged = [n for n in (2, 3) if f"{source}:{n}: column unit: error APP-VAL003" in again.stderr]
    assert len(flagged) == 1, again.stderr  # one of the two is the second open application
    assert f"{source}:4:" not in again.stderr
    header = tmp_path / "header.csv"
    header.write_text("unit,product,capacity\n", encoding="utf-8")
    bad = fmar(repo.path, "apply", "--from", header, "--key", key("KESTREL"))
    assert (
        bad.exit_code == 1 and f"{header}:1: column capacity: error WF-VAL004 unknown column 'capacity'" in bad.stderr
    )
    both = fmar(repo.path, "apply", units[0], "ENWL-PR", "--from", source, "--key", key("KESTREL"))
    assert both.exit_code == 2 and "drop UNIT_ID, PRODUCT_ID" in both.output


def test_an_so_decides_a_batch_from_a_file_with_its_case_references(repo: GitRepo, tmp_path: Path) -> None:
    units = _batteries(repo, tmp_path, 2)
    applications = tmp_path / "applications.csv"
    applications.write_text("unit,product\n" + "".join(f"{u},ENWL-PR\n" for u in units), encoding="utf-8")
    earlier = files(repo, "application")
    applied = fmar(repo.path, "apply", "--from", applications, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert applied.exit_code == 0, applied.output + applied.stderr
    new = [parse_text((repo.path / "registry" / p).read_text())[0] for p in files(repo, "application") - earlier]
    of_unit = {d["unit"]: d["id"] for d in new if d}
    ids = [of_unit[units[0]], of_unit[units[1]]]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "application,result,valid_from,valid_until,reasons,case_reference\n"
        f"{ids[0]},qualified,2027-04-01,2028-03-31,,ENWL/FLEX/2026/0042\n"
        f"{ids[1]},failed,,,TEST_FAILED;EVIDENCE_INSUFFICIENT,ENWL/FLEX/2026/0043\n",
        encoding="utf-8",
    )
    before = files(repo, "outcome")
    decided = fmar(repo.path, "decide", "--from", decisions, "--key", key("ENWL"), "--at", "2026-11-25T10:00:00Z")
    assert decided.exit_code == 0, decided.output + decided.stderr
    assert "2 outcome(s) written, signed as ENWL" in decided.output
    written = {
        d["application"]: d
        for d in (parse_text((repo.path / "registry" / p).read_text())[0] for p in files(repo, "outcome") - before)
        if d
    }
    qualified, failed = written[ids[0]], written[ids[1]]
    assert qualified["valid_from"] == "2027-03-31T23:00:00Z" and qualified["valid_until"] == "2028-03-31T22:59:59Z"
    assert qualified["case_reference"] == "ENWL/FLEX/2026/0042"
    assert failed["reasons"] == ["TEST_FAILED", "EVIDENCE_INSUFFICIENT"] and "valid_from" not in failed
    status = fmar(repo.path, "status", units[0], "--product", "ENWL-PR", "--as-of", "2027-05-01")
    assert "Qualified" in status.output and "valid 2027-04-01 to 2028-03-31 London" in status.output


def test_a_batch_of_decisions_with_bad_rows_writes_nothing(repo: GitRepo, tmp_path: Path) -> None:
    units = _batteries(repo, tmp_path, 1)
    applied = fmar(repo.path, "apply", units[0], "ENWL-PR", "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert applied.exit_code == 0, applied.output
    (mine,) = re.findall(r"APP-2026-[0-9A-Z]{8}", applied.output)[:1]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "application,result,valid_until,days\n"
        "APP-2026-XNHPJ1N4,qualified,,\n"  # line 2: no such application
        f"{mine},approved,,\n"  # line 3: not a result
        f"{mine},qualified,2028-01-01,365\n"  # line 4: two ends of validity
        "APP-2026-XNHPJ1N3,qualified,,\n",  # line 5: NESO's application
        encoding="utf-8",
    )
    before = files(repo, "outcome")
    result = fmar(repo.path, "decide", "--from", decisions, "--key", key("ENWL"), "--at", "2026-11-25T10:00:00Z")
    assert result.exit_code == 1 and files(repo, "outcome") == before
    err = result.stderr
    assert f"{decisions}:2: column application: error REF-VAL001" in err and "APP-2026-XNHPJ1N3" in err
    assert f"{decisions}:3: column result: error WF-VAL004 'approved' is not a result" in err
    assert f"{decisions}:4: column days: error WF-VAL004 valid_until and days both set the end of validity" in err
    assert f"{decisions}:5: column application: error OUT-VAL001 APP-2026-XNHPJ1N3 is NESO's to decide" in err
    both = fmar(repo.path, "decide", mine, "--qualified", "--from", decisions, "--key", key("ENWL"))
    assert both.exit_code == 2 and "drop APPLICATION_ID, --qualified" in both.output


UNIT_HEADER = (
    "id,name,unit_type,licence_area,connection_type,connection_status,import_kw,export_kw,assets,duration_min\n"
)


def test_unit_add_from_a_csv_file_registers_every_row(repo: GitRepo, tmp_path: Path) -> None:
    source = tmp_path / "units.csv"
    source.write_text(
        UNIT_HEADER
        + "MU-KESTREL-000801,Depot chargers,SPU,ENWL,FIRM,CONNECTED,880,0,EV_CHARGER:40:880,\n"
        + "MU-KESTREL-000802,Solar and storage,SPU,ENWL,NON_FIRM,CONNECTED,1500,3000,SOLAR_PV:1:3000;BESS:1:1500,120\n",
        encoding="utf-8",
    )
    before = files(repo, "market_unit")
    result = fmar(repo.path, "unit", "add", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert result.exit_code == 0, result.output + result.stderr
    assert files(repo, "market_unit") - before == {
        path_of("market_unit", "MU-KESTREL-000801"),
        path_of("market_unit", "MU-KESTREL-000802"),
    }
    data, _, _ = parse_text((repo.path / "registry" / path_of("market_unit", "MU-KESTREL-000802")).read_text())
    assert data is not None and data["gsp_group"] == "_G" and data["accounting_points"] == 1
    assert [a["category"] for a in data["composition"]["assets"]] == ["SOLAR_PV", "BESS"]
    assert data["capabilities"] == {"duration_min": 120}
    assert fmar(repo.path, "validate").exit_code == 0


def test_unit_add_from_a_file_with_bad_rows_writes_nothing(repo: GitRepo, tmp_path: Path) -> None:
    source = tmp_path / "units.csv"
    source.write_text(
        UNIT_HEADER
        + "MU-KESTREL-1,Depot,SPU,ENWL,FIRM,CONNECTED,880,0,EV_CHARGER:40:880,\n"  # line 2: not an id
        + "MU-KESTREL-000001,Depot,SPU,ENWL,FIRM,CONNECTED,880,0,EV_CHARGER:40:880,\n"  # line 3: registered
        + "MU-KESTREL-000803,Depot,SPU,ENWL,FIRM,CONNECTED,,0,EV_CHARGER:40:880,\n"  # line 4: no import
        + "MU-KESTREL-000804,Depot,SPU,ENWL,FIRM,CONNECTED,880,0,EV_CHARGER-40-880,\n"  # line 5: bad asset
        + "MU-VOLTAFLEX-000805,Depot,SPU,ENWL,FIRM,CONNECTED,880,0,EV_CHARGER:40:880,\n"  # line 6: not KESTREL's
        + "MU-KESTREL-000806,Depot,SPU,ENWL,FIRM,CONNECTED,880,5000,EV_CHARGER:40:880,\n",  # line 7: export > assets
        encoding="utf-8",
    )
    before = files(repo, "market_unit")
    result = fmar(repo.path, "unit", "add", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert result.exit_code == 1 and files(repo, "market_unit") == before
    err = result.stderr
    assert f"{source}:2: column id: error WF-VAL004 'MU-KESTREL-1' is not a Market Unit id" in err
    assert f"{source}:3: column id: error WF-VAL002 MU-KESTREL-000001 is already in the registry" in err
    assert f"{source}:4: column import_kw: error WF-VAL004 MU-KESTREL-000803 needs a value in column import_kw" in err
    assert f"{source}:5: column assets: error WF-VAL004 'EV_CHARGER-40-880': write CATEGORY:COUNT:KW" in err
    assert f"{source}:6: column id: error MU-VAL006 MU-VOLTAFLEX-000805 is VOLTAFLEX's" in err
    # Once the row problems are fixed, each unit is judged as signed: line 7's export exceeds its assets.
    source.write_text(UNIT_HEADER + "MU-KESTREL-000806,Depot,SPU,ENWL,FIRM,CONNECTED,880,5000,EV_CHARGER:40:880,\n")
    again = fmar(repo.path, "unit", "add", "--from", source, "--key", key("KESTREL"), "--at", "2026-11-20T10:00:00Z")
    assert again.exit_code == 1 and f"{source}:2: column export_kw: error MU-VAL005" in again.stderr
    both = fmar(repo.path, "unit", "add", "MU-KESTREL-000807", "--name", "X", "--from", source, "--key", key("KESTREL"))
    assert both.exit_code == 2 and "drop UNIT_ID, --name" in both.output
