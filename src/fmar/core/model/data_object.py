"""The data-object catalogue of the end-to-end process toolkit: each input and output of a building
block defined once (E.2, beside the blocks), and where the registry's own records carry it."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from fmar.core.ids import DATA_OBJECT_ID
from fmar.core.model.base import Record
from fmar.core.model.common import Name, PublicText, Strict

#: A top-level field of a record kind.
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Carrier(Strict):
    """A record kind of this registry and the fields of it that carry the data object."""

    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,31}$")] = Field(description="A record kind.")
    fields: list[FieldName] = Field(min_length=1, max_length=30, description="Top-level fields of that kind.")


class DataObject(Record):
    KIND: ClassVar[str] = "data_object"
    BUILDING_BLOCK: ClassVar[str] = "E.2"
    TITLE: ClassVar[str] = "Data object"

    kind: Literal["data_object"]
    id: Annotated[str, StringConstraints(pattern=DATA_OBJECT_ID, max_length=40)]
    name: Name
    description: PublicText
    carried_by: list[Carrier] = Field(
        default_factory=list,
        max_length=10,
        description="Where the registry's records carry it; empty for what the registry does not hold.",
    )
