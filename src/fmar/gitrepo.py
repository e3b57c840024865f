"""The Git edge: every run of the ``git`` executable goes through this module, and nowhere else.

One runner (``run``: bytes, ``text``: UTF-8 text), one error (``GitError``: what failed, git's own
message and, where known, the fix) and the typed questions the history, the gate, the publisher
and the commands ask of a repository. Reads never touch the work tree; large reads stream
through one process each (``read_blobs`` and ``Blobs``: ``git cat-file --batch``; the history's
``diff-tree --stdin`` through ``run`` with its input); ``Running`` is a command the caller starts,
works beside, and collects (the gate searches a large registry while it checks the change).

Every command runs as ``git -C <root> -c core.quotepath=off ...`` (paths come back as UTF-8, not
quoted) with no terminal prompt and, unless the caller's environment sets one, the C locale.
"""

from __future__ import annotations

import builtins
import os
import re
import subprocess
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Self

#: What to tell someone whose clone lacks history.
UNSHALLOW_FIX = (
    "fetch the whole history: in GitHub Actions use actions/checkout with 'fetch-depth: 0', "
    "locally run 'git fetch --unshallow'"
)

#: git's message -> what to do about it, for the failures people meet.
_FIXES = {
    "not a git repository": "run fmar inside the registry's Git repository (clone it, or 'git init' a new one)",
    "unknown revision": "check the branch or commit name, and fetch it if this clone does not have it",
}


class GitError(Exception):
    """git could not answer (not a repository, an unknown revision, a shallow clone, no git at all).

    ``str()`` says what failed and how to fix it; the commands turn it into a usage error (exit 2).
    """


def _env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with no terminal prompt and, unless set, the C locale."""
    result = dict(os.environ if env is None else env)
    result["GIT_TERMINAL_PROMPT"] = "0"
    result.setdefault("LC_ALL", "C")
    return result


def _command(root: Path, args: Sequence[str]) -> list[str]:
    return ["git", "-C", str(root), "-c", "core.quotepath=off", *args]


def _shown(args: Sequence[str]) -> str:
    """The command as a person reads it in a message (long path and pattern lists cut short)."""
    shown = " ".join(["git", *args])
    return shown if len(shown) <= 120 else f"{shown[:117]}..."


def _not_installed() -> GitError:
    return GitError("git is not installed (or not on PATH); install git to read the registry's repository")


def run(
    root: Path,
    *args: str,
    stdin: bytes | None = None,
    ok: Container[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> bytes:
    """stdout of ``git -C root args`` (``stdin`` fed to it); GitError naming the command and carrying
    git's message when it exits with a status not in ``ok``. ``env`` replaces this process's environment."""
    try:
        done = subprocess.run(_command(root, args), input=stdin, capture_output=True, env=_env(env), check=False)
    except FileNotFoundError:
        raise _not_installed() from None
    except OSError as exc:
        raise GitError(f"cannot run {_shown(args)} in {root}: {exc.strerror or exc}") from None
    if done.returncode not in ok:
        raise _failed(root, args, done.returncode, done.stderr)
    return done.stdout


def _failed(root: Path, args: Sequence[str], status: int, stderr: bytes) -> GitError:
    message = stderr.decode("utf-8", "replace").strip() or f"exit status {status}"
    fixes = [fix for needle, fix in _FIXES.items() if needle in message]
    return GitError(f"{_shown(args)} failed in {root}: {message}" + "".join(f"; {fix}" for fix in fixes))


def text(root: Path, *args: str, ok: Container[int] = (0,), env: Mapping[str, str] | None = None) -> str:
    """``run`` with stdout decoded as UTF-8 (git prints paths unquoted, as UTF-8)."""
    return run(root, *args, ok=ok, env=env).decode("utf-8")


def _spawn(
    root: Path, args: Sequence[str], *, stdin: bool, quiet: bool, errors: bool = False
) -> subprocess.Popen[bytes]:
    """A running ``git -C root args`` whose stdout (and stdin when asked, stderr when ``errors``) the caller
    streams."""
    try:
        return subprocess.Popen(
            _command(root, args),
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if errors else subprocess.DEVNULL if quiet else None,
            env=_env(),
        )
    except FileNotFoundError:
        raise _not_installed() from None
    except OSError as exc:
        raise GitError(f"cannot run {_shown(args)} in {root}: {exc.strerror or exc}") from None


class Running:
    """``git -C root args`` started now, in the background: the caller goes on with its own work while
    git works (on another core), then takes git's stdout with ``result()``, or stops it with ``cancel()``.
    A thread drains the pipe meanwhile, so git never waits for the caller."""

    def __init__(self, root: Path, *args: str, ok: Container[int] = (0,)) -> None:
        self._root, self._args, self._ok = root, args, ok
        self._process = _spawn(root, args, stdin=False, quiet=False, errors=True)
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        self._output = self._process.communicate()

    def result(self) -> bytes:
        """git's stdout, once it has finished; GitError as ``run`` raises it."""
        self._drain.join()
        status = self._process.returncode
        if status not in self._ok:
            raise _failed(self._root, self._args, status, self._output[1])
        return self._output[0]

    def cancel(self) -> None:
        """Stop git if it still runs (its answer is no longer needed)."""
        if self._process.poll() is None:
            self._process.kill()
        self._drain.join()


# Revisions.


def is_repository(root: Path) -> bool:
    try:
        return run(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


def is_shallow(root: Path) -> bool:
    return run(root, "rev-parse", "--is-shallow-repository").strip() == b"true"


def refuse_shallow(root: Path) -> None:
    if is_shallow(root):
        raise GitError(f"{root} is a shallow clone, so the registry's history is incomplete; {UNSHALLOW_FIX}")


def resolve(root: Path, ref: str) -> str:
    """The commit id ``ref`` names."""
    try:
        return text(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError(
            f"{ref!r} names no commit in {root}; check the branch or commit name, "
            "and fetch it if this clone does not have it"
        ) from None


def has_commit(root: Path, commit: str) -> bool:
    try:
        run(root, "cat-file", "-e", f"{commit}^{{commit}}")
    except GitError:
        return False
    return True


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """True when ``older`` is ``newer`` or one of its ancestors."""
    try:
        run(root, "merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False
    return True


def merge_base(root: Path, base: str, head: str) -> str:
    return text(root, "merge-base", base, head).strip()


def commit_time(root: Path, rev: str) -> datetime:
    """When ``rev`` was committed (its committer date, with its offset)."""
    return datetime.fromisoformat(text(root, "log", "-1", "--format=%cI", rev).strip())


def first_parent_times(root: Path, ref: str) -> list[tuple[str, datetime]]:
    """(commit, committer date with its offset) along the first-parent line of ``ref``, newest first."""
    out = text(root, "log", "--first-parent", "--format=%H %cI", ref)
    return [(row.split()[0], datetime.fromisoformat(row.split()[1])) for row in out.splitlines() if row.strip()]


def first_parent_line(root: Path, ref: str) -> list[tuple[str, str]]:
    """(commit, first parent or "") along the first-parent line of ``ref`` (or a range ``a..b``), newest first."""
    out = run(root, "rev-list", "--first-parent", "--parents", ref).decode()
    line: list[tuple[str, str]] = []
    for row in out.splitlines():
        parts = row.split()
        line.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return line


# Trees and changes.


def tree_files(root: Path, commit: str, prefix: str) -> list[tuple[str, str]]:
    """(path, blob) of every file under ``prefix`` in ``commit``'s tree (blobs only)."""
    out = run(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
    files = []
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        _mode, kind, blob = meta.split()
        if kind == b"blob":
            files.append((path.decode(), blob.decode()))
    return files


def list_files(root: Path, rev: str, *folders: str) -> list[tuple[str, str]]:
    """(object id, path) of every entry under ``folders`` at ``rev`` (one ``git ls-tree`` for them all)."""
    out = text(root, "ls-tree", "-r", "-z", rev, "--", *folders)
    entries = []
    for item in out.split("\0"):
        if item:
            meta, path = item.split("\t", 1)
            entries.append((meta.split()[2], path))
    return entries


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One path of a diff (``git diff --raw``): status A (added), M (modified), D (deleted),
    R (renamed, with its old path), T (type changed), C; the Git file modes before and after
    (``100644`` a file, ``100755`` an executable, ``120000`` a symbolic link, ``160000`` a submodule,
    ``000000`` none); and the object ids before and after (all zeros for none), which say what the
    path holds on either side without another look at the trees (they take no part in comparisons)."""

    status: str
    path: str
    old_path: str | None = None
    old_mode: str = "100644"
    new_mode: str = "100644"
    old_object: str = field(default="", compare=False)
    new_object: str = field(default="", compare=False)


def changes(root: Path, old: str, new: str) -> list[DiffEntry]:
    """Paths changed from ``old`` to ``new``, renames detected (``git diff -M``), with their file modes
    (submodules included whatever the configuration says)."""
    out = text(
        root,
        "diff",
        "--raw",
        "-z",
        "-M",
        "--no-abbrev",
        "--ignore-submodules=none",
        "--no-ext-diff",
        "--no-textconv",
        old,
        new,
    )
    fields = out.split("\0")
    result: list[DiffEntry] = []
    at = 0
    while at < len(fields) and fields[at]:
        meta = fields[at].lstrip(":").split()  # ":<old mode> <new mode> <old blob> <new blob> <status>"
        old_mode, new_mode, old_object, new_object, status = meta[0], meta[1], meta[2], meta[3], meta[4][0]
        if status in ("R", "C"):
            result.append(DiffEntry(status, fields[at + 2], fields[at + 1], old_mode, new_mode, old_object, new_object))
            at += 3
        else:
            result.append(DiffEntry(status, fields[at + 1], None, old_mode, new_mode, old_object, new_object))
            at += 2
    return result


def object_types(root: Path, rev: str, paths: list[str]) -> dict[str, str]:
    """The object type (``blob``, ``tree``, ``commit`` for a submodule) of each of ``paths`` that exists
    at ``rev`` (one ``git cat-file --batch-check`` for them all; nothing is read)."""
    paths = [path for path in paths if "\n" not in path]  # one name a line
    if not paths:
        return {}
    names = "".join(f"{rev}:{path}\n" for path in paths).encode()
    out = run(root, "cat-file", "--batch-check=%(objecttype)", stdin=names).decode().split("\n")
    return {path: kind for path, kind in zip(paths, out, strict=False) if kind and not kind.endswith(" missing")}


def tree_id(root: Path, rev: str, folder: str) -> str | None:
    """The id of the tree of ``folder`` at ``rev``; None when it is no folder there."""
    if "\n" in folder:
        return None
    out = run(root, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=f"{rev}:{folder}\n".encode())
    object_id, _, kind = out.decode().strip().partition(" ")
    return object_id if kind == "tree" else None


_PRINTABLE = bytes(range(0x20, 0x7F))
_ENTRY = re.compile(rb"([^\t\0]*)\t([^\0]*)\0")  # "<mode> <type> <object>\t<name>\0", the name may hold tabs


class Folder:
    """The entries directly in ``folder`` at ``rev`` (``git ls-tree``; ``""`` is the top), kept as git printed
    them and searched as bytes: a folder of 100,000 files is one call and milliseconds of search, because no
    entry is parsed unless it is asked for. The listing starts at once and runs in the background until first
    searched, so several folders are listed side by side. ``exists=False``: no folder there, nothing listed."""

    def __init__(self, root: Path, rev: str, folder: str, *, exists: bool = True) -> None:
        self.folder = folder
        self._running = Running(root, "ls-tree", "-z", f"{rev}:{folder}" if folder else rev) if exists else None
        self._raw: bytes | None = None if exists else b""
        self._lowered: bytes | None = None

    @property
    def _listing(self) -> bytes:
        if self._raw is None:
            assert self._running is not None
            self._raw = self._running.result()
        return self._raw

    def _entries(self, listing: bytes, names: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
        """(name as listed, metadata) of the entries of ``listing`` named one of ``names``, in one pass."""
        wanted = sorted(set(names))
        if not wanted:
            return
        pattern = re.compile(b"\t(" + b"|".join(re.escape(name) for name in wanted) + b")\0")
        for match in pattern.finditer(listing):
            at = match.start()
            meta = self._listing[self._listing.rfind(b"\0", 0, at) + 1 : at]
            if b"\t" not in meta:  # the tab ending an entry's metadata, not one inside another name
                yield self._listing[at + 1 : match.end() - 1], meta

    def _path(self, name: bytes) -> str:
        text = name.decode("utf-8")
        return f"{self.folder}/{text}" if self.folder else text

    def objects(self, names: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Object type and id of each of ``names`` that is an entry of the folder."""
        out = {}
        for name, meta in self._entries(self._listing, (name.encode("utf-8") for name in names)):
            _mode, kind, object_id = meta.decode().split()
            out[name.decode("utf-8")] = (kind, object_id)
        return out

    def entries(self) -> dict[str, tuple[str, str]]:
        """Object type and id of every entry of the folder, by name."""
        out = {}
        for meta, name in _ENTRY.findall(self._listing):
            _mode, kind, object_id = meta.decode().split()
            out[name.decode("utf-8", "surrogateescape")] = (kind, object_id)
        return out

    def size(self) -> int:
        """How many entries the folder holds."""
        return self._listing.count(b"\0")

    def like(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """(path, object type) of the entries whose name is one of ``names`` ignoring ASCII letter case, as
        git's ``icase`` pathspec magic compares names."""
        if self._lowered is None:
            self._lowered = self._listing.lower()  # ASCII letters only, as git's icase
        wanted = (name.encode("utf-8").lower() for name in names)
        return [(self._path(name), meta.split()[1].decode()) for name, meta in self._entries(self._lowered, wanted)]

    def odd(self) -> list[tuple[str, str]]:
        """(path, object type) of the entries whose name holds a byte outside printable ASCII (the
        ``[! -~]`` of a glob pathspec: accents, other scripts, control characters)."""
        if self._listing.translate(None, _PRINTABLE) == b"\t\0" * self._listing.count(b"\0"):
            return []  # one separating tab and NUL an entry, nothing else
        return [
            (self._path(name), meta.split()[1].decode())
            for meta, name in _ENTRY.findall(self._listing)
            if name.translate(None, _PRINTABLE)
        ]


class Folders:
    """``Folder`` listings at any revision, each made once, when first asked for (a path that is no folder at the
    revision lists nothing: ``git cat-file --batch-check`` says which are, for all asked together)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[tuple[str, str], Folder] = {}

    def start(self, rev: str, folders: Iterable[str]) -> None:
        """Start listing ``folders`` now, side by side, for later questions."""
        todo = sorted({folder for folder in folders if (rev, folder) not in self._made})
        kinds = object_types(self.root, rev, [folder for folder in todo if folder])
        for folder in todo:
            exists = not folder or kinds.get(folder) == "tree"
            self._made[(rev, folder)] = Folder(self.root, rev, folder, exists=exists)

    def __call__(self, rev: str, folder: str) -> Folder:
        self.start(rev, [folder])
        return self._made[(rev, folder)]

    def blob_ids(self, rev: str, paths: Iterable[str]) -> dict[str, str]:
        """Blob id of each of ``paths`` that is a file at ``rev``, found in the listings of their folders."""
        by_folder: dict[str, list[str]] = {}
        for path in paths:
            folder, _, name = path.rpartition("/")
            by_folder.setdefault(folder, []).append(name)
        self.start(rev, by_folder)
        found = {}
        for folder, names in by_folder.items():
            for name, (kind, object_id) in self(rev, folder).objects(names).items():
                if kind == "blob":
                    found[f"{folder}/{name}" if folder else name] = object_id
        return found


def files_under(root: Path, rev: str, folder: str) -> list[str]:
    """Paths of the entries under ``folder`` at ``rev``, at any depth (files, links, submodules)."""
    out = run(root, "ls-tree", "-r", "-z", "--name-only", f"{rev}:{folder}")
    return [f"{folder}/{name}" for name in out.decode("utf-8").split("\0") if name]


def lines_holding(root: Path, tree: str, needles: Sequence[str], folder: str) -> Running:
    """``git grep`` started for the lines that hold every one of ``needles`` (fixed strings) in the text files
    under ``folder`` of ``tree`` (binary files are skipped); its result reads ``<tree>:<path>\0<line>\n`` for
    each line, in the order of the tree and of the lines in each file. It reads every file of the folder, so it
    runs beside the caller; on one thread, as git's threads contend for its object store and cost more than
    they save (several searches run side by side instead)."""
    patterns: list[str] = []
    for needle in needles:
        patterns += ["--and", "-e", needle] if patterns else ["-e", needle]
    return Running(
        root,
        "grep",
        "--threads=1",
        "-z",
        "-I",
        "--no-color",
        "--no-line-number",
        "--no-column",
        "-F",
        *patterns,
        tree,
        "--",
        folder,
        ok=(0, 1),
    )


def changed_paths(root: Path, older: str, newer: str, folder: Path) -> set[str]:
    """Paths (relative to ``root``) under ``folder`` that any first-parent commit after ``older``
    up to ``newer`` added, modified or removed."""
    out = run(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--name-only",
        "--relative",
        "--format=",
        f"{older}..{newer}",
        "--",
        str(folder.resolve()),
    )
    return {line for line in out.decode().splitlines() if line}


def ever_deleted(root: Path, rev: str, paths: list[str]) -> set[str]:
    """Those of ``paths`` that a commit reachable from ``rev`` deleted, merge commits included.

    A merge removes a path when a parent has it and the merge does not (it resolved by dropping
    the file, or an ``-s ours`` merge left out what a side branch added): ``-m`` diffs every merge
    against each of its parents, where plain ``git log`` shows no diff for merges at all.
    ``--full-history`` keeps the side branches that history simplification would prune for
    these paths (a branch that added and deleted a file, merged where main never had it).
    The pathspec keeps it fast on long histories: git compares only the trees on these paths.
    """
    return deleted_later(root, rev, paths)()


def deleted_later(root: Path, rev: str, paths: list[str]) -> Callable[[], set[str]]:
    """``ever_deleted``, asked now: git searches the history in the background; call the result for the answer."""
    if not paths:
        return set
    running = Running(
        root,
        "log",
        "--full-history",
        "-m",
        "--diff-filter=D",
        "--no-renames",
        "--name-only",
        "--format=",
        "-z",
        rev,
        "--",
        *paths,
    )

    def answer() -> set[str]:
        out = running.result().decode("utf-8")
        return {path for path in out.replace("\n", "\0").split("\0") if path}

    return answer


def tracked_files(root: Path) -> list[str]:
    """Every path the repository at ``root`` tracks (``git ls-files``: its index), relative to ``root``."""
    out = run(root, "ls-files", "-z", "--full-name")
    return [path.decode("utf-8", "replace") for path in out.split(b"\0") if path]


def files_mentioning(root: Path, rev: str, needles: list[str], folders: list[str]) -> list[str]:
    """Paths under ``folders`` at ``rev`` whose text contains any of ``needles``."""
    if not needles:
        return []
    args = ["grep", "-l", "-F", "-z", "--no-color"]
    for needle in needles:
        args += ["-e", needle]
    out = text(root, *args, rev, "--", *folders, ok=(0, 1))
    prefix = f"{rev}:"
    return [item.removeprefix(prefix) for item in out.split("\0") if item]


# Blobs.


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of many blobs through one ``git cat-file --batch`` (missing ones left out)."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    out = run(root, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        contents[blob] = out[position : position + size]
        position += size + 1
    return contents


def scan_blobs(root: Path, blobs: Sequence[str], read: Callable[[bytes], str], *, workers: int = 2) -> dict[str, str]:
    """``read(content)`` of each of ``blobs`` (missing ones left out), streamed through ``git cat-file --batch``
    so no content is kept, in ``workers`` processes side by side, each over a contiguous slice.

    Asked in the order given: blobs named in the order they were committed lie near each other in a pack,
    where git resolves their deltas from a warm cache; sorted by id they lie anywhere, and reading 450,000
    of them takes five times as long."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    count = max(1, min(workers, len(wanted) // 20_000 or 1))
    size = -(-len(wanted) // count)
    slices = [wanted[start : start + size] for start in range(0, len(wanted), size)]
    if len(slices) == 1:
        return _scan_slice(root, slices[0], read)
    out: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(slices)) as pool:
        for part in pool.map(lambda chosen: _scan_slice(root, chosen, read), slices):
            out.update(part)
    return out


def _scan_slice(root: Path, blobs: list[str], read: Callable[[bytes], str]) -> dict[str, str]:
    process = _spawn(root, ["cat-file", "--batch"], stdin=True, quiet=True)
    assert process.stdin is not None and process.stdout is not None
    requests = "".join(f"{blob}\n" for blob in blobs).encode()

    def feed() -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(requests)
            process.stdin.close()
        except OSError:  # git stopped early: its status says why
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    out: dict[str, str] = {}
    answers = process.stdout
    for blob in blobs:
        header = answers.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            if not header:
                break
            continue
        size = int(header[2])
        out[blob] = read(answers.read(size))
        answers.read(1)  # the newline after the content
    feeder.join()
    process.stdout.close()
    if process.wait() != 0:
        raise GitError(f"git cat-file --batch failed in {root}")
    return out


class Blobs:
    """File contents at any revision, read on demand through one running ``git cat-file --batch``
    (requests pipelined, answers cached)."""

    def __init__(self, root: Path) -> None:
        self._process = _spawn(root, ["cat-file", "--batch"], stdin=True, quiet=False)
        self._cache: dict[str, bytes | None] = {}

    def read(self, rev: str, path: str) -> bytes | None:
        """The bytes of ``path`` at ``rev``, or None when it is not a file there."""
        return self.object(f"{rev}:{path}")

    def object(self, name: str) -> bytes | None:
        """The bytes of the blob ``name`` (a blob id, or ``rev:path``), or None when there is none."""
        if name not in self._cache:
            self.prefetch([name])
        return self._cache[name]

    def prefetch(self, names: list[str]) -> None:
        """Read many blobs in one round trip (requests are pipelined through the batch process)."""
        wanted = [name for name in dict.fromkeys(names) if name not in self._cache]
        if not wanted:
            return
        stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]
        for start in range(0, len(wanted), 300):  # bounded, so neither pipe fills up while the other waits
            chunk = wanted[start : start + 300]
            stdin.write("".join(f"{name}\n" for name in chunk).encode())
            stdin.flush()
            for name in chunk:
                header = stdout.readline().decode().split()
                value: bytes | None = None
                if len(header) == 3:
                    body = stdout.read(int(header[2]))
                    stdout.read(1)
                    value = body if header[1] == "blob" else None
                self._cache[name] = value

    @property
    def objects_read(self) -> int:
        return len(self._cache)

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: builtins.object) -> None:
        self.close()


# The work tree.


def tracks(root: Path, folder: Path) -> bool:
    """True when the repository at ``root`` tracks at least one file under ``folder``
    (a registry inside another project's worktree, ignored there, has no history of its own).

    Reads only the start of ``git ls-files``: a national registry lists hundreds of thousands.
    """
    try:
        with _spawn(root, ["ls-files", "-z", "--", str(folder.resolve())], stdin=False, quiet=True) as listing:
            first = listing.stdout.read(1) if listing.stdout else b""
            listing.kill()
    except (OSError, GitError):
        return False
    return bool(first)


def gitlinks(root: Path, paths: Sequence[str]) -> set[str]:
    """Those of ``paths`` (relative to ``root``) that the index of the repository at ``root`` records as
    submodules (gitlinks, mode 160000); none when ``root`` is not a repository's root or git is missing.
    For the few folders a layout scan finds where no folder belongs: one ``git ls-files`` for them all."""
    if not paths or not (root / ".git").exists():
        return set()
    wanted = set(paths)
    found: set[str] = set()
    for start in range(0, len(paths), 2000):
        specs = [f":(literal){path}" for path in paths[start : start + 2000]]
        try:
            out = run(root, "ls-files", "-s", "-z", "--", *specs).decode("utf-8", "surrogateescape")
        except GitError:
            return set()
        for entry in out.split("\0"):
            meta, _, path = entry.partition("\t")
            if meta.startswith("160000 ") and path in wanted:
                found.add(path)
    return found


def unclean(root: Path, folder: Path) -> set[str]:
    """The files under ``folder`` (paths relative to ``root``) whose working copy may differ from
    what the head commit holds: changed in the work tree or in the index (conflicts and files
    intended to add included), and every file Git does not track (untracked or ignored). Every
    other file there is exactly as the head commit has it: its content is known from the commit
    alone. As Git decides it (``git diff-files``, which trusts its index's stat data and hashes only
    what that cannot vouch for; ``git diff-index --cached``; ``git ls-files --others``)."""
    return unclean_later(root, folder)()


def unclean_later(root: Path, folder: Path) -> Callable[[], set[str]]:
    """``unclean``, with git asked now (on three threads, while the caller goes on) and its
    answers read when the returned function is called."""
    target = str(folder.resolve())
    pool = ThreadPoolExecutor(3)
    asked = [
        pool.submit(run, root, "diff-files", "--name-only", "-z", "--relative", "--", target),
        pool.submit(run, root, "diff-index", "--cached", "--name-only", "-z", "--relative", "HEAD", "--", target),
        pool.submit(run, root, "ls-files", "--others", "-z", "--", target),
    ]
    pool.shutdown(wait=False)  # they run on; nothing else is asked of the pool

    def answer() -> set[str]:
        found: set[str] = set()
        for question in asked:
            found.update(question.result().decode("utf-8", "surrogateescape").split("\0"))
        found.discard("")
        return found

    return answer
