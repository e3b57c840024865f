"""Where the repository and its registry are."""

from __future__ import annotations

from pathlib import Path

#: Where the trust anchor (``fmar.trust.anchor``) lives, relative to the repository root.
ANCHOR_PATH = "registry-trust.yaml"


def repository_root(start: Path | None = None) -> Path:
    """The enclosing Git work tree's root, or ``start`` itself when it is in none."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def locate_registry(option: str | None) -> tuple[Path, Path]:
    """(repository root, registry folder) from the ``--registry`` option or the enclosing repository."""
    if option:
        registry = Path(option).resolve()
        return repository_root(registry.parent), registry
    root = repository_root()
    return root, root / "registry"
