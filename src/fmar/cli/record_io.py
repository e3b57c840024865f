"""Plumbing shared by the commands that write records: keys, the registry with its recorded times, writing.

Every record goes through ``fmar.writing.authoring.author`` (schema and single-record rules) and then
the cross-record rules with the whole registry; nothing is written when either says no.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from fmar.cli.common import AS_OF_HELP, EXIT_FINDINGS, UsageError, parse_moment, unknown
from fmar.core.catalogue import UNRESOLVED_REFERENCE
from fmar.core.findings import Finding, Problem
from fmar.core.ids import ID_PREFIX, new_id
from fmar.core.model import SCHEMA_VERSION, Application
from fmar.core.record_paths import FOLDER_LIMIT
from fmar.core.registry import Registry
from fmar.core.workflow.drafting import errors, key_problem, problems_with
from fmar.gitrepo import GitError
from fmar.history.recorded import verified_with_history
from fmar.loading.record_file import locate
from fmar.loading.strict_yaml import parse_strict
from fmar.signing.sshsig import PrivateKey, SignatureError, load_private_key
from fmar.trust.anchor import NoRegistryIdentity
from fmar.trust.files import registry_identity
from fmar.trust.reading import Verified
from fmar.validation.pipeline import finding
from fmar.writing.authoring import RecordRejected, author, write
from fmar.writing.writer import dumps, record_path

F = TypeVar("F", bound=Callable[..., Any])
PASSPHRASE_ENV = "FMAR_KEY_PASSPHRASE"


def signing_options(func: F) -> F:
    """Add ``--key PATH``, ``--signer PARTY`` and ``--at WHEN``."""
    options = (
        click.option(
            "--key",
            "key_path",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Your OpenSSH private key (passphrase from a prompt or ${PASSPHRASE_ENV}).",
        ),
        click.option("--signer", default=None, help="Your party id (default: the party the record belongs to)."),
        click.option(
            "--at",
            "at",
            default=None,
            help="Signing time: an ISO date (the start of that day in London) or date and time (London time "
            "unless it has an offset such as Z) (default: now).",
        ),
    )
    for option in reversed(options):
        func = option(func)
    return func


def signing_time(value: str | None) -> datetime:
    """``--at`` as an aware UTC moment (seconds precision): a date alone is the start of that day in
    London (``gb_time``); now when absent."""
    return parse_moment(value, "--at", end_of_day=False).replace(microsecond=0)


def as_of_time(value: str | None) -> datetime:
    """``--as-of`` as an aware UTC moment (seconds precision): a date alone is the end of that day in
    London (``gb_time``); now when absent."""
    return parse_moment(value).replace(microsecond=0)


def load_key(path: Path) -> PrivateKey:
    pem = path.read_bytes()
    try:
        return load_private_key(pem)
    except TypeError:  # encrypted: ask for the passphrase
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if passphrase is None:
            if not sys.stdin.isatty():
                raise UsageError(
                    f"{path} is protected by a passphrase: set {PASSPHRASE_ENV} or run in a terminal"
                ) from None
            passphrase = click.prompt(f"Passphrase for {path}", hide_input=True)
        try:
            return load_private_key(pem, passphrase.encode())
        except (ValueError, TypeError):
            raise UsageError(f"wrong passphrase for {path}") from None
    except (ValueError, SignatureError) as exc:
        raise UsageError(f"{path} is not a usable OpenSSH private key: {exc}") from None


def load_verified(root: Path, registry_dir: Path) -> Verified:
    """The registry with recorded times from Git history (signing times outside Git), every record
    judged: only the records that stand are the registry's word."""
    try:
        return verified_with_history(root, registry_dir)
    except GitError as exc:
        raise UsageError(str(exc)) from None


def signing_for(root: Path) -> str:
    """The identity of the registry at ``root`` that records are signed for (its trust anchor's
    ``registry``); a usage error naming the file and what to do when it names none."""
    try:
        return registry_identity(root)
    except NoRegistryIdentity as exc:
        raise UsageError(str(exc)) from None


def load_registry(root: Path, registry_dir: Path) -> Registry:
    """The records that stand (``load_verified``), for a command that writes a record against them."""
    return load_verified(root, registry_dir).registry


def refused_for_so(verified: Verified, so: str | None) -> list[Finding]:
    """The records not counted that concern ``so`` (all of them without one); exit 1, naming the
    nearest, when ``so`` is no system operator of the registry."""
    operators = [p.id for p in verified.registry.parties.values() if p.role.is_system_operator]
    if so is not None and so not in operators:
        unknown("system operator", so, operators)
    return verified.refused_about(so=so) if so else verified.refusals


def warn_refused(refusals: list[Finding]) -> None:
    """Tell (on stderr) which records were not counted, where and why."""
    if not refusals:
        return
    records = len({f.path for f in refusals})
    click.echo(f"warning: {records} record(s) do not verify and are not counted:", err=True)
    for item in refusals:
        click.echo(f"  {item.path}:{item.line}:{item.column}: {item.code} {item.message}", err=True)


def refused_json(refusals: list[Finding]) -> list[dict[str, Any]]:
    """Records not counted, for a JSON answer (its ``unverified`` member)."""
    return [
        {
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "code": f.code,
            "json_path": f.json_path,
            "message": f.message,
            "hint": f.hint,
        }
        for f in refusals
    ]


def report_rejection(root: Path, path: Path, problems: list[Problem], text: str) -> None:
    """Print the problems as findings on the file that would have been written, and exit 1."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    located = locate(problems, text, parse_strict(text).source_map)
    found: list[Finding] = sorted(finding(rel, problem) for problem in located)
    for item in found:
        click.echo(f"{item.path}:{item.line}:{item.column}: {item.severity} {item.code} {item.message}", err=True)
        click.echo(f"    at {item.json_path}" + (f"; fix: {item.hint}" if item.hint else ""), err=True)
    click.echo(f"nothing written: {len(found)} problem(s)", err=True)
    sys.exit(EXIT_FINDINGS)


def room_for(registry_dir: Path, kind: str, record_id: str) -> str:
    """``record_id``, or, for an id fmar drew (application, outcome, event) whose file exists already or whose
    folder is full (``FOLDER_LIMIT``, which the gate holds), another drawn for the same year."""
    if kind not in ID_PREFIX:
        return record_id
    year = int(record_id.split("-")[1])
    for _ in range(100):
        path = record_path(registry_dir, kind, record_id)
        held = sum(1 for _ in path.parent.iterdir()) if path.parent.is_dir() else 0
        if not path.exists() and held < FOLDER_LIMIT:
            return record_id
        record_id = new_id(kind, year)
    return record_id


def write_record(
    root: Path,
    registry_dir: Path,
    registry: Registry,
    kind: str,
    fields: dict[str, Any],
    *,
    key: PrivateKey,
    signer: str,
    at: datetime,
) -> tuple[Path, list[Problem]]:
    """Sign for the registry at ``root``, check with the whole registry, write. Returns the path and
    any warnings; exits 1 on errors, 2 when the repository has no trust anchor naming the registry."""
    identity = signing_for(root)
    fields = {**fields, "id": room_for(registry_dir, kind, fields["id"])}
    path = record_path(registry_dir, kind, fields["id"])
    draft = dumps({"schema_version": SCHEMA_VERSION, "kind": kind, **fields})
    wrong_key = key_problem(registry, signer, key, at)
    if wrong_key is not None:
        report_rejection(root, path, [wrong_key], draft)
    try:
        authored = author(kind, fields, key=key, signer=signer, signed_at=at, registry=identity)
    except RecordRejected as rejected:
        report_rejection(root, path, rejected.problems, draft)
        raise  # unreachable: report_rejection exits
    problems = problems_with(registry, authored.record)
    if errors(problems):
        report_rejection(root, path, errors(problems), authored.text)
    written = write(registry_dir, authored)
    return written, [p for p in problems if p not in errors(problems)]


def show_written(root: Path, path: Path, warnings: list[Problem]) -> None:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    click.echo(f"wrote {rel}")
    for problem in warnings:
        click.echo(f"  warning {problem.code} {problem.message}" + (f"; {problem.hint}" if problem.hint else ""))


def as_of_option(func: F) -> F:
    """Add ``--as-of WHEN`` (default: now), passed as ``as_of``."""
    return click.option("--as-of", "as_of", default=None, help=AS_OF_HELP + "; default: now.")(func)


def application_or_fail(registry: Registry, application_id: str) -> Application:
    application = registry.applications.get(application_id)
    if application is None:
        fail(f"{UNRESOLVED_REFERENCE.code} {application_id} is not an application in the registry")
    assert application is not None
    return application


def fail(message: str) -> None:
    """A negative answer about the registry (an unknown id...): message to stderr, exit 1."""
    click.echo(message, err=True)
    sys.exit(EXIT_FINDINGS)
