"""What closing a pull request unmerged withdraws: the signatures of the records it adds or changes.

The change is listed as the gate lists it (from the merge base of the base and the head, to
the head) and read as blobs: nothing of the pull request is checked out, installed or run. A
record whose data the base already holds (merged by another way, squashed or rebased) or the
merge base held (only re-formatted) withdraws nothing. The signatures are added to
``audit/withdrawn-signatures.txt`` in the working tree, sorted, each digest once, atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fmar.core import record_paths
from fmar.gitrepo import changes, merge_base, resolve
from fmar.trust.revision import REGISTRY, RecordBlobs, RecordFile, Revision
from fmar.trust.withdrawn import WITHDRAWN_PATH, Withdrawal, parse, render, signed_digest
from fmar.writing.writer import write_atomic

#: Git file modes of a plain file: a link or a submodule at a record path holds no record.
_FILE_MODES = ("100644", "100755")


class DamagedList(ValueError):
    """The list in the working tree has a line that is not a withdrawal; nothing is written."""


@dataclass(frozen=True, slots=True)
class ClosedSignature:
    """A signature the closed pull request carried, and who signed it (as its block says)."""

    withdrawal: Withdrawal
    signer: str


@dataclass(frozen=True, slots=True)
class WithdrawResult:
    base: str
    head: str
    merge_base: str
    #: Signatures added to the list now.
    added: list[ClosedSignature]
    #: Signatures of the pull request that the list already named.
    already_listed: list[ClosedSignature]


def _is_record_path(path: str) -> bool:
    return path.startswith(f"{REGISTRY}/") and record_paths.parse(path[len(REGISTRY) + 1 :]) is not None


def _same_data(side: Revision, current: RecordFile) -> bool:
    found = side.file(current.path)
    return found is not None and found.data is not None and found.data == current.data


def closed_signatures(
    root: Path, base_ref: str, head_ref: str, pull_request: int
) -> tuple[str, str, str, list[ClosedSignature]]:
    """(base, head, merge base, signatures) of the records ``head_ref`` adds or changes against ``base_ref``."""
    base = resolve(root, base_ref)
    head = resolve(root, head_ref)
    fork = merge_base(root, base, head)
    paths = sorted(
        c.path
        for c in changes(root, fork, head)
        if c.status != "D" and c.new_mode in _FILE_MODES and _is_record_path(c.path)
    )
    found: list[ClosedSignature] = []
    with RecordBlobs(root) as blobs:
        after, before, on_base = Revision(root, head, blobs), Revision(root, fork, blobs), Revision(root, base, blobs)
        for side in (after, before, on_base):
            side.prefetch(paths)
        for path in paths:
            current = after.file(path)
            if current is None or current.data is None or _same_data(before, current) or _same_data(on_base, current):
                continue
            digest = signed_digest(current.data)
            if digest is not None:
                signer = str(current.data["signature"].get("signer", ""))
                found.append(ClosedSignature(Withdrawal(digest, path, pull_request), signer))
    return base, head, fork, found


def read_list(path: Path) -> list[Withdrawal]:
    """The withdrawals listed at ``path`` (none when there is no file); DamagedList for a line that is not one."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise DamagedList(f"{WITHDRAWN_PATH} is not UTF-8 text; restore it from the base branch") from None
    entries, bad = parse(text)
    if bad:
        lines = ", ".join(str(number) for number in bad)
        raise DamagedList(
            f"{WITHDRAWN_PATH} line {lines}: not '<sha256:digest> <record path> <pull request number>'; "
            "restore the list from the base branch (git checkout <base> -- " + WITHDRAWN_PATH + ")"
        )
    return entries


def withdraw(root: Path, base_ref: str, head_ref: str, pull_request: int) -> WithdrawResult:
    """Add the signatures of the change ``head_ref`` (pull request ``pull_request``, closed unmerged) to
    the list in the working tree of ``root``; the file is written only when something is added."""
    target = root / WITHDRAWN_PATH
    existing = read_list(target)
    base, head, fork, found = closed_signatures(root, base_ref, head_ref, pull_request)
    listed = {entry.digest for entry in existing}
    added: list[ClosedSignature] = []
    already: list[ClosedSignature] = []
    for item in found:
        (already if item.withdrawal.digest in listed else added).append(item)
        listed.add(item.withdrawal.digest)
    if added:
        write_atomic(target, render([*existing, *(item.withdrawal for item in added)]))
    return WithdrawResult(base, head, fork, added, already)
