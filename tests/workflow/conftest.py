"""Fixtures of the workflow tests: a year of the demo replayed into a real Git repository, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmar.core.registry import Registry
from fmar.generate.demo import replay
from fmar.history.recorded import verified_with_history


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Registry]:
    """The demo's year (40 units: real signatures, commits dated through 2025) and its registry as
    Git history dates it."""
    root = tmp_path_factory.mktemp("demo") / "repo"
    registry_dir = replay(root, units=40)
    return root, verified_with_history(root, registry_dir).registry
