"""Sign a record's data: fill in the signature block and the SSHSIG value over its canonical form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fmar.signing.canonical import canonical_bytes
from fmar.signing.sshsig import PrivateKey, fingerprint, public_key_line, sign


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sign_data(
    data: dict[str, Any], key: PrivateKey, signer: str, signed_at: datetime, *, registry: str
) -> dict[str, Any]:
    """A copy of ``data`` (without signature) signed by ``signer`` with ``key`` at ``signed_at`` for
    the registry whose identity is ``registry`` (the ``registry`` of its trust anchor)."""
    body = {k: v for k, v in data.items() if k != "signature"}
    body["signature"] = {
        "signer": signer,
        "key_fingerprint": fingerprint(public_key_line(key)),
        "signed_at": iso(signed_at),
        "registry": registry,
    }
    body["signature"]["value"] = sign(canonical_bytes(body), key)
    return body
