"""Import attestations: the registry operator's word on when records of an earlier register were recorded there.

A register that existed before this Git registry is brought in as ordinary signed records (each
signed by the party entitled to it), added by one change together with the operator's attestation
of each one's original recorded time and the register it came from. The service levels, statuses,
transitions and reports then count each attested record from that time (``Registry.submitted_at``)
instead of the commit that brought it in; everything else about the records (who signed them,
which commit added them) stays what Git and the signatures say. The gate accepts an attestation
only from the operator, only for records the same change adds, and never changed afterwards: a
record first recorded here is never given an earlier time.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from fmar.core.ids import APPLICATION_ID, EVENT_ID, IMPORT_ATTESTATION_ID, MARKET_UNIT_ID, OUTCOME_ID
from fmar.core.model.base import Record
from fmar.core.model.common import Name, PublicText, Strict, Timestamp

#: The ids an attestation may name: Market Units, applications, outcomes and events (the records
#: whose recorded times the clocks read), never reference data.
ATTESTED_ID = "^(?:" + "|".join(p[1:-1] for p in (MARKET_UNIT_ID, APPLICATION_ID, OUTCOME_ID, EVENT_ID)) + ")$"


class AttestedRecord(Strict):
    """One record of the earlier register and when that register recorded it."""

    id: Annotated[str, StringConstraints(pattern=ATTESTED_ID)] = Field(
        description="A Market Unit, application, outcome or event the same change adds."
    )
    recorded_at: Timestamp = Field(description="When the earlier register recorded it (ISO 8601 with offset).")


class ImportAttestation(Record):
    KIND: ClassVar[str] = "import_attestation"
    BUILDING_BLOCK: ClassVar[str] = "Q.7"
    TITLE: ClassVar[str] = "Import attestation"

    kind: Literal["import_attestation"]
    id: Annotated[str, StringConstraints(pattern=IMPORT_ATTESTATION_ID)]
    source: Name = Field(description="The earlier register the records come from, and the extract (its date).")
    notes: PublicText | None = None
    records: list[AttestedRecord] = Field(min_length=1, max_length=100_000)
