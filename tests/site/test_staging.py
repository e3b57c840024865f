"""The double-buffered output folder (``fmar.publish.output.Staging``) on its own, with real files.

A "site" here is a dict of relative path -> (input key, bytes); ``_build`` stages it the way
``fmar build`` does (``is_current`` then ``put``, ``put`` without a key, ``put_with``), and every
build is compared with a fresh build of the same site in an empty folder.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fmar.publish import output
from fmar.publish.output import Staging, load_manifest, manifest_path

Site = dict[str, tuple[str, bytes]]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _inodes(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def _stage(staging: Staging, site: Site) -> None:
    for index, (rel, (key, data)) in enumerate(sorted(site.items())):
        if index % 5 == 0:  # keyed by its bytes, as the build does for lists and exports
            staging.put(rel, data)
        elif index % 5 == 1:  # written straight to disk, as all.zip is
            staging.put_with(rel, key, lambda path, data=data: path.write_bytes(data))  # type: ignore[misc]
        elif not staging.is_current(rel, key):
            staging.put(rel, data, key)


def _build(out: Path, site: Site, during: Callable[[Staging], None] = lambda _: None) -> Staging:
    staging = Staging(out)
    try:
        _stage(staging, site)
        during(staging)
        staging.publish()
    except BaseException:
        staging.abandon()
        raise
    return staging


def _fresh(folder: Path, site: Site) -> Path:
    """``site`` built in the empty folder ``folder``."""
    _build(folder, site)
    return folder


def _site(rng: random.Random, count: int) -> Site:
    site: Site = {}
    for _ in range(count):
        _add(rng, site)
    return site


def _add(rng: random.Random, site: Site) -> None:
    depth = rng.randint(0, 3)
    rel = "/".join([*(f"d{rng.randint(0, 3)}" for _ in range(depth)), f"f{rng.randint(0, 60)}.txt"])
    if any(other.startswith(f"{rel}/") or rel.startswith(f"{other}/") for other in site):
        return
    _change(rng, site, rel)


def _change(rng: random.Random, site: Site, rel: str) -> None:
    data = rng.randbytes(rng.randint(0, 40))
    site[rel] = (output.digest(rel, data), data)


def _mutate(rng: random.Random, site: Site) -> Site:
    site = dict(site)
    for rel in rng.sample(sorted(site), k=min(len(site), rng.randint(0, 6))):
        if rng.random() < 0.4:
            del site[rel]
        else:
            _change(rng, site, rel)
    for _ in range(rng.randint(0, 6)):
        _add(rng, site)
    if rng.random() < 0.2 and site:  # a file becomes a folder
        rel = rng.choice(sorted(site))
        del site[rel]
        _change(rng, site, f"{rel}/inner.txt")
    if rng.random() < 0.1 and site:  # an earlier version comes back
        rel = rng.choice(sorted(site))
        _change(rng, site, rel)
    return site


@pytest.mark.parametrize("seed", range(3))
def test_sequential_builds_equal_a_fresh_build_and_never_touch_the_live_site(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    out = tmp_path / "site"
    site = _site(rng, 80)
    for step in range(20):
        live = _inodes(out) if out.is_dir() else {}

        def unchanged_live(_: Staging, live: dict[str, tuple[int, bytes]] = live) -> None:
            assert (_inodes(out) if out.is_dir() else {}) == live, "the live site was modified during the build"

        _build(out, site, unchanged_live)
        expected = {rel: data for rel, (_, data) in site.items()}
        assert _tree(out) == expected, f"step {step}"
        fresh = _fresh(tmp_path / "fresh" / str(step), site)
        assert _tree(out) == _tree(fresh)
        assert _folders(out) == _folders(fresh)
        assert set(load_manifest(out)) == set(site)
        if live:  # the retired site, now the spare, is exactly the site as it was: no byte rewritten
            assert _inodes(out.parent / ".site.spare") == live
        site = _mutate(rng, site)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"site", ".site.spare", "fresh"}


def test_pruning_removes_files_and_folders_no_longer_produced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site = {
        "a/b/c.txt": ("1", b"c"),
        "a/keep.txt": ("1", b"k"),
        "x/y.txt": ("1", b"y"),
        "top.txt": ("1", b"t"),
    }
    _build(out, site)
    smaller = {"a/keep.txt": site["a/keep.txt"]}
    for _ in range(3):  # through both folders of the pair
        _build(out, smaller)
        assert _tree(out) == {"a/keep.txt": b"k"}
        assert _folders(out) == {"a"}
    _build(out, site)
    assert _tree(out) == {rel: data for rel, (_, data) in site.items()}


def test_unchanged_files_are_shared_with_the_spare_and_not_rewritten(tmp_path: Path) -> None:
    rng = random.Random("share")
    out = tmp_path / "site"
    site = _site(rng, 60)
    _build(out, site)
    first = _inodes(out)
    second = _build(out, site)
    assert second.written == 0, "a build with no spare links every unchanged file from the live site"
    assert _inodes(out) == first
    changed = dict(site)
    rel = sorted(site)[3]
    _change(rng, changed, rel)
    third = _build(out, changed)
    assert third.written == 1
    spare, live = _inodes(out.parent / ".site.spare"), _inodes(out)
    shared = [name for name in live if live[name] == spare.get(name)]
    assert sorted(shared) == sorted(set(site) - {rel})
    fourth = _build(out, changed)
    assert fourth.written == 0, "the spare's old version is replaced by a link to the live one"
    assert _inodes(out)[rel] == _inodes(out.parent / ".site.spare")[rel]


@pytest.mark.parametrize("stage", ["start", "half", "written"])
def test_a_build_interrupted_mid_way_leaves_out_whole_and_the_next_build_correct(tmp_path: Path, stage: str) -> None:
    rng = random.Random(stage)
    out = tmp_path / "site"
    site = _site(rng, 60)
    _build(out, site)
    _build(out, site)  # now there is a spare
    live = _inodes(out)
    changed = _mutate(rng, _mutate(rng, site))
    staging = Staging(out)  # the process dies without abandon(): nothing cleans up
    items = sorted(changed.items())
    if stage != "start":
        for rel, (key, data) in items[: len(items) // 2 if stage == "half" else len(items)]:
            staging.put(rel, data, key)
    del staging
    assert _inodes(out) == live
    _build(out, changed)
    assert _tree(out) == {rel: data for rel, (_, data) in changed.items()}
    assert not (tmp_path / ".site.building").exists()


def test_a_build_killed_between_the_swap_and_keeping_the_spare(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random("swap")
    out = tmp_path / "site"
    site = _site(rng, 40)
    _build(out, site)
    exchange = output._exchange

    def exchange_then_die(a: Path, b: Path) -> bool:
        assert exchange(a, b)
        raise SystemExit("killed")

    changed = _mutate(rng, site)
    monkeypatch.setattr(output, "_exchange", exchange_then_die)
    staging = Staging(out)
    _stage(staging, changed)
    with pytest.raises(SystemExit):
        staging.publish()
    monkeypatch.undo()
    assert _tree(out) == {rel: data for rel, (_, data) in changed.items()}
    again = _mutate(rng, changed)
    _build(out, again)
    assert _tree(out) == {rel: data for rel, (_, data) in again.items()}


_KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from fmar.publish.output import Staging
staging = Staging(Path(sys.argv[1]))
for index in range(int(sys.argv[2])):
    staging.put(f"d{index % 7}/f{index}.txt", b"new %d" % index, "new")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_build_is_not_trusted_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site = {f"d{i % 7}/f{i}.txt": ("old", b"old %d" % i) for i in range(50)}
    _build(out, site)
    _build(out, site)
    live = _inodes(out)
    killed = subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(out), "30"], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert _inodes(out) == live
    assert not (tmp_path / ".site.spare").exists() and (tmp_path / ".site.building").is_dir()
    after = _build(out, site)
    assert _tree(out) == {rel: data for rel, (_, data) in site.items()}
    assert after.written == 0, "without a trusted spare every unchanged file is linked from the live site"


def test_an_exception_abandons_the_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site = {"a.txt": ("1", b"a"), "b/c.txt": ("1", b"c")}
    _build(out, site)
    _build(out, site)
    live = _inodes(out)

    def fail(_: Staging) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _build(out, {"a.txt": ("2", b"changed")}, fail)
    assert _inodes(out) == live
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    _build(out, {"a.txt": ("2", b"changed")})
    assert _tree(out) == {"a.txt": b"changed"}


def _tool(folder: Path, files: dict[str, bytes]) -> None:
    """Another tool (mkdocs, say): writes into existing files in place, as ``open(path, "wb")`` does."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(data)


def test_keep_folder_keeps_what_the_tool_wrote_and_nothing_older(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site = {"index.html": ("1", b"home"), "docs/linked.txt": ("1", b"put")}
    outputs = [
        {"a.html": b"a1", "sub/b.html": b"b1"},
        {"a.html": b"a2", "sub/c.html": b"c2"},
        {"a.html": b"a3"},
        {"a.html": b"a3", "sub/b.html": b"b4"},
    ]
    for files in outputs:
        live = _inodes(out) if out.is_dir() else {}
        staging = Staging(out)
        _tool(staging.keep_folder("docs"), files)
        _stage(staging, {"index.html": site["index.html"]})
        assert (_inodes(out) if out.is_dir() else {}) == live
        staging.publish()
        assert _tree(out) == {"index.html": b"home", **{f"docs/{name}": data for name, data in files.items()}}
        assert {rel for rel, key in load_manifest(out).items() if key == output.TOOL} == {f"docs/{n}" for n in files}
    staging = Staging(out)
    _stage(staging, site)
    staging.publish()
    assert _tree(out) == {"index.html": b"home", "docs/linked.txt": b"put"}


def test_odd_starting_points(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = {"a.txt": ("1", b"a"), "b/c.txt": ("1", b"c")}
    expected = {"a.txt": b"a", "b/c.txt": b"c"}
    not_ours = tmp_path / "hand-made"  # a folder without a manifest: replaced whole
    (not_ours / "old").mkdir(parents=True)
    (not_ours / "old" / "stale.txt").write_text("x")
    _build(not_ours, site)
    assert _tree(not_ours) == expected
    # Not kept as the spare (no manifest to trust it by): the spare is the new site, linked.
    assert _tree(tmp_path / ".hand-made.spare") == expected
    assert _inodes(tmp_path / ".hand-made.spare") == _inodes(not_ours)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    _build(a_file, site)
    assert _tree(a_file) == expected
    nested = tmp_path / "new" / "deep" / "site"
    _build(nested, site)
    assert _tree(nested) == expected
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)  # no renameat2: two renames
    out = tmp_path / "renames"
    for step in range(3):
        changed = {**site, "a.txt": (str(step), b"a%d" % step)}
        _build(out, changed)
        assert _tree(out) == {**expected, "a.txt": b"a%d" % step}
    assert load_manifest(tmp_path / ".renames.spare")
    manifest_path(tmp_path / ".renames.spare").write_text("not json")  # a spare not to be trusted
    _build(out, site)
    assert _tree(out) == expected
    assert (tmp_path / ".renames.spare").is_dir()


def test_keep_all_keeps_from_the_spare_only_files_that_are_there(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The spare was the live site once: a file deleted from it by hand is still in its manifest.
    ``keep_all`` links that file from the live site instead, and says which file neither has.
    (Files the folders' seals sample are not deleted here: that would make them untrusted.)"""
    monkeypatch.setattr(output, "_SEAL_SPREAD", 0)
    monkeypatch.setattr(output, "_SEAL_WRITTEN", 0)
    out = tmp_path / "site"
    site = {"top.txt": ("1", b"t"), "a/one.txt": ("1", b"1"), "a/two.txt": ("1", b"2"), "b/c/three.txt": ("1", b"3")}
    _build(out, site)
    _build(out, site)  # now the spare has every file, and its manifest lists them
    spare = out.parent / ".site.spare"
    for rel in ("top.txt", "a/two.txt", "b/c/three.txt"):
        (spare / rel).unlink()
    staging = Staging(out)
    assert staging.keep_all(sorted(site)) is None
    staging.publish()
    assert _tree(out) == {rel: data for rel, (_, data) in site.items()}
    assert staging.written == 0

    shutil.rmtree(out.parent / ".site.spare" / "b")  # and the same file gone from the live site
    (out / "b" / "c" / "three.txt").unlink()
    staging = Staging(out)
    assert staging.keep_all(sorted(site)) == "b/c/three.txt"
    staging.abandon()


def _age(folder: Path, seconds: int) -> None:
    """Make every file of ``folder`` look ``seconds`` older (a copy kept from an earlier build)."""
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 10**9))


def test_the_output_folder_holds_the_site_alone(tmp_path: Path) -> None:
    """The manifests are kept in fmar's cache folder: the output folder can be published as it is."""
    out = tmp_path / "site"
    site = _site(random.Random("alone"), 40)
    for _ in range(3):
        _build(out, site)
        assert set(_tree(out)) == set(site)
        assert set(load_manifest(out)) == set(site)
        assert manifest_path(out).is_file() and not manifest_path(out).is_relative_to(tmp_path)


def test_a_copy_that_keeps_times_is_trusted_in_place(tmp_path: Path) -> None:
    """As ``actions/cache`` restores the site and its spare (with their times) beside fmar's cache folder."""
    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    site = _site(random.Random("restored"), 40)
    _build(out, site)
    _build(out, site)
    for folder in (out, spare):
        shutil.copytree(folder, tmp_path / f"copy{folder.name}")  # copy2: sizes and times kept
        shutil.rmtree(folder)
        (tmp_path / f"copy{folder.name}").rename(folder)
    again = _build(out, site)
    assert again.written == 0
    assert _tree(out) == {rel: data for rel, (_, data) in site.items()}


def test_an_older_copy_put_back_in_place_is_not_trusted(tmp_path: Path) -> None:
    """A site replaced by an older copy of itself (or anything else) no longer matches its manifest's
    seal: the next build does not take its files for what the manifest says they are."""
    rng = random.Random("older")
    out = tmp_path / "site"
    site = _site(rng, 60)
    _build(out, site)
    backup = tmp_path / "backup"
    shutil.copytree(out, backup)
    _age(backup, 100)  # a copy made a while ago
    changed = dict(site)
    for rel in sorted(site)[::3]:
        _change(rng, changed, rel)
    _build(out, changed)
    _build(out, changed)  # the spare holds the changed site too
    shutil.rmtree(out)
    backup.rename(out)
    assert load_manifest(out) == {}
    shutil.rmtree(tmp_path / ".site.spare")
    after = _build(out, changed)
    assert _tree(out) == {rel: data for rel, (_, data) in changed.items()}
    assert after.written == len(changed)


def test_a_cache_folder_that_cannot_be_written_costs_time_only(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the manifests would go")
    out = tmp_path / "site"
    site = _site(random.Random("blocked"), 30)
    for _ in range(2):
        staging = Staging(out, blocked)
        _stage(staging, site)
        staging.publish()
        assert staging.written == len(site), "nothing is trusted without a manifest: every file is written"
        assert _tree(out) == {rel: data for rel, (_, data) in site.items()}
