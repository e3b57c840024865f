"""The layout scan: record files sorted with their stamps, every misplaced entry reported with its rule code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_REGISTRY

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
    units = root / "registry" / "market_unit"
    target = next(units.iterdir())
    (units / "MU-ABC-000001.yaml").symlink_to(target.name)
    (units / "MU-ABC-000002.yaml").mkdir()
    os.mkfifo(units / "MU-ABC-000003.yaml")
    (units / "MU-ABC-000004.yml").write_text("x")
    (units / "mu-abc-000005.yaml").write_text("x")
    (units / "MU-ABC-000006\n.yaml").write_text("x")
    (units / "APP-2025-0123456Z.yaml").write_text("x")
    (root / "registry" / "README.md").write_text("x")
    (root / "registry" / "units").mkdir()
    (root / "registry" / "event_link").symlink_to("event")
    assert _codes(root) == {
        "registry/market_unit/ABC/000xxx/MU-ABC-000001.yaml": "REG-VAL003",
        "registry/market_unit/ABC/000xxx/MU-ABC-000002.yaml": "REG-VAL001",
        "registry/market_unit/ABC/000xxx/MU-ABC-000003.yaml": "REG-VAL003",
        "registry/market_unit/MU-ABC-000004.yml": "REG-VAL004",
        "registry/market_unit/mu-abc-000005.yaml": "REG-VAL004",
        "registry/market_unit/MU-ABC-000006\n.yaml": "REG-VAL004",
        "registry/market_unit/APP-2025-0123456Z.yaml": "REG-VAL004",
        "registry/README.md": "REG-VAL001",
        "registry/units": "REG-VAL002",
        "registry/event_link": "REG-VAL003",
    }
    listed = {rel for rel, _, _, _ in scan(root, root / "registry").files}
    assert not any("MU-ABC" in rel for rel in listed)


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
