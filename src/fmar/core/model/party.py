"""Parties: FSPs, system operators (DSOs and NESO) and the registry operator (building block Q.1)."""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints

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


def _ssh_strings(blob: bytes) -> list[bytes] | None:
    """The strings (4-byte length, then the bytes) that make up ``blob`` exactly; None if they do not."""
    out, at = [], 0
    while at < len(blob):
        size = int.from_bytes(blob[at : at + 4], "big")
        if at + 4 + size > len(blob):
            return None
        out.append(blob[at + 4 : at + 4 + size])
        at += 4 + size
    return out


#: Key type -> the fields its public key blob holds after the type, checked by their lengths (None: any).
_KEY_FIELDS: dict[str, tuple[int | None, ...]] = {
    "ssh-ed25519": (32,),
    "ecdsa-sha2-nistp256": (8, 65),
    "sk-ssh-ed25519@openssh.com": (32, None),
}


def _well_formed_key(value: str) -> str:
    """An OpenSSH public key whose base64 body decodes to a key of the type it names (what its
    fingerprint and every reader of it rely on), not merely text of the right shape."""
    key_type, _, body = value.partition(" ")
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "is not an OpenSSH public key: its base64 body is damaged (copy the whole .pub line)"
        ) from None
    fields = _ssh_strings(blob)
    sizes = _KEY_FIELDS.get(key_type, ())
    if (
        fields is None
        or fields[:1] != [key_type.encode()]
        or len(fields) != 1 + len(sizes)
        or any(size is not None and len(field) != size for field, size in zip(fields[1:], sizes, strict=False))
        or (key_type == "ecdsa-sha2-nistp256" and fields[1] != b"nistp256")
    ):
        raise ValueError(
            f"is not an OpenSSH {key_type} public key: its body does not hold one (copy the whole .pub line)"
        )
    return value


OpenSshPublicKey = Annotated[
    str,
    StringConstraints(
        pattern=r"^(?:ssh-ed25519|ecdsa-sha2-nistp256|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,2}$",
        max_length=1000,
    ),
    AfterValidator(_well_formed_key),
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


class Webhook(Strict):
    """An HTTPS endpoint the party is told at: each notification is POSTed to it, signed with
    HMAC-SHA256 by a key that lives only in the CI secret store, under the name ``secret``."""

    url: HttpsUrl
    secret: Annotated[str, StringConstraints(pattern=r"^FMAR_WEBHOOK_[A-Z0-9_]{1,64}$")] = Field(
        description="Name of the CI secret holding the endpoint's HMAC key (never the key itself)."
    )
    topics: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]] = Field(
        default_factory=list, max_length=50, description="Topics delivered to it; none listed: every topic."
    )


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
    webhooks: list[Webhook] = Field(
        default_factory=list, max_length=5, description="HTTPS endpoints the party's notifications are POSTed to."
    )
