"""A small registry with hostile names, in a real Git repository, built once per test session."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fmar.generate import bundled
from fmar.publish.build import build
from fmar.reference import LicenceArea

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
HOSTILE_NAME = "<script>window.pwned=1</script> \"quoted\" 'x' javascript:alert(1) שלום"
FORMULA_NAME = '=HYPERLINK("http://evil.example","x")'


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


@pytest.fixture
def built(git_repo) -> tuple[object, Path]:  # type: ignore[no-untyped-def]
    """The hostile registry committed in a real repository and built into ``<tmp>/site``."""
    write_registry(git_repo.path)
    git_repo.commit_all("registry", when=datetime(2026, 10, 5, tzinfo=UTC))
    out = git_repo.path.parent / "site"
    build(git_repo.path, git_repo.path / "registry", out, AS_OF, jobs=1)
    return git_repo, out
