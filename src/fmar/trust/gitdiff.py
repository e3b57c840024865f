"""The Git edge of the gate: revisions, the files a change touches, and blobs read from any revision.

Everything goes through the git command line (no work tree is checked out or touched), and
every read is sized by the change: blobs are read one by one through one ``git cat-file --batch``
process, folders listed with ``git ls-tree``, referrers found with ``git grep`` on a revision.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any


class GitError(Exception):
    """Git could not answer (unknown revision, not a repository)."""


def git(root: Path, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(
        ["git", "-c", "core.quotePath=false", *args], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode not in ok:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def resolve(root: Path, ref: str) -> str:
    """The commit id of ``ref``."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError(f"{ref!r} is not a commit in {root}") from None


def merge_base(root: Path, base: str, head: str) -> str:
    return git(root, "merge-base", base, head).strip()


def commit_time(root: Path, rev: str) -> datetime:
    return datetime.fromisoformat(git(root, "log", "-1", "--format=%cI", rev).strip())


@dataclass(frozen=True, slots=True)
class Change:
    """One changed path: status A (added), M (modified), D (deleted), R (renamed, with old path), T, C."""

    status: str
    path: str
    old_path: str | None = None


def changes(root: Path, old: str, new: str) -> list[Change]:
    """Paths changed from ``old`` to ``new``, renames detected (``git diff -M``)."""
    out = git(root, "diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", old, new)
    fields = out.split("\0")
    result: list[Change] = []
    at = 0
    while at < len(fields) and fields[at]:
        status = fields[at][0]
        if status in ("R", "C"):
            result.append(Change(status, fields[at + 2], fields[at + 1]))
            at += 3
        else:
            result.append(Change(status, fields[at + 1]))
            at += 2
    return result


def list_files(root: Path, rev: str, folder: str) -> list[tuple[str, str]]:
    """(blob id, path) of the files under ``folder`` at ``rev``."""
    out = git(root, "ls-tree", "-r", "-z", rev, "--", folder)
    entries = []
    for item in out.split("\0"):
        if item:
            meta, path = item.split("\t", 1)
            entries.append((meta.split()[2], path))
    return entries


def blob_ids(root: Path, rev: str, paths: list[str]) -> dict[str, str]:
    """Blob id of each of ``paths`` that is a file at ``rev`` (one ``git ls-tree`` for them all).

    Resolving ``rev:path`` one by one re-reads the tree of a large folder every time; this reads it once.
    """
    found: dict[str, str] = {}
    for start in range(0, len(paths), 2000):
        out = git(root, "ls-tree", "-z", rev, "--", *paths[start : start + 2000])
        for item in out.split("\0"):
            if item:
                meta, path = item.split("\t", 1)
                kind, blob = meta.split()[1:3]
                if kind == "blob":
                    found[path] = blob
    return found


def files_mentioning(root: Path, rev: str, needles: list[str], folders: list[str]) -> list[str]:
    """Paths under ``folders`` at ``rev`` whose text contains any of ``needles``."""
    if not needles:
        return []
    args = ["grep", "-l", "-F", "-z", "--no-color"]
    for needle in needles:
        args += ["-e", needle]
    out = git(root, *args, rev, "--", *folders, ok=(0, 1))
    prefix = f"{rev}:"
    return [item.removeprefix(prefix) for item in out.split("\0") if item]


def ever_deleted(root: Path, rev: str, paths: list[str]) -> set[str]:
    """Those of ``paths`` that a commit reachable from ``rev`` deleted."""
    if not paths:
        return set()
    out = git(root, "log", "--diff-filter=D", "--no-renames", "--name-only", "--format=", "-z", rev, "--", *paths)
    return {path for path in out.replace("\n", "\0").split("\0") if path}


class Blobs:
    """File contents at any revision, read through one ``git cat-file --batch`` process."""

    def __init__(self, root: Path) -> None:
        self._process = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self._cache: dict[str, bytes | None] = {}
        #: Parsed files by (blob id, path), shared by every revision read through these blobs.
        self.parsed: dict[tuple[str, str], Any] = {}

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

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
