"""fmar status: the qualification status of a Market Unit, now or as of a moment."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from fmar import gitrepo
from fmar.cli.common import AS_OF_HELP, EXIT_OK, format_option, parse_moment, registry_option, unknown
from fmar.cli.record_io import load_verified, refused_json, warn_refused
from fmar.core import gb_time
from fmar.core.findings import has_errors, json_path
from fmar.core.registry import Registry
from fmar.core.status import Qualification, recorded_qualification_doc, unit_statuses
from fmar.history.asof import AsOfAnswer, as_of
from fmar.history.index import build_index
from fmar.trust.reading import Verified


def _moment(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _products_json(answers: list[tuple[Qualification, list[Qualification]]], registry: Registry) -> list[Any]:
    return [
        {
            **recorded_qualification_doc(current, registry.recorded_at).model_dump(),
            "applications": [recorded_qualification_doc(q, registry.recorded_at).model_dump() for q in history],
        }
        for current, history in answers
    ]


def _echo_answers(answers: list[tuple[Qualification, list[Qualification]]], registry: Registry, indent: str) -> None:
    if not answers:
        click.echo(f"{indent}no applications")
    for current, history in answers:
        line = f"{indent}{current.product} v{current.product_version}: {current.status.label} — {current.detail}"
        if current.valid_from and current.valid_until:
            line += f" (valid {gb_time.shown(current.valid_from)} to {gb_time.shown(current.valid_until)} London"
            line += f", up {current.capacity_up_kw:.2f} kW, down {current.capacity_down_kw:.2f} kW)"
        click.echo(line)
        click.echo(f"{indent}    by {', '.join(current.justified_by)}")
        recorded = registry.recorded_at.get(current.application)
        if recorded:
            outcome = registry.recorded_at.get(current.outcome or "")
            extra = f", outcome {current.outcome} recorded {_moment(outcome)}" if outcome else ""
            click.echo(f"{indent}    recorded {_moment(recorded)}{extra}")
        attested = registry.attested.get(current.application)
        if attested is not None:
            click.echo(
                f"{indent}    imported: first recorded {_moment(attested.at)} in {attested.source}, "
                f"attested by {attested.signer} ({attested.attestation})"
            )
        for other in history:
            if other.application != current.application:
                click.echo(f"{indent}    also {other.application}: {other.status.label}")


def _load(root: Path, registry_dir: Path) -> tuple[Verified, bool]:
    """The registry with recorded times from Git when it is in a repository, every record judged;
    (verified, from_git)."""
    verified = load_verified(root, registry_dir)
    return verified, gitrepo.is_repository(root) and gitrepo.has_commit(root, "HEAD")


def _as_of_json(answer: AsOfAnswer, now: Registry, then: Registry) -> dict[str, Any]:
    commit = answer.commit
    return {
        "registry_commit": commit.id if commit else None,
        "registry_commit_at": _moment(commit.time) if commit else None,
        "differs": answer.differs,
        "registry_said_then": _products_json(answer.said_then, then),
        "known_now_about_then": _products_json(answer.known_now, now),
        # records in the tree of then that do not stand: not counted in registry_said_then
        "unverified_then": _refused_then(answer),
    }


def _refused_then(answer: AsOfAnswer) -> list[dict[str, str]]:
    return [
        {"path": path, "code": p.code, "json_path": json_path(p.location), "message": p.message, "hint": p.hint}
        for path, problems in sorted(answer.refused_then.items())
        for p in problems
    ]


@click.command()
@click.argument("unit")
@click.option("--product", default=None, help="Only this product.")
@click.option("--as-of", "as_of_value", default=None, help=AS_OF_HELP + "; default: now.")
@registry_option
@format_option("text", "json")
def status(unit: str, product: str | None, as_of_value: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Show the qualification status of UNIT for each product it applied for.

    Inside a Git repository records count from their recorded time (the merge that accepted
    them). With --as-of, the answer is what the registry said at that moment (the last commit
    of the main line by then), and, when it differs, what is known now about that moment
    (JSON: registry_said_then, known_now_about_then; products is the latter).
    Exit status: 0 when the unit is in the registry (and, with --product, that product is), 1 when
    it is not (with the nearest ids the registry has).
    """
    moment = parse_moment(as_of_value)
    root, registry_dir = location
    verified, from_git = _load(root, registry_dir)
    registry, refused = verified.registry, verified.refused_about([unit])
    if has_errors(verified.findings):
        click.echo("note: the registry has validation errors; statuses use its valid records only", err=True)
    answer: AsOfAnswer | None = None
    if from_git and as_of_value is not None:
        index = build_index(root, registry_dir)
        answer = as_of(root, index, registry, unit, moment, product)
    if unit not in registry.units and not (answer and answer.unit_known_then):
        warn_refused(refused)
        unknown("Market Unit", unit, registry.units)
    if product is not None and product not in registry.products:
        unknown("product", product, registry.products)
    answers = unit_statuses(registry, unit, moment, product)
    if fmt == "json":
        document: dict[str, Any] = {
            "format": "fmar-status/v1",
            "unit": unit,
            "as_of": moment.isoformat().replace("+00:00", "Z"),
            # "products" keeps its meaning: today's records read at that moment (= known now about then)
            "products": _products_json(answer.known_now if answer else answers, registry),
            # records about the unit that do not verify: not counted in any status above
            "unverified": refused_json(refused),
        }
        if answer:
            document.update(_as_of_json(answer, registry, answer_registry(answer, registry)))
        click.echo(json.dumps(document, indent=2))
        sys.exit(EXIT_OK)
    warn_refused(refused)
    record = registry.units.get(unit)
    title = f"{record.name}  ({record.fsp}, {record.licence_area})" if record else "(since removed)"
    click.echo(f"{unit}  {title} as of {gb_time.shown_time(moment, seconds=True)}")
    if answer is None:
        _echo_answers(answers, registry, "  ")
        return
    commit = answer.commit
    source = f"commit {commit.id[:12]} of {_moment(commit.time)}" if commit else "no commit yet"
    click.echo(f"  registry said then ({source}):")
    for item in _refused_then(answer):
        click.echo(f"warning: not counted then: {item['path']}: {item['code']} {item['message']}", err=True)
    _echo_answers(answer.said_then, answer_registry(answer, registry), "    ")
    if answer.differs:
        click.echo("  known now about then (records recorded later that take effect by then):")
        _echo_answers(answer.known_now, registry, "    ")
    else:
        click.echo("  known now about then: the same")


def answer_registry(answer: AsOfAnswer | None, now: Registry) -> Registry:
    return answer.then if answer else now
