"""``fmar build``: the exports and the site from a registry, as of a moment, into one folder.

Order: load and derive (pure core), write per-record documents and pages in parallel
(skipping those whose inputs did not change), then the bulk exports, the feeds, the search
index and the mkdocs pages, and finally swap the new folder in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from fmar.loading.record_file import parse_text
from fmar.loading.text import decode
from fmar.model import Record
from fmar.publish import derive, docs_site, formats, pages
from fmar.publish.charts import histogram
from fmar.publish.derive import FOLDER, Derived, api_url, page_url
from fmar.publish.documents import API_ROOT, schema_texts
from fmar.publish.inputs import History, git_head, git_history, signing_history
from fmar.publish.output import Staging, digest
from fmar.registry import Registry
from fmar.signing.records import iso
from fmar.status import LIVE
from fmar.validate import Pipeline, jobs_default

#: The most entries in one Atom feed (the newest changes).
FEED_LIMIT = 200
_CHUNK = 2000
HistorySource = Callable[[Path, Path, Registry], History]


@dataclass
class BuildResult:
    out: Path
    as_of: datetime
    records: int
    pages_written: int
    files: int
    #: Records with a page and a document (units, applications, products, parties).
    record_pages: int = 0


def load(root: Path, registry_dir: Path, jobs: int | None = None) -> Registry:
    registry, _ = Pipeline(root, registry_dir, jobs=jobs).load()
    return registry


def history_of(root: Path, registry_dir: Path, registry: Registry) -> History:
    """Recorded times and timelines: from Git history when the registry is in a repository with
    commits, else signing times."""
    from fmar.history import git

    head = git_head(root) if git.is_repository(root) else None
    history = git_history(root, registry_dir, registry) if head else signing_history(registry)
    if head:
        history.head, history.head_time = head
    return history


# --- per-record work, run in worker processes --------------------------------------------------
_STATE: dict[str, Any] = {}


def _read_raw(root: Path, registry: Registry, record: Record) -> dict[str, Any]:
    text, _ = decode((root / registry.path_of(record)).read_bytes())
    data, _, _ = parse_text(text or "")
    return data or {}


def _file_key(root: Path, registry: Registry, record: Record) -> str:
    info = (root / registry.path_of(record)).stat()
    return f"{record.id}:{info.st_size}:{info.st_mtime_ns}"


def _render_chunk(items: list[tuple[str, str]]) -> tuple[dict[str, str], int]:
    state = _STATE
    derived: Derived = state["derived"]
    registry = derived.registry
    root: Path = state["root"]
    staging: Staging = state["staging"]
    meta: pages.Meta = state["meta"]
    staging.manifest = {}
    staging.written = 0
    for kind, record_id in items:
        record = registry.table(kind)[record_id]
        related = [record]
        if kind == "application":
            related += registry.answers.get(record_id, [])
        context = _context_key(derived, kind, record_id)
        key = digest(
            state["code"],
            meta.as_of,
            str(meta.commit),
            str(meta.commit_url),
            *(_file_key(root, registry, r) for r in related),
            context,
        )
        json_rel, page_rel = api_url(kind, record_id).lstrip("/"), page_url(kind, record_id).lstrip("/")
        if staging.is_current(json_rel, key) and staging.is_current(page_rel, key):
            continue
        raw = _read_raw(root, registry, record)
        doc, extra = _document(derived, kind, record_id, raw, root)
        staging.put(json_rel, formats.json_bytes(doc), key)
        staging.put(
            page_rel, pages.render(f"{_TEMPLATE[kind]}.html", meta, title=_title(record), doc=doc, **extra), key
        )
    return staging.manifest, staging.written


_TEMPLATE = {"market_unit": "unit", "application": "application", "product": "product", "party": "party"}


def _title(record: Record) -> str:
    return str(getattr(record, "name", None) or record.id)


def _context_key(derived: Derived, kind: str, record_id: str) -> str:
    """What a page shows besides its own files: statuses, history, summaries."""
    registry = derived.registry
    if kind == "market_unit":
        parts: list[Any] = [derived.statuses.get(record_id), derived.timeline(*derived.unit_ids_of_timeline(record_id))]
    elif kind == "application":
        application = registry.applications[record_id]
        parts = [derived.statuses.get(application.unit), derived.timeline(record_id)]
    elif kind == "product":
        summary = _STATE["summaries"].get(record_id)
        parts = [summary and (summary.units, summary.up_kw, summary.down_kw, sorted(summary.by_area.items()))]
        parts.append(sorted((summary.by_technology if summary else {}).items()))
    else:
        parts = [_STATE["party_context"].get(record_id)]
    if kind in ("product", "party"):
        parts += [derived.history.recorded.get(record_id), derived.timeline(record_id)]
    else:
        parts.append(derived.history.recorded.get(record_id))
    return repr(parts)


def _document(derived: Derived, kind: str, record_id: str, raw: dict[str, Any], root: Path) -> tuple[dict, dict]:
    registry = derived.registry
    if kind == "market_unit":
        return derive.unit_doc(derived, registry.units[record_id], raw), {}
    if kind == "application":
        answers = [_read_raw(root, registry, item) for item in registry.answers.get(record_id, [])]
        return derive.application_doc(derived, record_id, raw, answers), {}
    if kind == "product":
        summary = _STATE["summaries"].get(record_id) or derive.ProductSummary()
        doc = derive.product_doc(derived, record_id, raw, summary)
        return doc, {
            "by_technology": sorted(summary.by_technology.items()),
            "by_area": sorted(summary.by_area.items()),
        }
    doc = derive.party_doc(derived, record_id, raw)
    return doc, _STATE["party_extra"](record_id)


def _party_extra(derived: Derived) -> Callable[[str], dict[str, Any]]:
    registry = derived.registry

    def extra(party_id: str) -> dict[str, Any]:
        party = registry.parties[party_id]
        context: dict[str, Any] = {"so": None, "units": [], "chart": "", "open_applications": []}
        if party.role.is_system_operator:
            level = derive.service_level(derived, party_id)
            context["so"] = level
            context["chart"] = histogram(level.decision_days, level.decision_target_days, f"Days to decide, {party_id}")
            context["open_applications"] = [
                {**asdict(q), "status": str(q.status), "since": iso(q.since)}
                for q in derive.open_applications(derived, party_id)
            ]
        units = sorted(registry.units_by_fsp.get(party_id, ()), key=lambda u: u.id)
        context["units"] = units[: pages.PAGE_SIZE]
        return context

    return extra


# --- the build -----------------------------------------------------------------------------------
def build(
    root: Path,
    registry_dir: Path,
    out: Path,
    as_of: datetime | None = None,
    *,
    jobs: int | None = None,
    history_source: HistorySource = history_of,
    commit_url: str | None = None,
    page_size: int = pages.PAGE_SIZE,
    log: Callable[[str], None] = lambda _: None,
) -> BuildResult:
    registry = load(root, registry_dir, jobs)
    history = history_source(root, registry_dir, registry)
    moment = (
        as_of
        or history.head_time
        or max((t.at for t in history.recorded.values()), default=datetime.fromtimestamp(0).astimezone())
    )
    derived = Derived.of(registry, moment, history)
    log(f"loaded {len(registry)} records; deriving as of {iso(moment)}")
    staging = Staging(out)
    try:
        result = _build_into(staging, root, derived, jobs or jobs_default(), commit_url, page_size, log)
        staging.publish()
    except BaseException:
        staging.abandon()
        raise
    return result


def _build_into(
    staging: Staging,
    root: Path,
    derived: Derived,
    jobs: int,
    commit_url: str | None,
    page_size: int,
    log: Callable[[str], None],
) -> BuildResult:
    registry = derived.registry
    as_of = iso(derived.as_of)
    docs = docs_site.build_mkdocs(derived, staging, root)
    meta = pages.Meta(derived.history.head, as_of, docs.css, commit_url, page_size)
    summaries = derive.product_summaries(derived)
    _STATE.update(
        derived=derived,
        root=root,
        staging=staging,
        meta=meta,
        code=digest(*sorted(_code_files())),
        summaries=summaries,
        party_extra=_party_extra(derived),
        party_context=_party_contexts(derived),
    )
    items = [(kind, record_id) for kind in FOLDER for record_id in sorted(registry.table(kind))]
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    manifest, written = dict(staging.manifest), staging.written
    if jobs > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            results = list(pool.map(_render_chunk, chunks))
    else:
        results = [_render_chunk(chunk) for chunk in chunks]
    staging.manifest, staging.written = manifest, written
    for entries, count in results:
        staging.record(entries, count)
    pages_written = staging.written
    log(f"record pages and documents: {pages_written} files written, {len(staging.manifest)} current")
    _lists(staging, derived, meta)
    _exports(staging, derived)
    for name, text in schema_texts().items():
        staging.put(f"schemas/{name}", text.encode())
    static = Path(__file__).parent / "static"
    for path in sorted(static.iterdir()):
        staging.put(f"assets/fmar/{path.name}", path.read_bytes())
    _bulk(staging, derived)
    _STATE.clear()
    return BuildResult(staging.out, derived.as_of, len(registry), pages_written, len(staging.manifest), len(items))


def _code_files() -> list[str]:
    base = Path(__file__).parent
    return [f"{p.relative_to(base)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in base.rglob("*") if p.is_file()]


def _party_contexts(derived: Derived) -> dict[str, Any]:
    registry = derived.registry
    out: dict[str, Any] = {}
    for party_id, party in registry.parties.items():
        listed = sorted(registry.units_by_fsp.get(party_id, ()), key=lambda u: u.id)[: pages.PAGE_SIZE]
        units = [(u.id, u.name) for u in listed]
        parts: list[Any] = [units, len(registry.units_by_fsp.get(party_id, ()))]
        if party.role.is_system_operator:
            parts += [derive.service_level(derived, party_id), derive.open_applications(derived, party_id)]
        out[party_id] = repr(parts)
    return out


def _lists(staging: Staging, derived: Derived, meta: pages.Meta) -> None:
    registry = derived.registry
    entries = []
    for unit_id in sorted(registry.units):
        unit = registry.units[unit_id]
        current = [q for q, _ in derived.statuses.get(unit_id, [])]
        statuses = sorted({str(q.status) for q in current})
        sos = sorted({q.so for q in current})
        products = sorted({q.product for q in current})
        summary = "; ".join(f"{q.product}: {q.status.label}" for q in current) or "no applications"
        entries.append(pages.unit_entry(unit, statuses, sos, products, summary))
    filters, indexes = pages.filter_indexes(entries, meta.page_size)
    for rel, data in indexes.items():
        staging.put(f"filters/{rel}", data)
    rows = [pages.unit_row(entry) for entry in entries]
    columns = ["Unit", "Name", "FSP", "Licence area", "Status by product"]
    for name, data in pages.list_pages(
        meta, "Market Units and qualifications", "market_unit", columns, rows, search=True, filters=filters
    ).items():
        staging.put(f"units/{name}", data)
    for shard, shard_entries in pages.search_shards(entries).items():
        staging.put(f"search/{shard}", formats.json_bytes({"entries": shard_entries}))
    summaries = derive.product_summaries(derived)
    product_rows = [
        {
            "id": p.id,
            "name": p.name,
            "data": {},
            "cells": [p.so, str(p.service), str(summaries[p.id].units if p.id in summaries else 0)],
        }
        for p in sorted(registry.products.values(), key=lambda p: p.id)
    ]
    for name, data in pages.list_pages(
        meta, "Products", "product", ["Product", "Name", "SO", "Service", "Qualified units"], product_rows
    ).items():
        staging.put(f"products/{name}", data)
    party_rows = [
        {
            "id": p.id,
            "name": p.name,
            "data": {},
            "cells": [str(p.role), str(len(registry.units_by_fsp.get(p.id, ())))],
        }
        for p in sorted(registry.parties.values(), key=lambda p: p.id)
    ]
    for name, data in pages.list_pages(
        meta, "Parties", "party", ["Party", "Name", "Role", "Units"], party_rows
    ).items():
        staging.put(f"parties/{name}", data)


def _exports(staging: Staging, derived: Derived) -> None:
    registry = derived.registry
    base = API_ROOT
    as_of = iso(derived.as_of)
    current = derived.current()
    from fmar.cli.status_cmd import qualification_json

    files: dict[str, bytes] = {}
    files["qualifications.json"] = formats.json_bytes(
        {"format": derive.FORMAT, "as_of": as_of, "qualifications": [qualification_json(q) for q in current]}
    )
    files["qualifications.csv"] = formats.csv_bytes(derive.QUALIFICATION_COLUMNS, derive.qualification_rows(derived))
    files["changes.csv"] = formats.csv_bytes(derive.CHANGE_COLUMNS, derive.change_rows(derived))
    files["units.csv"] = formats.csv_bytes(UNIT_COLUMNS, unit_rows(registry))
    files["index.json"] = formats.json_bytes(derive.index_doc(derived))
    for name, data in files.items():
        staging.put(f"{base}/{name}", data)
    for rel, data in feeds(derived).items():
        staging.put(f"{base}/feeds/{rel}", data)


UNIT_COLUMNS = (
    "id",
    "name",
    "fsp",
    "unit_type",
    "licence_area",
    "gsp_group",
    "connection_type",
    "import_capacity_kw",
    "export_capacity_kw",
    "main_technology",
)


#: The bulk download, and the data package describing the exports (neither is inside the zip).
BULK, PACKAGE = "all.zip", "datapackage.json"
_TABULAR = {
    "qualifications.csv": derive.QUALIFICATION_COLUMNS,
    "changes.csv": derive.CHANGE_COLUMNS,
    "units.csv": UNIT_COLUMNS,
}
_PACKAGED = ("index.json", "qualifications.json", *_TABULAR)


def bulk_entries(manifest: dict[str, str]) -> list[str]:
    """What ``all.zip`` holds: every file under the API folder and the schemas, but itself and the package."""
    skip = {f"{API_ROOT}/{BULK}", f"{API_ROOT}/{PACKAGE}"}
    return sorted(rel for rel in manifest if rel.startswith((f"{API_ROOT}/", "schemas/")) and rel not in skip)


def _bulk(staging: Staging, derived: Derived) -> None:
    """``all.zip`` from the files already written, rebuilt only when one of them changed; then the package.

    Its key is the hash of the entries' own manifest keys, so an unchanged export costs a hash of
    names, not a recompression.
    """
    base = API_ROOT
    names = bulk_entries(staging.manifest)
    key = digest("bulk", formats.zip_format(), *(f"{rel}={staging.manifest[rel]}" for rel in names))
    bulk = staging.root / base / BULK
    # Entries whose inputs did not change since the previous build are copied from its zip, not rezipped.
    unchanged = {rel for rel in names if staging.previous.get(rel) == staging.manifest[rel]}
    previous = staging.out / base / BULK
    staging.put_with(
        f"{base}/{BULK}",
        key,
        lambda path: formats.write_zip(path, staging.root, names, previous=previous, unchanged=unchanged),
    )
    size, sha = formats.file_sha256(bulk)
    resources = []
    for name in _PACKAGED:
        data = (staging.root / base / name).read_bytes()
        if name in _TABULAR:
            resources.append(
                formats.resource(
                    name.removesuffix(".csv"),
                    name,
                    data,
                    "csv",
                    "text/csv",
                    encoding="utf-8",
                    schema=formats.table_schema(_TABULAR[name]),
                )
            )
        else:
            resources.append(formats.resource(name.replace(".", "-"), name, data, "json", "application/json"))
    zipped = {"name": "all", "path": BULK, "format": "zip", "mediatype": "application/zip"}
    resources.append({**zipped, "bytes": size, "hash": f"sha256:{sha}", "entries": len(names)})
    package = formats.datapackage(iso(derived.as_of), sorted(resources, key=lambda r: r["name"]))
    staging.put(f"{base}/{PACKAGE}", formats.json_bytes(package))


def unit_rows(registry: Registry) -> list[list[Any]]:
    return [
        [
            u.id,
            u.name,
            u.fsp,
            str(u.unit_type),
            str(u.licence_area),
            str(u.gsp_group),
            str(u.connection_type),
            u.composition.import_capacity_kw,
            u.composition.export_capacity_kw,
            derive.main_technology(u),
        ]
        for u in sorted(registry.units.values(), key=lambda u: u.id)
    ]


def feeds(derived: Derived) -> dict[str, bytes]:
    """Atom feeds of changes: all, per SO and per product, newest FEED_LIMIT entries each."""
    registry = derived.registry
    by_feed: dict[str, list[Any]] = {"all.atom": []}
    for change in derived.history.changes():
        targets = ["all.atom"]
        so, product = _concerns(registry, change.kind, change.id)
        if so:
            targets.append(f"so/{so}.atom")
        if product:
            targets.append(f"product/{product}.atom")
        for target in targets:
            by_feed.setdefault(target, []).append(change)
    for so in (p.id for p in registry.parties.values() if p.role.is_system_operator):
        by_feed.setdefault(f"so/{so}.atom", [])
    for product in registry.products:
        by_feed.setdefault(f"product/{product}.atom", [])
    updated = iso(derived.as_of)
    out = {}
    for name, changes in sorted(by_feed.items()):
        newest = sorted(changes, key=lambda c: (c.at, c.kind, c.id, c.action), reverse=True)[:FEED_LIMIT]
        entries = [
            {
                "id": f"urn:fmar:change:{c.commit or 'signed'}:{c.kind}:{c.id}:{c.action}",
                "title": f"{c.action} {c.kind.replace('_', ' ')} {c.id}",
                "updated": iso(c.at),
                "link": page_url(c.kind, c.id) if c.kind in FOLDER else f"/{API_ROOT}/changes.csv",
                "summary": _summary(registry, c.kind, c.id, c.signer),
            }
            for c in newest
        ]
        title = "fmar registry: all changes" if name == "all.atom" else f"fmar registry: changes for {name[:-5]}"
        out[name] = formats.atom_bytes(
            f"urn:fmar:feed:{name[:-5]}", title, updated, f"/{API_ROOT}/feeds/{name}", entries
        )
    return out


def _concerns(registry: Registry, kind: str, record_id: str) -> tuple[str | None, str | None]:
    application = None
    if kind == "application":
        application = registry.applications.get(record_id)
    elif kind in ("outcome", "event"):
        item = registry.table(kind).get(record_id)
        application = registry.applications.get(item.application) if item else None  # type: ignore[attr-defined]
    elif kind == "product":
        product = registry.products.get(record_id)
        return (product.so, product.id) if product else (None, None)
    if application is None:
        return None, None
    return application.so, application.product


def _summary(registry: Registry, kind: str, record_id: str, signer: str) -> str:
    unit = None
    if kind == "market_unit":
        unit = registry.units.get(record_id)
    elif kind == "application" and record_id in registry.applications:
        unit = registry.units.get(registry.applications[record_id].unit)
    about = f" for {unit.name} ({unit.id})" if unit else ""
    return f"{kind.replace('_', ' ')} {record_id}{about}, signed by {signer}"


def status_counts(derived: Derived) -> Counter[str]:
    return Counter(str(q.status) for q in derived.current())


def live_count(derived: Derived) -> int:
    return sum(1 for q in derived.current() if q.status in LIVE)


__all__ = ["BuildResult", "build", "history_of"]
