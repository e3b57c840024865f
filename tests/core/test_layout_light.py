"""A light scan (``layout.scan(light=True)``) finds what a full scan finds, but the size, stamp and
mode of the record files it is not told to ``restat``: what a partial build uses when Git vouches
for every other file."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import BUNDLED_REGISTRY

from fmar.core.record_paths import path_of
from fmar.loading.layout import scan


def _registry(tmp_path: Path) -> Path:
    shutil.copytree(BUNDLED_REGISTRY, tmp_path / "registry")
    return tmp_path / "registry"


def test_a_light_scan_lists_the_same_files_and_problems(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    (registry / "market_unit" / "notes.txt").write_text("misplaced\n")
    stray = registry / path_of("market_unit", "MU-KESTREL-000001")
    shutil.copyfile(stray, stray.with_name("mu-kestrel-000001.yaml"))  # a name that is not an id
    full = scan(tmp_path, registry)
    light = scan(tmp_path, registry, light=True)
    assert not light.stated and full.stated
    assert [f[:2] for f in light.files] == [f[:2] for f in full.files]
    assert {(f[2], f[3]) for f in light.files} == {(0, 0)}
    assert light.problems == full.problems and len(full.problems) >= 2


def test_restat_gives_the_files_it_is_told_their_stamps_and_mode(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    unit = f"registry/{path_of('market_unit', 'MU-KESTREL-000001')}"
    (tmp_path / unit).chmod(0o755)
    full = scan(tmp_path, registry)
    light = scan(tmp_path, registry, light=True)
    assert light.problems == []  # not lstat-ed: its mode is not seen
    light.restat(tmp_path, [unit, "registry/market_unit/not-there.yaml"])
    (entry,) = [f for f in light.files if f[0] == unit]
    assert entry == next(f for f in full.files if f[0] == unit)
    assert [rel for rel, _ in light.problems] == [unit] == [rel for rel, _ in full.problems]
