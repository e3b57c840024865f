"""``fmar demo``: a realistic year of registry activity replayed into a fresh Git repository.

FSPs open branches adding units and applications; the registry operator merges them; SOs
answer on their own branches (acknowledgements, information requests, outcomes), merged with
``git merge --no-ff`` as GitHub would. Every record is really signed, every commit dated.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fmar import gitrepo
from fmar.core.model import Application
from fmar.core.model.product import Direction
from fmar.core.reference import LicenceArea
from fmar.generate.builder import Builder
from fmar.generate.bundled import FSPS, _unit
from fmar.generate.keys import example_key

SEED = "demo"
#: The demo registry's identity: its records are signed for it, so none can be replayed into the
#: bundled registry (fmar-gb) or a real one.
IDENTITY = "fmar-gb-demo"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
END = START + timedelta(days=365)
_NAMES = (
    "Battery park",
    "Heat pump fleet",
    "EV depot",
    "Cold store",
    "Solar and storage",
    "Office HVAC",
    "School boilers",
)
_ASSETS = {
    "Battery park": [("BESS", 1, 2000.0)],
    "Heat pump fleet": [("HEAT_PUMP", 300, 900.0)],
    "EV depot": [("EV_CHARGER", 40, 880.0)],
    "Cold store": [("REFRIGERATION", 8, 800.0)],
    "Solar and storage": [("SOLAR_PV", 1, 3000.0), ("BESS", 1, 1500.0)],
    "Office HVAC": [("HVAC", 12, 360.0)],
    "School boilers": [("ELECTRIC_BOILER", 6, 900.0)],
}
_PRODUCTS = {"BESS": "NESO-DC", "SOLAR_PV": "NESO-QR"}
_DSO_OF_AREA = {
    "UKPN": ("UKPN_EPN", "UKPN_LPN", "UKPN_SPN"),
    "NGED": ("NGED_EMID", "NGED_WMID", "NGED_WALES", "NGED_SWEST"),
    "NPG": ("NPG_NE", "NPG_YK"),
    "ENWL": ("ENWL",),
}


class Repo:
    """The demo repository, driven through git with a fixed identity and the dates we give."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.env.update(
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_AUTHOR_NAME="fmar demo",
            GIT_AUTHOR_EMAIL="demo@fmar.example",
            GIT_COMMITTER_NAME="fmar registry (merge)",
            GIT_COMMITTER_EMAIL="registry@fmar.example",
        )
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: datetime | None = None) -> str:
        env = dict(self.env)
        if when is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
        return gitrepo.text(self.path, *args, env=env).strip()

    def pull_request(self, branch: str, title: str, opened: datetime, merged: datetime) -> None:
        """Commit the working tree on ``branch`` at ``opened`` and merge it into main at ``merged``."""
        self.git("checkout", "-q", "-b", branch)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", title, when=opened)
        self.git("checkout", "-q", "main")
        self.git("merge", "-q", "--no-ff", "-m", f"Merge pull request: {title}", branch, when=merged)
        self.git("branch", "-q", "-D", branch)


def replay(path: Path, units: int = 40, log: Callable[[str], None] = lambda _: None) -> Path:
    """Write the demo repository at ``path`` (must not exist); returns its registry folder."""
    repo = Repo(path)
    registry = path / "registry"
    rng = random.Random(SEED)
    b = Builder(registry, lambda party: example_key(party, SEED), rng, registry_id=IDENTITY)
    b.operator(START)
    b.write_anchor(path)
    b.catalogue(START + timedelta(minutes=5))
    b.system_operators(START + timedelta(hours=1), product_from="2025-01-01")
    b.practices(START + timedelta(hours=1, minutes=30))
    for index, (party, name, email) in enumerate(FSPS):
        b.fsp(party, name, START + timedelta(hours=2 + index), email)
    repo.git("add", "-A")
    repo.git(
        "commit",
        "-q",
        "-m",
        "Reference data: trust anchor, operator, process catalogue, SOs, products, FSPs",
        when=START + timedelta(hours=6),
    )

    actions: list[tuple[datetime, int, Callable[[datetime], None]]] = []
    sequence = iter(range(10**9))

    def later(at: datetime, action: Callable[[datetime], None]) -> None:
        if at < END:
            actions.append((at, next(sequence), action))

    def so_answers(application: Application, at: datetime) -> None:
        fate = rng.random()
        ack = at + timedelta(days=rng.randint(3, 25))

        def acknowledge(t: datetime) -> None:
            b.event(application, "acknowledged", t)
            repo.pull_request(
                f"so/{application.id}-ack", f"{application.so}: acknowledge {application.id}", t, t + timedelta(hours=4)
            )

        def decide(result: str) -> Callable[[datetime], None]:
            def run(t: datetime) -> None:
                reasons = ["TEST_FAILED"] if result == "failed" else None
                conditions = (
                    ["Export limited until network reinforcement."] if result == "conditionally_qualified" else None
                )
                b.decide(application, result, t, reasons=reasons, conditions=conditions)
                repo.pull_request(
                    f"so/{application.id}-out",
                    f"{application.so}: {result} {application.id}",
                    t,
                    t + timedelta(hours=6),
                )

            return run

        def request(t: datetime) -> None:
            b.event(application, "information_requested", t, respond_by=t + timedelta(days=28))
            repo.pull_request(
                f"so/{application.id}-rfi", f"{application.so}: information request", t, t + timedelta(hours=2)
            )

        if fate < 0.1:
            later(ack, request)
            return
        later(ack, acknowledge)
        if fate < 0.2:
            return  # still under assessment
        result = "failed" if fate < 0.3 else "conditionally_qualified" if fate < 0.4 else "qualified"
        later(ack + timedelta(days=rng.randint(10, 80)), decide(result))

    areas = [a for a in LicenceArea if any(a in v for v in _DSO_OF_AREA.values())]
    for number in range(units):
        party = FSPS[number % len(FSPS)][0]
        kind = _NAMES[number % len(_NAMES)]
        area = areas[rng.randrange(len(areas))]
        opened = START + timedelta(days=2 + 300 * number / max(units, 1), hours=rng.randint(0, 6))

        def add_unit(
            t: datetime, party: str = party, kind: str = kind, area: LicenceArea = area, n: int = number
        ) -> None:
            assets = _ASSETS[kind]
            total = sum(kw for _, _, kw in assets)
            fields = _unit(
                f"MU-{party}-{n + 1:06d}",
                f"{kind} {n + 1}",
                area,
                assets,
                imp=total,
                exp=total if "BESS" in str(assets) else 0.0,
            )
            unit = b.unit(fields, t)
            category = assets[0][0]
            product = _PRODUCTS.get(category) or f"{next(so for so, v in _DSO_OF_AREA.items() if str(area) in v)}-PR"
            offered = min(total, 1000.0) if product.startswith("NESO") else total / 2
            # Offer each direction the product buys (Dynamic Containment, say, is bought high and low).
            direction = b.registry.products[product].versions[-1].direction
            application = b.apply(
                unit,
                product,
                t + timedelta(hours=1),
                up=offered if direction != Direction.DOWN else 0.0,
                down=offered if direction != Direction.UP else 0.0,
            )
            repo.pull_request(
                f"fsp/{unit.id}", f"{party}: add {unit.id} and apply for {product}", t, t + timedelta(days=1)
            )
            so_answers(application, t + timedelta(days=1))
            if n % 4 == 0:
                later(t + timedelta(days=rng.randint(30, 90)), lambda t2: rename_unit(fields, t2))

        def rename_unit(fields: dict[str, object], t: datetime) -> None:
            """The FSP renames its site: a second, re-signed version of the unit (not a material change)."""
            renamed = {**fields, "name": f"{fields['name']} (renamed site)"}
            unit = b.unit(renamed, t)
            repo.pull_request(f"fsp/{unit.id}-rename", f"{unit.fsp}: rename {unit.id}", t, t + timedelta(hours=3))

        later(opened, add_unit)
    while actions:
        actions.sort(key=lambda item: (item[0], item[1]))
        at, _, action = actions.pop(0)
        action(at)
    log(f"demo repository: {path} ({units} units, {int(repo.git('rev-list', '--count', 'HEAD'))} commits)")
    return registry
