"""Recorded times survive every way a pull request is merged: the merge's time, never the author's."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from history_world import T0, World

from fmar import gitrepo
from fmar.cli import cli
from fmar.history.index import build_index
from fmar.history.recorded import load_with_history, recorded_times

DAY = timedelta(days=1)


def test_no_ff_merge_records_the_merge_time_not_the_back_dated_authoring(world: World) -> None:
    repo = world.repo
    repo.git("checkout", "-q", "-b", "add-unit")
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    branch_commit = repo.commit_all("Add unit", when=T0 + 2 * DAY, author_when=T0 - 300 * DAY)
    merge = world.merge("add-unit", T0 + 5 * DAY, "--no-ff")

    times = recorded_times(repo.path, world.registry)

    recorded = times["MU-VOLTAFLEX-000001"]
    assert recorded.at == T0 + 5 * DAY
    assert recorded.commit == merge != branch_commit
    assert recorded.signer == "VOLTAFLEX"
    assert recorded.committer == "Test Committer <committer@fmar.example>"
    assert times["VOLTAFLEX"].at == T0 + timedelta(hours=2)


def test_squash_merge_records_the_squash_commit(world: World) -> None:
    repo = world.repo
    repo.git("checkout", "-q", "-b", "squashed")
    world.unit("MU-VOLTAFLEX-000001", "First name", T0 + DAY)
    repo.commit_all("one", when=T0 + DAY)
    world.unit("MU-VOLTAFLEX-000001", "Second name", T0 + 2 * DAY)
    repo.commit_all("two", when=T0 + 2 * DAY)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "--squash", "squashed")
    squash = repo.commit_all("Squash", when=T0 + 7 * DAY, author_when=T0 - DAY)

    recorded = recorded_times(repo.path, world.registry)["MU-VOLTAFLEX-000001"]

    assert (recorded.at, recorded.commit) == (T0 + 7 * DAY, squash)


def test_rebase_merge_records_each_rebased_commit_time(world: World) -> None:
    repo = world.repo
    repo.git("checkout", "-q", "-b", "rebased")
    world.unit("MU-VOLTAFLEX-000001", "Unit one", T0 + DAY)
    repo.commit_all("one", when=T0 + DAY, author_when=T0 - 50 * DAY)
    world.unit("MU-VOLTAFLEX-000002", "Unit two", T0 + DAY)
    repo.commit_all("two", when=T0 + DAY, author_when=T0 - 40 * DAY)
    repo.git("checkout", "-q", "main")
    world.unit("MU-VOLTAFLEX-000003", "Unit three on main", T0 + 2 * DAY)
    repo.commit_all("main moves on", when=T0 + 3 * DAY)
    repo.git("checkout", "-q", "rebased")
    repo.git("rebase", "-q", "main", when=T0 + 9 * DAY)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "rebased")
    line = repo.git("rev-list", "--first-parent", "main").split()

    times = recorded_times(repo.path, world.registry)

    assert times["MU-VOLTAFLEX-000001"].at == T0 + 9 * DAY
    assert times["MU-VOLTAFLEX-000001"].commit == line[1]
    assert times["MU-VOLTAFLEX-000002"].commit == line[0]
    assert times["MU-VOLTAFLEX-000003"].at == T0 + 3 * DAY


def test_load_with_history_fills_registry_recorded_at(world: World) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 4 * DAY)
    world.unit("MU-VOLTAFLEX-000002", "Not yet committed", T0 + DAY)

    registry = load_with_history(world.repo.path, world.registry)

    assert registry.recorded_at["MU-VOLTAFLEX-000001"] == T0 + 4 * DAY
    assert "MU-VOLTAFLEX-000002" in registry.units
    assert "MU-VOLTAFLEX-000002" not in registry.recorded_at
    unit = registry.units["MU-VOLTAFLEX-000002"]
    assert registry.submitted_at(unit) == unit.signature.signed_at


def test_a_new_commit_is_walked_incrementally_and_a_rewrite_in_full(world: World) -> None:
    repo = world.repo
    assert build_index(repo.path, world.registry).source == "full"
    assert build_index(repo.path, world.registry).source == "cached"
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    repo.commit_all("unit", when=T0 + 2 * DAY)

    incremental = build_index(repo.path, world.registry)
    fresh = build_index(repo.path, world.registry, use_cache=False)

    assert incremental.source == "incremental"
    assert (incremental.commits, incremental.changes) == (fresh.commits, fresh.changes)
    repo.git("commit", "-q", "--amend", "-m", "rewritten", when=T0 + 3 * DAY)
    rewritten = build_index(repo.path, world.registry)
    assert rewritten.source == "full"
    assert rewritten.commits[-1].committed_at == int((T0 + 3 * DAY).timestamp())


def test_commits_after_the_saved_index_are_replayed_from_its_journal(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = world.repo
    build_index(repo.path, world.registry)
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    repo.commit_all("unit", when=T0 + 2 * DAY)
    assert build_index(repo.path, world.registry).source == "incremental"
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery II", T0 + 2 * DAY)
    world.unit("MU-VOLTAFLEX-000002", "Tilbury Battery", T0 + 2 * DAY)
    repo.commit_all("units", when=T0 + 3 * DAY)
    assert build_index(repo.path, world.registry).source == "incremental"

    replayed = build_index(repo.path, world.registry)
    fresh = build_index(repo.path, world.registry, use_cache=False)

    assert replayed.source == "cached"
    assert (replayed.head, replayed.commits, replayed.changes) == (fresh.head, fresh.commits, fresh.changes)
    added = replayed.changes["registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000002.yaml"]
    assert [(c.status, c.signer) for c in added] == [("A", "VOLTAFLEX")]
    # A journal past its limit is folded into the saved columns, which then load alone.
    with monkeypatch.context() as patch:
        patch.setattr("fmar.history.index._Saved.JOURNAL_LIMIT", 0)
        world.unit("MU-VOLTAFLEX-000003", "Grays Battery", T0 + 3 * DAY)
        repo.commit_all("unit 3", when=T0 + 4 * DAY)
        assert build_index(repo.path, world.registry).source == "incremental"
    folded = build_index(repo.path, world.registry)
    assert folded.source == "cached"
    assert folded.changes == build_index(repo.path, world.registry, use_cache=False).changes


def test_a_shallow_clone_is_refused_with_the_fix(world: World, tmp_path: Path) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{world.repo.path}", str(shallow)],
        check=True,
        env=world.repo.env,
    )

    with pytest.raises(gitrepo.GitError, match="fetch-depth: 0") as caught:
        recorded_times(shallow, shallow / "registry")
    assert "git fetch --unshallow" in str(caught.value)
    refused = CliRunner().invoke(cli, ["history", "MU-VOLTAFLEX-000001", "--registry", str(shallow / "registry")])
    assert refused.exit_code == 2
    assert "fetch-depth: 0" in refused.output
