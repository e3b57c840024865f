"""A build after a change derives only the unit groups that changed, and publishes exactly what a
build from nothing publishes: every file, byte for byte. A registry with errors builds nothing."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import GitRepo

from fmar.cli import cli
from fmar.core.model import MarketUnit
from fmar.core.record_paths import flat_path, parse, path_of
from fmar.core.registry import Registry
from fmar.generate import bundled
from fmar.generate.builder import Builder
from fmar.publish import plan, state
from fmar.publish.build import BuildResult, build
from fmar.publish.inputs import git_history
from fmar.publish.plan import RegistryInvalid

#: Later than everything in the bundled registry.
DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fresh(repo: GitRepo, tmp: Path, as_of: datetime | None = None) -> dict[str, bytes]:
    """What a build from nothing (its own output folder, no previous state) publishes."""
    out = tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}"
    result = build(repo.path, repo.path / "registry", out, as_of, jobs=1)
    assert result.full
    return _tree(out)


@pytest.fixture
def registry(git_repo: GitRepo) -> Builder:
    b = bundled.build(git_repo.path / "registry")
    git_repo.commit_all("bundled registry", when=DAY)
    return b


def _rebuild(repo: GitRepo, site: Path, as_of: datetime | None = None) -> BuildResult:
    return build(repo.path, repo.path / "registry", site, as_of, jobs=1)


def test_changes_committed_one_after_another_rebuild_only_their_units(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    first = _rebuild(git_repo, site)
    assert first.full and first.derived_units == len(registry.registry.units)

    unit = registry.registry.units["MU-FENLAND-000003"]
    renamed = registry.unit(
        {
            **unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"}),
            "name": "Fenland heat pumps (renamed)",
        },
        DAY + timedelta(days=1),
    )
    assert isinstance(renamed, MarketUnit)
    git_repo.commit_all("rename a unit", when=DAY + timedelta(days=1))
    second = _rebuild(git_repo, site)
    assert not second.full and second.derived_units == 1
    assert _tree(site) == _fresh(git_repo, tmp_path)
    assert "Fenland heat pumps (renamed)" in (site / "units" / "MU-FENLAND-000003.html").read_text()

    pending = next(a for a in registry.registry.applications.values() if not registry.registry.answers.get(a.id))
    registry.decide(pending, "qualified", DAY + timedelta(days=2))
    other = registry.registry.units["MU-VOLTAFLEX-000001"]
    registry.apply(other, "NESO-QR", DAY + timedelta(days=2), up=1000.0, down=1000.0)
    git_repo.commit_all("an SO decides; an FSP applies", when=DAY + timedelta(days=2))
    third = _rebuild(git_repo, site)
    assert not third.full and third.derived_units == len({pending.unit, other.id})
    assert _tree(site) == _fresh(git_repo, tmp_path)


def test_moving_the_as_of_time_past_a_validity_end_derives_those_units_again(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _rebuild(git_repo, site, DAY)
    ends = sorted(o.valid_until for o in registry.registry.outcomes.values() if o.valid_until and o.valid_until > DAY)
    assert ends, "the bundled registry has qualifications still valid on DAY"
    later = ends[0] + timedelta(days=1)
    result = _rebuild(git_repo, site, later)
    assert not result.full and 1 <= result.derived_units < len(registry.registry.units)
    assert _tree(site) == _fresh(git_repo, tmp_path, later)


def test_an_earlier_as_of_time_or_a_removed_file_is_a_full_build(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _rebuild(git_repo, site, DAY)
    assert _rebuild(git_repo, site, DAY - timedelta(days=30)).full
    outcome = sorted(registry.registry.outcomes)[0]
    (git_repo.path / "registry" / path_of("outcome", outcome)).unlink()
    git_repo.commit_all("remove an outcome", when=DAY + timedelta(days=1))
    result = _rebuild(git_repo, site)
    assert result.full
    assert _tree(site) == _fresh(git_repo, tmp_path)


def test_a_registry_with_errors_builds_nothing_and_says_where(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _rebuild(git_repo, site)
    before = _tree(site)
    path = git_repo.path / "registry" / path_of("market_unit", "MU-FENLAND-000003")
    good = path.read_bytes()
    path.write_bytes(good.replace(b"licence_area: ", b"licence_area: NOWHERE_"))
    with pytest.raises(RegistryInvalid) as refused:
        _rebuild(git_repo, site)
    assert [f.path for f in refused.value.findings] == ["registry/market_unit/FENLAND/000xxx/MU-FENLAND-000003.yaml"]
    assert _tree(site) == before

    outcome = sorted(registry.registry.outcomes)[0]
    answer = git_repo.path / "registry" / path_of("outcome", outcome)
    runner = CliRunner()
    done = runner.invoke(cli, ["build", "--registry", str(git_repo.path / "registry"), "--out", str(site)])
    assert done.exit_code == 1
    assert (
        "registry/market_unit/FENLAND/000xxx/MU-FENLAND-000003.yaml:" in done.output and "$.licence_area" in done.output
    )
    assert _tree(site) == before

    path.write_bytes(good)
    answer.write_bytes(answer.read_bytes().replace(b"application: APP-", b"application: APP-0"))
    with pytest.raises(RegistryInvalid) as refused:
        _rebuild(git_repo, site)
    assert {f.path for f in refused.value.findings} == {answer.relative_to(git_repo.path).as_posix()}
    assert _tree(site) == before


def test_a_fresh_checkout_of_the_same_commit_derives_nothing_again(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    """Files are known by their Git blob ids, so CI (a new clone each run, every file with a new
    modification time) rebuilds incrementally when it keeps fmar's cache and the site."""
    site = tmp_path / "site"
    _rebuild(git_repo, site)
    before = _tree(site)
    shutil.rmtree(git_repo.path / "registry")
    git_repo.git("checkout", "--", "registry")
    again = _rebuild(git_repo, site)
    assert not again.full and again.derived_units == 0
    assert _tree(site) == before


def test_a_site_missing_kept_files_is_built_whole(git_repo: GitRepo, registry: Builder, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _rebuild(git_repo, site)
    shutil.rmtree(site.parent / f".{site.name}.spare", ignore_errors=True)
    (site / "units" / "MU-KESTREL-000001.html").unlink()
    unit = registry.registry.units["MU-FENLAND-000003"]
    fields = unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"})
    registry.unit({**fields, "name": "Fenland heat pumps (renamed)"}, DAY + timedelta(days=1))
    git_repo.commit_all("rename a unit", when=DAY + timedelta(days=1))
    result = _rebuild(git_repo, site)
    assert result.full
    assert _tree(site) == _fresh(git_repo, tmp_path)


def test_a_failed_build_leaves_the_previous_state_in_force(
    git_repo: GitRepo, registry: Builder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state is saved while the site is finished and sealed only after publishing: a build that
    fails after saving its state leaves the site and the previous seal, so the next build is partial."""
    from fmar.publish import formats

    site = tmp_path / "site"
    _rebuild(git_repo, site)
    before = _tree(site)
    unit = registry.registry.units["MU-FENLAND-000003"]
    fields = unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"})
    registry.unit({**fields, "name": "Fenland heat pumps (renamed)"}, DAY + timedelta(days=1))
    git_repo.commit_all("rename a unit", when=DAY + timedelta(days=1))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError, match=r"all\.zip could not be written"):
        patch.setattr(formats, "write_zip", broken)  # fails after the state is saved
        _rebuild(git_repo, site)
    assert _tree(site) == before
    logged: list[str] = []
    again = build(git_repo.path, git_repo.path / "registry", site, None, jobs=1, log=logged.append)
    assert not again.full and again.derived_units == 1, logged
    assert _tree(site) == _fresh(git_repo, tmp_path)


def _lose_a_kept_page_and_rename_a_unit(git_repo: GitRepo, registry: Builder, site: Path) -> dict[str, object]:
    """Build, delete a page of a unit that will not change from the live site and its spare (the
    first build's spare is the site itself, linked), rename another unit."""
    _rebuild(git_repo, site)
    (site / "units" / "MU-VOLTAFLEX-000001.html").unlink()
    (site.parent / f".{site.name}.spare" / "units" / "MU-VOLTAFLEX-000001.html").unlink()
    unit = registry.registry.units["MU-FENLAND-000003"]
    fields = unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"})
    registry.unit({**fields, "name": "Fenland heat pumps (renamed)"}, DAY + timedelta(days=1))
    git_repo.commit_all("rename a unit", when=DAY + timedelta(days=1))
    return fields


def test_a_partial_build_that_finds_the_old_site_incomplete_builds_in_full_once(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _lose_a_kept_page_and_rename_a_unit(git_repo, registry, site)
    logged: list[str] = []
    again = build(git_repo.path, git_repo.path / "registry", site, None, jobs=1, log=logged.append)
    assert again.full
    retries = [line for line in logged if line.endswith("; building everything")]
    assert len(retries) == 1 and "lacks units/MU-VOLTAFLEX-000001.html" in retries[0], logged
    assert _tree(site) == _fresh(git_repo, tmp_path)


def test_after_that_full_build_the_next_partial_build_is_whole(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    """The full build retires the live site, whose manifest still lists the lost page, as the
    spare; the next build finds the page missing from the spare and links it from the live site."""
    site = tmp_path / "site"
    fields = _lose_a_kept_page_and_rename_a_unit(git_repo, registry, site)
    assert _rebuild(git_repo, site).full
    registry.unit({**fields, "name": "Fenland heat pumps (renamed again)"}, DAY + timedelta(days=2))
    git_repo.commit_all("rename it again", when=DAY + timedelta(days=2))
    third = _rebuild(git_repo, site)
    assert not third.full and third.derived_units == 1
    assert _tree(site) == _fresh(git_repo, tmp_path)


def test_after_the_layout_migration_a_partial_build_reads_the_history_of_its_own_records(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """A migrated registry's history holds every record at its flat path first, then moved. A
    partial build's registry holds only some unit groups: it reads the earlier paths of those
    records alone (not of every record, nor takes the others for removed), and still publishes
    what a build from nothing publishes, each record recorded when it came in at its flat path."""
    registry_dir = git_repo.path / "registry"
    b = bundled.build(registry_dir)
    own = sorted(registry_dir.rglob("*.yaml"))
    moves = []
    for path in own:
        found = parse(path.relative_to(registry_dir).as_posix())
        assert found is not None and found.canonical
        moves.append((path, registry_dir / flat_path(found.kind, found.id)))
    for path, flat in moves:
        flat.parent.mkdir(parents=True, exist_ok=True)
        path.rename(flat)
    git_repo.commit_all("the registry in the flat layout", when=DAY - timedelta(days=1))
    for path, flat in moves:
        path.parent.mkdir(parents=True, exist_ok=True)
        flat.rename(path)
    git_repo.commit_all("every record to its own path", when=DAY)
    site = tmp_path / "site"
    assert _rebuild(git_repo, site).full
    fields = b.registry.units["MU-FENLAND-000003"].model_dump(
        mode="json", exclude={"signature", "kind", "schema_version"}
    )
    b.unit({**fields, "name": "Fenland heat pumps (renamed)"}, DAY + timedelta(days=1))
    git_repo.commit_all("rename a unit", when=DAY + timedelta(days=1))
    second = _rebuild(git_repo, site)
    assert not second.full and second.derived_units == 1
    assert _tree(site) == _fresh(git_repo, tmp_path)

    # The history a partial build asks for: one unit's group and the reference records.
    everything = b.registry
    group = plan.groups(everything, {})
    part = Registry.of(
        (everything.path_of(r), r)
        for r in everything.records()
        if group[everything.path_of(r)] in ("", "MU-FENLAND-000003")
    )
    wanted = {r.id for r in part.records()}
    assert len(wanted) < len(list(everything.records()))
    history = git_history(git_repo.path, registry_dir, part, removed=False)
    assert set(history.timelines) == wanted
    whole = git_history(git_repo.path, registry_dir, everything)
    assert {i: history.recorded[i] for i in wanted} == {i: whole.recorded[i] for i in wanted}
    assert {i: history.timelines[i] for i in wanted} == {i: whole.timelines[i] for i in wanted}
    unit = history.recorded["MU-FENLAND-000003"]
    assert unit.at == DAY - timedelta(days=1)  # recorded at its flat path, not when it moved


def test_uncommitted_edits_and_their_undoing_are_picked_up(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    """Files Git cannot vouch for (edited, untracked) are stamped; one that is clean again is
    derived again too, as is one edited anew; one removed from the work tree makes a full build."""
    site, later = tmp_path / "site", DAY + timedelta(days=2)
    assert _rebuild(git_repo, site, later).full
    unit = registry.registry.units["MU-FENLAND-000003"]

    def rename(name: str) -> None:
        fields = {**unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"}), "name": name}
        registry.unit(fields, DAY + timedelta(days=1))

    rename("Fenland heat pumps (edited)")
    edited = _rebuild(git_repo, site, later)
    assert not edited.full and edited.derived_units == 1
    assert "Fenland heat pumps (edited)" in (site / "units" / "MU-FENLAND-000003.html").read_text()
    assert _rebuild(git_repo, site, later).derived_units == 0  # still edited, not again

    rename("Fenland heat pumps (edited again)")
    again = _rebuild(git_repo, site, later)
    assert not again.full and again.derived_units == 1
    assert "(edited again)" in (site / "units" / "MU-FENLAND-000003.html").read_text()

    git_repo.git("checkout", "--", ".")  # clean again: as committed
    undone = _rebuild(git_repo, site, later)
    assert not undone.full and undone.derived_units == 1
    assert _tree(site) == _fresh(git_repo, tmp_path, later)

    outcome = sorted(registry.registry.outcomes)[0]
    (git_repo.path / "registry" / path_of("outcome", outcome)).unlink()  # not committed
    assert _rebuild(git_repo, site, later).full
    assert _tree(site) == _fresh(git_repo, tmp_path, later)


def test_a_rebuild_saves_only_the_facts_it_derived_and_compacts_their_segments(
    git_repo: GitRepo, registry: Builder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build state keeps each unit's facts in segments: a rebuild writes a segment with the
    facts of the units it derived; past ``SEGMENTS`` segments they are written again as one."""
    monkeypatch.setenv("FMAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(state, "SEGMENTS", 3)
    site, later = tmp_path / "site", DAY + timedelta(days=1)
    assert _rebuild(git_repo, site, later).full

    def segments() -> dict[str, int]:
        return {p.name: p.stat().st_size for p in (tmp_path / "cache").rglob("*.facts")}

    (whole,) = segments().values()
    names = sorted(registry.registry.units)
    sizes = []
    for number, unit_id in enumerate(names[:4]):
        unit = registry.registry.units[unit_id]
        fields = {**unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"}), "name": f"R{number}"}
        registry.unit(fields, DAY + timedelta(hours=number + 1))
        result = _rebuild(git_repo, site, later)
        assert not result.full and result.derived_units == 1
        sizes.append(sorted(segments().values()))
    # One unit's facts per rebuild, beside the whole; the fourth rebuild found three segments and
    # wrote every unit's facts as one.
    assert [len(s) for s in sizes] == [2, 3, 1, 2]
    assert all(size < whole / 4 for size in sizes[0][:1])
    assert _tree(site) == _fresh(git_repo, tmp_path, later)
    assert _rebuild(git_repo, site, later).derived_units == 0  # the compacted state loads


def test_a_file_made_executable_since_the_last_build_is_refused_as_a_full_scan_would(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    """The partial build's light scan ``lstat``s what commits since touched (a change of mode
    too) and what Git cannot vouch for: both are refused as a full scan refuses them."""
    site, later = tmp_path / "site", DAY + timedelta(days=1)
    _rebuild(git_repo, site, later)
    unit = git_repo.path / "registry" / path_of("market_unit", "MU-FENLAND-000003")
    unit.chmod(0o755)
    with pytest.raises(RegistryInvalid) as dirty:
        _rebuild(git_repo, site, later)
    git_repo.commit_all("made executable", when=DAY + timedelta(hours=1))
    with pytest.raises(RegistryInvalid) as committed:
        _rebuild(git_repo, site, later)
    for refused in (dirty.value, committed.value):
        assert [f.path for f in refused.findings if f.severity == "error"] == [
            unit.relative_to(git_repo.path).as_posix()
        ]
