"""Outcomes: the SO's recorded result of its external assessment of an application (Q.7)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from fmar.core.ids import OUTCOME_ID, ApplicationId, OutcomeId
from fmar.core.model.base import Record
from fmar.core.model.common import CaseReference, Kw, PublicText, Timestamp


class Result(StrEnum):
    QUALIFIED = "qualified"
    CONDITIONALLY_QUALIFIED = "conditionally_qualified"
    FAILED = "failed"


class FailureReason(StrEnum):
    RESPONSE_TIME_NOT_MET = "RESPONSE_TIME_NOT_MET"
    DURATION_NOT_MET = "DURATION_NOT_MET"
    CAPACITY_BELOW_MINIMUM = "CAPACITY_BELOW_MINIMUM"
    METERING_INADEQUATE = "METERING_INADEQUATE"
    TEST_FAILED = "TEST_FAILED"
    EVIDENCE_INSUFFICIENT = "EVIDENCE_INSUFFICIENT"
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"
    CONNECTION_CONSTRAINT = "CONNECTION_CONSTRAINT"
    OTHER = "OTHER"


class Outcome(Record):
    KIND: ClassVar[str] = "outcome"
    BUILDING_BLOCK: ClassVar[str] = "Q.7"
    TITLE: ClassVar[str] = "Outcome"

    kind: Literal["outcome"]
    id: Annotated[str, StringConstraints(pattern=OUTCOME_ID)]
    application: ApplicationId
    result: Result
    decided_at: Timestamp
    valid_from: Timestamp | None = Field(default=None, description="Start of validity (qualified outcomes).")
    valid_until: Timestamp | None = Field(default=None, description="End of validity (qualified outcomes).")
    capacity_up_kw: Kw = Field(default=0, description="Capacity qualified upward, kW.")
    capacity_down_kw: Kw = Field(default=0, description="Capacity qualified downward, kW.")
    conditions: list[PublicText] = Field(default_factory=list, max_length=20)
    reasons: list[FailureReason] = Field(default_factory=list, max_length=len(FailureReason))
    notes: PublicText | None = None
    supersedes: OutcomeId | None = Field(default=None, description="An earlier outcome this one corrects.")
    case_reference: CaseReference | None = None
