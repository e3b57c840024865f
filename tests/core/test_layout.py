"""The layout scan: record files sorted with their stamps, every misplaced entry reported with its rule code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY

from fmar.core import record_paths
from fmar.core.ids import matches
from fmar.loading.layout import scan


def _codes(root: Path) -> dict[str, str]:
    return {rel: problem.code for rel, problem in scan(root, root / "registry").problems}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(BUNDLED_REGISTRY, tmp_path / "registry")
    return tmp_path


def test_files_are_sorted_by_path_with_kind_and_size(root: Path) -> None:
    layout = scan(root, root / "registry")
    rels = [rel for rel, _, _, _ in layout.files]
    assert rels == sorted(rels) and len(rels) > 10
    assert layout.problems == []
    for rel, kind, size, _ in layout.files:
        assert rel.split("/")[1] == kind
        assert (root / rel).stat().st_size == size


def test_misplaced_entries_get_their_rule_codes(root: Path) -> None:
    # The folder a unit MU-ABC-... belongs in: what is not a record file there gets its rule code.
    units = root / "registry" / "market_unit"
    folder = root / "registry" / record_paths.folder_of("market_unit", "MU-ABC-000001")
    folder.mkdir(parents=True)
    target = root / "registry" / record_paths.path_of("market_unit", "MU-VOLTAFLEX-000001")
    (folder / "MU-ABC-000001.yaml").symlink_to(os.path.relpath(target, folder))
    (folder / "MU-ABC-000002.yaml").mkdir()
    os.mkfifo(folder / "MU-ABC-000003.yaml")
    (folder / "MU-ABC-000004.yml").write_text("x")
    (folder / "mu-abc-000005.yaml").write_text("x")
    (folder / "MU-ABC-000006\n.yaml").write_text("x")
    (folder / "APP-2025-0123456Z.yaml").write_text("x")
    (units / "MU-ABC-000007.yml").write_text("x")  # a badly named file higher up the kind folder
    (root / "registry" / "README.md").write_text("x")
    (root / "registry" / "units").mkdir()
    (root / "registry" / "event_link").symlink_to("event")
    assert _codes(root) == {
        "registry/market_unit/ABC/000xxx/MU-ABC-000001.yaml": "REG-VAL003",
        "registry/market_unit/ABC/000xxx/MU-ABC-000002.yaml": "REG-VAL001",
        "registry/market_unit/ABC/000xxx/MU-ABC-000003.yaml": "REG-VAL003",
        "registry/market_unit/ABC/000xxx/MU-ABC-000004.yml": "REG-VAL004",
        "registry/market_unit/ABC/000xxx/mu-abc-000005.yaml": "REG-VAL004",
        "registry/market_unit/ABC/000xxx/MU-ABC-000006\n.yaml": "REG-VAL004",
        "registry/market_unit/ABC/000xxx/APP-2025-0123456Z.yaml": "REG-VAL004",
        "registry/market_unit/MU-ABC-000007.yml": "REG-VAL004",
        "registry/README.md": "REG-VAL001",
        "registry/units": "REG-VAL002",
        "registry/event_link": "REG-VAL003",
    }
    listed = {rel for rel, _, _, _ in scan(root, root / "registry").files}
    assert not any("MU-ABC" in rel for rel in listed)


def test_folders_are_expected_down_to_the_depth_of_the_layout_and_nowhere_below(root: Path) -> None:
    """Folders between a kind folder and its record files are the layout; a folder deeper than that, or in
    a kind without such folders, is where no folder belongs."""
    registry = root / "registry"
    unit_folder = registry / record_paths.folder_of("market_unit", "MU-VOLTAFLEX-000001")
    event_folder = registry / record_paths.folder_of("event", "EVT-2024-4Y25DN8E")
    assert unit_folder.is_dir() and event_folder.is_dir()
    (unit_folder / "more").mkdir()
    (unit_folder / "more" / "MU-VOLTAFLEX-000777.yaml").write_text("x")
    (event_folder / "deeper").mkdir()
    (registry / "process" / "sub").mkdir()
    (registry / "process" / "sub" / "C.1.yaml").write_text("x")
    (registry / "party" / "N" / "sub").mkdir()
    assert _codes(root) == {
        f"{unit_folder.relative_to(root).as_posix()}/more": "REG-VAL001",
        f"{event_folder.relative_to(root).as_posix()}/deeper": "REG-VAL001",
        "registry/process/sub": "REG-VAL001",
        "registry/party/N/sub": "REG-VAL001",
    }
    listed = {rel for rel, _, _, _ in scan(root, root / "registry").files}
    assert not any("/more/" in rel or "/sub/" in rel for rel in listed)


@pytest.mark.parametrize(
    ("kind", "record_id", "wrong"),
    [
        ("market_unit", "MU-ABC-000001", "market_unit/MU-ABC-000001.yaml"),  # the flat layout
        ("market_unit", "MU-ABC-000001", "market_unit/ABC/MU-ABC-000001.yaml"),  # too shallow
        ("market_unit", "MU-ABC-000001", "market_unit/ABC/001xxx/MU-ABC-000001.yaml"),  # another block
        ("market_unit", "MU-ABC-000001", "market_unit/XYZ/000xxx/MU-ABC-000001.yaml"),  # another FSP's folder
        ("event", "EVT-2024-4Y25DN8E", "event/EVT-2024-4Y25DN8E.yaml"),
        ("event", "EVT-2024-4Y25DN8E", "event/2024/4/EVT-2024-4Y25DN8E.yaml"),
        ("event", "EVT-2024-4Y25DN8E", "event/2025/4/4Y/EVT-2024-4Y25DN8E.yaml"),
        ("party", "NESO", "party/NESO.yaml"),
        ("party", "NESO", "party/M/NESO.yaml"),
        ("product", "NESO-DC", "product/NESO-DC.yaml"),
        ("product", "NESO-DC", "product/UKPN/NESO-DC.yaml"),
    ],
)
def test_a_record_file_away_from_its_own_path_names_that_path(
    root: Path, kind: str, record_id: str, wrong: str
) -> None:
    right = record_paths.path_of(kind, record_id)
    own, target = root / "registry" / right, root / "registry" / wrong
    target.parent.mkdir(parents=True, exist_ok=True)
    if own.exists():
        own.rename(target)  # a bundled record moved away: no copy stays at its own path
    else:
        target.write_text("x")
    layout = scan(root, root / "registry")
    [(rel, problem)] = layout.problems
    assert (rel, problem.code) == (f"registry/{wrong}", "REG-VAL010")
    assert f"registry/{right}" in problem.message and f"registry/{right}" in problem.hint
    assert f"registry/{wrong}" not in {rel for rel, _, _, _ in layout.files}  # not loaded


def test_a_folder_holding_more_than_the_limit_is_reported(root: Path) -> None:
    folder = root / "registry" / record_paths.folder_of("market_unit", "MU-ABC-000001")
    folder.mkdir(parents=True)
    for serial in range(record_paths.FOLDER_LIMIT):
        (folder / f"MU-ABC-{serial:06d}.yaml").write_text("x")
    assert _codes(root) == {}
    next_block = root / "registry" / record_paths.path_of("market_unit", "MU-ABC-001000")
    next_block.parent.mkdir()
    next_block.write_text("x")
    assert _codes(root) == {}  # the FSP's folder holds two blocks
    (folder / "stray.txt").write_text("x")
    codes = _codes(root)
    assert codes.pop("registry/market_unit/ABC/000xxx") == "REG-VAL011"
    assert codes == {"registry/market_unit/ABC/000xxx/stray.txt": "REG-VAL004"}


def test_the_stamp_changes_when_a_file_is_rewritten(root: Path) -> None:
    before = {rel: stamp for rel, _, _, stamp in scan(root, root / "registry").files}
    rel = next(iter(before))
    path = root / rel
    text = path.read_bytes()
    replacement = path.with_name("replacement")
    replacement.write_bytes(text)
    replacement.replace(path)  # same size and content, another inode and change time
    after = {rel: stamp for rel, _, _, stamp in scan(root, root / "registry").files}
    assert after[rel] != before[rel]
    assert {r: s for r, s in after.items() if r != rel} == {r: s for r, s in before.items() if r != rel}


def test_an_unreadable_registry_folder_is_reported(tmp_path: Path) -> None:
    layout = scan(tmp_path, tmp_path / "registry")
    assert [(rel, p.code) for rel, p in layout.problems] == [("registry", "REG-VAL007")]


def test_an_id_followed_by_a_newline_is_not_an_id() -> None:
    assert matches(r"^MU-[A-Z]{2,}-[0-9]{6}$", "MU-ABC-000001")
    assert not matches(r"^MU-[A-Z]{2,}-[0-9]{6}$", "MU-ABC-000001\n")
