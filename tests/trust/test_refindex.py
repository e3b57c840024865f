"""The cached index of references: updated from a diff, it says what a fresh build says."""

from __future__ import annotations

from datetime import timedelta

from trust_scenario import PR_AT, Scenario

from fmar.gitrepo import Blobs
from fmar.trust.refindex import reference_index


def test_index_names_the_answers_of_an_application(scenario: Scenario) -> None:
    with Blobs(scenario.root) as blobs:
        index = reference_index(scenario.root, "main", blobs)
    assert index.referring(["APP-2024-E66K08HT"], ["outcome", "event"]) == [
        "registry/event/EVT-2025-45NTYR37.yaml",
        "registry/event/EVT-2025-YARQPEQQ.yaml",
        "registry/outcome/OUT-2024-6FP78NHH.yaml",
        "registry/outcome/OUT-2024-8ZBMC15C.yaml",
    ]
    assert index.referring(["MU-VOLTAFLEX-000001"], ["application"]) == [
        "registry/application/APP-2024-1VNXK21J.yaml",
        "registry/application/APP-2024-5BK6KDHW.yaml",
    ]


def test_updated_index_equals_a_fresh_build(scenario: Scenario) -> None:
    with Blobs(scenario.root) as blobs:
        reference_index(scenario.root, "main", blobs)  # cached for main
    b = scenario.builder
    b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", PR_AT)
    b.apply(b.registry.units["MU-KESTREL-000004"], "SPEN-PR", PR_AT, up=500.0)
    scenario.path("registry/outcome/OUT-2024-ZNDCB2F5.yaml").unlink()
    scenario.repo.commit_all("changes", when=PR_AT + timedelta(hours=1))
    with Blobs(scenario.root) as blobs:
        updated = reference_index(scenario.root, "pr", blobs)
        fresh = reference_index(scenario.root, "pr", blobs, use_cache=False)
    assert updated.tree == fresh.tree
    assert updated.refs == fresh.refs
    assert "registry/outcome/OUT-2024-ZNDCB2F5.yaml" not in updated.refs
    assert len([p for p, t in updated.refs.items() if t == "MU-KESTREL-000004"]) == 1
