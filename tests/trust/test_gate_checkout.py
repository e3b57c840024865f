"""Changes whose checkout would differ from what the gate reads: file types and path spellings.

Each is staged straight into Git's index (``git update-index --cacheinfo``), as an attacker's
commit can hold it whatever the file system of whoever made it, and must fail with its rule code.
"""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from trust_scenario import PR_AT, Scenario, rel_of

from fmar.loading.layout import scan
from fmar.trust.gate import check

EVENT = "registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml"
PARTY = "registry/party/K/KESTREL.yaml"
NESO = "registry/party/N/NESO.yaml"


def _new_event(scenario: Scenario) -> tuple[str, bytes]:
    """A new, validly signed event (NESO acknowledges an application): its path and bytes; not staged."""
    b = scenario.builder
    record = b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    rel = rel_of("event", record.id)
    raw = scenario.path(rel).read_bytes()
    scenario.path(rel).unlink()
    return rel, raw


def _blob(scenario: Scenario, raw: bytes) -> str:
    done = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=scenario.root, input=raw, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def _stage(scenario: Scenario, mode: str, obj: str, path: str) -> None:
    scenario.repo.git("update-index", "--add", "--cacheinfo", f"{mode},{obj},{path}")


def _codes(scenario: Scenario, path: str | None = None) -> set[str]:
    """Commit the index as it is (not the work tree) and run the gate."""
    scenario.repo.git("commit", "-q", "--allow-empty", "-m", "the change", when=PR_AT + timedelta(hours=1))
    result = check(scenario.root, "main", "pr", now=PR_AT + timedelta(hours=1))
    return {f.code for f in result.findings if path is None or f.path == path}


# --- file types ------------------------------------------------------------------------------


def test_symlink_whose_link_text_is_a_signed_record(scenario: Scenario) -> None:
    rel, raw = _new_event(scenario)
    _stage(scenario, "120000", _blob(scenario, raw), rel)
    assert "REG-VAL003" in _codes(scenario, rel)


def test_the_same_record_as_a_regular_file_passes(scenario: Scenario) -> None:
    rel, raw = _new_event(scenario)
    _stage(scenario, "100644", _blob(scenario, raw), rel)
    assert _codes(scenario) == set()


def test_gitlink_at_a_record_path(scenario: Scenario) -> None:
    rel, _ = _new_event(scenario)
    _stage(scenario, "160000", scenario.repo.git("rev-parse", "main"), rel)
    assert "REG-VAL003" in _codes(scenario, rel)


def test_gitlink_replacing_a_merged_party(scenario: Scenario) -> None:
    scenario.repo.git("rm", "-q", "--cached", PARTY)
    _stage(scenario, "160000", scenario.repo.git("rev-parse", "main"), PARTY)
    assert {"REG-VAL003", "GATE-VAL008"} <= _codes(scenario, PARTY)


def test_executable_record(scenario: Scenario) -> None:
    rel, raw = _new_event(scenario)
    _stage(scenario, "100755", _blob(scenario, raw), rel)
    assert "REG-VAL008" in _codes(scenario, rel)


def test_merged_record_made_executable(scenario: Scenario) -> None:
    scenario.repo.git("update-index", "--chmod=+x", EVENT)
    assert {"REG-VAL008", "GATE-VAL008"} <= _codes(scenario, EVENT)


def test_merged_record_made_a_symlink(scenario: Scenario) -> None:
    raw = scenario.path(NESO).read_bytes()
    scenario.repo.git("rm", "-q", "--cached", NESO)
    _stage(scenario, "120000", _blob(scenario, raw), NESO)  # the link text is the record itself
    assert {"REG-VAL003", "GATE-VAL008"} <= _codes(scenario, NESO)


def test_registry_folder_replaced_by_a_symlink(scenario: Scenario) -> None:
    scenario.repo.git("rm", "-r", "-q", "--cached", "registry")
    _stage(scenario, "120000", _blob(scenario, b"elsewhere/registry"), "registry")
    assert "REG-VAL003" in _codes(scenario, "registry")


# --- spellings -------------------------------------------------------------------------------


def test_capital_registry_folder(scenario: Scenario) -> None:
    raw = scenario.path(NESO).read_bytes()
    _stage(scenario, "100644", _blob(scenario, raw), "Registry/party/N/NESO.yaml")
    assert "REG-VAL009" in _codes(scenario, "Registry/party/N/NESO.yaml")


@pytest.mark.parametrize(
    "spelling",
    [
        "registry./party/N/NESO.yaml",
        "registry /party/N/NESO.yaml",
        "registry/party./N/NESO.yaml",
        "registry/party/N./NESO.yaml",
    ],
)
def test_trailing_dot_or_space_windows_drops(scenario: Scenario, spelling: str) -> None:
    raw = scenario.path(NESO).read_bytes()
    _stage(scenario, "100644", _blob(scenario, raw), spelling)
    assert "REG-VAL009" in _codes(scenario, spelling)


def test_capital_kind_folder(scenario: Scenario) -> None:
    raw = scenario.path(NESO).read_bytes()
    _stage(scenario, "100644", _blob(scenario, raw), "registry/Party/N/NESO.yaml")
    assert "REG-VAL009" in _codes(scenario, "registry/Party/N/NESO.yaml")


def test_id_differing_only_by_case(scenario: Scenario) -> None:
    raw = scenario.path(NESO).read_bytes()
    variant = NESO.replace("NESO.yaml", "neso.yaml")
    _stage(scenario, "100644", _blob(scenario, raw), variant)
    assert "REG-VAL009" in _codes(scenario, variant)


def test_event_id_differing_only_by_case(scenario: Scenario) -> None:
    raw = scenario.path(EVENT).read_bytes()
    variant = EVENT.replace("EVT-2026-1QG245MN", "evt-2026-1qg245mn")
    _stage(scenario, "100644", _blob(scenario, raw), variant)
    assert "REG-VAL009" in _codes(scenario, variant)


def _merge_doc(scenario: Scenario, rel: str) -> None:
    scenario.path(rel).parent.mkdir(parents=True, exist_ok=True)
    scenario.path(rel).write_text("notes\n", encoding="utf-8")
    scenario.merge_to_main("a document", when=PR_AT - timedelta(days=1))


def test_nfd_spelling_of_a_merged_nfc_path(scenario: Scenario) -> None:
    nfc = unicodedata.normalize("NFC", "docs/Café/notes.md")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    _merge_doc(scenario, nfc)
    _stage(scenario, "100644", _blob(scenario, b"other notes\n"), nfd)
    assert "REG-VAL009" in _codes(scenario, nfd)


def test_a_new_non_ascii_path_passes(scenario: Scenario) -> None:
    _merge_doc(scenario, unicodedata.normalize("NFC", "docs/Café/notes.md"))
    _stage(scenario, "100644", _blob(scenario, b"more\n"), unicodedata.normalize("NFC", "docs/Café/more.md"))
    _stage(scenario, "100644", _blob(scenario, b"more\n"), "docs/Ünïcode.md")
    assert _codes(scenario) == set()


def test_two_added_files_collide(scenario: Scenario) -> None:
    blob = _blob(scenario, b"notes\n")
    _stage(scenario, "100644", blob, "docs/notes.md")
    _stage(scenario, "100644", blob, "docs/NOTES.md")
    codes = _codes(scenario, "docs/notes.md") | _codes(scenario, "docs/NOTES.md")
    assert codes == {"REG-VAL009"}


# --- fmar validate on the working tree -------------------------------------------------------


def test_executable_record_on_disk(scenario: Scenario) -> None:
    path: Path = scenario.path(EVENT)
    path.chmod(0o755)
    layout = scan(scenario.root, scenario.root / "registry")
    assert [(rel, p.code) for rel, p in layout.problems] == [(EVENT, "REG-VAL008")]
    assert EVENT in [rel for rel, *_ in layout.files]  # still read as the record it is
