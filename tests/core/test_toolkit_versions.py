"""The toolkit is versioned like products: its version history (v1.0 to v2.1, with the renamed phase,
the condensed registration blocks and V.5 added) is data in a signed record, and ``fmar toolkit
glossary`` prints the raw JSON glossary of any version, reproducing the one the toolkit publishes for
v2.1 (``data/toolkit-v2.1-glossary.json`` is the seed's JSON block, copied byte for byte)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import BUNDLED_REGISTRY

from fmar.cli import cli
from fmar.core.glossary import catalogue_of, glossary, glossary_text
from fmar.core.model import Process, Toolkit
from fmar.core.model.toolkit import BlockAdded, BlockRenamed, BlocksCondensed, PhaseRenamed, ToolkitVersion
from fmar.core.registry import Registry
from fmar.core.rules.record import check_record
from fmar.core.rules.registry import check_registry
from fmar.validation.pipeline import Pipeline

SEED_GLOSSARY = Path(__file__).parent / "data" / "toolkit-v2.1-glossary.json"


@pytest.fixture(scope="module")
def registry() -> Registry:
    loaded, findings = Pipeline(BUNDLED_REGISTRY.parent, BUNDLED_REGISTRY, use_cache=False).load()
    assert not [f for f in findings if f.severity == "error"]
    return loaded


@pytest.fixture(scope="module")
def toolkit(registry: Registry) -> Toolkit:
    (found,) = registry.toolkits.values()
    return found


def _glossary_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["toolkit", "glossary", "--registry", str(BUNDLED_REGISTRY), *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_glossary_of_v2_1_is_the_one_the_toolkit_publishes() -> None:
    code, out, err = _glossary_cli()
    published = SEED_GLOSSARY.read_text(encoding="utf-8")
    ours, theirs = json.loads(out), json.loads(published)
    assert code == 0 and err == ""
    assert ours == theirs
    assert (
        list(ours)
        == list(theirs)
        == [
            "Exploration",
            "Qualification",
            "Competition",
            "Schedule/Dispatch",
            "Verification",
            "Settlement",
        ]
    )
    assert all([e["code"] for e in ours[k]] == [e["code"] for e in theirs[k]] for k in theirs)
    # Laid out as the toolkit lays it out, too: the same bytes.
    assert out == published
    assert _glossary_cli("--version", "v2.1")[1] == _glossary_cli("--version", "2.1")[1] == published


def test_v1_0_is_the_catalogue_before_the_v1_5_edits(registry: Registry, toolkit: Toolkit) -> None:
    v10 = glossary(registry.processes, toolkit, "1.0")
    assert list(v10) == [
        "Exploration",
        "Registration",
        "Competition",
        "Schedule/Dispatch",
        "Verification",
        "Settlement",
    ]
    registration = v10["Registration"]
    assert registration[:4] == [
        {"code": "R.1", "process": "Register User"},
        {"code": "R.2", "process": "Register Organisation"},
        {"code": "R.3", "process": "Register Related Entity"},
        {"code": "R.4", "process": "Qualify Counterparty (Commercially)"},
    ]
    assert registration[-1] == {"code": "R.10", "process": "Test Units"}
    assert [e["code"] for e in v10["Verification"]] == ["V.1", "V.2", "V.3", "V.4"]  # no V.5 before v1.5
    # Nothing else changed; v1.5 and v2.0 made no edit after them, so their catalogue is today's.
    current = glossary(registry.processes, toolkit, "2.1")
    assert all(v10[k] == current[k] for k in ("Exploration", "Competition", "Schedule/Dispatch", "Settlement"))
    assert glossary(registry.processes, toolkit, "1.5") == glossary(registry.processes, toolkit, "2.0") == current
    code, out, err = _glossary_cli("--version", "1.0")
    assert code == 0 and json.loads(out) == v10 and "published no raw JSON glossary" in err


def test_an_unknown_version_names_the_versions_there_are() -> None:
    code, out, err = _glossary_cli("--version", "2.2")
    assert code == 1 and out == ""
    assert "2.2 is not a toolkit version in the registry" in err and "2.1" in err


def test_versions_lists_the_history_with_its_edits(toolkit: Toolkit) -> None:
    result = CliRunner().invoke(cli, ["toolkit", "versions", "--registry", str(BUNDLED_REGISTRY), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [v["version"] for v in document["versions"]] == ["1.0", "1.5", "2.0", "2.1"]
    assert [v["date"] for v in document["versions"]] == ["2025-05", "2025-06", "2025-07-29", "2025-08-06"]
    assert [e["edit"] for e in document["versions"][1]["edits"]] == ["rename_phase", "condense_blocks", "add_block"]
    assert toolkit.current.glossary and not any(v.glossary for v in toolkit.versions[:-1])
    text = CliRunner().invoke(cli, ["toolkit", "versions", "--registry", str(BUNDLED_REGISTRY)])
    assert "v2.1" in text.stdout and "(current)" in text.stdout and "Q.1 condensed from Register User" in text.stdout


def _with_versions(toolkit: Toolkit, versions: list[ToolkitVersion]) -> Toolkit:
    return toolkit.model_copy(update={"versions": versions})


def _codes(registry: Registry, toolkit: Toolkit) -> list[tuple[str, tuple[object, ...]]]:
    changed = Registry.of((registry.path_of(r), r) for r in registry.records() if r.KIND != "toolkit")
    changed.add(toolkit, "toolkit/TK-E2E.yaml")
    hits = check_registry(changed)
    return [(p.rule.code, p.location) for r, p in hits if r.KIND == "toolkit"]


def test_versions_out_of_order_are_named(toolkit: Toolkit) -> None:
    v = toolkit.versions
    swapped = _with_versions(toolkit, [v[0], v[2], v[1], v[3]])
    found = [(p.rule.code, p.location) for p in check_record(swapped, {})]
    assert ("TK-VAL001", ("versions", 2, "version")) in found
    assert ("TK-VAL001", ("versions", 2, "date")) in found
    # A month and a day of that month are not out of order.
    same_month = _with_versions(toolkit, [v[0], v[1].model_copy(update={"date": "2025-05-30"}), v[2], v[3]])
    assert [p.rule.code for p in check_record(same_month, {})] == []


def test_edits_must_fit_the_catalogue(registry: Registry, toolkit: Toolkit) -> None:
    v = toolkit.versions
    assert _codes(registry, toolkit) == []
    unknown = v[3].model_copy(update={"edits": [BlockAdded(edit="add_block", block="V.9")]})
    assert _codes(registry, _with_versions(toolkit, [*v[:3], unknown])) == [
        ("TK-VAL002", ("versions", 3, "edits", 0, "block"))
    ]
    twice = v[3].model_copy(update={"edits": [BlockAdded(edit="add_block", block="V.5")]})
    found = _codes(registry, _with_versions(toolkit, [*v[:3], twice]))
    assert ("TK-VAL002", ("versions", 3, "edits", 0, "block")) in found
    # v2.0 renames V.5, which v1.5 added: fine. Renaming it in v1.0, before it existed, is not.
    renamed = BlockRenamed(edit="rename_block", block="V.5", was="Report Delivery")
    later = _with_versions(toolkit, [v[0], v[1], v[2].model_copy(update={"edits": [renamed]}), v[3]])
    assert _codes(registry, later) == []
    assert glossary(registry.processes, later, "1.5")["Verification"][-1] == {
        "code": "V.5",
        "process": "Report Delivery",
    }
    earlier = _with_versions(toolkit, [v[0].model_copy(update={"edits": [renamed]}), *v[1:]])
    assert ("TK-VAL002", ("versions",)) in _codes(registry, earlier)


def test_one_toolkit_record(registry: Registry, toolkit: Toolkit) -> None:
    second = toolkit.model_copy(update={"id": "TK-OTHER"})
    both = Registry.of((registry.path_of(r), r) for r in registry.records())
    both.add(second, "toolkit/TK-OTHER.yaml")
    assert [(r.id, p.rule.code) for r, p in check_registry(both) if r.KIND == "toolkit"] == [("TK-OTHER", "TK-VAL003")]


def test_a_block_code_is_its_phase_letter_and_order(registry: Registry) -> None:
    q7: Process = registry.processes["Q.7"]
    assert check_record(q7, {}) == []
    moved = q7.model_copy(update={"order": 8})
    (problem,) = check_record(moved, {})
    assert problem.rule.code == "PROC-VAL001" and "whose code is Q.8" in problem.message


def test_undoing_edits_renumbers_the_blocks_after_them(registry: Registry, toolkit: Toolkit) -> None:
    """An edit in the middle of a phase moves the codes after it (the toolkit numbers by place)."""
    condensed = BlocksCondensed(
        edit="condense_blocks", block="D.3", was=["Dispatch Units (day-ahead)", "Dispatch Units (real time)"]
    )
    renamed = PhaseRenamed(edit="rename_phase", phase="verification", was="Measurement and Verification", letter="M")
    history = _with_versions(
        toolkit, [*toolkit.versions[:3], toolkit.versions[3].model_copy(update={"edits": [condensed, renamed]})]
    )
    before = glossary(registry.processes, history, "2.0")
    assert [e["code"] for e in before["Schedule/Dispatch"]] == ["D.1", "D.2", "D.3", "D.4", "D.5", "D.6", "D.7"]
    assert before["Schedule/Dispatch"][2:4] == [
        {"code": "D.3", "process": "Dispatch Units (day-ahead)"},
        {"code": "D.4", "process": "Dispatch Units (real time)"},
    ]
    assert before["Schedule/Dispatch"][4] == {"code": "D.5", "process": "Dispatch Assets"}
    assert [e["code"] for e in before["Measurement and Verification"]] == ["M.1", "M.2", "M.3", "M.4", "M.5"]
    phases = catalogue_of(registry.processes, history, "2.0")
    assert [p.key for p in phases][3:5] == ["Schedule/Dispatch", "Measurement and Verification"]
    assert json.loads(glossary_text(before)) == before
