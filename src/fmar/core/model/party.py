"""Parties: FSPs, system operators (DSOs and NESO) and the registry operator (building block Q.1)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from fmar.core.ids import PARTY_ID, KeyId
from fmar.core.model.base import Record
from fmar.core.model.common import HttpsUrl, Name, PublicText, RoleMailbox, Strict, Timestamp
from fmar.core.reference import LicenceArea


class PartyRole(StrEnum):
    FSP = "fsp"
    DSO = "dso"
    NESO = "neso"
    OPERATOR = "operator"

    @property
    def is_system_operator(self) -> bool:
        return self in (PartyRole.DSO, PartyRole.NESO)


OpenSshPublicKey = Annotated[
    str,
    StringConstraints(
        pattern=r"^(?:ssh-ed25519|ecdsa-sha2-nistp256|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,2}$",
        max_length=1000,
    ),
]


class PublicKey(Strict):
    """A public signing key the party publishes, with its validity window."""

    id: KeyId
    public_key: OpenSshPublicKey = Field(description="OpenSSH public key: type and base64 body, no comment.")
    valid_from: Timestamp
    valid_until: Timestamp | None = None
    revoked_at: Timestamp | None = None
    revocation_reason: PublicText | None = None


class Contact(Strict):
    """Public, organisational contact details. Never a person's name or direct line."""

    email: RoleMailbox | None = None
    website: HttpsUrl | None = None


class Party(Record):
    KIND: ClassVar[str] = "party"
    BUILDING_BLOCK: ClassVar[str] = "Q.1"
    TITLE: ClassVar[str] = "Party"

    kind: Literal["party"]
    id: Annotated[str, StringConstraints(pattern=PARTY_ID)]
    name: Name
    role: PartyRole
    company_number: Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6})$")] | None = Field(
        default=None, description="Companies House number (8 characters)."
    )
    eic: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}X[0-9A-Z-]{12}[0-9A-Z]$")] | None = Field(
        default=None, description="Energy Identification Code of the party (X type)."
    )
    licence_areas: list[LicenceArea] = Field(default_factory=list, description="Licence areas a DSO operates.")
    contact: Contact
    github_team: Annotated[str, StringConstraints(pattern=r"^@[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")] | None = (
        Field(default=None, description="GitHub team told about records that concern the party.")
    )
    keys: list[PublicKey] = Field(default_factory=list, max_length=20)
