"""What changed since the previous build, as Git tells it: the commit the registry is at, the
files committed since the previous build's head, the blobs of the registry's files, and the
history index brought up to date for a full build.

A registry not committed in a Git repository has no head: its build plans from file stamps and
reads its history from the signatures (``inputs.signing_history``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fmar import gitrepo
from fmar.core.model import Record
from fmar.history.index import HistoryIndex
from fmar.publish import plan
from fmar.publish.inputs import git_head
from fmar.publish.state import BuildState
from fmar.publish.survey import Survey
from fmar.validation.pipeline import Pipeline


def registry_head(root: Path, registry_dir: Path) -> tuple[str, datetime] | None:
    """The head commit of the repository at ``root`` and its time; None when ``registry_dir`` is
    not tracked in a Git repository there."""
    if not gitrepo.is_repository(root) or not gitrepo.tracks(root, registry_dir):
        return None
    return git_head(root)


def history_index(root: Path, registry_dir: Path) -> HistoryIndex:
    """The registry's history index, brought up to date (loaded from fmar's cache)."""
    from fmar.history.index import build_index

    return build_index(root, registry_dir)


def index_history(root: Path, registry_dir: Path) -> None:
    """Bring the cached history index of the registry up to date (``build.history_of`` then reads it)."""
    from fmar.history.index import build_index

    build_index(root, registry_dir)


def partial(
    pipeline: Pipeline,
    previous: BuildState,
    head: tuple[str, datetime] | None,
    as_of: datetime | None,
    survey: Survey,
) -> plan.Inputs | str:
    """The inputs of a partial build since ``previous``, or why it must be a full one."""
    committed: set[str] | None = set()
    if head is not None or previous.head is not None:
        committed = committed_since(pipeline.root, pipeline.registry_dir, previous.head, head)

    def moment_of(records: list[Record]) -> datetime | None:
        if as_of is not None:
            return as_of
        if head is not None:
            return head[1]
        moments = [r.signature.signed_at for r in records]
        return max([*moments, previous.latest] if previous.latest else moments, default=None)

    return plan.partial(pipeline, previous, moment_of=moment_of, committed=committed, survey=survey)


def committed_since(
    root: Path, registry_dir: Path, before: str | None, head: tuple[str, datetime] | None
) -> set[str] | None:
    """Files under the registry touched by first-parent commits after ``before`` up to the head;
    None when the head does not descend from ``before`` (or either is unknown)."""
    if before is None or head is None:
        return None
    if before == head[0]:
        return set()
    if not gitrepo.is_ancestor(root, before, head[0]):
        return None
    return gitrepo.changed_paths(root, before, head[0], registry_dir)
