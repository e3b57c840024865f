"""The same checkout gives the same layout codes (REG-*) from ``fmar validate`` on the working tree as
from ``fmar check`` on the commit: spellings, links, submodules, executables. Each situation is made
with real files and committed with git as a contributor would."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Callable
from datetime import timedelta

import pytest
from trust_scenario import PR_AT, Scenario, rel_of

from fmar.trust.gate import check
from fmar.validation.pipeline import Pipeline, only

NESO = "registry/party/N/NESO.yaml"


def _new_event(scenario: Scenario) -> str:
    b = scenario.builder
    record = b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    return rel_of("event", record.id)


def _copy(scenario: Scenario, source: str, target: str) -> str:
    scenario.path(target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(scenario.path(source), scenario.path(target))
    return target


def _id_by_case(scenario: Scenario) -> str:
    return _copy(scenario, NESO, NESO.replace("NESO.yaml", "neso.yaml"))


def _suffix_by_case(scenario: Scenario) -> str:
    return _copy(scenario, NESO, NESO.replace(".yaml", ".YAML"))


def _kind_folder_by_case(scenario: Scenario) -> str:
    return _copy(scenario, NESO, NESO.replace("/party/", "/Party/"))


def _registry_folder_by_case(scenario: Scenario) -> str:
    return _copy(scenario, NESO, NESO.replace("registry/", "Registry/"))


def _nfd_of_a_merged_nfc_name(scenario: Scenario) -> str:
    nfc = unicodedata.normalize("NFC", "registry/party/C/CAFÉ.yaml")
    _copy(scenario, NESO, nfc)
    scenario.merge_to_main("a stray file")
    return _copy(scenario, NESO, unicodedata.normalize("NFD", nfc))


def _symlink(scenario: Scenario) -> str:
    rel = "registry/party/O/OTHER.yaml"
    scenario.path(rel).parent.mkdir()
    scenario.path(rel).symlink_to("../N/NESO.yaml")
    return rel


def _executable(scenario: Scenario) -> str:
    rel = _new_event(scenario)
    scenario.path(rel).chmod(0o755)
    return rel


def _gitlink(scenario: Scenario) -> str:
    rel = "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000099.yaml"
    commit = scenario.repo.git("rev-parse", "main")
    scenario.repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{rel}")
    scenario.path(rel).mkdir()  # a clone without --recurse-submodules
    return rel


SITUATIONS: dict[str, Callable[[Scenario], str]] = {
    "a well-formed new record": _new_event,
    "an id differing only by case": _id_by_case,
    "the .yaml suffix in capitals": _suffix_by_case,
    "a kind folder in capitals": _kind_folder_by_case,
    "a registry folder in capitals": _registry_folder_by_case,
    "an NFD spelling of a merged NFC name": _nfd_of_a_merged_nfc_name,
    "a symbolic link": _symlink,
    "an executable record": _executable,
    "a gitlink": _gitlink,
}


@pytest.mark.parametrize("make", SITUATIONS.values(), ids=SITUATIONS.keys())
def test_validate_gives_the_layout_codes_the_gate_gives(scenario: Scenario, make: Callable[[Scenario], str]) -> None:
    rel = make(scenario)
    if not scenario.repo.git("ls-files", "-s", rel).startswith("160000"):
        scenario.repo.git("add", "--", rel)
    scenario.repo.git("commit", "-q", "-m", "the change", when=PR_AT + timedelta(hours=1))
    gate = {
        f.code for f in check(scenario.root, "main", "pr", now=PR_AT + timedelta(hours=1)).findings if f.path == rel
    }
    _, findings = Pipeline(scenario.root, scenario.root / "registry", use_cache=False).load()
    validate = {f.code for f in only(findings, [rel])}
    assert {c for c in gate if c.startswith("REG-")} == {c for c in validate if c.startswith("REG-")}
    if make is not _new_event:
        assert gate & {"REG-VAL003", "REG-VAL008", "REG-VAL009"}
