"""Verify one record's signature against the parties' published keys. Pure: data in, problems out."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from fmar.core.catalogue import (
    KEY_ALGORITHM_NOT_ALLOWED,
    KEY_EXPIRED,
    KEY_NOT_PUBLISHED,
    KEY_NOT_YET_VALID,
    KEY_REVOKED,
    SIGNATURE_BACKDATED,
    SIGNATURE_INCOMPLETE,
    SIGNATURE_INVALID,
    SIGNATURE_KEY_MISMATCH,
    SIGNATURE_MALFORMED,
    SIGNED_FOR_OTHER_REGISTRY,
    SIGNED_IN_FUTURE,
    UNKNOWN_SIGNER,
    WRONG_SIGNATURE_NAMESPACE,
)
from fmar.core.findings import Problem
from fmar.core.model import Party
from fmar.core.model.party import PublicKey
from fmar.signing import wire
from fmar.signing.seal import Seal, seal_of
from fmar.signing.sshsig import NAMESPACE, fingerprint

#: Longest time between signing a record and checking it (the gate's clock, never a commit date).
MAX_SIGNING_AGE = timedelta(days=30)
#: Clock difference tolerated between a signer's clock and the clock of the check (the CI
#: runner's): the only slack the gate grants to times a record states.
CLOCK_SKEW = timedelta(minutes=5)

_SIG = ("signature",)
_FIELDS = ("signer", "key_fingerprint", "signed_at", "registry", "value")
#: Where the registry's identity is set (``fmar.trust.anchor.ANCHOR_PATH``, which imports this module).
_ANCHOR_FILE = "registry-trust.yaml"


@lru_cache(maxsize=4096)
def key_fingerprint(public_key: str) -> str:
    return fingerprint(public_key)


def find_key(party: Party, key_fingerprint_: str) -> PublicKey | None:
    """The key of ``party`` with fingerprint ``key_fingerprint_``, if it publishes one."""
    for key in party.keys:
        if key_fingerprint(key.public_key) == key_fingerprint_:
            return key
    return None


def signed_at_of(data: Mapping[str, Any]) -> datetime | None:
    """The signing time a record states, when it states a readable one with a time zone."""
    signature = data.get("signature")
    value = signature.get("signed_at") if isinstance(signature, dict) else None
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _block_problem(data: Mapping[str, Any]) -> Problem | None:
    signature = data.get("signature")
    if not isinstance(signature, dict):
        return Problem(
            SIGNATURE_INCOMPLETE, "the record has no signature block", "sign it: fmar sign FILE --key PATH", _SIG
        )
    for name in _FIELDS:
        if not isinstance(signature.get(name), str) or not signature[name]:
            return Problem(
                SIGNATURE_INCOMPLETE,
                f"the signature block has no {name}",
                "sign the record again with fmar sign FILE --key PATH",
                (*_SIG, name),
            )
    if signed_at_of(data) is None:
        return Problem(
            SIGNATURE_INCOMPLETE,
            "signed_at is not an ISO 8601 time with a time zone",
            "sign the record again with fmar sign FILE --key PATH",
            (*_SIG, "signed_at"),
        )
    return None


def registry_problem(named: str, registry: str) -> Problem | None:
    """A record signed for another registry (``named``: a staging copy, a fork) than ``registry``:
    exact text, no case folding or trimming, since the signature covers exactly what the block says."""
    if named == registry:
        return None
    return Problem(
        SIGNED_FOR_OTHER_REGISTRY,
        f"signed for registry {named!r}, but this registry is {registry!r} ({_ANCHOR_FILE})",
        "sign it again for this registry: fmar sign FILE --key PATH",
        (*_SIG, "registry"),
    )


def _window_problems(key: PublicKey, signer: str, signed_at: datetime) -> list[Problem]:
    out = []
    where = (*_SIG, "signed_at")
    if signed_at < key.valid_from:
        out.append(
            Problem(
                KEY_NOT_YET_VALID,
                f"key {key.id} of {signer} is valid only from {key.valid_from.isoformat()}, "
                f"but the record was signed at {signed_at.isoformat()}",
                "sign with a key that was valid at the signing time",
                where,
            )
        )
    if key.valid_until is not None and signed_at >= key.valid_until:
        out.append(
            Problem(
                KEY_EXPIRED,
                f"key {key.id} of {signer} expired at {key.valid_until.isoformat()}, before the record was signed",
                f"sign with a current key of {signer}; the operator publishes new keys in the party record",
                where,
            )
        )
    if key.revoked_at is not None and signed_at >= key.revoked_at:
        reason = f" ({key.revocation_reason})" if key.revocation_reason else ""
        out.append(
            Problem(
                KEY_REVOKED,
                f"key {key.id} of {signer} was revoked at {key.revoked_at.isoformat()}{reason}",
                f"a revoked key signs nothing after its revocation: sign with a current key of {signer}",
                where,
            )
        )
    return out


def _time_problems(signed_at: datetime, now: datetime) -> list[Problem]:
    where = (*_SIG, "signed_at")
    if signed_at > now + CLOCK_SKEW:
        return [
            Problem(
                SIGNED_IN_FUTURE,
                f"signed at {signed_at.isoformat()}, after the time of the check ({now.isoformat()}, "
                f"{int(CLOCK_SKEW.total_seconds() // 60)} minutes of clock skew allowed)",
                "sign with the real current time (fmar sign does), then commit",
                where,
            )
        ]
    if now - signed_at > MAX_SIGNING_AGE:
        days = (now - signed_at).days
        return [
            Problem(
                SIGNATURE_BACKDATED,
                f"signed at {signed_at.isoformat()}, {days} days before the time of the check "
                f"(at most {MAX_SIGNING_AGE.days} days)",
                "sign the record again now (fmar sign) and commit it",
                where,
            )
        ]
    return []


def _revoked_by(key: PublicKey, signer: str, moment: datetime, recorded: bool) -> Problem | None:
    """A key revoked by ``moment`` (the time of the check, or when the registry ``recorded`` the
    record) signs nothing the registry accepts, whatever ``signed_at`` claims."""
    if key.revoked_at is None or key.revoked_at > moment:
        return None
    reason = f" ({key.revocation_reason})" if key.revocation_reason else ""
    when = "the registry recorded this record" if recorded else "this check"
    return Problem(
        KEY_REVOKED,
        f"key {key.id} of {signer} was revoked at {key.revoked_at.isoformat()}{reason}, before {when} "
        f"({moment.isoformat()}): a revoked key signs nothing new, whatever signed_at states",
        f"only records merged before the revocation keep their signature: sign with a current key of {signer}",
        (*_SIG, "signed_at"),
    )


def seal_problems(seal: Seal, key: PublicKey, signer: str) -> list[Problem]:
    """Problems of the signature value (its ``seal``) against ``key``, the key the record names."""
    where = (*_SIG, "value")
    if seal.armor:
        return [
            Problem(
                SIGNATURE_MALFORMED,
                f"the signature value is not a complete SSHSIG signature: it {seal.armor}",
                "paste the whole signature, armor lines included, or sign again with fmar sign",
                where,
            )
        ]
    if seal.namespace != NAMESPACE:
        return [
            Problem(
                WRONG_SIGNATURE_NAMESPACE,
                f"the signature was made for namespace {seal.namespace!r}, not {NAMESPACE!r}",
                f"sign with fmar sign, or ssh-keygen -Y sign -n {NAMESPACE} over the output of fmar canonical",
                where,
            )
        ]
    if seal.key != base64.b64decode(key.public_key.split()[1]):
        return [
            Problem(
                SIGNATURE_KEY_MISMATCH,
                f"the signature was made with key {_carried_fingerprint(seal)}, "
                f"not with key {key.id} that key_fingerprint names",
                "sign with the key named in key_fingerprint, or let fmar sign fill in the block",
                where,
            )
        ]
    if seal.damage:
        return [
            Problem(
                SIGNATURE_MALFORMED,
                f"the signature bytes are damaged: {seal.damage}",
                "sign again with fmar sign",
                where,
            )
        ]
    if not seal.intact:
        return [
            Problem(
                SIGNATURE_INVALID,
                f"the signature of {signer} does not match the record's content",
                "the record changed after it was signed, or the signature is forged: "
                "let the signer review and sign it again (fmar sign)",
                where,
            )
        ]
    return []


def _carried_fingerprint(seal: Seal) -> str:
    try:
        return key_fingerprint(seal.key_line)
    except wire.Malformed:
        return "that cannot be read"


def check_signature(
    data: dict[str, Any], parties: Mapping[str, Party], *, registry: str, now: datetime | None = None
) -> list[Problem]:
    """Problems with the signature of the record ``data`` under the keys of ``parties``.

    ``registry`` is the identity of the registry doing the check (its trust anchor's
    ``registry``): a record signed for another one is a problem. ``now`` is the time of the
    check (the gate's clock, never a date the submitter sets) for a record the change brings;
    when given, a signing time more than CLOCK_SKEW in the future of it or more than
    MAX_SIGNING_AGE before it is a problem, and so is a key revoked by then.
    """
    problem = _block_problem(data)
    if problem:
        return [problem]
    problem = registry_problem(data["signature"]["registry"], registry)
    if problem:
        return [problem]
    block = data["signature"]
    signed_at = signed_at_of(data)
    assert signed_at is not None
    return judge(Claim(block["signer"], block["key_fingerprint"], signed_at), seal_of(data), parties, now=now)


class Claim(NamedTuple):
    """Who a signature block says signed, with which key, and when."""

    signer: str
    key_fingerprint: str
    signed_at: datetime


def judge(
    claim: Claim,
    seal: Seal,
    parties: Mapping[str, Party],
    *,
    now: datetime | None = None,
    recorded_at: datetime | None = None,
) -> list[Problem]:
    """Problems of a signature (``claim`` and its ``seal``) under the keys of ``parties``.

    ``now``: the time of a check of a record a change brings (``check_signature``). ``recorded_at``:
    when the registry accepted the record (its merge on the main branch); a key revoked by then
    signed nothing the registry may count, whatever ``signed_at`` states.
    """
    signer, signed_at = claim.signer, claim.signed_at
    party = parties.get(signer)
    if party is None:
        return [
            Problem(
                UNKNOWN_SIGNER,
                f"signer {signer!r} is not a party of the registry",
                "sign as a registered party; the operator registers new parties",
                (*_SIG, "signer"),
            )
        ]
    key = find_key(party, claim.key_fingerprint)
    if key is None:
        return [
            Problem(
                KEY_NOT_PUBLISHED,
                f"key {claim.key_fingerprint} is not one of the keys {signer} publishes",
                f"sign with a key listed in registry/party/{signer}.yaml, or have the operator publish yours first",
                (*_SIG, "key_fingerprint"),
            )
        ]
    key_type = key.public_key.split()[0]
    if key_type not in wire.SUPPORTED_KEY_TYPES:
        return [
            Problem(
                KEY_ALGORITHM_NOT_ALLOWED,
                f"key {key.id} of {signer} is of type {key_type}, which fmar does not accept for records",
                "sign with an ed25519 or ecdsa-p256 key (see docs/trust.md)",
                (*_SIG, "key_fingerprint"),
            )
        ]
    problems = _window_problems(key, signer, signed_at)
    if not any(p.rule == KEY_REVOKED for p in problems):
        revoked = _revoked_by(key, signer, now, recorded=False) if now is not None else None
        if revoked is None and recorded_at is not None:
            revoked = _revoked_by(key, signer, recorded_at, recorded=True)
        if revoked:
            problems.append(revoked)
    problems.extend(seal_problems(seal, key, signer))
    if now is not None:
        problems.extend(_time_problems(signed_at, now))
    return problems


def verifies_over(message: bytes, armored: str, public_key: str) -> bool:
    """True when ``armored`` is a valid fmar-namespace signature of ``message`` by ``public_key``."""
    try:
        decoded = wire.decode(armored)
        if decoded.namespace != NAMESPACE or decoded.public_key != base64.b64decode(public_key.split()[1]):
            return False
        return wire.check(decoded, message)
    except (wire.Malformed, wire.UnsupportedKey, ValueError):
        return False
