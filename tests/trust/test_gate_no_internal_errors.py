"""No record a contributor can commit makes ``fmar check`` fail with an internal error.

A real repository: main holds the bundled registry, and each example commits one mutated record
(``tests.core.mutations``) on a pull-request branch, in place of the original or as a new record,
re-signed by its original signer (so the checks past the signature run) or not. The gate answers
with exit status 0, 1 or 2 and findings, never an exception. Fewer examples than the file-level
test: each one commits and runs the gate.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import EXAMPLE_KEYS, GitRepo
from tests.core.mutations import Mutant, handled, hostile_settings, invoke, mutants, signer_of
from trust_scenario import PR_AT, Scenario

NOW = PR_AT + timedelta(hours=1)


@dataclass
class Change:
    """A mutated record, where the pull request puts it, and whether its author re-signed it."""

    mutant: Mutant
    path: str
    signed: bool

    def __repr__(self) -> str:
        return f"Change(path={self.path!r}, signed={self.signed}, mutant={self.mutant!r})"


def _another_id(path: str) -> str:
    """The path of a record of the same kind with another id (the last character changed)."""
    stem = path.rsplit("/", 1)[1].removesuffix(".yaml")
    last = stem[-1]
    other = str((int(last) + 1) % 10) if last.isdigit() else ("Y" if last == "Z" else "Z")
    return path.replace(stem, stem[:-1] + other)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    mutant = draw(mutants())
    path = _another_id(mutant.path) if draw(st.booleans()) else mutant.path
    if path != mutant.path:
        old, new = (p.rsplit("/", 1)[1].removesuffix(".yaml") for p in (mutant.path, path))
        raw = re.sub(re.escape(old).encode(), new.encode(), mutant.raw)
        mutant = Mutant(path, raw, [*mutant.steps, "new id"], mutant.path)
    return Change(mutant, path, draw(st.booleans()))


def test_check_never_fails_internally() -> None:
    with tempfile.TemporaryDirectory(prefix="fmar-hostile-gate-") as folder:
        scenario = Scenario(GitRepo(Path(folder) / "repo"))
        repo, root = scenario.repo, scenario.root
        with contextlib.chdir(root):

            @hostile_settings(120)
            @given(change=changes())
            def check(change: Change) -> None:
                repo.git("checkout", "-q", "-f", "-B", "pr", "main")
                repo.git("clean", "-q", "-f", "-d")
                target = root / change.path
                target.write_bytes(change.mutant.raw)
                if change.signed:
                    signer = signer_of(change.mutant)
                    key = str(EXAMPLE_KEYS / f"{signer}.key")
                    at = (PR_AT - timedelta(minutes=1)).isoformat()
                    handled(invoke("sign", str(target), "--key", key, "--signer", signer, "--at", at), change.mutant)
                repo.commit_all("the change", when=NOW)
                result = invoke("check", "--base", "main", "--format", "json", "--now", NOW.isoformat())
                handled(result, change.mutant)

            check()
