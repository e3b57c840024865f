"""``fmar attest-import``: the registry operator's attestation of when an earlier register recorded
the records an import brings in (``core.model.import_attestation``)."""

from __future__ import annotations

from pathlib import Path

import click

from fmar.cli.bulk_cmd import read_source, report_rows, row_count
from fmar.cli.common import registry_option
from fmar.cli.record_io import load_key, load_registry, signing_options, signing_time, write_record
from fmar.core.model import PartyRole
from fmar.core.workflow.bulk import read_attested


@click.command("attest-import")
@click.argument("attestation_id", metavar="ID")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV file with columns id and recorded_at (ISO 8601 with its offset): each record the import "
    "adds and when the earlier register recorded it.",
)
@click.option("--register", required=True, help="The earlier register and extract: 'UKPN register, 2026-11-30'.")
@click.option("--notes", default=None, help="Public notes.")
@signing_options
@registry_option
def attest_import(
    attestation_id: str,
    source: Path,
    register: str,
    notes: str | None,
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    """Sign the import attestation ID (IMP-2026-001) of the records listed in --from, as the operator.

    Commit it with the records it names, in one pull request: the gate accepts it only from the
    registry operator and only for records the same change adds. Their service levels, statuses,
    transitions and reports then count from the times attested.

    Exit status: 0 written; 1 a row or the attestation is refused (nothing written); 2 usage."""
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    moment = signing_time(at)
    rows, problems = read_attested(read_source(source))
    if problems:
        report_rows(source, problems, row_count(rows, problems))
    if not rows:
        raise click.BadParameter(f"{source} has no rows", param_hint="--from")
    operators = sorted(p.id for p in registry.parties.values() if p.role is PartyRole.OPERATOR)
    fields = {
        "id": attestation_id,
        "source": register,
        "records": [values for _, values in rows],
        **({"notes": notes} if notes else {}),
    }
    path, warnings = write_record(
        root,
        registry_dir,
        registry,
        "import_attestation",
        fields,
        key=load_key(key_path),
        signer=signer or (operators[0] if operators else ""),
        at=moment,
    )
    for warning in warnings:
        click.echo(f"warning {warning.rule.code} {warning.message}", err=True)
    click.echo(f"wrote {path.relative_to(root).as_posix()}: {len(rows)} record(s) of {register}")
    click.echo("next: commit it with the records it names, in one pull request (the operator's)")
