"""Fixtures shared by every test area: real Git repositories in temporary folders and the bundled registry.

Tests that commit never depend on the machine's git configuration or keys: every command runs
with a fixed identity, dates the test controls, and global/system config switched off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_REGISTRY = ROOT / "registry"
#: The bundled registry's trust anchor: its identity (fmar-gb) and the operator's pinned keys.
BUNDLED_ANCHOR = ROOT / "registry-trust.yaml"
EXAMPLE_KEYS = ROOT / "examples" / "keys"


class GitRepo:
    """A real Git repository in a temporary folder, driven through the git command line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test Author",
            "GIT_AUTHOR_EMAIL": "author@fmar.example",
            "GIT_COMMITTER_NAME": "Test Committer",
            "GIT_COMMITTER_EMAIL": "committer@fmar.example",
        }
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: datetime | None = None, author_when: datetime | None = None) -> str:
        env = dict(self.env)
        if when is not None:
            env["GIT_COMMITTER_DATE"] = when.isoformat()
            env["GIT_AUTHOR_DATE"] = (author_when or when).isoformat()
        done = subprocess.run(["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def commit_all(self, message: str, when: datetime | None = None, author_when: datetime | None = None) -> str:
        """Stage everything and commit at ``when`` (UTC now if omitted); returns the commit id."""
        self.git("add", "-A")
        self.git(
            "commit", "-q", "--allow-empty", "-m", message, when=when or datetime.now(UTC), author_when=author_when
        )
        return self.git("rev-parse", "HEAD")

    def copy_registry(self, source: Path = BUNDLED_REGISTRY) -> Path:
        """Copy ``source`` to registry/, with the trust anchor beside it (registry-trust.yaml) when
        ``source`` has one, as a registry repository has."""
        target = self.path / "registry"
        shutil.copytree(source, target)
        anchor = source.parent / BUNDLED_ANCHOR.name
        if anchor.is_file():
            shutil.copy(anchor, self.path / anchor.name)
        return target


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[GitRepo]:
    """An empty repository on branch main."""
    yield GitRepo(tmp_path / "repo")


@pytest.fixture
def bundled_registry() -> Path:
    return BUNDLED_REGISTRY


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep fmar's validation cache out of the user's home and separate per test session."""
    monkeypatch.setenv("FMAR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "fmar-cache"))


def fresh_install(target: Path) -> Path:
    """A copy of fmar's package tree under ``target`` (to put on PYTHONPATH), as a new install
    leaves it: the same bytes, every file with a new inode and a modification time of its own."""
    import fmar

    package = Path(fmar.__file__).parent
    shutil.copytree(
        package, target / "fmar", copy_function=shutil.copyfile, ignore=shutil.ignore_patterns("__pycache__")
    )
    later = (datetime.now(UTC).timestamp() + 3600) * 1e9  # an hour ahead: unlike any time the source has
    for number, path in enumerate(sorted((target / "fmar").rglob("*"))):
        os.utime(path, ns=(int(later) + number, int(later) + number))
    return target


def run_installed(install: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``python *args`` with the package copy ``install`` (``fresh_install``) imported as fmar."""
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(install), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, *args], cwd=install, env=environment, check=True, capture_output=True, text=True
    )
    return done.stdout
