"""The repository automation: workflows and issue forms valid against GitHub's schemas, safe by construction."""

from __future__ import annotations

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
    assert restore["with"]["path"].split() == save["with"]["path"].split() == ["~/.cache/fmar", "_site", "._site.spare"]
    setting = runs.index('echo "FMAR_CACHE_DIR=$HOME/.cache/fmar" >> "$GITHUB_ENV"')
    first_fmar = min(i for i, run in enumerate(runs) if run.startswith("fmar "))
    assert setting < steps.index(restore) < first_fmar < build < steps.index(save)
    key, prefix = restore["with"]["key"], restore["with"]["restore-keys"]
    assert key.startswith(prefix) and "${{ github.run_id }}" in key  # a new entry each run; the newest restored
    assert save["with"]["key"] == f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"
    assert "!cancelled()" in save["if"]
