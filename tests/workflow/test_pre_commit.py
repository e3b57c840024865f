"""The published pre-commit hooks judge exactly the files being committed, run by the real pre-commit.

The hooks come from this checkout's `.pre-commit-hooks.yaml` (ids, entries, file patterns, stages,
file passing), run as `repo: local` hooks with this environment's `fmar`, so pre-commit installs
nothing and never reaches the network; PRE_COMMIT_HOME is a temporary folder.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLE_KEYS, ROOT, GitRepo

from fmar.core.record_paths import path_of

UNIT = "registry/market_unit/FENLAND/000xxx/MU-FENLAND-000001.yaml"
FMAR = Path(sys.executable).parent / "fmar"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def _published_hooks() -> list[dict]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _local_config() -> str:
    """The published hooks as local hooks: same everything, but this environment's fmar."""
    hooks = []
    for hook in _published_hooks():
        local = {**hook, "language": "system", "entry": hook["entry"].replace("fmar", str(FMAR), 1)}
        local.pop("minimum_pre_commit_version", None)
        hooks.append(local)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


@pytest.fixture
def clone(git_repo: GitRepo, tmp_path: Path) -> GitRepo:
    """A registry clone with the hooks configured, everything committed."""
    git_repo.copy_registry()
    shutil.copy2(ROOT / "registry-trust.yaml", git_repo.path / "registry-trust.yaml")
    (git_repo.path / ".pre-commit-config.yaml").write_text(_local_config(), encoding="utf-8")
    git_repo.commit_all("registry and hooks")
    git_repo.env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return git_repo


def _pre_commit(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--color", "never", *args],
        cwd=repo.path,
        env=repo.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _edit_name(repo: GitRepo, name: str) -> Path:
    path = repo.path / UNIT
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("name: "))
    path.write_text(text.replace(old, f"name: {name}", 1), encoding="utf-8")
    return path


def _sign(repo: GitRepo, path: Path) -> None:
    subprocess.run(
        [str(FMAR), "sign", str(path), "--key", str(EXAMPLE_KEYS / "FENLAND.key")],
        cwd=repo.path,
        env=repo.env,
        check=True,
        capture_output=True,
    )


def test_every_published_hook_takes_the_committed_files_or_says_why_not() -> None:
    hooks = {hook["id"]: hook for hook in _published_hooks()}
    assert {"fmar-validate", "fmar-verify"} <= set(hooks)
    for hook_id in ("fmar-validate", "fmar-verify"):
        hook = hooks[hook_id]
        assert hook["pass_filenames"] is True
        assert "pre-commit" in hook["stages"] and "pre-push" in hook["stages"]
        assert hook["entry"] == f"fmar {hook_id.removeprefix('fmar-')}"
    verify_files = hooks["fmar-verify"]["files"]
    assert re.search(verify_files, UNIT) and re.search(verify_files, "registry-trust.yaml")
    for kind, record_id in (("event", "EVT-2026-7YBPPNN8"), ("party", "NESO"), ("process", "C.1")):
        assert re.search(verify_files, f"registry/{path_of(kind, record_id)}"), kind
    assert not re.search(verify_files, "README.md")
    # The gate judges a whole branch against its base: before pushing, never on each commit.
    assert hooks["fmar-check"]["stages"] == ["pre-push", "manual"]


def test_the_hooks_fail_a_staged_record_edited_after_signing_and_name_it(clone: GitRepo) -> None:
    _edit_name(clone, "Spalding solar, tampered")
    clone.git("add", UNIT)

    done = _pre_commit(clone)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{UNIT}:" in done.stdout and "SIG-VAL007" in done.stdout
    assert "1 files checked" in done.stdout  # fmar verify judged the staged file, not the registry


def test_the_hooks_fail_an_unsigned_staged_record(clone: GitRepo) -> None:
    path = clone.path / UNIT
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("signature:")], encoding="utf-8")
    clone.git("add", UNIT)

    done = _pre_commit(clone)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{UNIT}:1:1: error SIG-VAL001" in done.stdout
    assert f"{UNIT}:1:1: error SCH-VAL001" in done.stdout


def test_the_hooks_pass_a_signed_change_and_ignore_unstaged_edits(clone: GitRepo) -> None:
    _sign(clone, _edit_name(clone, "Spalding solar and storage, extended"))
    clone.git("add", UNIT)
    _edit_name(clone, "not staged, not signed")  # left out of the commit: pre-commit stashes it

    done = _pre_commit(clone)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "fmar verify" in done.stdout and "Passed" in done.stdout
    assert "not staged" in (clone.path / UNIT).read_text(encoding="utf-8")  # restored after the run


def test_a_misplaced_staged_file_fails_both_hooks(clone: GitRepo) -> None:
    stray = clone.path / "registry" / "units" / "MU-FENLAND-000001.yaml"
    stray.parent.mkdir()
    shutil.copy2(clone.path / UNIT, stray)
    clone.git("add", "registry/units")

    done = _pre_commit(clone)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "REG-VAL002" in done.stdout  # fmar validate: unknown kind folder
    assert "registry/units/MU-FENLAND-000001.yaml: not a record file" in done.stdout  # fmar verify


def test_the_installed_hook_blocks_the_commit(clone: GitRepo) -> None:
    subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=clone.path, env=clone.env, check=True, capture_output=True, timeout=60
    )
    head = clone.git("rev-parse", "HEAD")
    _edit_name(clone, "Spalding solar, tampered")
    clone.git("add", UNIT)

    with pytest.raises(subprocess.CalledProcessError) as refused:
        clone.git("commit", "-q", "-m", "tampered")

    output = refused.value.stdout + refused.value.stderr
    assert f"{UNIT}:" in output and "SIG-VAL007" in output, output
    assert clone.git("rev-parse", "HEAD") == head
