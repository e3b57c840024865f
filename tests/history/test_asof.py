"""As-of queries: what the registry said at a moment, one second either side of a merge, and what is known now."""

from __future__ import annotations

from datetime import datetime, timedelta

from history_world import T0, World

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_as_of_one_second_before_at_and_after_a_merge(world: World) -> None:
    repo = world.repo
    unit = world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    before = repo.commit_all("unit", when=T0 + 2 * DAY)
    repo.git("checkout", "-q", "-b", "apply")
    application = world.builder.apply(unit, "UKPN-PR", T0 + 3 * DAY, up=1500.0)
    repo.commit_all("apply", when=T0 + 3 * DAY, author_when=T0 + 3 * DAY)
    merged_at = T0 + 6 * DAY
    merge = world.merge("apply", merged_at, "--no-ff")

    just_before = world.fmar_json("status", "MU-VOLTAFLEX-000001", "--as-of", _iso(merged_at - SECOND))
    at = world.fmar_json("status", "MU-VOLTAFLEX-000001", "--as-of", _iso(merged_at))
    after = world.fmar_json("status", "MU-VOLTAFLEX-000001", "--as-of", _iso(merged_at + SECOND))

    assert just_before["registry_commit"] == before
    assert just_before["registry_said_then"] == []
    assert just_before["differs"] is True
    # known now: the application was signed on day 3, before the moment, though merged after it
    assert [p["status"] for p in just_before["known_now_about_then"]] == ["pending"]
    assert just_before["products"] == just_before["known_now_about_then"]
    for answer in (at, after):
        assert answer["registry_commit"] == merge
        [product] = answer["registry_said_then"]
        assert (product["application"], product["status"]) == (application.id, "pending")
        assert product["recorded_at"] == _iso(merged_at)
        assert product["since"] == _iso(merged_at)
        assert answer["differs"] is False


def test_registry_said_then_reads_that_commits_tree_and_known_now_differs(world: World) -> None:
    repo = world.repo
    unit = world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    application = world.builder.apply(unit, "UKPN-PR", T0 + DAY, up=1500.0)
    repo.commit_all("unit and application", when=T0 + 2 * DAY)
    # The SO decided on day 10 but its outcome was merged only on day 30.
    world.builder.decide(application, "qualified", T0 + 10 * DAY)
    repo.commit_all("outcome", when=T0 + 30 * DAY)
    # A material change to the unit on day 40 (today's file) must not leak into day-20 answers.
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + 40 * DAY, export_kw=500.0)
    repo.commit_all("unit shrinks", when=T0 + 40 * DAY)
    moment = T0 + 20 * DAY

    answer = world.fmar_json("status", "MU-VOLTAFLEX-000001", "--as-of", _iso(moment))
    text = world.fmar("status", "MU-VOLTAFLEX-000001", "--as-of", _iso(moment)).output
    now = world.fmar_json("status", "MU-VOLTAFLEX-000001")

    assert answer["differs"] is True
    assert [p["status"] for p in answer["registry_said_then"]] == ["pending"]
    assert [p["status"] for p in answer["known_now_about_then"]] == ["qualified"]
    assert answer["known_now_about_then"][0]["outcome_recorded_at"] == _iso(T0 + 30 * DAY)
    assert "registry said then" in text
    assert "known now about then" in text
    assert [p["status"] for p in now["products"]] == ["reassessment_required"]


def test_as_of_before_any_commit_says_nothing_was_recorded(world: World) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)

    result = world.fmar("status", "MU-VOLTAFLEX-000001", "--as-of", "2020-01-01")

    assert result.exit_code == 0
    assert "no commit yet" in result.output
