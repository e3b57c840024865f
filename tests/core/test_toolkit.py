"""The end-to-end process toolkit as a model: every building block of the bundled registry states
what it is for, who takes part, what holds before and after, its inputs and outputs (data objects
defined once) and systems, and links to blocks that link back; the rules name what is missing."""

from __future__ import annotations

import dataclasses

import pytest
from tests.conftest import BUNDLED_REGISTRY

from fmar.core.model import DataObject, Process
from fmar.core.model.data_object import Carrier
from fmar.core.model.process import Actor
from fmar.core.registry import Registry
from fmar.core.rules.record import check_record
from fmar.core.rules.registry import check_registry
from fmar.validation.pipeline import Pipeline


@pytest.fixture(scope="module")
def registry() -> Registry:
    loaded, _ = Pipeline(BUNDLED_REGISTRY.parent, BUNDLED_REGISTRY, use_cache=False).load()
    return loaded


def _toolkit_hits(registry: Registry) -> list[tuple[str, str, tuple[object, ...]]]:
    return [
        (record.id, problem.rule.code, problem.location)
        for record, problem in check_registry(registry)
        if isinstance(record, Process | DataObject)
    ]


def test_every_block_states_itself_in_full_and_every_data_object_is_used(registry: Registry) -> None:
    assert len(registry.processes) == 28
    for block in registry.processes.values():
        for name in Process.STATED:
            assert getattr(block, name), (block.id, name)
        assert set(block.inputs) | set(block.outputs) <= set(registry.data_objects), block.id
    used = {d for b in registry.processes.values() for d in (*b.inputs, *b.outputs)}
    assert used == set(registry.data_objects)
    assert len(registry.data_objects) >= 30
    assert {Actor.FSP, Actor.DSO, Actor.NESO} <= {a for b in registry.processes.values() for a in b.actors}
    assert _toolkit_hits(registry) == []


def test_the_journey_runs_from_exploration_to_settlement_with_links_both_ways(registry: Registry) -> None:
    blocks = registry.processes
    for block in blocks.values():
        for code in block.leads_to:
            assert block.id in blocks[code].follows, (block.id, code)
    # Every block is reached from E.1 along leads_to.
    reached, frontier = {"E.1"}, ["E.1"]
    while frontier:
        for code in blocks[frontier.pop()].leads_to:
            if code not in reached:
                reached.add(code)
                frontier.append(code)
    assert reached == set(blocks)
    # The registry's own kinds carry what Q.7 takes and gives.
    q7 = blocks["Q.7"]
    carriers = {c.kind for d in (*q7.inputs, *q7.outputs) for c in registry.data_objects[d].carried_by}
    assert {"application", "outcome"} <= carriers


def _with(registry: Registry, block: Process) -> Registry:
    return dataclasses.replace(registry, processes={**registry.processes, block.id: block})


def test_a_block_that_states_too_little_or_links_wrongly_is_named_with_its_field(registry: Registry) -> None:
    q7 = registry.processes["Q.7"]
    bare = q7.model_copy(update={"description": None, "actors": []})
    hits = _toolkit_hits(_with(registry, bare))
    assert ("Q.7", "PROC-VAL003", ("description",)) in hits and ("Q.7", "PROC-VAL003", ("actors",)) in hits
    unknown = q7.model_copy(update={"inputs": [*q7.inputs, "DO-NOTHING-LIKE-IT"]})
    assert ("Q.7", "PROC-VAL004", ("inputs", len(q7.inputs))) in _toolkit_hits(_with(registry, unknown))
    one_way = q7.model_copy(update={"leads_to": [*q7.leads_to, "S.2"]})
    assert ("Q.7", "PROC-VAL005", ("leads_to", len(q7.leads_to))) in _toolkit_hits(_with(registry, one_way))
    kept = {k: v for k, v in registry.data_objects.items() if k != q7.inputs[0]}
    gone = dataclasses.replace(registry, data_objects=kept)
    assert ("Q.7", "PROC-VAL004", ("inputs", 0)) in _toolkit_hits(gone)


def test_a_data_object_names_only_kinds_and_fields_the_registry_has(registry: Registry) -> None:
    carried = next(d for d in registry.data_objects.values() if d.carried_by)
    first = carried.carried_by[0]
    odd_field = first.model_copy(update={"fields": [*first.fields, "colour"]})
    wrong = carried.model_copy(update={"carried_by": [odd_field, Carrier(kind="ledger", fields=["x"])]})
    found = {(p.rule.code, p.location) for p in check_record(wrong, {})}
    assert ("DOBJ-VAL001", ("carried_by", 0, "fields", len(first.fields))) in found
    assert ("DOBJ-VAL001", ("carried_by", 1, "kind")) in found
    unused = DataObject.model_construct(**{**carried.__dict__, "id": "DO-NEVER-USED"})
    lonely = dataclasses.replace(registry, data_objects={**registry.data_objects, unused.id: unused})
    assert ("DO-NEVER-USED", "DOBJ-VAL002", ("id",)) in _toolkit_hits(lonely)
