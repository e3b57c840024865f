"""How one system operator carries out a building block of the toolkit: its practice, published
and signed by the SO itself, so the practices of the SOs can be set side by side (the toolkit's
first aim: align business processes between system operators).

A practice says what the SO asks of the FSP (data objects of the catalogue), how long its steps
take, which systems it uses and where its own documents are. It is the SO's word, not the
registry's: the operator does not sign it, and an SO signs only its own (``PRACTICE_NOT_BY_SO``). The SO
changes it by signing a new version of the file; Git keeps the earlier ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictInt, StringConstraints

from fmar.core.ids import PRACTICE_ID, DataObjectId, PartyId, ProcessId
from fmar.core.model.base import Record
from fmar.core.model.common import Description, HttpsUrl, Name, PublicText, Strict


class DayBasis(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class Timescale(Strict):
    """How long one step of the SO's practice takes at most."""

    step: Name = Field(description="The step, in the SO's words (the same words across SOs compare best).")
    days: StrictInt = Field(ge=0, le=730, description="Its longest duration in days.")
    basis: DayBasis = Field(description="Calendar or working days.")
    note: PublicText | None = None


class Document(Strict):
    """One of the SO's own documents about the block."""

    title: Name
    url: HttpsUrl


class Practice(Record):
    KIND: ClassVar[str] = "practice"
    BUILDING_BLOCK: ClassVar[str] = "E.2"
    TITLE: ClassVar[str] = "SO practice"

    kind: Literal["practice"]
    id: Annotated[str, StringConstraints(pattern=PRACTICE_ID)] = Field(
        description="PRAC-, the SO's id and the block's code: PRAC-UKPN-Q.7."
    )
    so: PartyId = Field(description="The system operator whose practice it is (it signs it).")
    block: ProcessId = Field(description="The building block it carries out.")
    summary: Description = Field(description="How the SO carries out the block.")
    inputs: list[DataObjectId] = Field(
        default_factory=list, max_length=30, description="What the SO asks for, as data objects of the catalogue."
    )
    timescales: list[Timescale] = Field(default_factory=list, max_length=20)
    systems: list[Name] = Field(default_factory=list, max_length=20, description="The systems and platforms it uses.")
    documents: list[Document] = Field(default_factory=list, max_length=20, description="Its own documents.")
