"""What the registry folder holds now, surveyed in a child process while the build state loads.

A national registry has hundreds of thousands of record files. Walking them (``layout.scan``),
asking Git for their blob ids and comparing each file's stamp with the one the previous build
saw take seconds; so does loading the previous build's state. A build has two cores: the child
does the first while the build loads the second. It hands back the layout and the files whose
stamp changed, and saves the new stamps for the next build itself (they never cross the pipe).
"""

from __future__ import annotations

import functools
import marshal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fmar import gitrepo
from fmar.loading.layout import Layout, scan
from fmar.publish.background import Background
from fmar.validation.cache import Cache

#: What tells whether a file changed between builds: its size and stamp (``Layout.files``).
Stamp = tuple[int, int]


@dataclass(frozen=True)
class Survey:
    layout: Layout
    #: Record files that may have changed since the previous build besides those its commits
    #: changed (``changes.committed_since``), in path order; None when no stamps of a previous
    #: build were found.
    changed: list[str] | None
    #: Record files the previous build had and the folder no longer holds (those removed by
    #: commits aside: the caller sees them among the committed files).
    removed: list[str]


def stamps_of(layout: Layout, unclean: set[str] | None) -> dict[str, Stamp]:
    """The stamp of each record file Git cannot vouch for: every file when the registry is not
    in a repository (``unclean`` None), else those in ``unclean`` (``gitrepo.unclean``). The
    others are as the head commit has them, so the commits since the previous build say whether
    they changed; in a fresh clone (as in CI) that is every file, and nothing is stamped."""
    files = layout.files
    if unclean is None:
        return {rel: (size, stamp) for rel, _, size, stamp in files}
    return {rel: (size, stamp) for rel, _, size, stamp in files if rel in unclean}


def survey(root: Path, registry_dir: Path, head: str | None, cache: Cache, before: str | None, after: str) -> Survey:
    """Scan the registry folder (asking Git meanwhile which files it cannot vouch for, when the
    registry is committed: ``head`` is the head commit), compare the stamps with those saved as
    ``before`` in ``cache`` and save the new ones as ``after``.

    When the previous build's head is an ancestor of ``head``, the scan is light
    (``layout.scan(light=True)``): the previous build checked every file, and only those Git
    cannot vouch for or that commits since changed are ``lstat``ed. A build that turns out full
    scans again (``Layout.stated`` is False)."""
    with ThreadPoolExecutor(1) as pool:
        asking = gitrepo.unclean_later(root, registry_dir) if head else None
        previous = load_stamps(cache, before) if before else None
        since = previous[0] if previous else None
        committing = pool.submit(_committed, root, registry_dir, since, head) if since and head else None
        layout = scan(
            root, registry_dir, gitlinks=functools.partial(gitrepo.gitlinks, root), light=committing is not None
        )
        unclean = asking() if asking is not None else None
        committed = committing.result() if committing is not None else None
    if not layout.stated:
        if committed is None or unclean is None:  # history moved other than forward: all of them
            layout = scan(root, registry_dir, gitlinks=functools.partial(gitrepo.gitlinks, root))
        else:
            layout.restat(root, committed | unclean)
    stamps = stamps_of(layout, unclean)
    changed, removed = None, []
    if previous is not None:
        present = {rel for rel, _, _, _ in layout.files}
        # A file stamped before and not now is clean now: what it held then is not known.
        differ = {rel for rel in stamps.keys() | previous[1].keys() if previous[1].get(rel) != stamps.get(rel)}
        changed = sorted(differ & present)
        removed = sorted((previous[1].keys() | (unclean or set())) - present)
    cache.save_bytes(after, marshal.dumps((head, stamps)))
    return Survey(layout, changed, removed)


def _committed(root: Path, registry_dir: Path, before: str, head: str) -> set[str] | None:
    """Files under ``registry_dir`` that commits after ``before`` up to ``head`` touched; None when
    ``head`` does not descend from ``before``."""
    if before == head:
        return set()
    if not gitrepo.is_ancestor(root, before, head):
        return None
    return gitrepo.changed_paths(root, before, head, registry_dir)


def load_stamps(cache: Cache, name: str) -> tuple[str | None, dict[str, Stamp]] | None:
    """The head and the stamps ``survey`` saved as ``name``."""
    blob = cache.load_bytes(name)
    if blob is None:
        return None
    try:
        head, stamps = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(stamps, dict) or not (head is None or isinstance(head, str)):
        return None
    return head, stamps


def in_background(
    root: Path, registry_dir: Path, head: str | None, cache: Cache, before: str | None, after: str, *, start_method: str
) -> Background[Survey]:
    """``survey`` in a child process."""
    return Background(
        "registry survey", survey, root, registry_dir, head, cache, before, after, start_method=start_method
    )
