"""Changes every party may make pass the gate: the happy paths for each party and record kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from trust_scenario import PR_AT, Scenario, key

from fmar.generate.keys import example_key
from fmar.generate.reference import DSO_PRODUCTS
from fmar.generate.synthetic import IDENTITY, generate
from fmar.loading.record_file import parse_text
from fmar.signing.records import iso, sign_data
from fmar.signing.sshsig import public_key_line
from fmar.trust.gate import check
from fmar.writing.writer import dumps


def _clean(scenario: Scenario) -> None:
    result = scenario.check()
    assert result.findings == [], [f"{f.path} {f.code} {f.message}" for f in result.findings]


def test_an_unchanged_branch_has_no_findings(scenario: Scenario) -> None:
    _clean(scenario)


def test_operator_registers_an_fsp(scenario: Scenario) -> None:
    scenario.builder.fsp("SOLARIS", "Solaris Flex Ltd", PR_AT, "flex@solaris.example")
    _clean(scenario)


def test_operator_rotates_an_fsp_key(scenario: Scenario) -> None:

    def add_key(body: dict) -> None:
        body["keys"][0]["valid_until"] = iso(PR_AT + timedelta(days=30))
        body["keys"].append(
            {
                "id": "voltaflex-2",
                "public_key": public_key_line(example_key("VOLTAFLEX", "bundled", 2)),
                "valid_from": iso(PR_AT),
            }
        )

    scenario.sign("registry/party/V/VOLTAFLEX.yaml", "FMAR", change=add_key)
    _clean(scenario)


def test_so_updates_its_product(scenario: Scenario) -> None:
    def describe(body: dict) -> None:
        body["description"] = "Peak reduction in the UKPN licence areas, updated terms."

    scenario.sign("registry/product/UKPN/UKPN-PR.yaml", "UKPN", change=describe)
    _clean(scenario)


def test_operator_may_update_a_product(scenario: Scenario) -> None:
    def describe(body: dict) -> None:
        body["description"] = "Corrected by the registry operator."

    scenario.sign("registry/product/NESO/NESO-DC.yaml", "FMAR", change=describe)
    _clean(scenario)


def test_so_adds_a_product(scenario: Scenario) -> None:
    spec = DSO_PRODUCTS[0]
    scenario.builder.product("UKPN", replace(spec, code="LOCAL"), PR_AT, "2027-01-01")
    _clean(scenario)


def test_fsp_registers_a_unit_and_applies_in_one_change(scenario: Scenario) -> None:
    unit = scenario.builder.unit(
        {
            "id": "MU-VOLTAFLEX-000010",
            "name": "Harbour Road battery",
            "fsp": "VOLTAFLEX",
            "unit_type": "SPU",
            "accounting_points": 1,
            "licence_area": "UKPN_EPN",
            "gsp_group": "_A",
            "connection_type": "FIRM",
            "connection_status": "CONNECTED",
            "composition": {
                "import_capacity_kw": 1000.0,
                "export_capacity_kw": 1000.0,
                "assets": [{"category": "BESS", "count": 1, "capacity_kw": 1000.0}],
            },
        },
        PR_AT,
    )
    scenario.builder.apply(unit, "UKPN-PR", PR_AT, up=800.0)
    _clean(scenario)


def test_fsp_updates_its_unit_name(scenario: Scenario) -> None:
    def rename(body: dict) -> None:
        body["name"] = "Fen edge solar and storage"

    scenario.sign("registry/market_unit/FENLAND/000xxx/MU-FENLAND-000001.yaml", "FENLAND", change=rename)
    _clean(scenario)


def test_so_records_an_outcome(scenario: Scenario) -> None:
    application = scenario.builder.registry.applications["APP-2026-7YBPPNN8"]
    scenario.builder.decide(application, "qualified", PR_AT, days=365)
    _clean(scenario)


def test_so_events_and_fsp_events(scenario: Scenario) -> None:
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    b.event(b.registry.applications["APP-2026-S10WNSK7"], "information_supplied", PR_AT)
    b.event(b.registry.applications["APP-2024-1VNXK21J"], "suspended", PR_AT, reason="Failed a delivery test.")
    b.event(b.registry.applications["APP-2024-BXP7D6BT"], "reinstated", PR_AT)
    b.event(b.registry.applications["APP-2024-B0EEHBKZ"], "revoked", PR_AT, reason="Unit decommissioned.")
    b.event(b.registry.applications["APP-2024-5BK6KDHW"], "withdrawn", PR_AT, reason="No longer offered.")
    _clean(scenario)


def test_operator_rotates_its_own_key_through_the_anchor(scenario: Scenario) -> None:

    new = {"id": "fmar-2", "public_key": public_key_line(example_key("FMAR", "bundled", 2)), "valid_from": iso(PR_AT)}

    def add_key(body: dict) -> None:
        body["keys"].append(dict(new))

    scenario.sign("registry/party/F/FMAR.yaml", "FMAR", change=add_key)
    scenario.sign("registry-trust.yaml", "FMAR", change=add_key)
    _clean(scenario)


def test_reformatting_a_unit_is_not_a_modification(scenario: Scenario) -> None:
    # Units are updated in place; re-formatting one keeps its data and signature. (Merged
    # applications, outcomes and events are immutable byte for byte: GATE-VAL010.)
    rel = "registry/market_unit/KESTREL/000xxx/MU-KESTREL-000004.yaml"
    text = scenario.path(rel).read_text(encoding="utf-8")
    scenario.path(rel).write_text(text.replace("kind: market_unit", "kind: 'market_unit'"), encoding="utf-8")
    _clean(scenario)


def test_docs_beside_data_are_not_a_mixed_change(scenario: Scenario) -> None:
    scenario.path("docs").mkdir()
    scenario.path("docs/notes.md").write_text("notes\n", encoding="utf-8")
    scenario.path("site/docs").mkdir(parents=True)
    scenario.path("site/docs/guide.rst").write_text("guide\n", encoding="utf-8")
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    _clean(scenario)


def test_an_ecdsa_key_signs_records(scenario: Scenario) -> None:

    ecdsa = ec.generate_private_key(ec.SECP256R1())

    def add_key(body: dict) -> None:
        body["keys"].append({"id": "kestrel-ecdsa", "public_key": public_key_line(ecdsa), "valid_from": iso(PR_AT)})

    scenario.sign("registry/party/K/KESTREL.yaml", "FMAR", change=add_key)
    scenario.merge_to_main("operator publishes an ecdsa key", when=PR_AT)
    b = scenario.builder
    b.key_for = lambda party: ecdsa if party == "KESTREL" else key(party)
    b.event(b.registry.applications["APP-2026-S10WNSK7"], "information_supplied", PR_AT + timedelta(hours=1))
    _clean(scenario)


def test_cost_follows_the_change_not_the_registry(git_repo) -> None:

    generate(git_repo.path / "registry", units=250)
    git_repo.commit_all("synthetic registry", when=PR_AT - timedelta(days=20))
    files = len(git_repo.git("ls-files", "registry").splitlines())
    reference = len(git_repo.git("ls-files", "registry/party", "registry/product", "registry/process").splitlines())
    git_repo.git("checkout", "-q", "-b", "pr")
    unit = git_repo.git("ls-files", "registry/market_unit").splitlines()[7]
    data, _, _ = parse_text((git_repo.path / unit).read_text(encoding="utf-8"))
    data["name"] = "Renamed " + data["name"][:100]
    signed = sign_data(data, example_key(data["fsp"], "synthetic-1"), data["fsp"], PR_AT, registry=IDENTITY)
    (git_repo.path / unit).write_text(dumps(signed), encoding="utf-8")
    git_repo.commit_all("rename a unit", when=PR_AT + timedelta(hours=1))
    result = check(git_repo.path, "main", "pr", now=PR_AT + timedelta(hours=1))
    assert result.findings == []
    assert files > 1000
    assert result.objects_read < reference + 40


def test_operator_changes_several_parties_in_one_change(scenario: Scenario) -> None:

    def add_key(body: dict) -> None:
        body["keys"].append(
            {"id": "neso-2", "public_key": public_key_line(example_key("NESO", "bundled", 2)), "valid_from": iso(PR_AT)}
        )

    scenario.sign("registry/party/N/NESO.yaml", "FMAR", change=add_key)
    scenario.builder.fsp("SOLARIS", "Solaris Flex Ltd", PR_AT, "flex@solaris.example")
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)  # NESO, with its current key
    _clean(scenario)
