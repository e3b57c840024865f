"""The end-to-end process toolkit itself: its aims and its version history, as the workstream
publishes them (v1.0 to v2.1 in the seed's table), versioned like products.

Each version says what changed in words, as the toolkit's own table does, and states the edits it
made to the building-block catalogue as data: a phase renamed (L1 Registration became
Qualification in v1.5), blocks condensed into one (R.1 to R.3 became R.1 Register Counterparty), a
block added (V.5) or renamed. The catalogue as any version published it is the current one with
the edits of the later versions undone (``fmar.core.glossary``), so nothing about an old version is
kept twice. The registry operator signs the record and appends a version when the workstream
publishes one.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, StringConstraints

from fmar.core.ids import TOOLKIT_ID, ProcessId
from fmar.core.model.base import Record
from fmar.core.model.common import Description, HttpsUrl, Name, PublicText, Strict
from fmar.core.model.process import Phase

#: A toolkit version number as the workstream writes it, without the ``v``: ``2.1``.
VERSION = r"^[0-9]{1,2}\.[0-9]{1,2}$"
#: The month or the day a version was published: the toolkit dates some only to the month (``2025-05``).
MONTH_OR_DAY = r"^[0-9]{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?$"

ToolkitVersionNumber = Annotated[str, StringConstraints(pattern=VERSION)]


class BlockAdded(Strict):
    """A building block this version added: it did not exist before."""

    edit: Literal["add_block"]
    block: ProcessId = Field(description="The block's code today.")


class BlockRenamed(Strict):
    """A building block this version renamed."""

    edit: Literal["rename_block"]
    block: ProcessId = Field(description="The block's code today.")
    was: Name = Field(description="Its name before this version.")


class BlocksCondensed(Strict):
    """Blocks this version condensed into one (in their place in the phase)."""

    edit: Literal["condense_blocks"]
    block: ProcessId = Field(description="The block they became, by its code today.")
    was: list[Name] = Field(min_length=2, max_length=20, description="Their names before, in their order.")


class PhaseRenamed(Strict):
    """A phase (a level-1 process) this version renamed, and so the letter of its blocks' codes."""

    edit: Literal["rename_phase"]
    phase: Phase = Field(description="The phase today.")
    was: Name = Field(description="Its title (and glossary key) before this version.")
    letter: Annotated[str, StringConstraints(pattern=r"^[A-Z]$")] = Field(
        description="The letter its blocks' codes started with before this version."
    )


Edit = Annotated[BlockAdded | BlockRenamed | BlocksCondensed | PhaseRenamed, Field(discriminator="edit")]


class ToolkitVersion(Strict):
    version: ToolkitVersionNumber = Field(description="As the workstream numbers it, without the v: 2.1.")
    date: Annotated[str, StringConstraints(pattern=MONTH_OR_DAY)] = Field(
        description="When it was published: a day, or only the month where the toolkit says only that."
    )
    author: Name = Field(description="Who published it, as the toolkit's version table names them.")
    changes: PublicText = Field(description="What changed, in the toolkit's words.")
    edits: list[Edit] = Field(
        default_factory=list, max_length=50, description="The changes to the building-block catalogue, as data."
    )
    glossary: StrictBool = Field(
        default=False, description="This version published the catalogue as a raw JSON glossary."
    )


class Toolkit(Record):
    KIND: ClassVar[str] = "toolkit"
    BUILDING_BLOCK: ClassVar[str] = "E.2"
    TITLE: ClassVar[str] = "Toolkit"

    kind: Literal["toolkit"]
    id: Annotated[str, StringConstraints(pattern=TOOLKIT_ID)]
    name: Name
    description: Description = Field(description="What the toolkit is and whom it serves.")
    aims: list[PublicText] = Field(default_factory=list, max_length=10, description="What it sets out to do.")
    discussion: HttpsUrl | None = Field(default=None, description="Where the workstream takes contributions.")
    versions: list[ToolkitVersion] = Field(
        min_length=1, max_length=200, description="Every published version, oldest first; the last is current."
    )

    @property
    def current(self) -> ToolkitVersion:
        return self.versions[-1]
