"""Deterministic example signing keys for fictional and example parties.

These keys are derived from public text, so they are public: they sign example and test
data only. Real parties generate their own keys with ssh-keygen and publish only the
public half in their party record.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

EXAMPLE_KEY_WARNING = "EXAMPLE KEY: PUBLIC BY DESIGN, NEVER USE FOR REAL RECORDS"


def example_key(party: str, seed: str = "bundled", generation: int = 1) -> ed25519.Ed25519PrivateKey:
    material = hashlib.sha256(f"fmar example key|{seed}|{party}|{generation}".encode()).digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(material)


def write_private_key(key: ed25519.Ed25519PrivateKey, path: Path) -> None:
    """Write ``key`` in OpenSSH format (as ssh-keygen does), readable by ssh-keygen -Y sign."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
