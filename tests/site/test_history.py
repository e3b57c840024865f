"""The site from real Git history: recorded times, every version with its changed fields, commit links."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime

from fmar.core.record_paths import path_of
from fmar.generate.keys import example_key
from fmar.loading.record_file import parse_text
from fmar.publish.build import build
from fmar.writing.authoring import author, write

UNIT = "MU-VOLTAFLEX-000001"
COMMIT_URL = "https://example.org/registry/commit/"


def test_pages_and_exports_show_every_version_from_git(git_repo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    registry = git_repo.copy_registry()
    first = git_repo.commit_all("bundled registry", when=datetime(2026, 10, 1, tzinfo=UTC))
    path = registry / path_of("market_unit", UNIT)
    data, _, _ = parse_text(path.read_text())
    fields = {k: v for k, v in data.items() if k not in ("schema_version", "kind", "signature")}
    fields["name"] = "Renamed battery"
    signer = data["signature"]["signer"]
    write(
        registry,
        author(
            "market_unit",
            fields,
            key=example_key(signer),
            signer=signer,
            signed_at=datetime(2026, 10, 9, tzinfo=UTC),
            registry="fmar-gb",
        ),
    )
    second = git_repo.commit_all("rename a unit", when=datetime(2026, 10, 10, tzinfo=UTC))

    site = tmp_path / "site"
    build(git_repo.path, registry, site, datetime(2026, 11, 1, tzinfo=UTC), jobs=1, commit_url=COMMIT_URL)
    doc = json.loads((site / "api/v2/units" / f"{UNIT}.json").read_text())
    assert doc["recorded"] == {"at": "2026-10-01T00:00:00Z", "commit": first}
    # Each record's addition is its recorded time; the history holds what changed after.
    assert [(h["id"], h["action"], h["commit"], h["signer"]) for h in doc["history"]] == [
        (UNIT, "modified", second, signer)
    ]
    assert "$.name" in doc["history"][0]["fields"]
    assert doc["applications"] and all(a["recorded"]["commit"] == first for a in doc["applications"])

    index = json.loads((site / "api/v2/index.json").read_text())
    assert index["registry_commit"] == second
    rows = list(csv.DictReader(io.StringIO((site / "api/v2/changes.csv").read_text())))
    assert {r["commit"] for r in rows} == {first, second}
    (renamed,) = [r for r in rows if r["commit"] == second]
    assert (renamed["id"], renamed["action"]) == (UNIT, "modified") and "$.name" in renamed["fields"].split()

    page = (site / "units" / f"{UNIT}.html").read_text()
    assert f'href="{COMMIT_URL}{second}"' in page and f'href="{COMMIT_URL}{first}"' in page
    assert "<code>$.name</code>" in page


def test_demo_site_shows_real_history(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fmar.generate.demo import END, replay

    registry = replay(tmp_path / "repo", units=2)
    site = tmp_path / "site"
    build(tmp_path / "repo", registry, site, END, jobs=1)
    rows = list(csv.DictReader(io.StringIO((site / "api/v2/changes.csv").read_text())))
    listed = subprocess.run(
        ["git", "-C", str(tmp_path / "repo"), "rev-list", "HEAD"], capture_output=True, text=True, check=True
    )
    commits = set(listed.stdout.split())
    assert rows and {r["commit"] for r in rows} <= commits
    (modified,) = [r for r in rows if r["action"] == "modified"]
    assert modified["kind"] == "market_unit" and "$.name" in modified["fields"].split()
    assert "renamed site" in (site / "units" / f"{modified['id']}.html").read_text()


def test_a_new_head_rewrites_no_record_document_or_page(git_repo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The as-of time and head commit are in index.json and on the home page only: records keep their bytes."""
    registry = git_repo.copy_registry()
    git_repo.commit_all("bundled registry", when=datetime(2026, 10, 1, tzinfo=UTC))
    site = tmp_path / "site"
    build(git_repo.path, registry, site, datetime(2026, 11, 1, tzinfo=UTC), jobs=1)
    records = {
        p: (p.read_bytes(), p.stat().st_ino)
        for folder in ("api/v2/units", "api/v2/products", "api/v2/parties")
        for p in (site / folder).glob("*.json")
    }
    records |= {
        p: (p.read_bytes(), p.stat().st_ino)
        for folder in ("units", "applications", "products", "parties")
        for p in (site / folder).glob("*.html")
        if p.name != "index.html" and not p.name.startswith("page-")
    }
    assert len(records) > 40
    (git_repo.path / "NOTES.md").write_text("not a record\n")
    head = git_repo.commit_all("a commit that touches no record", when=datetime(2026, 10, 20, tzinfo=UTC))
    build(git_repo.path, registry, site, datetime(2026, 11, 1, 1, tzinfo=UTC), jobs=1)
    changed = [p for p, (data, inode) in records.items() if p.read_bytes() != data or p.stat().st_ino != inode]
    assert changed == [], "no record document or page may be rewritten for a new head or as-of time"
    index = json.loads((site / "api/v2/index.json").read_text())
    assert (index["as_of"], index["registry_commit"]) == ("2026-11-01T01:00:00Z", head)
    home = (site / "index.html").read_text()
    assert f"<code>{head[:10]}</code>" in home and "as of 2026-11-01 01:00 GMT" in home
    page = (site / "units" / f"{UNIT}.html").read_text()
    assert head[:10] not in page and "Statuses as of the time on the" in page
