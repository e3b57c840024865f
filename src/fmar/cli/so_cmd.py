"""The SO's commands: the inbox, the data package, and the signed outcomes and events it records."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from fmar.cli.bulk_cmd import decide_from, from_option
from fmar.cli.common import UsageError, format_option, parse_moment, registry_option
from fmar.cli.record_io import (
    application_or_fail,
    as_of_option,
    as_of_time,
    fail,
    load_key,
    load_registry,
    load_verified,
    refused_json,
    show_written,
    signing_options,
    signing_time,
    warn_refused,
    write_record,
)
from fmar.core import gb_time
from fmar.core.catalogue import UNRESOLVED_REFERENCE
from fmar.core.model import Application
from fmar.core.model.capabilities import REQUIREMENTS
from fmar.core.model.outcome import FailureReason
from fmar.core.registry import Registry
from fmar.core.workflow.forms import event_fields, outcome_fields
from fmar.core.workflow.package import build_package, package_json
from fmar.core.workflow.service_levels import INBOX_FORMAT, inbox_entry
from fmar.core.workflow.service_levels import inbox as inbox_of
from fmar.signing.records import iso

_MERGE_HINT = "next: commit it on a branch and open a pull request; the FSP is told when it is merged"


@click.command()
@click.argument("so")
@as_of_option
@registry_option
@format_option("text", "json")
def inbox(so: str, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """SO's open applications with their age against its targets, overdue first."""
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    registry, refused = verified.registry, verified.refused_about(so=so)
    if so not in registry.parties:
        warn_refused(refused)
        fail(f"{UNRESOLVED_REFERENCE.code} {so} is not a party in the registry")
    clocks = inbox_of(registry, so, moment)
    if fmt == "json":
        document = {
            "format": INBOX_FORMAT,
            "so": so,
            "as_of": iso(moment),
            "unverified": refused_json(refused),
            "applications": [inbox_entry(c, moment) for c in clocks],
        }
        click.echo(json.dumps(document, indent=2))
        return
    warn_refused(refused)
    overdue = sum(1 for c in clocks if c.overdue)
    click.echo(f"{so}: {len(clocks)} open application(s), {overdue} overdue, as of {gb_time.shown_time(moment)}")
    for c in clocks:
        due = f"due {gb_time.shown(c.due_at)}" if c.due_at else "no target"
        late = f"OVERDUE {c.overdue_days:.0f} d" if c.overdue else due
        click.echo(
            f"  {c.application}  {c.unit:<22} {c.product:<16} age {c.age_days:5.0f} d  "
            f"waiting for {c.waiting_for} ({c.waiting_on}): {late}"
        )


@click.command()
@click.argument("application_id")
@as_of_option
@registry_option
@format_option("text", "json")
def package(application_id: str, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """The standard data package of an application, as its SO receives it."""
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    registry = verified.registry
    applied = verified.everything.applications.get(application_id)
    refused = verified.refused_about([applied.unit] if applied else [])
    if application_id not in registry.applications:
        warn_refused(refused)
    application_or_fail(registry, application_id)
    try:
        built = build_package(registry, application_id, moment)
    except KeyError as missing:
        fail(f"{UNRESOLVED_REFERENCE.code} {application_id} refers to a record that is not in the registry: {missing}")
        return
    if fmt == "json":
        click.echo(
            json.dumps({**package_json(built), "unverified": refused_json(refused)}, indent=2, ensure_ascii=False)
        )
        return
    warn_refused(refused)
    a, u, r = built.application, built.unit, built.requirements
    click.echo(f"Data package of {a.id} (as of {gb_time.shown_time(moment)}): {built.status} — {built.status_detail}")
    click.echo(
        f"  FSP      {built.fsp.id} {built.fsp.name}"
        + (f" <{built.fsp.contact.email}>" if built.fsp.contact.email else "")
    )
    click.echo(
        f"  unit     {u.id} {u.name}: {u.unit_type}, {u.accounting_points} point(s), {u.licence_area}, "
        f"{u.connection_type}/{u.connection_status}"
    )
    comp = a.unit_composition
    assets = ", ".join(f"{g.count} {g.category} {g.capacity_kw:.2f} kW" for g in comp.assets)
    click.echo(f"  applied  import {comp.import_capacity_kw:.2f} kW, export {comp.export_capacity_kw:.2f} kW; {assets}")
    if u.composition != comp:
        click.echo("  NOTE     the unit's composition has changed since the application")
    click.echo(
        f"  product  {built.product.id} v{r.version} ({built.product.so}): {r.direction}, "
        f"min {r.min_capacity_kw:.2f} kW, "
        f"full delivery {r.full_delivery_s:g} s, {r.duration_min} min, metering {r.metering_resolution_s:g} s"
    )
    caps = a.capabilities
    declared = [
        f"{r.label} {value:g} {r.unit}" if (value := getattr(caps, r.field)) is not None else f"{r.label} not declared"
        for r in REQUIREMENTS
    ]
    click.echo(
        f"  asked    up {a.capacity_up_kw:.2f} kW, down {a.capacity_down_kw:.2f} kW; declared {', '.join(declared)}"
    )
    for ev in a.evidence:
        click.echo(f"  evidence {ev.title}: {ev.url} sha256 {ev.sha256}")
    for q in built.other_qualifications:
        click.echo(f"  holds    {q.product} ({q.so}): {q.status}")
    for t in built.recorded:
        recorded = gb_time.shown_time(t.recorded_at, seconds=True) if t.recorded_at else None
        when = f"recorded {recorded}" if recorded else "not yet recorded on main"
        signed = gb_time.shown_time(t.signed_at, seconds=True)
        click.echo(f"  record   {t.kind} {t.id} signed by {t.signer} {signed}, {when}")


def _so_write(
    kind: str,
    fields: dict[str, Any],
    application: Application,
    registry: Registry,
    key_path: Path,
    signer: str | None,
    moment: datetime,
    location: tuple[Path, Path],
) -> None:
    root, registry_dir = location
    path, warnings = write_record(
        root, registry_dir, registry, kind, fields, key=load_key(key_path), signer=signer or application.so, at=moment
    )
    show_written(root, path, warnings)
    click.echo(_MERGE_HINT)


#: ``--case-reference``: the SO's own reference for the case (public), on outcomes and events.
case_reference_option = click.option(
    "--case-reference",
    default=None,
    metavar="REF",
    help="Your own reference for the case in your systems (public: letters, digits and . _ / : -).",
)


def _day_or_moment(value: str | None, option: str, *, end_of_day: bool) -> datetime | None:
    """A start (``end_of_day=False``) or an end given on the command line: a date alone is the start
    or the end (23:59:59, inclusive) of that day in London (``gb_time``)."""
    if value is None:
        return None
    return parse_moment(value, option, end_of_day=end_of_day).replace(microsecond=0)


@click.command()
@click.argument("application_id", required=False)
@from_option(
    "columns application, result and any of valid_from, valid_until, days, capacity_up_kw, capacity_down_kw, "
    "conditions, reasons, notes, case_reference"
)
@click.option("--qualified", is_flag=True, help="The unit is qualified.")
@click.option("--conditional", is_flag=True, help="Qualified with conditions.")
@click.option("--failed", is_flag=True, help="The assessment failed (give --reason codes).")
@click.option(
    "--valid-from",
    default=None,
    help="Start of validity: a date is the start of that day in London (00:00 Europe/London); a date and "
    "time is London time unless it has an offset (default: the decision time).",
)
@click.option(
    "--valid-until",
    default=None,
    help="End of validity: a date is the end of that day in London (23:59:59 Europe/London, inclusive) "
    "(default: --days after the start; not with --days).",
)
@click.option(
    "--days", type=click.IntRange(1, 1827), default=None, help="Validity in days (default: the product's longest)."
)
@click.option("--capacity-up", type=float, default=None, help="kW qualified upward (default: as applied for).")
@click.option("--capacity-down", type=float, default=None, help="kW qualified downward (default: as applied for).")
@click.option(
    "--condition", "conditions", multiple=True, help="A condition of a conditional qualification (repeatable)."
)
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    type=click.Choice([r.value for r in FailureReason]),
    help="Failure reason code (repeatable).",
)
@click.option("--notes", default=None, help="Public notes.")
@click.option("--supersedes", default=None, help="An earlier outcome this one corrects.")
@case_reference_option
@signing_options
@registry_option
def decide(
    application_id: str | None,
    source: Path | None,
    qualified: bool,
    conditional: bool,
    failed: bool,
    valid_from: str | None,
    valid_until: str | None,
    days: int | None,
    capacity_up: float | None,
    capacity_down: float | None,
    conditions: tuple[str, ...],
    reasons: tuple[str, ...],
    notes: str | None,
    supersedes: str | None,
    case_reference: str | None,
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    """Record the outcome of your assessment of an application (signed).

    Dates are days of the GB market's local time (Europe/London): --valid-from a date starts at that
    day's 00:00, --valid-until a date ends at that day's 23:59:59, both stored as UTC instants.

    With --from FILE.csv instead, one outcome per row: the whole file is checked first, and nothing
    is written unless every row is accepted (each problem names its row and column). Conditions and
    reasons in a cell are separated by ';'."""
    if source is not None:
        options = (
            ("APPLICATION_ID", application_id), ("--qualified", qualified or None),
            ("--conditional", conditional or None), ("--failed", failed or None), ("--valid-from", valid_from),
            ("--valid-until", valid_until), ("--days", days), ("--capacity-up", capacity_up),
            ("--capacity-down", capacity_down), ("--condition", conditions or None), ("--reason", reasons or None),
            ("--notes", notes), ("--supersedes", supersedes), ("--case-reference", case_reference),
        )  # fmt: skip
        named = [name for name, value in options if value is not None]
        if named:
            raise UsageError(f"--from takes each decision from its row: drop {', '.join(named)}")
        decide_from(source, load_key(key_path), signer, at, location)
        return
    if application_id is None:
        raise UsageError("name APPLICATION_ID, or give --from FILE.csv")
    chosen = {
        flag: result
        for flag, result, given in (
            ("--qualified", "qualified", qualified),
            ("--conditional", "conditionally_qualified", conditional),
            ("--failed", "failed", failed),
        )
        if given
    }
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} contradict each other: give one result")
    if not chosen:
        raise UsageError("say the result: --qualified, --conditional or --failed")
    (result,) = chosen.values()
    if valid_until is not None and days is not None:
        raise UsageError("--valid-until and --days both set the end of validity: give one")
    registry = load_registry(*location)
    application = application_or_fail(registry, application_id)
    moment = signing_time(at)
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    fields = outcome_fields(
        application,
        result,
        moment,
        valid_from=_day_or_moment(valid_from, "--valid-from", end_of_day=False),
        valid_until=_day_or_moment(valid_until, "--valid-until", end_of_day=True),
        days=days,
        capacity_up_kw=capacity_up,
        capacity_down_kw=capacity_down,
        conditions=conditions,
        reasons=reasons,
        notes=notes,
        supersedes=supersedes,
        max_validity_days=version.max_validity_days if version else None,
        case_reference=case_reference,
    )
    _so_write("outcome", fields, application, registry, key_path, signer, moment, location)


def _event_command(name: str, event_type: str, summary: str, needs_reason: bool) -> click.Command:
    @click.command(name, help=summary)
    @click.argument("application_id")
    @click.option("--reason", required=needs_reason, default=None, help="Why (public text, no personal data).")
    @case_reference_option
    @signing_options
    @registry_option
    def command(
        application_id: str,
        reason: str | None,
        case_reference: str | None,
        key_path: Path,
        signer: str | None,
        at: str | None,
        location: tuple[Path, Path],
    ) -> None:
        registry = load_registry(*location)
        application = application_or_fail(registry, application_id)
        moment = signing_time(at)
        fields = event_fields(application, event_type, moment, reason=reason, case_reference=case_reference)
        _so_write("event", fields, application, registry, key_path, signer, moment, location)

    return command


acknowledge = _event_command(
    "acknowledge", "acknowledged", "Confirm the application complete: your assessment starts.", False
)
suspend = _event_command("suspend", "suspended", "Suspend a qualification, with a reason.", True)
reinstate = _event_command("reinstate", "reinstated", "End a suspension.", False)
revoke = _event_command("revoke", "revoked", "Revoke a qualification for good, with a reason.", True)


@click.command("request-info")
@click.argument("application_id")
@click.option(
    "--respond-by",
    default=None,
    help="Deadline for the FSP: a date is the end of that day in London (23:59:59 Europe/London, "
    "inclusive); a date and time is London time unless it has an offset.",
)
@click.option(
    "--days", type=click.IntRange(1, 365), default=None, help="Deadline in days (default: the product's target)."
)
@click.option("--reason", default=None, help="What is needed (public text; details go through your own channel).")
@case_reference_option
@signing_options
@registry_option
def request_info(
    application_id: str,
    respond_by: str | None,
    days: int | None,
    reason: str | None,
    case_reference: str | None,
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    """Ask the FSP for information by a deadline; unanswered, the application is deemed withdrawn."""
    registry = load_registry(*location)
    application = application_or_fail(registry, application_id)
    moment = signing_time(at)
    deadline = _day_or_moment(respond_by, "--respond-by", end_of_day=True)
    if deadline is None:
        product = registry.products.get(application.product)
        version = product.version(application.product_version) if product else None
        target = days or (version.service_levels.information_response_days if version else 28)
        deadline = moment + timedelta(days=target)
    fields = event_fields(
        application, "information_requested", moment, reason=reason, respond_by=deadline, case_reference=case_reference
    )
    _so_write("event", fields, application, registry, key_path, signer, moment, location)


COMMANDS = (inbox, package, decide, request_info, acknowledge, suspend, reinstate, revoke)
