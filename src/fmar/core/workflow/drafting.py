"""Check a record against the whole registry before it is written: references, roles, lifecycle.

Pure: the registry as read and the authored record in, problems about that record out.
"""

from __future__ import annotations

from datetime import datetime

from fmar.core import gb_time
from fmar.core.catalogue import SIGNING_KEY_UNUSABLE, UNRESOLVED_REFERENCE
from fmar.core.findings import Problem, Severity
from fmar.core.model import Record
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.signing.sshsig import PrivateKey, fingerprint, public_key_line


def with_record(registry: Registry, record: Record) -> Registry:
    """A new registry holding every record of ``registry`` and ``record`` (replacing one with its id)."""
    merged = Registry.of((registry.paths.get((r.KIND, r.id), ""), r) for r in registry.records())
    merged.add(record)
    merged.recorded_at = dict(registry.recorded_at)
    return merged


def problems_with(registry: Registry, record: Record) -> list[Problem]:
    """What the cross-record rules say about ``record`` once it is in ``registry``."""
    merged = with_record(registry, record)
    return [problem for hit, problem in check_registry(merged) if hit.KIND == record.KIND and hit.id == record.id]


def problems_with_all(registry: Registry, records: list[Record]) -> dict[str, list[Problem]]:
    """What the cross-record rules say about each of ``records`` once they are all in ``registry``
    (checked together, once: a file of many records, each also judged beside the others), by id."""
    merged = Registry.of((registry.paths.get((r.KIND, r.id), ""), r) for r in registry.records())
    for record in records:
        merged.add(record)
    merged.recorded_at = dict(registry.recorded_at)
    new = {(r.KIND, r.id) for r in records}
    found: dict[str, list[Problem]] = {r.id: [] for r in records}
    for hit, problem in check_registry(merged):
        if (hit.KIND, hit.id) in new:
            found[hit.id].append(problem)
    return found


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.rule.severity is Severity.ERROR]


def key_problem(registry: Registry, signer: str, key: PrivateKey, at: datetime) -> Problem | None:
    """Why ``key`` may not sign for ``signer`` at ``at`` (SIGNING_KEY_UNUSABLE), or None when it may."""
    party = registry.parties.get(signer)
    if party is None:
        return Problem(
            UNRESOLVED_REFERENCE,
            f"signer {signer!r} is not a party in the registry",
            "pass --signer with your party id as it appears in registry/party/",
            ("signature", "signer"),
        )
    line = public_key_line(key)
    for published in party.keys:
        if published.public_key != line:
            continue
        if published.revoked_at is not None and published.revoked_at <= at:
            return Problem(
                SIGNING_KEY_UNUSABLE,
                f"key {published.id} of {signer} was revoked at {gb_time.shown_time(published.revoked_at)}",
                "sign with a current key; publish a new one in your party record first",
                ("signature", "key_fingerprint"),
            )
        if published.valid_from > at or (published.valid_until is not None and published.valid_until <= at):
            return Problem(
                SIGNING_KEY_UNUSABLE,
                f"key {published.id} of {signer} is not valid at {gb_time.shown_time(at)}",
                "sign within the key's validity window, or with another published key",
                ("signature", "key_fingerprint"),
            )
        return None
    owners = sorted(p.id for p in registry.parties.values() if any(k.public_key == line for k in p.keys))
    if owners:  # another party's key: the record is not theirs to write
        return Problem(
            SIGNING_KEY_UNUSABLE,
            f"the key {fingerprint(line)} is {' and '.join(owners)}'s: only {signer} may sign this record",
            f"this record is {signer}'s to write (as the party it belongs to); if you act for {signer}, "
            f"use a key listed under keys: in registry/party/{signer}.yaml",
            ("signature", "key_fingerprint"),
        )
    return Problem(
        SIGNING_KEY_UNUSABLE,
        f"the key {fingerprint(line)} is not one that {signer} publishes in its party record",
        f"use a private key whose public half is listed under keys: in registry/party/{signer}.yaml",
        ("signature", "key_fingerprint"),
    )
