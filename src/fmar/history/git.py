"""The git command line, run the few ways the history needs it. I/O lives here and nowhere else."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: What to tell someone whose clone lacks history.
UNSHALLOW_FIX = (
    "fetch the whole history: in GitHub Actions use actions/checkout with 'fetch-depth: 0', "
    "locally run 'git fetch --unshallow'"
)


class GitError(Exception):
    """git could not answer: not a repository, an unknown revision, a shallow clone."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("LC_ALL", "C")
    return env


def run(root: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    """stdout of ``git -C root args``; GitError with git's own message on failure."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=off", *args],
            input=stdin,
            capture_output=True,
            env=_env(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed; install git to read the registry's history") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def is_repository(root: Path) -> bool:
    try:
        return run(root, "rev-parse", "--is-inside-work-tree", check=True).strip() == b"true"
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
        return run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"{ref!r} names no commit in {root}") from None


def has_commit(root: Path, commit: str) -> bool:
    try:
        run(root, "cat-file", "-e", f"{commit}^{{commit}}")
    except GitError:
        return False
    return True


def first_parent_line(root: Path, ref: str) -> list[tuple[str, str]]:
    """(commit, first parent or "") along the first-parent line of ``ref`` (or a range ``a..b``), newest first."""
    out = run(root, "rev-list", "--first-parent", "--parents", ref).decode()
    line: list[tuple[str, str]] = []
    for row in out.splitlines():
        parts = row.split()
        line.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return line


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of many blobs through one ``git cat-file --batch``."""
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


def tree_files(root: Path, commit: str, prefix: str) -> list[tuple[str, str]]:
    """(path, blob) of every file under ``prefix`` in ``commit``'s tree."""
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


def tracks(root: Path, folder: Path) -> bool:
    """True when the repository at ``root`` tracks at least one file under ``folder``
    (a registry inside another project's worktree, ignored there, has no history of its own).

    Reads only the start of ``git ls-files``: a national registry lists hundreds of thousands.
    """
    command = ["git", "-C", str(root), "ls-files", "-z", "--", str(folder.resolve())]
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env()) as listing:
            first = listing.stdout.read(1) if listing.stdout else b""
            listing.kill()
    except OSError:
        return False
    return bool(first)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """True when ``older`` is ``newer`` or one of its ancestors."""
    try:
        run(root, "merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False
    return True


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


_STAGED = re.compile(r"[0-7]+ ([0-9a-f]+) [0-3]\t([^\0]*)\0")


def clean_blobs(root: Path, folder: Path, files: Sequence[tuple[str, str, int, int]]) -> list[str | None]:
    """The blob id of each record file of the layout scan of ``folder`` (``files``: ``Layout.files``,
    paths relative to ``root``) whose working copy is what the index holds (its content's identity,
    the same in every clone), None for the others: as git decides it (``git ls-files`` and
    ``git diff-files``, which trusts its index's stat data and hashes only what that cannot vouch for)."""
    return clean_blobs_later(root, folder)(files)


def clean_blobs_later(root: Path, folder: Path) -> Callable[[Sequence[tuple[str, str, int, int]]], list[str | None]]:
    """``clean_blobs``, with git asked now (on two threads, while the caller scans the folder itself)
    and its answers read when the returned function is called with the scan's files."""
    target = str(folder.resolve())
    pool = ThreadPoolExecutor(2)
    listed = pool.submit(run, root, "ls-files", "-s", "-z", "--", target)
    dirty = pool.submit(run, root, "diff-files", "--name-only", "-z", "--relative", "--", target)
    pool.shutdown(wait=False)  # the two run on; nothing else is asked of the pool

    def answer(files: Sequence[tuple[str, str, int, int]]) -> list[str | None]:
        text = listed.result().decode("utf-8", "surrogateescape")
        blobs = {path: blob for blob, path in _STAGED.findall(text)}  # "<mode> <blob> <stage>\t<path>\0"
        for path in dirty.result().decode("utf-8", "surrogateescape").split("\0"):
            blobs.pop(path, None)
        return [blobs.get(rel) for rel, _, _, _ in files]

    return answer
