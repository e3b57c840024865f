"""Lifecycle events of an application other than the assessment outcome."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from fmar.core.ids import EVENT_ID, ApplicationId, EventId
from fmar.core.model.base import Record
from fmar.core.model.common import CaseReference, PublicText, Timestamp


class EventType(StrEnum):
    #: SO: the application is complete and under assessment.
    ACKNOWLEDGED = "acknowledged"
    #: SO: more information is needed by ``respond_by``.
    INFORMATION_REQUESTED = "information_requested"
    #: FSP: the requested information is supplied.
    INFORMATION_SUPPLIED = "information_supplied"
    #: FSP: the application (or the qualification it led to) is withdrawn.
    WITHDRAWN = "withdrawn"
    #: SO: the qualification is suspended, with a reason.
    SUSPENDED = "suspended"
    #: SO: a suspension ends.
    REINSTATED = "reinstated"
    #: SO: the qualification is revoked for good, with a reason.
    REVOKED = "revoked"


#: Which side of the process records each event: "fsp" or "so".
EVENT_AUTHOR: dict[EventType, str] = {
    EventType.ACKNOWLEDGED: "so",
    EventType.INFORMATION_REQUESTED: "so",
    EventType.INFORMATION_SUPPLIED: "fsp",
    EventType.WITHDRAWN: "fsp",
    EventType.SUSPENDED: "so",
    EventType.REINSTATED: "so",
    EventType.REVOKED: "so",
}


class Event(Record):
    KIND: ClassVar[str] = "event"
    BUILDING_BLOCK: ClassVar[str] = "Q.7"
    TITLE: ClassVar[str] = "Lifecycle event"

    kind: Literal["event"]
    id: Annotated[str, StringConstraints(pattern=EVENT_ID)]
    application: ApplicationId
    type: EventType
    effective_at: Timestamp
    reason: PublicText | None = None
    respond_by: Timestamp | None = Field(default=None, description="Deadline for requested information.")
    supersedes: EventId | None = Field(default=None, description="An earlier event this one corrects.")
    case_reference: CaseReference | None = None
