"""The site URL a build is told (``fmar build --site-url``): where the site is served, e.g.
``https://example.github.io/fmar/``. Standards that need absolute URLs (Atom feed links, sitemaps,
``robots.txt``, canonical links) make them from it; every link inside the site stays relative.

Pure: no I/O. The lowest layer of ``fmar.publish`` beside ``urls``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

#: A host name of DNS labels (letters, digits, inner hyphens), or an IPv4 address.
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
#: What a URL path may hold as it is (RFC 3986 pchar and "/", with percent-encodings).
_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")

#: The date of the ``tag:`` URIs (RFC 4151) of the feeds and their entries: fixed, so an id never
#: changes from build to build. The month fmar first minted them under the site URL's host.
TAG_DATE = "2026-12-01"
#: The tagging authority of a build without a site URL: a name under ``.invalid`` (RFC 2606),
#: which nobody owns and which says so; publish with ``--site-url`` for ids under your own host.
DEFAULT_TAG_AUTHORITY = "fmar.invalid"


def normalise(url: str) -> str:
    """``url`` as a site URL: absolute http(s), a host, no credentials, query or fragment, lower-case
    scheme and host, its path ending with ``/``. Raises ValueError saying what is wrong."""
    if not url or url != url.strip() or any(c.isspace() for c in url):
        raise ValueError(f"{url!r} is not a URL (it is empty or holds spaces)")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{url!r} is not an absolute http:// or https:// URL")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(f"{url!r} has a query or a fragment; give the address of the site's root folder")
    if "@" in parts.netloc:
        raise ValueError(f"{url!r} holds credentials")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    if not _HOST.fullmatch(host):
        raise ValueError(f"{url!r} has no host name fmar can use (DNS names and IPv4 addresses only)")
    if not _PATH.fullmatch(parts.path):
        raise ValueError(f"{url!r} has characters a URL path cannot hold unencoded")
    path = parts.path.rstrip("/") + "/"
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"


def normalise_bulk_url(url: str) -> str:
    """The URL of the folder the bulk files are published in (``fmar build --bulk-url``), ending with
    ``/``; ``{tag}`` in it (the build's release tag) is kept for the build to fill in. A ValueError
    unless it is an http(s) URL with a host name (as ``normalise`` checks a site URL)."""
    probe = url.replace("{tag}", "data-tag")
    normalise(probe)
    return url if url.endswith("/") else url + "/"


def absolute(site_url: str, url: str) -> str:
    """The absolute URL of ``url``, a site path (``units/MU-1.html``, with or without a leading
    ``/``: ``urls`` gives either), under ``site_url`` (a ``normalise``d site URL); an absolute URL as it is."""
    return url if "://" in url else site_url + url.lstrip("/")


def tag_authority(site_url: str | None) -> str:
    """The tagging authority of ``tag:`` URIs: the site URL's host (no port), else ``DEFAULT_TAG_AUTHORITY``."""
    if site_url is None:
        return DEFAULT_TAG_AUTHORITY
    return urlsplit(site_url).hostname or DEFAULT_TAG_AUTHORITY


def tag_uri(site_url: str | None, *specific: str) -> str:
    """A ``tag:`` URI (RFC 4151) minted for the site: ``tag:<host>,<TAG_DATE>:<site path>/<specific...>``.

    The site's path (``fmar`` of ``https://example.github.io/fmar/``) starts the specific part,
    so two sites on one host (GitHub Pages project sites) mint different ids. Each of
    ``specific`` is percent-encoded where RFC 4151 needs it and joined with ``/``.
    """
    prefix = urlsplit(site_url).path.strip("/") if site_url else ""
    parts = [prefix] if prefix else []
    parts.extend(quote(part, safe="-._~!$&'()*+,;=:@") for part in specific)
    return f"tag:{tag_authority(site_url)},{TAG_DATE}:{'/'.join(parts)}"


__all__ = [
    "DEFAULT_TAG_AUTHORITY",
    "TAG_DATE",
    "absolute",
    "normalise",
    "normalise_bulk_url",
    "tag_authority",
    "tag_uri",
]
