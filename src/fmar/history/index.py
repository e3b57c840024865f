"""One walk over the first-parent line of a branch: every change to the registry, by file, by commit.

``git rev-list --first-parent --parents`` gives the line; ``git diff-tree --stdin --raw -z`` diffs
each commit against its first parent (a merge shows what it brought into main, a squash or rebase
merge its own changes), in a few parallel slices. The result is cached outside the repository; when
the cached commits still start the line, only the new commits are diffed.

The index of a national registry holds hundreds of thousands of changes, and every build reads
it, so it is kept in columns (``ChangeTable``: flat arrays and one string of paths) that load in a
fraction of the time a pickle of as many small objects takes; a file's changes become ``FileChange``
tuples only when asked for.
"""

from __future__ import annotations

import marshal
import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from fmar import gitrepo
from fmar.validation.cache import Cache

_SIGNER = re.compile(rb"^signature:\s*\n(?:[ \t]+.*\n)*?[ \t]+signer:\s*['\"]?([A-Za-z0-9_.-]+)", re.MULTILINE)
_FORMAT = "%x01%H%x00%P%x00%ct%x00%at%x00%an <%ae>%x00%cn <%ce>"
_NULL = "0" * 40
_NO_BLOB = bytes(20)
#: The signer code of an addition whose blob has not been read yet (``_read_signers`` fills it).
_UNREAD = 0xFFFFFFFF
#: Bumped whenever the cached layout changes.
_LAYOUT = 1


class Commit(NamedTuple):
    """A commit of the first-parent line."""

    id: str
    committed_at: int
    authored_at: int
    author: str
    committer: str

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.committed_at, UTC)


class FileChange(NamedTuple):
    """One file changed by one commit: A(dded), M(odified) or D(eleted); ``blob`` is "" once deleted.

    ``signer`` is the signer named in the blob of an addition ("" for other changes, or when the
    blob names none).
    """

    commit: int
    status: str
    blob: str
    signer: str = ""


class Addition(NamedTuple):
    """How a file present at the head came in: the commit (its number) of its first addition,
    the signer that addition names, and whether that addition is the file's only change."""

    commit: int
    signer: str
    alone: bool


class ChangeTable(Mapping[str, list[FileChange]]):
    """Each file's changes in commit order, as a read-only mapping path -> [FileChange], kept in columns.

    Changes are numbered in the order they were added; per change: its commit, status letter,
    binary blob id, signer code and the number of the same file's next change (-1 for none); per
    file: its first and last change. Adding a change is O(1), so new commits extend the table.
    Files are numbered in path order as saved (found by bisection, no dictionary of every path to
    build on loading), then in the order later walks first met them.
    """

    def __init__(self) -> None:
        self.paths: list[str] = []
        #: How many of ``paths`` are sorted (as loaded); the rest are in ``_added``.
        self._sorted = 0
        self._added: dict[str, int] = {}
        #: path -> file number of every file, once a bulk lookup (``numbered``) needed it.
        self._every: dict[str, int] | None = None
        self.first = array("i")
        self.last = array("i")
        self.next = array("i")
        self.commit = array("i")
        self.status = bytearray()
        self.blobs = bytearray()
        self.signer = array("I")
        self.signer_names: list[str] = [""]
        self._made: dict[str, list[FileChange]] = {}

    def number(self, path: str) -> int | None:
        """The file number of ``path``, or None when it never changed."""
        paths, end = self.paths, self._sorted
        at = bisect_left(paths, path, 0, end)
        if at < end and paths[at] == path:
            return at
        return self._added.get(path)

    def numbered(self, paths: Iterable[str]) -> list[tuple[str, int]]:
        """(path, file number) of those of ``paths`` that ever changed, in the order given.

        Many paths are looked up in a dictionary of every path (built once), a few by bisection.
        """
        paths = list(paths)
        if len(paths) * 8 < len(self.paths):
            return [(path, number) for path in paths if (number := self.number(path)) is not None]
        if self._every is None or len(self._every) != len(self.paths):
            self._every = dict(zip(self.paths, range(len(self.paths)), strict=True))
        every = self._every
        return [(path, every[path]) for path in paths if path in every]

    def additions(self, paths: Iterable[str] | None = None, *, removed: bool = False) -> dict[str, Addition]:
        """The first addition of each file present after the last change (of those at ``paths``),
        without making their changes into ``FileChange`` tuples; ``removed``: of each file the last
        change deleted instead (``alone`` then says it was added once and deleted, nothing else)."""
        pairs = zip(self.paths, range(len(self.paths)), strict=True) if paths is None else self.numbered(paths)
        status, first, last, nxt, commit, signer, names = (
            self.status,
            self.first,
            self.last,
            self.next,
            self.commit,
            self.signer,
            self.signer_names,
        )
        added, deleted = ord("A"), ord("D")
        out = {}
        for path, number in pairs:
            if (status[last[number]] == deleted) != removed:
                continue
            at = first[number]
            alone = nxt[at] < 0 or (removed and nxt[at] == last[number])
            if status[at] != added:  # the first addition, else the first change
                probe = at
                while probe >= 0 and status[probe] != added:
                    probe = nxt[probe]
                at = probe if probe >= 0 else at
                alone = False
            code = signer[at]
            out[path] = Addition(commit[at], names[code] if code != _UNREAD else "", alone)
        return out

    def __getitem__(self, path: str) -> list[FileChange]:
        made = self._made.get(path)
        if made is None:
            number = self.number(path)
            if number is None:
                raise KeyError(path)
            made = self._made[path] = self._changes(number)
        return made

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.number(path) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def _changes(self, number: int) -> list[FileChange]:
        out = []
        at = self.first[number]
        names, blobs, signer, nxt = self.signer_names, self.blobs, self.signer, self.next
        while at >= 0:
            raw = blobs[at * 20 : at * 20 + 20]
            code = signer[at]
            out.append(
                FileChange(
                    self.commit[at],
                    chr(self.status[at]),
                    raw.hex() if raw != _NO_BLOB else "",
                    names[code] if code != _UNREAD else "",
                )
            )
            at = nxt[at]
        return out

    def add(self, path: str, commit: int, status: str, blob: str) -> None:
        """Append a change of ``path`` (its changes must be added in commit order)."""
        change = len(self.commit)
        number = self.number(path)
        if number is None:
            self._added[path] = len(self.paths)
            if self._every is not None:
                self._every[path] = len(self.paths)
            self.paths.append(path)
            self.first.append(change)
            self.last.append(change)
        else:
            self.next[self.last[number]] = change
            self.last[number] = change
            self._made.pop(path, None)
        self.next.append(-1)
        self.commit.append(commit)
        self.status += status.encode()
        self.blobs += bytes.fromhex(blob) if blob else _NO_BLOB
        self.signer.append(_UNREAD if status == "A" else 0)

    def since(self, start: int) -> Iterator[tuple[str, str, int, str]]:
        """(path, status letter, commit, signer) of every change from change number ``start`` on, file by file."""
        names, status, commit, signer, nxt, first = (
            self.signer_names,
            self.status,
            self.commit,
            self.signer,
            self.next,
            self.first,
        )
        for number, last in enumerate(self.last):
            if last < start:
                continue
            at = first[number]
            while at >= 0:
                if at >= start:
                    code = signer[at]
                    yield self.paths[number], chr(status[at]), commit[at], names[code] if code != _UNREAD else ""
                at = nxt[at]

    def first_change_of(self, commit: int) -> int:
        """The number of the first change of commit ``commit`` or a later one (changes are in commit order)."""
        return bisect_left(self.commit, commit)

    def last_statuses(self) -> bytes:
        """The status letter of each file's last change, by file number."""
        if len(self.paths) < 2:
            return bytes(self.status[at] for at in self.last)
        return bytes(itemgetter(*self.last)(self.status))

    def removed(self) -> list[str]:
        """Files whose last change deleted them."""
        return [self.paths[m.start()] for m in re.finditer(b"D", self.last_statuses())]

    def read_signers(self, start: int, read: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
        """Name the signer of each addition from change number ``start`` on not named yet;
        ``read(blobs)`` gives blob -> signer, and is returned. The blobs are asked for in the order
        they were committed (``gitrepo.scan_blobs`` says why)."""
        unread = [at for at in range(start, len(self.commit)) if self.signer[at] == _UNREAD]
        if not unread:
            return {}
        blobs = [self.blobs[at * 20 : at * 20 + 20].hex() for at in unread]
        signers = read(list(dict.fromkeys(blobs)))
        codes = {name: code for code, name in enumerate(self.signer_names)}
        for at, blob in zip(unread, blobs, strict=True):
            name = signers.get(blob, "")
            code = codes.get(name)
            if code is None:
                code = codes[name] = len(self.signer_names)
                self.signer_names.append(name)
            self.signer[at] = code
        self._made.clear()
        return signers

    def dump(self) -> tuple[Any, ...]:
        """The columns, files in path order."""
        order = sorted(range(len(self.paths)), key=self.paths.__getitem__)
        return (
            "\0".join([self.paths[n] for n in order]),
            array("i", [self.first[n] for n in order]).tobytes(),
            array("i", [self.last[n] for n in order]).tobytes(),
            self.next.tobytes(),
            self.commit.tobytes(),
            bytes(self.status),
            bytes(self.blobs),
            self.signer.tobytes(),
            self.signer_names,
        )

    @classmethod
    def load(cls, columns: tuple[Any, ...]) -> ChangeTable:
        paths, first, last, nxt, commit, status, blobs, signer, names = columns
        table = cls()
        table.paths = paths.split("\0") if paths else []
        table._sorted = len(table.paths)
        for column, raw in (
            (table.first, first),
            (table.last, last),
            (table.next, nxt),
            (table.commit, commit),
            (table.signer, signer),
        ):
            column.frombytes(raw)
        table.status, table.blobs, table.signer_names = bytearray(status), bytearray(blobs), list(names)
        return table


@dataclass
class HistoryIndex:
    """Commits touching the registry, oldest first, and each file's changes in that order."""

    head: str = ""
    prefix: str = ""
    commits: list[Commit] = field(default_factory=list)
    changes: ChangeTable = field(default_factory=ChangeTable)
    #: How the index was obtained on this call: "cached", "incremental" or "full".
    source: str = "full"

    def present(self, upto: int | None = None) -> dict[str, list[FileChange]]:
        """Changes of the files that exist after commit ``upto`` (an index; default: the head)."""
        if upto is None:
            lasts = self.changes.last_statuses()
            paths = self.changes.paths
            return {paths[n]: self.changes[paths[n]] for n, status in enumerate(lasts) if status != ord("D")}
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

    def dump(self) -> bytes:
        return marshal.dumps((_LAYOUT, self.head, self.prefix, [tuple(c) for c in self.commits], self.changes.dump()))

    @classmethod
    def load(cls, blob: bytes) -> HistoryIndex | None:
        """The index ``dump`` wrote, or None when the bytes are not one (another layout, damage)."""
        try:
            layout, head, prefix, commits, columns = marshal.loads(blob)
            if layout != _LAYOUT:
                return None
            return cls(head, prefix, list(map(Commit._make, commits)), ChangeTable.load(columns), "cached")
        except (EOFError, ValueError, TypeError):
            return None


def parse_log(out: bytes, index: HistoryIndex) -> None:
    """Append the commits of a ``git diff-tree --stdin`` run in _FORMAT with ``--raw -z`` (oldest first)."""
    prefix = index.prefix.encode() + b"/"
    add = index.changes.add
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
            add(path.decode("utf-8", "replace"), number, meta[4][:1].decode(), "" if blob == _NULL else blob)


def _diff_tree(root: Path, pairs: list[tuple[str, str]]) -> bytes:
    return gitrepo.run(
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


def _walk(root: Path, pairs: list[tuple[str, str]], index: HistoryIndex) -> list[bytes]:
    """Diff each (commit, first parent) pair, oldest first, in parallel slices, into ``index``.

    Each commit is diffed against its first parent, so a merge shows what it brought into main,
    and no pathspec is given (a path-limited walk diffs every commit twice); paths outside the
    registry are dropped while parsing.
    """
    if not pairs:
        return []
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
    return outputs


def build_index(root: Path, registry_dir: Path, ref: str = "HEAD", *, use_cache: bool = True) -> HistoryIndex:
    """The history of ``registry_dir`` along the first-parent line of ``ref``. Refuses shallow clones.

    The cached index is reused when the new head continues its head's first-parent line; then
    only the commits after it are diffed. Anything else (a rewrite, another branch) rebuilds.
    """
    gitrepo.refuse_shallow(root)
    head = gitrepo.resolve(root, ref)
    prefix = registry_dir.resolve().relative_to(root.resolve()).as_posix()
    saved = _Saved(Cache(registry_dir, enabled=use_cache), prefix)
    cached = saved.load()
    if cached is not None:
        if cached.head == head:
            return cached
        new = _continuation(root, cached.head, head)
        if new is not None:
            start = len(cached.changes.commit)
            outputs = _walk(root, new, cached)
            signers = _read_signers(root, cached, start)
            cached.head, cached.source = head, "incremental"
            saved.extend(cached, outputs, signers)
            return cached
    index = HistoryIndex(head=head, prefix=prefix)
    line = gitrepo.first_parent_line(root, head)
    line.reverse()
    _walk(root, line, index)
    _read_signers(root, index, 0)
    index.source = "full"
    saved.save(index)
    return index


class _Saved:
    """The cached index: its columns as of one head, and a journal of the commits walked since.

    Rewriting the columns of a national registry for every new commit would cost more than
    loading them, so the ``git diff-tree`` output of new commits (and the signers their
    additions name) is kept in a small journal replayed on loading, until it grows past
    ``JOURNAL_LIMIT`` bytes and the columns are written again.
    """

    JOURNAL_LIMIT = 4 << 20

    def __init__(self, cache: Cache, prefix: str) -> None:
        self.cache, self.prefix = cache, prefix
        stem = f"history-{prefix.replace('/', '_')}"
        self.columns, self.journal = f"{stem}.columns", f"{stem}.journal"
        #: The head of the saved columns, and the journal since (outputs, signers).
        self.base = ""
        self.outputs: list[bytes] = []
        self.signers: dict[str, str] = {}

    def load(self) -> HistoryIndex | None:
        columns = self.cache.load_bytes(self.columns)
        index = HistoryIndex.load(columns) if columns else None
        if index is None or index.prefix != self.prefix:
            return None
        self.base = index.head
        try:
            layout, base, head, outputs, signers = marshal.loads(self.cache.load_bytes(self.journal) or b"N")
        except (EOFError, ValueError, TypeError):
            return index
        if layout != _LAYOUT or base != index.head:
            return index
        start = len(index.changes.commit)
        for out in outputs:
            parse_log(out, index)
        index.changes.read_signers(start, lambda _: signers)
        if not index.commits or index.commits[-1].id != head:
            return None  # a journal that does not end where it says: walk again
        index.head, self.outputs, self.signers = head, outputs, signers
        return index

    def extend(self, index: HistoryIndex, outputs: list[bytes], signers: dict[str, str]) -> None:
        """Save ``index``, which the walk of ``outputs`` (naming ``signers``) took past the loaded one."""
        self.outputs.extend(outputs)
        self.signers.update(signers)
        if sum(map(len, self.outputs)) > self.JOURNAL_LIMIT:
            self.save(index)
            return
        journal = (_LAYOUT, self.base, index.head, self.outputs, self.signers)
        self.cache.save_bytes(self.journal, marshal.dumps(journal))

    def save(self, index: HistoryIndex) -> None:
        self.cache.save_bytes(self.columns, index.dump())
        self.cache.save_bytes(self.journal, b"")
        self.base, self.outputs, self.signers = index.head, [], {}


def _continuation(root: Path, cached: str, head: str) -> list[tuple[str, str]] | None:
    """The commits after ``cached`` on ``head``'s first-parent line (oldest first), or None if it is not on it.

    A commit id names its whole ancestry, so when the oldest new commit's first parent is the
    cached head, the cached part of the line is exactly what it was.
    """
    try:
        new = gitrepo.first_parent_line(root, f"{cached}..{head}")
    except gitrepo.GitError:
        return None
    if not new or new[-1][1] != cached:
        return None
    new.reverse()
    return new


def signer_in(text: bytes) -> str:
    """The ``signature.signer`` of a record file's bytes, read without parsing the whole record."""
    found = _SIGNER.search(text)
    return found.group(1).decode() if found else ""


def _read_signers(root: Path, index: HistoryIndex, start: int) -> dict[str, str]:
    """Name the signers of the additions from change ``start`` on, through one ``git cat-file --batch``;
    returns blob -> signer of the blobs read."""

    def read(blobs: list[str]) -> dict[str, str]:
        return gitrepo.scan_blobs(root, blobs, signer_in)

    return index.changes.read_signers(start, read)
