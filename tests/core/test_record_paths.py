"""The registry's layout: each record's path as a pure function of its kind and id, at national scale
and beyond (1,000,000 ids of a kind), ``fmar where``, and the folder limit where the path cannot spread."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import BUNDLED_ANCHOR, BUNDLED_REGISTRY

from fmar.cli import cli
from fmar.core import record_paths
from fmar.core.catalogue import FOLDER_TOO_LARGE, RECORD_AT_WRONG_PATH
from fmar.core.ids import CROCKFORD
from fmar.core.record_paths import FOLDER_LIMIT, flat_path, folder_of, kinds_of, parse, parse_any, path_of
from fmar.validation.pipeline import Pipeline

MILLION = 1_000_000


def test_the_paths_the_documentation_shows() -> None:
    assert path_of("market_unit", "MU-VOLTAFLEX-000042") == "market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000042.yaml"
    assert path_of("market_unit", "MU-VOLTAFLEX-123456") == "market_unit/VOLTAFLEX/123xxx/MU-VOLTAFLEX-123456.yaml"
    assert path_of("application", "APP-2026-7YBPPNN8") == "application/2026/7/7Y/APP-2026-7YBPPNN8.yaml"
    assert path_of("outcome", "OUT-2024-6FP78NHH") == "outcome/2024/6/6F/OUT-2024-6FP78NHH.yaml"
    assert path_of("event", "EVT-2025-06AX8BGB") == "event/2025/0/06/EVT-2025-06AX8BGB.yaml"
    assert path_of("party", "NESO") == "party/N/NESO.yaml"
    assert path_of("product", "UKPN-PEAK-REDUCTION") == "product/UKPN/UKPN-PEAK-REDUCTION.yaml"
    assert path_of("process", "Q.7") == "process/Q.7.yaml"
    assert flat_path("event", "EVT-2025-06AX8BGB") == "event/EVT-2025-06AX8BGB.yaml"


def test_every_bundled_record_is_at_its_path_and_parses_back() -> None:
    files = sorted(BUNDLED_REGISTRY.rglob("*.yaml"))
    assert len(files) > 100
    for file in files:
        rel = file.relative_to(BUNDLED_REGISTRY).as_posix()
        found = parse(rel)
        assert found is not None and found.canonical, rel
        assert path_of(found.kind, found.id) == rel and parse_any(rel) == (found.kind, found.id)
        assert parse_any(flat_path(found.kind, found.id)) == (found.kind, found.id)


def test_a_path_elsewhere_is_no_records_own_and_names_the_right_one() -> None:
    wrong = parse("market_unit/VOLTAFLEX/MU-VOLTAFLEX-000042.yaml")
    assert wrong is not None and not wrong.canonical
    assert wrong.right_path == "market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000042.yaml"
    assert parse_any("market_unit/VOLTAFLEX/MU-VOLTAFLEX-000042.yaml") is None  # neither layout's
    assert parse("event/2026/7/7Y/APP-2026-7YBPPNN8.yaml") is None  # an application id in the event folder
    assert parse("market_unit/VOLTAFLEX/000xxx/notes.md") is None


def test_the_kinds_an_id_may_be() -> None:
    assert kinds_of("MU-VOLTAFLEX-000042") == ["market_unit"]
    assert kinds_of("APP-2026-7YBPPNN8") == ["application"]
    assert kinds_of("EVT-2026-7YBPPNN8") == ["event"]
    assert kinds_of("NESO") == ["party"]
    assert kinds_of("NESO-DC") == ["party", "product"]
    assert kinds_of("UKPN-PEAK-REDUCTION") == ["product"]
    assert kinds_of("Q.7") == ["process"]
    assert kinds_of("MU-VOLTAFLEX-42") == [] and kinds_of("app-2026-7ybppnn8") == [] and kinds_of("../x") == []


def _largest_folders(paths: Counter[str]) -> dict[str, int]:
    """Entries of every folder under ``registry/`` given the number of files in each leaf folder."""
    entries: Counter[str] = Counter(paths)
    folders = set(paths)
    while folders:
        parents: set[str] = set()
        for folder in folders:
            parent = folder.rpartition("/")[0]
            if parent:
                entries[parent] += 1
                parents.add(parent)
        folders = parents
    return dict(entries)


def _drawn_ids(prefix: str, years: list[int], count: int, rng: random.Random) -> list[str]:
    """``count`` ids as ``fmar.core.ids.new_id`` draws them (8 random Crockford characters), spread over ``years``."""
    out: dict[str, None] = {}  # distinct, as the registry's ids are (a drawn id that exists is drawn again)
    while len(out) < count:
        bits = rng.getrandbits(40)
        tail = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(35, -5, -5))
        out[f"{prefix}-{rng.choice(years)}-{tail}"] = None
    return list(out)


def _units(count: int, rng: random.Random) -> list[str]:
    """``count`` unit ids over 400 FSPs of very different sizes (a Zipf-like share), numbered per FSP."""
    fsps = [f"FSP{number:03d}" for number in range(400)]
    weights = [1 / (rank + 1) for rank in range(len(fsps))]
    serials: Counter[str] = Counter()
    out = []
    for fsp in rng.choices(fsps, weights, k=count):
        serials[fsp] += 1
        out.append(f"MU-{fsp}-{serials[fsp]:06d}")
    return out


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("market_unit", lambda rng: _units(MILLION, rng)),
        ("application", lambda rng: _drawn_ids("APP", list(range(2022, 2032)), MILLION, rng)),
        ("outcome", lambda rng: _drawn_ids("OUT", list(range(2022, 2032)), MILLION, rng)),
        # The largest year the path is sized for: 800,000 events of one year, the rest over others.
        (
            "event",
            lambda rng: _drawn_ids("EVT", [2026], 800_000, rng) + _drawn_ids("EVT", [2027, 2028], 200_000, rng),
        ),
    ],
)
def test_a_million_records_of_a_kind_leave_no_folder_above_the_limit(kind: str, make) -> None:  # type: ignore[no-untyped-def]
    ids = make(random.Random(kind))
    assert len(set(ids)) == MILLION
    assert all(record_paths.is_id(kind, record_id) for record_id in ids[:1000])
    leaves = Counter(folder_of(kind, record_id) for record_id in ids)
    entries = _largest_folders(leaves)
    largest = max(entries.items(), key=lambda item: item[1])
    assert largest[1] <= FOLDER_LIMIT, largest
    assert entries[kind] <= FOLDER_LIMIT
    # A person browsing finds a kind's records grouped as they think of them: by FSP or by year.
    first = path_of(kind, ids[0]).split("/")
    assert first[1] == (ids[0][3:-7] if kind == "market_unit" else ids[0].split("-")[1])


def test_a_folder_over_the_limit_is_a_finding(tmp_path: Path) -> None:
    """Where the path cannot spread records (parties of one initial), the limit is a rule."""
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    shutil.copy(BUNDLED_ANCHOR, tmp_path / BUNDLED_ANCHOR.name)
    folder = registry / "party" / "Z"
    folder.mkdir()
    for number in range(FOLDER_LIMIT + 1):
        (folder / f"Z{number:04d}.yaml").write_text("kind: party\n", encoding="utf-8")
    _, findings = Pipeline(tmp_path, registry, use_cache=False).load()
    [too_large] = [f for f in findings if f.code == FOLDER_TOO_LARGE.code]
    assert too_large.path == "registry/party/Z" and "1001 entries" in too_large.message


def test_a_record_at_a_wrong_path_names_its_path(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    shutil.copy(BUNDLED_ANCHOR, tmp_path / BUNDLED_ANCHOR.name)
    right = registry / path_of("market_unit", "MU-KESTREL-000001")
    wrong = registry / flat_path("market_unit", "MU-KESTREL-000001")
    right.rename(wrong)
    _, findings = Pipeline(tmp_path, registry, use_cache=False).load()
    [found] = [f for f in findings if f.code == RECORD_AT_WRONG_PATH.code]
    assert found.path == "registry/market_unit/MU-KESTREL-000001.yaml"
    assert f"registry/{path_of('market_unit', 'MU-KESTREL-000001')}" in found.message + found.hint


def _where(*args: str, cwd: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["where", *args, "--registry", str(BUNDLED_REGISTRY)])
    return result.exit_code, result.stdout, result.stderr


def test_where_prints_the_path_of_any_id(tmp_path: Path) -> None:
    code, out, _ = _where("MU-VOLTAFLEX-000001", "APP-2031-ZZZZZZZZ", cwd=tmp_path)
    assert code == 0
    assert out.splitlines() == [
        "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000001.yaml",
        "registry/application/2031/Z/ZZ/APP-2031-ZZZZZZZZ.yaml",
    ]
    code, out, err = _where("NESO-DC", cwd=tmp_path)  # the product exists, no party of that name
    assert (code, out, err) == (0, "registry/product/NESO/NESO-DC.yaml\n", "")
    code, out, err = _where("ABC-DEF", cwd=tmp_path)  # neither exists: both, and a word on stderr
    assert out.splitlines() == ["registry/party/A/ABC-DEF.yaml", "registry/product/ABC/ABC-DEF.yaml"]
    assert "--kind" in err
    code, out, _ = _where("ABC-DEF", "--kind", "product", cwd=tmp_path)
    assert out == "registry/product/ABC/ABC-DEF.yaml\n"


def test_where_answers_tools_in_json_and_refuses_what_is_no_id(tmp_path: Path) -> None:
    code, out, _ = _where("MU-VOLTAFLEX-000001", "MU-VOLTAFLEX-999999", "--format", "json", cwd=tmp_path)
    document = json.loads(out)
    assert code == 0 and document["format"] == "fmar-where/v1"
    assert [(r["id"], r["kind"], r["exists"]) for r in document["records"]] == [
        ("MU-VOLTAFLEX-000001", "market_unit", True),
        ("MU-VOLTAFLEX-999999", "market_unit", False),
    ]
    assert document["records"][1]["path"] == "registry/market_unit/VOLTAFLEX/999xxx/MU-VOLTAFLEX-999999.yaml"
    code, _, err = _where("../../etc/passwd", cwd=tmp_path)
    assert code == 2 and "is not an id" in err
    code, _, err = _where("NESO", "--kind", "market_unit", cwd=tmp_path)
    assert code == 2 and "is not a market_unit id" in err


def test_a_drawn_id_whose_file_exists_or_whose_folder_is_full_is_drawn_again(tmp_path: Path) -> None:
    from fmar.cli.record_io import room_for

    registry = tmp_path / "registry"
    taken = registry / path_of("application", "APP-2026-7YBPPNN8")
    taken.parent.mkdir(parents=True)
    taken.write_text("kind: application\n", encoding="utf-8")
    other = room_for(registry, "application", "APP-2026-7YBPPNN8")
    assert other != "APP-2026-7YBPPNN8" and record_paths.is_id("application", other) and other.startswith("APP-2026-")
    full = registry / folder_of("event", "EVT-2026-AB000000")
    full.mkdir(parents=True)
    for number in range(FOLDER_LIMIT):
        (full / f"EVT-2026-AB{number:06d}.yaml").touch()
    moved = room_for(registry, "event", "EVT-2026-ABZZZZZZ")
    assert folder_of("event", moved) != folder_of("event", "EVT-2026-ABZZZZZZ")
    assert room_for(registry, "event", "EVT-2026-7YBPPNN8") == "EVT-2026-7YBPPNN8"  # room: kept
    assert room_for(registry, "market_unit", "MU-VOLTAFLEX-000001") == "MU-VOLTAFLEX-000001"  # not drawn: kept
