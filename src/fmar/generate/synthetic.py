"""Seeded, deterministic synthetic registries of any size, for tests and benchmarks.

The same (units, seed) always gives the same files, whatever the number of worker processes:
units are made in fixed chunks, each with its own random stream, and ids of applications,
outcomes and events come from a bijection of a counter, so they never collide.

The mix follows DOMAIN.md: domestic aggregations of heat pumps, EV chargers and home batteries
(SPGs of tens to thousands of small assets), commercial batteries of 1 to 50 MW, solar with
storage, commercial and industrial demand; about 1.2 applications per unit, and lifecycles that
cover every status, for about four lifecycle records per unit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fmar import workers
from fmar.core.ids import CROCKFORD
from fmar.core.model import Application, MarketUnit
from fmar.core.reference import GSP_GROUP_OF_AREA, LicenceArea
from fmar.core.registry import Registry
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.trust.anchor import ANCHOR_PATH

#: The identity every synthetic registry's records are signed for (its trust anchor's ``registry``).
IDENTITY = "fmar-gb-synthetic"
#: "Now" of every synthetic registry, so statuses and files are the same on every run.
NOW = datetime(2026, 11, 1, tzinfo=UTC)
EPOCH = datetime(2022, 1, 3, tzinfo=UTC)
CHUNK = 1000
_ID_SPACE = 32**8

TOWNS: dict[LicenceArea, tuple[str, ...]] = {
    LicenceArea.UKPN_EPN: ("Ipswich", "Norwich", "Chelmsford", "Cambridge", "Luton", "Colchester"),
    LicenceArea.UKPN_LPN: ("Camden", "Southwark", "Hackney", "Lambeth", "Islington", "Greenwich"),
    LicenceArea.UKPN_SPN: ("Croydon", "Brighton", "Maidstone", "Crawley", "Canterbury", "Hastings"),
    LicenceArea.NGED_EMID: ("Nottingham", "Leicester", "Derby", "Lincoln", "Corby", "Northampton"),
    LicenceArea.NGED_WMID: ("Birmingham", "Coventry", "Wolverhampton", "Telford", "Worcester", "Hereford"),
    LicenceArea.NGED_WALES: ("Cardiff", "Swansea", "Newport", "Bridgend", "Llanelli", "Merthyr"),
    LicenceArea.NGED_SWEST: ("Plymouth", "Exeter", "Bristol", "Truro", "Taunton", "Barnstaple"),
    LicenceArea.NPG_NE: ("Newcastle", "Sunderland", "Durham", "Middlesbrough", "Hexham", "Darlington"),
    LicenceArea.NPG_YK: ("Leeds", "Sheffield", "York", "Hull", "Bradford", "Doncaster"),
    LicenceArea.SPEN_SPD: ("Glasgow", "Edinburgh", "Ayr", "Dumfries", "Falkirk", "Kilmarnock"),
    LicenceArea.SPEN_SPM: ("Liverpool", "Chester", "Wrexham", "Bangor", "Birkenhead", "Rhyl"),
    LicenceArea.SSEN_SHEPD: ("Inverness", "Aberdeen", "Perth", "Dundee", "Oban", "Kirkwall"),
    LicenceArea.SSEN_SEPD: ("Reading", "Oxford", "Southampton", "Portsmouth", "Swindon", "Slough"),
    LicenceArea.ENWL: ("Manchester", "Preston", "Blackpool", "Lancaster", "Carlisle", "Bolton"),
}
DSO_OF_AREA = {area: str(area).split("_")[0] for area in LicenceArea}

#: (weight, lifecycle) of an application's story after submission.
LIFECYCLES: tuple[tuple[int, str], ...] = (
    (6, "pending"),
    (6, "under_assessment"),
    (3, "information_requested"),
    (3, "deemed_withdrawn"),
    (8, "info_then_qualified"),
    (43, "qualified"),
    (8, "conditionally_qualified"),
    (8, "failed"),
    (4, "withdrawn"),
    (3, "suspended"),
    (2, "reinstated"),
    (2, "revoked"),
    (4, "expired"),
)


def fsp_id(index: int) -> str:
    return f"FSP{index + 1:04d}"


def _crockford(value: int) -> str:
    out = []
    for _ in range(8):
        value, digit = divmod(value, 32)
        out.append(CROCKFORD[digit])
    return "".join(reversed(out))


def unique_ids(seed: int, base: int) -> Callable[[str, int], str]:
    """Ids from a counter starting at ``base``, scrambled by a bijection of the id space."""
    counter = [base]
    mix = 0x9E3779B1 | 1

    def make(kind: str, year: int) -> str:
        counter[0] += 1
        scrambled = (counter[0] * mix + seed * 7919) % _ID_SPACE
        prefix = {"application": "APP", "outcome": "OUT", "event": "EVT"}[kind]
        return f"{prefix}-{year:04d}-{_crockford(scrambled)}"

    return make


@dataclass(frozen=True)
class Plan:
    out: Path
    units: int
    seed: int
    fsps: int
    #: Units per chunk, each with its own random stream: the files depend on it.
    chunk: int = CHUNK


class _Keys:
    """The example signing keys of a synthetic registry's parties, each made once per process.

    A copy sent to a spawned worker starts with none made (a private key does not pickle)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.made: dict[str, Any] = {}

    def __call__(self, party: str) -> Any:
        key = self.made.get(party)
        if key is None:
            key = self.made[party] = example_key(party, f"synthetic-{self.seed}")
        return key

    def __getstate__(self) -> dict[str, Any]:
        return {"seed": self.seed, "made": {}}


@dataclass(frozen=True)
class _Chunks:
    """What every chunk of units is made from: the plan, the reference records and FSPs, their keys."""

    plan: Plan
    registry: Registry
    keys: _Keys


def _at(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(1, int((end - start).total_seconds()))
    return (start + timedelta(seconds=rng.randrange(span))).replace(microsecond=0)


def _composition(rng: random.Random) -> tuple[str, str, int, dict[str, Any]]:
    """(descriptor, unit type, accounting points, composition) of a random unit."""
    roll = rng.random()
    if roll < 0.45:
        category, per_kw, label = rng.choice(
            (("HEAT_PUMP", 3.0, "heat pumps"), ("EV_CHARGER", 7.0, "EV chargers"), ("BESS", 5.0, "home batteries"))
        )
        count = rng.randint(20, 2000)
        rated = round(count * per_kw, 2)
        export = rated if category == "BESS" else 0.0
        assets = [{"category": category, "count": count, "capacity_kw": rated}]
        return f"domestic {label}", "SPG", count, _comp(rated, export, assets)
    if roll < 0.65:
        mw = rng.choice((1, 2, 5, 10, 20, 30, 49.9))
        kw = round(mw * 1000, 2)
        return "grid battery", "SPU", 1, _comp(kw, kw, [{"category": "BESS", "count": 1, "capacity_kw": kw}])
    if roll < 0.75:
        solar = round(rng.choice((1, 2, 5, 10)) * 1000.0, 2)
        battery = round(solar / 2, 2)
        assets = [
            {"category": "SOLAR_PV", "count": 1, "capacity_kw": solar},
            {"category": "BESS", "count": 1, "capacity_kw": battery},
        ]
        return "solar and storage", "SPU", 1, _comp(battery, solar, assets)
    if roll < 0.95:
        category, label = rng.choice(
            (
                ("HVAC", "office HVAC"),
                ("REFRIGERATION", "cold store"),
                ("INDUSTRIAL_LOAD", "works"),
                ("ELECTRIC_BOILER", "boiler house"),
            )
        )
        count = rng.randint(1, 40)
        rated = round(rng.randint(50, 3000) * 1.0, 2)
        points = rng.choice((1, 1, 1, 2, 3))
        return (
            label,
            "SPU" if points == 1 else "SPG",
            points,
            _comp(rated, 0.0, [{"category": category, "count": count, "capacity_kw": rated}]),
        )
    category, label = rng.choice((("CHP", "CHP plant"), ("WIND_TURBINE", "wind farm")))
    kw = round(rng.choice((500, 1000, 2000, 5000)) * 1.0, 2)
    imp = 0.0 if category == "WIND_TURBINE" else round(kw / 10, 2)
    return label, "SPU", 1, _comp(imp, kw, [{"category": category, "count": rng.randint(1, 6), "capacity_kw": kw}])


def _comp(imp: float, exp: float, assets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"import_capacity_kw": imp, "export_capacity_kw": exp, "assets": assets}


def _choose_product(b: Builder, rng: random.Random, unit: MarketUnit) -> tuple[str, float, float] | None:
    comp = unit.composition
    size = max(comp.import_capacity_kw, comp.export_capacity_kw)
    options: list[tuple[str, float, float]] = []
    if size >= 1000:
        if comp.import_capacity_kw >= 1000 and comp.export_capacity_kw >= 1000:
            both = min(comp.import_capacity_kw, comp.export_capacity_kw)
            options += [(f"NESO-{code}", both, both) for code in ("DC", "DM", "DR", "QR", "SR")]
        options += [("NESO-DFS", size, 0.0), ("NESO-SFFR", size, 0.0)]
    dso = DSO_OF_AREA[unit.licence_area]
    up = round(min(size, comp.import_capacity_kw + comp.export_capacity_kw) * rng.choice((0.5, 0.75, 1.0)), 2)
    if up >= 10:
        options += [(f"{dso}-{code}", up, 0.0) for code in ("PR", "SU", "OU", "SAOU", "VAOU")]
    options = [o for o in options if o[0] in b.registry.products]
    return rng.choice(options) if options else None


def _story(b: Builder, rng: random.Random, app: Application, submitted: datetime) -> None:
    kind = rng.choices([k for _, k in LIFECYCLES], weights=[w for w, _ in LIFECYCLES])[0]
    days = lambda lo, hi: timedelta(days=rng.uniform(lo, hi))  # noqa: E731
    t = submitted
    if kind == "pending":
        return
    if kind in ("information_requested", "deemed_withdrawn", "info_then_qualified"):
        t += days(3, 20)
        wait = timedelta(days=28)
        if kind == "information_requested":
            t = max(t, NOW - timedelta(days=20))
        b.event(app, "information_requested", t, respond_by=t + wait)
        if kind != "info_then_qualified":
            return
        t += days(2, 25)
        b.event(app, "information_supplied", t)
    else:
        t += days(2, 40)
        b.event(app, "acknowledged", t)
        if kind == "under_assessment":
            return
    if kind == "withdrawn":
        b.event(app, "withdrawn", t + days(5, 60), reason="Site works delayed; the FSP will re-apply later.")
        return
    t += days(10, 80)
    if kind == "failed":
        b.decide(
            app, "failed", t, reasons=[rng.choice(("TEST_FAILED", "RESPONSE_TIME_NOT_MET", "METERING_INADEQUATE"))]
        )
        return
    if kind == "expired":
        b.decide(app, "qualified", t, days=rng.randint(90, 200))
        return
    if kind == "conditionally_qualified":
        b.decide(app, "conditionally_qualified", t, days=730, conditions=["Availability limited to the winter season."])
        return
    b.decide(app, "qualified", t, days=rng.choice((730, 1095, 1461, 1826)))
    if kind in ("suspended", "reinstated", "revoked"):
        t += days(20, 200)
        if kind == "revoked":
            b.event(app, "revoked", t, reason="Repeated failure to deliver when dispatched.")
            return
        b.event(app, "suspended", t, reason="Delivery shortfall under investigation.")
        if kind == "reinstated":
            b.event(app, "reinstated", t + days(10, 60))


def _chunk(chunks: _Chunks, index: int) -> int:
    """Write the ``index``-th chunk of units and their applications; the records written."""
    plan = chunks.plan
    rng = random.Random(f"{plan.seed}:{index}")
    b = Builder(
        plan.out,
        chunks.keys,
        rng,
        registry_id=IDENTITY,
        atomic=False,
        new_id=unique_ids(plan.seed, index * plan.chunk * 16),
    )
    b.registry = chunks.registry
    start, stop = index * plan.chunk, min(plan.units, (index + 1) * plan.chunk)
    written = 0
    latest = NOW - timedelta(days=1)
    for n in range(start, stop):
        fsp = fsp_id(n % plan.fsps)
        area = rng.choice(list(LicenceArea))
        label, unit_type, points, comp = _composition(rng)
        fields = {
            "id": f"MU-{fsp}-{n // plan.fsps + 1:06d}",
            "name": f"{rng.choice(TOWNS[area])} {label}",
            "fsp": fsp,
            "unit_type": unit_type,
            "accounting_points": points,
            "licence_area": str(area),
            "gsp_group": str(GSP_GROUP_OF_AREA[area]),
            "connection_type": rng.choice(("FIRM", "FIRM", "NON_FIRM", "DYNAMIC")),
            "connection_status": "CONNECTED",
            "composition": comp,
        }
        registered = _at(rng, EPOCH, NOW - timedelta(days=90))
        unit = b.unit(fields, registered)
        written += 1
        applications = 1 + (rng.random() < 0.2)
        applied: set[str] = set()  # products this unit applied for (at most one application each)
        material = rng.random() < 0.02
        for _ in range(applications):
            choice = _choose_product(b, rng, unit)
            if choice is None:
                break
            product, up, down = choice
            submitted = _at(rng, registered + timedelta(days=1), latest)
            if product in applied:
                continue
            before = len(b.registry)
            app = b.apply(unit, product, submitted, up=up, down=down)
            applied.add(product)
            _story(b, rng, app, submitted)
            written += len(b.registry) - before
        if material:
            changed = dict(fields)
            comp2 = dict(comp)
            comp2["import_capacity_kw"] = round(comp["import_capacity_kw"] * 1.5 + 10, 2)
            comp2["assets"] = [dict(a) for a in comp["assets"]]
            comp2["assets"][0]["capacity_kw"] = round(
                max(comp2["import_capacity_kw"], comp["export_capacity_kw"], comp["assets"][0]["capacity_kw"]), 2
            )
            changed["composition"] = comp2
            b.unit(changed, NOW - timedelta(days=10))
    return written


def generate(
    out: Path,
    units: int,
    seed: int = 1,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    *,
    start_method: str = workers.DEFAULT_START_METHOD,
    chunk: int = CHUNK,
) -> int:
    """Write a synthetic registry of ``units`` Market Units into ``out`` (which must not exist), and its
    trust anchor beside it (``registry-trust.yaml`` in the parent folder, as in a repository; refused
    when another one is there). Returns the records written.

    The chunks of units are made in up to ``jobs`` worker processes, started by ``start_method``
    (``fork`` or ``spawn``): the same files either way. ``chunk`` units are made from one random
    stream: another ``chunk`` makes another registry (tests use small ones)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    keys = _Keys(seed)
    anchor = out.parent / ANCHOR_PATH
    probe = Builder(out, keys, random.Random(0), registry_id=IDENTITY, write_files=False)
    probe.operator(EPOCH - timedelta(days=30))
    text = probe.anchor_text()
    if anchor.exists() and anchor.read_bytes() != text.encode():
        raise FileExistsError(f"{anchor} exists: the generated registry's trust anchor would go there")
    anchor.parent.mkdir(parents=True, exist_ok=True)
    anchor.write_text(text, encoding="utf-8")
    fsps = max(3, units // 500)
    plan = Plan(out, units, seed, fsps, chunk)
    base = Builder(
        out,
        keys,
        random.Random(f"{seed}:base"),
        registry_id=IDENTITY,
        atomic=False,
        new_id=unique_ids(seed, 10**12),
    )
    base.operator(EPOCH - timedelta(days=30))
    base.catalogue(EPOCH - timedelta(days=30))
    base.system_operators(EPOCH - timedelta(days=29), product_from="2021-04-01")
    base.practices(EPOCH - timedelta(days=28))
    for index in range(fsps):
        base.fsp(
            fsp_id(index), f"Synthetic FSP {index + 1:04d}", EPOCH - timedelta(days=20), f"ops{index + 1}@fsp.example"
        )

    def done(index: int, _: int) -> None:
        if progress:
            progress(min(chunk, units - index * chunk))

    written = len(base.registry)  # the chunks made in this process add to it
    chunks = range((units + chunk - 1) // chunk)
    context = _Chunks(plan, base.registry, keys)
    counts = workers.run(_chunk, context, chunks, jobs=jobs, start_method=start_method, each=done)
    return written + sum(counts)
