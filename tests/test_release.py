"""Releases: one version everywhere, and a workflow that tags it so that pre-commit's `rev:` resolves."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib

import yaml
from tests.conftest import ROOT

import fmar

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def _release_notes():  # scripts/ is not a package: load the script the workflow runs
    spec = importlib.util.spec_from_file_location("release_notes", ROOT / "scripts" / "release_notes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fmar_version_is_the_project_version() -> None:
    done = subprocess.run([sys.executable, "-m", "fmar", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"fmar, version {VERSION}"
    assert fmar.__version__ == VERSION


def test_the_changelog_latest_entry_is_the_project_version() -> None:
    notes = _release_notes()
    assert notes.project_version() == VERSION
    assert notes.released(CHANGELOG)[0] == VERSION
    assert "## [Unreleased]" in CHANGELOG
    body = notes.section(CHANGELOG, VERSION)
    assert body and "### Added" in body and "## [" not in body and "]: https://" not in body
    assert f"[{VERSION}]: https://github.com/fmar-registry/fmar/releases/tag/v{VERSION}" in CHANGELOG
    assert notes.section(CHANGELOG, "0.0.0-never") is None


def test_every_documented_rev_is_the_release_tag() -> None:
    documents = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").glob("*.md"))]
    revs = {
        (path.relative_to(ROOT).as_posix(), rev)
        for path in documents
        for rev in re.findall(r"\brev: *['\"]?([^\s'\"`]+)", path.read_text(encoding="utf-8"))
    }
    assert ("README.md", f"v{VERSION}") in revs
    assert ({rev for _, rev in revs}) == {f"v{VERSION}"}, sorted(revs)


def test_the_release_workflow_tags_a_changed_version_from_main() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert trigger["push"] == {"branches": ["main"], "paths": ["pyproject.toml"]}
    assert workflow["permissions"] == {"contents": "write"}
    (job,) = workflow["jobs"].values()
    assert job["if"] == "github.ref == 'refs/heads/main'"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "scripts/release_notes.py --version" in script
    assert 'gh release create "v${VERSION}"' in script and "--notes-file" in script
    assert "tests/test_release.py" in script
    for step in job["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w/-]+@[0-9a-f]{40}", step["uses"]), step["uses"]  # pinned by commit
