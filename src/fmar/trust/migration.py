"""The change that moves a registry from its first, flat layout to the layout of ``fmar.core.record_paths``.

Records are never renamed (``RECORD_RENAMED``), with one exception: the registry operator's move of
every record from ``registry/<kind>/<id>.yaml`` to its own path, which ``fmar migrate layout`` makes.
The gate recognises such a change by its first move and then judges it as nothing else:

* every entry of the change is a pure rename (same blob, same mode 100644) from a record's flat
  path to its own path, and nothing else is in it (``LAYOUT_MIGRATION_MIXED``): no record's bytes
  or signature change, so every signature, recorded time and history stays what it was;
* no record is left at a flat path after it (``LAYOUT_MIGRATION_MIXED``): one change, not a slow
  drift;
* every commit of the change is signed with a key that the registry operator's party record on the
  base branch publishes and that is valid at the time of the check
  (``LAYOUT_MIGRATION_NOT_BY_OPERATOR``). Git checks the commit signatures (SSH signatures,
  ``gpg.format=ssh``) against an allowed-signers file made from those keys alone, so neither the
  change nor the machine's configuration can add a signer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from fmar.core.catalogue import LAYOUT_MIGRATION_MIXED, LAYOUT_MIGRATION_NOT_BY_OPERATOR
from fmar.core.findings import Problem, Rule
from fmar.core.model import KINDS, Party
from fmar.core.record_paths import flat_path, parse
from fmar.gitrepo import DiffEntry, Folders, GitError, text
from fmar.trust.revision import REGISTRY

_FILE = "100644"


def _moved(change: DiffEntry) -> bool:
    """A pure rename of a record from its flat path to its own path."""
    if change.status != "R" or not change.old_path or not change.path.startswith(f"{REGISTRY}/"):
        return False
    found = parse(change.path[len(REGISTRY) + 1 :])
    return (
        found is not None
        and found.canonical
        and change.old_path == f"{REGISTRY}/{flat_path(found.kind, found.id)}"
        and change.old_object == change.new_object
        and change.old_mode == change.new_mode == _FILE
    )


def is_migration(changes: Iterable[DiffEntry]) -> bool:
    """True when the change moves at least one record from its flat path to its own path."""
    return any(_moved(change) for change in changes)


def _problem(rule: Rule, message: str, hint: str) -> Problem:
    return Problem(rule, message, hint, (), 1, 1)


def check(
    root: Path,
    commits: tuple[str, str],
    changes: list[DiffEntry],
    parties: Mapping[str, Party],
    now: datetime,
    folders: Folders,
) -> list[tuple[str, Problem]]:
    """What is wrong with a layout migration from ``commits`` (fork, head): see the module's rules."""
    fork, head = commits
    out: list[tuple[str, Problem]] = []
    for change in changes:
        if not _moved(change):
            what = f"{change.old_path} -> {change.path}" if change.old_path else change.path
            out.append(
                (
                    change.path,
                    _problem(
                        LAYOUT_MIGRATION_MIXED,
                        f"a layout migration holds only pure moves of records to their own paths, not {what} "
                        f"({change.status})",
                        "make the migration alone (fmar migrate layout, committed as it is) and this change "
                        "in a pull request of its own",
                    ),
                )
            )
    for kind in sorted(KINDS):
        for name, (object_type, _) in folders(head, f"{REGISTRY}/{kind}").entries().items():
            found = parse(f"{kind}/{name}") if object_type == "blob" else None
            if found is not None and not found.canonical:
                right = f"{REGISTRY}/{found.right_path}"
                out.append(
                    (
                        f"{REGISTRY}/{kind}/{name}",
                        _problem(
                            LAYOUT_MIGRATION_MIXED,
                            f"the layout migration leaves this record at its flat path instead of {right}",
                            "move every record in the one change: run fmar migrate layout on the base branch",
                        ),
                    )
                )
    out += _signatures(root, fork, head, parties, now)
    return out


def allowed_signers(parties: Mapping[str, Party], now: datetime) -> list[str]:
    """Lines of a Git allowed-signers file: the keys of the operator's party records valid at ``now``."""
    lines = []
    for party in sorted(parties.values(), key=lambda p: p.id):
        if party.role.value != "operator":
            continue
        for key in party.keys:
            if key.revoked_at is not None and key.revoked_at <= now:
                continue
            if key.valid_from > now or (key.valid_until is not None and key.valid_until < now):
                continue
            lines.append(f'{party.id} namespaces="git" {key.public_key}')
    return lines


def _signatures(
    root: Path, fork: str, head: str, parties: Mapping[str, Party], now: datetime
) -> list[tuple[str, Problem]]:
    """Every commit from ``fork`` to ``head`` signed by a valid operator key (git's own verification)."""
    lines = allowed_signers(parties, now)
    with tempfile.TemporaryDirectory(prefix="fmar-signers-") as folder:
        signers = Path(folder) / "allowed_signers"
        signers.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        try:
            log = text(
                root,
                "-c",
                f"gpg.ssh.allowedSignersFile={signers}",
                "log",
                "--format=%H%x00%G?%x00%GS",
                f"{fork}..{head}",
            )
        except GitError as error:
            why = f"cannot check the commit signatures: {error}"
            return [(REGISTRY, _problem(LAYOUT_MIGRATION_NOT_BY_OPERATOR, why, "install ssh-keygen (OpenSSH)"))]
    out = []
    operators = {line.split(" ", 1)[0] for line in lines}
    for row in log.splitlines():
        commit, status, signer = [*row.split("\0"), "", ""][:3]
        if status == "G" and signer in operators:
            continue
        out.append(
            (
                REGISTRY,
                _problem(
                    LAYOUT_MIGRATION_NOT_BY_OPERATOR,
                    f"commit {commit[:12]} of the layout migration is not signed by a valid key of the registry "
                    f"operator ({_STATUS.get(status, status)})",
                    "the operator commits the migration signed with its SSH key: fmar migrate layout --commit "
                    "--key PATH",
                ),
            )
        )
    return out


_STATUS = {
    "N": "no signature",
    "B": "a bad signature",
    "U": "signed by a key that is not the operator's",
    "E": "signed by a key that is not the operator's",
    "X": "an expired signature",
    "Y": "signed by an expired key",
    "R": "signed by a revoked key",
}
