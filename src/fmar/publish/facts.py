"""What the registry-wide outputs need to know about one Market Unit: its facts.

A unit, its applications and their outcomes and events form the unit's group. Everything the
site and the exports show across the registry (the unit table and its indexes, the
qualification and change files, product summaries, SO service levels, FSP unit lists, counts)
is an aggregate of these per-unit facts and of the few reference records (parties, products,
processes). Facts are a pure function of the group's records, the reference records, their
history and the as-of time, and they stay valid until ``next_change``: so a build derives
again only the groups whose files changed or whose next change has come, and aggregates.
"""

from __future__ import annotations

import marshal
from datetime import UTC, datetime
from typing import Any, NamedTuple

from fmar.core.model import Event, Outcome
from fmar.core.registry import Registry
from fmar.core.status import LIVE, OPEN, Qualification, qualification_doc
from fmar.core.workflow import service_levels, transitions
from fmar.core.workflow.portfolio import csv_cells, unit_rows
from fmar.core.workflow.reports import ReportFact, report_fact
from fmar.core.workflow.service_levels import ServiceFact, service_fact
from fmar.publish import derive, formats, pages
from fmar.publish.derive import Derived
from fmar.publish.inputs import Change
from fmar.publish.urls import api_url, page_url, site_file
from fmar.signing.records import iso


class Contribution(NamedTuple):
    """A unit's current status for one product, as the product's summary counts it."""

    product: str
    status: str
    #: ``status.LIVE`` (suspended and re-assessment required included): what ``index.json``'s
    #: ``live_pairs`` counts; its ``qualified_pairs`` and the product summaries count ``status.HOLDING``.
    live: bool
    up_kw: float
    down_kw: float
    technology: str
    area: str


class ChangeRow(NamedTuple):
    """A change as changes.csv lists it (its first seven fields, in that order), with the SO,
    product and unit it concerns ("" for none). Plain strings: sorting rows sorts the file."""

    recorded_at: str
    kind: str
    id: str
    action: str
    commit: str
    signer: str
    fields: str
    so: str = ""
    product: str = ""
    unit: str = ""
    #: The row as its line of changes.csv, so the file is joined, not written cell by cell.
    line: bytes = b""


def change_row(change: Change, so: str | None = None, product: str | None = None, unit: str | None = None) -> ChangeRow:
    listed = (
        iso(change.at),
        change.kind,
        change.id,
        change.action,
        change.commit or "",
        change.signer,
        " ".join(change.fields),
    )
    return ChangeRow(*listed, so or "", product or "", unit or "", formats.csv_lines([listed]))


class AnswerNote(NamedTuple):
    """What a feed entry says of an outcome or event besides its change row: merged outcomes and
    events are never modified (the gate refuses it), so this holds for every change of the record."""

    id: str
    application: str
    #: The outcome's result or the event's type.
    what: str
    #: An outcome's end of validity, an information request's deadline (ISO 8601; "" for none).
    until: str
    #: Capacity qualified, up and down, kW (0 for events).
    up_kw: float
    down_kw: float


def answer_note(item: Outcome | Event) -> AnswerNote:
    """The note the feeds keep of an outcome or event."""
    if isinstance(item, Outcome):
        until = iso(item.valid_until) if item.valid_until else ""
        up, down = item.capacity_up_kw, item.capacity_down_kw
        return AnswerNote(item.id, item.application, str(item.result), until, up, down)
    until = iso(item.respond_by) if item.respond_by else ""
    return AnswerNote(item.id, item.application, str(item.type), until, 0.0, 0.0)


class TimedNote(NamedTuple):
    """A transition time made alone (``core.workflow.transitions.BY_TIME``), as the feeds tell it."""

    at: str
    application: str
    so: str
    product: str
    rule: str
    status: str
    record: str
    detail: str


def timed_note(t: transitions.Transition) -> TimedNote:
    return TimedNote(iso(t.at), t.application, t.so, t.product, t.rule, str(t.after), t.record, t.detail)


class UnitFacts(NamedTuple):
    """Facts are plain tuples and strings, so the state of a national registry pickles fast."""

    unit: str
    name: str
    fsp: str
    #: The unit as the unit table's rows carry it (``pages.unit_entry``).
    entry: tuple[str, ...]
    #: Its line of units.csv.
    unit_csv: bytes
    #: The governing status per product (sorted by product): encoded and comma-joined for
    #: qualifications.json, and as lines of qualifications.csv.
    qualifications_json: bytes
    qualifications_csv: bytes
    contributions: tuple[Contribution, ...]
    service: tuple[ServiceFact, ...]
    #: Applications awaiting the SO or the FSP (``open_doc``: their ``status.qualification_doc``
    #: fields, whose turn it is and when that is due).
    open: tuple[dict[str, Any], ...]
    #: Every change of every record of the group (empty in facts read back from a build state,
    #: which keeps the changes in its ``ledger.ChangeLedger``).
    changes: tuple[ChangeRow, ...]
    #: Outcomes and events of the group's applications.
    answers: tuple[int, int]
    #: Ids of the unit's applications (with the unit, the records with a page and a document).
    applications: tuple[str, ...]
    #: The first moment after the as-of time at which these facts may change.
    next_change: datetime | None
    #: The unit as the site's search and the unit table find it (``pages.search_entry``): a line.
    search: str = ""
    #: The outcomes and events of the unit's applications as the feeds describe them, by id order.
    notes: tuple[AnswerNote, ...] = ()
    #: The transitions of the unit's applications up to the as-of time (``core.workflow.transitions``), as
    #: lines of transitions.csv and as comma-joined JSON objects of transitions.json.
    transitions_csv: bytes = b""
    transitions_json: bytes = b""
    #: The transitions time made alone, for the feeds.
    timed: tuple[TimedNote, ...] = ()
    #: The unit's applications as the period reports count them (``reports.report_fact``), by id.
    reports: tuple[ReportFact, ...] = ()
    #: The unit's rows of its FSP's portfolio (``portfolio.unit_rows``), by product, and the same as
    #: comma-joined JSON arrays and as CSV lines, joined into the FSP's portfolio files.
    portfolio: tuple[tuple[Any, ...], ...] = ()
    portfolio_json: bytes = b""
    portfolio_csv: bytes = b""

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        """Records of the group by kind."""
        outcomes, events = self.answers
        return (("application", len(self.applications)), ("event", events), ("market_unit", 1), ("outcome", outcomes))

    @property
    def files(self) -> tuple[str, ...]:
        """The site files of the group (no leading slash): the unit's page and its document, both
        of which hold its applications too."""
        return (site_file(page_url("market_unit", self.unit)), site_file(api_url("market_unit", self.unit)))


def open_doc(registry: Registry, q: Qualification, as_of: datetime) -> dict[str, Any]:
    """An open application as its SO's page and inbox list it: its ``status.qualification_doc``
    fields, the unit's FSP, when it was submitted (``submitted_at``), whose turn it is
    (``waiting_for``: "acknowledge", "decide", "supply information") and when that is due (``due``,
    ISO 8601, None without a target), from its ``service_levels.clock``. They hold until the unit's
    ``next_change`` (a record becoming known, a status changing); its age and whether it is overdue
    depend on the as-of time alone, so the SO's page and inbox work them out
    (``records.open_applications``, ``Overview.inbox``)."""
    clock = service_levels.clock(registry, registry.applications[q.application], as_of)
    due = clock.due_at if clock is not None else None
    return {
        **qualification_doc(q).__dict__,
        "fsp": registry.units[q.unit].fsp,
        "submitted_at": iso(registry.submitted_at(registry.applications[q.application])),
        "waiting_for": clock.waiting_for if clock is not None else None,
        "due": iso(due) if due is not None else None,
    }


def unit_facts(derived: Derived, unit_id: str) -> UnitFacts:
    """The facts of one unit from a ``Derived`` whose registry holds the unit's whole group."""
    registry = derived.registry
    unit = registry.units[unit_id]
    statuses = derived.statuses(unit_id)
    current = [q for q, _ in statuses]
    entry = pages.unit_entry(unit, [pages.pair_token(q.product, q.so, str(q.status)) for q in current])
    qualifications = [qualification_doc(q) for q in current]
    technology, area = derive.main_technology(unit), str(unit.licence_area)
    contributions = tuple(
        Contribution(q.product, str(q.status), q.status in LIVE, q.capacity_up_kw, q.capacity_down_kw, technology, area)
        for q in current
    )
    applications = sorted(registry.applications_by_unit.get(unit_id, ()), key=lambda a: a.id)
    open_ = tuple(open_doc(registry, q, derived.as_of) for _, all_of in statuses for q in all_of if q.status in OPEN)
    turns = {
        d["application"]: (d["waiting_for"], datetime.fromisoformat(d["due"]) if d["due"] else None) for d in open_
    }
    rows = unit_rows(registry, unit_id, current, turns)
    changes: list[ChangeRow] = []
    for record_id, so, product, about in [
        (unit_id, None, None, unit_id),
        *(
            (item_id, a.so, a.product, unit_id if item_id == a.id else None)
            for a in applications
            for item_id in (a.id, *(i.id for i in registry.answers.get(a.id, ())))
        ),
    ]:
        changes.extend(change_row(c, so, product, about) for c in derived.history.timelines.get(record_id, ()))
    found = list(transitions.unit_transitions(registry, unit_id, derived.as_of))
    moves = [transitions.transition_doc(t) for t in found]
    answers = sum(len(registry.answers.get(a.id, ())) for a in applications)
    outcomes = sum(1 for a in applications for i in registry.answers.get(a.id, ()) if isinstance(i, Outcome))
    return UnitFacts(
        unit=unit_id,
        name=unit.name,
        fsp=unit.fsp,
        entry=tuple(entry),
        unit_csv=formats.csv_lines([derive.unit_row(unit)]),
        qualifications_json=b",".join(pages.encode(q) for q in qualifications),
        qualifications_csv=formats.csv_lines(derive.qualification_row(q) for q in qualifications),
        contributions=contributions,
        service=tuple(f for f in (service_fact(registry, a, derived.as_of) for a in applications) if f is not None),
        open=open_,
        changes=tuple(changes),
        answers=(outcomes, answers - outcomes),
        applications=tuple(a.id for a in applications),
        next_change=transitions.next_change(registry, unit_id, derived.as_of),
        search=pages.search_entry(unit, list(entry[pages.PAIRS].split())),
        notes=tuple(
            sorted((answer_note(i) for a in applications for i in registry.answers.get(a.id, ())), key=lambda n: n.id)
        ),
        transitions_csv=formats.csv_lines([[d[c] or "" for c in transitions.COLUMNS] for d in moves]),
        transitions_json=b",".join(pages.encode(d) for d in moves),
        timed=tuple(timed_note(t) for t in found if t.by_time),
        reports=tuple(f for f in (report_fact(registry, a, derived.as_of) for a in applications) if f is not None),
        portfolio=tuple(rows),
        portfolio_json=b",".join(pages.encode(list(r)) for r in rows),
        portfolio_csv=formats.csv_lines(csv_cells(r) for r in rows),
    )


_new = tuple.__new__


def encode(facts: UnitFacts) -> bytes:
    """``facts`` as bytes (``marshal`` of plain tuples, the time as a POSIX timestamp): a build
    state keeps one such blob per unit, so saving it re-encodes only the units derived again.

    Without the changes: the build state keeps every change in its ``ledger.ChangeLedger``."""
    return marshal.dumps(
        (
            *facts[:7],
            tuple(map(tuple, facts.contributions)),
            tuple(map(tuple, facts.service)),
            facts.open,
            *facts[11:13],
            facts.next_change.timestamp() if facts.next_change else None,
            facts.search,
            tuple(map(tuple, facts.notes)),
            facts.transitions_csv,
            facts.transitions_json,
            tuple(map(tuple, facts.timed)),
            tuple(map(tuple, facts.reports)),
            facts.portfolio,
            facts.portfolio_json,
            facts.portfolio_csv,
        )
    )


def decode(blob: bytes | memoryview) -> UnitFacts:
    """The facts ``encode`` made bytes, with no changes (see ``encode``): named tuples made
    without calling their constructors."""
    values = marshal.loads(blob)
    moment = values[12]
    return _new(
        UnitFacts,
        (
            *values[:7],
            tuple([_new(Contribution, c) for c in values[7]]),
            tuple([_new(ServiceFact, s) for s in values[8]]),
            values[9],
            (),
            *values[10:12],
            datetime.fromtimestamp(moment, UTC) if moment is not None else None,
            values[13],
            tuple([_new(AnswerNote, n) for n in values[14]]),
            values[15],
            values[16],
            tuple([_new(TimedNote, n) for n in values[17]]),
            tuple([_new(ReportFact, r) for r in values[18]]),
            values[19],
            values[20],
            values[21],
        ),
    )
