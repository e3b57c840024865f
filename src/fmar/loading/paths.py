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


def registry_root(start: Path | None = None) -> Path:
    """The root a registry's paths are relative to: the nearest folder at or above ``start`` that holds
    its trust anchor or is a Git work tree's root (so a registry generated beside its own anchor,
    inside another repository's ignored folder, is judged under its own anchor), else ``start``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ANCHOR_PATH).is_file() or (candidate / ".git").exists():
            return candidate
    return here


def locate_registry(option: str | None) -> tuple[Path, Path]:
    """(registry root, registry folder) from the ``--registry`` option or the enclosing repository."""
    if option:
        registry = Path(option).resolve()
        return registry_root(registry.parent), registry
    root = registry_root()
    return root, root / "registry"
