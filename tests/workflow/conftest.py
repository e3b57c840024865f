"""Fixtures of the workflow tests: a year of the demo replayed into a real Git repository, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fmar.core.registry import Registry
from fmar.generate.demo import replay
from fmar.history.recorded import verified_with_history
from fmar.publish.build import build

#: When ``demo_site`` is built: in December of the demo's year, some applications late, one waiting on its FSP.
DEMO_SITE_AS_OF = datetime(2025, 12, 5, 12, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Registry]:
    """The demo's year (40 units: real signatures, commits dated through 2025) and its registry as
    Git history dates it."""
    root = tmp_path_factory.mktemp("demo") / "repo"
    registry_dir = replay(root, units=40)
    return root, verified_with_history(root, registry_dir).registry


@pytest.fixture(scope="session")
def demo_site(demo_year: tuple[Path, Registry], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the demo's year, built as of ``DEMO_SITE_AS_OF``."""
    root, _ = demo_year
    out = tmp_path_factory.mktemp("demo-site") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FMAR_CACHE_DIR", str(tmp_path_factory.mktemp("demo-cache")))
        build(root, root / "registry", out, DEMO_SITE_AS_OF, jobs=1)
    return out
