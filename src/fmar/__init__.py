"""fmar: an open, Git-backed registry of the qualification status of GB flexibility Market Units."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed distribution's version: pyproject.toml's project.version is the one place it is set.
    __version__ = version("fmar")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree that was never installed
    __version__ = "0+unknown"
