"""fmar: an open, Git-backed registry of the qualification status of GB flexibility Market Units."""

__version__ = "0.1.0"
