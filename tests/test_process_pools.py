"""The worker processes of ``fmar generate`` and ``fmar verify``: the same results whether they
are started by ``fork`` or ``spawn``, and as in one process."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext
from pathlib import Path

import pytest

from fmar import workers
from fmar.generate.synthetic import generate
from fmar.trust import verify


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The start methods of the worker pools started meanwhile."""
    methods: list[str] = []

    def get_context(method: str) -> BaseContext:
        methods.append(method)
        return multiprocessing.get_context(method)

    monkeypatch.setattr(workers, "get_context", get_context)
    return methods


def test_generate_writes_the_same_files_from_spawned_and_forked_workers(tmp_path: Path, started: list[str]) -> None:
    trees, counts, progress = {}, {}, {}
    for method, jobs in (("fork", 2), ("spawn", 2), ("one", 1)):
        out = tmp_path / method
        done: list[int] = []
        counts[method] = generate(out, 70, seed=4, jobs=jobs, progress=done.append, start_method=method, chunk=25)
        trees[method], progress[method] = _tree(out), sorted(done)
    assert started == ["fork", "spawn"]
    assert trees["fork"] == trees["spawn"] == trees["one"]
    assert counts["fork"] == counts["spawn"] == counts["one"] == len(trees["one"])
    assert progress["fork"] == progress["spawn"] == progress["one"] == [20, 25, 25]


def test_verify_finds_the_same_from_spawned_and_forked_workers(
    tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry"
    generate(registry, 40, seed=2)
    unit = sorted((registry / "market_unit").rglob("*.yaml"))[3]
    text = unit.read_text(encoding="utf-8")
    unit.write_text(text.replace("name: ", "name: Tampered ", 1), encoding="utf-8")  # its signature breaks
    monkeypatch.setattr(verify, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(verify, "_CHUNK", 40)  # several chunks of records
    results = {
        method: verify.verify_registry(tmp_path, registry, jobs=jobs, start_method=method)
        for method, jobs in (("fork", 2), ("spawn", 2), ("one", 1))
    }
    assert started == ["fork", "spawn"]
    assert results["fork"] == results["spawn"] == results["one"]
    findings, checked = results["one"]
    assert checked > 3 * 40
    assert [f.path for f in findings] == [unit.relative_to(tmp_path).as_posix()], findings
