"""The documentation pages, built by mkdocs-material: hand-written pages under site/ plus pages
generated from the code (rule codes, schemas, export reference) and from the registry (home
counts, process catalogue), so none of them can drift.

Data from records goes into the generated pages only as escaped HTML blocks rendered by
jinja2 with autoescaping, never as Markdown.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from html import unescape
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from fmar.core import gb_time
from fmar.core.catalogue import RULES
from fmar.core.model import KINDS
from fmar.core.model.process import PHASES, Process
from fmar.core.practices import comparisons
from fmar.core.schemas import file_name, record_schema
from fmar.publish import charts, journey
from fmar.publish.documents import EXPORT_MODELS, schema_file
from fmar.publish.feeds import Said
from fmar.publish.formats import templates
from fmar.publish.output import Staging
from fmar.publish.overview import Overview
from fmar.publish.shell import (
    CONTENT,
    DESCRIPTION,
    TITLE,
    Shell,
    Shells,
    frame_parts,
    frame_script,
    slimmed,
    with_search,
)
from fmar.publish.urls import API_ROOT, BULK_FILES, PAGE_FOLDER, SEARCH_FOLDER, docs_url, download_url, page_url

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
#: The hand-written site: mkdocs.yml and docs/ (a checkout has it beside src/).
SITE_SOURCE = PACKAGE_ROOT / "site"


def _html_block(template: str, **context: Any) -> str:
    """An escaped HTML block for a Markdown page: one block, no blank line, so Markdown leaves it alone."""
    html = templates().get_template(template).render(**context)
    lines = [line for line in html.splitlines() if line.strip()]
    return '<div markdown="0">\n' + "\n".join(lines) + "\n</div>\n"


#: The pages made from the code and the registry (``generated_pages``).
GENERATED = (
    "index.md",
    "journey.md",
    "catalogue.md",
    "practices.md",
    "rules.md",
    "schema-reference.md",
    "api-reference.md",
    "reports.md",
)


def generated_pages(overview: Overview, processes: dict[str, Process], bulk: str | None = None) -> dict[str, str]:
    """The pages made from the code and the registry (Markdown). ``bulk``: the URL of the folder the
    bulk files are published in, when not on the site (the home and API pages link them there)."""
    downloads = {name: download_url(name, bulk) for name in BULK_FILES}
    said = Said(overview, bulk)
    recent = []
    for row in islice(overview.ledger.newest(), 15):
        title, summary, url = said.told(row)
        recent.append({"at": gb_time.shown_time(row.recorded_at), "title": title, "summary": summary, "url": url})
    counts = overview.counts
    pages = {
        "index.md": "# fmar registry\n\n"
        + _html_block(
            "docs_home.html",
            counts=counts,
            recent=recent,
            as_of=gb_time.shown_time(overview.as_of),
            commit=overview.head,
            downloads=downloads,
            api=API_ROOT,
        ),
    }
    served = {m.BUILDING_BLOCK for m in KINDS.values()}
    phases = []
    in_order: list[str] = []
    for phase, title, letter, _ in PHASES:
        blocks = sorted((p for p in processes.values() if p.phase == phase), key=lambda p: p.order)
        phases.append({"title": title, "letter": letter, "blocks": blocks})
        in_order.extend(b.id for b in blocks)
    used: dict[str, list[tuple[str, str]]] = {}
    for block in sorted(processes.values(), key=lambda p: p.id):
        for way in ("inputs", "outputs"):
            for object_id in getattr(block, way):
                used.setdefault(object_id, []).append((block.id, way.removesuffix("s")))
    objects = sorted(overview.data_objects.values(), key=lambda d: d.id)
    names = {d.id: d.name for d in objects}
    practised: dict[str, list[str]] = {}
    for practice in sorted(overview.practices.values(), key=lambda p: p.so):
        practised.setdefault(practice.block, []).append(practice.so)
    pages["catalogue.md"] = "# The FSP journey: process catalogue\n\n" + _html_block(
        "docs_catalogue.html",
        phases=phases,
        served=served,
        data_objects=objects,
        names=names,
        used=used,
        toolkit=overview.toolkit,
        practised=practised,
        practices=docs_url("practices"),
    )
    pages["practices.md"] = "# SO practices side by side\n\n" + _html_block(
        "docs_practices.html",
        comparisons=comparisons(overview.practices, in_order, names),
        titles={code: block.name for code, block in processes.items()},
        catalogue=docs_url("catalogue"),
        party_pages={so: page_url("party", so) for so in overview.parties},
        signed={p.id: gb_time.shown_time(p.signature.signed_at) for p in overview.practices.values()},
    )
    pages["rules.md"] = "# Rule codes\n\n" + _html_block(
        "docs_rules.html", rules=sorted(RULES.values(), key=lambda r: r.code)
    )
    kinds = []
    for kind in KINDS:
        schema = record_schema(kind)
        required = set(schema.get("required", []))
        fields = [
            {
                "name": name,
                "required": name in required,
                "description": spec.get("description", ""),
                "type": _type(spec),
            }
            for name, spec in schema.get("properties", {}).items()
        ]
        kinds.append(
            {"kind": kind, "file": file_name(kind), "description": schema.get("description", ""), "fields": fields}
        )
    pages["schema-reference.md"] = "# Schema reference\n\n" + _html_block("docs_schemas.html", kinds=kinds)
    exports = [
        {"name": name, "schema": schema_file(name), "doc": (model.__doc__ or "").strip()}
        for name, model in EXPORT_MODELS.items()
    ]
    pages["api-reference.md"] = "# API: the exports\n\n" + _html_block(
        "docs_api.html", exports=exports, root=API_ROOT, downloads=downloads, bulk=bulk
    )
    counts = {
        **overview.counts,
        "data_objects": len(overview.data_objects),
        "import_attestations": len(overview.import_attestations),
    }
    rows = journey.served_rows(processes, counts)
    pages["journey.md"] = "# The FSP journey\n\n" + _html_block(
        "docs_journey.html",
        diagram=journey.journey_svg(processes, journey.served_lines(rows)),
        rows=rows,
        as_of=gb_time.shown_time(overview.as_of),
    )
    pages["reports.md"] = "# Period reports\n\n" + _html_block("docs_reports.html", **_reports(overview))
    return pages


def _reports(overview: Overview) -> dict[str, Any]:
    """The reports page's context: each quarter (newest first) with its rows and charts, and each
    month's totals (newest first)."""
    quarters, months = [], []
    for span, rows in reversed(overview.reports.items()):
        complete = span.end <= overview.as_of
        if "Q" in span.name:
            labels = [f"{r.so} · {r.product}" for r in rows]
            volume = charts.bars(
                f"Applications, {span.name}" + ("" if complete else " (to date)"),
                labels,
                [
                    ("received", [float(r.received) for r in rows]),
                    ("decided", [float(r.decided) for r in rows]),
                    ("open at end", [float(r.open_at_end) for r in rows]),
                    ("overdue at end", [float(r.overdue_at_end) for r in rows]),
                ],
                "applications",
            )
            days = charts.bars(
                f"Days from submission to decision, {span.name}",
                labels,
                [
                    ("median", [r.median_days_to_decision for r in rows]),
                    ("90th percentile", [r.p90_days_to_decision for r in rows]),
                ],
                "days",
            )
            quarters.append({"name": span.name, "complete": complete, "rows": rows, "volume": volume, "days": days})
        else:
            months.append(
                {
                    "name": span.name,
                    "complete": complete,
                    "received": sum(r.received for r in rows),
                    "decided": sum(r.decided for r in rows),
                    "open": sum(r.open_at_end for r in rows),
                    "overdue": sum(r.overdue_at_end for r in rows),
                }
            )
    return {"quarters": quarters, "months": months, "api": API_ROOT, "as_of": gb_time.shown_time(overview.as_of)}


def _type(spec: dict[str, Any]) -> str:
    if "type" in spec:
        return str(spec["type"])
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    options = spec.get("anyOf") or spec.get("oneOf") or []
    return " or ".join(_type(o) for o in options) or "any"


#: The page mkdocs renders, in each folder of fmar's own pages, to give them its frame. Not published.
SHELL_NAME = "fmar-shell"


#: What mkdocs writes that the build does not take: its sitemap lists only its own pages (and is
#: empty without a ``site_url``); ``publish.sitemap`` writes one of every page instead.
_NOT_TAKEN = frozenset({"sitemap.xml", "sitemap.xml.gz"})


def _source(root: Path) -> Path:
    return root / "site" if (root / "site" / "mkdocs.yml").is_file() else SITE_SOURCE


def _run_mkdocs(
    source: Path,
    generated: dict[str, str],
    tmp: Path,
    epoch: int,
    site_url: str | None = None,
    theme: Path | None = None,
) -> Path:
    """Build the hand-written pages of ``source`` with ``generated`` (name -> Markdown) and the
    project's guides into ``tmp/out``; returns that folder. ``site_url``: mkdocs' own (its pages'
    canonical links), when the build has one; ``theme``: templates added to the theme's (over the
    site's own ``custom_dir``, if it has one)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp / "docs"
    if (source / "docs").is_dir():  # hand-written pages beside mkdocs.yml, if any
        shutil.copytree(source / "docs", docs)
    docs.mkdir(exist_ok=True)
    config = yaml.safe_load((source / "mkdocs.yml").read_text(encoding="utf-8"))
    for name, text in generated.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    # The guides are the project's documents, listed on one page: the navigation, which every page of
    # the site repeats (100,000 unit pages at national scale), holds that page alone.
    listed = []
    project_docs = source.parent / "docs"  # the project's documents, beside its site/ folder
    if project_docs.is_dir():
        for path in sorted(project_docs.glob("*.md"), key=lambda path: (path.name not in _FIRST_GUIDES, path.name)):
            target = docs / "guides" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            listed.append(f"- [{_guide_title(path)}]({path.name}): {_first_sentence(path)}")
    (docs / "guides").mkdir(exist_ok=True)
    (docs / "guides" / "index.md").write_text("# Guides\n\n" + "\n".join(listed) + "\n", encoding="utf-8")
    config_file = tmp / "mkdocs.yml"
    if theme is not None:
        overrides = tmp / "overrides"
        theme_config = config.get("theme") or {}
        theme_config = {"name": theme_config} if isinstance(theme_config, str) else dict(theme_config)
        if theme_config.get("custom_dir"):
            shutil.copytree(source / theme_config["custom_dir"], overrides)
        shutil.copytree(theme, overrides, dirs_exist_ok=True)
        config["theme"] = {**theme_config, "custom_dir": str(overrides)}
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(tmp / "out")
    if site_url:
        config["site_url"] = site_url
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        build(load_config(str(config_file)))
    finally:
        if previous_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous_epoch
    return tmp / "out"


#: The guides a reader looks for first, by the name the navigation gives them.
_FIRST_GUIDES = {"fsp-guide.md": "For FSPs", "so-guide.md": "For system operators"}


def _first_sentence(path: Path) -> str:
    """The first sentence of a document's first paragraph (after its heading), for the guides' list."""
    paragraph = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    text = " ".join(paragraph)
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def _guide_title(path: Path) -> str:
    """A project document's title in the navigation: its first heading, else its name."""
    if path.name in _FIRST_GUIDES:
        return _FIRST_GUIDES[path.name]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ").capitalize()


def build_shells(root: Path) -> Shells:
    """The frame of fmar's own pages in each folder they live in (``urls.PAGE_FOLDER``), from
    mkdocs-material with the site's navigation: mkdocs writes a page's links relative to that page,
    so each folder has its own (the generated pages stand in empty: only their places in the
    navigation matter). With them, the slim frame of record pages and the frame script that
    completes it (``shell.frame_script``), from the theme's templates in ``theme/``, rendered one
    folder deep where no page of the site lives: their links hold from any record page's folder."""
    shell = f"---\ntitle: {TITLE}\ndescription: {DESCRIPTION}\n---\n\n{CONTENT}\n"
    generated = dict.fromkeys(GENERATED, "# -\n")
    folders = sorted({*PAGE_FOLDER.values(), SEARCH_FOLDER})
    with tempfile.TemporaryDirectory(prefix="fmar-shell-") as tmp:
        placed = {f"{folder}/{SHELL_NAME}.md": shell for folder in folders}
        for template in _FRAME_TEMPLATES:
            placed[f"{_FRAME_FOLDER}/{template}.md"] = shell.replace("---\n", f"---\ntemplate: {template}.html\n", 1)
        out = _run_mkdocs(_source(root), {**generated, **placed}, Path(tmp), 0, theme=THEME)
        shells = {folder: _shell(out / folder / f"{SHELL_NAME}.html") for folder in folders}
        record, first, before, dialog = slimmed(_shell(out / _FRAME_FOLDER / "fmar-record.html", compact=True))
        parts = frame_parts(with_search((out / _FRAME_FOLDER / "fmar-frame.html").read_text(encoding="utf-8"), "../"))
        script = frame_script({name: _minified_part(part) for name, part in parts.items()}, first, before, dialog)
    return Shells(shells, record, script)


#: fmar's templates for mkdocs-material (a ``custom_dir``): the slim frame of record pages and the
#: theme's page with the parts the frame script puts around them marked (``shell``).
THEME = Path(__file__).parent / "theme"
_FRAME_TEMPLATES = ("fmar-record", "fmar-frame")
#: Where the frames of record pages are rendered: one folder deep, holding no page of the site.
_FRAME_FOLDER = "fmar-frame"


def _shell(path: Path, *, compact: bool = False) -> Shell:
    """The frame in the page mkdocs rendered at ``path``: minified, with the site's search box
    (``compact``: in its short form), cut at the content marker."""
    html = with_search(_minified(path.read_text(encoding="utf-8")), "../", compact=compact)
    head, found, tail = html.partition(CONTENT)
    if not found:
        raise RuntimeError(f"mkdocs did not render the shell page's content marker {CONTENT} in {path.name}")
    return Shell(head, tail)


def _minified_part(html: str) -> str:
    """A part of a page (``shell.frame_parts``), minified as whole pages are."""
    import minify_html

    return str(minify_html.minify(html, minify_js=False, minify_css=False, keep_closing_tags=True))


def _minified(html: str) -> str:
    """``html`` (a whole page) without the whitespace the theme's templates leave between tags and
    without the tags HTML lets a page leave out: every page of the site repeats the frame. Scripts
    and styles are left as they are."""
    import minify_html

    return str(
        minify_html.minify(
            html,
            minify_js=False,
            minify_css=False,
            keep_closing_tags=True,  # the frame is cut in two: each half must stand
            keep_html_and_head_opening_tags=True,
            keep_comments=False,
            allow_removing_spaces_between_attributes=False,
        )
    )


def build_mkdocs(
    overview: Overview, staging: Staging, root: Path, site_url: str | None = None, bulk: str | None = None
) -> list[list[str]]:
    """Run mkdocs on the hand-written and generated pages; copy its files into ``staging``, each page
    with the site's search box in its header (``shell.with_search``). ``site_url``: where the site
    is served, for mkdocs' canonical links; ``bulk``: where the bulk files are published, when not on
    the site. Returns the pages as the site's search finds them (``search_page``)."""
    found = []
    with tempfile.TemporaryDirectory(prefix="fmar-docs-") as tmp:
        pages = generated_pages(overview, overview.processes, bulk)
        out = _run_mkdocs(_source(root), pages, Path(tmp), int(overview.as_of.timestamp()), site_url)
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out).as_posix()
            if not path.is_file() or rel in _NOT_TAKEN:
                continue
            data = path.read_bytes()
            if rel.endswith(".html"):
                html = with_search(data.decode(), "../" * rel.count("/"))
                data = html.encode()
                if rel != "404.html":
                    found.append(search_page(rel, html))
            staging.put(rel, data)
    return found


_TITLE_TAG = re.compile(r"<title>(.*?)</title>", re.S)
_HEADING = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S)
_TAG = re.compile(r"<[^>]+>")


def search_page(rel: str, html: str) -> list[str]:
    """A documentation page as the site's search finds it: ``[kind, id, title, words, site path]``,
    its words those of its headings."""
    titled = _TITLE_TAG.search(html)
    title = unescape(titled.group(1)).rsplit(" - ", 1)[0].strip() if titled else rel
    headings = [unescape(_TAG.sub("", h)).replace("¶", "").strip() for h in _HEADING.findall(html)]
    kind = "guide" if rel.startswith("guides/") else "page"
    return [kind, rel, title, " · ".join(h for h in headings if h and h != title), rel]


__all__ = ["build_mkdocs", "build_shells", "generated_pages", "json"]
