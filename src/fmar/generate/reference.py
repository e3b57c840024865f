"""Reference data of the GB market: the system operators, their products and the process catalogue.

Product parameters follow ../shared/DOMAIN.md: NESO's response, reserve and constraint
services, and the five common DSO products offered by each of the six DSO groups. Service
levels follow the precedent of the GB-retained system operation guideline (art. 155):
completeness within 8 weeks, decision within 3 months, 4 weeks to supply information.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from fmar.core.reference import LicenceArea


@dataclass(frozen=True)
class SystemOperator:
    id: str
    name: str
    role: str
    website: str
    licence_areas: tuple[LicenceArea, ...] = ()


OPERATOR_ID = "FMAR"
OPERATOR_NAME = "FMAR Registry Operator (market facilitator)"

SYSTEM_OPERATORS: tuple[SystemOperator, ...] = (
    SystemOperator("NESO", "National Energy System Operator", "neso", "https://www.neso.energy"),
    SystemOperator(
        "UKPN",
        "UK Power Networks",
        "dso",
        "https://www.ukpowernetworks.co.uk",
        (LicenceArea.UKPN_EPN, LicenceArea.UKPN_LPN, LicenceArea.UKPN_SPN),
    ),
    SystemOperator(
        "NGED",
        "National Grid Electricity Distribution",
        "dso",
        "https://www.nationalgrid.co.uk",
        (LicenceArea.NGED_EMID, LicenceArea.NGED_WMID, LicenceArea.NGED_WALES, LicenceArea.NGED_SWEST),
    ),
    SystemOperator(
        "NPG",
        "Northern Powergrid",
        "dso",
        "https://www.northernpowergrid.com",
        (LicenceArea.NPG_NE, LicenceArea.NPG_YK),
    ),
    SystemOperator(
        "SPEN",
        "SP Energy Networks",
        "dso",
        "https://www.spenergynetworks.co.uk",
        (LicenceArea.SPEN_SPD, LicenceArea.SPEN_SPM),
    ),
    SystemOperator(
        "SSEN",
        "Scottish and Southern Electricity Networks",
        "dso",
        "https://www.ssen.co.uk",
        (LicenceArea.SSEN_SHEPD, LicenceArea.SSEN_SEPD),
    ),
    SystemOperator("ENWL", "Electricity North West", "dso", "https://www.enwl.co.uk", (LicenceArea.ENWL,)),
)


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    service: str
    direction: str
    min_capacity_kw: float
    full_delivery_s: float
    duration_min: int
    metering_resolution_s: float
    description: str
    equivalent_to: tuple[str, ...] = ()
    capacity_change_pct: float = 10.0


NESO_PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "DC",
        "Dynamic Containment",
        "response",
        "both",
        1000,
        1,
        15,
        0.05,
        "Post-fault frequency response: full delivery within 1 s, sustained for 15 minutes.",
        ("SFFR",),
    ),
    ProductSpec(
        "DM",
        "Dynamic Moderation",
        "response",
        "both",
        1000,
        1,
        30,
        0.05,
        "Pre-fault frequency response for sudden imbalances: full delivery within 1 s, for 30 minutes.",
        ("SFFR",),
    ),
    ProductSpec(
        "DR",
        "Dynamic Regulation",
        "response",
        "both",
        1000,
        10,
        60,
        0.05,
        "Pre-fault frequency regulation: full delivery within 10 s, for 60 minutes.",
    ),
    ProductSpec(
        "SFFR",
        "Static Firm Frequency Response",
        "response",
        "up",
        1000,
        30,
        30,
        1,
        "Static response triggered at a frequency threshold.",
    ),
    ProductSpec(
        "QR",
        "Quick Reserve",
        "reserve",
        "both",
        1000,
        60,
        30,
        1,
        "Reserve reaching full delivery within 1 minute of instruction.",
        ("SR",),
    ),
    ProductSpec(
        "SR",
        "Slow Reserve",
        "reserve",
        "both",
        1000,
        900,
        120,
        1,
        "Reserve reaching full delivery within 15 minutes of instruction.",
        ("BR",),
    ),
    ProductSpec(
        "BR",
        "Balancing Reserve",
        "reserve",
        "both",
        1000,
        3600,
        60,
        60,
        "Day-ahead procured reserve held for the balancing mechanism.",
    ),
    ProductSpec(
        "LCM",
        "Local Constraint Market",
        "constraint_management",
        "both",
        1000,
        900,
        30,
        60,
        "Turn-down or turn-up behind transmission constraints.",
    ),
    ProductSpec(
        "DFS",
        "Demand Flexibility Service",
        "demand_flexibility",
        "up",
        1000,
        1800,
        30,
        1800,
        "Demand turn-down by households and businesses at peak times, settled half-hourly.",
    ),
)

DSO_PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "VAOU",
        "Variable Availability + Operational Utilisation",
        "dso_flexibility",
        "up",
        10,
        120,
        120,
        60,
        "Availability paid for windows that vary, utilisation when dispatched at short notice.",
        ("SAOU",),
    ),
    ProductSpec(
        "SAOU",
        "Scheduled Availability + Operational Utilisation",
        "dso_flexibility",
        "up",
        10,
        900,
        120,
        60,
        "Availability for scheduled windows, utilisation when dispatched.",
        ("OU",),
    ),
    ProductSpec(
        "OU",
        "Operational Utilisation",
        "dso_flexibility",
        "up",
        10,
        900,
        60,
        60,
        "Utilisation paid when dispatched close to real time (formerly Dynamic).",
        ("SU",),
    ),
    ProductSpec(
        "SU",
        "Scheduled Utilisation",
        "dso_flexibility",
        "up",
        10,
        1800,
        60,
        1800,
        "Utilisation scheduled ahead of time (formerly Secure).",
        ("PR",),
    ),
    ProductSpec(
        "PR",
        "Peak Reduction",
        "dso_flexibility",
        "up",
        10,
        1800,
        30,
        1800,
        "Reduction of net import at peak times, paid on delivery (formerly Sustain).",
    ),
)


#: The steps of a qualification whose times a product's service levels set, in their order.
SERVICE_LEVEL_STEPS = (
    "Confirm the application complete",
    "Decide after completeness",
    "FSP supplies requested information",
)


def service_levels(so: str) -> dict[str, int]:
    """The service levels of an SO's products in the generated registries (the order of
    ``SERVICE_LEVEL_STEPS``): DSOs acknowledge in 20 days and decide in 60; NESO takes the art. 155
    maxima, 8 weeks and 3 months; 4 weeks for the FSP to supply information everywhere."""
    if so == "NESO":
        return {"acknowledge_days": 56, "decision_days": 90, "information_response_days": 28}
    return {"acknowledge_days": 20, "decision_days": 60, "information_response_days": 28}


def toolkit_content() -> dict[str, Any]:
    """What each building block says, the data-object catalogue, the toolkit's version history and
    the SOs' practices (``toolkit.yaml`` beside this module): ``{"data_objects": [...], "blocks":
    {code: fields}, "toolkit": fields, "practices": [...]}``."""
    return dict(yaml.safe_load(resources.files("fmar.generate").joinpath("toolkit.yaml").read_text(encoding="utf-8")))


#: The Common End-to-End Process toolkit v2.1 building block catalogue (../shared/seeds/).
CATALOGUE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "exploration",
        (
            ("E.1", "Define Sub-Market"),
            ("E.2", "Understand Markets"),
            ("E.3", "Build Investment Case"),
            ("E.4", "Develop Operational Strategy"),
        ),
    ),
    (
        "qualification",
        (
            ("Q.1", "Register Counterparty"),
            ("Q.2", "Qualify Counterparty (Commercially)"),
            ("Q.3", "Sign Service Contract"),
            ("Q.4", "Register Assets"),
            ("Q.5", "Qualify Assets"),
            ("Q.6", "Register Units"),
            ("Q.7", "Qualify Units"),
            ("Q.8", "Test Units"),
        ),
    ),
    (
        "competition",
        (
            ("C.1", "Communicate Buy Requirements"),
            ("C.2", "Communicate Sell Requirements"),
            ("C.3", "Clear Market"),
        ),
    ),
    (
        "schedule_dispatch",
        (
            ("D.1", "Maintain Unit Availability"),
            ("D.2", "Provide Operational Visibility"),
            ("D.3", "Dispatch Units"),
            ("D.4", "Dispatch Assets"),
            ("D.5", "Cease Units"),
            ("D.6", "Cease Assets"),
        ),
    ),
    (
        "verification",
        (
            ("V.1", "Collate Verification Data"),
            ("V.2", "Process Verification Data"),
            ("V.3", "Communicate Performance"),
            ("V.4", "Manage Disputes"),
            ("V.5", "Report on Service Delivery"),
        ),
    ),
    ("settlement", (("S.1", "Generate Invoices"), ("S.2", "Process Payments"))),
)
