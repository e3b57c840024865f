"""clean_blobs: the blob id of every record file whose working copy is what Git's index holds, in
every index format, and None for each file Git would not vouch for (changed, untracked, in conflict)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY, GitRepo

from fmar import gitrepo
from fmar.core.record_paths import path_of
from fmar.loading.layout import scan


def _blobs(root: Path, registry: Path) -> dict[str, str | None]:
    """Path -> clean_blobs' answer, for the layout of ``registry``."""
    files = scan(root, registry).files
    return {rel: blob for (rel, _, _, _), blob in zip(files, gitrepo.clean_blobs(root, registry, files), strict=True)}


def _committed(repo: GitRepo, rel: str) -> str:
    return repo.git("rev-parse", f"HEAD:{rel}")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.copy_registry()
    git_repo.commit_all("registry")
    return git_repo


def _unit(repo: GitRepo) -> Path:
    return sorted((repo.path / "registry" / "market_unit").rglob("*.yaml"))[0]


def test_every_committed_file_has_its_blob(repo: GitRepo) -> None:
    blobs = _blobs(repo.path, repo.path / "registry")
    assert None not in blobs.values()
    for rel in sorted(blobs)[:: max(1, len(blobs) // 10)]:
        assert blobs[rel] == _committed(repo, rel)


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_a_changed_file_has_none_in_every_index_version(repo: GitRepo, version: str) -> None:
    repo.git("update-index", "--index-version", version)
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes().replace(b"name: ", b"name: X", 1))
    untracked = repo.path / "registry" / path_of("market_unit", "MU-NEW-000001")
    untracked.parent.mkdir(parents=True)
    untracked.write_text("untracked\n")
    blobs = _blobs(repo.path, repo.path / "registry")
    unset = {rel for rel, blob in blobs.items() if blob is None}
    assert unset == {unit.relative_to(repo.path).as_posix(), f"registry/{path_of('market_unit', 'MU-NEW-000001')}"}


def test_a_file_intended_to_add_or_in_conflict_has_none(repo: GitRepo) -> None:
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
    blobs = _blobs(repo.path, repo.path / "registry")
    assert {rel for rel, blob in blobs.items() if blob is None} == {
        unit.relative_to(repo.path).as_posix(),
        added.relative_to(repo.path).as_posix(),
    }


def test_a_split_index(repo: GitRepo) -> None:
    repo.git("update-index", "--split-index")
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes() + b"# changed\n")
    repo.git("add", "-A")
    rel = unit.relative_to(repo.path).as_posix()
    blobs = _blobs(repo.path, repo.path / "registry")
    assert None not in blobs.values()
    assert blobs[rel] == repo.git("rev-parse", f":{rel}")  # the staged version


def test_a_registry_in_a_sub_folder_of_the_repository(git_repo: GitRepo) -> None:
    shutil.copytree(BUNDLED_REGISTRY, git_repo.path / "project" / "registry")
    git_repo.commit_all("registry")
    root = git_repo.path / "project"
    party = sorted((root / "registry" / "party").rglob("*.yaml"))[0]
    party.write_bytes(party.read_bytes() + b"# changed\n")
    blobs = _blobs(root, root / "registry")
    assert [rel for rel, blob in blobs.items() if blob is None] == [party.relative_to(root).as_posix()]
