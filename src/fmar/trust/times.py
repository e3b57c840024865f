"""Bounds on the times a record the change adds states (fmar check). Pure: records in, problems out.

The signature block says when a record was signed; the gate bounds that by its own clock
(trust/signatures.py). The times inside the record are bounded here by that signing time, by
the records the record refers to, and by the time of the check: a record never states as done
what happened after it was signed, never predates what it answers, and never sets a deadline
that is already over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from fmar.core.catalogue import BEFORE_REFERENCED_RECORD, DEADLINE_ALREADY_PASSED, STATED_TIME_AFTER_SIGNING
from fmar.core.findings import Problem
from fmar.core.model import Event, EventType, Outcome
from fmar.core.model.base import Record
from fmar.trust.signatures import CLOCK_SKEW

#: Finds a record by kind and id (the base revision, or a record the same change adds).
Lookup = Callable[[str, str], Record | None]


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _happened(record: Outcome | Event) -> tuple[str, datetime]:
    return ("decided_at", record.decided_at) if isinstance(record, Outcome) else ("effective_at", record.effective_at)


def stated_time_problems(
    record: Record, lookup: Lookup, now: datetime, attested: Mapping[str, datetime] | None = None
) -> list[Problem]:
    """Problems with the times an added outcome or event states, judged at ``now``. ``attested``: the
    original recorded times an import attestation of the same change gives records it adds (an
    imported qualification may be valid from before its application was signed anew, not from before
    the earlier register recorded it)."""
    if not isinstance(record, Outcome | Event):
        return []
    out: list[Problem] = []
    signed_at = record.signature.signed_at
    name, happened = _happened(record)
    if happened > signed_at + CLOCK_SKEW:
        out.append(
            Problem(
                STATED_TIME_AFTER_SIGNING,
                f"{name} {_at(happened)} is after the record was signed ({_at(signed_at)}): "
                "a record states only what had happened when it was signed",
                f"record it once it has happened, with {name} no later than the signing time",
                (name,),
            )
        )
    application = lookup("application", record.application)
    if application is not None:
        applied = application.signature.signed_at
        if signed_at < applied:
            out.append(
                Problem(
                    BEFORE_REFERENCED_RECORD,
                    f"signed at {_at(signed_at)}, before its application {application.id} was signed ({_at(applied)})",
                    "a record answers an application only after it exists: sign it again now (fmar sign)",
                    ("signature", "signed_at"),
                )
            )
        recorded = (attested or {}).get(application.id, applied)
        if isinstance(record, Outcome) and record.valid_from is not None and record.valid_from < recorded:
            out.append(
                Problem(
                    BEFORE_REFERENCED_RECORD,
                    f"the qualification is valid from {_at(record.valid_from)}, before its application "
                    f"{application.id} was {'recorded' if recorded != applied else 'signed'} ({_at(recorded)})",
                    "make valid_from no earlier than the application (usually the decision time)",
                    ("valid_from",),
                )
            )
    if record.supersedes:
        corrected = lookup(record.kind, record.supersedes)
        if corrected is not None and signed_at < corrected.signature.signed_at:
            out.append(
                Problem(
                    BEFORE_REFERENCED_RECORD,
                    f"signed at {_at(signed_at)}, before the record it corrects, {corrected.id}, was signed "
                    f"({_at(corrected.signature.signed_at)})",
                    "a correction comes after what it corrects: sign it again now (fmar sign)",
                    ("signature", "signed_at"),
                )
            )
    if (
        isinstance(record, Event)
        and record.type is EventType.INFORMATION_REQUESTED
        and record.respond_by is not None
        and record.respond_by <= now
    ):
        out.append(
            Problem(
                DEADLINE_ALREADY_PASSED,
                f"respond_by {_at(record.respond_by)} has already passed at the time of the check ({_at(now)})",
                "set a deadline still ahead (the product's information_response_days from now) and sign again",
                ("respond_by",),
            )
        )
    return out
