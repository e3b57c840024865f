"""fmar sign, verify, canonical and keys: signed records for people and for CI."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from fmar.cli import report
from fmar.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, format_option, registry_option, relative
from fmar.cli.record_io import load_key, load_verified, signing_for, signing_time
from fmar.core import gb_time
from fmar.core.model import KINDS
from fmar.loading.paths import ANCHOR_PATH, locate_registry
from fmar.loading.record_file import locate, parse_text
from fmar.loading.text import decode
from fmar.signing.canonical import canonical_bytes
from fmar.signing.sshsig import fingerprint, public_key_line
from fmar.trust.anchor import NoRegistryIdentity
from fmar.trust.files import load_anchor, load_parties, record_files, sign_file, signer_of
from fmar.trust.revision import kind_of
from fmar.trust.standing import vet
from fmar.trust.verify import allowed_signers, verify_registry
from fmar.validation.pipeline import finding


def _read_data(file: Path) -> dict:
    """The record data in ``file``; when it has none, its problems as findings on stderr and exit 1."""
    text, problems = decode(file.read_bytes())
    data, source_map, more = parse_text(text) if text is not None else (None, None, [])
    if data is None:
        found = [*problems, *more]
        located = locate(found, text, source_map) if text is not None else found
        for item in sorted(finding(str(file), problem) for problem in located):
            click.echo(f"{item.path}:{item.line}:{item.column}: {item.severity} {item.code} {item.message}", err=True)
            click.echo(f"    at {item.json_path}" + (f"; fix: {item.hint}" if item.hint else ""), err=True)
        click.echo(f"{file} is not a readable record; nothing done", err=True)
        sys.exit(EXIT_FINDINGS)
    return data


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="OpenSSH private key."
)
@click.option("--signer", default=None, help="Party id of the signer (default: the party that publishes the key).")
@click.option("--at", "at", default=None, help="Signing time, ISO 8601 (default: now). The gate refuses backdating.")
def sign(file: Path, key_path: Path, signer: str | None, at: str | None) -> None:
    """Sign FILE in place with the private key at --key, for this registry.

    The signature names the registry's identity, read from the trust anchor registry-trust.yaml
    at the repository root (the anchor itself is signed for the identity it names). A
    passphrase-protected key takes its passphrase from FMAR_KEY_PASSPHRASE, or asks for it without
    echo. Nothing is written when the signed record would be invalid.
    """
    root, registry = locate_registry(None)
    resolved = file.resolve()
    rel = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else resolved.name
    # In the registry, the kind folder; elsewhere (a draft outside it), the nearest folder named after a kind.
    folders = rel.split("/")[:-1]
    kind = (
        "trust_anchor"
        if rel == ANCHOR_PATH
        else kind_of(rel) or next((name for name in reversed(folders) if name in KINDS), None)
    )
    if kind is None:
        raise UsageError(
            f"{file} is not in a kind folder of the registry (registry/<kind>/...) nor the trust anchor {ANCHOR_PATH}"
        )
    identity = None if kind == "trust_anchor" else signing_for(root)
    key = load_key(key_path)
    parties = load_parties(registry) if registry.is_dir() else {}
    existing = _read_data(file).get("signature")
    signer = signer or signer_of(key, parties) or (existing.get("signer") if isinstance(existing, dict) else None)
    if not signer:
        raise UsageError("no party publishes this key: name the signer with --signer PARTY")
    moment = signing_time(at)
    vetting = None
    if kind == "trust_anchor":
        parties = {}
    elif registry.is_dir():
        standing = load_verified(root, registry).registry
        vetting = functools.partial(vet, registry=standing, anchor=load_anchor(root)[1])
    signed, problems = sign_file(file, kind, key, signer, moment, parties, vetting, registry=identity)
    if problems or signed is None:
        text, _ = decode(file.read_bytes())
        located = locate(problems, text, None) if text is not None else problems
        for item in sorted(finding(str(file), problem) for problem in located):
            click.echo(f"{item.path}:{item.line}:{item.column}: {item.severity} {item.code} {item.message}", err=True)
            click.echo(f"    at {item.json_path}" + (f"; fix: {item.hint}" if item.hint else ""), err=True)
        click.echo("not signed: the record would be invalid, or not the signer's to sign; nothing written", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(
        f"signed {file} as {signer} with {fingerprint(public_key_line(key))} "
        f"at {gb_time.shown_time(moment, seconds=True)} "
        f"for registry {signed['signature']['registry']}"
    )


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@registry_option
@format_option("text", "json", "github")
def verify(paths: tuple[str, ...], location: tuple[Path, Path], fmt: str) -> None:
    """Verify the signatures of every record (or of PATHS) and of the trust anchor.

    A file named in PATHS that is neither a record file nor the trust anchor is a usage error, so
    a pre-commit hook never passes a file it did not judge. Exit status: 0 when every signature
    verifies, 1 when any does not, 2 on a usage error.
    """
    root, registry = location
    named = relative(root, paths) if paths else None
    if named:
        judged = {path.relative_to(root).as_posix() for path, _ in record_files(registry)} | {ANCHOR_PATH}
        unjudged = [rel for rel in named if (root / rel).is_file() and rel not in judged]
        if unjudged:
            raise UsageError(
                f"{', '.join(unjudged)}: not a record file (registry/<kind>/.../<id>.yaml) nor the trust anchor "
                f"{ANCHOR_PATH}, so there is no signature to verify; run fmar validate for what is wrong"
            )
    try:
        findings, files = verify_registry(root, registry, named)
    except NoRegistryIdentity as exc:
        raise UsageError(str(exc)) from None
    report.write(fmt, findings, files, sys.stdout)
    sys.exit(EXIT_FINDINGS if findings else EXIT_OK)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def canonical(file: Path) -> None:
    """Print the exact bytes a record's signature covers (RFC 8785 JSON without signature.value)."""
    sys.stdout.buffer.write(canonical_bytes(_read_data(file)))
    sys.stdout.flush()


@click.group()
def keys() -> None:
    """Parties' public keys."""


@keys.command("allowed-signers")
@registry_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
def allowed_signers_cmd(location: tuple[Path, Path], output: Path | None) -> None:
    """Write an OpenSSH allowed_signers file of every party key, for ssh-keygen -Y verify."""
    _, registry = location
    text = allowed_signers(load_parties(registry))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
