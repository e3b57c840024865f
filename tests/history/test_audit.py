"""fmar audit: a force-push that drops a published head, and a rewritten commit changing a record, are caught."""

from __future__ import annotations

import json
import random
import subprocess
from datetime import timedelta, timezone
from pathlib import Path

from click.testing import CliRunner
from history_world import IDENTITY, SEED, T0, World, unit_fields

from fmar.cli import cli
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.history.audit import audit, read_published
from fmar.history.index import build_index

DAY = timedelta(days=1)
UNIT = Path("registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000001.yaml")


def _codes(result_output: str) -> list[str]:
    return [finding["code"] for finding in json.loads(result_output)["findings"]]


def _publish(world: World, when_days: int) -> str:
    result = world.fmar("audit", "--record-head", "--note", "export v1")
    assert result.exit_code == 0, result.output
    assert "already recorded" in world.fmar("audit", "--record-head").output
    head = world.repo.git("rev-parse", "HEAD")
    world.repo.commit_all("Record the published head", when=T0 + when_days * DAY)
    return head


def test_an_intact_history_passes_and_record_head_appends_once(world: World) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery Park", T0 + 3 * DAY)
    world.repo.commit_all("rename", when=T0 + 4 * DAY)
    head = _publish(world, 5)

    result = world.fmar("audit", "--format", "json")

    assert [h.commit for h in read_published(world.repo.path / "audit/published-heads.txt")] == [head]
    assert result.exit_code == 0, result.output
    assert _codes(result.output) == []


def _rewrite_history(world: World) -> None:
    """Reset past the published head and commit a tampered copy of the unit (not re-signed)."""
    repo = world.repo
    published_list = (repo.path / "audit/published-heads.txt").read_text()
    repo.git("reset", "-q", "--hard", "HEAD~2")
    (repo.path / UNIT).parent.mkdir(parents=True, exist_ok=True)
    original = repo.git("show", f"HEAD@{{1}}~1:{UNIT.as_posix()}")
    (repo.path / UNIT).write_text(original.replace("export_capacity_kw: 2000.0", "export_capacity_kw: 9000.0") + "\n")
    repo.commit_all("unit (rewritten)", when=T0 + 2 * DAY)
    (repo.path / "audit").mkdir(exist_ok=True)
    (repo.path / "audit/published-heads.txt").write_text(published_list)
    repo.commit_all("Record the published head", when=T0 + 5 * DAY)


def test_a_force_push_dropping_a_published_head_and_a_tampered_record_are_reported(
    world: World, tmp_path: Path
) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)
    published = _publish(world, 3)
    _rewrite_history(world)

    local = world.fmar("audit", "--format", "json")

    assert local.exit_code == 1
    assert sorted(_codes(local.output)) == ["HIST-VAL002", "HIST-VAL003"]
    findings = json.loads(local.output)["findings"]
    tampered = next(f for f in findings if f["code"] == "HIST-VAL003")
    assert tampered["path"] == UNIT.as_posix()
    assert tampered["json_path"] == "$.signature.value"
    assert published in next(f for f in findings if f["code"] == "HIST-VAL002")["message"]

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{world.repo.path}", str(clone)], check=True, env=world.repo.env)
    fresh = CliRunner().invoke(cli, ["audit", "--registry", str(clone / "registry")])
    assert fresh.exit_code == 1
    assert "HIST-VAL001" in fresh.output
    assert f"published head {published}" in fresh.output
    assert "force-pushed" in fresh.output


def test_an_outside_copy_of_the_list_catches_a_rewritten_list(world: World, tmp_path: Path) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)
    _publish(world, 3)
    outside = tmp_path / "published-heads.txt"
    outside.write_text((world.repo.path / "audit/published-heads.txt").read_text())
    world.repo.git("reset", "-q", "--hard", "HEAD~2")
    world.repo.commit_all("different history", when=T0 + 3 * DAY)

    own_list = world.fmar("audit")
    kept_copy = world.fmar("audit", "--published", str(outside))

    assert own_list.exit_code == 0
    assert kept_copy.exit_code == 1
    assert "HIST-VAL002" in kept_copy.output


def test_each_version_verifies_against_the_key_its_signer_held_at_that_commit(world: World) -> None:
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit signed with the first key", when=T0 + 2 * DAY)
    generation = {"VOLTAFLEX": 2}
    rotated = Builder(
        world.registry,
        lambda party: example_key(party, SEED, generation.get(party, 1)),
        random.Random(1),
        registry_id=IDENTITY,
    )
    rotated.fsp("VOLTAFLEX", "Voltaflex Energy (fictional)", T0 + 3 * DAY, "flex@voltaflex.example")
    rotated.unit(unit_fields("MU-VOLTAFLEX-000001", "Thurrock Battery Park"), T0 + 3 * DAY)
    world.repo.commit_all("key rotated; unit re-signed", when=T0 + 4 * DAY)
    # A unit of a party the registry never had, and a version whose signer lost the key it names.
    stranger = Builder(world.registry, lambda party: example_key(party, SEED), random.Random(2), registry_id=IDENTITY)
    stranger.unit(unit_fields("MU-KESTREL-000001", "Depot"), T0 + 5 * DAY)
    world.unit("MU-VOLTAFLEX-000002", "Signed with the retired key", T0 + 5 * DAY)
    world.repo.commit_all("two bad records", when=T0 + 6 * DAY)

    result = world.fmar("audit", "--format", "json")

    findings = json.loads(result.output)["findings"]
    assert result.exit_code == 1
    assert sorted((f["path"].rsplit("/", 1)[1], f["code"]) for f in findings) == [
        ("MU-KESTREL-000001.yaml", "HIST-VAL004"),
        ("MU-VOLTAFLEX-000002.yaml", "HIST-VAL004"),
    ]
    assert "KESTREL had no party record" in findings[0]["message"] + findings[1]["message"]


def test_commit_times_going_backwards_or_into_the_future_are_warned(world: World) -> None:
    """A direct push to main with invented commit dates: warnings HIST-VAL006 and HIST-VAL007."""
    root = world.repo.path
    now = T0 + 10 * DAY

    def codes() -> list[str]:
        index = build_index(root, world.registry, "HEAD")
        return [f.code for f in audit(root, world.registry, index, "HEAD", now=now)]

    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    world.repo.commit_all("unit", when=T0 + 2 * DAY)
    assert codes() == []
    backwards = world.repo.commit_all("backdated", when=(T0 + DAY).astimezone(timezone(timedelta(hours=13))))
    future = world.repo.commit_all("from the future", when=now + timedelta(minutes=10))
    found = {(f.code, f.path) for f in audit(root, world.registry, build_index(root, world.registry, "HEAD"), now=now)}
    assert found == {("HIST-VAL006", backwards), ("HIST-VAL007", future)}
    assert sorted(codes()) == ["HIST-VAL006", "HIST-VAL007"]
    # without a time of the audit, commit times are not judged
    assert [f.code for f in audit(root, world.registry, build_index(root, world.registry, "HEAD"))] == []
    world.repo.commit_all("skewed", when=now + timedelta(minutes=20))
    assert sorted(codes()).count("HIST-VAL007") == 2


def test_audit_now_judges_commit_times_by_the_time_given(world: World) -> None:
    """``fmar audit --now TIME``: a commit dated after TIME is in the future (HIST-VAL007, a warning), the
    same commit judged at a later TIME is not; the verdict does not depend on the machine's clock."""
    world.unit("MU-VOLTAFLEX-000001", "Thurrock Battery", T0 + DAY)
    dated = world.repo.commit_all("unit", when=T0 + 10 * DAY)

    def found(now: str) -> list[tuple[str, str]]:
        result = world.fmar("audit", "--format", "json", "--now", now)
        assert result.exit_code == 0, result.output  # warnings only
        return [(f["code"], f["path"]) for f in json.loads(result.output)["findings"]]

    early = (T0 + 9 * DAY).isoformat()
    assert found(early) == [("HIST-VAL007", dated)]
    [finding] = json.loads(world.fmar("audit", "--format", "json", "--now", early).output)["findings"]
    assert "after the audit (2025-01-15T09:00:00Z)" in finding["message"]
    assert found((T0 + 11 * DAY).isoformat()) == []
    assert found((T0 + 10 * DAY - timedelta(minutes=4)).astimezone(timezone(timedelta(hours=-5))).isoformat()) == []
    assert found("2025-01-15T09:00:00Z") == [("HIST-VAL007", dated)]  # Z as well as +00:00


def test_audit_now_refuses_a_time_without_a_zone_or_not_a_time(world: World) -> None:
    for bad, why in (("2025-01-15T09:00", "no time zone"), ("last tuesday", "not an ISO 8601 time")):
        result = CliRunner().invoke(cli, ["audit", "--registry", str(world.registry), "--now", bad])
        assert result.exit_code == 2 and why in result.output, result.output
    assert "--now TIME" in CliRunner().invoke(cli, ["audit", "--help"]).output
