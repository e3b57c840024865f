"""The bytes a record's signature covers.

RFC 8785 (JSON Canonicalization Scheme) of the whole record as parsed from YAML, with only
``signature.value`` left out. Reformatting the YAML (quoting, key order, indentation,
comments) leaves these bytes unchanged; changing any field, the signer, the time or the
registry the record was signed for does not.
Anyone can reproduce them without fmar: convert the YAML to JSON, delete
``.signature.value``, and canonicalize with any RFC 8785 implementation.
"""

from __future__ import annotations

from typing import Any

import rfc8785


def unsigned(data: dict[str, Any]) -> dict[str, Any]:
    """The record without its signature value (the signer, key, time and registry stay in)."""
    signature = data.get("signature")
    if not isinstance(signature, dict) or "value" not in signature:
        return data
    body = dict(data)
    body["signature"] = {k: v for k, v in signature.items() if k != "value"}
    return body


def canonical_bytes(data: dict[str, Any]) -> bytes:
    """RFC 8785 canonical JSON of ``data`` without ``signature.value``."""
    return rfc8785.dumps(unsigned(data))
