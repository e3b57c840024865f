"""The repository automation: workflows and issue forms valid against GitHub's schemas, safe by construction."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from fmar.core.record_paths import path_of
from fmar.core.workflow.codeowners import codeowners
from fmar.validation.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
    )


def test_workflows_validate_against_the_github_workflow_schema() -> None:
    assert {p.name for p in WORKFLOWS} >= {"validate.yml", "publish.yml", "notify.yml", "withdraw.yml"}
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        done = check_jsonschema(schema, *WORKFLOWS)
        assert done.returncode == 0, done.stdout + done.stderr


def test_issue_forms_validate_against_the_issue_form_schema() -> None:
    assert {p.name for p in FORMS} == {"onboard-party.yml", "data-dispute.yml"}
    done = check_jsonschema("vendor.github-issue-forms", *FORMS)
    assert done.returncode == 0, done.stdout + done.stderr
    done = check_jsonschema("vendor.github-issue-config", ROOT / ".github" / "ISSUE_TEMPLATE" / "config.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_workflow_is_caught_by_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    step: []\n", encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", broken).returncode != 0


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), (path.name, line)


def test_pull_requests_are_judged_by_the_base_branch_with_least_privilege() -> None:
    text = (ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert "pull_request_target" not in text
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key 'on' as True
    assert workflow["permissions"] in ({}, {"contents": "read"})
    steps = workflow["jobs"]["check"]["steps"]
    change, judge = steps[0], steps[1]
    assert change["with"]["fetch-depth"] == 0 and judge["with"]["ref"] == "${{ github.base_ref }}"
    installs = [s["run"] for s in steps if "run" in s and "pip install" in s["run"]]
    # The judge is installed from the base branch, at the base branch's pinned versions.
    assert installs == ["python -m pip install --quiet -c judge/requirements/constraints.txt ./judge"]
    assert any('fmar check --base "origin/${BASE_REF}" --format github' in s.get("run", "") for s in steps)


def test_every_workflow_installs_the_pinned_versions() -> None:
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
        for run in runs:
            for line in run.splitlines():
                if "pip install" in line:
                    assert "requirements/constraints.txt" in line, f"{path.name}: {line.strip()}"


def test_notify_only_writes_issues_and_never_runs_pull_request_code() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "notify.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_withdraw_runs_main_code_only_and_reads_the_closed_pull_request_as_data() -> None:
    text = (ROOT / ".github" / "workflows" / "withdraw.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow[True] == {"pull_request_target": {"types": ["closed"], "branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    job = workflow["jobs"]["withdraw"]
    assert job["if"] == "github.event.pull_request.merged == false"
    steps = job["steps"]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert [s["with"]["ref"] for s in checkouts] == ["main"]
    runs = "\n".join(s.get("run", "") for s in steps)
    # The closed pull request's commits are fetched into a ref of their own and only read by fmar.
    assert 'git fetch --no-tags origin "+refs/pull/${PR}/head:refs/remotes/closed/${PR}"' in runs
    assert 'fmar withdraw-signatures --base origin/main --head "$HEAD_SHA" --pr "$PR" --format json' in runs
    assert "head.ref" not in text and "closed/" not in runs.replace("refs/remotes/closed/${PR}", "")
    assert not any("checkout" in line and "HEAD_SHA" in line for line in runs.splitlines())
    assert [line.strip() for line in runs.splitlines() if "pip install" in line] == [
        "python -m pip install --quiet -c requirements/constraints.txt ."
    ]
    assert "gh pr create --base main" in runs and "git add audit/withdrawn-signatures.txt" in runs


def test_codeowners_is_generated_from_the_party_records(bundled_registry: Path) -> None:
    registry, _ = Pipeline(bundled_registry.parent, bundled_registry).load()
    text = codeowners(registry)
    assert (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == text, "run: fmar codeowners"
    assert f"/registry/{path_of('product', 'UKPN-PR')}" in text and "@fmar-registry/ukpn" in text
    # everything else is the operator's (``*``): the shared record folders are named with no owner
    assert "\n/registry/application/\n" in text and "\n*  " in text


def test_pre_commit_hooks_offer_validate_and_verify() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"fmar-validate", "fmar-verify", "fmar-check"}
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "fmar-validate", "fmar-verify"} <= ids


def _publish() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))


def test_publish_keeps_the_bulk_files_out_of_pages_and_only_the_release_job_writes() -> None:
    workflow = _publish()
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["release"]["permissions"] == {"contents": "write"}
    assert jobs["release"]["needs"] == "build"
    assert jobs["deploy"]["needs"] == ["build", "release"], "the site goes live once the files it links exist"
    assert [name for name, job in jobs.items() if "write" in job.get("permissions", {}).get("contents", "")] == [
        "release",
        "record-head",
    ]
    build = jobs["build"]["steps"]
    command = next(s for s in build if s.get("name") == "Build the site and exports")
    assert command["run"] == 'fmar build --out _site --site-url "$SITE_URL/" --bulk-out _bulk --bulk-url "$BULK_URL"'
    assert command["env"]["BULK_URL"].endswith("/releases/download/{tag}/")
    cached = next(s for s in build if s.get("uses", "").startswith("actions/cache/restore@"))["with"]["path"].split()
    assert {"~/.cache/fmar", "_site", "._site.spare", "_bulk"} <= set(cached)


#: A stand-in for the GitHub CLI: releases are folders of ``$GH_STATE``, newest first by time
#: (``release list`` with the workflow's ``--jq`` filter lists the data releases); every call is logged.
_FAKE_GH = """#!/bin/sh
echo "$*" >> "$GH_STATE/calls"
case "$1 $2" in
  "release view") test -d "$GH_STATE/$3" ;;
  "release create") mkdir "$GH_STATE/$3" && date +%s%N > "$GH_STATE/$3/created" ;;
  "release upload") test -d "$GH_STATE/$3" ;;
  "release list") for d in $(ls -t "$GH_STATE"); do test -d "$GH_STATE/$d" && echo "$d"; done | grep '^data-' ;;
  "release delete") rm -r "$GH_STATE/$3" ;;
  *) exit 2 ;;
esac
"""


def _run_release_steps(tmp_path: Path) -> str:
    """Run the release job's shell steps in ``tmp_path`` (which holds ``_bulk``) with the fake ``gh``;
    the calls made."""
    steps = _publish()["jobs"]["release"]["steps"]
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "GH_STATE": str(tmp_path / "releases")}
    env.update({"GITHUB_SHA": "0" * 40, "GH_TOKEN": "x", "GH_REPO": "o/r", "RUN_ID": "1", "KEEP": "10"})
    calls = tmp_path / "releases" / "calls"
    calls.unlink(missing_ok=True)
    for step in steps:
        if "run" in step:
            done = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
            assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
    return calls.read_text()


def test_the_release_job_creates_the_release_once_and_updates_it_when_built_again(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "gh").write_text(_FAKE_GH)
    (tmp_path / "bin" / "gh").chmod(0o755)
    releases = tmp_path / "releases"
    releases.mkdir()
    for day in range(12):  # earlier publications, oldest first, and one of fmar's own releases
        (releases / f"data-202610{day + 10}T000000Z-0123456789ab").mkdir()
        os.utime(releases / f"data-202610{day + 10}T000000Z-0123456789ab", (1e9 + day, 1e9 + day))
    (releases / "v0.3.0").mkdir()
    os.utime(releases / "v0.3.0", (1e9, 1e9))
    bulk = tmp_path / "_bulk"
    bulk.mkdir()
    for name in ("all.zip", "changes.csv", "units.csv"):
        (bulk / name).write_text(name)
    subprocess.run("sha256sum all.zip changes.csv units.csv > SHA256SUMS", shell=True, cwd=bulk, check=True)
    tag = "data-20261101T000000Z-0123456789ab"
    (bulk / "TAG").write_text(tag + "\n")
    first = _run_release_steps(tmp_path)
    assert f"release create {tag} --target {'0' * 40} --latest=false" in first
    assert "all.zip changes.csv units.csv SHA256SUMS" in first
    left = {p.name for p in releases.iterdir() if p.is_dir()}
    assert tag in left and "v0.3.0" in left, "fmar's own releases are never touched"
    assert sorted(name for name in left if name.startswith("data-"))[:2] == [
        "data-20261013T000000Z-0123456789ab",  # the three oldest of 13 are gone
        "data-20261014T000000Z-0123456789ab",
    ]
    assert len([name for name in left if name.startswith("data-")]) == 10
    again = _run_release_steps(tmp_path)  # the daily run of the same commit and as-of time: the same tag
    assert f"release upload {tag} --clobber all.zip changes.csv units.csv SHA256SUMS" in again
    assert "release create" not in again and "release delete" not in again


def test_publish_restores_and_saves_the_folders_fmar_build_uses() -> None:
    """fmar's cache folder and the site with its spare, restored before any fmar command (so every
    step shares one cache folder) from the newest earlier run, and saved after the build."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    restore, save = steps[uses.index("actions/cache/restore")], steps[uses.index("actions/cache/save")]
    assert "actions/cache" not in uses  # the combined action saves only after a successful job
    runs = [s.get("run", "") for s in steps]
    build = next(i for i, run in enumerate(runs) if run.startswith("fmar build --out _site"))
    folders = ["~/.cache/fmar", "_site", "._site.spare", "_bulk"]
    assert restore["with"]["path"].split() == save["with"]["path"].split() == folders
    setting = runs.index('echo "FMAR_CACHE_DIR=$HOME/.cache/fmar" >> "$GITHUB_ENV"')
    first_fmar = min(i for i, run in enumerate(runs) if run.startswith("fmar "))
    assert setting < steps.index(restore) < first_fmar < build < steps.index(save)
    key, prefix = restore["with"]["key"], restore["with"]["restore-keys"]
    assert key.startswith(prefix) and "${{ github.run_id }}" in key  # a new entry each run; the newest restored
    assert save["with"]["key"] == f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"
    assert "!cancelled()" in save["if"]


def test_remind_runs_daily_and_covers_the_time_since_the_previous_run() -> None:
    text = (ROOT / ".github" / "workflows" / "remind.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert "schedule" in workflow[True] and workflow["permissions"] == {"contents": "read", "issues": "write"}
    steps = workflow["jobs"]["remind"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'fmar remind --since "$SINCE" --until "$UNTIL" --out notifications' in runs
    assert 'SINCE="$(cat .fmar-remind/until)"' in runs, "the window starts where the previous one ended"
    told = next(i for i, s in enumerate(steps) if "gh issue create" in s.get("run", ""))
    saved = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache/save@"))
    assert told < saved, "the end of the window is remembered only after every notice went out"


def test_notify_and_remind_deliver_webhooks_after_telling_the_teams() -> None:
    for name in ("notify.yml", "remind.yml"):
        workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        steps = next(iter(workflow["jobs"].values()))["steps"]
        runs = [s.get("run", "") for s in steps]
        told = next(i for i, run in enumerate(runs) if "gh issue create" in run)
        delivered = next(i for i, run in enumerate(runs) if run.startswith("fmar deliver --from notifications"))
        assert told < delivered, name
        assert steps[delivered]["env"] == {"FMAR_WEBHOOK_SECRETS": "${{ toJSON(secrets) }}"}
