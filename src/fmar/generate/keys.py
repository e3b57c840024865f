"""Deterministic example signing keys for fictional and example parties.

These keys are derived from public text, so they are public: they sign example and test
data only. Real parties generate their own keys with ssh-keygen and publish only the
public half in their party record.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

EXAMPLE_KEY_WARNING = "EXAMPLE KEY: PUBLIC BY DESIGN, NEVER USE FOR REAL RECORDS"


def example_key(party: str, seed: str = "bundled", generation: int = 1) -> ed25519.Ed25519PrivateKey:
    material = hashlib.sha256(f"fmar example key|{seed}|{party}|{generation}".encode()).digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(material)


def _deterministic_check(pem: bytes) -> bytes:
    """``pem`` with the random "checkint" of an unencrypted OpenSSH key replaced by one derived from the key.

    OpenSSH writes a random 32-bit number twice at the start of the private section only to
    detect a wrong passphrase; for an unencrypted key any equal pair is valid. A fixed one makes
    the written file, not only the key, the same on every run.
    """
    lines = pem.decode().splitlines()
    blob = bytearray(base64.b64decode("".join(lines[1:-1])))
    offset = len(b"openssh-key-v1\0")
    for _ in range(3):  # cipher name, KDF name, KDF options
        offset += 4 + int.from_bytes(blob[offset : offset + 4], "big")
    offset += 4  # number of keys (1)
    offset += 4 + int.from_bytes(blob[offset : offset + 4], "big")  # public key
    offset += 4  # length of the private section
    check = hashlib.sha256(bytes(blob[offset + 8 :])).digest()[:4]
    blob[offset : offset + 8] = check + check
    body = base64.b64encode(bytes(blob)).decode()
    width = len(lines[1])
    wrapped = [body[i : i + width] for i in range(0, len(body), width)]
    return "\n".join([lines[0], *wrapped, lines[-1]]).encode() + b"\n"


def write_private_key(key: ed25519.Ed25519PrivateKey, path: Path) -> None:
    """Write ``key`` in OpenSSH format, readable by ssh-keygen -Y sign; the same bytes on every run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    path.write_bytes(_deterministic_check(pem))
    path.chmod(0o600)
