"""A small registry with hostile names, in a real Git repository, built once per test session."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import GitRepo

from fmar.core.reference import LicenceArea
from fmar.generate import bundled
from fmar.publish import formats
from fmar.publish.build import build

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
HOSTILE_NAME = "<script>window.pwned=1</script> \"quoted\" 'x' javascript:alert(1) שלום"
FORMULA_NAME = '=HYPERLINK("http://evil.example","x")'
#: Rows of a list page and entries of a filter index page: small, so the 16 units span pages.
PAGE_SIZE = 5


def write_registry(repo: Path) -> None:
    registry = repo / "registry"
    b = bundled.build(registry)
    rng = random.Random("hostile")
    unit = b.unit(
        bundled._unit("MU-KESTREL-000099", HOSTILE_NAME, LicenceArea.ENWL, [("BESS", 1, 900.0)], imp=900.0, exp=900.0),
        datetime(2026, 10, 1, tzinfo=UTC),
    )
    b.rng = rng
    b.apply(unit, "ENWL-SU", datetime(2026, 10, 2, tzinfo=UTC), up=500.0)
    b.unit(
        bundled._unit("MU-KESTREL-000098", FORMULA_NAME, LicenceArea.ENWL, [("HVAC", 2, 90.0)], imp=90.0, exp=0.0),
        datetime(2026, 10, 3, tzinfo=UTC),
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, Path]:
    """The hostile registry committed in a real repository and built into ``<tmp>/site``, once per session.

    Tests read the site; a test that builds again writes into its own folder beside it.
    """
    repo = GitRepo(tmp_path_factory.mktemp("built") / "repo")
    write_registry(repo.path)
    repo.commit_all("registry", when=datetime(2026, 10, 5, tzinfo=UTC))
    out = repo.path.parent / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FMAR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "fmar-cache"))
        build(repo.path, repo.path / "registry", out, AS_OF, jobs=1, page_size=PAGE_SIZE)
    return repo, out


def spy_zip(monkeypatch: pytest.MonkeyPatch, seen: Path) -> None:
    """Record what each zip write copied and compressed (the zip is written in a child process)."""
    write = formats.write_zip

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        stats = write(*args, **kwargs)
        with seen.open("a", encoding="utf-8") as report:
            report.write(json.dumps([stats.copied, stats.compressed]) + "\n")
        return stats

    monkeypatch.setattr(formats, "write_zip", spy)
