"""fmar validate on a working tree says what the gate says of a checkout: two spellings of one path
(REG-VAL009), submodules (REG-VAL003), on real files in temporary folders and real Git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import BUNDLED_REGISTRY, GitRepo

from fmar.cli import cli
from fmar.core.spelling import clashing_names, clashing_paths, folded
from fmar.loading.layout import scan

NESO = "registry/party/N/NESO.yaml"
EVENT = "registry/event/2024/4/4Y/EVT-2024-4Y25DN8E.yaml"
NEW_UNIT = "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000099.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(BUNDLED_REGISTRY, tmp_path / "registry")
    return tmp_path


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.copy_registry()
    git_repo.commit_all("bundled registry")
    return git_repo


def _copy(root: Path, source: str, target: str) -> None:
    (root / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / source, root / target)


def _found(root: Path) -> list[dict[str, object]]:
    """The errors of ``fmar validate --format json`` on the registry under ``root`` (the bundled
    registry's warnings left out)."""
    result = CliRunner().invoke(
        cli, ["validate", "--registry", str(root / "registry"), "--format", "json", "--no-cache"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return [f for f in findings if f["severity"] == "error"]


def _layout(root: Path) -> set[tuple[str, str]]:
    return {(rel, problem.code) for rel, problem in scan(root, root / "registry").problems}


# --- the shared definition ---------------------------------------------------------------------


def test_names_that_fold_alike_clash() -> None:
    nfc = unicodedata.normalize("NFC", "CAFÉ.yaml")
    nfd = unicodedata.normalize("NFD", nfc)
    kelvin = "\u212aESTREL.yaml"  # KELVIN SIGN, which folds to an ASCII k
    names = ["NESO.yaml", "neso.yaml", nfc, nfd, kelvin, "KESTREL.yaml", "SSEN.yaml", "ss.yaml", "ß.yaml"]
    assert clashing_names(names) == {
        "NESO.yaml": ["neso.yaml"],
        "neso.yaml": ["NESO.yaml"],
        nfc: [nfd],
        nfd: [nfc],
        kelvin: ["KESTREL.yaml"],
        "KESTREL.yaml": [kelvin],
        "ss.yaml": ["ß.yaml"],
        "ß.yaml": ["ss.yaml"],
    }
    assert clashing_names(["NESO.yaml", "NGED.yaml", "registry"]) == {}
    # the shortcuts for ASCII names: upper-case ids with the .yaml suffix, and any ASCII names
    assert clashing_names(["NESO.yaml", "NGED.yaml", "NESO.YAML"]) == {
        "NESO.YAML": ["NESO.yaml"],
        "NESO.yaml": ["NESO.YAML"],
    }
    assert clashing_names(["A.yaml", "B.yaml", "a.yaml"]) == {"A.yaml": ["a.yaml"], "a.yaml": ["A.yaml"]}
    assert clashing_names(["README", "readme.yaml", "Readme"]) == {"README": ["Readme"], "Readme": ["README"]}
    # Windows drops the dots and spaces a name ends with
    assert clashing_names(["registry", "registry.", "registry .", "docs"]) == {
        "registry": ["registry .", "registry."],
        "registry .": ["registry", "registry."],
        "registry.": ["registry", "registry ."],
    }
    assert clashing_names(["NESO.yaml", "NESO.yaml.", "NGED.yaml"]) == {
        "NESO.yaml": ["NESO.yaml."],
        "NESO.yaml.": ["NESO.yaml"],
    }
    assert folded("Registry/Party/CAFÉ.yaml") == {
        "registry/party/café.yaml",
        unicodedata.normalize("NFD", "registry/party/café.yaml"),
    }


def test_paths_clash_at_their_first_differing_component() -> None:
    paths = ["registry/party/N/NESO.yaml", "Registry/party/NESO.yaml", "registry/Party/X.yaml", "docs/a.md"]
    judged = ["Registry/party/NESO.yaml", "registry/Party/X.yaml", "docs/a.md"]
    assert clashing_paths(paths, judged) == [
        ("Registry/party/NESO.yaml", "Registry", "registry"),
        ("registry/Party/X.yaml", "registry", "Registry"),  # the first component already clashes
    ]
    assert clashing_paths(paths[:1] + paths[2:], judged[1:]) == [
        ("registry/Party/X.yaml", "registry/Party", "registry/party")
    ]


# --- spellings on disk -------------------------------------------------------------------------


def test_an_id_differing_only_by_case_is_a_clash_not_only_a_bad_name(root: Path) -> None:
    _copy(root, NESO, "registry/party/N/neso.yaml")
    found = [f for f in _found(root) if f["path"] == "registry/party/N/neso.yaml"]
    assert {f["code"] for f in found} == {"REG-VAL009", "REG-VAL004"}
    [clash] = [f for f in found if f["code"] == "REG-VAL009"]
    assert "registry/party/N/NESO.yaml" in str(clash["message"]) and "only by letter case" in str(clash["message"])
    assert "spell the path exactly as the other" in str(clash["hint"])
    assert not [f for f in _found(root) if f["path"] == NESO]  # the well-named spelling is not the stray


def test_the_case_of_the_yaml_suffix(root: Path) -> None:
    _copy(root, NESO, "registry/party/N/NESO.YAML")
    assert _layout(root) == {
        ("registry/party/N/NESO.YAML", "REG-VAL009"),
        ("registry/party/N/NESO.YAML", "REG-VAL004"),
    }


def test_the_case_of_a_kind_folder(root: Path) -> None:
    _copy(root, NESO, "registry/Party/NESO.yaml")
    assert _layout(root) == {("registry/Party", "REG-VAL009"), ("registry/Party", "REG-VAL002")}


def test_a_capital_registry_folder_beside_the_registry(root: Path) -> None:
    _copy(root, NESO, "Registry/party/NESO.yaml")
    found = _found(root)
    assert [(f["path"], f["code"]) for f in found] == [("Registry", "REG-VAL009")]
    assert "Registry differs from registry" in str(found[0]["message"])


def test_a_registry_folder_with_a_trailing_dot_beside_the_registry(root: Path) -> None:
    _copy(root, NESO, "registry./party/NESO.yaml")
    found = _found(root)
    assert [(f["path"], f["code"]) for f in found] == [("registry.", "REG-VAL009")]
    assert "trailing dots and spaces" in str(found[0]["message"])


def test_nfc_and_nfd_spellings_of_one_name(root: Path) -> None:
    nfc = unicodedata.normalize("NFC", "registry/party/C/CAFÉ.yaml")
    nfd = unicodedata.normalize("NFD", nfc)
    _copy(root, NESO, nfc)
    _copy(root, NESO, nfd)
    assert _layout(root) == {(nfc, "REG-VAL009"), (nfc, "REG-VAL004"), (nfd, "REG-VAL009"), (nfd, "REG-VAL004")}


def test_nfd_spelling_of_an_unknown_folder(root: Path) -> None:
    nfc = unicodedata.normalize("NFC", "registry/Ünits")
    (root / nfc).mkdir()
    (root / unicodedata.normalize("NFD", nfc)).mkdir()
    codes = _layout(root)
    assert {code for _, code in codes} == {"REG-VAL009", "REG-VAL002"} and len(codes) == 4


def test_a_compatibility_character_folding_to_an_existing_id(root: Path) -> None:
    kelvin = "registry/party/K/\u212aESTREL.yaml"
    _copy(root, NESO, kelvin)
    assert (kelvin, "REG-VAL009") in _layout(root)
    assert not [code for rel, code in _layout(root) if rel == "registry/party/K/KESTREL.yaml"]


def test_a_clash_between_a_tracked_and_an_untracked_file(repo: GitRepo) -> None:
    _copy(repo.path, EVENT, EVENT.replace("EVT-2024-4Y25DN8E", "evt-2024-4y25dn8e"))
    untracked = EVENT.replace("EVT-2024-4Y25DN8E", "evt-2024-4y25dn8e")
    assert repo.git("status", "--porcelain", "--untracked-files=all") == f"?? {untracked}"
    found = _found(repo.path)
    assert {(f["path"], f["code"]) for f in found if f["code"] == "REG-VAL009"} == {(untracked, "REG-VAL009")}


# --- submodules --------------------------------------------------------------------------------


def _stage_gitlink(repo: GitRepo, rel: str) -> None:
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{repo.git('rev-parse', 'HEAD')},{rel}")


def test_a_gitlink_at_a_record_path_not_checked_out(repo: GitRepo) -> None:
    _stage_gitlink(repo, NEW_UNIT)
    repo.git("commit", "-q", "-m", "a submodule")
    (repo.path / NEW_UNIT).mkdir()  # what a clone without --recurse-submodules leaves
    assert [(f["path"], f["code"]) for f in _found(repo.path)] == [(NEW_UNIT, "REG-VAL003")]
    [found] = _found(repo.path)
    assert "Git submodule (gitlink)" in str(found["message"]) and "git rm --cached" in str(found["hint"])


def test_an_empty_folder_that_git_does_not_record_is_a_misplaced_folder(repo: GitRepo, root: Path) -> None:
    (repo.path / NEW_UNIT).mkdir()
    (root / NEW_UNIT).mkdir()  # and outside any repository
    assert [(f["path"], f["code"]) for f in _found(repo.path)] == [(NEW_UNIT, "REG-VAL001")]
    assert [(f["path"], f["code"]) for f in _found(root)] == [(NEW_UNIT, "REG-VAL001")]


def test_a_checked_out_submodule_at_a_record_path(repo: GitRepo, tmp_path: Path) -> None:
    other = GitRepo(tmp_path / "other")
    (other.path / "MU-VOLTAFLEX-000099.yaml").write_text("kind: market_unit\n", encoding="utf-8")
    other.commit_all("elsewhere")
    subprocess.run(["git", "clone", "-q", str(other.path), str(repo.path / NEW_UNIT)], check=True, env=repo.env)
    repo.git("add", NEW_UNIT)  # git records the clone as a gitlink
    assert repo.git("ls-files", "-s", NEW_UNIT).startswith("160000 ")
    assert [(f["path"], f["code"]) for f in _found(repo.path)] == [(NEW_UNIT, "REG-VAL003")]


def test_a_kind_folder_that_is_a_submodule(root: Path) -> None:
    (root / "registry" / "process" / ".git").write_text("gitdir: ../../.git/modules/process\n", encoding="utf-8")
    layout = scan(root, root / "registry")
    assert ("registry/process", "REG-VAL003") in {(rel, p.code) for rel, p in layout.problems}
    assert not [rel for rel, kind, _, _ in layout.files if kind == "process"]  # not read as registry data


def test_an_empty_kind_folder_that_git_records_as_a_submodule(repo: GitRepo) -> None:
    folder = "registry/process"
    repo.git("rm", "-r", "-q", "--cached", folder)
    shutil.rmtree(repo.path / folder)
    (repo.path / folder).mkdir()
    _stage_gitlink(repo, folder)
    codes = {(f["path"], f["code"]) for f in _found(repo.path)}
    assert (folder, "REG-VAL003") in codes
