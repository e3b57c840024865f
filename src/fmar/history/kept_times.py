"""The first addition of every record, kept between runs, so that one new commit costs its own changes.

Computing recorded times over a national registry's history means a pass over every file of the index
(seconds); after one new commit, all but its own records have the times they had. So the result of
the pass (per record id: the commit number and signer of its first addition) is cached outside the
repository with the index head it was made for. A later index that continues that head adds the new
commits' additions to it (an id already recorded keeps its first addition, as a moved record does);
a deletion among them, another line or another layout of the cache makes the pass again.
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from fmar.core.record_paths import parse_any
from fmar.validation.cache import Cache

if TYPE_CHECKING:
    from fmar.history.index import HistoryIndex

#: Bumped whenever the cached layout changes.
_LAYOUT = 1

Firsts = dict[str, tuple[int, str]]


def kept_firsts(
    index: HistoryIndex, cache: Cache, compute: Callable[[], Mapping[str, tuple[int, str, bool]]]
) -> Firsts:
    """Per record id, (commit number, signer) of its first addition on ``index``'s line: from the cache when
    it was made for this head, updated from it when the index continues its head, else ``compute()``."""
    name = f"recorded-{index.prefix.replace('/', '_')}.marshal"
    found = _load(cache.load_bytes(name), index)
    if found is not None:
        counted, firsts = found
        if counted == len(index.commits):
            return firsts
        if _extend(index, counted, firsts):
            _save(cache, name, index, firsts)
            return firsts
    firsts = {record: (first[0], first[1]) for record, first in compute().items()}
    _save(cache, name, index, firsts)
    return firsts


def _load(raw: bytes | None, index: HistoryIndex) -> tuple[int, Firsts] | None:
    """(commits counted, firsts) when ``raw`` is a cache of this line and prefix, else None."""
    try:
        layout, prefix, head, counted, ids, commits, codes, names = marshal.loads(raw or b"N")
    except (EOFError, ValueError, TypeError):
        return None
    if layout != _LAYOUT or prefix != index.prefix or not 0 < counted <= len(index.commits):
        return None
    if index.commits[counted - 1].id != head:
        return None
    numbers, signers = array("i"), array("i")
    numbers.frombytes(commits)
    signers.frombytes(codes)
    records = ids.split("\0") if ids else []
    return counted, dict(zip(records, zip(numbers, (names[code] for code in signers), strict=True), strict=True))


def _extend(index: HistoryIndex, counted: int, firsts: Firsts) -> bool:
    """Add the first additions of the commits after the first ``counted``; False on a deletion among them."""
    start = index.changes.first_change_of(counted)
    added: Firsts = {}
    for path, status, commit, signer in index.changes.since(start):
        if status == "D":
            return False
        found = parse_any(path[len(index.prefix) + 1 :]) if status == "A" else None
        if found is not None and found[1] not in firsts:
            known = added.get(found[1])
            if known is None or commit < known[0]:
                added[found[1]] = (commit, signer)
    firsts.update(added)
    return True


def _save(cache: Cache, name: str, index: HistoryIndex, firsts: Firsts) -> None:
    names: dict[str, int] = {}
    codes = array("i", (names.setdefault(signer, len(names)) for _, signer in firsts.values()))
    commits = array("i", (commit for commit, _ in firsts.values()))
    head = index.commits[-1].id if index.commits else ""
    cache.save_bytes(
        name,
        marshal.dumps(
            (
                _LAYOUT,
                index.prefix,
                head,
                len(index.commits),
                "\0".join(firsts),
                commits.tobytes(),
                codes.tobytes(),
                list(names),
            )
        ),
    )
