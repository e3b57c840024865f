"""Every version of a record, with field-level changes, and a unit's timeline through the CLI."""

from __future__ import annotations

import shutil
from datetime import timedelta

from history_world import T0, World

from fmar.core.record_paths import path_of
from fmar.generate.synthetic import generate
from fmar.history.index import build_index
from fmar.history.recorded import verified_with_history
from fmar.history.timeline import history_of
from fmar.history.versions import diff

DAY = timedelta(days=1)


def test_diff_names_json_paths_of_changed_leaves() -> None:
    before = {"name": "A", "composition": {"assets": [{"count": 1}], "export_capacity_kw": 10.0}}
    after = {"name": "A", "composition": {"assets": [{"count": 2}, {"count": 1}], "export_capacity_kw": 10.0}}

    changes = diff(before, after)

    assert [(c.path, c.before, c.after) for c in changes] == [
        ("$.composition.assets[0].count", 1, 2),
        ("$.composition.assets[1]", None, {"count": 1}),
    ]


def test_a_record_changed_across_many_commits_has_every_version(world: World) -> None:
    repo = world.repo
    commits = []
    for step in range(8):
        world.unit("MU-VOLTAFLEX-000001", f"Battery phase {step}", T0 + step * DAY, export_kw=1000.0 + step)
        commits.append(repo.commit_all(f"change {step}", when=T0 + (step + 1) * DAY))
        world.unit("MU-VOLTAFLEX-000009", f"Other {step}", T0 + step * DAY)
        repo.commit_all(f"other {step}", when=T0 + (step + 1) * DAY + timedelta(hours=1))
    index = build_index(repo.path, world.registry)
    registry = verified_with_history(repo.path, world.registry).registry

    found = history_of(repo.path, index, registry, "MU-VOLTAFLEX-000001")

    assert [v.commit for v in found.versions] == commits
    assert [v.change for v in found.versions] == ["added"] + ["modified"] * 7
    assert [v.recorded_at for v in found.versions] == [T0 + (s + 1) * DAY for s in range(8)]
    last = {c.path: (c.before, c.after) for c in found.versions[-1].changes}
    assert last["$.name"] == ("Battery phase 6", "Battery phase 7")
    assert last["$.composition.export_capacity_kw"] == (1006.0, 1007.0)
    assert "$.signature.value" in last
    assert all(v.signer == "VOLTAFLEX" for v in found.versions)


def test_fmar_history_of_a_unit_shows_applications_and_outcomes(world: World) -> None:
    repo = world.repo
    unit = world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    repo.commit_all("unit", when=T0 + 2 * DAY)
    application = world.builder.apply(unit, "UKPN-PR", T0 + 3 * DAY, up=1500.0)
    repo.commit_all("apply", when=T0 + 4 * DAY)
    outcome = world.builder.decide(application, "qualified", T0 + 10 * DAY)
    repo.commit_all("decide", when=T0 + 11 * DAY)
    (world.registry / path_of("market_unit", "MU-VOLTAFLEX-000001")).unlink()
    repo.commit_all("remove the unit", when=T0 + 12 * DAY)

    document = world.fmar_json("history", application.id)
    text = world.fmar("history", application.id).output

    assert document["kind"] == "application"
    assert [v["commit"] for v in document["versions"]] == [repo.git("rev-parse", "HEAD~2")]
    assert [(e["record"], e["change"]) for e in document["timeline"]] == [
        (application.id, "added"),
        (outcome.id, "added"),
    ]
    assert document["timeline"][1]["recorded_at"] == "2025-01-17T09:00:00Z"
    assert "qualified for" in text
    gone = world.fmar_json("history", "MU-VOLTAFLEX-000001")
    assert [v["change"] for v in gone["versions"]] == ["added", "deleted"]
    missing = world.fmar("history", "MU-VOLTAFLEX-999999")
    assert missing.exit_code == 1
    assert "never recorded" in missing.output


def test_history_and_status_work_on_the_bundled_registry(git_repo, bundled_registry) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(bundled_registry, git_repo.path / "registry")
    git_repo.commit_all("Bundled registry", when=T0)
    world = World(git_repo, None)  # type: ignore[arg-type]

    document = world.fmar_json("history", "MU-VOLTAFLEX-000001")
    status = world.fmar_json("status", "MU-VOLTAFLEX-000001")
    text = world.fmar("status", "MU-VOLTAFLEX-000001").output

    assert document["versions"][0]["recorded_at"] == "2025-01-06T09:00:00Z"
    kinds = {entry["record"][:3] for entry in document["timeline"]}
    assert kinds == {"MU-", "APP", "OUT", "EVT"}
    assert status["products"]
    assert all(p["recorded_at"] == "2025-01-06T09:00:00Z" for p in status["products"])
    assert all(a["recorded_at"] for p in status["products"] for a in p["applications"])
    assert "recorded 2025-01-06T09:00:00Z" in text


def test_status_outside_git_and_before_the_first_commit_uses_signing_times(git_repo, bundled_registry) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(bundled_registry, git_repo.path / "registry")
    world = World(git_repo, None)  # type: ignore[arg-type]

    status = world.fmar_json("status", "MU-VOLTAFLEX-000001")

    assert status["products"]
    assert all(p["recorded_at"] is None for p in status["products"])


def test_history_and_as_of_work_on_a_generated_registry(git_repo) -> None:  # type: ignore[no-untyped-def]
    generate(git_repo.path / "registry", units=5, seed=3, jobs=1)
    git_repo.git("add", "registry/party", "registry/product", "registry/process", "registry/market_unit")
    git_repo.git("commit", "-q", "-m", "reference data and units", when=T0)
    git_repo.commit_all("applications and answers", when=T0 + 30 * DAY)
    world = World(git_repo, None)  # type: ignore[arg-type]
    unit = sorted(p.stem for p in (git_repo.path / "registry" / "market_unit").rglob("*.yaml"))[0]

    history = world.fmar_json("history", unit)
    before = world.fmar_json("status", unit, "--as-of", "2025-01-20")
    after = world.fmar_json("status", unit, "--as-of", "2025-02-20")

    assert history["versions"][0]["recorded_at"] == "2025-01-06T09:00:00Z"
    assert {e["recorded_at"] for e in history["timeline"][1:]} == {"2025-02-05T09:00:00Z"}
    assert before["registry_said_then"] == []
    assert after["registry_said_then"]
    assert all(p["recorded_at"] == "2025-02-05T09:00:00Z" for p in after["registry_said_then"])
