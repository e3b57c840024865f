"""Tamper evidence: published heads must stay in the history, and every historical version must verify.

Published exports carry the head commit they were built from. ``audit/published-heads.txt`` lists
those heads, one per line (``<commit> <UTC time> [note]``). A force-push or rewrite that drops one
of them, or an old commit rewritten so that a record version no longer verifies against the key
its signer published at that commit, is reported with a HIST-VAL rule code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fmar import gitrepo
from fmar.core.catalogue import (
    COMMIT_TIME_BACKWARDS,
    COMMIT_TIME_IN_FUTURE,
    HISTORIC_KEY_UNKNOWN,
    HISTORIC_SIGNATURE_INVALID,
    HISTORIC_VERSION_UNREADABLE,
    KEY_ALGORITHM_NOT_ALLOWED,
    KEY_EXPIRED,
    KEY_NOT_PUBLISHED,
    KEY_NOT_YET_VALID,
    KEY_REVOKED,
    PUBLISHED_HEAD_DROPPED,
    PUBLISHED_HEAD_OFF_MAIN_LINE,
    UNKNOWN_SIGNER,
)
from fmar.core.findings import Finding, Rule
from fmar.core.model import Party
from fmar.core.record_paths import flat_path, is_id, path_of
from fmar.history.index import FileChange, HistoryIndex
from fmar.history.recorded import record_of
from fmar.history.versions import parse_blob
from fmar.signing.records import iso
from fmar.trust.files import registry_identity
from fmar.trust.signatures import CLOCK_SKEW, check_signature
from fmar.validation.cache import Cache

#: Where the list of published heads lives, relative to the repository root.
PUBLISHED_HEADS = Path("audit/published-heads.txt")
_HEADER = "# Heads of published exports: commit, time (UTC), note. Append only; checked by fmar audit.\n"


@dataclass(frozen=True, slots=True)
class PublishedHead:
    commit: str
    published_at: str
    note: str
    line: int


def read_published(path: Path) -> list[PublishedHead]:
    """The heads listed in ``path``; blank lines and ``#`` comments are skipped. Missing file: none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    heads = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        parts += [""] * (3 - len(parts))
        heads.append(PublishedHead(parts[0], parts[1], parts[2], number))
    return heads


def record_head(path: Path, commit: str, when: datetime, note: str = "") -> bool:
    """Append ``commit`` to the list at ``path`` unless it is already there; True when appended."""
    if any(head.commit == commit for head in read_published(path)):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    if existing and not existing.endswith("\n"):
        existing += "\n"
    path.write_text(existing + f"{commit} {iso(when)}{(' ' + note) if note else ''}\n", encoding="utf-8")
    return True


def _finding(path: str, line: int, rule: Rule, message: str, hint: str, json_path: str = "$") -> Finding:
    return Finding(path, line, 1, rule.code, message, hint, json_path, rule.severity)


def check_published(root: Path, ref: str, heads: list[PublishedHead], listed_in: str) -> list[Finding]:
    """Every published head is still a commit on the first-parent line of ``ref``.

    Rules PUBLISHED_HEAD_DROPPED and PUBLISHED_HEAD_OFF_MAIN_LINE.
    """
    line = {commit for commit, _ in gitrepo.first_parent_line(root, ref)}
    findings = []
    for head in heads:
        if head.commit in line:
            continue
        when = f" (published {head.published_at})" if head.published_at else ""
        if not gitrepo.has_commit(root, head.commit):
            findings.append(
                _finding(
                    listed_in,
                    head.line,
                    PUBLISHED_HEAD_DROPPED,
                    f"published head {head.commit}{when} is no longer in the repository: "
                    "the history was rewritten or force-pushed",
                    "restore the published history (push the published head back) and reapply later changes "
                    "as new commits; never rewrite published history",
                )
            )
        else:
            findings.append(
                _finding(
                    listed_in,
                    head.line,
                    PUBLISHED_HEAD_OFF_MAIN_LINE,
                    f"published head {head.commit}{when} is not on the first-parent line of {ref}: "
                    "the branch was reset or rewritten past it",
                    "make the published head an ancestor on the main line again (revert instead of resetting)",
                )
            )
    return findings


def check_commit_times(root: Path, ref: str, now: datetime) -> list[Finding]:
    """Commit times on the first-parent line of ``ref`` go forwards and stay before ``now`` (+ CLOCK_SKEW).

    Rules COMMIT_TIME_BACKWARDS and COMMIT_TIME_IN_FUTURE (warnings): a commit date is the
    pusher's to set, so a date out of order is evidence of a direct push with invented dates.
    """
    findings = []
    previous: tuple[str, datetime] | None = None
    for commit, when in reversed(gitrepo.first_parent_times(root, ref)):
        if when > now + CLOCK_SKEW:
            findings.append(
                _finding(
                    commit,
                    1,
                    COMMIT_TIME_IN_FUTURE,
                    f"commit {commit[:12]} on the main line is dated {iso(when)}, after the audit ({iso(now)})",
                    "find who pushed it and why; fmar check never reads commit dates, so verdicts stand",
                )
            )
        if previous is not None and when < previous[1]:
            findings.append(
                _finding(
                    commit,
                    1,
                    COMMIT_TIME_BACKWARDS,
                    f"commit {commit[:12]} on the main line is dated {iso(when)}, before its first parent "
                    f"{previous[0][:12]} ({iso(previous[1])})",
                    "main changes only through merged pull requests: find who pushed it with which dates",
                )
            )
        previous = (commit, when)
    return findings


def _party_blob_at(index: HistoryIndex, party: str, commit: int) -> str:
    """The blob of ``party``'s record at ``commit``, wherever the layout of then kept it ("" for none)."""
    if not is_id("party", party):
        return ""
    changes = [
        change
        for path in (flat_path("party", party), path_of("party", party))
        for change in index.changes.get(f"{index.prefix}/{path}", [])
    ]
    known = sorted((c for c in changes if c.commit <= commit), key=lambda c: (c.commit, bool(c.blob)))
    return known[-1].blob if known else ""


def _versions(index: HistoryIndex) -> Iterator[tuple[str, FileChange]]:
    for path, changes in sorted(index.changes.items()):
        if record_of(path, index.prefix):
            for change in changes:
                if change.blob:
                    yield path, change


def check_signatures(
    root: Path, index: HistoryIndex, registry_dir: Path, *, registry: str, use_cache: bool = True
) -> list[Finding]:
    """Every version of every record verifies against its signer's key at that commit, for the
    registry whose identity is ``registry``.

    Rules HISTORIC_SIGNATURE_INVALID, HISTORIC_KEY_UNKNOWN and HISTORIC_VERSION_UNREADABLE.

    Results are cached by (record blob, party blob, registry), so a later audit checks only new versions.
    """
    cache = Cache(registry_dir, enabled=use_cache)
    done: dict[tuple[str, str, str], tuple[Rule, str] | None] = cache.load("audit-signatures.pickle") or {}
    work = list(_versions(index))
    texts = gitrepo.read_blobs(root, (change.blob for _, change in work))
    parsed: dict[str, dict[str, Any] | None] = {}

    def data_of(blob: str) -> dict[str, Any] | None:
        if blob not in parsed:
            parsed[blob] = parse_blob(texts[blob]) if blob in texts else None
        return parsed[blob]

    findings: list[Finding] = []
    party_texts: dict[str, bytes] = {}
    for path, change in work:
        data = data_of(change.blob)
        commit = index.commits[change.commit]
        where = f"as committed in {commit.id[:12]} ({iso(commit.time)})"
        if data is None:
            findings.append(
                _finding(
                    path, 1, HISTORIC_VERSION_UNREADABLE, f"the version {where} cannot be read as a record", "", "$"
                )
            )
            continue
        block = data.get("signature")
        signature: dict[str, Any] = block if isinstance(block, dict) else {}
        signer = str(signature.get("signer", ""))
        party_blob = _party_blob_at(index, signer, change.commit)
        key = (change.blob, party_blob, registry)
        if key not in done:
            if party_blob and party_blob not in party_texts:
                party_texts.update(gitrepo.read_blobs(root, [party_blob]))
            party = parse_blob(party_texts.get(party_blob, b"")) if party_blob else None
            done[key] = _verify(data, signature, party, signer, registry)
        problem = done[key]
        if problem:
            rule, message = problem
            findings.append(
                _finding(
                    path,
                    1,
                    rule,
                    f"the version {where}: {message}",
                    "restore the history as signed, or have the signer sign a correcting record as a new commit",
                    "$.signature.value" if rule == HISTORIC_SIGNATURE_INVALID else "$.signature.key_fingerprint",
                )
            )
    cache.save("audit-signatures.pickle", done)
    return findings


#: Signature rules that concern the key rather than the signed bytes.
_KEY_RULES = frozenset(
    {UNKNOWN_SIGNER, KEY_NOT_PUBLISHED, KEY_NOT_YET_VALID, KEY_EXPIRED, KEY_REVOKED, KEY_ALGORITHM_NOT_ALLOWED}
)


def _verify(
    data: dict[str, Any], signature: dict[str, Any], party: dict[str, Any] | None, signer: str, registry: str
) -> tuple[Rule, str] | None:
    """Check one historical version with the trust layer, against the signer's party record at that commit."""
    if party is None:
        return HISTORIC_KEY_UNKNOWN, f"the signer {signer or '(none)'} had no party record at that commit"
    try:
        held = Party.model_validate(party)
    except ValidationError:
        return HISTORIC_KEY_UNKNOWN, f"the party record of {signer} at that commit is not a valid party record"
    problems = check_signature(data, {signer: held}, registry=registry)
    if not problems:
        return None
    first = problems[0]
    rule = HISTORIC_KEY_UNKNOWN if first.rule in _KEY_RULES else HISTORIC_SIGNATURE_INVALID
    return rule, f"{first.code} {first.message}"


def audit(
    root: Path,
    registry_dir: Path,
    index: HistoryIndex,
    ref: str = "HEAD",
    published: Path | None = None,
    *,
    now: datetime | None = None,
) -> list[Finding]:
    """Every tamper finding about the history of ``ref``: dropped published heads and versions that do not verify.

    Versions are verified for the registry the trust anchor at ``root`` names (NoRegistryIdentity
    when it names none). With ``now`` (the time of the audit), commit times of the main line that
    go backwards or lie in its future are reported too (warnings).
    """
    identity = registry_identity(root)
    listed = published or root / PUBLISHED_HEADS
    shown = str(listed)
    if listed.resolve().is_relative_to(root.resolve()):
        shown = listed.resolve().relative_to(root.resolve()).as_posix()
    findings = check_published(root, ref, read_published(listed), shown)
    findings.extend(check_signatures(root, index, registry_dir, registry=identity))
    if now is not None:
        findings.extend(check_commit_times(root, ref, now))
    return sorted(findings)
