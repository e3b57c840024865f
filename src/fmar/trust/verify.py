"""Verify every signature of a registry folder (``fmar verify``) and write OpenSSH allowed-signers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from fmar import workers
from fmar.core.catalogue import ANCHOR_CHANGE_NOT_BY_OPERATOR, NUMBER_NOT_EXACT_IN_JSON
from fmar.core.findings import Finding
from fmar.core.model import Party
from fmar.loading.paths import ANCHOR_PATH
from fmar.loading.record_file import locate
from fmar.loading.text import decode
from fmar.signing.sshsig import NAMESPACE
from fmar.signing.wire import SUPPORTED_KEY_TYPES
from fmar.trust.anchor import check_operator
from fmar.trust.files import load_anchor, load_parties, read_file, record_files, registry_identity
from fmar.trust.signatures import check_signature
from fmar.validation.pipeline import finding, jobs_default

#: Below this many records, one process is faster than starting workers.
PARALLEL_THRESHOLD = 2000
_CHUNK = 2000


class _Verifying(NamedTuple):
    """What every chunk of records is checked against: where they are, the parties' keys and the
    registry's identity."""

    root: str
    parties: dict[str, Party]
    registry: str


def _verify_chunk(verifying: _Verifying, items: list[tuple[str, str]]) -> list[Finding]:
    findings: list[Finding] = []
    for rel, kind in items:
        loaded = read_file(Path(verifying.root) / rel, kind, rel)
        if loaded.data is None:
            # Unreadable files are fmar validate's to report, but for a number RFC 8785 cannot hold:
            # the record has no canonical form, so no signature over it can verify.
            findings.extend(finding(rel, p) for p in loaded.problems if p.rule == NUMBER_NOT_EXACT_IN_JSON)
            continue
        problems = check_signature(loaded.data, verifying.parties, registry=verifying.registry)
        if problems and loaded.text is not None:
            problems = locate(problems, loaded.text, loaded.source_map)
        findings.extend(finding(rel, p) for p in problems)
    return findings


def verify_registry(
    root: Path,
    registry: Path,
    only: list[str] | None = None,
    *,
    jobs: int | None = None,
    start_method: str = workers.DEFAULT_START_METHOD,
) -> tuple[list[Finding], int]:
    """Signature findings of the records (of ``only`` paths, when given) and of the trust anchor;
    checked in up to ``jobs`` worker processes started by ``start_method`` (``fork`` or ``spawn``)
    when there are many. Records are checked for the registry the trust anchor at ``root`` names
    (NoRegistryIdentity when it names none)."""
    identity = registry_identity(root)
    parties = load_parties(registry)
    prefixes = [p.rstrip("/") for p in only or []]
    items = []
    for path, kind in record_files(registry):
        rel = path.relative_to(root).as_posix()
        if not prefixes or any(rel == p or rel.startswith(p + "/") for p in prefixes):
            items.append((rel, kind))
    verifying = _Verifying(str(root), parties, identity)
    processes = jobs or jobs_default()
    if processes <= 1 or len(items) < PARALLEL_THRESHOLD:
        chunks = [items]
    else:
        chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    results = workers.run(_verify_chunk, verifying, chunks, jobs=processes, start_method=start_method)
    findings = [found for part in results for found in part]
    if not prefixes or any(p == ANCHOR_PATH for p in prefixes):
        findings.extend(_anchor_findings(root, parties))
    return sorted(findings), len(items)


def _anchor_findings(root: Path, parties: dict[str, Party]) -> list[Finding]:
    """The anchor's own signature (by a key it pins, for the identity it names) and the operator's keys."""
    data, anchor, problems = load_anchor(root)
    if data is None and not problems:
        return []
    if anchor is not None:
        own = {anchor.operator: anchor.as_party()}
        signature = check_signature(data or {}, own, registry=anchor.registry)
        problems = [p._replace(rule=ANCHOR_CHANGE_NOT_BY_OPERATOR) for p in signature]
        problems += check_operator(anchor, parties)
    if data is not None:
        problems = locate(problems, decode((root / ANCHOR_PATH).read_bytes())[0] or "", None)
    return [finding(ANCHOR_PATH, p._replace(line=p.line or 1, column=p.column or 1)) for p in problems]


def _ssh_time(moment: datetime) -> str:
    """A time as allowed_signers and ssh-keygen -O verify-time read it: YYYYMMDDHHMMSSZ in UTC."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def allowed_signers(parties: dict[str, Party]) -> str:
    """OpenSSH allowed_signers lines: principal = party id, limited to the fmar namespace and key windows."""
    lines = []
    for party in sorted(parties.values(), key=lambda p: p.id):
        for key in party.keys:
            if key.public_key.split()[0] not in SUPPORTED_KEY_TYPES:
                continue
            options = [f'namespaces="{NAMESPACE}"', f'valid-after="{_ssh_time(key.valid_from)}"']
            ends = [moment for moment in (key.valid_until, key.revoked_at) if moment is not None]
            if ends:
                options.append(f'valid-before="{_ssh_time(min(ends))}"')
            lines.append(f"{party.id} {','.join(options)} {key.public_key} {party.id}:{key.id}")
    return "".join(line + "\n" for line in lines)
