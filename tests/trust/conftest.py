"""Fixtures of the trust tests."""

from __future__ import annotations

from typing import Any

import pytest
from trust_scenario import Scenario


@pytest.fixture
def scenario(git_repo: Any) -> Scenario:
    return Scenario(git_repo)
