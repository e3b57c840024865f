"""The sitemap of every page of the site (sitemaps.org protocol 0.9) and ``robots.txt``, written
only when the build knows its site URL: a sitemap lists absolute URLs.

``sitemap.xml`` is a sitemap index; it lists ``sitemap-1.xml.gz``, ``sitemap-2.xml.gz``... of at
most ``URLS_PER_SITEMAP`` pages each (the protocol's limit is 50,000 URLs and 50 MB a file,
uncompressed: a national registry has more than 100,000 unit pages), gzip-compressed as the
protocol allows (8 MB of a GitHub Pages site's 1 GB at 100,000 units would otherwise be sitemaps;
compressed with no time stamp, so the bytes depend on the pages alone). They sit at the site's
root, since a sitemap may list only URLs under its own folder. Pages are listed by the URL they
are served at (``catalogue/`` for ``catalogue/index.html``), sorted; ``404.html`` is not a page to
list. No ``lastmod``: the build does not know when each page last changed in substance.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from xml.sax.saxutils import escape

from fmar.publish.output import Staging
from fmar.publish.site_url import absolute

#: The most URLs in one sitemap file (the protocol's limit).
URLS_PER_SITEMAP = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
INDEX = "sitemap.xml"
_NOT_PAGES = frozenset({"404.html"})


def page_paths(files: Iterable[str]) -> list[str]:
    """The site paths of the pages among ``files`` (site files, e.g. a build's manifest), sorted:
    ``x/index.html`` is served as ``x/``."""
    out = []
    for rel in files:
        if not rel.endswith(".html") or rel in _NOT_PAGES:
            continue
        if rel == "index.html" or rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        out.append(rel)
    return sorted(out)


def sitemap_files(site_url: str, paths: list[str], per_file: int = URLS_PER_SITEMAP) -> dict[str, bytes]:
    """``sitemap.xml`` (the index) and the sitemaps it lists, ``per_file`` URLs each, of the pages at ``paths``."""
    chunks = [paths[i : i + per_file] for i in range(0, len(paths), per_file)] or [[]]
    files = {}
    for number, chunk in enumerate(chunks, 1):
        urls = "".join(f"<url><loc>{escape(absolute(site_url, path))}</loc></url>\n" for path in chunk)
        files[f"sitemap-{number}.xml.gz"] = gzip.compress(_xml("urlset", urls), compresslevel=9, mtime=0)
    listed = "".join(f"<sitemap><loc>{escape(absolute(site_url, name))}</loc></sitemap>\n" for name in files)
    files[INDEX] = _xml("sitemapindex", listed)
    return files


def _xml(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NAMESPACE}">\n{body}</{root}>\n'.encode()


def robots_txt(site_url: str) -> bytes:
    """Every page may be crawled; the sitemap is named. (Crawlers read ``robots.txt`` only at a
    host's root: for a site in a folder, such as a GitHub Pages project site, it is informative.)"""
    return f"User-agent: *\nDisallow:\n\nSitemap: {absolute(site_url, INDEX)}\n".encode()


def write_sitemap(staging: Staging, site_url: str) -> None:
    """The sitemap of every page ``staging`` holds so far, ``URLS_PER_SITEMAP`` a file, and ``robots.txt``."""
    for rel, data in sitemap_files(site_url, page_paths(staging.manifest), URLS_PER_SITEMAP).items():
        staging.put(rel, data)
    staging.put("robots.txt", robots_txt(site_url))


__all__ = ["INDEX", "URLS_PER_SITEMAP", "page_paths", "robots_txt", "sitemap_files", "write_sitemap"]
