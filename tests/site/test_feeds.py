"""The Atom feeds and the sitemap of real builds of a registry with history, with and without a
site URL: every feed meets the rules of RFC 4287 as the W3C Feed Validator applies them
(``feed_rules``), its ids are RFC 4151 ``tag:`` URIs that never change, its entries say in words
what happened, and the sitemap lists every page of the site."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from feed_rules import ATOM, atom_links, atom_problems, is_tag_uri
from tests.conftest import GitRepo

from fmar.cli import cli
from fmar.core.model import MarketUnit
from fmar.core.record_paths import path_of
from fmar.generate import bundled
from fmar.publish import sitemap
from fmar.publish.build import build
from fmar.publish.feeds import FEED_LIMIT
from fmar.publish.pages import Meta
from fmar.publish.shell import Shell, Shells
from fmar.publish.site_url import TAG_DATE, normalise, tag_uri

SITE = "https://example.github.io/fmar/"
#: Later than everything in the bundled registry.
DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)
API = "api/v2"
_A = f"{{{ATOM}}}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _feeds(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / API / "feeds").rglob("*.atom"))}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A registry committed three times (the bundled registry; a rename, a decision, an information
    request, an application and its withdrawal; an outcome's removal), built with the site URL
    after the first commit and after each later one (in one folder: partial, then full), from
    nothing after the second, and without a site URL after the last."""
    base = tmp_path_factory.mktemp("feeds")
    repo = GitRepo(base / "repo")
    registry = repo.path / "registry"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FMAR_CACHE_DIR", str(base / "cache"))
        b = bundled.build(registry)
        repo.commit_all("bundled registry", when=DAY)
        hosted = base / "hosted"
        first = build(repo.path, registry, hosted, jobs=1, site_url=SITE)
        before = _feeds(hosted)

        later = DAY + timedelta(days=1)
        unit = b.registry.units["MU-FENLAND-000003"]
        fields = unit.model_dump(mode="json", exclude={"signature", "kind", "schema_version"})
        renamed = b.unit({**fields, "name": "Fenland heat pumps (renamed)"}, later)
        assert isinstance(renamed, MarketUnit)
        pending = [
            a for a in sorted(b.registry.applications.values(), key=lambda a: a.id) if not b.registry.answers.get(a.id)
        ]
        decided = b.decide(pending[0], "qualified", later, days=365)
        other = b.registry.units["MU-VOLTAFLEX-000001"]
        asked = b.apply(other, "NESO-QR", later, up=1000.0, down=1000.0)
        b.event(asked, "information_requested", later + timedelta(hours=1), respond_by=later + timedelta(days=14))
        gone = b.apply(b.registry.units["MU-VOLTAFLEX-000002"], "NESO-QR", later, up=1000.0, down=1000.0)
        b.event(gone, "withdrawn", later + timedelta(hours=2), reason="No longer offered")
        repo.commit_all("rename, decide, ask, apply and withdraw", when=later + timedelta(hours=3))
        second = build(repo.path, registry, hosted, jobs=1, site_url=SITE)
        fresh = base / "fresh"
        build(repo.path, registry, fresh, jobs=1, site_url=SITE)
        partial_equals_fresh = _tree(hosted) == _tree(fresh)

        removed = sorted(b.registry.outcomes)[0]
        (registry / path_of("outcome", removed)).unlink()
        repo.commit_all("remove an outcome", when=DAY + timedelta(days=2))
        build(repo.path, registry, hosted, jobs=1, site_url=SITE)
        plain = base / "plain"
        build(repo.path, registry, plain, jobs=1)
    return {
        "repo": repo,
        "hosted": hosted,
        "plain": plain,
        "before": before,
        "builds": (first, second),
        "partial_equals_fresh": partial_equals_fresh,
        "decided": decided,
        "asked": asked,
        "withdrawn": gone,
        "removed": removed,
    }


def _feed_url(site_url: str, rel: str) -> str:
    return site_url + rel


def _site_file(site: Path, site_url: str, url: str) -> Path:
    """The file of the built site that ``url`` (absolute, under ``site_url``) is served from."""
    assert url.startswith(site_url), url
    path = urlsplit(url).path[len(urlsplit(site_url).path) :]
    return site / (path + "index.html" if path.endswith("/") or not path else path)


@pytest.mark.parametrize("which", ["hosted", "plain"])
def test_every_feed_meets_the_atom_rules_and_links_to_real_pages(sites: dict[str, Any], which: str) -> None:
    site: Path = sites[which]
    # Without a site URL the links are relative: resolved against wherever the site is served.
    site_url = SITE if which == "hosted" else "https://mirror.example.net/some/folder/"
    feeds = _feeds(site)
    assert {f"{API}/feeds/all.atom", f"{API}/feeds/so/NESO.atom", f"{API}/feeds/product/NESO-QR.atom"} <= set(feeds)
    for rel, data in feeds.items():
        url = _feed_url(site_url, rel)
        assert atom_problems(data, url) == [], rel
        for link in atom_links(data, url):
            target = _site_file(site, site_url, link.partition("#")[0])
            assert target.is_file(), f"{rel} links to {link}, which the site lacks"
            fragment = link.partition("#")[2]
            if fragment:
                assert f'id="{fragment}"' in target.read_text(), f"{rel}: {link} has no such section"
        text = data.decode()
        if which == "hosted":
            assert 'href="' + SITE in text and 'href="../' not in text
        else:
            assert "https://" not in text.split("<entry>")[0].split("<generator>")[0]


def test_feed_and_entry_ids_are_tag_uris_of_the_site_that_never_change(sites: dict[str, Any]) -> None:
    hosted, plain = _feeds(sites["hosted"]), _feeds(sites["plain"])
    root = ET.fromstring(hosted[f"{API}/feeds/all.atom"])
    assert root.findtext(f"{_A}id") == f"tag:example.github.io,{TAG_DATE}:fmar/feed/all"
    assert ET.fromstring(plain[f"{API}/feeds/so/NESO.atom"]).findtext(f"{_A}id") == (
        f"tag:fmar.invalid,{TAG_DATE}:feed/so/NESO"
    )
    for feeds in (hosted, plain):
        for data in feeds.values():
            ids = [e.text or "" for e in ET.fromstring(data).iter(f"{_A}id")]
            assert all(is_tag_uri(i) for i in ids)
    # The same change has the same id in every feed that lists it, and in every later build.
    first = {
        e.findtext(f"{_A}id"): e.findtext(f"{_A}title")
        for data in sites["before"].values()
        for e in ET.fromstring(data).iter(f"{_A}entry")
    }
    now = {
        e.findtext(f"{_A}id"): e.findtext(f"{_A}title")
        for data in hosted.values()
        for e in ET.fromstring(data).iter(f"{_A}entry")
    }
    kept = set(first) & set(now)
    assert len(kept) > 100
    # Only the entries of the outcome removed since say less (its record, and what it said, is gone).
    changed = {i for i in kept if first[i] != now[i]}
    assert changed == {i for i in kept if f"/outcome/{sites['removed']}/" in i}
    # An entry keeps its id and place; it leaves a feed only when pushed out by newer ones, or
    # (a product's or SO's feed) when its record is removed: a removed record concerns no product.
    for rel, data in sites["before"].items():
        old = [e.findtext(f"{_A}id") for e in ET.fromstring(data).iter(f"{_A}entry")]
        new = [e.findtext(f"{_A}id") for e in ET.fromstring(hosted[rel]).iter(f"{_A}entry")]
        assert [i for i in new if i in old] == [i for i in old if i in new], rel  # in the same order
        dropped = [i for i in old if i not in new]  # the removed outcome's, or pushed out of a full feed
        assert len(new) == FEED_LIMIT or all(f"/outcome/{sites['removed']}/" in i for i in dropped), rel


def _entries(site: Path, feed: str = "all.atom") -> list[dict[str, str]]:
    root = ET.fromstring((site / API / "feeds" / feed).read_bytes())
    return [
        {
            "id": e.findtext(f"{_A}id") or "",
            "title": e.findtext(f"{_A}title") or "",
            "summary": e.findtext(f"{_A}summary") or "",
            "updated": e.findtext(f"{_A}updated") or "",
            "author": e.findtext(f"{_A}author/{_A}name") or "",
            "link": next(iter(e.iter(f"{_A}link"))).get("href", ""),
        }
        for e in root.iter(f"{_A}entry")
    ]


def test_entries_say_what_happened_in_words(sites: dict[str, Any]) -> None:
    entries = _entries(sites["hosted"])
    by_record = {e["id"].split("/")[-2]: e for e in entries}
    decided, asked, withdrawn = sites["decided"], sites["asked"], sites["withdrawn"]

    outcome = by_record[decided.id]
    until = decided.valid_until.astimezone(UTC)
    assert re.fullmatch(
        rf"{decided.signature.signer} qualified MU-[A-Z]+-\d+ for [A-Z]+-[A-Z]+ until {until:%Y-%m-%d}",
        outcome["title"],
    ), outcome["title"]
    assert f"outcome {decided.id} of application {decided.application}" in outcome["summary"]
    assert " kW up and " in outcome["summary"] and outcome["link"].endswith(f".html#{decided.application}")

    applied = by_record[asked.id]
    assert applied["title"] == "VOLTAFLEX applied to NESO for MU-VOLTAFLEX-000001 (NESO-QR)"
    assert applied["author"] == "VOLTAFLEX"
    assert applied["link"] == f"{SITE}units/MU-VOLTAFLEX-000001.html#{asked.id}"
    request = next(
        e for e in entries if e["title"].startswith("NESO asked for more information on MU-VOLTAFLEX-000001")
    )
    assert request["title"].endswith(f"for NESO-QR by {DAY + timedelta(days=15):%Y-%m-%d}")
    withdrawal = next(e for e in entries if "withdrew" in e["title"])
    assert withdrawal["title"] == "VOLTAFLEX withdrew MU-VOLTAFLEX-000002 from NESO-QR"
    assert withdrawn.id in withdrawal["summary"]

    renamed = next(e for e in entries if e["title"] == "FENLAND updated market unit MU-FENLAND-000003")
    assert "(Fenland heat pumps (renamed)): changed $.name" in renamed["summary"]
    gone = [e for e in entries if e["id"].endswith(f"/outcome/{sites['removed']}/removed")]
    assert len(gone) == 1 and gone[0]["title"].endswith(f"removed outcome {sites['removed']}")
    assert gone[0]["link"] == f"{SITE}{API}/changes.csv"
    for e in entries:
        assert not re.match(r"(added|modified|removed) ", e["title"]), e["title"]
        if ":transition/" in e["id"]:  # a change time made alone: no record, no commit
            assert e["author"] == "fmar registry" and "No record was added: time alone" in e["summary"]
            continue
        assert re.search(r"Recorded \d{4}-\d{2}-\d{2}.* in commit [0-9a-f]{12}; signed by ", e["summary"])
        assert len(e["title"]) < 100


def test_product_and_so_feeds_list_their_own_changes(sites: dict[str, Any]) -> None:
    site = sites["hosted"]
    for e in _entries(site, "product/NESO-QR.atom"):
        assert "NESO-QR" in e["title"] or "NESO-QR" in e["summary"]
    root = ET.fromstring((site / API / "feeds" / "so" / "NESO.atom").read_bytes())
    alternate = next(link for link in root.findall(f"{_A}link") if link.get("rel") == "alternate")
    assert alternate.get("href") == f"{SITE}parties/NESO.html"
    assert root.findtext(f"{_A}title") == "fmar registry: changes for system operator NESO"


def test_a_partial_build_with_a_site_url_publishes_what_a_fresh_one_does(sites: dict[str, Any]) -> None:
    first, second = sites["builds"]
    assert first.full and not second.full
    assert sites["partial_equals_fresh"]


def test_another_site_url_builds_everything(git_repo: GitRepo, tmp_path: Path) -> None:
    bundled.build(git_repo.path / "registry")
    git_repo.commit_all("bundled registry", when=DAY)
    site = tmp_path / "site"
    assert build(git_repo.path, git_repo.path / "registry", site, jobs=1, site_url=SITE).full
    assert not build(git_repo.path, git_repo.path / "registry", site, jobs=1, site_url=SITE).full
    other = "https://registry.example.org/"
    assert build(git_repo.path, git_repo.path / "registry", site, jobs=1, site_url=other).full
    assert (site / "robots.txt").read_text().endswith(f"Sitemap: {other}sitemap.xml\n")
    assert "tag:registry.example.org," in (site / API / "feeds" / "all.atom").read_text()
    assert build(git_repo.path, git_repo.path / "registry", site, jobs=1).full
    assert not (site / "robots.txt").exists() and not (site / "sitemap.xml").exists()
    assert not list(site.glob("sitemap*"))


def test_record_pages_are_rendered_again_for_another_site_url() -> None:
    shells = Shells({"units": Shell("<html><head></head><body>", "</body></html>")})
    assert Meta(shells, None, 5, SITE).record_frame() != Meta(shells, None, 5, None).record_frame()


def test_the_sitemap_lists_every_page_by_its_absolute_url(sites: dict[str, Any]) -> None:
    site: Path = sites["hosted"]
    index = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert index.tag == f"{SITEMAP}sitemapindex"
    listed: list[str] = []
    for entry in index:
        assert entry.tag == f"{SITEMAP}sitemap" and [c.tag for c in entry] == [f"{SITEMAP}loc"]
        loc = entry.findtext(f"{SITEMAP}loc") or ""
        assert loc.startswith(SITE) and "/" not in loc[len(SITE) :]
        assert loc.endswith(".xml.gz")
        data = gzip.decompress((site / loc[len(SITE) :]).read_bytes())
        assert len(data) <= 50 * 1024 * 1024
        urlset = ET.fromstring(data)
        assert urlset.tag == f"{SITEMAP}urlset" and len(urlset) <= sitemap.URLS_PER_SITEMAP
        for url in urlset:
            assert url.tag == f"{SITEMAP}url" and [c.tag for c in url] == [f"{SITEMAP}loc"]
            listed.append(url.findtext(f"{SITEMAP}loc") or "")
    assert len(listed) == len(set(listed))
    for url in listed:
        assert url.startswith(SITE) and len(url) < 2048 and _site_file(site, SITE, url).is_file(), url
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    assert {_site_file(site, SITE, url).relative_to(site).as_posix() for url in listed} == pages
    assert SITE in listed and f"{SITE}catalogue.html" in listed and f"{SITE}units/MU-FENLAND-000003.html" in listed
    assert (site / "robots.txt").read_text() == f"User-agent: *\nDisallow:\n\nSitemap: {SITE}sitemap.xml\n"
    assert not (site / "sitemap.xml.gz").exists()
    assert f'<link rel="canonical" href="{SITE}catalogue.html">' in (site / "catalogue.html").read_text()
    # fmar's own pages too, each with its own address (their frame is shared).
    for page in ("units/MU-FENLAND-000003.html", "units/index.html", "parties/NESO.html"):
        html = (site / page).read_text()
        assert html.count('rel="canonical"') == 1 and f'<link rel="canonical" href="{SITE}{page}">' in html


def test_without_a_site_url_there_is_no_sitemap_nor_robots_txt(sites: dict[str, Any]) -> None:
    site: Path = sites["plain"]
    assert not list(site.glob("sitemap*")) and not (site / "robots.txt").exists()
    assert 'rel="canonical"' not in (site / "catalogue.html").read_text()
    assert 'rel="canonical"' not in (site / "units/MU-FENLAND-000003.html").read_text()


def test_a_large_site_has_a_sitemap_index_of_sitemaps_within_the_limit(
    sites: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo: GitRepo = sites["repo"]
    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 7)
    site = tmp_path / "site"
    build(repo.path, repo.path / "registry", site, jobs=1, site_url=SITE)
    index = ET.fromstring((site / "sitemap.xml").read_bytes())
    names = [(e.findtext(f"{SITEMAP}loc") or "")[len(SITE) :] for e in index]
    pages = len(list(site.rglob("*.html"))) - 1
    assert names == [f"sitemap-{n}.xml.gz" for n in range(1, -(-pages // 7) + 1)]
    sizes = [len(ET.fromstring(gzip.decompress((site / name).read_bytes()))) for name in names]
    assert sum(sizes) == pages and max(sizes) == 7 and min(sizes) >= 1
    assert sorted(p.name for p in site.glob("sitemap*")) == sorted([*names, "sitemap.xml"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://example.github.io/fmar", "https://example.github.io/fmar/"),
        ("https://example.github.io/fmar/", "https://example.github.io/fmar/"),
        ("HTTPS://Example.GitHub.io/fmar//", "https://example.github.io/fmar/"),
        ("http://localhost:8000", "http://localhost:8000/"),
        ("https://registry.example.org", "https://registry.example.org/"),
    ],
)
def test_a_site_url_is_normalised_to_end_with_a_slash(given: str, expected: str) -> None:
    assert normalise(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "example.github.io/fmar",
        "/fmar/",
        "ftp://example.org/",
        "https://",
        "https://example.org/?q=1",
        "https://example.org/#top",
        "https://user:secret@example.org/",
        "https://exa mple.org/",
        "https://example.org/a b/",
        "https://under_score.example/",
        "https://example.org:99999/",
        "javascript:alert(1)",
    ],
)
def test_a_site_url_that_is_not_an_http_url_is_refused(given: str) -> None:
    with pytest.raises(ValueError):
        normalise(given)


def test_fmar_build_refuses_a_bad_site_url_as_a_usage_error(git_repo: GitRepo, tmp_path: Path) -> None:
    bundled.build(git_repo.path / "registry")
    git_repo.commit_all("bundled registry", when=DAY)
    runner = CliRunner()
    args = ["build", "--registry", str(git_repo.path / "registry"), "--out", str(tmp_path / "site")]
    refused = runner.invoke(cli, [*args, "--site-url", "ftp://example.org/"])
    assert refused.exit_code == 2 and "--site-url" in refused.output and "http" in refused.output
    assert not (tmp_path / "site").exists()
    done = runner.invoke(cli, [*args, "--site-url", "https://Example.org/registry"])
    assert done.exit_code == 0, done.output
    robots = (tmp_path / "site" / "robots.txt").read_text()
    assert robots.endswith("Sitemap: https://example.org/registry/sitemap.xml\n")


def test_tag_uris_follow_rfc_4151() -> None:
    assert tag_uri(SITE, "feed", "all") == f"tag:example.github.io,{TAG_DATE}:fmar/feed/all"
    assert tag_uri("https://example.org:8443/", "feed", "so", "NESO") == f"tag:example.org,{TAG_DATE}:feed/so/NESO"
    assert (
        tag_uri(None, "change", "signed", "party", "A B#?")
        == f"tag:fmar.invalid,{TAG_DATE}:change/signed/party/A%20B%23%3F"
    )
    for good in ("tag:example.com,2026:x", "tag:a@example.com,2026-12-01:x/y?z", "tag:example.com,2026-02-28:"):
        assert is_tag_uri(good), good
    for bad in (
        "tag:example.com:x",
        "tag:example.com,26:x",
        "tag:-example.com,2026:x",
        "tag:example.com,2026-02-30:x",
        "tag:example.com,2026:x y",
        "urn:fmar:feed:all",
    ):
        assert not is_tag_uri(bad), bad


def test_the_feed_rules_catch_what_a_validator_would() -> None:
    url = "https://example.org/feed.atom"

    def feed(head: str, entry: str) -> bytes:
        return (
            f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ATOM}">{head}'
            f"<entry>{entry}</entry><entry>{entry}</entry></feed>"
        ).encode()

    head = (
        f"<id>tag:example.org,2026:f</id><title>t</title><updated>2026-12-01T00:00:00Z</updated>"
        f'<link rel="self" href="{url}"/><author><name>a</name></author>'
    )
    entry = "<id>tag:example.org,2026:e</id><title>t</title><updated>2026-11-01T00:00:00Z</updated>"
    found = atom_problems(feed(head, entry + '<link href="x.html"/><summary>s</summary>'), url)
    assert found == ["entry 2: id tag:example.org,2026:e is another entry's (DuplicateEntries)"]
    cases = {
        "not an absolute IRI": feed(head.replace("tag:example.org,2026:f", "feed-1"), ""),
        "MissingSelf": feed(head.replace('rel="self"', 'rel="related"'), ""),
        "SelfDoesntMatchLocation": feed(head.replace(url, "other.atom"), ""),
        "not an RFC 3339": feed(head.replace("2026-12-01T00:00:00Z", "2026-12-01 00:00"), ""),
        "later than the feed's": feed(head, entry.replace("2026-11-01", "2027-01-01") + "<summary>s</summary>"),
        "MissingContentOrAlternate": feed(head, entry + "<summary>s</summary>"),
        "no summary": feed(head, entry + '<link href="x.html"/>'),
        "no title": feed(head.replace("<title>t</title>", ""), ""),
        "no author, and the feed has none": feed(head.replace("<author><name>a</name></author>", ""), entry),
        "not a tag: URI": feed(head.replace("tag:example.org,2026:f", "tag:example.org:f"), ""),
        "undefined element": feed(head + "<published>2026-12-01T00:00:00Z</published>", ""),
    }
    for expected, data in cases.items():
        assert any(expected in problem for problem in atom_problems(data, url)), expected
