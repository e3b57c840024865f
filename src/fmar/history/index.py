"""One walk over the first-parent line of a branch: every change to the registry, by file, by commit.

``git rev-list --first-parent --parents`` gives the line; ``git diff-tree --stdin --raw -z`` diffs
each commit against its first parent (a merge shows what it brought into main, a squash or rebase
merge its own changes), in a few parallel slices. The result is cached outside the repository; when
the cached commits still start the line, only the new commits are diffed.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from fmar.cache import Cache
from fmar.history import git

_SIGNER = re.compile(rb"^signature:\s*\n(?:[ \t]+.*\n)*?[ \t]+signer:\s*['\"]?([A-Za-z0-9_.-]+)", re.MULTILINE)
_FORMAT = "%x01%H%x00%P%x00%ct%x00%at%x00%an <%ae>%x00%cn <%ce>"
_NULL = "0" * 40


class Commit(NamedTuple):
    """A commit of the first-parent line (a named tuple: the cached index of 100,000 files loads fast)."""

    id: str
    committed_at: int
    authored_at: int
    author: str
    committer: str

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.committed_at, UTC)


class Change(NamedTuple):
    """One file changed by one commit: A(dded), M(odified) or D(eleted); ``blob`` is "" once deleted."""

    commit: int
    status: str
    blob: str


@dataclass
class HistoryIndex:
    """Commits touching the registry, oldest first, and each file's changes in that order."""

    head: str = ""
    prefix: str = ""
    commits: list[Commit] = field(default_factory=list)
    changes: dict[str, list[Change]] = field(default_factory=dict)
    #: The signer named in each blob that first brought a record file in, read once and kept.
    signers: dict[str, str] = field(default_factory=dict)
    #: How the index was obtained on this call: "cached", "incremental" or "full".
    source: str = "full"

    def present(self, upto: int | None = None) -> dict[str, list[Change]]:
        """Changes of the files that exist after commit ``upto`` (an index; default: the head)."""
        if upto is None:
            return {path: changes for path, changes in self.changes.items() if changes[-1].blob}
        out = {}
        for path, changes in self.changes.items():
            known = [c for c in changes if c.commit <= upto]
            if known and known[-1].blob:
                out[path] = known
        return out

    def last_commit_at(self, moment: datetime) -> int | None:
        """The index of the last commit of the line committed at or before ``moment``, or None.

        "Last" is in the order of the line, so a commit whose clock ran behind still counts in order.
        """
        stamp = moment.timestamp()
        chosen = None
        for number, commit in enumerate(self.commits):
            if commit.committed_at <= stamp:
                chosen = number
        return chosen


def parse_log(out: bytes, index: HistoryIndex) -> None:
    """Append the commits of a ``git diff-tree --stdin`` run in _FORMAT with ``--raw -z`` (oldest first)."""
    prefix = index.prefix.encode() + b"/"
    for chunk in out.split(b"\x01"):
        if not chunk:
            continue
        tokens = chunk.split(b"\0")
        commit_id, _parent, committed, authored, author, committer = (t.decode("utf-8", "replace") for t in tokens[:6])
        number = len(index.commits)
        index.commits.append(Commit(commit_id, int(committed), int(authored), author, committer))
        rest = tokens[6:]
        for position in range(0, len(rest) - 1, 2):
            path = rest[position + 1]
            if not path.startswith(prefix):
                continue
            meta = rest[position].split()
            if not meta or not meta[0].startswith(b":"):
                continue
            blob = meta[3].decode()
            change = Change(number, meta[4][:1].decode(), "" if blob == _NULL else blob)
            index.changes.setdefault(path.decode("utf-8", "replace"), []).append(change)


def _diff_tree(root: Path, pairs: list[tuple[str, str]]) -> bytes:
    return git.run(
        root,
        "diff-tree",
        "--stdin",
        "--root",
        "--always",
        "-r",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        f"--format={_FORMAT}",
        stdin="".join(f"{commit} {parent}\n" if parent else f"{commit}\n" for commit, parent in pairs).encode(),
    )


def _walk(root: Path, pairs: list[tuple[str, str]], index: HistoryIndex) -> None:
    """Diff each (commit, first parent) pair, oldest first, in parallel slices, into ``index``.

    Each commit is diffed against its first parent, so a merge shows what it brought into main,
    and no pathspec is given (a path-limited walk diffs every commit twice); paths outside the
    registry are dropped while parsing.
    """
    if not pairs:
        return
    workers = max(1, min(os.cpu_count() or 1, 4, len(pairs) // 500 or 1))
    size = -(-len(pairs) // workers)
    slices = [pairs[start : start + size] for start in range(0, len(pairs), size)]
    if len(slices) == 1:
        outputs = [_diff_tree(root, slices[0])]
    else:
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:
            outputs = list(pool.map(lambda part: _diff_tree(root, part), slices))
    for out in outputs:
        parse_log(out, index)


def build_index(root: Path, registry_dir: Path, ref: str = "HEAD", *, use_cache: bool = True) -> HistoryIndex:
    """The history of ``registry_dir`` along the first-parent line of ``ref``. Refuses shallow clones.

    The cached index is reused when the new head continues its head's first-parent line; then
    only the commits after it are diffed. Anything else (a rewrite, another branch) rebuilds.
    """
    git.refuse_shallow(root)
    head = git.resolve(root, ref)
    prefix = registry_dir.resolve().relative_to(root.resolve()).as_posix()
    cache = Cache(registry_dir, enabled=use_cache)
    name = f"history-{prefix.replace('/', '_')}.pickle"
    cached: HistoryIndex | None = cache.load(name)
    if cached is not None and cached.prefix == prefix:
        if cached.head == head:
            cached.source = "cached"
            return cached
        new = _continuation(root, cached.head, head)
        if new is not None:
            _walk(root, new, cached)
            _read_signers(root, cached)
            cached.head, cached.source = head, "incremental"
            cache.save(name, cached)
            return cached
    index = HistoryIndex(head=head, prefix=prefix)
    line = git.first_parent_line(root, head)
    line.reverse()
    _walk(root, line, index)
    _read_signers(root, index)
    index.source = "full"
    cache.save(name, index)
    return index


def _continuation(root: Path, cached: str, head: str) -> list[tuple[str, str]] | None:
    """The commits after ``cached`` on ``head``'s first-parent line (oldest first), or None if it is not on it.

    A commit id names its whole ancestry, so when the oldest new commit's first parent is the
    cached head, the cached part of the line is exactly what it was.
    """
    try:
        new = git.first_parent_line(root, f"{cached}..{head}")
    except git.GitError:
        return None
    if not new or new[-1][1] != cached:
        return None
    new.reverse()
    return new


def signer_in(text: bytes) -> str:
    """The ``signature.signer`` of a record file's bytes, read without parsing the whole record."""
    found = _SIGNER.search(text)
    return found.group(1).decode() if found else ""


def _read_signers(root: Path, index: HistoryIndex) -> None:
    """Fill ``index.signers`` for additions not read yet, through one ``git cat-file --batch``."""
    wanted = {
        change.blob
        for changes in index.changes.values()
        for change in changes
        if change.status == "A" and change.blob not in index.signers
    }
    for blob, text in git.read_blobs(root, sorted(wanted)).items():
        index.signers[blob] = signer_in(text)
