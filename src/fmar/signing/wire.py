"""Read and check SSHSIG signatures (PROTOCOL.sshsig of OpenSSH) with ``cryptography`` directly.

Decoding is separate from checking so that each way a signature can be wrong has its own
answer: damaged armor, another namespace, another key, or a signature that does not verify.
Accepted key types: ``ssh-ed25519`` and ``ecdsa-sha2-nistp256``. FIDO keys
(``sk-ssh-ed25519@openssh.com``) are refused: signatures made with them need a hardware token,
so no test here can make one with ssh-keygen, and an untested verifier is not trusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
#: Key types whose signatures fmar checks.
SUPPORTED_KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256")
_HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


class Malformed(ValueError):
    """The bytes are not a complete SSHSIG signature."""


class UnsupportedKey(Exception):
    """A key type whose signatures fmar does not check."""


@dataclass(frozen=True)
class SshSig:
    """The fields of a decoded SSHSIG signature."""

    public_key: bytes
    namespace: str
    reserved: bytes
    hash_algorithm: str
    signature: bytes

    @property
    def key_type(self) -> str:
        return _Reader(self.public_key).string().decode("ascii", "replace")

    @property
    def public_key_line(self) -> str:
        return f"{self.key_type} {base64.b64encode(self.public_key).decode()}"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def uint32(self) -> int:
        if self.at + 4 > len(self.data):
            raise Malformed("ends in the middle of a length field")
        (value,) = struct.unpack(">I", self.data[self.at : self.at + 4])
        self.at += 4
        return int(value)

    def string(self) -> bytes:
        size = self.uint32()
        if self.at + size > len(self.data):
            raise Malformed("ends in the middle of a field")
        value = self.data[self.at : self.at + size]
        self.at += size
        return value

    def raw(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise Malformed("too short")
        value = self.data[self.at : self.at + size]
        self.at += size
        return value

    def done(self) -> bool:
        return self.at == len(self.data)


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def decode(armored: str) -> SshSig:
    """Decode an armored signature; raise Malformed saying what is wrong."""
    text = armored.strip()
    if not text.startswith(BEGIN) or not text.endswith(END):
        raise Malformed(f"does not start with {BEGIN} and end with {END}")
    body = "".join(text[len(BEGIN) : -len(END)].split())
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("the base64 between the armor lines is damaged") from None
    reader = _Reader(blob)
    if reader.raw(6) != MAGIC:
        raise Malformed("does not start with the SSHSIG magic")
    if reader.uint32() != 1:
        raise Malformed("is not SSHSIG version 1")
    signature = SshSig(
        public_key=reader.string(),
        namespace=reader.string().decode("utf-8", "replace"),
        reserved=reader.string(),
        hash_algorithm=reader.string().decode("ascii", "replace"),
        signature=reader.string(),
    )
    if not reader.done():
        raise Malformed("has bytes after the signature")
    if signature.hash_algorithm not in _HASHES:
        raise Malformed(f"uses hash {signature.hash_algorithm!r}; SSHSIG allows sha256 and sha512")
    return signature


def signed_blob(message: bytes, namespace: str, hash_algorithm: str, reserved: bytes = b"") -> bytes:
    """The bytes the key actually signs for ``message`` (PROTOCOL.sshsig)."""
    digest = _HASHES[hash_algorithm](message).digest()
    return MAGIC + _string(namespace.encode()) + _string(reserved) + _string(hash_algorithm.encode()) + _string(digest)


def _mpint(value: bytes) -> int:
    if value and value[0] & 0x80:
        raise Malformed("an ECDSA signature component is negative")
    return int.from_bytes(value, "big")


def check(signature: SshSig, message: bytes) -> bool:
    """True when ``signature`` is valid for ``message`` under the public key it carries.

    Raise Malformed when the key or signature blob cannot be read, UnsupportedKey for a key
    type outside SUPPORTED_KEY_TYPES.
    """
    key = _Reader(signature.public_key)
    key_type = key.string().decode("ascii", "replace")
    if key_type not in SUPPORTED_KEY_TYPES:
        raise UnsupportedKey(key_type)
    sig = _Reader(signature.signature)
    sig_type = sig.string().decode("ascii", "replace")
    sig_bytes = sig.string()
    if sig_type != key_type:
        raise Malformed(f"the signature is of type {sig_type}, the key of type {key_type}")
    data = signed_blob(message, signature.namespace, signature.hash_algorithm, signature.reserved)
    try:
        if key_type == "ssh-ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(key.string()).verify(sig_bytes, data)
        else:
            if key.string() != b"nistp256":
                raise Malformed("an ecdsa-sha2-nistp256 key names another curve")
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key.string())
            parts = _Reader(sig_bytes)
            der = encode_dss_signature(_mpint(parts.string()), _mpint(parts.string()))
            point.verify(der, data, ec.ECDSA(SHA256()))
    except InvalidSignature:
        return False
    except (ValueError, TypeError) as exc:
        if isinstance(exc, Malformed):
            raise
        raise Malformed(f"the key or signature bytes are damaged ({exc})") from None
    return True
