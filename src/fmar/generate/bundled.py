"""The bundled example registry: real reference data plus fictional FSPs whose units exercise every status.

Regenerate with ``python scripts/build_bundled_registry.py``; the output is deterministic, so
a test can hold the committed registry/ to this source.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fmar.core.reference import GSP_GROUP_OF_AREA, LicenceArea
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key

SEED = "bundled"
#: The bundled registry's identity (its trust anchor's ``registry``, named by every signature).
IDENTITY = "fmar-gb"
START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)

#: Fictional FSPs (names invented for the examples; any likeness to a real company is accidental).
FSPS = (
    ("VOLTAFLEX", "Voltaflex Energy (fictional)", "flex@voltaflex.example"),
    ("KESTREL", "Kestrel Aggregation (fictional)", "operations@kestrel-aggregation.example"),
    ("HEATSHIFT", "HeatShift Homes (fictional)", "grid@heatshift.example"),
    ("FENLAND", "Fenland Solar Storage (fictional)", "trading@fenland-solar.example"),
)


def _t(days: float, hour: int = 10) -> datetime:
    return (START + timedelta(days=days)).replace(hour=hour)


def _unit(
    unit_id: str,
    name: str,
    area: LicenceArea,
    assets: list[tuple[str, int, float]],
    *,
    imp: float,
    exp: float,
    points: int = 1,
    connection: str = "FIRM",
    bm_unit: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": unit_id,
        "name": name,
        "fsp": unit_id.split("-")[1],
        "unit_type": "SPU" if points == 1 else "SPG",
        "accounting_points": points,
        "licence_area": str(area),
        "gsp_group": str(GSP_GROUP_OF_AREA[area]),
        "connection_type": connection,
        "connection_status": "CONNECTED",
    }
    if bm_unit:
        fields["bm_unit"] = bm_unit
    fields["composition"] = {
        "import_capacity_kw": imp,
        "export_capacity_kw": exp,
        "assets": [{"category": c, "count": n, "capacity_kw": kw} for c, n, kw in assets],
    }
    return fields


def build(registry: Path) -> Builder:
    """Write the bundled registry into the (empty) folder ``registry``."""
    rng = random.Random(SEED)
    b = Builder(registry, lambda party: example_key(party, SEED), rng, registry_id=IDENTITY)
    b.operator(_t(0))
    b.catalogue(_t(0, 11))
    b.system_operators(_t(1))
    b.practices(_t(1, 14))
    for index, (party, name, email) in enumerate(FSPS):
        b.fsp(party, name, _t(2 + index), email)

    # Qualified for DC; conditionally qualified for UKPN Peak Reduction.
    u1 = b.unit(
        _unit(
            "MU-VOLTAFLEX-000001",
            "Thurrock Battery Park",
            LicenceArea.UKPN_EPN,
            [("BESS", 1, 2000.0)],
            imp=2000.0,
            exp=2000.0,
            bm_unit="V_VOLTF001",
        ),
        _t(10),
    )
    a = b.apply(u1, "NESO-DC", _t(20), up=2000.0, down=2000.0)
    b.event(a, "acknowledged", _t(40))
    b.decide(a, "qualified", _t(95), days=1461)
    a = b.apply(u1, "UKPN-PR", _t(120), up=1500.0)
    b.event(a, "acknowledged", _t(130))
    b.decide(
        a,
        "conditionally_qualified",
        _t(170),
        days=1461,
        conditions=["Export limited to 1,500 kW until the 2026 reinforcement at the primary substation."],
    )

    # Pending with NESO.
    u2 = b.unit(
        _unit(
            "MU-VOLTAFLEX-000002", "Corby Storage", LicenceArea.NGED_EMID, [("BESS", 1, 1500.0)], imp=1500.0, exp=1500.0
        ),
        _t(300),
    )
    b.apply(u2, "NESO-DM", _t(1040), up=1500.0, down=1500.0)

    # Under assessment with ENWL: an aggregation of heat pumps.
    u3 = b.unit(
        _unit(
            "MU-KESTREL-000001",
            "Greater Manchester heat pump fleet",
            LicenceArea.ENWL,
            [("HEAT_PUMP", 420, 1260.0)],
            imp=1260.0,
            exp=0.0,
            points=420,
        ),
        _t(500),
    )
    a = b.apply(u3, "ENWL-SU", _t(1000), up=900.0)
    b.event(a, "acknowledged", _t(1010))

    # Information requested by SSEN, deadline still ahead.
    u4 = b.unit(
        _unit(
            "MU-KESTREL-000002",
            "Solent workplace EV chargers",
            LicenceArea.SSEN_SEPD,
            [("EV_CHARGER", 96, 672.0)],
            imp=672.0,
            exp=0.0,
            points=12,
        ),
        _t(600),
    )
    a = b.apply(u4, "SSEN-OU", _t(1020), up=500.0)
    b.event(a, "information_requested", _t(1030), respond_by=_t(1030) + timedelta(days=120))

    # Information requested by NPG and never supplied: deemed withdrawn.
    u5 = b.unit(
        _unit(
            "MU-HEATSHIFT-000001",
            "Leeds social housing heat pumps",
            LicenceArea.NPG_YK,
            [("HEAT_PUMP", 150, 450.0), ("BESS", 150, 750.0)],
            imp=1200.0,
            exp=750.0,
            points=150,
        ),
        _t(200),
    )
    a = b.apply(u5, "NPG-PR", _t(700), up=600.0)
    b.event(a, "information_requested", _t(720), respond_by=_t(748))

    # Failed with NESO DFS, then qualified after re-applying with more capacity.
    u6 = b.unit(
        _unit(
            "MU-HEATSHIFT-000002",
            "Tyneside demand turn-down",
            LicenceArea.NPG_NE,
            [("HEAT_PUMP", 600, 1800.0), ("HVAC", 3, 450.0)],
            imp=2250.0,
            exp=0.0,
            points=603,
        ),
        _t(210),
    )
    a = b.apply(u6, "NESO-DFS", _t(260), up=1000.0)
    b.decide(a, "failed", _t(330), reasons=["TEST_FAILED", "METERING_INADEQUATE"])
    a = b.apply(u6, "NESO-DFS", _t(400), up=1200.0)
    b.event(a, "acknowledged", _t(410))
    b.decide(a, "qualified", _t(460), days=1095)

    # Withdrawn by the FSP before a decision.
    u7 = b.unit(
        _unit(
            "MU-FENLAND-000001",
            "Spalding solar and storage",
            LicenceArea.NGED_EMID,
            [("SOLAR_PV", 1, 5000.0), ("BESS", 1, 2500.0)],
            imp=2500.0,
            exp=5000.0,
        ),
        _t(150),
    )
    a = b.apply(u7, "NGED-SAOU", _t(600), up=2500.0)
    b.event(a, "withdrawn", _t(640), reason="Connection offer revised; the FSP will re-apply after the works.")

    # Qualified for Quick Reserve, then suspended after a failed delivery test.
    u8 = b.unit(
        _unit(
            "MU-FENLAND-000002",
            "Wisbech grid battery",
            LicenceArea.UKPN_EPN,
            [("BESS", 1, 20000.0)],
            imp=20000.0,
            exp=20000.0,
            bm_unit="V_FENLD002",
        ),
        _t(160),
    )
    a = b.apply(u8, "NESO-QR", _t(300), up=20000.0, down=20000.0)
    b.event(a, "acknowledged", _t(320))
    b.decide(a, "qualified", _t(380), days=1461)
    b.event(a, "suspended", _t(900), reason="Two consecutive dispatch instructions not met; under investigation.")

    # Qualified for Dynamic Regulation, then revoked.
    u9 = b.unit(
        _unit(
            "MU-VOLTAFLEX-000003",
            "Didcot battery",
            LicenceArea.SSEN_SEPD,
            [("BESS", 1, 10000.0)],
            imp=10000.0,
            exp=10000.0,
        ),
        _t(100),
    )
    a = b.apply(u9, "NESO-DR", _t(200), up=10000.0, down=10000.0)
    b.decide(a, "qualified", _t(280), days=1461)
    b.event(a, "revoked", _t(800), reason="Metering data found falsified in the performance audit.")

    # Qualified in early 2024 for one year: expired.
    u10 = b.unit(
        _unit(
            "MU-KESTREL-000003",
            "Croydon office HVAC",
            LicenceArea.UKPN_SPN,
            [("HVAC", 12, 360.0)],
            imp=360.0,
            exp=0.0,
            points=4,
        ),
        _t(30),
    )
    a = b.apply(u10, "UKPN-SU", _t(40), up=250.0)
    b.decide(a, "qualified", _t(70), days=365)

    # Qualified, then the FSP added a battery: re-assessment required.
    u11_fields = _unit(
        "MU-FENLAND-000003",
        "Boston cold store",
        LicenceArea.NGED_EMID,
        [("REFRIGERATION", 8, 800.0)],
        imp=800.0,
        exp=0.0,
    )
    u11 = b.unit(u11_fields, _t(50))
    a = b.apply(u11, "NGED-OU", _t(80), up=600.0)
    b.event(a, "acknowledged", _t(90))
    b.decide(a, "qualified", _t(150), days=1095)
    u11_fields["composition"] = {
        "import_capacity_kw": 1300.0,
        "export_capacity_kw": 500.0,
        "assets": [
            {"category": "REFRIGERATION", "count": 8, "capacity_kw": 800.0},
            {"category": "BESS", "count": 1, "capacity_kw": 500.0},
        ],
    }
    b.unit(u11_fields, _t(850))

    # Suspended and reinstated: qualified again. Also an outcome corrected by its SO.
    u12 = b.unit(
        _unit(
            "MU-HEATSHIFT-000003",
            "Cardiff school boilers",
            LicenceArea.NGED_WALES,
            [("ELECTRIC_BOILER", 6, 900.0)],
            imp=900.0,
            exp=0.0,
            points=3,
        ),
        _t(220),
    )
    a = b.apply(u12, "NGED-PR", _t(230), up=700.0)
    first = b.decide(a, "qualified", _t(260), days=1095, share=0.8)
    b.decide(a, "qualified", _t(262), days=1095, supersedes=first.id)
    b.event(a, "suspended", _t(500), reason="Boiler replacement works at two sites.")
    b.event(a, "reinstated", _t(560))

    # Failed: the declared response is too slow for Static FFR.
    u13 = b.unit(
        _unit(
            "MU-VOLTAFLEX-000004",
            "Peterborough warehouse load",
            LicenceArea.UKPN_EPN,
            [("INDUSTRIAL_LOAD", 2, 1600.0)],
            imp=1600.0,
            exp=0.0,
        ),
        _t(240),
    )
    a = b.apply(
        u13,
        "NESO-SFFR",
        _t(600),
        up=1200.0,
        capabilities={"full_delivery_s": 45.0, "duration_min": 30, "metering_resolution_s": 1.0},
    )
    b.event(a, "acknowledged", _t(620))
    b.decide(a, "failed", _t(700), reasons=["RESPONSE_TIME_NOT_MET"])

    # A unit registered but not yet applied for anything.
    b.unit(
        _unit(
            "MU-KESTREL-000004",
            "Glasgow depot EV fleet",
            LicenceArea.SPEN_SPD,
            [("EV_CHARGER", 40, 880.0)],
            imp=880.0,
            exp=0.0,
            points=2,
        ),
        _t(1000),
    )
    return b
