"""The worker processes of a build: the same site whichever way they are started."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from pathlib import Path

import pytest
from tests.conftest import GitRepo
from tests.site.conftest import AS_OF, PAGE_SIZE, write_registry

from fmar import workers
from fmar.generate.synthetic import generate
from fmar.publish import background
from fmar.publish import build as build_module
from fmar.publish.build import build
from fmar.validation.pipeline import PARALLEL_THRESHOLD, Pipeline


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_spawned_workers_build_the_same_bytes_as_forked_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    write_registry(repo.path)
    repo.commit_all("registry", when=datetime(2026, 10, 5, tzinfo=UTC))
    monkeypatch.setenv("FMAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(build_module, "_CHUNK", 3)  # several tasks, so worker processes do the units
    started: list[str] = []

    def get_context(method: str) -> BaseContext:
        started.append(method)
        return multiprocessing.get_context(method)

    for module in (workers, background):
        monkeypatch.setattr(module, "get_context", get_context)
    sites = {}
    for method in ("fork", "spawn"):
        out = tmp_path / method
        started.clear()
        result = build(repo.path, repo.path / "registry", out, AS_OF, jobs=2, page_size=PAGE_SIZE, start_method=method)
        assert result.full and result.derived_units > 2 * 3
        # The registry survey, the workers, the cross-record rules, the history index, the exports,
        # all.zip and the state's saver.
        assert started == [method] * 7, started
        sites[method] = _tree(out)
    one = tmp_path / "one"
    build(repo.path, repo.path / "registry", one, AS_OF, jobs=1, page_size=PAGE_SIZE)
    assert sites["spawn"] == sites["fork"] == _tree(one)


def _square(offset: int, number: int) -> int:
    if number == 4:
        raise ValueError("four")
    return offset + number * number


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_results_come_back_in_order_and_a_failure_is_raised_here(method: str) -> None:
    assert workers.run(_square, 1, [3, 1, 2, 0, 5], jobs=2, start_method=method) == [10, 2, 5, 1, 26]
    with pytest.raises(ValueError, match="four"):
        workers.run(_square, 0, [1, 2, 4, 3], jobs=2, start_method=method)


def test_files_are_read_alike_by_spawned_and_forked_workers(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    generate(registry, units=100, seed=5)
    loaded = {}
    for method in ("fork", "spawn"):
        pipeline = Pipeline(tmp_path, registry, jobs=2, use_cache=False, start_method=method)
        assert len(pipeline.layout.files) >= PARALLEL_THRESHOLD  # read by worker processes
        registry_read, findings = pipeline.load()
        loaded[method] = (sorted(registry_read.path_of(r) for r in registry_read.records()), findings)
    assert loaded["spawn"] == loaded["fork"]
    assert loaded["fork"][0]


def _exit_on_two(_: None, number: int) -> int:
    if number == 2:
        os._exit(3)  # a worker killed mid-task (out of memory, say)
    return number


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_worker_that_dies_fails_the_run(method: str) -> None:
    with pytest.raises(RuntimeError, match="ended without finishing task 2"):
        workers.run(_exit_on_two, None, [0, 1, 2, 3], jobs=2, start_method=method)
