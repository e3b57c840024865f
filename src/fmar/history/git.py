"""The git command line, run the few ways the history needs it. I/O lives here and nowhere else."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from fmar.history import staged
from fmar.loading.layout import stamp as layout_stamp

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


#: Beyond this many files whose stat data cannot tell, git's own ``diff-files`` of the whole folder is
#: cheaper than hashing their contents.
_CONTENT_CHECKS = 5000


def clean_blobs(root: Path, folder: Path, files: Sequence[tuple[str, str, int, int]]) -> list[str | None]:
    """The blob id of each record file of the layout scan of ``folder`` (``files``: ``Layout.files``,
    paths relative to ``root``) whose working copy is what the index holds (its content's identity,
    the same in every clone), None for the others.

    The index is read here (``staged``) and compared with the layout's sizes and stamps, instead of
    ``git diff-files`` stat-ing every file a second time. A file the stat data git recorded with its
    blob cannot vouch for (written since, or too recently to tell) is hashed as ``git add`` would
    store it and keeps the staged blob only if equal. When that is a great many files, or the index
    is one ``staged`` does not read, git decides everything (``git ls-files`` + ``git diff-files``)."""
    index = _index(root)
    found = None
    if index is not None:
        data, hash_size, prefix, written = index
        found = staged.clean(data, hash_size, prefix, files, layout_stamp, written)
    if found is None or len(found[1]) > _CONTENT_CHECKS:
        by_git = _clean_blobs_by_git(root, folder)
        return [by_git.get(rel) for rel, _, _, _ in files]
    blobs, unsure = found
    if unsure:
        for (at, blob), now in zip(unsure, _hashes(root, [files[at][0] for at, _ in unsure]), strict=True):
            blobs[at] = blob if now == blob else None
    return blobs


def _hashes(root: Path, paths: list[str]) -> list[str | None]:
    """The blob id each file (relative to ``root``) would be staged as now, None for one git cannot hash."""
    if any("\n" in path for path in paths):
        return [None] * len(paths)
    try:
        out = run(root, "hash-object", "--stdin-paths", stdin=b"".join(os.fsencode(path) + b"\n" for path in paths))
    except GitError:
        return [None] * len(paths)
    hashes: list[str | None] = [line.decode() for line in out.split()]
    return hashes if len(hashes) == len(paths) else [None] * len(paths)


def _index(root: Path) -> tuple[bytes, int, str, int] | None:
    """(the index file's bytes, the length of object ids, the prefix of ``root`` in the worktree, when
    the index was written), or None when git cannot say where the index is or how long object ids are."""
    try:
        prefix, index_path, object_format = (
            run(root, "rev-parse", "--show-prefix", "--git-path", "index", "--show-object-format")
            .decode()
            .split("\n")[:3]
        )
    except (GitError, ValueError):
        return None
    hash_size = {"sha1": 20, "sha256": 32}.get(object_format)
    if hash_size is None:
        return None
    try:
        with (root / index_path).open("rb") as handle:
            return handle.read(), hash_size, prefix, os.fstat(handle.fileno()).st_mtime_ns
    except OSError:
        return None


def _clean_blobs_by_git(root: Path, folder: Path) -> dict[str, str]:
    """``clean_blobs`` as git itself decides it: ``git ls-files`` and ``git diff-files``."""
    target = str(folder.resolve())
    listed = run(root, "ls-files", "-s", "-z", "--", target)
    dirty = set(run(root, "diff-files", "--name-only", "-z", "--relative", "--", target).split(b"\0"))
    out = {}
    for entry in listed.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        if path not in dirty:
            out[path.decode()] = meta.split()[1].decode()
    return out
