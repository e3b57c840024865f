"""The bulk files published beside the site (``fmar build --bulk-url``): out of the site (and so out of
the GitHub Pages artifact), written to their own folder with ``SHA256SUMS`` and ``TAG``, linked at
their release-asset URLs from index.json, datapackage.json and the pages; all.zip the same bytes
whether built afresh or updated from the previous build's, and never updated from a zip the live
site does not describe."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from tests.conftest import GitRepo

from conftest import AS_OF, PAGE_SIZE, spy_zip
from fmar.cli import cli
from fmar.generate import bundled
from fmar.generate.builder import Builder
from fmar.publish.build import build
from fmar.publish.documents import schema_file
from fmar.publish.exports import SUMS, TAG, release_tag
from fmar.publish.urls import API_ROOT, BULK_FILES

BULK_URL = "https://github.com/example/registry/releases/download/{tag}/"
DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:  # type: ignore[no-untyped-def]
    """The hostile registry built with its bulk files published elsewhere: the site, the bulk folder,
    and the URL the bulk files are linked at."""
    repo, _ = built
    base = tmp_path_factory.mktemp("bulk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FMAR_CACHE_DIR", str(base / "cache"))
        build(
            repo.path,
            repo.path / "registry",
            base / "site",
            AS_OF,
            jobs=1,
            page_size=PAGE_SIZE,
            bulk_url=BULK_URL,
            bulk_out=base / "bulk",
        )
    head = subprocess.run(["git", "-C", str(repo.path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    return base / "site", base / "bulk", BULK_URL.replace("{tag}", release_tag(AS_OF, head.strip()))


def test_the_site_holds_no_bulk_file_and_nothing_internal(published) -> None:  # type: ignore[no-untyped-def]
    site, _, _ = published
    names = set(_tree(site))
    assert not {f"{API_ROOT}/{name}" for name in BULK_FILES} & names
    assert [name for name in names if any(part.startswith(".") for part in name.split("/"))] == []
    # Beside the site: the bulk files, fmar's cache and the spare (the site, linked, for the next build).
    assert {p.name for p in site.parent.iterdir()} == {"site", "bulk", "cache", ".site.spare"}


def test_the_bulk_folder_holds_the_files_their_sums_and_the_release_tag(published, built) -> None:  # type: ignore[no-untyped-def]
    _, bulk, url = published
    assert {p.name for p in bulk.iterdir()} == {*BULK_FILES, SUMS, TAG}
    lines = (bulk / SUMS).read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(BULK_FILES)
    for line in lines:  # as sha256sum --check reads them
        digest, name = line.split("  ")
        assert hashlib.sha256((bulk / name).read_bytes()).hexdigest() == digest
    tag = (bulk / TAG).read_text().strip()
    assert re.fullmatch(r"data-20261101T000000Z-[0-9a-f]{12}", tag)
    assert url == f"https://github.com/example/registry/releases/download/{tag}/"


def test_every_link_to_a_bulk_file_points_at_the_release(published) -> None:  # type: ignore[no-untyped-def]
    site, bulk, url = published
    api = site / API_ROOT
    index = json.loads((api / "index.json").read_text())
    assert index["links"]["bulk"] == url + "all.zip"
    for link, name in (("qualifications_json", "qualifications.json"), ("changes_csv", "changes.csv")):
        assert index["links"][link] == url + name
    assert index["links"]["units_csv"] == url + "units.csv"
    assert index["links"]["datapackage"] == "datapackage.json"
    for name in ("transitions_csv", "transitions_json"):
        assert index["links"][name] == url + name.replace("_", ".")
    # The OpenAPI description names the release as the server of each bulk file, the site of the rest.
    described = json.loads((api / "openapi.json").read_text())["paths"]
    for name in BULK_FILES:
        assert described[f"/{name}"]["servers"][0]["url"] == url
    assert "servers" not in described["/units/{unit}.json"]
    package = json.loads((api / "datapackage.json").read_text())
    for name in ("index", "datapackage"):
        schema = json.loads((site / "schemas" / schema_file(name)).read_text())
        jsonschema.Draft202012Validator(schema).validate(package if name == "datapackage" else index)
    paths = {r["path"]: r for r in package["resources"]}
    inboxes = {f"inboxes/{so}.csv" for so in ("ENWL", "NESO", "NGED", "NPG", "SPEN", "SSEN", "UKPN")}
    reports = {f"reports/{name}.csv" for name in ("2026-10", "2026-11", "2026-Q4")}
    # These stay on the site; the FSPs' portfolios travel with the bulk files, in portfolios.zip.
    on_site = {"index.json", "toolkit.json"} | inboxes | reports
    assert set(paths) == {url + name for name in BULK_FILES} | on_site
    for name in BULK_FILES:  # each with the size and SHA-256 of the file published
        data = (bulk / name).read_bytes()
        assert paths[url + name]["bytes"] == len(data)
        assert paths[url + name]["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    for page in ("api-reference.html", "index.html"):
        html = (site / page).read_text()
        for name in ("all.zip", "qualifications.csv", "changes.csv", "units.csv"):
            assert f'href="{url}{name}"' in html, (page, name)
    assert f'id="fmar-csv-all" href="{url}units.csv"' in (site / "units" / "index.html").read_text()
    assert f"{url}SHA256SUMS" in (site / "api-reference.html").read_text()


def test_the_bulk_zip_is_the_whole_export(published) -> None:  # type: ignore[no-untyped-def]
    site, bulk, _ = published
    files = _tree(site)
    expected = {rel for rel in files if rel.startswith((f"{API_ROOT}/", "schemas/"))}
    expected -= {f"{API_ROOT}/datapackage.json"}
    expected |= {f"{API_ROOT}/{name}" for name in BULK_FILES if name != "all.zip"}
    with zipfile.ZipFile(bulk / "all.zip") as archive:
        assert set(archive.namelist()) == expected
        for name in archive.namelist():
            on_site = files.get(name) or (bulk / name.rpartition("/")[2]).read_bytes()
            assert archive.read(name) == on_site, name


def test_fsps_portfolios_travel_with_the_bulk_files(built, published) -> None:  # type: ignore[no-untyped-def]
    """At national scale the FSPs' portfolios would take the site past GitHub Pages' 1 GB: with the
    bulk files published elsewhere they are in portfolios.zip there (the same documents as on a site
    that keeps its bulk files), and every FSP's page and document links it."""
    _, on_site = built
    site, bulk, url = published
    assert not (site / API_ROOT / "portfolios").exists()
    with zipfile.ZipFile(bulk / "portfolios.zip") as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    kept = {p.name: p.read_bytes() for p in (on_site / API_ROOT / "portfolios").iterdir()}
    assert zipped == kept and "VOLTAFLEX.json" in zipped and "VOLTAFLEX.csv" in zipped
    party = json.loads((site / API_ROOT / "parties" / "VOLTAFLEX.json").read_text())
    assert party["links"]["portfolio"] == party["links"]["portfolio_csv"] == url + "portfolios.zip"
    page = (site / "parties" / "VOLTAFLEX.html").read_text()
    assert f'href="{url}portfolios.zip"' in page and "VOLTAFLEX.json</code> and <code>VOLTAFLEX.csv" in page
    described = json.loads((site / API_ROOT / "openapi.json").read_text())["paths"]
    assert "/portfolios/{fsp}.json" not in described and described["/portfolios.zip"]["servers"][0]["url"] == url


@pytest.fixture
def registry(git_repo: GitRepo) -> Builder:
    b = bundled.build(git_repo.path / "registry")
    git_repo.commit_all("bundled registry", when=DAY)
    return b


def _build(repo: GitRepo, folder: Path) -> None:
    build(repo.path, repo.path / "registry", folder / "site", None, jobs=1, bulk_url=BULK_URL, bulk_out=folder / "bulk")


def _change(repo: GitRepo, registry: Builder, days: int) -> None:
    unit = registry.registry.units["MU-FENLAND-000003"]
    registry.unit(
        {**unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"}), "name": f"Renamed {days}"},
        DAY + timedelta(days=days),
    )
    repo.commit_all(f"rename {days}", when=DAY + timedelta(days=days))


def _rebuild_counting_zip_entries(
    git_repo: GitRepo, live: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, int]:
    """Build into ``live`` again with the zip writer spied on: (entries copied from the previous zip,
    entries compressed afresh)."""
    seen = tmp_path / "zip-stats.json"
    spy_zip(monkeypatch, seen)
    _build(git_repo, live)
    monkeypatch.undo()
    (line,) = seen.read_text().splitlines()
    copied, compressed = json.loads(line)
    return copied, compressed


def test_a_rebuild_updates_the_zip_from_the_bulk_folder_and_equals_a_fresh_build(
    git_repo: GitRepo, registry: Builder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live"
    _build(git_repo, live)
    _change(git_repo, registry, 1)
    copied, compressed = _rebuild_counting_zip_entries(git_repo, live, tmp_path, monkeypatch)
    assert copied > 40 and compressed > 0, "unchanged entries are copied from the previous zip in the bulk folder"
    fresh = tmp_path / "fresh"
    _build(git_repo, fresh)
    assert _tree(live / "site") == _tree(fresh / "site")
    assert _tree(live / "bulk") == _tree(fresh / "bulk")
    assert "Renamed 1" in (live / "bulk" / "units.csv").read_text()


def test_a_zip_the_live_site_does_not_describe_is_not_copied_from(
    git_repo: GitRepo, registry: Builder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk folder from another build (here: the zip damaged in place, same size) is not trusted."""
    live = tmp_path / "live"
    _build(git_repo, live)
    zipped = live / "bulk" / "all.zip"
    data = bytearray(zipped.read_bytes())
    data[100] ^= 0xFF  # inside the first entry's compressed bytes
    zipped.write_bytes(bytes(data))
    _change(git_repo, registry, 2)
    copied, _ = _rebuild_counting_zip_entries(git_repo, live, tmp_path, monkeypatch)
    assert copied == 0, "nothing is copied from a zip whose SHA-256 the live site does not give"
    fresh = tmp_path / "fresh"
    _build(git_repo, fresh)
    assert _tree(live / "bulk") == _tree(fresh / "bulk")


def test_without_a_bulk_url_the_bulk_files_come_back_to_the_site(
    git_repo: GitRepo, registry: Builder, tmp_path: Path
) -> None:
    live = tmp_path / "live"
    _build(git_repo, live)
    build(git_repo.path, git_repo.path / "registry", live / "site", None, jobs=1)
    fresh = tmp_path / "fresh"
    build(git_repo.path, git_repo.path / "registry", fresh, None, jobs=1)
    assert _tree(live / "site") == _tree(fresh)
    assert {f"{API_ROOT}/{name}" for name in BULK_FILES} <= set(_tree(fresh))


def test_the_release_tag_names_the_build() -> None:
    moment = datetime(2026, 11, 1, 1, 2, 3, 456, tzinfo=UTC)
    assert release_tag(moment, "0123456789abcdef0123") == "data-20261101T010203Z-0123456789ab"
    assert release_tag(moment, None) == "data-20261101T010203Z"


def test_bulk_options_are_checked(git_repo: GitRepo, registry: Builder, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["build", "--registry", str(git_repo.path / "registry"), "--out", str(tmp_path / "site")]
    bad_url = runner.invoke(cli, [*base, "--bulk-url", "ftp://example.org/{tag}/"])
    assert bad_url.exit_code == 2 and "http" in bad_url.output
    inside = runner.invoke(cli, [*base, "--bulk-url", BULK_URL, "--bulk-out", str(tmp_path / "site" / "bulk")])
    assert inside.exit_code == 2 and "apart" in inside.output
    done = runner.invoke(cli, [*base, "--bulk-url", BULK_URL.rstrip("/"), "--bulk-out", str(tmp_path / "b")])
    assert done.exit_code == 0, done.output
    tag = (tmp_path / "b" / TAG).read_text().strip()
    index = json.loads((tmp_path / "site" / API_ROOT / "index.json").read_text())
    assert index["links"]["bulk"] == BULK_URL.replace("{tag}", tag) + "all.zip"
