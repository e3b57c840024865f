"""Field types shared by the record models."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)
_TIMESTAMP_RE = re.compile(TIMESTAMP_PATTERN)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _iso_timestamp_text(value: Any) -> Any:
    """Accept only ISO 8601 text with a time zone: never numbers, never dates alone."""
    if not isinstance(value, str):
        raise ValueError("must be a quoted ISO 8601 date and time such as '2026-01-31T09:30:00Z'")
    if not _TIMESTAMP_RE.match(value):
        raise ValueError(
            "must be an ISO 8601 date and time with seconds and a time zone, such as '2026-01-31T09:30:00Z'"
        )
    return value


def _iso_date_text(value: Any) -> Any:
    if not isinstance(value, str) or not re.match(DATE_PATTERN, value):
        raise ValueError("must be a quoted ISO 8601 date such as '2026-01-31'")
    return value


#: A moment in time, written as quoted ISO 8601 text with a time zone.
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_timestamp_text),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN}),
]

#: A calendar day, written as quoted ISO 8601 text.
Day = Annotated[
    date,
    BeforeValidator(_iso_date_text),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _plain_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control, zero-width or bidirectional formatting characters")
    if value != value.strip():
        raise ValueError("must not start or end with white space")
    return value


#: Public free text: a name, a note, a condition. Never personal data (see the privacy rules).
PublicText = Annotated[
    str,
    Field(min_length=1, max_length=500),
    AfterValidator(_plain_text),
]
#: A longer public text: what a building block of the toolkit is for, with how practice differs.
Description = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_plain_text)]
#: Short public text such as a name.
Name = Annotated[str, Field(min_length=2, max_length=120), AfterValidator(_plain_text)]


def _two_decimals(value: float) -> float:
    if round(value, 2) != value:
        raise ValueError("must have at most two decimal places (kW to 0.01)")
    return value


#: A capacity in kW with at most two decimals; 0 to 10 GW.
Kw = Annotated[
    float,
    Field(ge=0, le=10_000_000, allow_inf_nan=False, strict=True),
    AfterValidator(_two_decimals),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 10_000_000}),
]

#: An SO's own reference for the case an outcome or event belongs to, in its systems (public).
CaseReference = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$"),
    Field(description="The SO's own reference for the case in its systems (public; never personal data)."),
]

#: An https link to material held outside the registry.
HttpsUrl = Annotated[
    str, StringConstraints(pattern=r"^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[^\s]*)?$", max_length=500)
]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: An organisation's role mailbox (never a person's name: see the privacy rules).
RoleMailbox = Annotated[str, StringConstraints(pattern=r"^[a-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$", max_length=120)]


class Strict(BaseModel):
    """Base for every nested object: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, validate_default=True)


def utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC."""

    return moment.astimezone(UTC)
