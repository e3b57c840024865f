"""Move a registry's record files to the paths ``fmar.core.record_paths`` gives them: ``fmar migrate layout``.

Only renames: no file is opened for writing, so no record's bytes or signature change. In a Git work tree
the renames are staged too, by rewriting the index entries (mode and blob kept), without hashing any file;
with a key, the move is committed as one commit signed with it (an SSH commit signature, which the gate
checks against the operator's keys: ``fmar.trust.migration``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fmar import gitrepo
from fmar.core import record_paths
from fmar.core.model import KINDS


class NotRenamesAlone(Exception):
    """The registry's files differ from what Git has committed: moving them would not be renames alone."""


@dataclass(frozen=True, slots=True)
class Move:
    """One record file to move, by paths relative to the registry folder."""

    kind: str
    id: str
    old: str
    new: str


@dataclass
class Plan:
    """The moves that put every record file at its own path, and the files that stay where they are."""

    moves: list[Move] = field(default_factory=list)
    #: (path relative to the registry folder, why it is not moved)
    left: list[tuple[str, str]] = field(default_factory=list)
    #: Record files already at their own path.
    in_place: int = 0


def plan(registry: Path) -> Plan:
    """What ``migrate`` would do to the registry folder ``registry`` (nothing is changed)."""
    out = Plan()
    targets: dict[str, str] = {}
    for kind in sorted(KINDS):
        folder = registry / kind
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                rel = Path(dirpath, name).relative_to(registry).as_posix()
                found = record_paths.parse(rel)
                if found is None:
                    out.left.append((rel, f"not a {kind} record file (<id>.yaml): fmar validate says what it is"))
                elif found.canonical:
                    out.in_place += 1
                elif found.right_path in targets or (registry / found.right_path).exists():
                    out.left.append((rel, f"{found.right_path} is taken by another file: keep one of the two"))
                else:
                    targets[found.right_path] = rel
                    out.moves.append(Move(kind, found.id, rel, found.right_path))
    return out


def migrate(root: Path, registry: Path, moves: list[Move]) -> bool:
    """Rename the files of ``moves`` in ``registry`` (inside ``root``); in a Git work tree whose index holds
    them, stage the renames too. True when they were staged."""
    prefix = registry.resolve().relative_to(root.resolve()).as_posix()
    staged = _index_entries(root, prefix, moves) if gitrepo.is_repository(root) and moves else {}
    if moves and gitrepo.is_repository(root) and not staged:
        raise NotRenamesAlone(
            f"{prefix}/ holds changes Git has not committed (or files it does not track): commit or stash them "
            "first, so that the migration is renames alone"
        )
    for move in moves:
        target = registry / move.new
        target.parent.mkdir(parents=True, exist_ok=True)
        (registry / move.old).rename(target)
    _remove_empty_folders(registry, {str(Path(move.old).parent) for move in moves})
    if not staged:
        return False
    lines = []
    for move in moves:
        mode, blob = staged[move.old]
        lines.append(f"0 {'0' * 40}\t{prefix}/{move.old}\n")
        lines.append(f"{mode} {blob}\t{prefix}/{move.new}\n")
    gitrepo.run(root, "update-index", "--index-info", stdin="".join(lines).encode("utf-8"))
    return True


def _index_entries(root: Path, prefix: str, moves: list[Move]) -> dict[str, tuple[str, str]]:
    """(mode, blob) of each file of ``moves`` as the Git index records it; empty unless it records every one
    unchanged (a file the index does not know or that differs from it would be staged as something else)."""
    listing = gitrepo.run(root, "ls-files", "-s", "-z", "--", prefix)
    entries = {}
    for item in listing.split(b"\0"):
        if item:
            meta, path = item.split(b"\t", 1)
            mode, blob, _stage = meta.decode().split()
            entries[path.decode("utf-8")[len(prefix) + 1 :]] = (mode, blob)
    modified = gitrepo.run(root, "diff", "--name-only", "-z", "--", prefix).split(b"\0")
    if any(move.old not in entries for move in moves) or any(path for path in modified):
        return {}
    return {move.old: entries[move.old] for move in moves}


def _remove_empty_folders(registry: Path, folders: set[str]) -> None:
    for folder in sorted(folders, key=len, reverse=True):
        path = registry / folder
        while path != registry and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            path = path.parent


def commit(root: Path, message: str, key: Path | None) -> str:
    """Commit what is staged, signed with the SSH private key at ``key`` when given; the new commit's id."""
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key.resolve()}"] if key is not None else []
    gitrepo.run(root, *signing, "commit", "--quiet", "--no-verify", *(["-S"] if key else []), "-m", message)
    return gitrepo.text(root, "rev-parse", "HEAD").strip()
