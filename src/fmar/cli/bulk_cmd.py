"""``fmar apply --from`` and ``fmar decide --from``: many signed records at once, all or none.

The whole file is checked first (``core.workflow.bulk``: columns, cells, ids; each record as
signed; then all of them together against the registry, once), and nothing is written unless
every row is accepted. Each problem names the file, the row's line and the column.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from fmar.cli.common import EXIT_FINDINGS
from fmar.cli.record_io import load_registry, room_for, signing_for, signing_time
from fmar.core.catalogue import APPLICATION_NOT_BY_OWNER, OUTCOME_NOT_BY_SO, UNIT_ID_NOT_FSP
from fmar.core.findings import Problem
from fmar.core.ids import ID_PREFIX, new_id
from fmar.core.model import Record
from fmar.core.registry import Registry
from fmar.core.workflow.bulk import Row, RowProblem, read_decisions, read_rows, read_units
from fmar.core.workflow.drafting import errors, key_problem, problems_with_all
from fmar.signing.sshsig import PrivateKey, public_key_line
from fmar.writing.authoring import Authored, RecordRejected, author, write

F = TypeVar("F", bound=Callable[..., Any])

#: A reader of one kind of file: its text, the registry and the signing time in; rows and problems out.
Reader = Callable[[str, Registry, datetime], tuple[list[Row], list[RowProblem]]]


#: The column of a field of a unit's composition (the rest are columns of their own names).
_COMPOSITION_COLUMNS = {"import_capacity_kw": "import_kw", "export_capacity_kw": "export_kw", "assets": "assets"}


def _column(problem: Problem) -> str:
    """The CSV column a record's problem is about (its field), "" when it is about the row."""
    location = problem.location
    if len(location) > 1 and location[0] == "composition":
        return _COMPOSITION_COLUMNS.get(str(location[1]), "composition")
    return str(location[0]) if location else ""


def read_source(source: Path) -> str:
    """The text of a ``--from`` file (a byte-order mark dropped); a usage error naming it when it
    cannot be read."""
    try:
        return source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{source}: cannot be read as UTF-8 text ({exc})", param_hint="--from") from None


def row_count(rows: list[Any], found: list[RowProblem]) -> int:
    """The rows of a file: those accepted and those a problem names (the header's line not counted)."""
    return len(rows) + len({p.line for p in found if p.line > 1})


def report_rows(source: Path, found: list[RowProblem], rows: int) -> None:
    """Each problem by line and column, then exit 1: nothing is written."""
    for item in sorted(found, key=lambda p: (p.line, p.column, p.problem.rule.code)):
        problem = item.problem
        where = f" column {item.column}:" if item.column else ""
        hint = f"; fix: {problem.hint}" if problem.hint else ""
        click.echo(f"{source}:{item.line}:{where} error {problem.rule.code} {problem.message}{hint}", err=True)
    lines = len({p.line for p in found})
    click.echo(f"nothing written: {len(found)} problem(s) in {lines} of {rows} row(s)", err=True)
    sys.exit(EXIT_FINDINGS)


def _signer(registry: Registry, rows: list[Row], key: PrivateKey, signer: str | None) -> str | None:
    """As told, else the party publishing the key, else the one party the rows' records are of."""
    line = public_key_line(key)
    owners = [p.id for p in registry.parties.values() if any(k.public_key == line for k in p.keys)]
    parties = sorted({row.owner for row in rows})
    return signer or (owners[0] if len(owners) == 1 else parties[0] if len(parties) == 1 else None)


def write_from(
    source: Path,
    read: Reader,
    key: PrivateKey,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> list[Path]:
    """Check every row of ``source`` (read by ``read``), then write one signed record per row, or
    nothing (exit 1, each problem named by line and column). Returns the files written."""
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    moment = signing_time(at)
    rows, found = read(read_source(source), registry, moment)
    total = row_count(rows, found)
    who = _signer(registry, rows, key, signer)
    kind = rows[0].kind if rows else ""
    rule, whose = {
        "application": (APPLICATION_NOT_BY_OWNER, "unit"),
        "outcome": (OUTCOME_NOT_BY_SO, "application"),
        "market_unit": (UNIT_ID_NOT_FSP, "id"),
    }.get(kind, (APPLICATION_NOT_BY_OWNER, "unit"))
    if who is None and rows:
        parties = ", ".join(sorted({r.owner for r in rows}))
        found.append(
            RowProblem(1, whose, Problem(rule, f"the rows' records are of {parties}", "one file per party", ()))
        )
    elif who is not None:
        for row in rows:
            if row.owner != who:
                what = "" if kind == "application" else " to decide"
                message = f"{row.fields[whose]} is {row.owner}'s{what}, and this file is signed as {who}"
                hint = "one file per party: each signs its own records"
                found.append(RowProblem(row.line, whose, Problem(rule, message, hint, (whose,))))
        wrong_key = key_problem(registry, who, key, moment)
        if wrong_key is not None:
            found.append(RowProblem(1, "", wrong_key))
    if not rows and not found:
        raise click.BadParameter(f"{source} has no rows", param_hint="--from")
    if found:
        report_rows(source, found, total)
    assert who is not None
    identity = signing_for(root)
    authored: list[tuple[Row, Authored]] = []
    taken: set[str] = set()
    for row in rows:
        record_id = row.fields["id"]
        if row.kind in ID_PREFIX:  # an id fmar drew: another if its file exists, or twice in one file
            record_id = room_for(registry_dir, row.kind, record_id)
            while record_id in taken:
                record_id = room_for(registry_dir, row.kind, new_id(row.kind, moment.year))
        taken.add(record_id)
        try:
            signed = author(
                row.kind, {**row.fields, "id": record_id}, key=key, signer=who, signed_at=moment, registry=identity
            )
            authored.append((row, signed))
        except RecordRejected as rejected:
            found.extend(RowProblem(row.line, _column(p), p) for p in rejected.problems)
    if found:
        report_rows(source, found, total)
    records: list[Record] = [a.record for _, a in authored]
    judged = problems_with_all(registry, records)
    for row, signed in authored:
        found.extend(RowProblem(row.line, _column(p), p) for p in errors(judged[signed.record.id]))
    if found:
        report_rows(source, found, total)
    written = [write(registry_dir, signed) for _, signed in authored]
    for path in written:
        click.echo(f"wrote {path.relative_to(root).as_posix()}")
    click.echo(f"{len(written)} {kind}(s) written, signed as {who}, from {source}")
    return written


def from_option(columns: str) -> Callable[[F], F]:
    """``--from FILE.csv`` (passed as ``source``): a file of many records, whose ``columns`` are named."""
    return click.option(
        "--from",
        "source",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=f"A CSV file of many records ({columns}): every row checked first, then all written, or none.",
    )


def _next_steps(branch: str, message: str, then: str) -> None:
    click.echo("next steps:")
    click.echo(f"  git switch -c {branch}")
    click.echo(f"  git add registry/ && git commit -m '{message}'")
    click.echo(f"  git push -u origin {branch}   # then open one pull request; {then}")


def apply_from(source: Path, key: PrivateKey, signer: str | None, at: str | None, location: tuple[Path, Path]) -> None:
    """One signed application per row of ``source`` (``bulk.read_rows``), or none."""
    written = write_from(source, read_rows, key, signer, at, location)
    _next_steps("apply/bulk", f"Apply: {len(written)} applications from {source.name}", "CI checks every record")


def decide_from(source: Path, key: PrivateKey, signer: str | None, at: str | None, location: tuple[Path, Path]) -> None:
    """One signed outcome per row of ``source`` (``bulk.read_decisions``), or none."""
    written = write_from(source, read_decisions, key, signer, at, location)
    _next_steps("decide/bulk", f"Outcomes: {len(written)} decisions from {source.name}", "the FSPs are told on merge")


def units_from(source: Path, key: PrivateKey, signer: str | None, at: str | None, location: tuple[Path, Path]) -> None:
    """One signed Market Unit per row of ``source`` (``bulk.read_units``), or none."""
    written = write_from(source, read_units, key, signer, at, location)
    _next_steps("units/bulk", f"Units: {len(written)} registered from {source.name}", "then fmar apply --from")
