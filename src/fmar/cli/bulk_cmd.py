"""``fmar apply --from FILE.csv``: many signed applications at once, all or none.

The whole file is checked first (``core.workflow.bulk``: columns, cells, ids; each record as
signed; then all of them together against the registry, once), and nothing is written unless
every row is accepted. Each problem names the file, the row's line and the column.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fmar.cli.common import EXIT_FINDINGS
from fmar.cli.record_io import load_registry, room_for, signing_for, signing_time
from fmar.core.catalogue import APPLICATION_NOT_BY_OWNER
from fmar.core.findings import Problem
from fmar.core.ids import new_id
from fmar.core.model import Record
from fmar.core.workflow.bulk import Row, RowProblem, read_rows
from fmar.core.workflow.drafting import errors, key_problem, problems_with_all
from fmar.signing.sshsig import PrivateKey, public_key_line
from fmar.writing.authoring import Authored, RecordRejected, author, write


def _column(problem: Problem) -> str:
    """The CSV column a record's problem is about (its field), "" when it is about the row."""
    return str(problem.location[0]) if problem.location else ""


def _report(source: Path, found: list[RowProblem], rows: int) -> None:
    for item in sorted(found, key=lambda p: (p.line, p.column, p.problem.rule.code)):
        problem = item.problem
        where = f" column {item.column}:" if item.column else ""
        hint = f"; fix: {problem.hint}" if problem.hint else ""
        click.echo(f"{source}:{item.line}:{where} error {problem.rule.code} {problem.message}{hint}", err=True)
    lines = len({p.line for p in found})
    click.echo(f"nothing written: {len(found)} problem(s) in {lines} of {rows} row(s)", err=True)
    sys.exit(EXIT_FINDINGS)


def apply_from(source: Path, key: PrivateKey, signer: str | None, at: str | None, location: tuple[Path, Path]) -> None:
    """Check every row of ``source``, then write one signed application per row (or nothing)."""
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    moment = signing_time(at)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{source}: cannot be read as UTF-8 text ({exc})", param_hint="--from") from None
    rows, found = read_rows(text, registry, moment)
    total = len(rows) + len({p.line for p in found if p.line > 1})
    fsps = sorted({row.fsp for row in rows})
    line = public_key_line(key)
    owners = [p.id for p in registry.parties.values() if any(k.public_key == line for k in p.keys)]
    # The signer: as told, else the party publishing the key, else the one FSP the rows are of.
    who = signer or (owners[0] if len(owners) == 1 else fsps[0] if len(fsps) == 1 else None)
    if who is not None:
        for row in rows:
            if row.fsp != who:
                found.append(
                    RowProblem(
                        row.line,
                        "unit",
                        Problem(
                            APPLICATION_NOT_BY_OWNER,
                            f"{row.unit} is {row.fsp}'s, and this file is signed as {who}",
                            "one file per FSP: each signs the applications of its own units",
                            ("unit",),
                        ),
                    )
                )
        wrong_key = key_problem(registry, who, key, moment)
        if wrong_key is not None:
            found.append(RowProblem(1, "", wrong_key))
    elif rows:
        mixed = Problem(APPLICATION_NOT_BY_OWNER, f"the units are of {', '.join(fsps)}", "one file per FSP", ())
        found.append(RowProblem(1, "unit", mixed))
    if not rows and not found:
        raise click.BadParameter(f"{source} has no rows", param_hint="--from")
    if found:
        _report(source, found, total)
    assert who is not None
    identity = signing_for(root)
    authored: list[tuple[Row, Authored]] = []
    taken: set[str] = set()
    for row in rows:
        record_id = room_for(registry_dir, "application", row.fields["id"])
        while record_id in taken:  # drawn twice in one file: draw again
            record_id = room_for(registry_dir, "application", new_id("application", moment.year))
        taken.add(record_id)
        fields = {**row.fields, "id": record_id}
        try:
            signed = author("application", fields, key=key, signer=who, signed_at=moment, registry=identity)
            authored.append((row, signed))
        except RecordRejected as rejected:
            found.extend(RowProblem(row.line, _column(p), p) for p in rejected.problems)
    if found:
        _report(source, found, total)
    records: list[Record] = [a.record for _, a in authored]
    judged = problems_with_all(registry, records)
    for row, signed in authored:
        found.extend(RowProblem(row.line, _column(p), p) for p in errors(judged[signed.record.id]))
    if found:
        _report(source, found, total)
    written = [write(registry_dir, signed) for _, signed in authored]
    for path in written:
        click.echo(f"wrote {path.relative_to(root).as_posix()}")
    click.echo(f"{len(written)} application(s) written, signed as {who}, from {source}")
    click.echo("next steps:")
    click.echo("  git switch -c apply/bulk")
    click.echo(f"  git add registry/ && git commit -m 'Apply: {len(written)} applications from {source.name}'")
    click.echo("  git push -u origin apply/bulk   # then open one pull request; CI checks every record")
