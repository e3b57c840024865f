"""The FSP and SO workflows end to end, in real repositories with real keys, merged as GitHub would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import GitRepo
from tests.workflow.cli import fmar, key

UNIT = "MU-VOLTAFLEX-000100"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def clone(origin: GitRepo, path: Path) -> GitRepo:
    origin.git("clone", "-q", str(origin.path), str(path))
    return GitRepo(path)  # re-initialising an existing clone keeps it and sets the fixed identity


def propose_and_merge(origin: GitRepo, contributor: GitRepo, branch: str, message: str, when: str) -> str:
    """Commit on ``branch`` in the contributor's clone, pass the pull-request gate, push, merge with --no-ff."""
    contributor.commit_all(message, when=at(when))
    gate = fmar(contributor.path, "check", "--base", "origin/main", "--now", at(when).isoformat())
    assert gate.exit_code == 0, gate.output
    contributor.git("push", "-q", "origin", branch)
    origin.git("merge", "--no-ff", "-q", "-m", f"Merge {branch}", branch, when=at(when))
    return origin.git("rev-parse", "HEAD")


def sync(contributor: GitRepo, branch: str) -> None:
    contributor.git("fetch", "-q", "origin")
    contributor.git("switch", "-q", "-C", branch, "origin/main")


def notify(origin: GitRepo, base: str, out: Path) -> dict[str, dict]:
    result = fmar(origin.path, "notify", "--base", base, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"written to {out.resolve()}" in result.output, "notify says where it wrote"
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json") if p.name != "index.json"}


def test_fsp_and_so_workflows_end_to_end(git_repo: GitRepo, tmp_path: Path) -> None:
    origin = git_repo
    origin.copy_registry()
    origin.commit_all("Bundled registry", when=at("2026-01-01T09:00:00"))
    origin.git("config", "receive.denyCurrentBranch", "updateInstead")

    # FSP: branch, register a unit, apply; the checks pass before anything is pushed.
    fsp = clone(origin, tmp_path / "fsp")
    fsp.git("switch", "-q", "-c", "register-and-apply")
    result = fmar(
        fsp.path, "unit", "add", UNIT, "--name", "Tilbury Battery", "--fsp", "VOLTAFLEX", "--unit-type", "SPU",
        "--licence-area", "UKPN_EPN", "--connection-type", "FIRM", "--connection-status", "CONNECTED",
        "--import-kw", "3000", "--export-kw", "3000", "--asset", "BESS:1:3000",
        "--key", key("VOLTAFLEX"), "--at", "2026-02-01T09:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    eligible = json.loads(fmar(fsp.path, "eligible", UNIT, "--format", "json").output)
    answers = {p["product"]: p["answer"] for p in eligible["products"]}
    # Nothing declared yet: fmar does not assume the battery meets Dynamic Containment's 1 s.
    assert answers["NESO-DC"] == answers["UKPN-PR"] == "unknown" and answers["ENWL-PR"] == "no"
    result = fmar(
        fsp.path, "apply", UNIT, "NESO-DC", "--full-delivery-s", "0.5", "--duration-min", "60",
        "--metering-resolution-s", "1", "--key", key("VOLTAFLEX"), "--at", "2026-02-01T09:05:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "git switch -c apply/APP-2026-" in result.output
    new_apps = [p.stem for p in (fsp.path / "registry" / "application").rglob("*.yaml")]
    application = next(a for a in new_apps if a in result.output)
    validation = fmar(fsp.path, "validate")
    assert validation.exit_code == 0, validation.output
    before = origin.git("rev-parse", "HEAD")
    merged = propose_and_merge(origin, fsp, "register-and-apply", "Register and apply", "2026-02-02T12:00:00")

    # The SO hears about it with the data package.
    payloads = notify(origin, before, tmp_path / "n1")
    assert set(payloads) == {"NESO"}
    (first,) = payloads["NESO"]["notifications"]
    assert first["topic"] == "application_submitted" and first["application"] == application
    assert first["package"]["unit"]["id"] == UNIT and first["package"]["requirements"]["version"] == 1
    assert payloads["NESO"]["github_team"] == "@fmar-registry/neso"
    assert (tmp_path / "n1" / "NESO.atom").read_text().count("<entry>") == 1
    again = notify(origin, before, tmp_path / "n1-again")
    assert (
        again == payloads
        and (tmp_path / "n1" / "NESO.atom").read_bytes() == (tmp_path / "n1-again" / "NESO.atom").read_bytes()
    )
    inbox = json.loads(fmar(origin.path, "inbox", "NESO", "--as-of", "2026-02-03", "--format", "json").output)
    assert application in [a["application"] for a in inbox["applications"]]

    # The SO acknowledges and decides on a branch of its own clone, and merges.
    so = clone(origin, tmp_path / "so")
    so.git("switch", "-q", "-c", "decide")
    assert (
        fmar(so.path, "acknowledge", application, "--key", key("NESO"), "--at", "2026-02-03T10:00:00Z").exit_code == 0
    )
    result = fmar(
        so.path,
        "decide",
        application,
        "--qualified",
        "--days",
        "30",
        "--key",
        key("NESO"),
        "--at",
        "2026-02-10T10:00:00Z",
    )
    assert result.exit_code == 0, result.output
    before = merged
    merged = propose_and_merge(origin, so, "decide", "NESO decides", "2026-02-11T08:00:00")
    payloads = notify(origin, before, tmp_path / "n2")
    assert set(payloads) == {"VOLTAFLEX"}
    topics = sorted(n["topic"] for n in payloads["VOLTAFLEX"]["notifications"])
    assert topics == ["event_acknowledged", "outcome_recorded"]

    status = json.loads(fmar(origin.path, "status", UNIT, "--as-of", "2026-02-12", "--format", "json").output)
    assert status["products"][0]["status"] == "qualified"
    # Recorded times are the merges that accepted the records, not the times their signers wrote.
    assert status["products"][0]["recorded_at"] == "2026-02-02T12:00:00Z"
    assert status["products"][0]["outcome_recorded_at"] == "2026-02-11T08:00:00Z"
    # Time passes: the 30-day validity ends.
    status = json.loads(fmar(origin.path, "status", UNIT, "--as-of", "2026-03-20", "--format", "json").output)
    assert status["products"][0]["status"] == "expired"

    # A material change puts the qualification into re-assessment, and NESO is told.
    sync(fsp, "grow")
    result = fmar(
        fsp.path, "unit", "update", UNIT, "--import-kw", "4000", "--export-kw", "4000", "--asset", "BESS:1:4000",
        "--key", key("VOLTAFLEX"), "--at", "2026-02-20T09:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "MATERIAL CHANGE" in result.output and "NESO-DC (NESO)" in result.output
    before = merged
    merged = propose_and_merge(origin, fsp, "grow", "Bigger battery", "2026-02-20T12:00:00")
    status = json.loads(fmar(origin.path, "status", UNIT, "--as-of", "2026-02-25", "--format", "json").output)
    assert status["products"][0]["status"] == "reassessment_required"
    payloads = notify(origin, before, tmp_path / "n3")
    assert [n["topic"] for n in payloads["NESO"]["notifications"]] == ["reassessment_required"]
    # Told with the time of the change (the changed unit's signing), not of the unit's first recording.
    assert payloads["NESO"]["notifications"][0]["at"] == "2026-02-20T09:00:00Z"
    assert status["products"][0]["since"] == "2026-02-20T09:00:00Z"

    # An information request left unanswered past its deadline becomes a deemed withdrawal.
    sync(fsp, "apply-ukpn")
    result = fmar(fsp.path, "apply", UNIT, "UKPN-PR", "--key", key("VOLTAFLEX"), "--at", "2026-03-01T09:00:00Z")
    assert result.exit_code == 0, result.output
    second = next(p.stem for p in (fsp.path / "registry" / "application").rglob("*.yaml") if p.stem in result.output)
    merged = propose_and_merge(origin, fsp, "apply-ukpn", "Apply to UKPN", "2026-03-01T12:00:00")
    sync(so, "ask")
    result = fmar(
        so.path, "request-info", second, "--days", "10", "--reason", "Send the connection agreement.",
        "--key", key("UKPN"), "--at", "2026-03-02T09:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    propose_and_merge(origin, so, "ask", "UKPN asks for information", "2026-03-02T12:00:00")
    inbox = json.loads(fmar(origin.path, "inbox", "UKPN", "--as-of", "2026-03-05", "--format", "json").output)
    waiting = {a["application"]: a["waiting_for"] for a in inbox["applications"]}
    assert waiting[second] == "supply information"
    ukpn = json.loads(
        fmar(origin.path, "status", UNIT, "--product", "UKPN-PR", "--as-of", "2026-03-20", "--format", "json").output
    )
    assert ukpn["products"][0]["status"] == "deemed_withdrawn"
    assert fmar(origin.path, "validate").exit_code == 0
