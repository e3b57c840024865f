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
import shutil
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from fmar.core.catalogue import RULES
from fmar.core.model import KINDS
from fmar.core.model.process import PHASES, Process
from fmar.core.schemas import file_name, record_schema
from fmar.publish.documents import EXPORT_MODELS, schema_file
from fmar.publish.formats import templates
from fmar.publish.output import Staging
from fmar.publish.overview import Overview
from fmar.publish.urls import API_ROOT, change_url

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
#: The hand-written site: mkdocs.yml and docs/ (a checkout has it beside src/).
SITE_SOURCE = PACKAGE_ROOT / "site"
#: Project documentation written by others, offered as guides when present.
PROJECT_DOCS = PACKAGE_ROOT / "docs"


@dataclass(frozen=True)
class DocsBuild:
    css: tuple[str, ...]


def _html_block(template: str, **context: Any) -> str:
    """An escaped HTML block for a Markdown page: one block, no blank line, so Markdown leaves it alone."""
    html = templates().get_template(template).render(**context)
    lines = [line for line in html.splitlines() if line.strip()]
    return '<div markdown="0">\n' + "\n".join(lines) + "\n</div>\n"


def generated_pages(overview: Overview, processes: dict[str, Process]) -> dict[str, str]:
    recent = [
        {
            **row._asdict(),
            "at": row.recorded_at[:16].replace("T", " "),
            "url": change_url(row.kind, row.id, row.unit),
        }
        for row in islice(overview.ledger.newest(), 15)
    ]
    counts = overview.counts
    pages = {
        "index.md": "# fmar registry\n\n"
        + _html_block(
            "docs_home.html",
            counts=counts,
            recent=recent,
            as_of=overview.as_of.strftime("%Y-%m-%d %H:%M UTC"),
            commit=overview.head,
        ),
    }
    served = {m.BUILDING_BLOCK for m in KINDS.values()}
    phases = []
    for phase, title, letter in PHASES:
        blocks = sorted((p for p in processes.values() if p.phase == phase), key=lambda p: p.order)
        phases.append({"title": title, "letter": letter, "blocks": blocks})
    pages["catalogue.md"] = "# The FSP journey: process catalogue\n\n" + _html_block(
        "docs_catalogue.html", phases=phases, served=served
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
        "docs_api.html", exports=exports, root=f"/{API_ROOT}"
    )
    return pages


def _type(spec: dict[str, Any]) -> str:
    if "type" in spec:
        return str(spec["type"])
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    options = spec.get("anyOf") or spec.get("oneOf") or []
    return " or ".join(_type(o) for o in options) or "any"


def theme_css() -> tuple[str, ...]:
    """The stylesheets mkdocs-material writes (``/assets/stylesheets/*.min.css``), which the
    record pages link: known from the theme before mkdocs runs (``build_mkdocs`` checks it)."""
    import material  # type: ignore[import-untyped]

    folder = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    return tuple(sorted(f"/assets/stylesheets/{p.name}" for p in folder.glob("*.min.css")))


#: What mkdocs writes that the build does not take: its sitemap lists only its own pages (and is
#: empty without a ``site_url``); ``publish.sitemap`` writes one of every page instead.
_NOT_TAKEN = frozenset({"sitemap.xml", "sitemap.xml.gz"})


def build_mkdocs(
    overview: Overview, staging: Staging, root: Path, css_linked: tuple[str, ...], site_url: str | None = None
) -> DocsBuild:
    """Run mkdocs on the hand-written and generated pages; copy changed files into ``staging``.

    ``site_url``: mkdocs' own ``site_url`` (its pages' canonical links), when the build has one."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    source = root / "site" if (root / "site" / "mkdocs.yml").is_file() else SITE_SOURCE
    with tempfile.TemporaryDirectory(prefix="fmar-docs-") as tmp:
        docs = Path(tmp, "docs")
        shutil.copytree(source / "docs", docs)
        config = yaml.safe_load((source / "mkdocs.yml").read_text(encoding="utf-8"))
        for name, text in generated_pages(overview, overview.processes).items():
            (docs / name).write_text(text, encoding="utf-8")
        guides = next(item for item in config["nav"] if "Guides" in item)["Guides"]
        if PROJECT_DOCS.is_dir():
            for path in sorted(PROJECT_DOCS.glob("*.md")):
                target = docs / "guides" / "project" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                guides.append(
                    {path.stem.replace("-", " ").replace("_", " ").capitalize(): f"guides/project/{path.name}"}
                )
        config_file = Path(tmp, "mkdocs.yml")
        config["docs_dir"] = str(docs)
        config["site_dir"] = str(Path(tmp, "out"))
        if site_url:
            config["site_url"] = site_url
        config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(overview.as_of.timestamp()))
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        try:
            build(load_config(str(config_file)))
        finally:
            if previous_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous_epoch
        out = Path(tmp, "out")
        css = []
        for path in sorted(out.rglob("*")):
            if path.is_file():
                rel = path.relative_to(out).as_posix()
                if rel in _NOT_TAKEN:
                    continue
                staging.put(rel, path.read_bytes())
                if rel.startswith("assets/stylesheets/") and rel.endswith(".min.css"):
                    css.append("/" + rel)
    if tuple(sorted(css)) != tuple(sorted(css_linked)):
        raise RuntimeError(f"mkdocs wrote the stylesheets {css}, but the record pages link {list(css_linked)}")
    return DocsBuild(tuple(css))


__all__ = ["build_mkdocs", "generated_pages", "json"]
