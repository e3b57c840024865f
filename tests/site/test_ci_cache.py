"""What the publish workflow does, run after run: a fresh clone at the same path, a fresh install of
the same fmar, fmar's cache folder and the output folders restored from the previous run (as
actions/cache does), a build. Only the units changed since are derived again, the pages of the
rest are kept (not rendered again), and the site is byte for byte what a build from nothing gives."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, GitRepo, fresh_install, run_installed

from fmar.core.reference import LicenceArea
from fmar.generate import bundled
from fmar.generate.builder import Builder
from fmar.publish.urls import page_url

#: Later than everything in the bundled registry.
DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)

BUILD = """
import json, sys
from pathlib import Path
from fmar.publish.build import build
root, out = Path(sys.argv[1]), Path(sys.argv[2])
result = build(root, root / "registry", out, jobs=1)
print(json.dumps({"full": result.full, "derived_units": result.derived_units}))
"""
#: What the workflow caches between runs (beside fmar's cache folder), relative to the checkout.
OUTPUT = ("_site", "._site.spare")


class Runner:
    """A CI runner: the checkout is always at the same path (as GitHub Actions' is), the cache
    folder and the output folders are saved after each run and restored at the start of the next."""

    def __init__(self, origin: GitRepo, tmp: Path) -> None:
        self.origin, self.tmp = origin, tmp
        self.checkout = tmp / "runner" / "work" / "repo"
        self.cache = tmp / "runner" / "home" / ".cache" / "fmar"
        self.saved = tmp / "actions-cache"
        self.runs = 0

    def run(self, *, after_restore: Any = None) -> dict[str, Any]:
        """One workflow run: check out, install, restore, build, save. Returns the build's result."""
        self.runs += 1
        shutil.rmtree(self.checkout.parent.parent, ignore_errors=True)  # a new machine: nothing left
        self.checkout.parent.mkdir(parents=True)
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(self.origin.path), str(self.checkout)],
            env=self.origin.env,
            check=True,
        )
        install = fresh_install(self.tmp / f"install-{self.runs}")
        if self.saved.is_dir():
            shutil.copytree(self.saved / "cache", self.cache)
            for name in OUTPUT:
                if (self.saved / name).is_dir():
                    shutil.copytree(self.saved / name, self.checkout / name, symlinks=True)
        if after_restore is not None:
            after_restore(self)
        result = self.build(install, self.checkout / "_site", self.cache)
        shutil.rmtree(self.saved, ignore_errors=True)
        shutil.copytree(self.cache, self.saved / "cache")
        for name in OUTPUT:
            if (self.checkout / name).is_dir():
                shutil.copytree(self.checkout / name, self.saved / name, symlinks=True)
        return result

    def build(self, install: Path, out: Path, cache: Path) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(
            run_installed(install, "-c", BUILD, str(self.checkout), str(out), env={"FMAR_CACHE_DIR": str(cache)})
        )
        return found

    def fresh_site(self, name: str) -> dict[str, bytes]:
        """What a build from nothing (no state, no previous site) publishes from the checkout."""
        out = self.tmp / name
        result = self.build(fresh_install(self.tmp / f"install-{name}"), out, self.tmp / f"cache-{name}")
        assert result["full"]
        return _tree(out)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rename(b: Builder, unit_id: str, name: str, when: Any) -> None:
    unit = b.registry.units[unit_id]
    b.unit({**unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"}), "name": name}, when)


def test_each_ci_run_derives_only_what_was_committed_since_the_last(tmp_path: Path) -> None:
    origin = GitRepo(tmp_path / "origin")
    b = bundled.build(origin.path / "registry")
    shutil.copytree(ROOT / "site", origin.path / "site")  # the hand-written documentation, as fmar's repository has
    origin.commit_all("registry", when=DAY)
    runner = Runner(origin, tmp_path)
    product = page_url("product", sorted(b.registry.products)[0]).lstrip("/")

    first = runner.run()
    assert first == {"full": True, "derived_units": len(b.registry.units)}

    # The next run: a unit renamed and a unit added, committed.
    when = DAY + timedelta(days=1)
    _rename(b, "MU-FENLAND-000003", "Fenland heat pumps (renamed)", when)
    b.unit(
        bundled._unit(
            "MU-KESTREL-000097", "Kestrel new battery", LicenceArea.ENWL, [("BESS", 1, 50.0)], imp=50.0, exp=50.0
        ),
        when,
    )
    origin.commit_all("rename a unit, add one", when=when)
    inodes: dict[str, int] = {}
    second = runner.run(
        after_restore=lambda r: inodes.update(
            {folder: (r.checkout / folder / product).stat().st_ino for folder in ("_site", "._site.spare")}
        )
    )
    assert second == {"full": False, "derived_units": 2}
    site = runner.checkout / "_site"
    # The product's page was kept (the restored spare's copy, or linked from the restored site), not
    # rendered again: the templates' digest survived the new install too.
    assert (site / product).stat().st_ino in inodes.values()
    assert _tree(site) == runner.fresh_site("fresh-2")
    assert "Fenland heat pumps (renamed)" in (site / "units" / "MU-FENLAND-000003.html").read_text()
    assert (site / "units" / "MU-KESTREL-000097.html").is_file()

    # And the run after it, which also restores the spare site the previous run left.
    when = DAY + timedelta(days=2)
    _rename(b, "MU-VOLTAFLEX-000001", "Voltaflex (renamed)", when)
    origin.commit_all("rename another unit", when=when)
    third = runner.run()
    assert third == {"full": False, "derived_units": 1}
    assert (runner.saved / "._site.spare").is_dir()
    assert _tree(runner.checkout / "_site") == runner.fresh_site("fresh-3")
    # The registry is at the same path every run: one folder for it (beside the sites' manifests).
    assert len([p for p in runner.cache.iterdir() if p.name != "sites"]) == 1
