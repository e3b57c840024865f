"""The rules of the process toolkit: its building blocks, data objects, version history and the
SOs' practices, each record alone and across them.

Pure: records in, problems out (``Hit`` pairs for the rules across records).
"""

from __future__ import annotations

from collections.abc import Iterator

from fmar.core.catalogue import (
    BLOCK_CODE_PHASE,
    BLOCK_LINK_BROKEN,
    BLOCK_UNKNOWN_DATA_OBJECT,
    BLOCK_UNSTATED,
    CARRIER_UNKNOWN,
    DATA_OBJECT_UNUSED,
    PRACTICE_ID_MISMATCH,
    PRACTICE_REPEATED,
    PRACTICE_UNKNOWN_REFERENCE,
    TOOLKIT_EDIT_UNKNOWN,
    TOOLKIT_NOT_ONE,
    TOOLKIT_VERSION_SEQUENCE,
)
from fmar.core.findings import Problem, Rule
from fmar.core.glossary import NotInHistory, check_history, version_key
from fmar.core.ids import close_ids
from fmar.core.model import KINDS, DataObject, Practice, Process, Record, Toolkit
from fmar.core.model.process import PHASES
from fmar.core.model.toolkit import BlockAdded, PhaseRenamed
from fmar.core.registry import Registry

Hit = tuple[Record, Problem]
_LETTER = {p.phase: p.letter for p in PHASES}


# --- each record alone ---------------------------------------------------------------------------


def process(block: Process) -> Iterator[Problem]:
    code = f"{_LETTER[block.phase]}.{block.order}"
    if block.id != code:
        yield Problem(
            BLOCK_CODE_PHASE,
            f"building block {block.id} is number {block.order} of phase {block.phase}, whose code is {code}",
            f"use the code {code}, or the phase and order the code says",
            ("id",),
        )


def data_object(found: DataObject) -> Iterator[Problem]:
    for index, carrier in enumerate(found.carried_by):
        model = KINDS.get(carrier.kind)
        if model is None:
            yield Problem(
                CARRIER_UNKNOWN,
                f"{carrier.kind!r} is not a record kind of the registry",
                f"record kinds: {', '.join(sorted(KINDS))}",
                ("carried_by", index, "kind"),
            )
            continue
        for number, name in enumerate(carrier.fields):
            if name not in model.model_fields:
                yield Problem(
                    CARRIER_UNKNOWN,
                    f"{carrier.kind} has no field {name!r}",
                    f"{carrier.kind}'s fields: {', '.join(sorted(model.model_fields))}",
                    ("carried_by", index, "fields", number),
                )


def _month_or_day_before(later: str, earlier: str) -> bool:
    """True when ``later`` (a month ``2025-06`` or a day) is before ``earlier``: compared to the
    precision both give, so a day in June is not before June."""
    size = min(len(later), len(earlier))
    return later[:size] < earlier[:size]


def toolkit_versions(toolkit: Toolkit) -> Iterator[Problem]:
    previous = None
    for index, version in enumerate(toolkit.versions):
        if previous is not None and version_key(version.version) <= version_key(previous.version):
            yield Problem(
                TOOLKIT_VERSION_SEQUENCE,
                f"version {version.version} follows version {previous.version} but is not numbered after it",
                "list the versions oldest first and number each new one higher",
                ("versions", index, "version"),
            )
        if previous is not None and _month_or_day_before(version.date, previous.date):
            yield Problem(
                TOOLKIT_VERSION_SEQUENCE,
                f"version {version.version} is dated {version.date}, before version {previous.version} "
                f"({previous.date})",
                "give each version the date it was published, no earlier than the one before",
                ("versions", index, "date"),
            )
        previous = version


def practice(found: Practice) -> Iterator[Problem]:
    expected = f"PRAC-{found.so}-{found.block}"
    if found.id != expected:
        yield Problem(
            PRACTICE_ID_MISMATCH,
            f"the practice of {found.so} for {found.block} has the id {found.id}",
            f"name it {expected} (and its file {expected}.yaml)",
            ("id",),
        )
    for name, values in (
        ("inputs", found.inputs),
        ("timescales", [t.step for t in found.timescales]),
        ("systems", found.systems),
    ):
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                where = ("timescales", index, "step") if name == "timescales" else (name, index)
                yield Problem(PRACTICE_REPEATED, f"{name} names {value!r} twice", "name it once", where)
            seen.add(value)


# --- across records ------------------------------------------------------------------------------


def check(registry: Registry) -> Iterator[Hit]:
    """The toolkit across records: its blocks and data objects, its history, the SOs' practices."""
    yield from _blocks(registry)
    yield from _history(registry)
    yield from _practices(registry)


def _blocks(registry: Registry) -> Iterator[Hit]:
    """Each block states itself in full, takes and gives data objects of the catalogue, and links to
    blocks that link back; every data object is used."""
    blocks = registry.processes
    if not blocks:
        return
    used: set[str] = set()
    for block in sorted(blocks.values(), key=lambda b: b.id):
        for name in Process.STATED:
            if not getattr(block, name):
                yield (
                    block,
                    Problem(
                        BLOCK_UNSTATED,
                        f"building block {block.id} states no {name.replace('_', ' ')}",
                        f"add {name} to {block.id} (see the toolkit's other blocks)",
                        (name,),
                    ),
                )
        for name in ("inputs", "outputs"):
            for index, object_id in enumerate(getattr(block, name)):
                used.add(object_id)
                if object_id not in registry.data_objects:
                    yield (block, _unknown_data_object(registry, BLOCK_UNKNOWN_DATA_OBJECT, object_id, (name, index)))
        yield from _links(registry, block)
    for found in sorted(registry.data_objects.values(), key=lambda d: d.id):
        if found.id not in used:
            yield (
                found,
                Problem(
                    DATA_OBJECT_UNUSED,
                    f"no building block takes or gives {found.id}",
                    "name it in a block's inputs or outputs, or remove it",
                    ("id",),
                ),
            )


def _unknown_data_object(registry: Registry, rule: Rule, object_id: str, location: tuple[str | int, ...]) -> Problem:
    near = close_ids(object_id, registry.data_objects)
    return Problem(
        rule,
        f"{object_id} is not a data object of the catalogue",
        f"did you mean {', '.join(near)}?" if near else "add it to the data-object catalogue",
        location,
    )


def _links(registry: Registry, block: Process) -> Iterator[Hit]:
    blocks = registry.processes
    if not block.follows and not block.leads_to:
        yield (
            block,
            Problem(BLOCK_LINK_BROKEN, f"{block.id} follows and leads to no block", "link it in the journey", ()),
        )
    for name, back in (("follows", "leads_to"), ("leads_to", "follows")):
        for index, code in enumerate(getattr(block, name)):
            other = blocks.get(code)
            if other is None or code == block.id:
                why = "is itself" if code == block.id else "is not a building block of the catalogue"
                yield (block, Problem(BLOCK_LINK_BROKEN, f"{name} {code} {why}", "name another block", (name, index)))
            elif block.id not in getattr(other, back):
                yield (
                    block,
                    Problem(
                        BLOCK_LINK_BROKEN,
                        f"{block.id} {name.replace('_', ' ')} {code}, whose {back} does not name {block.id}",
                        f"add {block.id} to {back} of {code}, or remove {code} here",
                        (name, index),
                    ),
                )


def _history(registry: Registry) -> Iterator[Hit]:
    """One toolkit record, whose edits name blocks of the catalogue in an order that can be undone."""
    toolkits = sorted(registry.toolkits.values(), key=lambda t: t.id)
    for extra in toolkits[1:]:
        yield (
            extra,
            Problem(
                TOOLKIT_NOT_ONE,
                f"the registry holds {len(toolkits)} toolkit records ({', '.join(t.id for t in toolkits)})",
                f"add this record's versions to {toolkits[0].id} and remove it",
                ("id",),
            ),
        )
    if not toolkits or not registry.processes:
        return
    toolkit = toolkits[0]
    named = list(_edits_named(registry, toolkit))
    yield from named
    if named:
        return  # an edit of a block not in the catalogue cannot be undone either: said once
    try:
        check_history(registry.processes, toolkit)
    except NotInHistory as exc:
        yield (
            toolkit,
            Problem(
                TOOLKIT_EDIT_UNKNOWN,
                f"the versions' edits cannot be undone in turn: {exc}",
                "a version may only edit blocks that exist in it: check the order of the versions' edits",
                ("versions",),
            ),
        )


def _edits_named(registry: Registry, toolkit: Toolkit) -> Iterator[Hit]:
    """Each edit names a block of the catalogue, and each block is added once."""
    added: dict[str, str] = {}
    for index, version in enumerate(toolkit.versions):
        for number, edit in enumerate(version.edits):
            if isinstance(edit, PhaseRenamed):
                continue
            where = ("versions", index, "edits", number, "block")
            if edit.block not in registry.processes:
                near = close_ids(edit.block, registry.processes)
                yield (
                    toolkit,
                    Problem(
                        TOOLKIT_EDIT_UNKNOWN,
                        f"version {version.version} edits {edit.block}, which is not a building block of the catalogue",
                        f"did you mean {', '.join(near)}?" if near else "name the block by its code today",
                        where,
                    ),
                )
            elif isinstance(edit, BlockAdded) and edit.block in added:
                yield (
                    toolkit,
                    Problem(
                        TOOLKIT_EDIT_UNKNOWN,
                        f"version {version.version} adds {edit.block}, which version {added[edit.block]} added",
                        "a block is added once; a later change of it is a rename_block",
                        where,
                    ),
                )
            if isinstance(edit, BlockAdded):
                added.setdefault(edit.block, version.version)


def _practices(registry: Registry) -> Iterator[Hit]:
    parties, blocks = registry.parties, registry.processes
    for found in sorted(registry.practices.values(), key=lambda p: p.id):
        party = parties.get(found.so)
        if party is None or not party.role.is_system_operator:
            yield (
                found,
                Problem(
                    PRACTICE_UNKNOWN_REFERENCE,
                    f"{found.so} is not a system operator of the registry",
                    "a practice is published by a DSO or NESO: check the id",
                    ("so",),
                ),
            )
        if blocks and found.block not in blocks:
            yield (
                found,
                Problem(
                    PRACTICE_UNKNOWN_REFERENCE,
                    f"{found.block} is not a building block of the catalogue",
                    f"building blocks: {', '.join(sorted(blocks))}",
                    ("block",),
                ),
            )
        if registry.data_objects:
            for index, object_id in enumerate(found.inputs):
                if object_id not in registry.data_objects:
                    problem = _unknown_data_object(registry, PRACTICE_UNKNOWN_REFERENCE, object_id, ("inputs", index))
                    yield (found, problem)
