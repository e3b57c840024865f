"""The process catalogue of the Common End-to-End Process toolkit: phases and building blocks."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictInt, StringConstraints

from fmar.core.ids import PROCESS_ID
from fmar.core.model.base import Record
from fmar.core.model.common import Name, PublicText


class Phase(StrEnum):
    EXPLORATION = "exploration"
    QUALIFICATION = "qualification"
    COMPETITION = "competition"
    SCHEDULE_DISPATCH = "schedule_dispatch"
    VERIFICATION = "verification"
    SETTLEMENT = "settlement"


#: Phases in the order of the FSP journey, with their toolkit titles and code letters.
PHASES: tuple[tuple[Phase, str, str], ...] = (
    (Phase.EXPLORATION, "Exploration", "E"),
    (Phase.QUALIFICATION, "Qualification", "Q"),
    (Phase.COMPETITION, "Competition", "C"),
    (Phase.SCHEDULE_DISPATCH, "Schedule / Dispatch", "D"),
    (Phase.VERIFICATION, "Verification", "V"),
    (Phase.SETTLEMENT, "Settlement", "S"),
)


class Process(Record):
    KIND: ClassVar[str] = "process"
    BUILDING_BLOCK: ClassVar[str] = "E.2"
    TITLE: ClassVar[str] = "Building block"

    kind: Literal["process"]
    id: Annotated[str, StringConstraints(pattern=PROCESS_ID)]
    phase: Phase
    order: StrictInt = Field(ge=1, le=99, description="Position within the phase.")
    name: Name
    description: PublicText | None = None
    record_kinds: list[str] = Field(default_factory=list, description="Registry record kinds that serve this block.")
