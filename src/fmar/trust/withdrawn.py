"""Signatures withdrawn by closing their pull request unmerged: the list, its digests and the gate's rule.

A signed record proposed in a pull request that was then closed without merging must not come
back in someone else's pull request while its signature is young enough to pass: closing it
withdrew it. ``audit/withdrawn-signatures.txt`` (a governance file the registry operator
merges) names each withdrawn signature by the SHA-256 of the bytes it signed, the record's
canonical form (``fmar canonical FILE | sha256sum``). That digest covers the signer, the key,
the signing time, the registry and every field, and no encoding of the signature itself: a
re-armored or re-wrapped copy, or another valid signature of the same bytes (an ECDSA
signature is malleable), is still withdrawn; the signer signing again (a new ``signed_at``) is
not. The gate reads the list from the base revision only, once per check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fmar.core.catalogue import SIGNATURE_WITHDRAWN
from fmar.core.findings import Problem
from fmar.signing.canonical import canonical_bytes
from fmar.trust.revision import RecordFile, Revision

#: Where the list lives, relative to the repository root (``audit/``: a governance file, the operator's).
WITHDRAWN_PATH = "audit/withdrawn-signatures.txt"
HEADER = (
    "# Signatures withdrawn by closing their pull request unmerged: the SHA-256 of the signed bytes\n"
    "# (fmar canonical FILE | sha256sum), the record's path, the pull request. One line each, sorted.\n"
    "# Written by fmar withdraw-signatures; fmar check reads it from the base branch.\n"
)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")


@dataclass(frozen=True, slots=True, order=True)
class Withdrawal:
    """One line of the list: a signature (by the digest of what it signed), its record, its pull request."""

    digest: str
    path: str
    pull_request: int

    @property
    def line(self) -> str:
        return f"{self.digest} {self.path} {self.pull_request}"


def signed_digest(data: dict[str, Any]) -> str | None:
    """``sha256:<hex>`` of the bytes the record's signature covers; None when it carries no signature."""
    block = data.get("signature")
    if not isinstance(block, dict) or not isinstance(block.get("value"), str):
        return None
    try:
        return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()
    except ValueError:  # a number RFC 8785 cannot hold: no signature can cover it either
        return None


def parse(text: str) -> tuple[list[Withdrawal], list[int]]:
    """The withdrawals ``text`` lists, and the numbers of the lines that are not one (blank lines and
    ``#`` comments are neither)."""
    entries: list[Withdrawal] = []
    bad: list[int] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) == 3 and _DIGEST.fullmatch(parts[0]) and _NUMBER.fullmatch(parts[2]):
            entries.append(Withdrawal(parts[0], parts[1], int(parts[2])))
        else:
            bad.append(number)
    return entries, bad


def render(entries: Iterable[Withdrawal]) -> str:
    """The list's text: the header, then each entry once, sorted (so the same entries give the same bytes)."""
    return HEADER + "".join(f"{entry.line}\n" for entry in sorted(set(entries)))


def withdrawn_problems(base: Revision, before: Revision, changed: list[RecordFile]) -> list[tuple[str, Problem]]:
    """(path, problem) for each record the change adds or changes whose signature the base's list withdrew.

    A record whose data the change leaves as it was (re-formatted only) keeps its merged
    signature and is not judged again. The list is read from ``base`` once, and only when some
    record's data changed.
    """
    judged = [f for f in changed if f.data is not None and not _same_data(before.file(f.path), f)]
    if not judged:
        return []
    raw = base.blobs.read(base.rev, WITHDRAWN_PATH)
    if raw is None:
        return []
    listed = {entry.digest: entry for entry in parse(raw.decode("utf-8", "replace"))[0]}
    out = []
    for current in judged:
        assert current.data is not None
        digest = signed_digest(current.data)
        entry = listed.get(digest) if digest else None
        if entry is not None:
            out.append((current.path, _withdrawn(entry)))
    return out


def _same_data(previous: RecordFile | None, current: RecordFile) -> bool:
    return previous is not None and previous.data is not None and previous.data == current.data


def _withdrawn(entry: Withdrawal) -> Problem:
    return Problem(
        SIGNATURE_WITHDRAWN,
        f"this signature was withdrawn when pull request #{entry.pull_request} closed unmerged ({WITHDRAWN_PATH})",
        "the signer signs it again (fmar sign) to submit it anew",
        ("signature", "value"),
    )
