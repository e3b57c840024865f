"""The Git edge (fmar.gitrepo) in real repositories: its errors, its reads, and that nothing else runs git."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY, ROOT, GitRepo

import fmar.cli
from fmar import gitrepo
from fmar.core.record_paths import path_of
from fmar.gitrepo import GitError

#: Modules of src/fmar other than the edge allowed to start processes, each with what it runs (none
#: today: signing is pure Python). A module that runs git belongs in fmar.gitrepo, never here.
NON_GIT_PROCESSES: dict[str, str] = {}


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    (git_repo.path / "registry" / "party").mkdir(parents=True)
    (git_repo.path / "registry" / "party" / "ÉLAN.yaml").write_text("id: ÉLAN\n", encoding="utf-8")
    git_repo.commit_all("one party")
    return git_repo


def _outside(tmp_path: Path) -> Path:
    """A folder in no repository (git stops looking for one at ``tmp_path``)."""
    folder = tmp_path / "plain"
    folder.mkdir()
    return folder


def test_a_failing_command_raises_git_error_naming_the_command_and_gits_message(repo: GitRepo) -> None:
    with pytest.raises(GitError) as caught:
        gitrepo.run(repo.path, "cat-file", "-p", "no-such-object")
    message = str(caught.value)
    assert message.startswith(f"git cat-file -p no-such-object failed in {repo.path}: ")
    assert "Not a valid object name no-such-object" in message


def test_an_unknown_ref_says_which_and_what_to_do(repo: GitRepo) -> None:
    assert gitrepo.resolve(repo.path, "main") == repo.git("rev-parse", "HEAD")
    with pytest.raises(GitError, match=r"'no-such-branch' names no commit in .*; check the branch or commit name"):
        gitrepo.resolve(repo.path, "no-such-branch")


def test_outside_a_repository_the_error_says_how_to_fix_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = _outside(tmp_path)
    assert not gitrepo.is_repository(plain)
    assert not gitrepo.tracks(plain, plain)
    with pytest.raises(GitError, match=r"not a git repository.*run fmar inside the registry's Git repository"):
        gitrepo.refuse_shallow(plain)


def test_no_git_on_the_path_is_a_git_error(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GitError, match="git is not installed"):
        gitrepo.run(repo.path, "status")
    with pytest.raises(GitError, match="git is not installed"):
        gitrepo.Blobs(repo.path)
    assert not gitrepo.tracks(repo.path, repo.path / "registry")


def test_accepted_exit_statuses_and_unquoted_utf8_paths(repo: GitRepo) -> None:
    assert gitrepo.files_mentioning(repo.path, "HEAD", ["nobody"], ["registry"]) == []  # git grep exits 1
    assert gitrepo.files_mentioning(repo.path, "HEAD", ["ÉLAN"], ["registry"]) == ["registry/party/ÉLAN.yaml"]
    [(blob, path)] = gitrepo.list_files(repo.path, "HEAD", "registry")
    assert path == "registry/party/ÉLAN.yaml"
    assert gitrepo.tree_files(repo.path, "HEAD", "registry") == [(path, blob)]
    assert gitrepo.Folders(repo.path).blob_ids("HEAD", [path, "registry/party/none.yaml", "none/x"]) == {path: blob}
    assert gitrepo.tracks(repo.path, repo.path / "registry")


def test_blobs_stream_through_one_batch_process(repo: GitRepo) -> None:
    [(blob, path)] = gitrepo.list_files(repo.path, "HEAD", "registry")
    expected = "id: ÉLAN\n".encode()
    assert gitrepo.read_blobs(repo.path, [blob, "0" * 40]) == {blob: expected}
    with gitrepo.Blobs(repo.path) as blobs:
        assert blobs.read("HEAD", path) == expected
        assert blobs.object(blob) == expected
        assert blobs.read("HEAD", "registry/party/none.yaml") is None
        assert blobs.read("HEAD", "registry/party") is None  # a tree, not a file
        assert blobs.objects_read == 4


def test_changes_between_commits(repo: GitRepo) -> None:
    first = repo.git("rev-parse", "HEAD")
    party = repo.path / "registry" / "party"
    elan, new = repo.path / "registry" / path_of("party", "ELAN"), repo.path / "registry" / path_of("party", "NEW")
    elan.parent.mkdir()
    new.parent.mkdir()
    (party / "ÉLAN.yaml").rename(elan)
    new.write_text("id: NEW\n", encoding="utf-8")
    second = repo.commit_all("rename and add")
    assert gitrepo.changes(repo.path, first, second) == [
        gitrepo.DiffEntry("R", "registry/party/E/ELAN.yaml", "registry/party/ÉLAN.yaml"),
        gitrepo.DiffEntry("A", "registry/party/N/NEW.yaml", None, "000000", "100644"),
    ]
    new.chmod(0o755)
    third = repo.commit_all("executable")
    assert gitrepo.changes(repo.path, second, third) == [
        gitrepo.DiffEntry("M", "registry/party/N/NEW.yaml", None, "100644", "100755")
    ]
    assert gitrepo.object_types(repo.path, third, ["registry", "registry/party/N/NEW.yaml", "nothing"]) == {
        "registry": "tree",
        "registry/party/N/NEW.yaml": "blob",
    }
    assert gitrepo.Folders(repo.path)(third, "registry/party/N").like(["new.yaml"]) == [
        ("registry/party/N/NEW.yaml", "blob")
    ]
    assert gitrepo.first_parent_line(repo.path, second) == [(second, first), (first, "")]
    assert gitrepo.is_ancestor(repo.path, first, second) and not gitrepo.is_ancestor(repo.path, second, first)
    assert gitrepo.ever_deleted(repo.path, second, ["registry/party/ÉLAN.yaml"]) == {"registry/party/ÉLAN.yaml"}
    changed = gitrepo.changed_paths(repo.path, first, second, repo.path / "registry")
    assert {"registry/party/E/ELAN.yaml", "registry/party/N/NEW.yaml"} <= changed


def test_a_missing_repository_is_a_clean_command_line_error(tmp_path: Path) -> None:
    plain = _outside(tmp_path)
    registry = plain / "registry"
    registry.mkdir()
    for kind in ("party", "market_unit"):
        for source in sorted((BUNDLED_REGISTRY / kind).rglob("*.yaml"))[:1]:
            target = registry / source.relative_to(BUNDLED_REGISTRY)
            target.parent.mkdir(parents=True)
            target.write_bytes(source.read_bytes())
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    for args in (["history", "MU-X"], ["audit"], ["notify", "--base", "HEAD~1", "--out", str(tmp_path / "out")]):
        done = subprocess.run(
            [sys.executable, "-m", "fmar", *args], cwd=plain, capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        assert "not a git repository" in done.stderr and "run fmar inside the registry's Git repository" in done.stderr


def test_a_git_error_no_command_caught_still_exits_2_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise GitError("git log failed in /x: fatal: broken")

    monkeypatch.delenv("FMAR_DEBUG", raising=False)
    monkeypatch.setattr(fmar.cli.cli, "main", fail)
    with pytest.raises(SystemExit) as exited:
        fmar.cli.main()
    assert exited.value.code == 2
    assert capsys.readouterr().err == "Error: git log failed in /x: fatal: broken\n"


def _starts_processes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in ("subprocess", "pty")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("subprocess", "pty"):
            found.append(f"from {node.module}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            name = f"{node.value.id}.{node.attr}"
            if node.value.id == "os" and node.attr.startswith(("system", "popen", "spawn", "exec", "posix_spawn")):
                found.append(name)
            if node.value.id == "asyncio" and node.attr.startswith("create_subprocess"):
                found.append(name)
    return found


def test_only_the_git_edge_starts_processes() -> None:
    source = ROOT / "src" / "fmar"
    offenders = {}
    for path in sorted(source.rglob("*.py")):
        module = ".".join(path.relative_to(source.parent).with_suffix("").parts)
        found = _starts_processes(ast.parse(path.read_text(encoding="utf-8")))
        if found and module != "fmar.gitrepo" and module not in NON_GIT_PROCESSES:
            offenders[module] = found
    assert not offenders, f"run git through fmar.gitrepo, not {offenders}"
    assert _starts_processes(ast.parse((source / "gitrepo.py").read_text(encoding="utf-8")))  # the check sees it
