"""The CODEOWNERS file, generated from the party records.

Mapping (documented in docs/github.md):
- the registry operator's team owns the rules of the registry: parties, products, the process
  catalogue, schemas, code, docs and the repository automation (``.github/``);
- a system operator's team co-owns its own party record and the records of its products, so
  it reviews any change to its keys and product definitions; an FSP's team co-owns its party
  record;
- units, applications, outcomes and events live in shared folders and have no path owner:
  who may write which of them is decided by signatures and roles (``fmar check``), not by
  review, so an FSP's application never waits for a reviewer and an SO's outcome merges when
  the checks pass.
"""

from __future__ import annotations

from fmar.core.model import PartyRole
from fmar.core.registry import Registry

HEADER = (
    "# Generated from registry/party/*.yaml by `fmar codeowners`; do not edit by hand.\n"
    "# Units, applications, outcomes and events have no path owner: signatures and roles decide\n"
    "# who may write them (fmar check). See docs/github.md.\n"
)
#: Paths the registry operator owns, in file order (later lines take precedence on GitHub).
OPERATOR_PATHS = (
    "/.github/",
    "/.pre-commit-hooks.yaml",
    "/.pre-commit-config.yaml",
    "/pyproject.toml",
    "/src/",
    "/schemas/",
    "/scripts/",
    "/docs/",
    "/registry/party/",
    "/registry/product/",
    "/registry/process/",
)


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
        lines += [_line(f"/registry/party/{p.id}.yaml", [*operators, str(p.github_team)]) for p in own_parties]
    products = []
    for product in sorted(registry.products.values(), key=lambda p: p.id):
        so = registry.parties.get(product.so)
        if so is not None and so.github_team:
            products.append(_line(f"/registry/product/{product.id}.yaml", [*operators, so.github_team]))
    if products:
        lines += ["", "# Each system operator co-owns the definitions of its products", *products]
    return "\n".join(lines) + "\n"
