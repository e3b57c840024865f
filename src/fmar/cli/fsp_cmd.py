"""The FSP's commands: register a unit, see what it may apply for, apply, withdraw, supply information."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import yaml

from fmar.cli.bulk_cmd import apply_from, from_option, units_from
from fmar.cli.common import UsageError, format_option, nearest, registry_option
from fmar.cli.record_io import (
    application_or_fail,
    as_of_option,
    as_of_time,
    fail,
    load_key,
    load_registry,
    load_verified,
    refused_json,
    report_rejection,
    show_written,
    signing_options,
    signing_time,
    warn_refused,
    write_record,
)
from fmar.core.catalogue import (
    BAD_INPUT_FILE,
    MATERIAL_CHANGE,
    UNIT_ADD_OR_UPDATE,
    UNKNOWN_PRODUCT_VERSION,
    UNRESOLVED_REFERENCE,
)
from fmar.core.findings import Problem
from fmar.core.ids import MARKET_UNIT_ID
from fmar.core.model import MarketUnit
from fmar.core.model.capabilities import REQUIREMENTS, Capabilities, declared_over
from fmar.core.registry import Registry
from fmar.core.workflow.changes import impacts
from fmar.core.workflow.eligibility import eligibility
from fmar.core.workflow.forms import (
    NotAnAsset,
    application_fields,
    capacity_defaults,
    current_version,
    event_fields,
    missing_unit_fields,
    unit_fields,
)
from fmar.writing.writer import dumps, record_path


def _unit_options(func: Any) -> Any:
    options = [
        click.option("--file", "input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--name"),
        click.option("--fsp", help="Your party id (the unit's owner)."),
        click.option("--unit-type", type=click.Choice(["SPU", "SPG"])),
        click.option("--accounting-points", type=int),
        click.option("--licence-area", help="One of the 14 DNO licence areas, e.g. UKPN_EPN."),
        click.option("--gsp-group", help="Default: the GSP group of the licence area."),
        click.option("--connection-type", type=click.Choice(["FIRM", "NON_FIRM", "DYNAMIC"])),
        click.option("--connection-status", type=click.Choice(["CONNECTED", "PENDING", "DISCONNECTED"])),
        click.option("--bm-unit"),
        click.option("--import-kw", type=float, help="Maximum import (demand) capacity, kW."),
        click.option("--export-kw", type=float, help="Maximum export (generation) capacity, kW."),
        click.option(
            "--asset", "assets", multiple=True, help="CATEGORY:COUNT:KW, e.g. BESS:1:2000 (repeat per category)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return signing_options(registry_option(func))


def _read_input(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: undecodable text, an integer too long to read
        fail(f"{path}: {BAD_INPUT_FILE.code} not readable YAML or JSON: {exc}")
    if not isinstance(data, dict):
        fail(f"{path}: {BAD_INPUT_FILE.code} must hold a mapping of unit fields (name:, fsp:, composition: ...)")
    return {k: v for k, v in data.items() if k not in ("schema_version", "kind", "signature")}


def _cli_unit_fields(base: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """``forms.unit_fields``, a bad --asset a usage error."""
    try:
        return unit_fields(base, flags)
    except NotAnAsset as exc:
        raise click.BadParameter(str(exc), param_hint="--asset") from None


def _write_unit(
    location: tuple[Path, Path], registry: Registry, fields: dict[str, Any], key_path: Path, signer: str | None, at: Any
) -> Path:
    root, registry_dir = location
    owner = signer or fields.get("fsp") or ""
    path, warnings = write_record(
        root,
        registry_dir,
        registry,
        "market_unit",
        fields,
        key=load_key(key_path),
        signer=owner,
        at=signing_time(at),
    )
    show_written(root, path, [w for w in warnings if w.rule != MATERIAL_CHANGE])
    return path


@click.group()
def unit() -> None:
    """Register a Market Unit or change one (signed, validated before it is written)."""


@unit.command("add")
@click.argument("unit_id", required=False)
@from_option(
    "column id, and a column per flag: name, unit_type, licence_area, connection_type, connection_status, "
    "import_kw, export_kw, assets as CATEGORY:COUNT:KW;..."
)
@_unit_options
def unit_add(
    unit_id: str | None,
    source: Path | None,
    location: tuple[Path, Path],
    key_path: Path,
    signer: str | None,
    at: str | None,
    **flags: Any,
) -> None:
    """Register UNIT_ID (MU-<FSP>-<serial>) from flags or --file (YAML or JSON fields of a unit).

    The FSP defaults to the one UNIT_ID names. A unit needs --name, --unit-type, --licence-area,
    --connection-type, --connection-status, --import-kw, --export-kw and at least one --asset
    (--accounting-points too for an SPG), any missing named at once; or those fields in --file, each
    problem named by field.

    With --from FILE.csv instead, one unit per row (a column per flag, assets separated by ';'): the
    whole file is checked first, and nothing is written unless every row is accepted.
    """
    if source is not None:
        named_flags = ["UNIT_ID"] if unit_id else []
        spelled = {"input_file": "--file", "assets": "--asset"}
        named_flags += [
            spelled.get(name, f"--{name.replace('_', '-')}") for name, value in flags.items() if value not in (None, ())
        ]
        if named_flags:
            raise UsageError(f"--from takes each unit's values from its row: drop {', '.join(named_flags)}")
        units_from(source, load_key(key_path), signer, at, location)
        return
    if unit_id is None:
        raise UsageError("name UNIT_ID, or give --from FILE.csv")
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    named = re.fullmatch(MARKET_UNIT_ID, unit_id)
    if named is None:
        raise UsageError(f"{unit_id!r} is not a Market Unit id: MU-<FSP>-<6-digit serial>, e.g. MU-VOLTAFLEX-000042")
    input_file = flags.pop("input_file")
    fields = _cli_unit_fields({**_read_input(input_file), "id": unit_id}, flags)
    fields.setdefault("fsp", unit_id.split("-")[1])
    if unit_id in registry.units:
        draft = dumps({"schema_version": 1, "kind": "market_unit", **fields})
        problem = Problem(
            UNIT_ADD_OR_UPDATE, f"{unit_id} is already registered", f"use: fmar unit update {unit_id}", ("id",)
        )
        report_rejection(root, record_path(registry_dir, "market_unit", unit_id), [problem], draft)
    missing = missing_unit_fields(fields) if input_file is None else []  # a file's fields: checked by field
    if missing:
        raise UsageError(f"{unit_id} needs {', '.join(missing)} (or those fields in --file)")
    _write_unit(location, registry, fields, key_path, signer, at)
    click.echo(f"next: fmar eligible {unit_id}, then fmar apply {unit_id} PRODUCT")


@unit.command("update")
@click.argument("unit_id")
@_unit_options
def unit_update(
    unit_id: str, location: tuple[Path, Path], key_path: Path, signer: str | None, at: str | None, **flags: Any
) -> None:
    """Change UNIT_ID: the flags or --file fields replace the registered ones; the rest stay.

    A material change of the composition is reported with what it triggers: the qualifications
    that go into re-assessment and the SOs that will be told when the change is merged.
    """
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    current = registry.units.get(unit_id)
    if current is None:
        draft = dumps({"schema_version": 1, "kind": "market_unit", "id": unit_id})
        problem = Problem(UNIT_ADD_OR_UPDATE, f"{unit_id} is not registered", f"use: fmar unit add {unit_id}", ("id",))
        report_rejection(root, record_path(registry_dir, "market_unit", unit_id), [problem], draft)
        return
    base = current.model_dump(mode="json", exclude_none=True, exclude={"signature", "schema_version", "kind"})
    fields = _cli_unit_fields({**base, **_read_input(flags.pop("input_file"))}, flags)
    _write_unit(location, registry, fields, key_path, signer, at)
    updated = MarketUnit.model_validate(
        {**fields, "schema_version": 1, "kind": "market_unit", "signature": current.signature.model_dump(mode="json")}
    )
    moment = signing_time(at)
    found = impacts(registry, updated, moment)
    if not found:
        click.echo("not a material change for any live qualification or open application")
    else:
        click.echo("MATERIAL CHANGE: when merged, these go into re-assessment and their SOs are told:")
        for item in found:
            click.echo(f"  {item.product} ({item.so}) via {item.application}, now {item.status}: {item.reason}")
        click.echo(f"  re-apply with the new composition: fmar apply {unit_id} PRODUCT")


@click.command()
@click.argument("unit_id")
@as_of_option
@registry_option
@format_option("text", "json")
def eligible(unit_id: str, as_of: str | None, location: tuple[Path, Path], fmt: str) -> None:
    """Products UNIT_ID may apply for, with the reason for each yes and no (indicative only)."""
    moment = as_of_time(as_of)
    verified = load_verified(*location)
    registry, refused = verified.registry, verified.refused_about([unit_id])
    if unit_id not in registry.units:
        warn_refused(refused)
        fail(f"{unit_id} is not a Market Unit in the registry{nearest(unit_id, registry.units)}")
    answers = eligibility(registry, unit_id, moment)
    if fmt == "json":
        document = {
            "format": "fmar-eligibility/v1",
            "unit": unit_id,
            "indicative": True,
            "unverified": refused_json(refused),
            "products": [
                {
                    "product": a.product,
                    "name": a.name,
                    "so": a.so,
                    "version": a.version,
                    "eligible": a.eligible,
                    "answer": a.answer,
                    "reasons": list(a.reasons),
                    "via_equivalence": list(a.via_equivalence),
                    "current_status": a.current_status,
                    "notes": list(a.notes),
                }
                for a in answers
            ],
        }
        click.echo(json.dumps(document, indent=2))
        return
    warn_refused(refused)
    click.echo(f"{unit_id}: indicative eligibility (only the SO's outcome qualifies)")
    for a in answers:
        status = f" [now {a.current_status}]" if a.current_status else ""
        click.echo(f"  {a.answer:<7} {a.product:<22} {a.name} ({a.so}, v{a.version}){status}")
        for reason in a.reasons:
            click.echo(f"          - {reason}")


def _evidence(values: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for value in values:
        url, sep, digest = value.rpartition("=")
        if not sep:
            raise click.BadParameter(f"{value!r}: write URL=SHA256", param_hint="--evidence")
        title = url.rstrip("/").rsplit("/", 1)[-1] or "Evidence"
        out.append({"title": title if len(title) >= 2 else "Evidence", "url": url, "sha256": digest.lower()})
    return out


#: What an apply flag declaring a capability says of its default.
_UNIT_DECLARES = " (default: the unit record's capabilities; else not declared, never the product's requirement)."


@click.command()
@click.argument("unit_id", required=False)
@click.argument("product_id", required=False)
@from_option(
    "columns unit, product and any of capacity_up_kw, capacity_down_kw, product_version, full_delivery_s, "
    "duration_min, metering_resolution_s, evidence"
)
@click.option(
    "--capacity-up",
    type=float,
    help="kW upward, more export or less import (default, if the product needs it: the unit's export "
    "capacity, or for a unit that only imports its import capacity; never import plus export).",
)
@click.option(
    "--capacity-down",
    type=float,
    help="kW downward, more import or less export (default, if the product needs it: the unit's import "
    "capacity, or for a unit that only exports its export capacity).",
)
@click.option("--version", "version_number", type=int, help="Product version (default: the one in force).")
@click.option("--full-delivery-s", type=float, help="Declared time to full delivery, s" + _UNIT_DECLARES)
@click.option("--duration-min", type=int, help="Declared delivery duration, min" + _UNIT_DECLARES)
@click.option("--metering-resolution-s", type=float, help="Declared metering resolution, s" + _UNIT_DECLARES)
@click.option("--evidence", multiple=True, help="URL=SHA256 of a document held elsewhere (repeatable).")
@signing_options
@registry_option
def apply(
    unit_id: str | None,
    product_id: str | None,
    source: Path | None,
    capacity_up: float | None,
    capacity_down: float | None,
    version_number: int | None,
    full_delivery_s: float | None,
    duration_min: int | None,
    metering_resolution_s: float | None,
    evidence: tuple[str, ...],
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    """Apply for qualification of UNIT_ID against PRODUCT_ID: writes a signed application.

    With --from FILE.csv instead, one application per row: the whole file is checked first, and
    nothing is written unless every row is accepted (each problem names its row and column).
    """
    if source is not None:
        named = [f for f, v in (("UNIT_ID", unit_id), ("PRODUCT_ID", product_id)) if v] + [
            flag
            for flag, value in (
                ("--capacity-up", capacity_up),
                ("--capacity-down", capacity_down),
                ("--version", version_number),
                ("--full-delivery-s", full_delivery_s),
                ("--duration-min", duration_min),
                ("--metering-resolution-s", metering_resolution_s),
                ("--evidence", evidence or None),
            )
            if value is not None
        ]
        if named:
            raise UsageError(f"--from takes each application's values from its row: drop {', '.join(named)}")
        apply_from(source, load_key(key_path), signer, at, location)
        return
    if unit_id is None or product_id is None:
        raise UsageError("name UNIT_ID and PRODUCT_ID, or give --from FILE.csv")
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    unit_record = registry.units.get(unit_id)
    product = registry.products.get(product_id)
    if unit_record is None:
        fail(
            f"{UNRESOLVED_REFERENCE.code} {unit_id} is not a Market Unit in the registry"
            f"{nearest(unit_id, registry.units)} (a new one: fmar unit add {unit_id})"
        )
    if product is None:
        fail(
            f"{UNRESOLVED_REFERENCE.code} {product_id} is not a product in the registry"
            f"{nearest(product_id, registry.products)} (what the unit may apply for: fmar eligible {unit_id})"
        )
    assert unit_record is not None and product is not None
    moment = signing_time(at)
    version = product.version(version_number) if version_number else current_version(product, moment)
    if version is None:
        fail(f"{UNKNOWN_PRODUCT_VERSION.code} {product_id} has no version {version_number}")
    assert version is not None
    flags = Capabilities(
        full_delivery_s=full_delivery_s, duration_min=duration_min, metering_resolution_s=metering_resolution_s
    )
    flagged = flags.model_dump(exclude_none=True)
    declared = declared_over(flags, unit_record.capabilities).model_dump(exclude_none=True)
    fields = application_fields(
        unit_record,
        product,
        version,
        moment,
        capacity_up_kw=capacity_up,
        capacity_down_kw=capacity_down,
        capabilities=declared,
        evidence=_evidence(evidence),
    )
    path, warnings = write_record(
        root,
        registry_dir,
        registry,
        "application",
        fields,
        key=load_key(key_path),
        signer=signer or unit_record.fsp,
        at=moment,
    )
    show_written(root, path, warnings)
    for requirement in REQUIREMENTS:
        declared_value = declared.get(requirement.field)
        if declared_value is None:
            click.echo(
                f"{requirement.label}: not declared (the product wants {requirement.wanted(version)}; "
                f"declare it with {requirement.flag} or in the unit record's capabilities, or expect the SO to ask)"
            )
        elif requirement.field not in flagged:
            click.echo(f"{requirement.label}: {declared_value:g} {requirement.unit}, as the unit record declares")
    defaults = capacity_defaults(unit_record, version, product.service)
    for direction, given in (("up", capacity_up), ("down", capacity_down)):
        if given is None:
            kw, how = defaults[direction]
            click.echo(
                f"capacity {direction}: {kw:.2f} kW by default ({how}; name another with --capacity-{direction})"
            )
    rel = path.relative_to(root).as_posix()
    app_id = fields["id"]
    click.echo("next steps:")
    click.echo(f"  git switch -c apply/{app_id}")
    click.echo(f"  git add {rel} && git commit -m 'Apply: {unit_id} for {product_id} ({app_id})'")
    click.echo(
        f"  git push -u origin apply/{app_id}   # then open a pull request; CI checks it, {product.so} is told on merge"
    )


def _fsp_event(
    event_type: str,
    application_id: str,
    reason: str | None,
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    root, registry_dir = location
    registry = load_registry(root, registry_dir)
    application = application_or_fail(registry, application_id)
    owner = registry.units[application.unit].fsp if application.unit in registry.units else ""
    moment = signing_time(at)
    fields = event_fields(application, event_type, moment, reason=reason)
    path, warnings = write_record(
        root, registry_dir, registry, "event", fields, key=load_key(key_path), signer=signer or owner, at=moment
    )
    show_written(root, path, warnings)
    click.echo(f"next: commit it on a branch and open a pull request; {application.so} is told on merge")


@click.command()
@click.argument("application_id")
@click.option("--reason", required=True, help="Why (public text, no personal data).")
@signing_options
@registry_option
def withdraw(
    application_id: str, reason: str, key_path: Path, signer: str | None, at: str | None, location: tuple[Path, Path]
) -> None:
    """Withdraw an application (or the qualification it led to)."""
    _fsp_event("withdrawn", application_id, reason, key_path, signer, at, location)


@click.command("supply-info")
@click.argument("application_id")
@click.option("--note", default=None, help="What was supplied (public text; documents go through the SO's channel).")
@signing_options
@registry_option
def supply_info(
    application_id: str,
    note: str | None,
    key_path: Path,
    signer: str | None,
    at: str | None,
    location: tuple[Path, Path],
) -> None:
    """Record that the information the SO requested has been supplied (stops deemed withdrawal)."""
    _fsp_event("information_supplied", application_id, note, key_path, signer, at, location)


COMMANDS = (unit, eligible, apply, withdraw, supply_info)
