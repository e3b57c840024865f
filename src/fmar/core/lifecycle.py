"""The lifecycle of an application: which outcome or event may follow which state.

One state machine serves both the validation rules (a transition it refuses is a finding)
and status derivation (a refused transition is ignored), so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fmar.core import gb_time
from fmar.core.catalogue import BEFORE_APPLICATION, TRANSITION_NOT_ALLOWED
from fmar.core.findings import Rule
from fmar.core.model import Event, EventType, Outcome, Result
from fmar.core.registry import effective_at


class State(StrEnum):
    """States recorded by records. Statuses derived from time (expired, deemed withdrawn) are in status.py."""

    PENDING = "pending"
    UNDER_ASSESSMENT = "under_assessment"
    INFORMATION_REQUESTED = "information_requested"
    QUALIFIED = "qualified"
    CONDITIONALLY_QUALIFIED = "conditionally_qualified"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


OPEN = frozenset({State.PENDING, State.UNDER_ASSESSMENT, State.INFORMATION_REQUESTED})
QUALIFIED = frozenset({State.QUALIFIED, State.CONDITIONALLY_QUALIFIED})
_ASSESSING = OPEN
_RESULT_STATE = {
    Result.QUALIFIED: State.QUALIFIED,
    Result.CONDITIONALLY_QUALIFIED: State.CONDITIONALLY_QUALIFIED,
    Result.FAILED: State.FAILED,
}

#: Event type -> (states it may follow, state it leads to; None means "back to the qualified state").
EVENT_TRANSITIONS: dict[EventType, tuple[frozenset[State], State | None]] = {
    EventType.ACKNOWLEDGED: (frozenset({State.PENDING}), State.UNDER_ASSESSMENT),
    EventType.INFORMATION_REQUESTED: (frozenset({State.PENDING, State.UNDER_ASSESSMENT}), State.INFORMATION_REQUESTED),
    EventType.INFORMATION_SUPPLIED: (frozenset({State.INFORMATION_REQUESTED}), State.UNDER_ASSESSMENT),
    EventType.WITHDRAWN: (OPEN | QUALIFIED | {State.SUSPENDED}, State.WITHDRAWN),
    EventType.SUSPENDED: (QUALIFIED, State.SUSPENDED),
    EventType.REINSTATED: (frozenset({State.SUSPENDED}), None),
    EventType.REVOKED: (QUALIFIED | {State.SUSPENDED}, State.REVOKED),
}


@dataclass
class Step:
    """One accepted transition."""

    record: Outcome | Event
    state: State
    at: datetime


@dataclass
class Replay:
    """The accepted steps of an application's lifecycle, and the records refused, with why."""

    steps: list[Step] = field(default_factory=list)
    refused: list[tuple[Outcome | Event, Rule, str]] = field(default_factory=list)
    #: The outcome that set the current qualification, if any.
    outcome: Outcome | None = None
    #: The information request still waiting for an answer, if any.
    open_request: Event | None = None

    @property
    def state(self) -> State:
        return self.steps[-1].state if self.steps else State.PENDING


def replay(items: list[Outcome | Event], submitted_at: datetime) -> Replay:
    """Run ``items`` (in effective order) through the lifecycle of an application submitted at ``submitted_at``.

    Superseded records are set aside: the correcting record takes their place. A correction
    of an outcome may change the result; a correction of an event must keep its type.
    """
    by_id = {item.id: item for item in items}
    correction: dict[str, Outcome | Event] = {}
    for item in items:
        if item.supersedes and item.supersedes in by_id:
            correction[item.supersedes] = item
    result = Replay()
    state = State.PENDING
    qualified_state = State.QUALIFIED
    for original in items:
        if original.supersedes in by_id:
            continue  # a correction stands where the record it corrects stood
        item = original
        seen = {item.id}
        while item.id in correction and correction[item.id].id not in seen:
            item = correction[item.id]
            seen.add(item.id)
        at = effective_at(original)
        if at < submitted_at or effective_at(item) < submitted_at:
            result.refused.append((item, BEFORE_APPLICATION, "takes effect before the application was submitted"))
            continue
        deadline = result.open_request.respond_by if result.open_request else None
        if state is State.INFORMATION_REQUESTED and deadline is not None and deadline <= at:
            message = f"the application was deemed withdrawn at {gb_time.shown(deadline)} (information not supplied)"
            result.refused.append((item, TRANSITION_NOT_ALLOWED, message))
            continue
        if isinstance(item, Outcome):
            if state not in _ASSESSING:
                result.refused.append(
                    (
                        item,
                        TRANSITION_NOT_ALLOWED,
                        f"an outcome cannot follow {state}; to correct one, name it in 'supersedes'",
                    )
                )
                continue
            state = _RESULT_STATE[item.result]
            if state in QUALIFIED:
                qualified_state = state
            result.outcome = item
            result.open_request = None
        else:
            allowed, target = EVENT_TRANSITIONS[item.type]
            if state not in allowed:
                result.refused.append((item, TRANSITION_NOT_ALLOWED, f"{item.type} cannot follow {state}"))
                continue
            state = qualified_state if target is None else target
            result.open_request = item if item.type is EventType.INFORMATION_REQUESTED else None
        result.steps.append(Step(item, state, at))
    return result
