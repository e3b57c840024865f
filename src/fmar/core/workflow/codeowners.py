"""The CODEOWNERS file, generated from the party records.

Mapping (documented in docs/github.md):
- the registry operator's team owns everything by default (the first line, ``*``), and by name
  the rules of the registry and its governance files: parties, products, the process catalogue,
  schemas, code, docs, the audit trail (``audit/``), the trust anchor, CODEOWNERS itself, the
  repository automation (``.github/``, ``.ci/``, ``scripts/``), packaging and lock files;
- a system operator's team co-owns its own party record and the records of its products, so
  it reviews any change to its keys and product definitions; an FSP's team co-owns its party
  record;
- units, applications, outcomes and events live in shared folders and have no path owner:
  who may write which of them is decided by signatures and roles (``fmar check``), not by
  review, so an FSP's application never waits for a reviewer and an SO's outcome merges when
  the checks pass. They are the only paths without an owner (``SHARED_RECORD_FOLDERS``), and
  ``unowned`` finds any other tracked path that the file leaves without one.
"""

from __future__ import annotations

from collections.abc import Iterable

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from fmar.core.model import PartyRole
from fmar.core.record_paths import path_of
from fmar.core.registry import Registry

HEADER = (
    "# Generated from the party records (registry/party/) by `fmar codeowners`; do not edit by hand.\n"
    "# Units, applications, outcomes and events have no path owner: signatures and roles decide\n"
    "# who may write them (fmar check). See docs/github.md.\n"
)
#: Paths the registry operator owns, in file order (later lines take precedence on GitHub).
OPERATOR_PATHS = (
    "*",
    "/.github/",
    "/.ci/",
    "/CODEOWNERS",
    "/.pre-commit-hooks.yaml",
    "/.pre-commit-config.yaml",
    "/pyproject.toml",
    "/requirements/",
    "/src/",
    "/schemas/",
    "/scripts/",
    "/docs/",
    "/audit/",
    "/registry-trust.yaml",
    "/registry/party/",
    "/registry/product/",
    "/registry/process/",
)
#: Folders of records whose writers signatures and roles decide (fmar check): no path owner.
SHARED_RECORD_FOLDERS = ("registry/market_unit/", "registry/application/", "registry/outcome/", "registry/event/")


def _line(path: str, owners: list[str]) -> str:
    return f"{path:<44} {' '.join(owners)}".rstrip()


def codeowners(registry: Registry) -> str:
    operators = sorted(
        p.github_team for p in registry.parties.values() if p.role is PartyRole.OPERATOR and p.github_team
    )
    lines = [HEADER.rstrip("\n"), "", "# The registry operator"]
    lines += [_line(path, operators) for path in OPERATOR_PATHS]
    own_parties = [
        p
        for p in sorted(registry.parties.values(), key=lambda p: p.id)
        if p.github_team and p.role is not PartyRole.OPERATOR
    ]
    if own_parties:
        lines += ["", "# Each party co-owns its own record (its keys and contacts)"]
        lines += [_line(f"/registry/{path_of('party', p.id)}", [*operators, str(p.github_team)]) for p in own_parties]
    products = []
    for product in sorted(registry.products.values(), key=lambda p: p.id):
        so = registry.parties.get(product.so)
        if so is not None and so.github_team:
            products.append(_line(f"/registry/{path_of('product', product.id)}", [*operators, so.github_team]))
    if products:
        lines += ["", "# Each system operator co-owns the definitions of its products", *products]
    lines += ["", "# Shared record folders: no path owner (fmar check decides who may write them)"]
    lines += [f"/{folder}" for folder in SHARED_RECORD_FOLDERS]
    return "\n".join(lines) + "\n"


def owners_of(text: str) -> list[tuple[GitIgnoreSpecPattern, list[str]]]:
    """The rules of a CODEOWNERS file, in file order: (pattern, owners).

    GitHub's syntax: one pattern and its owners a line, ``#`` comments, gitignore-style patterns
    without negation (a ``!`` line is an error GitHub skips, so it is skipped here too).
    """
    rules = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line or line.startswith("!"):
            continue
        pattern, *owners = line.split()
        rules.append((GitIgnoreSpecPattern(pattern), owners))
    return rules


def unowned(text: str, paths: Iterable[str]) -> list[str]:
    """Tracked ``paths`` that the CODEOWNERS ``text`` leaves without an owner, with GitHub's
    semantics (the last matching pattern wins; a pattern with no owners means no owner), except
    the shared record folders, which have none on purpose."""
    rules = owners_of(text)[::-1]
    out = []
    for path in paths:
        if path.startswith(SHARED_RECORD_FOLDERS):
            continue
        owners = next((found for pattern, found in rules if pattern.match_file(path) is not None), [])
        if not owners:
            out.append(path)
    return out
