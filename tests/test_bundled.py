from pathlib import Path

from fmar.validation.pipeline import validate


def test_bundled_registry_has_no_errors(bundled_registry: Path) -> None:
    result = validate(bundled_registry.parent, bundled_registry, use_cache=False)
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == []
    assert result.files > 100


def test_git_repo_fixture_commits_with_its_own_identity(git_repo) -> None:
    (git_repo.path / "x.txt").write_text("x")
    git_repo.commit_all("first")
    assert git_repo.git("log", "-1", "--format=%an <%ae>") == "Test Author <author@fmar.example>"
