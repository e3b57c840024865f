"""The cached index of references: updated from a diff, it says what a fresh build says."""

from __future__ import annotations

from datetime import timedelta

from pytest import MonkeyPatch
from tests.conftest import GitRepo
from trust_scenario import PR_AT, Scenario

from fmar.gitrepo import Blobs
from fmar.trust import refindex
from fmar.trust.refindex import reference_index


def test_index_names_the_answers_of_an_application(scenario: Scenario) -> None:
    with Blobs(scenario.root) as blobs:
        index = reference_index(scenario.root, "main", blobs)
    assert index.referring(["APP-2024-E66K08HT"], ["outcome", "event"]) == [
        "registry/event/2025/4/45/EVT-2025-45NTYR37.yaml",
        "registry/event/2025/Y/YA/EVT-2025-YARQPEQQ.yaml",
        "registry/outcome/2024/6/6F/OUT-2024-6FP78NHH.yaml",
        "registry/outcome/2024/8/8Z/OUT-2024-8ZBMC15C.yaml",
    ]
    assert index.referring(["MU-VOLTAFLEX-000001"], ["application"]) == [
        "registry/application/2024/1/1V/APP-2024-1VNXK21J.yaml",
        "registry/application/2024/5/5B/APP-2024-5BK6KDHW.yaml",
    ]


def test_updated_index_equals_a_fresh_build(scenario: Scenario) -> None:
    with Blobs(scenario.root) as blobs:
        reference_index(scenario.root, "main", blobs)  # cached for main
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    b.apply(b.registry.units["MU-KESTREL-000004"], "SPEN-PR", PR_AT, up=500.0)
    scenario.path("registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml").unlink()
    scenario.repo.commit_all("changes", when=PR_AT + timedelta(hours=1))
    with Blobs(scenario.root) as blobs:
        updated = reference_index(scenario.root, "pr", blobs)
        fresh = reference_index(scenario.root, "pr", blobs, use_cache=False)
    assert updated.tree == fresh.tree
    assert updated.refs == fresh.refs
    assert "registry/outcome/2024/Z/ZN/OUT-2024-ZNDCB2F5.yaml" not in updated.refs
    assert len([p for p, t in updated.refs.items() if t == "MU-KESTREL-000004"]) == 1


def test_a_files_own_lines_decide_what_it_names(scenario: Scenario) -> None:
    """The index is searched for ids as text; a file is a referrer of what its ``field:`` line names, else of
    the first id on a line naming the field (``"unit": ...``), never of an id it only mentions."""
    files = {
        # The unit line names MU-KESTREL-000004; another line mentioning "unit" names MU-VOLTAFLEX-000001.
        "registry/application/2030/A/AA/APP-2030-AAAAAAAA.yaml": "id: APP-2030-AAAAAAAA\n"
        "note_unit: MU-VOLTAFLEX-000001\nunit: MU-KESTREL-000004\n",
        # No "unit:" line: the quoted key's line decides.
        "registry/application/2030/B/BB/APP-2030-BBBBBBBB.yaml": 'id: APP-2030-BBBBBBBB\n"unit": MU-VOLTAFLEX-000001\n',
        # The id in the file name only: the unit line names another.
        "registry/application/MU-VOLTAFLEX-000001.yaml": "id: x\nunit: MU-KESTREL-000004\n",
        # Where no layout puts a record file (a folder among the shards, a folder among the record files):
        # not a record.
        "registry/application/sub/APP-2030-CCCCCCCC.yaml": "unit: MU-VOLTAFLEX-000001\n",
        "registry/application/2030/D/DD/sub/APP-2030-DDDDDDDD.yaml": "unit: MU-VOLTAFLEX-000001\n",
    }
    for rel, text in files.items():
        scenario.path(rel).parent.mkdir(parents=True, exist_ok=True)
        scenario.path(rel).write_text(text, encoding="utf-8")
    scenario.merge_to_main("odd files")
    with Blobs(scenario.root) as blobs:
        index = reference_index(scenario.root, "main", blobs, use_cache=False)
    assert index.referring(["MU-VOLTAFLEX-000001"], ["application"]) == [
        "registry/application/2024/1/1V/APP-2024-1VNXK21J.yaml",
        "registry/application/2024/5/5B/APP-2024-5BK6KDHW.yaml",
        "registry/application/2030/B/BB/APP-2030-BBBBBBBB.yaml",
    ]
    kestrel = index.referring(["MU-KESTREL-000004"], ["application"])
    assert {
        "registry/application/2030/A/AA/APP-2030-AAAAAAAA.yaml",
        "registry/application/MU-VOLTAFLEX-000001.yaml",
    } <= set(kestrel)
    assert index.referring(["MU-VOLTAFLEX-000001 ", "", "APP-2024-E66K08HT"], ["application", "party"]) == []
    assert index.refs["registry/application/2030/A/AA/APP-2030-AAAAAAAA.yaml"] == "MU-KESTREL-000004"


def test_no_registry_at_the_fork_means_no_references(git_repo: GitRepo) -> None:
    (git_repo.path / "README.md").write_text("a registry to be\n", encoding="utf-8")
    git_repo.commit_all("start")
    with Blobs(git_repo.path) as blobs:
        index = reference_index(git_repo.path, "HEAD", blobs)
    assert index.referring(["MU-VOLTAFLEX-000001"], ["application"]) == []


def test_past_the_update_limit_the_index_is_searched_afresh(scenario: Scenario, monkeypatch: MonkeyPatch) -> None:
    with Blobs(scenario.root) as blobs:
        reference_index(scenario.root, "main", blobs)  # cached for main
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    scenario.repo.commit_all("an event", when=PR_AT + timedelta(hours=1))
    monkeypatch.setattr(refindex, "_MAX_UPDATES", 0)
    with Blobs(scenario.root) as blobs:
        index = reference_index(scenario.root, "pr", blobs)
        fresh = reference_index(scenario.root, "pr", blobs, use_cache=False)
    assert index.updates == {} and index.searched == index.tree
    assert index.refs == fresh.refs
