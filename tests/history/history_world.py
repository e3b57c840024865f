"""A small registry world in a real repository: reference data committed, one FSP, helpers to grow it."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from fmar.cli import cli
from fmar.core.model import MarketUnit
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SEED = "history-tests"
#: The identity of the history tests' registry (its trust anchor's registry).
IDENTITY = "fmar-history-tests"


def unit_fields(unit_id: str, name: str, export_kw: float = 2000.0) -> dict[str, Any]:
    return {
        "id": unit_id,
        "name": name,
        "fsp": unit_id.split("-")[1],
        "unit_type": "SPU",
        "accounting_points": 1,
        "licence_area": "UKPN_EPN",
        "gsp_group": "_A",
        "connection_type": "FIRM",
        "connection_status": "CONNECTED",
        "composition": {
            "import_capacity_kw": 2000.0,
            "export_capacity_kw": export_kw,
            "assets": [{"category": "BESS", "count": 1, "capacity_kw": 2000.0}],
        },
    }


@dataclass
class World:
    repo: Any
    builder: Builder

    @property
    def registry(self) -> Path:
        return self.repo.path / "registry"

    def unit(self, unit_id: str, name: str, at: datetime, export_kw: float = 2000.0) -> MarketUnit:
        return self.builder.unit(unit_fields(unit_id, name, export_kw), at)

    def fmar(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--registry", str(self.registry)], catch_exceptions=False)

    def fmar_json(self, *args: str) -> dict[str, Any]:
        result = self.fmar(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def merge(self, branch: str, when: datetime, *options: str) -> str:
        self.repo.git("checkout", "-q", "main")
        self.repo.git("merge", "-q", *options, "-m", f"Merge {branch}", branch, when=when)
        return self.repo.git("rev-parse", "HEAD")


def make_world(git_repo: Any) -> World:
    builder = Builder(
        git_repo.path / "registry", lambda party: example_key(party, SEED), random.Random(SEED), registry_id=IDENTITY
    )
    builder.operator(T0)
    builder.write_anchor(git_repo.path)
    builder.system_operators(T0)
    builder.fsp("VOLTAFLEX", "Voltaflex Energy (fictional)", T0, "flex@voltaflex.example")
    git_repo.commit_all("Reference data", when=T0 + timedelta(hours=2))
    return World(git_repo, builder)
