"""SSHSIG signatures (the format of ``ssh-keygen -Y sign``) over canonical record bytes.

Signing uses ``cryptography`` for the key and the ``sshsig`` package for the wire format.
Verification reads SSHSIG itself in ``fmar.signing.wire`` (``sshsig`` verifies ed25519 only, fmar also ecdsa-p256);
the tests hold both directions to the real ``ssh-keygen``.
"""

from __future__ import annotations

import base64
import hashlib
import io

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from sshsig.binary_io import SshWriter
from sshsig.sshsig import SshsigWrapper, ssh_enarmor_sshsig

#: The SSHSIG namespace of registry records: a signature made for anything else never verifies here.
NAMESPACE = "fmar-record-v1"
_HASH = "sha512"

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class SignatureError(Exception):
    """A key that cannot sign registry records, with the reason."""


def load_private_key(pem: bytes, passphrase: bytes | None = None) -> PrivateKey:
    """Load an OpenSSH private key (ed25519 or ecdsa-p256), optionally passphrase-protected."""
    key = serialization.load_ssh_private_key(pem, password=passphrase)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise SignatureError("only ed25519 and ecdsa-p256 keys can sign registry records")


def public_key_line(key: PrivateKey) -> str:
    """The OpenSSH public key line (type and base64, no comment) of ``key``."""
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def fingerprint(public_key: str) -> str:
    """The ``SHA256:...`` fingerprint of an OpenSSH public key line, as ``ssh-keygen -l`` prints it."""
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _string(writer: SshWriter, value: bytes) -> None:
    writer.write_string(value)


def _signature_blob(key: PrivateKey, to_sign: bytes) -> bytes:
    out = SshWriter(io.BytesIO())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        _string(out, b"ssh-ed25519")
        _string(out, key.sign(to_sign))
    else:
        r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(SHA256())))
        inner = SshWriter(io.BytesIO())
        # RFC 4251 mpint: big-endian two's complement, positive, so a leading zero byte when the top bit is set.
        # (sshsig's own write_mpint miscounts the length, so it is not used here.)
        _string(inner, r.to_bytes((r.bit_length() + 8) // 8, "big"))
        _string(inner, s.to_bytes((s.bit_length() + 8) // 8, "big"))
        _string(out, b"ecdsa-sha2-nistp256")
        _string(out, inner.output_fh.getvalue())
    return out.output_fh.getvalue()


def sign(message: bytes, key: PrivateKey, namespace: str = NAMESPACE) -> str:
    """An armored SSHSIG signature of ``message``, byte-compatible with ``ssh-keygen -Y sign``."""
    digest = hashlib.sha512(message).digest()
    wrapper = SshsigWrapper(namespace=namespace.encode(), hash_algo=_HASH.encode(), hash=digest)
    public_blob = base64.b64decode(public_key_line(key).split()[1])
    out = SshWriter(io.BytesIO())
    out.write(b"SSHSIG")
    out.write_uint32(1)
    _string(out, public_blob)
    _string(out, namespace.encode())
    _string(out, b"")
    _string(out, _HASH.encode())
    _string(out, _signature_blob(key, bytes(wrapper)))
    return ssh_enarmor_sshsig(out.output_fh.getvalue())
