"""The move from the flat layout to the registry's layout: one operator-signed change of pure renames.

A real repository holds the bundled registry in the first, flat layout (``registry/<kind>/<id>.yaml``),
committed in two merges; ``fmar migrate layout --commit KEY`` moves it, and the gate, the history,
recorded times and as-of answers are checked before and after, with real SSH commit signatures.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import BUNDLED_ANCHOR, BUNDLED_REGISTRY, GitRepo
from tests.trust.trust_scenario import key

from fmar.core.catalogue import (
    FOLDER_TOO_LARGE,
    LAYOUT_MIGRATION_MIXED,
    LAYOUT_MIGRATION_NOT_BY_OPERATOR,
    RECORD_AT_WRONG_PATH,
    RECORD_RENAMED,
)
from fmar.core.record_paths import FOLDER_LIMIT, flat_path, parse, path_of
from fmar.generate.keys import write_private_key
from fmar.history.recorded import recorded_times
from fmar.trust.gate import check

#: The reference tables are merged first, the rest of the registry a day later.
FIRST_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND_AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
UNIT = "MU-VOLTAFLEX-000001"
NOW = datetime.now(UTC)

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="git verifies SSH commit signatures with it")


def _flat(repo: GitRepo) -> None:
    """The bundled registry in the flat layout on main: parties, products and the catalogue, then the rest."""
    shutil.copy(BUNDLED_ANCHOR, repo.path / BUNDLED_ANCHOR.name)
    files = sorted(BUNDLED_REGISTRY.rglob("*.yaml"))
    for wave, kinds, when in (
        (1, {"party", "product", "process", "data_object"}, FIRST_AT),
        (2, {"market_unit", "application", "outcome", "event"}, SECOND_AT),
    ):
        for source in files:
            found = parse(source.relative_to(BUNDLED_REGISTRY).as_posix())
            assert found is not None and found.canonical
            if found.kind in kinds:
                target = repo.path / "registry" / flat_path(found.kind, found.id)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
        repo.commit_all(f"merge {wave}", when=when)


def _fmar(repo: GitRepo, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "fmar", *args], cwd=repo.path, env=repo.env, capture_output=True, text=True, check=False
    )
    assert done.returncode in ok, done.stdout + done.stderr
    return done


def _json(repo: GitRepo, *args: str) -> Any:
    return json.loads(_fmar(repo, *args, "--format", "json").stdout)


def _operator_key(tmp_path: Path, party: str = "FMAR") -> Path:
    path = tmp_path / "keys" / party.lower()
    write_private_key(key(party), path)
    return path


def _codes(repo: GitRepo, head: str = "layout") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in check(repo.path, "main", head, now=NOW, use_cache=False).findings:
        out.setdefault(finding.path, set()).add(finding.code)
    return out


@pytest.fixture
def flat(git_repo: GitRepo) -> GitRepo:
    _flat(git_repo)
    git_repo.git("checkout", "-q", "-b", "layout")
    return git_repo


def test_the_signed_migration_passes_the_gate_and_history_continues(flat: GitRepo, tmp_path: Path) -> None:
    repo = flat
    registry = repo.path / "registry"
    times_before = recorded_times(repo.path, registry)
    as_of = (SECOND_AT + timedelta(hours=1)).isoformat()
    said_before = _json(repo, "status", UNIT, "--as-of", as_of)
    history_before = _json(repo, "history", UNIT)
    flat_files = sorted(p.relative_to(registry).as_posix() for p in registry.rglob("*.yaml"))

    moved = _json(repo, "migrate", "layout", "--commit", str(_operator_key(tmp_path)))
    assert moved["moved"] == len(flat_files) - moved["in_place"] and moved["left"] == [] and moved["commit"]
    # Pure renames: the same blobs at the new paths, each the record's own path; the commit is signed.
    renames = repo.git("diff", "--name-status", "-M100%", "main", "layout").splitlines()
    assert len(renames) == moved["moved"] and all(line.startswith("R100\t") for line in renames)
    for line in renames:
        _, old, new = line.split("\t")
        found = parse(new.removeprefix("registry/"))
        assert found is not None and found.canonical and old == f"registry/{flat_path(found.kind, found.id)}"
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in repo.git("cat-file", "commit", "layout")

    assert _codes(repo) == {}

    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "layout")
    assert all(parse(p.relative_to(registry).as_posix()).canonical for p in registry.rglob("*.yaml"))  # type: ignore[union-attr]
    _fmar(repo, "validate")
    # Recorded times and signers carry over: the move records nothing anew.
    times_after = recorded_times(repo.path, registry)
    assert times_after == times_before
    assert times_after[UNIT].at == SECOND_AT and times_after["NESO"].at == FIRST_AT
    # As-of answers about the time before the move read the flat tree of then, and say the same; what is
    # known now about then (today's records, in the layout) agrees with it.
    said_after = _json(repo, "status", UNIT, "--as-of", as_of)
    assert said_before["registry_said_then"] and said_after["registry_said_then"] == said_before["registry_said_then"]
    assert said_after["known_now_about_then"] == said_after["registry_said_then"]
    assert [p["status"] for p in _json(repo, "status", UNIT)["products"]] == [
        p["status"] for p in said_before["registry_said_then"]
    ]
    # The history keeps every version and shows the move as one, to the record's own path.
    history_after = _json(repo, "history", UNIT)
    versions = history_after["versions"]
    assert [v["change"] for v in versions] == ["added", "moved"]
    assert versions[0] == history_before["versions"][0]
    assert versions[1]["path"] == f"registry/{path_of('market_unit', UNIT)}" and versions[1]["fields_changed"] == []
    assert history_after["path"] == f"registry/{path_of('market_unit', UNIT)}"


def test_a_migration_not_signed_by_the_operator_is_refused(flat: GitRepo, tmp_path: Path) -> None:
    _fmar(flat, "migrate", "layout")
    flat.git("commit", "-q", "-m", "unsigned move")
    assert {code for codes in _codes(flat).values() for code in codes} == {LAYOUT_MIGRATION_NOT_BY_OPERATOR.code}


def test_a_migration_signed_by_another_party_is_refused(flat: GitRepo, tmp_path: Path) -> None:
    _fmar(flat, "migrate", "layout", "--commit", str(_operator_key(tmp_path, "KESTREL")))
    found = _codes(flat)
    assert found == {"registry": {LAYOUT_MIGRATION_NOT_BY_OPERATOR.code}}


def test_a_migration_with_anything_else_in_it_is_refused(flat: GitRepo, tmp_path: Path) -> None:
    _fmar(flat, "migrate", "layout")
    unit = flat.path / "registry" / path_of("market_unit", UNIT)
    edited = flat.path / "registry" / path_of("market_unit", "MU-VOLTAFLEX-000002")
    extra = flat.path / "registry" / path_of("market_unit", "MU-VOLTAFLEX-000099")
    extra.write_bytes(unit.read_bytes().replace(UNIT.encode(), b"MU-VOLTAFLEX-000099"))
    edited.write_bytes(edited.read_bytes() + b"# a comment\n")
    flat.git("add", "-A")
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={_operator_key(tmp_path)}"]
    flat.git(*signing, "commit", "-q", "-S", "-m", "move and more")
    found = _codes(flat)
    assert found[f"registry/{path_of('market_unit', 'MU-VOLTAFLEX-000099')}"] == {LAYOUT_MIGRATION_MIXED.code}
    assert LAYOUT_MIGRATION_MIXED.code in found[f"registry/{path_of('market_unit', 'MU-VOLTAFLEX-000002')}"]


def test_a_partial_migration_is_refused_for_each_record_left_behind(flat: GitRepo, tmp_path: Path) -> None:
    _fmar(flat, "migrate", "layout", "--commit", str(_operator_key(tmp_path)))
    left = "registry/" + flat_path("market_unit", UNIT)
    flat.git("mv", f"registry/{path_of('market_unit', UNIT)}", left)
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={_operator_key(tmp_path)}"]
    flat.git(*signing, "commit", "-q", "-S", "-m", "one left behind")
    assert _codes(flat) == {left: {LAYOUT_MIGRATION_MIXED.code}}


def test_after_the_migration_records_never_move_again(flat: GitRepo, tmp_path: Path) -> None:
    _fmar(flat, "migrate", "layout", "--commit", str(_operator_key(tmp_path)))
    flat.git("checkout", "-q", "main")
    flat.git("merge", "-q", "--ff-only", "layout")
    flat.git("checkout", "-q", "-b", "move")
    elsewhere = "registry/market_unit/VOLTAFLEX/MU-VOLTAFLEX-000001.yaml"
    flat.git("mv", f"registry/{path_of('market_unit', UNIT)}", elsewhere)
    flat.commit_all("move a unit")
    found = _codes(flat, "move")
    assert {RECORD_RENAMED.code, RECORD_AT_WRONG_PATH.code} <= found[elsewhere]
    assert LAYOUT_MIGRATION_MIXED.code not in found[elsewhere]


def test_migrate_refuses_a_registry_with_uncommitted_changes(flat: GitRepo) -> None:
    unit = flat.path / "registry" / flat_path("market_unit", UNIT)
    unit.write_bytes(unit.read_bytes() + b"\n")
    done = _fmar(flat, "migrate", "layout", ok=(2,))
    assert "commit or stash" in done.stderr
    assert unit.is_file()  # nothing moved


def test_the_gate_refuses_an_addition_to_a_full_folder(git_repo: GitRepo) -> None:
    """Where the path cannot spread records (parties of one initial), the gate holds the folder limit."""
    git_repo.copy_registry()
    folder = git_repo.path / "registry" / "party" / "Z"
    folder.mkdir()
    for number in range(FOLDER_LIMIT):
        (folder / f"Z{number:04d}.yaml").write_text("kind: party\n", encoding="utf-8")
    git_repo.commit_all("a full folder", when=FIRST_AT)
    git_repo.git("checkout", "-q", "-b", "layout")
    (folder / "ZZ.yaml").write_text("kind: party\n", encoding="utf-8")
    git_repo.commit_all("one more", when=SECOND_AT)
    assert FOLDER_TOO_LARGE.code in _codes(git_repo)["registry/party/Z/ZZ.yaml"]
