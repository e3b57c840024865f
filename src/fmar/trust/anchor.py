"""The trust anchor: one pinned file, ``registry-trust.yaml`` at the repository root, naming the
registry (its identity), the registry operator and its keys. It is the root of trust: the
operator's keys sign parties and their keys, and only a signature by a key the anchor already
lists may change the anchor. Every signature names the registry's identity, so a record signed
for a staging copy or a fork is refused here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

from fmar.core.catalogue import ANCHOR_CHANGE_NOT_BY_OPERATOR, ANCHOR_KEYS_MISMATCH
from fmar.core.findings import Problem
from fmar.core.ids import REGISTRY_ID, PartyId, RegistryId, matches
from fmar.core.model import Party, PartyRole
from fmar.core.model.base import SCHEMA_VERSION, Signature
from fmar.core.model.common import Strict
from fmar.core.model.party import PublicKey
from fmar.loading.paths import ANCHOR_PATH
from fmar.signing.records import sign_data
from fmar.signing.sshsig import PrivateKey
from fmar.trust.signatures import check_signature


class NoRegistryIdentity(Exception):
    """The repository names no registry identity: no trust anchor, or none with a valid ``registry``."""


class TrustAnchor(Strict):
    """The registry's identity, its operator and the keys pinned for the operator."""

    KIND: ClassVar[str] = "trust_anchor"

    schema_version: int = Field(ge=1, le=SCHEMA_VERSION, strict=True)  # as records: true and 1.0 are not 1
    kind: Literal["trust_anchor"]
    registry: RegistryId = Field(
        description="The registry's identity, which every signature names (signature.registry): "
        "fmar-gb for the bundled registry; a staging copy or a fork has its own, such as fmar-gb-staging."
    )
    operator: PartyId = Field(description="Party id of the registry operator.")
    keys: list[PublicKey] = Field(min_length=1, max_length=20)
    signature: Signature

    def as_party(self) -> Party:
        """The operator as a party holding exactly the pinned keys (for signature checks)."""
        return Party.model_construct(id=self.operator, role=PartyRole.OPERATOR, keys=self.keys)


def parse(data: Any) -> tuple[TrustAnchor | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [
            Problem(ANCHOR_CHANGE_NOT_BY_OPERATOR, "the trust anchor is not a mapping", "restore registry-trust.yaml")
        ]
    try:
        return TrustAnchor.model_validate(data), []
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        field = ".".join(str(part) for part in location) or "its top level"
        return None, [
            Problem(
                ANCHOR_CHANGE_NOT_BY_OPERATOR,
                f"the trust anchor is not valid: {field}: {first['msg']}",
                "restore registry-trust.yaml from the base revision and change it with fmar sign",
                location,
            )
        ]


def identity(data: Any, where: str) -> str:
    """The registry identity an anchor's ``data`` (read from ``where``) names; NoRegistryIdentity when
    there is no anchor (``data`` None) or it names none. Its signature is checked elsewhere."""
    if data is None:
        raise NoRegistryIdentity(
            f"no trust anchor {where}: it names this registry (its identity), which every signature must "
            f"name. Run fmar inside the registry's repository, or copy the registry's {ANCHOR_PATH} to the "
            f"repository root; a new registry writes one with registry, operator and keys and has the "
            f"operator sign it: fmar sign {ANCHOR_PATH} --key PATH (docs/trust.md, The trust anchor)"
        )
    named = data.get("registry") if isinstance(data, dict) else None
    if not isinstance(named, str) or not matches(REGISTRY_ID, named):
        shown = "no registry field" if named is None else f"registry {named!r}, which is not a registry identity"
        raise NoRegistryIdentity(
            f"the trust anchor {where} has {shown}: it needs registry: NAME, 3 to 64 lower-case letters, "
            f"digits, '.' and '-' (such as fmar-gb), set and signed by the operator: "
            f"fmar sign {ANCHOR_PATH} --key PATH"
        )
    return named


def anchor_data(operator: Party, key: PrivateKey, signed_at: datetime, *, registry: str) -> dict[str, Any]:
    """A signed anchor naming the registry ``registry`` and pinning the keys ``operator`` publishes."""
    keys = [k.model_dump(mode="json", exclude_none=True) for k in operator.keys]
    for item in keys:
        for field in ("valid_from", "valid_until", "revoked_at"):
            if field in item:
                item[field] = item[field].replace("+00:00", "Z")
    data = {
        "schema_version": SCHEMA_VERSION,
        "kind": "trust_anchor",
        "registry": registry,
        "operator": operator.id,
        "keys": keys,
    }
    return sign_data(data, key, operator.id, signed_at, registry=registry)


def check_change(new: dict[str, Any], old: TrustAnchor, now: datetime | None) -> list[Problem]:
    """A changed anchor must be signed by the old anchor's operator with a key the old anchor lists,
    for the registry it names: so only the operator sets or changes the registry's identity."""
    anchor, problems = parse(new)
    if anchor is None:
        return problems
    if anchor.signature.signer != old.operator:
        return [
            Problem(
                ANCHOR_CHANGE_NOT_BY_OPERATOR,
                f"the trust anchor is signed by {anchor.signature.signer}, not by the operator {old.operator}",
                f"only {old.operator} changes the pinned operator keys, with a key pinned before the change",
                ("signature", "signer"),
            )
        ]
    out = []
    for problem in check_signature(new, {old.operator: old.as_party()}, registry=anchor.registry, now=now):
        out.append(
            problem._replace(
                rule=ANCHOR_CHANGE_NOT_BY_OPERATOR,
                message=f"the trust anchor's signature fails against the pinned keys: {problem.message}",
            )
        )
    return out


def check_operator(anchor: TrustAnchor, parties: dict[str, Party]) -> list[Problem]:
    """The operator's party record must publish exactly the pinned keys."""
    party = parties.get(anchor.operator)
    if party is None:
        return [
            Problem(
                ANCHOR_KEYS_MISMATCH,
                f"the pinned operator {anchor.operator} has no party record",
                f"add registry/party/{anchor.operator}.yaml with the pinned keys",
                ("operator",),
            )
        ]
    pinned = {(k.id, k.public_key, k.valid_from, k.valid_until, k.revoked_at) for k in anchor.keys}
    published = {(k.id, k.public_key, k.valid_from, k.valid_until, k.revoked_at) for k in party.keys}
    if pinned != published or party.role.value != "operator":
        return [
            Problem(
                ANCHOR_KEYS_MISMATCH,
                f"registry/party/{anchor.operator}.yaml does not publish exactly the keys pinned in {ANCHOR_PATH}",
                f"change the operator's keys in both files in one change, signed by a current {anchor.operator} key",
                ("keys",),
            )
        ]
    return []
