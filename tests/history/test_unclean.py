"""gitrepo.unclean: the files Git cannot vouch for as the head commit holds them (changed in the
work tree or the index, untracked, ignored, in conflict, intended to add), in every index format;
every other file is exactly what the head commit has."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY, GitRepo

from fmar import gitrepo
from fmar.core.record_paths import path_of
from fmar.loading.layout import scan


def _unclean(root: Path, registry: Path) -> set[str]:
    found = gitrepo.unclean(root, registry)
    files = {rel for rel, _, _, _ in scan(root, registry).files}
    # Every clean record file holds what the head commit has.
    for rel in sorted(files - found)[:: max(1, len(files) // 10)]:
        assert (
            subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--", rel], check=False).returncode == 0
        )
    return found


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.copy_registry()
    git_repo.commit_all("registry")
    return git_repo


def _unit(repo: GitRepo) -> Path:
    return sorted((repo.path / "registry" / "market_unit").rglob("*.yaml"))[0]


def test_a_clean_checkout_has_none(repo: GitRepo) -> None:
    assert _unclean(repo.path, repo.path / "registry") == set()


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_a_changed_and_an_untracked_file_in_every_index_version(repo: GitRepo, version: str) -> None:
    repo.git("update-index", "--index-version", version)
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes().replace(b"name: ", b"name: X", 1))
    untracked = repo.path / "registry" / path_of("market_unit", "MU-NEW-000001")
    untracked.parent.mkdir(parents=True)
    untracked.write_text("untracked\n")
    assert _unclean(repo.path, repo.path / "registry") == {
        unit.relative_to(repo.path).as_posix(),
        f"registry/{path_of('market_unit', 'MU-NEW-000001')}",
    }


def test_a_file_intended_to_add_or_in_conflict(repo: GitRepo) -> None:
    unit = _unit(repo)
    repo.git("checkout", "-q", "-b", "other")
    unit.write_bytes(unit.read_bytes().replace(b"name: ", b"name: Other ", 1))
    repo.commit_all("other")
    repo.git("checkout", "-q", "main")
    unit.write_bytes(unit.read_bytes().replace(b"name: ", b"name: Main ", 1))
    repo.commit_all("main")
    with pytest.raises(subprocess.CalledProcessError):
        repo.git("merge", "-q", "other")
    added = repo.path / "registry" / path_of("market_unit", "MU-NEW-000001")
    added.parent.mkdir(parents=True)
    added.write_text("new\n")
    repo.git("add", "-N", str(added))
    assert _unclean(repo.path, repo.path / "registry") == {
        unit.relative_to(repo.path).as_posix(),
        added.relative_to(repo.path).as_posix(),
    }


def test_a_staged_change_in_a_split_index(repo: GitRepo) -> None:
    repo.git("update-index", "--split-index")
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes() + b"# changed\n")
    repo.git("add", "-A")
    # The work tree is what the index holds, but not what the head commit holds.
    assert _unclean(repo.path, repo.path / "registry") == {unit.relative_to(repo.path).as_posix()}


def test_an_ignored_file(repo: GitRepo) -> None:
    (repo.path / ".gitignore").write_text("*.yaml\n")
    ignored = repo.path / "registry" / path_of("market_unit", "MU-NEW-000001")
    ignored.parent.mkdir(parents=True)
    ignored.write_text("ignored\n")
    assert repo.git("status", "--porcelain", "--", "registry") == ""  # git status hides it
    assert _unclean(repo.path, repo.path / "registry") == {ignored.relative_to(repo.path).as_posix()}


def test_a_registry_in_a_sub_folder_of_the_repository(git_repo: GitRepo) -> None:
    shutil.copytree(BUNDLED_REGISTRY, git_repo.path / "project" / "registry")
    git_repo.commit_all("registry")
    root = git_repo.path / "project"
    party = sorted((root / "registry" / "party").rglob("*.yaml"))[0]
    party.write_bytes(party.read_bytes() + b"# changed\n")
    assert _unclean(root, root / "registry") == {party.relative_to(root).as_posix()}
