"""Reference facts about the GB flexibility market used by the record models and rules.

One place for the closed vocabularies: licence areas, GSP groups, asset categories,
connection types and the mapping between licence areas and GSP groups.
"""

from __future__ import annotations

from enum import StrEnum


class LicenceArea(StrEnum):
    """The 14 DNO licence areas of Great Britain."""

    UKPN_EPN = "UKPN_EPN"
    UKPN_LPN = "UKPN_LPN"
    UKPN_SPN = "UKPN_SPN"
    NGED_EMID = "NGED_EMID"
    NGED_WMID = "NGED_WMID"
    NGED_WALES = "NGED_WALES"
    NGED_SWEST = "NGED_SWEST"
    NPG_NE = "NPG_NE"
    NPG_YK = "NPG_YK"
    SPEN_SPD = "SPEN_SPD"
    SPEN_SPM = "SPEN_SPM"
    SSEN_SHEPD = "SSEN_SHEPD"
    SSEN_SEPD = "SSEN_SEPD"
    ENWL = "ENWL"


class GspGroup(StrEnum):
    """The 14 GSP groups (_A to _P, no _I or _O)."""

    A = "_A"
    B = "_B"
    C = "_C"
    D = "_D"
    E = "_E"
    F = "_F"
    G = "_G"
    H = "_H"
    J = "_J"
    K = "_K"
    L = "_L"
    M = "_M"
    N = "_N"
    P = "_P"


#: Each licence area covers exactly one GSP group.
GSP_GROUP_OF_AREA: dict[LicenceArea, GspGroup] = {
    LicenceArea.UKPN_EPN: GspGroup.A,
    LicenceArea.NGED_EMID: GspGroup.B,
    LicenceArea.UKPN_LPN: GspGroup.C,
    LicenceArea.SPEN_SPM: GspGroup.D,
    LicenceArea.NGED_WMID: GspGroup.E,
    LicenceArea.NPG_NE: GspGroup.F,
    LicenceArea.ENWL: GspGroup.G,
    LicenceArea.SSEN_SEPD: GspGroup.H,
    LicenceArea.UKPN_SPN: GspGroup.J,
    LicenceArea.NGED_WALES: GspGroup.K,
    LicenceArea.NGED_SWEST: GspGroup.L,
    LicenceArea.NPG_YK: GspGroup.M,
    LicenceArea.SPEN_SPD: GspGroup.N,
    LicenceArea.SSEN_SHEPD: GspGroup.P,
}

#: Human names of the licence areas, for pages and messages.
LICENCE_AREA_NAMES: dict[LicenceArea, str] = {
    LicenceArea.UKPN_EPN: "Eastern (UK Power Networks)",
    LicenceArea.UKPN_LPN: "London (UK Power Networks)",
    LicenceArea.UKPN_SPN: "South Eastern (UK Power Networks)",
    LicenceArea.NGED_EMID: "East Midlands (National Grid Electricity Distribution)",
    LicenceArea.NGED_WMID: "West Midlands (National Grid Electricity Distribution)",
    LicenceArea.NGED_WALES: "South Wales (National Grid Electricity Distribution)",
    LicenceArea.NGED_SWEST: "South West (National Grid Electricity Distribution)",
    LicenceArea.NPG_NE: "North East (Northern Powergrid)",
    LicenceArea.NPG_YK: "Yorkshire (Northern Powergrid)",
    LicenceArea.SPEN_SPD: "South Scotland (SP Energy Networks)",
    LicenceArea.SPEN_SPM: "Merseyside and North Wales (SP Energy Networks)",
    LicenceArea.SSEN_SHEPD: "North Scotland (Scottish and Southern Electricity Networks)",
    LicenceArea.SSEN_SEPD: "Southern (Scottish and Southern Electricity Networks)",
    LicenceArea.ENWL: "North West (Electricity North West)",
}


class AssetCategory(StrEnum):
    BESS = "BESS"
    SOLAR_PV = "SOLAR_PV"
    WIND_TURBINE = "WIND_TURBINE"
    EV_CHARGER = "EV_CHARGER"
    HEAT_PUMP = "HEAT_PUMP"
    ELECTRIC_BOILER = "ELECTRIC_BOILER"
    HVAC = "HVAC"
    REFRIGERATION = "REFRIGERATION"
    INDUSTRIAL_LOAD = "INDUSTRIAL_LOAD"
    CHP = "CHP"
    OTHER = "OTHER"


class ConnectionType(StrEnum):
    FIRM = "FIRM"
    NON_FIRM = "NON_FIRM"
    DYNAMIC = "DYNAMIC"


class ConnectionStatus(StrEnum):
    CONNECTED = "CONNECTED"
    PENDING = "PENDING"
    DISCONNECTED = "DISCONNECTED"


class UnitType(StrEnum):
    """SPU: assets behind a single accounting point; SPG: assets across several."""

    SPU = "SPU"
    SPG = "SPG"


#: Units at or below this export/import capacity count as "small".
SMALL_UNIT_KW = 50.0
