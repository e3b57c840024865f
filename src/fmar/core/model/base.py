"""The envelope every record shares: schema version, kind, id and signature block."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from fmar.core.ids import PartyId, RegistryId
from fmar.core.model.common import Strict, Timestamp

#: The version of the record format written by this release of fmar.
SCHEMA_VERSION = 1

#: OpenSSH fingerprint form of a public key: ``SHA256:`` and 43 characters of unpadded base64.
KeyFingerprint = Annotated[str, StringConstraints(pattern=r"^SHA256:[A-Za-z0-9+/]{43}$")]
ArmoredSshSig = Annotated[
    str,
    StringConstraints(
        pattern=r"^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+\n-----END SSH SIGNATURE-----\n?$",
        max_length=8000,
    ),
]


class Signature(Strict):
    """Who signed the record, with which key, when and for which registry, and the SSHSIG signature itself.

    The signature covers the RFC 8785 canonical JSON of the whole record with ``value``
    left out of this block, so the signer, the key, the time and the registry are signed too.
    """

    signer: PartyId = Field(description="Party id of the signer.")
    key_fingerprint: KeyFingerprint = Field(
        description="SHA256 fingerprint of the signing key, as ssh-keygen -l prints it."
    )
    signed_at: Timestamp = Field(description="When the signer signed, as the signer states it.")
    registry: RegistryId = Field(
        description="Identity of the registry the record was signed for, as its trust anchor "
        "(registry-trust.yaml) names it: a record signed for another registry (a staging copy, a fork) "
        "is refused."
    )
    value: ArmoredSshSig = Field(description="Armored SSHSIG signature (the output of ssh-keygen -Y sign).")


class Record(Strict):
    """Fields every record has. Subclasses narrow ``kind`` and ``id``."""

    KIND: ClassVar[str]
    #: Code of the building block of the process catalogue that the record kind serves.
    BUILDING_BLOCK: ClassVar[str]
    #: The party role entitled to write records of this kind (documentation; enforced by trust).
    TITLE: ClassVar[str]

    schema_version: int = Field(ge=1, le=SCHEMA_VERSION, strict=True, description="Version of the record format.")
    kind: str
    id: str
    signature: Signature
