"""What a build remembers for the next one: every unit's facts and which files made them.

Kept in fmar's cache folder (outside the repository and the published site), under a name
derived from the output folder. It is used only when it belongs to the site now in that
folder (the site carries the state's token: a digest of the build's inputs), was made by the same fmar code with
the same options, and the registry's history only moved forward since; otherwise the build
starts from nothing. Files are known by (size, modification time), as the validation cache
knows them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fmar.cache import Cache
from fmar.loading.record_file import LoadedFile
from fmar.publish.facts import ChangeRow, UnitFacts, restored, stored

#: Kinds whose records every unit group may refer to: always loaded whole.
REFERENCE_KINDS = frozenset({"party", "product", "process"})
#: File in the output folder naming the state it was built with.
TOKEN_FILE = ".fmar-build-token"


@dataclass
class BuildState:
    token: str
    #: What makes two builds comparable: code, options and registry location.
    signature: str
    as_of: datetime
    head: str | None
    #: rel -> (size, stamp) of every record file at the build.
    stamps: dict[str, tuple[int, int]]
    #: rel -> the unit whose group the file's record belongs to ("" for reference records).
    group_of: dict[str, str]
    #: Application id -> unit id.
    application_unit: dict[str, str]
    #: The reference records' files as loaded (parties, products, processes).
    reference: dict[str, LoadedFile]
    facts: dict[str, UnitFacts]
    #: Changes of records that are neither reference records nor in a unit group (removed ones).
    removed_changes: list[ChangeRow] = field(default_factory=list)
    #: The latest recorded time of any record (the default as-of time without Git).
    latest: datetime | None = None

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for rel, unit in self.group_of.items():
            out.setdefault(unit, []).append(rel)
        return out


def state_name(out: Path) -> str:
    return "build-" + hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:20] + ".pickle"


def load_state(cache: Cache, out: Path, signature: str) -> BuildState | None:
    """The state of the site now in ``out``, if it can be trusted for this build."""
    try:
        token = (out / TOKEN_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    state = cache.load(state_name(out))
    if not isinstance(state, BuildState) or state.token != token or state.signature != signature:
        return None
    state.facts = {unit: restored(values) for unit, values in state.facts.items()}  # type: ignore[arg-type]
    return state


def save_state(cache: Cache, out: Path, state: BuildState) -> None:
    facts = state.facts
    state.facts = {unit: stored(f) for unit, f in facts.items()}  # type: ignore[misc]
    try:
        cache.save(state_name(out), state)
    finally:
        state.facts = facts


def forget_state(cache: Cache, out: Path) -> None:
    path = cache.directory / state_name(out)
    path.unlink(missing_ok=True)
