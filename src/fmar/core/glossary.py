"""The building-block catalogue as any version of the toolkit published it, and its raw JSON glossary.

The registry holds the current catalogue (the process records) and the toolkit's version history
with the edits each version made (``fmar.core.model.toolkit``). The catalogue of an earlier version
is the current one with the edits of every later version undone, latest first. Blocks are numbered
by their place in their phase, as the toolkit numbers them (``BLOCK_CODE_PHASE`` holds the current
catalogue to it), so undoing an edit renumbers the blocks after it: undoing v1.5's condensation of
R.1 to R.3 into R.1 Register Counterparty gives back R.1, R.2 and R.3 and moves the next block
from R.2 to R.4.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from fmar.core.model.process import PHASES, Phase, Process
from fmar.core.model.toolkit import BlockAdded, BlockRenamed, BlocksCondensed, Edit, PhaseRenamed, Toolkit

#: The raw glossary: phase key -> blocks in order, each ``{"code": "Q.7", "process": "Qualify Units"}``.
Glossary = dict[str, list[dict[str, str]]]


class NotInHistory(ValueError):
    """An edit of the toolkit's history does not fit the catalogue (``TOOLKIT_EDIT_UNKNOWN`` says which)."""


@dataclass
class _Block:
    #: Its code in the current catalogue; None for a block that no longer exists under any code.
    current: str | None
    name: str


@dataclass
class _Phase:
    phase: Phase
    key: str
    letter: str
    blocks: list[_Block] = field(default_factory=list)


def version_key(version: str) -> tuple[int, ...]:
    """``"2.1"`` -> ``(2, 1)``: versions compare by their numbers."""
    return tuple(int(part) for part in version.split("."))


def _current(processes: Mapping[str, Process]) -> list[_Phase]:
    phases = []
    for info in PHASES:
        in_phase = sorted((p for p in processes.values() if p.phase == info.phase), key=lambda p: (p.order, p.id))
        phases.append(_Phase(info.phase, info.key, info.letter, [_Block(p.id, p.name) for p in in_phase]))
    return phases


def _find(phases: list[_Phase], code: str) -> tuple[_Phase, int]:
    for phase in phases:
        for index, block in enumerate(phase.blocks):
            if block.current == code:
                return phase, index
    raise NotInHistory(f"{code} is not in the catalogue at that point of the history")


def _undo(phases: list[_Phase], edit: Edit) -> None:
    """Undo one edit: the catalogue as it was just before the version that made it."""
    if isinstance(edit, PhaseRenamed):
        phase = next(p for p in phases if p.phase == edit.phase)
        phase.key, phase.letter = edit.was, edit.letter
        return
    phase, index = _find(phases, edit.block)
    if isinstance(edit, BlockAdded):
        del phase.blocks[index]
    elif isinstance(edit, BlockRenamed):
        phase.blocks[index].name = edit.was
    elif isinstance(edit, BlocksCondensed):
        phase.blocks[index : index + 1] = [_Block(None, name) for name in edit.was]


def catalogue_of(processes: Mapping[str, Process], toolkit: Toolkit, version: str) -> list[_Phase]:
    """The phases and their blocks as ``version`` of ``toolkit`` published them; KeyError for a
    version the toolkit does not have, ``NotInHistory`` when an edit does not fit the catalogue."""
    numbers = [v.version for v in toolkit.versions]
    if version not in numbers:
        raise KeyError(version)
    phases = _current(processes)
    for later in reversed(toolkit.versions[numbers.index(version) + 1 :]):
        for edit in reversed(later.edits):
            _undo(phases, edit)
    return phases


def check_history(processes: Mapping[str, Process], toolkit: Toolkit) -> None:
    """Undo every version's edits, latest first, down to before the first version: ``NotInHistory``
    (naming the version) when an edit names a block that is not in the catalogue of its version."""
    phases = _current(processes)
    for version in reversed(toolkit.versions):
        for edit in reversed(version.edits):
            try:
                _undo(phases, edit)
            except NotInHistory as exc:
                raise NotInHistory(f"version {version.version}: {exc}") from None


def glossary(processes: Mapping[str, Process], toolkit: Toolkit, version: str) -> Glossary:
    """The raw JSON glossary of ``version``: each phase's key and its blocks in order, numbered by place."""
    return {
        phase.key: [{"code": f"{phase.letter}.{n}", "process": block.name} for n, block in enumerate(phase.blocks, 1)]
        for phase in catalogue_of(processes, toolkit, version)
    }


def glossary_text(entries: Glossary) -> str:
    """The glossary laid out as the toolkit publishes it: two-space indents, one block a line."""
    phases = []
    for key, blocks in entries.items():
        lines = ",\n".join(
            f"    {{ {json.dumps('code')}: {json.dumps(b['code'])}, {json.dumps('process')}: "
            f"{json.dumps(b['process'], ensure_ascii=False)} }}"
            for b in blocks
        )
        inside = f"[\n{lines}\n  ]" if blocks else "[]"
        phases.append(f"  {json.dumps(key, ensure_ascii=False)}: {inside}")
    return "{\n" + ",\n".join(phases) + "\n}\n"
