"""The process catalogue of the Common End-to-End Process toolkit: phases and building blocks."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal, NamedTuple

from pydantic import Field, StrictInt, StringConstraints

from fmar.core.ids import PROCESS_ID, DataObjectId, ProcessId
from fmar.core.model.base import Record
from fmar.core.model.common import Description, Name, PublicText


class Phase(StrEnum):
    EXPLORATION = "exploration"
    QUALIFICATION = "qualification"
    COMPETITION = "competition"
    SCHEDULE_DISPATCH = "schedule_dispatch"
    VERIFICATION = "verification"
    SETTLEMENT = "settlement"


class PhaseInfo(NamedTuple):
    """A phase of the toolkit as its current version publishes it."""

    phase: Phase
    #: The heading of the phase in the toolkit's catalogue.
    title: str
    #: The letter its building blocks' codes start with.
    letter: str
    #: Its key in the toolkit's raw JSON glossary (``Schedule/Dispatch``: no spaces there).
    key: str


#: Phases in the order of the FSP journey.
PHASES: tuple[PhaseInfo, ...] = (
    PhaseInfo(Phase.EXPLORATION, "Exploration", "E", "Exploration"),
    PhaseInfo(Phase.QUALIFICATION, "Qualification", "Q", "Qualification"),
    PhaseInfo(Phase.COMPETITION, "Competition", "C", "Competition"),
    PhaseInfo(Phase.SCHEDULE_DISPATCH, "Schedule / Dispatch", "D", "Schedule/Dispatch"),
    PhaseInfo(Phase.VERIFICATION, "Verification", "V", "Verification"),
    PhaseInfo(Phase.SETTLEMENT, "Settlement", "S", "Settlement"),
)


class Actor(StrEnum):
    """Who takes part in a building block."""

    FSP = "FSP"
    DSO = "DSO"
    NESO = "NESO"
    MARKET_FACILITATOR = "market facilitator"
    INDEPENDENT_MARKET_PLATFORM = "independent market platform"
    DERMS = "DERMS"
    ASSET_OWNER = "asset owner"
    SUPPLIER = "supplier"
    ELEXON = "Elexon"
    OFGEM = "Ofgem"


class Process(Record):
    KIND: ClassVar[str] = "process"
    BUILDING_BLOCK: ClassVar[str] = "E.2"
    TITLE: ClassVar[str] = "Building block"

    kind: Literal["process"]
    id: Annotated[str, StringConstraints(pattern=PROCESS_ID)]
    phase: Phase
    order: StrictInt = Field(ge=1, le=99, description="Position within the phase.")
    name: Name
    description: Description | None = Field(
        default=None, description="What the block is for in GB practice, and how practice differs between SOs."
    )
    record_kinds: list[str] = Field(default_factory=list, description="Registry record kinds that serve this block.")
    actors: list[Actor] = Field(default_factory=list, max_length=len(Actor), description="Who takes part.")
    preconditions: list[PublicText] = Field(default_factory=list, max_length=10, description="What holds before.")
    postconditions: list[PublicText] = Field(default_factory=list, max_length=10, description="What holds after.")
    inputs: list[DataObjectId] = Field(default_factory=list, max_length=30, description="Data objects it takes.")
    outputs: list[DataObjectId] = Field(default_factory=list, max_length=30, description="Data objects it gives.")
    systems: list[Name] = Field(default_factory=list, max_length=20, description="Interfacing systems and platforms.")
    follows: list[ProcessId] = Field(default_factory=list, max_length=20, description="Blocks that come before it.")
    leads_to: list[ProcessId] = Field(default_factory=list, max_length=20, description="Blocks that come after it.")

    #: The fields every block states (the rule ``BLOCK_UNSTATED``); ``follows`` and ``leads_to`` may be
    #: empty at the journey's ends.
    STATED: ClassVar[tuple[str, ...]] = (
        "description",
        "actors",
        "preconditions",
        "postconditions",
        "inputs",
        "outputs",
        "systems",
    )
