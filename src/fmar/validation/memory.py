"""Garbage collection around the large, long-lived object graphs of a national registry.

CPython's cyclic collector walks every tracked object on each full collection. A process that
reads half a million records holds tens of millions of objects, none of them garbage, and would
walk them again and again while reading them and while deriving from them; forked workers
would also copy every memory page such a walk touches.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while the block builds long-lived objects (records read back from a cache)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Every object made so far is left out of collections until the block ends (``gc.freeze``)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
