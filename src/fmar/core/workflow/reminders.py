"""What time alone tells the parties: the transitions no record announces, and advance notices.

``fmar notify`` tells the parties about the records a push merged. Some changes of status happen
with no record at all (a qualification's validity ends, an unanswered information request makes
the application deemed withdrawn, an SO misses its target), and some deadlines deserve a warning
before they pass. A scheduled run asks for everything in a window of time (``since``, ``until``]:

- the transitions time made alone (``transitions.BY_TIME``), to the unit's FSP and the SO;
- a qualification expiring in 60 and in 30 days, to the FSP and the SO;
- requested information due in 3 days, to the FSP;
- an SO's decision target in 7 days, to the SO.

Each notice is dated by the moment it is about (a deadline passing, or the day the warning falls
due), never by the clock of the run, so windows that meet end to end give each notice once, and
the same registry and window always give the same notices.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from fmar.core import gb_time
from fmar.core.model import Application, Event, EventType, Outcome
from fmar.core.registry import Registry
from fmar.core.status import LIVE, OPEN, Status, application_status
from fmar.core.workflow import service_levels, transitions
from fmar.core.workflow.notification import Notice, fsp_of

#: Days before the end of a qualification's validity the FSP and the SO are warned.
EXPIRY_NOTICE_DAYS = (60, 30)
#: Days before requested information is due the FSP is warned.
INFORMATION_NOTICE_DAYS = 3
#: Days before an SO's decision target the SO is warned.
DECISION_NOTICE_DAYS = 7


def _within(moment: datetime, since: datetime, until: datetime) -> bool:
    return since < moment <= until


def _to(recipients: tuple[str | None, ...]) -> list[str]:
    return sorted({r for r in recipients if r})


_BY_TIME_TITLES = {
    transitions.VALIDITY_ENDED: "{unit}: qualification for {product} expired",
    transitions.INFORMATION_NOT_SUPPLIED: "{application} deemed withdrawn: requested information not supplied",
    transitions.ACKNOWLEDGEMENT_TARGET_MISSED: "{application} not acknowledged by {so}'s target",
    transitions.DECISION_TARGET_MISSED: "{application} not decided by {so}'s target",
}


def _may_change_by_time(registry: Registry, application: Application, since: datetime, until: datetime) -> bool:
    """Whether time alone may change ``application`` in the window: it was open at its start, or a
    record of it, an end of validity or a deadline falls in the window (the cheap test before
    working out its transitions)."""
    moments = [registry.submitted_at(application)]
    for item in registry.answers.get(application.id, ()):
        moments.append(registry.submitted_at(item))
        moments.append((item.valid_until if isinstance(item, Outcome) else item.respond_by) or since)
    if any(_within(m, since, until) for m in moments):
        return True
    return (
        registry.submitted_at(application) <= since and application_status(registry, application, since).status in OPEN
    )


def _transition_notices(
    registry: Registry, application: Application, since: datetime, until: datetime
) -> Iterator[Notice]:
    fsp = fsp_of(registry, application)
    for t in transitions.application_transitions(registry, application, until):
        if not t.by_time or not _within(t.at, since, until):
            continue
        title = _BY_TIME_TITLES[t.rule].format(unit=t.unit, product=t.product, application=t.application, so=t.so)
        for recipient in _to((fsp, application.so)):
            yield Notice(
                recipient=recipient,
                topic=t.rule,
                record=t.record,
                application=application.id,
                title=title,
                summary=f"{t.unit} for {t.product} ({t.application}): {t.detail}.",
                at=t.at,
                data={"transition": transitions.transition_doc(t)},
            )


def _expiry_notices(registry: Registry, application: Application, since: datetime, until: datetime) -> Iterator[Notice]:
    fsp = fsp_of(registry, application)
    for item in registry.answers.get(application.id, ()):
        if not isinstance(item, Outcome) or item.valid_until is None:
            continue
        for days in EXPIRY_NOTICE_DAYS:
            moment = item.valid_until - timedelta(days=days)
            if not _within(moment, since, until):
                continue
            current = application_status(registry, application, moment)
            if current.status not in LIVE or current.outcome != item.id:
                continue  # not the qualification in force then: nothing of it to expire
            for recipient in _to((fsp, application.so)):
                yield Notice(
                    recipient=recipient,
                    topic=f"expiring_in_{days}_days",
                    record=item.id,
                    application=application.id,
                    title=f"{application.unit}: qualification for {application.product} expires in {days} days",
                    summary=(
                        f"{application.unit} for {application.product} ({application.id}, "
                        f"{current.status.label.lower()}): valid until {gb_time.shown(item.valid_until)} (London). "
                        "Apply again before then to stay qualified: "
                        f"fmar apply {application.unit} {application.product}"
                    ),
                    at=moment,
                    data={"valid_until": _iso(item.valid_until), "status": str(current.status)},
                )


def _information_notices(
    registry: Registry, application: Application, since: datetime, until: datetime
) -> Iterator[Notice]:
    fsp = fsp_of(registry, application)
    for item in registry.answers.get(application.id, ()):
        if not (isinstance(item, Event) and item.type is EventType.INFORMATION_REQUESTED and item.respond_by):
            continue
        moment = item.respond_by - timedelta(days=INFORMATION_NOTICE_DAYS)
        if not _within(moment, since, until) or fsp is None:
            continue
        current = application_status(registry, application, moment)
        if current.status is not Status.INFORMATION_REQUESTED or current.justified_by[-1] != item.id:
            continue  # answered already, or a later request is the one open
        yield Notice(
            recipient=fsp,
            topic=f"information_due_in_{INFORMATION_NOTICE_DAYS}_days",
            record=item.id,
            application=application.id,
            title=f"{application.id}: information for {application.so} due in {INFORMATION_NOTICE_DAYS} days",
            summary=(
                f"{application.unit} for {application.product}: {application.so} asked for information by "
                f"{gb_time.shown(item.respond_by)}; without it the application is deemed withdrawn then. "
                f"Once supplied: fmar supply-info {application.id}"
            ),
            at=moment,
            data={"respond_by": _iso(item.respond_by)},
        )


def _decision_notice(registry: Registry, application: Application, since: datetime, until: datetime) -> Notice | None:
    """The SO's warning of a decision target 7 days ahead, if that falls in the window. The target
    moves only when a record of the application is added, so the clocks at the window's start and
    at each record added in it give every target the window may warn of."""
    starts = [since] + [
        registry.submitted_at(item)
        for item in registry.answers.get(application.id, ())
        if _within(registry.submitted_at(item), since, until)
    ]
    dues = set()
    for start in starts:
        clock = service_levels.clock(registry, application, max(start, registry.submitted_at(application)))
        if clock is not None and clock.waiting_for == "decide" and clock.due_at is not None:
            dues.add(clock.due_at)
    for due in sorted(dues):
        moment = due - timedelta(days=DECISION_NOTICE_DAYS)
        if not _within(moment, since, until):
            continue
        then = service_levels.clock(registry, application, moment)
        if then is None or then.waiting_for != "decide" or then.due_at != due or then.status not in OPEN:
            continue  # decided or answered before the warning was due, or the target moved
        return Notice(
            recipient=application.so,
            topic=f"decision_due_in_{DECISION_NOTICE_DAYS}_days",
            record=application.id,
            application=application.id,
            title=f"{application.id}: decision due in {DECISION_NOTICE_DAYS} days",
            summary=(
                f"{application.unit} for {application.product} ({fsp_of(registry, application)}): the decision "
                f"target is {gb_time.shown_time(due)}. fmar decide {application.id}"
            ),
            at=moment,
            data={"due": _iso(due)},
        )
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def time_notices(registry: Registry, since: datetime, until: datetime) -> list[Notice]:
    """Every notice time brings in (``since``, ``until``], for the records known at ``until``, by
    recipient, time, record and topic (as ``notification.notices`` sorts them)."""
    found: list[Notice] = []
    for application in registry.applications.values():
        if registry.submitted_at(application) > until:
            continue
        found.extend(_expiry_notices(registry, application, since, until))
        found.extend(_information_notices(registry, application, since, until))
        # Time changes nothing else of an application neither open at the window's start nor
        # touched in it (a record, an end of validity, a deadline): most of a national registry.
        if not _may_change_by_time(registry, application, since, until):
            continue
        found.extend(_transition_notices(registry, application, since, until))
        decision = _decision_notice(registry, application, since, until)
        if decision is not None:
            found.append(decision)
    return sorted(found, key=lambda n: (n.recipient, n.at, n.record, n.topic))
