from pathlib import Path

from fmar.generate import bundled
from fmar.trust.anchor import ANCHOR_PATH
from fmar.trust.reading import validate
from fmar.validation.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_registry_has_no_errors(bundled_registry: Path) -> None:
    result = validate(Pipeline(bundled_registry.parent, bundled_registry, use_cache=False))
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == []
    assert result.files > 100


def _files(root: Path) -> dict[str, bytes]:
    paths = [*sorted((root / "registry").rglob("*")), root / ANCHOR_PATH]
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in paths if path.is_file()}


def test_the_committed_registry_and_anchor_are_what_the_generator_writes(tmp_path: Path) -> None:
    """registry/ and registry-trust.yaml are regenerated (scripts/build_bundled_registry.py), never edited
    by hand: the generator writes them again byte for byte, the anchor naming the identity fmar-gb."""
    builder = bundled.build(tmp_path / "registry")
    builder.write_anchor(tmp_path)
    assert _files(tmp_path) == _files(ROOT)
    assert f"\nregistry: {bundled.IDENTITY}\n" in (ROOT / ANCHOR_PATH).read_text(encoding="utf-8")


def test_git_repo_fixture_commits_with_its_own_identity(git_repo) -> None:
    (git_repo.path / "x.txt").write_text("x")
    git_repo.commit_all("first")
    assert git_repo.git("log", "-1", "--format=%an <%ae>") == "Test Author <author@fmar.example>"
