"""The file edge of trust: read records and parties from a registry folder, write signed records back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fmar.core.findings import Problem
from fmar.core.model import KINDS, Party, Record
from fmar.loading.paths import ANCHOR_PATH
from fmar.loading.record_file import check_data, parse_text
from fmar.loading.text import decode
from fmar.signing.records import sign_data
from fmar.signing.sshsig import PrivateKey, fingerprint, public_key_line
from fmar.trust.anchor import TrustAnchor, identity, parse
from fmar.trust.revision import RecordFile, read_record
from fmar.trust.signatures import check_signature, find_key
from fmar.writing.writer import dumps, write_atomic


def record_files(registry: Path) -> list[tuple[Path, str]]:
    """(file, kind) of every record file in the registry's kind folders (at any depth), sorted."""
    out: list[tuple[Path, str]] = []
    for kind in sorted(KINDS):
        folder = registry / kind
        if folder.is_dir():
            out.extend((path, kind) for path in sorted(folder.rglob("*.yaml")) if path.is_file())
    return out


def read_file(path: Path, kind: str, rel: str) -> RecordFile:
    return read_record(path.read_bytes(), rel, kind)


def load_parties(registry: Path) -> dict[str, Party]:
    parties: dict[str, Party] = {}
    folder = registry / "party"
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        loaded = read_record(path.read_bytes(), f"registry/{path.relative_to(registry).as_posix()}", "party")
        if isinstance(loaded.record, Party):
            parties[loaded.record.id] = loaded.record
    return parties


def load_anchor(root: Path) -> tuple[dict[str, Any] | None, TrustAnchor | None, list[Problem]]:
    path = root / ANCHOR_PATH
    if not path.is_file():
        return None, None, []
    text, problems = decode(path.read_bytes())
    if text is None:
        return None, None, problems
    data, _, problems = parse_text(text)
    if data is None:
        return None, None, problems
    anchor, problems = parse(data)
    return data, anchor, problems


def registry_identity(root: Path) -> str:
    """The identity of the registry in the repository at ``root``, as its trust anchor names it.

    Raises NoRegistryIdentity (with what to do) when there is no anchor or it names no valid identity.
    """
    path = root / ANCHOR_PATH
    data: Any = None
    if path.is_file():
        text, _ = decode(path.read_bytes())
        data = parse_text(text)[0] if text is not None else {}
        data = {} if data is None else data
    return identity(data, str(path))


def signer_of(key: PrivateKey, parties: dict[str, Party]) -> str | None:
    """The party that publishes ``key``, if exactly one does."""
    fp = fingerprint(public_key_line(key))
    owners = [p.id for p in parties.values() if find_key(p, fp) is not None]
    return owners[0] if len(owners) == 1 else None


def sign_file(
    path: Path,
    kind: str,
    key: PrivateKey,
    signer: str,
    signed_at: datetime,
    parties: dict[str, Party],
    vet: Callable[[Record], list[Problem]] | None = None,
    *,
    registry: str | None,
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Sign the record in ``path`` in place for the registry ``registry``; nothing is written when it
    would be invalid, or when ``vet`` (the registry's judgement of the signed record) finds a
    problem. The trust anchor (``kind`` trust_anchor) is signed for the registry it names itself,
    ``registry`` None."""
    text, problems = decode(path.read_bytes())
    if text is None:
        return None, problems
    data, _, problems = parse_text(text)
    if data is None:
        return None, problems
    if registry is None:
        named = data.get("registry")
        registry = named if isinstance(named, str) else ""
    signed = sign_data(data, key, signer, signed_at, registry=registry)
    record: Record | None = None
    if kind == "trust_anchor":
        _, problems = parse(signed)
    else:
        record, problems = check_data(kind, path.name.removesuffix(".yaml"), signed)
    if not problems and parties:
        problems = check_signature(signed, parties, registry=registry)
    if not problems and record is not None and vet is not None:
        problems = vet(record)
    if problems:
        return None, problems
    write_atomic(path, dumps(signed))
    return signed, []
