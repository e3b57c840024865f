"""One walk over the first-parent line of a branch: every change to the registry, by file, by commit.

The walk is a single ``git log --first-parent --diff-merges=first-parent --raw -z`` limited to the
registry folder, so a merge commit shows what its merge brought in (against the first parent) and
a squash or rebase merge shows its own commits. The result is cached by head commit outside the
repository; when the new head extends the cached one along the first-parent line only the new
commits are walked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fmar.cache import Cache
from fmar.history import git

_FORMAT = "%x01%H%x00%P%x00%ct%x00%at%x00%an <%ae>%x00%cn <%ce>"
_NULL = "0" * 40


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit of the first-parent line that changed the registry."""

    id: str
    committed_at: int
    authored_at: int
    author: str
    committer: str

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.committed_at, UTC)


@dataclass(frozen=True, slots=True)
class Change:
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
    """Append the commits of a ``git log`` run in _FORMAT with ``--raw -z`` (newest first) to ``index``."""
    chunks = [chunk for chunk in out.split(b"\x01") if chunk]
    for chunk in reversed(chunks):
        tokens = chunk.split(b"\0")
        commit_id, _parents, committed, authored, author, committer = (t.decode("utf-8", "replace") for t in tokens[:6])
        number = len(index.commits)
        index.commits.append(Commit(commit_id, int(committed), int(authored), author, committer))
        rest = tokens[6:]
        for position in range(0, len(rest) - 1, 2):
            meta = rest[position].strip()
            if not meta.startswith(b":"):
                continue
            parts = meta.split()
            status = parts[4][:1].decode()
            blob = parts[3].decode()
            path = rest[position + 1].decode("utf-8", "replace")
            index.changes.setdefault(path, []).append(Change(number, status, "" if blob == _NULL else blob))


def _walk(root: Path, prefix: str, span: str, index: HistoryIndex) -> None:
    out = git.run(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        f"--format={_FORMAT}",
        span,
        "--",
        prefix,
    )
    parse_log(out, index)


def _extends(root: Path, cached: HistoryIndex, head: str) -> bool:
    """Whether ``head`` continues the first-parent line of ``cached.head``."""
    try:
        line = git.first_parent_line(root, head, since=cached.head)
    except git.GitError:
        return False
    return bool(line) and line[-1][1] == cached.head


def build_index(root: Path, registry_dir: Path, ref: str = "HEAD", *, use_cache: bool = True) -> HistoryIndex:
    """The history of ``registry_dir`` along the first-parent line of ``ref``. Refuses shallow clones."""
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
        if _extends(root, cached, head):
            _walk(root, prefix, f"{cached.head}..{head}", cached)
            cached.head, cached.source = head, "incremental"
            cache.save(name, cached)
            return cached
    index = HistoryIndex(head=head, prefix=prefix)
    _walk(root, prefix, head, index)
    index.source = "full"
    cache.save(name, index)
    return index
