"""clean_blobs reads Git's index itself: it must name the same blob as ``git ls-files`` + ``git diff-files``
for every record file, in every index format, and None for each file git would not vouch for."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY, GitRepo

from fmar.history import git, staged
from fmar.loading.layout import scan, stamp


def _both(root: Path, registry: Path) -> tuple[list[str | None], list[str | None]]:
    """(clean_blobs, what git itself answers) for the layout of ``registry``."""
    files = scan(root, registry).files
    by_git = git._clean_blobs_by_git(root, registry)
    return git.clean_blobs(root, registry, files), [by_git.get(rel) for rel, _, _, _ in files]


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.copy_registry()
    git_repo.commit_all("registry")
    return git_repo


def _unit(repo: GitRepo) -> Path:
    return sorted((repo.path / "registry" / "market_unit").iterdir())[0]


def test_every_committed_file_has_its_blob(repo: GitRepo) -> None:
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert blobs == by_git and None not in blobs
    rel = scan(repo.path, repo.path / "registry").files[0][0]
    assert blobs[0] == repo.git("rev-parse", f"HEAD:{rel}")


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_a_changed_file_has_none_in_every_index_version(repo: GitRepo, version: str) -> None:
    repo.git("update-index", "--index-version", version)
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes().replace(b"name: ", b"name: X", 1))
    (repo.path / "registry" / "market_unit" / "MU-NEW-000001.yaml").write_text("untracked\n")
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert blobs == by_git
    files = [rel for rel, _, _, _ in scan(repo.path, repo.path / "registry").files]
    unset = {files[at] for at, blob in enumerate(blobs) if blob is None}
    assert unset == {unit.relative_to(repo.path).as_posix(), "registry/market_unit/MU-NEW-000001.yaml"}


def test_a_file_rewritten_with_the_same_bytes_keeps_its_blob(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its stat data no longer vouches for it, so its contents are hashed: the same blob (git's own
    diff-files says only that the file was written since it was staged)."""
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes())
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert None not in blobs and by_git.count(None) == 1
    assert blobs[by_git.index(None)] == repo.git("rev-parse", f"HEAD:{unit.relative_to(repo.path).as_posix()}")
    monkeypatch.setattr(git, "_CONTENT_CHECKS", 0)  # too many to hash: git decides everything
    assert _both(repo.path, repo.path / "registry") == (by_git, by_git)


def test_files_modified_after_the_index_are_compared_by_git(repo: GitRepo) -> None:
    """Racily clean: a modification time not before the index's leaves only git's look at the contents."""
    unit = _unit(repo)
    future = (repo.path / ".git" / "index").stat().st_mtime_ns + 10**10
    os.utime(unit, ns=(future, future))
    repo.git("add", "-A")
    index = repo.path / ".git" / "index"
    files = scan(repo.path, repo.path / "registry").files
    found = staged.clean(index.read_bytes(), 20, "", files, stamp, index.stat().st_mtime_ns)
    assert found is not None
    assert [files[at][0] for at, _ in found[1]] == [unit.relative_to(repo.path).as_posix()]
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert blobs == by_git and None not in blobs


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
    added = repo.path / "registry" / "market_unit" / "MU-NEW-000001.yaml"
    added.write_text("new\n")
    repo.git("add", "-N", str(added))
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert blobs == by_git and blobs.count(None) == 2


def test_a_split_index_is_left_to_git(repo: GitRepo) -> None:
    repo.git("update-index", "--split-index")
    unit = _unit(repo)
    unit.write_bytes(unit.read_bytes() + b"# changed\n")
    repo.git("add", "-A")
    index = repo.path / ".git" / "index"
    files = scan(repo.path, repo.path / "registry").files
    assert staged.clean(index.read_bytes(), 20, "", files, stamp, index.stat().st_mtime_ns) is None
    blobs, by_git = _both(repo.path, repo.path / "registry")
    assert blobs == by_git and None not in blobs


def test_a_registry_in_a_sub_folder_of_the_repository(git_repo: GitRepo) -> None:
    shutil.copytree(BUNDLED_REGISTRY, git_repo.path / "project" / "registry")
    git_repo.commit_all("registry")
    root = git_repo.path / "project"
    party = sorted((root / "registry" / "party").iterdir())[0]
    party.write_bytes(party.read_bytes() + b"# changed\n")
    blobs, by_git = _both(root, root / "registry")
    assert blobs == by_git and blobs.count(None) == 1
