"""YAML comments in a record file: the gate's name for ``fmar.loading.comments``, which ``fmar validate``
uses too (the gate's import moves there with the next change to ``trust/gate.py``; then this goes)."""

from __future__ import annotations

from fmar.loading.comments import comments

__all__ = ["comments"]
