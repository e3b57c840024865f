"""Each SO's practice of a building block: the comparison that sets the SOs' practices side by side
and marks what differs, and the rules a practice is held to."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import BUNDLED_REGISTRY

from fmar.core.practices import compare
from fmar.core.registry import Registry
from fmar.core.rules.record import check_record
from fmar.core.rules.registry import check_registry
from fmar.validation.pipeline import Pipeline

SIGNED_AT = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


def _bundled() -> Registry:
    registry, _ = Pipeline(BUNDLED_REGISTRY.parent, BUNDLED_REGISTRY, use_cache=False).load()
    return registry


# --- the comparison -------------------------------------------------------------------------------


def test_the_comparison_marks_what_not_every_so_shares() -> None:
    registry = _bundled()
    names = {d.id: d.name for d in registry.data_objects.values()}
    q7 = compare("Q.7", registry.practices.values(), names)
    assert q7.sos == ("NESO", "NGED", "SSEN", "UKPN")
    practices = {p.so: p for p in q7.practices}
    shared_inputs = set.intersection(*(set(p.inputs) for p in practices.values()))
    asks = next(row for row in q7.rows if row.label == "Asks for")
    for so, cell in zip(q7.sos, asks.cells, strict=True):
        # Every input the SO asks for is shown, by name, marked exactly when another SO does not ask for it.
        assert [item.text for item in cell] == [names[i] for i in practices[so].inputs]
        assert [item.differs for item in cell] == [i not in shared_inputs for i in practices[so].inputs]
    assert asks.differs
    # NESO decides within 90 days, the DSOs within 60: only NESO's figure is marked.
    decide = next(row for row in q7.rows if row.label == "Decide after completeness")
    assert [(c[0].text, c[0].differs) for c in decide.cells] == [
        ("90 calendar days", True),
        ("60 calendar days", False),
        ("60 calendar days", False),
        ("60 calendar days", False),
    ]
    supply = next(row for row in q7.rows if row.label == "FSP supplies requested information")
    assert not supply.differs and not any(c[0].differs for c in supply.cells)
    assert q7.differences == sum(row.differs for row in q7.rows) == 4


def test_with_two_sos_each_different_value_is_marked_and_a_missing_step_is_not_stated() -> None:
    registry = _bundled()
    neso, ukpn = registry.practices["PRAC-NESO-Q.7"], registry.practices["PRAC-UKPN-Q.7"]
    ukpn_short = ukpn.model_copy(update={"timescales": ukpn.timescales[:1]})
    pair = compare("Q.7", [neso, ukpn_short], {})
    confirm = next(row for row in pair.rows if row.label == "Confirm the application complete")
    assert [(c[0].text, c[0].differs) for c in confirm.cells] == [
        ("56 calendar days", True),
        ("20 calendar days", True),
    ]
    decide = next(row for row in pair.rows if row.label == "Decide after completeness")
    assert [(c[0].text, c[0].differs) for c in decide.cells] == [("90 calendar days", True), ("not stated", True)]
    alone = compare("Q.7", [neso], {})
    assert alone.differences == 0 and not any(i.differs for row in alone.rows for c in row.cells for i in c)


# --- the rules ------------------------------------------------------------------------------------


def test_a_practice_names_its_so_and_block_in_its_id_and_each_thing_once() -> None:
    good = _bundled().practices["PRAC-UKPN-Q.7"]
    assert check_record(good, {}) == []
    wrong = good.model_copy(update={"id": "PRAC-UKPN-Q.5", "inputs": ["DO-ASSET-REGISTRATION"] * 2})
    found = [(p.rule.code, p.location) for p in check_record(wrong, {})]
    assert found == [("PRAC-VAL001", ("id",)), ("PRAC-VAL003", ("inputs", 1))]


def test_a_practice_is_an_sos_for_a_block_and_asks_for_data_objects_of_the_catalogue() -> None:
    registry = _bundled()
    practice = registry.practices["PRAC-UKPN-Q.7"]
    odd = practice.model_copy(update={"so": "VOLTAFLEX", "block": "Q.9", "inputs": ["DO-UNIT-DEFINITON"]})
    changed = Registry.of((registry.path_of(r), r) for r in registry.records() if r.id != practice.id)
    changed.add(odd, registry.path_of(practice))
    hits = [(p.rule.code, p.location, p.hint) for r, p in check_registry(changed) if r.id == practice.id]
    assert [(code, location) for code, location, _ in hits] == [
        ("PRAC-VAL002", ("so",)),
        ("PRAC-VAL002", ("block",)),
        ("PRAC-VAL002", ("inputs", 0)),
    ]
    assert "DO-UNIT-DEFINITION" in hits[2][2]  # the nearest data object is suggested
