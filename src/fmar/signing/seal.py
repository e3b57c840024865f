"""A record's seal: what its signature value says, judged from the record alone.

Whether the signature holds over the record's canonical bytes under the key it carries needs
no registry, so it is decided where the file is read (in parallel, and cached with the file's
other results). Whether that key is the signer's, valid at the signing time, and entitled to
the record needs the registry: ``fmar.trust.signatures.judge`` decides that from the seal.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import rfc8785

from fmar.signing import wire
from fmar.signing.canonical import canonical_bytes
from fmar.signing.sshsig import NAMESPACE


class Seal(NamedTuple):
    """The facts of one signature value; ``armor`` and ``damage`` say why it could not be read or checked."""

    #: The OpenSSH public key blob the signature carries (b"" when the value cannot be read).
    key: bytes
    #: The SSHSIG namespace the signature was made for ("" when the value cannot be read).
    namespace: str
    #: The signature verifies over the record's canonical bytes under ``key``.
    intact: bool
    #: Why the armored value is not a complete SSHSIG signature ("" when it is).
    armor: str = ""
    #: Why the key or signature bytes inside it cannot be checked ("" when they can).
    damage: str = ""

    @property
    def key_line(self) -> str:
        """The carried key as an OpenSSH public key line (type and base64)."""
        return wire.SshSig(self.key, self.namespace, b"", "", b"").public_key_line


def seal_of(data: dict[str, Any]) -> Seal:
    """The seal of a record whose signature block holds a ``value`` string. Never raises."""
    value = data["signature"]["value"]
    try:
        decoded = wire.decode(value)
    except wire.Malformed as exc:
        return Seal(b"", "", False, armor=str(exc))
    if decoded.namespace != NAMESPACE:
        return Seal(decoded.public_key, decoded.namespace, False)
    try:
        message = canonical_bytes(data)
    except (rfc8785.CanonicalizationError, TypeError) as exc:  # what JSON cannot hold exactly
        return Seal(decoded.public_key, decoded.namespace, False, damage=f"the record has no canonical form ({exc})")
    try:
        intact = wire.check(decoded, message)
    except wire.Malformed as exc:
        return Seal(decoded.public_key, decoded.namespace, False, damage=str(exc))
    except wire.UnsupportedKey as exc:
        return Seal(decoded.public_key, decoded.namespace, False, damage=f"keys of type {exc} are not checked")
    return Seal(decoded.public_key, decoded.namespace, intact)
