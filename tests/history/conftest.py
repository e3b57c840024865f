"""The ``world`` fixture: a small registry in a real repository (see history_world.py)."""

from __future__ import annotations

from typing import Any

import pytest
from history_world import World, make_world


@pytest.fixture
def world(git_repo: Any) -> World:
    return make_world(git_repo)
