"""The rules the W3C Feed Validator applies to an Atom 1.0 feed (RFC 4287), as a test can check
them offline: no maintained validator is installable (the W3C's is Python 2 and not on PyPI).

``atom_problems`` returns what the validator would report as an error, and the warnings a
registry's feed must not earn either (a missing or mismatched self link, duplicate entry ids,
non-canonical ids, a missing summary). Identifiers are checked against the grammars of RFC 4151
(``tag:``) and RFC 3986; dates against RFC 3339 as Atom restricts it (upper-case ``T`` and ``Z``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

ATOM = "http://www.w3.org/2005/Atom"
_A = f"{{{ATOM}}}"

# RFC 3339 date-time, with RFC 4287 §3.3's upper-case "T" and "Z".
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")

# RFC 3986: the characters of a URI (unreserved, reserved, percent-encodings).
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")

# RFC 4151 §2.1.
_DNSCOMP = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DNSNAME = rf"{_DNSCOMP}(?:\.{_DNSCOMP})*"
_EMAIL = rf"[A-Za-z0-9\-._]+@{_DNSNAME}"
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
TAG_URI = re.compile(
    rf"tag:(?P<authority>{_DNSNAME}|{_EMAIL}),(?P<date>\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?)"
    rf":(?:{_PCHAR}|[/?])*(?:#(?:{_PCHAR}|[/?])*)?"
)

#: Children RFC 4287 allows, and those it allows at most once.
_FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo", "rights"}
_FEED_CHILDREN |= {"subtitle", "title", "updated", "entry"}
_FEED_ONCE = {"generator", "icon", "id", "logo", "rights", "subtitle", "title", "updated"}
_ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link", "published", "rights"}
_ENTRY_CHILDREN |= {"source", "summary", "title", "updated"}
_ENTRY_ONCE = {"content", "id", "published", "rights", "source", "summary", "title", "updated"}
_MIME = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")


def is_tag_uri(value: str) -> bool:
    """``value`` follows RFC 4151's grammar, with a real date."""
    found = TAG_URI.fullmatch(value)
    if not found:
        return False
    parts = [int(p) for p in found["date"].split("-")] + [1, 1]
    try:
        date(*parts[:3])
    except ValueError:
        return False
    return True


def is_absolute_uri(value: str) -> bool:
    """An absolute URI (RFC 3986 §4.3): a scheme, and only the characters a URI may hold."""
    scheme, colon, _ = value.partition(":")
    return bool(colon and _SCHEME.fullmatch(scheme) and _URI_CHARS.fullmatch(value))


def _id_problems(value: str, where: str) -> list[str]:
    if value != value.strip() or not value:
        return [f"{where}: id {value!r} is blank or has white space around it"]
    if value.startswith("tag:"):
        return [] if is_tag_uri(value) else [f"{where}: id {value!r} is not a tag: URI (RFC 4151)"]
    if not is_absolute_uri(value):
        return [f"{where}: id {value!r} is not an absolute IRI"]
    parts = urlsplit(value)
    if parts.scheme != parts.scheme.lower() or (parts.netloc and parts.netloc != parts.netloc.lower()):
        return [f"{where}: id {value!r} is not in canonical form (NonCanonicalURI)"]
    return []


def _date_problems(element: ET.Element | None, where: str) -> list[str]:
    if element is None:
        return [f"{where}: no updated"]
    text = element.text or ""
    if not RFC3339.fullmatch(text):
        return [f"{where}: updated {text!r} is not an RFC 3339 date-time"]
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return [f"{where}: updated {text!r} is not a real time"]
    return []


def _children(element: ET.Element, allowed: set[str], once: set[str], where: str) -> list[str]:
    problems, seen = [], {}
    for child in element:
        if not child.tag.startswith(_A):
            continue  # foreign markup is allowed (RFC 4287 §6)
        name = child.tag[len(_A) :]
        if name not in allowed:
            problems.append(f"{where}: undefined element {name}")
        seen[name] = seen.get(name, 0) + 1
    problems += [f"{where}: {name} appears {n} times" for name, n in seen.items() if name in once and n > 1]
    return problems


def _text_problems(element: ET.Element | None, name: str, where: str) -> list[str]:
    if element is None:
        return [f"{where}: no {name}"]
    kind = element.get("type", "text")
    if kind not in ("text", "html", "xhtml"):
        return [f"{where}: {name} has type {kind!r}"]
    if kind == "text" and len(element):
        return [f"{where}: {name} of type text holds markup"]
    if not (element.text or "").strip():
        return [f"{where}: {name} is blank"]
    return []


def _link_problems(parent: ET.Element, where: str) -> list[str]:
    problems, pairs = [], set()
    for link in parent.findall(f"{_A}link"):
        href, rel = link.get("href"), link.get("rel", "alternate")
        if not href:
            problems.append(f"{where}: a link has no href")
            continue
        if not _URI_CHARS.fullmatch(href):
            problems.append(f"{where}: link href {href!r} is not an IRI reference")
        kind = link.get("type")
        if kind is not None and not _MIME.fullmatch(kind):
            problems.append(f"{where}: link type {kind!r} is not a media type")
        if rel == "alternate":
            pair = (kind, link.get("hreflang"))
            if pair in pairs:
                problems.append(f"{where}: two alternate links of type {kind}")
            pairs.add(pair)
        if (link.text or "").strip() or len(link):
            problems.append(f"{where}: a link is not empty")
    return problems


def atom_problems(data: bytes, feed_url: str) -> list[str]:
    """What is wrong with ``data`` as an Atom 1.0 feed fetched from ``feed_url`` (empty: nothing)."""
    try:
        data.decode("utf-8")
        root = ET.fromstring(data)
    except (UnicodeDecodeError, ET.ParseError) as exc:
        return [f"not well-formed UTF-8 XML: {exc}"]
    if root.tag != f"{_A}feed":
        return [f"the root element is {root.tag}, not Atom's feed"]
    problems = _children(root, _FEED_CHILDREN, _FEED_ONCE, "feed")
    feed_id = root.find(f"{_A}id")
    problems += ["feed: no id"] if feed_id is None else _id_problems(feed_id.text or "", "feed")
    problems += _text_problems(root.find(f"{_A}title"), "title", "feed")
    problems += _date_problems(root.find(f"{_A}updated"), "feed")
    problems += _link_problems(root, "feed")
    selves = [link.get("href", "") for link in root.findall(f"{_A}link") if link.get("rel") == "self"]
    if not selves:
        problems.append("feed: no link rel=self (MissingSelf)")
    elif urljoin(feed_url, selves[0]) != feed_url:
        problems.append(f"feed: self link {selves[0]!r} is not the feed's own URL {feed_url} (SelfDoesntMatchLocation)")
    feed_author = root.find(f"{_A}author")
    for author in root.findall(f"{_A}author"):
        if not (author.findtext(f"{_A}name") or "").strip():
            problems.append("feed: an author has no name")
    entries = root.findall(f"{_A}entry")
    children = [c.tag for c in root]
    if entries and any(tag != f"{_A}entry" for tag in children[children.index(f"{_A}entry") :]):
        problems.append("feed: metadata after the first entry (MisplacedMetadata)")
    if feed_author is None and not entries:
        problems.append("feed: no author")
    ids: set[str] = set()
    updated = root.findtext(f"{_A}updated") or ""
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        problems += _children(entry, _ENTRY_CHILDREN, _ENTRY_ONCE, where)
        entry_id = entry.findtext(f"{_A}id")
        if entry_id is None:
            problems.append(f"{where}: no id")
        else:
            problems += _id_problems(entry_id, where)
            if entry_id in ids:
                problems.append(f"{where}: id {entry_id} is another entry's (DuplicateEntries)")
            ids.add(entry_id)
        problems += _text_problems(entry.find(f"{_A}title"), "title", where)
        problems += _date_problems(entry.find(f"{_A}updated"), where)
        problems += _link_problems(entry, where)
        if entry.find(f"{_A}author") is None and feed_author is None:
            problems.append(f"{where}: no author, and the feed has none")
        for author in entry.findall(f"{_A}author"):
            if not (author.findtext(f"{_A}name") or "").strip():
                problems.append(f"{where}: an author has no name")
        alternates = [link for link in entry.findall(f"{_A}link") if link.get("rel", "alternate") == "alternate"]
        if entry.find(f"{_A}content") is None:
            if not alternates:
                problems.append(f"{where}: neither content nor an alternate link (MissingContentOrAlternate)")
            problems += _text_problems(entry.find(f"{_A}summary"), "summary", where)
        entry_updated = entry.findtext(f"{_A}updated") or ""
        comparable = RFC3339.fullmatch(entry_updated) and RFC3339.fullmatch(updated)
        if comparable and datetime.fromisoformat(entry_updated) > datetime.fromisoformat(updated):
            problems.append(f"{where}: updated {entry_updated} is later than the feed's {updated}")
    return problems


def atom_links(data: bytes, feed_url: str) -> list[str]:
    """Every link of the feed and its entries, resolved against ``feed_url``."""
    root = ET.fromstring(data)
    return [urljoin(feed_url, link.get("href", "")) for link in root.iter(f"{_A}link")]
