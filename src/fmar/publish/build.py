"""``fmar build``: the exports and the site from a registry, as of a moment, into one folder.

Order: decide what to derive (``plan``: the whole registry, or only the unit groups that
changed since the previous build, whose ``BuildState`` is kept in the cache), refuse a registry
with errors, derive (pure core) and take each unit's facts; then write the record documents and
pages of the derived groups in parallel (the others are kept as they are), the registry-wide
pages and exports from the facts of every unit (``Overview``), the feeds, the search indexes
and the mkdocs pages, and finally swap the new folder in and remember the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from fmar.loading.record_file import parse_text
from fmar.loading.text import decode
from fmar.memory import collector_paused, frozen
from fmar.model import Record
from fmar.publish import derive, docs_site, formats, pages, plan, zip_writer
from fmar.publish.background import Background
from fmar.publish.charts import histogram
from fmar.publish.derive import Derived, ProductSummary
from fmar.publish.documents import RecordDoc, schema_texts
from fmar.publish.facts import UnitFacts, change_row, unit_facts
from fmar.publish.facts import decode as decode_facts
from fmar.publish.facts import encode as encode_facts
from fmar.publish.feeds import feeds
from fmar.publish.inputs import History, git_head, git_history, signing_history
from fmar.publish.ledger import ChangeLedger, Row, ledger_row
from fmar.publish.output import Staging, digest, fresh
from fmar.publish.overview import Overview
from fmar.publish.state import BuildState, forget_state, load_state, new_serial, save_state, seal_state
from fmar.publish.urls import API_ROOT, api_url, page_url
from fmar.registry import Registry
from fmar.signing.records import iso
from fmar.validate import Pipeline, jobs_default

_CHUNK = 2000
HistorySource = Callable[[Path, Path, Registry], History]


class OutputIncomplete(Exception):
    """The site a partial build would keep files of is not whole: build everything."""


@dataclass
class BuildResult:
    out: Path
    as_of: datetime
    records: int
    pages_written: int
    files: int
    #: Records with a page of their own (units, products, parties; a unit's page shows its applications).
    record_pages: int = 0
    #: False when only the unit groups that changed were derived again.
    full: bool = True
    #: Market Units derived in this build.
    derived_units: int = 0


def history_of(root: Path, registry_dir: Path, registry: Registry) -> History:
    """Recorded times and timelines of the records in ``registry``: from Git history when the
    registry is committed in a repository, else signing times."""
    head = _git_head(root, registry_dir)
    history = git_history(root, registry_dir, registry) if head else signing_history(registry)
    if head:
        history.head, history.head_time = head
    return history


def _git_head(root: Path, registry_dir: Path) -> tuple[str, datetime] | None:
    from fmar import gitrepo

    if not gitrepo.is_repository(root) or not gitrepo.tracks(root, registry_dir):
        return None
    return git_head(root)


# --- per-record work, run in worker processes --------------------------------------------------
_STATE: dict[str, Any] = {}


def _read_raw(root: Path, registry: Registry, record: Record) -> dict[str, Any]:
    """The data of ``record`` as its file holds it: as this build read it, else read again."""
    rel = registry.path_of(record)
    known = _STATE["data"].get(rel)
    if known is not None:
        return orjson.loads(known)  # type: ignore[no-any-return]
    text, _ = decode((root / rel).read_bytes())
    data, _, _ = parse_text(text or "")
    return data or {}


def _derive_units(units: list[str]) -> tuple[dict[str, str], int, list[bytes], list[Row]]:
    """In a worker: each unit's statuses and facts, and the documents and pages of the unit and
    its applications. Returns the files' manifest entries, how many were written, the facts
    (``facts.encode``) and the groups' changes as ledger rows."""
    derived: Derived = _STATE["derived"]
    staging: Staging = _STATE["staging"]
    staging.manifest, staging.written = {}, 0
    out, rows = [], []
    for unit in units:
        facts = unit_facts(derived, unit)
        _render_group(derived, facts)
        out.append(encode_facts(facts))
        rows.extend(ledger_row(row, unit) for row in facts.changes)
    return staging.manifest, staging.written, out, rows


def _render(derived: Derived, overview: Overview, items: Iterable[tuple[str, str]]) -> None:
    """Write the document and page of each product or party (kind, id) into the staging folder."""
    for kind, record_id in items:
        doc, data, extra = _write_document(derived, overview, kind, record_id)
        _write_page(derived, kind, record_id, doc, extra, (data, repr(sorted(extra.items()))))


def _render_group(derived: Derived, facts: UnitFacts) -> None:
    """Write the documents of a unit and of its applications, and the unit's page, which shows
    the applications too."""
    documents = [_write_document(derived, None, "application", a) for a in facts.applications]
    doc, data, _ = _write_document(derived, None, "market_unit", facts.unit)
    applications = [application for application, _, _ in documents]
    shown = (data, *(d for _, d, _ in documents))
    _write_page(derived, "market_unit", facts.unit, doc, {"applications": applications}, shown)


def _write_document(
    derived: Derived, overview: Overview | None, kind: str, record_id: str
) -> tuple[RecordDoc, bytes, dict[str, Any]]:
    """Write a record's document; returns it, its bytes and its page's extra context."""
    registry = derived.registry
    root: Path = _STATE["root"]
    raw = _read_raw(root, registry, registry.table(kind)[record_id])
    doc, extra = _document(derived, overview, kind, record_id, raw, root)
    data = formats.json_bytes(doc)
    _STATE["staging"].put(api_url(kind, record_id).lstrip("/"), data)
    return doc, data, extra


def _write_page(
    derived: Derived,
    kind: str,
    record_id: str,
    doc: RecordDoc,
    extra: dict[str, Any],
    inputs: tuple[bytes | str, ...],
) -> None:
    """Write a record's page from ``doc`` and ``extra``: a function of ``inputs`` (the documents
    it shows, and what else made ``extra``), the frame and the templates."""
    staging: Staging = _STATE["staging"]
    meta: pages.Meta = _STATE["meta"]
    rel = page_url(kind, record_id).lstrip("/")
    key = digest(_STATE["templates"], repr(meta.record_frame()), *inputs)
    if not staging.is_current(rel, key):
        record = derived.registry.table(kind)[record_id]
        page = pages.render(f"{_TEMPLATE[kind]}.html", meta, title=_title(record), doc=doc, **extra)
        staging.put(rel, page, key)


_TEMPLATE = {"market_unit": "unit", "product": "product", "party": "party"}


def _title(record: Record) -> str:
    return str(getattr(record, "name", None) or record.id)


def _document(
    derived: Derived, overview: Overview | None, kind: str, record_id: str, raw: dict[str, Any], root: Path
) -> tuple[RecordDoc, dict[str, Any]]:
    """A record's document and its page's extra context; products and parties need the ``overview``."""
    registry = derived.registry
    if kind == "market_unit":
        return derive.unit_doc(derived, registry.units[record_id], raw), {}
    if kind == "application":
        answers = [_read_raw(root, registry, item) for item in registry.answers.get(record_id, [])]
        return derive.application_doc(derived, record_id, raw, answers), {}
    assert overview is not None, "products and parties are rendered after every unit's facts are known"
    if kind == "product":
        summary = overview.product_summaries.get(record_id) or ProductSummary()
        doc = derive.product_doc(derived, record_id, raw, summary)
        return doc, {
            "by_technology": sorted(summary.by_technology.items()),
            "by_area": sorted(summary.by_area.items()),
        }
    units = overview.units_by_fsp.get(record_id, [])
    return derive.party_doc(derived, record_id, raw, len(units)), _party_extra(overview, record_id, units)


def _party_extra(overview: Overview, party_id: str, units: list[tuple[str, str]]) -> dict[str, Any]:
    party = overview.parties[party_id]
    context: dict[str, Any] = {"so": None, "chart": "", "open_applications": []}
    if party.role.is_system_operator:
        level = overview.service_level(party_id)
        context["so"] = level
        context["chart"] = histogram(level.decision_days, level.decision_target_days, f"Days to decide, {party_id}")
        context["open_applications"] = overview.open_applications(party_id)
    context["units"] = [{"id": unit_id, "name": name} for unit_id, name in units[: pages.PAGE_SIZE]]
    return context


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
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build into ``out``; raises ``plan.RegistryInvalid`` (building nothing) when the registry has errors."""
    jobs = jobs or jobs_default()
    head = _git_head(root, registry_dir) if history_source is history_of else None
    # Git lists the blobs of the registry's files while the folder is scanned here.
    blobs = _clean_blobs_later(root, registry_dir) if head else None
    pipeline = Pipeline(root, registry_dir, jobs=jobs)
    signature = digest(
        str(root.resolve()),
        str(registry_dir.resolve()),
        str(commit_url),
        str(page_size),
        f"{history_source.__module__}.{history_source.__qualname__}",
    )
    with collector_paused():
        previous = load_state(pipeline.cache, out, signature)
    stamps = plan.stamps_of(pipeline, blobs(pipeline.layout.files) if blobs else None)
    inputs = _partial(pipeline, previous, head, as_of, stamps) if previous else "no previous build to start from"
    index: Background[None] | None = None
    if isinstance(inputs, str):
        log(f"full build: {inputs}")
        if head:  # Git walks the history into fmar's cache while the records are read
            index = Background("history index", _index_history, root, registry_dir)
        try:
            inputs = plan.full(pipeline, inputs, progress)
        except BaseException:
            if index is not None:
                index.cancel()
            raise
    registry = inputs.registry
    try:
        if index is not None:
            index.result()
        with collector_paused():
            history = history_source(root, registry_dir, registry)
    finally:
        if index is not None:
            index.cancel()
        inputs.checking()  # the cross-record rules, checked meanwhile: refuses a registry with errors
    moment = as_of or history.head_time or _latest(history, previous)
    derived = Derived.of(registry, moment, history)
    log(f"deriving {len(inputs.units)} Market Units as of {iso(moment)} ({inputs.files_read} files read)")
    facts = dict(inputs.kept)  # the derived units' facts are added as workers derive them
    reference = {kind: registry.table(kind) for kind in ("party", "product", "process")}
    if inputs.full or previous is None:
        # Changes of the reference records and of removed records (a partial build has the same).
        products = registry.products
        other = [
            change_row(c, products[c.id].so if c.kind == "product" else None, c.id if c.kind == "product" else None)
            for table in reference.values()
            for record_id in sorted(table)
            for c in history.timelines.get(record_id, ())
        ]
        other.extend(plan.removed_changes(history, registry))
        ledger = ChangeLedger.of(ledger_row(row, "") for row in other)
    else:
        ledger = previous.ledger  # the derived groups' rows are replaced as workers derive them
    overview = Overview(
        moment,
        history.head,
        reference["party"],  # type: ignore[arg-type]
        reference["product"],  # type: ignore[arg-type]
        reference["process"],  # type: ignore[arg-type]
        facts,
        ledger,
    )
    staging = Staging(out)
    encoded: dict[str, bytes] = {}
    saving: list[Background[None]] = []
    serial = new_serial()

    def save() -> None:
        """Save the build state in a child process while the site is finished (sealed after publishing)."""
        application_unit = dict(previous.application_unit) if previous and not inputs.full else {}
        application_unit.update({a.id: a.unit for a in registry.applications.values()})
        group_of = dict(previous.group_of) if previous and not inputs.full else {}
        group_of.update(plan.groups(registry, application_unit))
        state = BuildState(
            serial=serial,
            signature=signature,
            as_of=moment,
            head=history.head,
            stamps=stamps,
            group_of=group_of,
            application_unit=application_unit,
            reference=plan.reference_files(registry) if inputs.full or previous is None else previous.reference,
            facts=facts,
            ledger=ledger,
            latest=_latest(history, previous),
        )
        kept = previous if not inputs.full else None
        saving.append(Background("build state", save_state, pipeline.cache, out, state, kept, encoded))

    try:
        with frozen():  # the registry, its history and the state: never garbage, shared with the workers
            result = _build_into(
                staging, root, derived, overview, inputs, jobs, commit_url, page_size, log, encoded, save
            )
        staging.publish()
        for saver in saving:
            saver.result()
            seal_state(pipeline.cache, out, serial)
    except OutputIncomplete as incomplete:
        _cancel(saving)
        staging.abandon()
        forget_state(pipeline.cache, out)
        log(f"{incomplete}; building everything")
        return build(
            root,
            registry_dir,
            out,
            as_of,
            jobs=jobs,
            history_source=history_source,
            commit_url=commit_url,
            page_size=page_size,
            log=log,
            progress=progress,
        )
    except BaseException:
        _cancel(saving)
        staging.abandon()
        raise
    return result


def _cancel(children: list[Background[None]]) -> None:
    for child in children:
        child.cancel()


def _latest(history: History, previous: BuildState | None) -> datetime:
    moments = [t.at for t in history.recorded.values()]
    if previous is not None and previous.latest is not None:
        moments.append(previous.latest)
    return max(moments, default=datetime.fromtimestamp(0).astimezone())


def _index_history(root: Path, registry_dir: Path) -> None:
    """Bring the cached history index of the registry up to date (``history_of`` then reads it)."""
    from fmar.history.index import build_index

    build_index(root, registry_dir)


def _clean_blobs_later(root: Path, registry_dir: Path) -> Callable[[list[tuple[str, str, int, int]]], list[str | None]]:
    from fmar import gitrepo

    return gitrepo.clean_blobs_later(root, registry_dir)


def _partial(
    pipeline: Pipeline,
    previous: BuildState,
    head: tuple[str, datetime] | None,
    as_of: datetime | None,
    stamps: dict[str, plan.Stamp],
) -> plan.Inputs | str:
    committed: set[str] | None = set()
    if head is not None or previous.head is not None:
        committed = _committed_since(pipeline.root, pipeline.registry_dir, previous.head, head)

    def moment_of(records: list[Record]) -> datetime | None:
        if as_of is not None:
            return as_of
        if head is not None:
            return head[1]
        moments = [r.signature.signed_at for r in records]
        return max([*moments, previous.latest] if previous.latest else moments, default=None)

    return plan.partial(pipeline, previous, moment_of=moment_of, committed=committed, stamps=stamps)


def _committed_since(
    root: Path, registry_dir: Path, before: str | None, head: tuple[str, datetime] | None
) -> set[str] | None:
    """Files under the registry touched by first-parent commits after ``before`` up to the head;
    None when the head does not descend from ``before`` (or either is unknown)."""
    from fmar import gitrepo

    if before is None or head is None:
        return None
    if before == head[0]:
        return set()
    if not gitrepo.is_ancestor(root, before, head[0]):
        return None
    return gitrepo.changed_paths(root, before, head[0], registry_dir)


def _build_into(
    staging: Staging,
    root: Path,
    derived: Derived,
    overview: Overview,
    inputs: plan.Inputs,
    jobs: int,
    commit_url: str | None,
    page_size: int,
    log: Callable[[str], None],
    encoded: dict[str, bytes],
    derived_all: Callable[[], None],
) -> BuildResult:
    """Write the site into ``staging``; the derived units' encoded facts are added to ``encoded``,
    and ``derived_all`` is called once every unit's facts and changes are known."""
    registry = derived.registry
    meta = pages.Meta(docs_site.theme_css(), commit_url, page_size)
    _STATE.update(
        derived=derived, root=root, staging=staging, meta=meta, templates=_templates_digest(), data=inputs.data
    )
    if not inputs.full:  # the kept units' documents and pages (derived ones come from the workers)
        missing = staging.keep_all(rel for facts in overview.facts.values() for rel in facts.files)
        if missing is not None:
            raise OutputIncomplete(f"{staging.out} lacks {missing}")
    # Indexes the workers read, built once here rather than in every worker.
    for index in ("applications_by_unit", "answers"):
        getattr(registry, index)
    units = sorted(inputs.units)
    chunks = [units[i : i + _CHUNK] for i in range(0, len(units), _CHUNK)]
    manifest, written = dict(staging.manifest), staging.written
    try:
        if jobs > 1 and len(chunks) > 1:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
                results = list(pool.map(_derive_units, chunks))
        else:
            results = [_derive_units(chunk) for chunk in chunks]
        staging.manifest, staging.written = manifest, written
        rows: list[Row] = []
        with collector_paused():
            for entries, count, stored_facts, changes in results:
                staging.record(entries, count)
                rows.extend(changes)
                for blob in stored_facts:
                    facts = decode_facts(blob)
                    overview.facts[facts.unit] = facts
                    encoded[facts.unit] = blob
        overview.ledger.replace(units, rows)
        derived_all()
        log(f"{len(units)} Market Units derived; their documents and pages rendered")
        # A full build's zip is mostly new entries: the units' and applications' documents (all
        # written now) are deflated in a child process while the rest is made.
        ahead = _ZipAhead(staging) if inputs.full else None
        try:
            _render(derived, overview, [("product", p) for p in sorted(registry.products)])
            _render(derived, overview, [("party", p) for p in sorted(registry.parties)])
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
    finally:
        _STATE.clear()
    pages_written = staging.written
    log(f"record documents and pages: {pages_written} files written")
    try:
        _exports(staging, overview)
        for name, text in schema_texts().items():
            staging.put(f"schemas/{name}", text.encode())
        log("exports, feeds and schemas written")
        # Every file all.zip holds is written: it is zipped in another process meanwhile.
        bulk = _BulkJob(staging, ahead)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    try:
        docs_site.build_mkdocs(overview, staging, root, meta.css)
        static = Path(__file__).parent / "static"
        for path in sorted(static.iterdir()):
            staging.put(f"assets/fmar/{path.name}", path.read_bytes())
        _lists(staging, overview, meta)
        log("documentation, unit table, search and filter indexes written")
        _package(staging, overview, bulk.finish(staging), len(bulk.names))
    finally:
        bulk.cancel()
    log("all.zip and the data package written")
    record_pages = overview.counts["market_units"] + len(registry.products) + len(registry.parties)
    return BuildResult(
        staging.out,
        overview.as_of,
        sum(overview.counts[k] for k in ("parties", "products", "market_units", "applications", "outcomes", "events"))
        + overview.counts["processes"],
        pages_written,
        len(staging.manifest),
        record_pages,
        inputs.full,
        len(inputs.units),
    )


def _templates_digest() -> str:
    """Changes with any template or static file of the site."""
    base = Path(__file__).parent
    files = sorted(p for folder in ("templates", "static") for p in (base / folder).rglob("*") if p.is_file())
    files.append(base / "fragments.py")  # the HTML fragments (links, badges, timeline) the templates call
    return digest(*(f"{p.relative_to(base)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files))


def _put_page(staging: Staging, rel: str, render: Callable[[], bytes], *inputs: Any) -> None:
    """Render ``rel`` only when its inputs differ from the previous build's."""
    key = digest("page", _templates_digest(), rel, repr(inputs))
    if not staging.is_current(rel, key):
        staging.put(rel, render(), key)


def _lists(staging: Staging, overview: Overview, meta: pages.Meta) -> None:
    units = list(overview.units())
    entries = [list(facts.entry) for facts in units]
    encoded = [facts.entry_json for facts in units]
    filters, indexes = pages.filter_indexes(entries, meta.page_size, encoded)
    for rel, data in indexes.items():
        staging.put(f"filters/{rel}", data)
    for shard, data in pages.search_shards(entries, encoded, [facts.shards for facts in units]).items():
        staging.put(f"search/{shard}", data)
    columns = ["Unit", "Name", "FSP", "Licence area", "Status by product"]
    title = "Market Units and qualifications"
    _list(staging, meta, "units", title, "market_unit", columns, entries, filters, pages.unit_row)
    summaries = overview.product_summaries
    product_rows = [
        {
            "id": p.id,
            "name": p.name,
            "data": {},
            "cells": [p.so, str(p.service), str(summaries[p.id].units if p.id in summaries else 0)],
        }
        for p in sorted(overview.products.values(), key=lambda p: p.id)
    ]
    _list(
        staging,
        meta,
        "products",
        "Products",
        "product",
        ["Product", "Name", "SO", "Service", "Qualified units"],
        product_rows,
    )
    party_rows = [
        {"id": p.id, "name": p.name, "data": {}, "cells": [str(p.role), str(len(overview.units_by_fsp.get(p.id, ())))]}
        for p in sorted(overview.parties.values(), key=lambda p: p.id)
    ]
    _list(staging, meta, "parties", "Parties", "party", ["Party", "Name", "Role", "Units"], party_rows)


def _list(
    staging: Staging,
    meta: pages.Meta,
    folder: str,
    title: str,
    kind: str,
    columns: list[str],
    rows: list[Any],
    filters: list[pages.Filter] | None = None,
    row: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    """A paged list of records; a page is rendered only when its rows (or the frame) changed.

    ``row``: makes a table row of an item of ``rows`` (called only for the pages rendered)."""
    for number, count, chunk in pages.paged(rows, meta.page_size):
        # Search and filters live on the first page, so the others change only with their rows.
        search = filters is not None and number == 1
        _put_page(
            staging,
            f"{folder}/{pages.list_page_name(number)}",
            lambda number=number, count=count, chunk=chunk, search=search: pages.list_page(
                meta,
                title,
                kind,
                columns,
                list(map(row, chunk)) if row else chunk,
                number,
                count,
                search=search,
                filters=filters or [],
            ),
            meta,
            title,
            columns,
            number,
            count,
            chunk,
            filters if search else None,
        )


def _exports(staging: Staging, overview: Overview) -> None:
    """The registry-wide exports, joined from each unit's encoded facts (see ``pages.encode``)."""
    base = API_ROOT
    units = list(overview.units())
    files: dict[str, bytes] = {}
    files["qualifications.json"] = (
        b'{"as_of":'
        + pages.encode(iso(overview.as_of))
        + b',"format":'
        + pages.encode(derive.FORMAT)
        + b',"qualifications":'
        + overview.qualifications_json()
        + b"}\n"
    )
    files["qualifications.csv"] = formats.csv_lines([derive.QUALIFICATION_COLUMNS]) + b"".join(
        f.qualifications_csv for f in units
    )
    files["changes.csv"] = formats.csv_lines([derive.CHANGE_COLUMNS]) + overview.ledger.csv_body()
    files["units.csv"] = formats.csv_lines([derive.UNIT_COLUMNS]) + b"".join(f.unit_csv for f in units)
    files["index.json"] = formats.json_bytes(derive.index_doc(overview.as_of, overview.head, overview.counts))
    for name, data in files.items():
        staging.put(f"{base}/{name}", data)
    for rel, data in feeds(overview).items():
        staging.put(f"{base}/feeds/{rel}", data)


#: The bulk download, and the data package describing the exports (neither is inside the zip).
BULK, PACKAGE = "all.zip", "datapackage.json"
_TABULAR = {
    "qualifications.csv": derive.QUALIFICATION_COLUMNS,
    "changes.csv": derive.CHANGE_COLUMNS,
    "units.csv": derive.UNIT_COLUMNS,
}
_PACKAGED = ("index.json", "qualifications.json", *_TABULAR)


def bulk_entries(manifest: dict[str, str]) -> list[str]:
    """What ``all.zip`` holds: every file under the API folder and the schemas, but itself and the package."""
    skip = {f"{API_ROOT}/{BULK}", f"{API_ROOT}/{PACKAGE}"}
    return sorted(rel for rel in manifest if rel.startswith((f"{API_ROOT}/", "schemas/")) and rel not in skip)


class _BulkJob:
    """``all.zip`` from the files already written, made in a child process while this one goes on.

    Rebuilt only when one of its entries changed: its key is the hash of the entries' own manifest
    keys, so an unchanged export costs a hash of names, not a recompression; entries whose inputs
    did not change since the previous build are copied from its zip, not compressed again. The
    child also hashes the zip for the data package, changed or not. ``ahead``: the child that
    deflated the record documents already, which then writes the zip.
    """

    def __init__(self, staging: Staging, ahead: _ZipAhead | None = None) -> None:
        self.rel = f"{API_ROOT}/{BULK}"
        self.names = bulk_entries(staging.manifest)
        manifest = staging.manifest
        self.key = digest("bulk", formats.zip_format(), "\n".join([f"{rel}={manifest[rel]}" for rel in self.names]))
        self.write = not staging.is_current(self.rel, self.key)
        path = fresh(staging.root / self.rel) if self.write else staging.root / self.rel
        unchanged = {rel for rel in self.names if staging.previous.get(rel) == staging.manifest[rel]}
        job = (path, staging.root, self.names, staging.out / self.rel, unchanged, self.write)
        self.child = ahead.start(job) if ahead is not None else Background("all.zip", _write_bulk, *job)

    def finish(self, staging: Staging) -> tuple[int, str]:
        """Wait for the zip; its size and SHA-256."""
        size_and_hash = self.child.result()
        if self.write:
            staging.manifest[self.rel] = self.key
            staging.written += 1
        return size_and_hash

    def cancel(self) -> None:
        self.child.cancel()


class _ZipAhead:
    """A child process that deflates the documents written so far, then waits for the zip's job."""

    def __init__(self, staging: Staging) -> None:
        prefix = f"{API_ROOT}/"
        paths = [f"{staging.root}/{rel}" for rel in staging.manifest if rel.startswith(prefix)]
        receiver, self._sender = get_context("fork").Pipe(duplex=False)
        self.child = Background("all.zip", _write_bulk_when_asked, receiver, paths)
        receiver.close()

    def start(self, job: tuple[Any, ...]) -> Background[tuple[int, str]]:
        self._sender.send(job)
        self._sender.close()
        return self.child

    def cancel(self) -> None:
        self._sender.close()
        self.child.cancel()


def _write_bulk_when_asked(asked: Any, paths: list[str]) -> tuple[int, str] | None:
    deflated = zip_writer.deflate_ahead(paths)
    try:
        job = asked.recv()
    except EOFError:
        return None  # the build stopped before the zip
    return _write_bulk(*job, deflated=deflated)


def _write_bulk(
    path: Path,
    root: Path,
    names: list[str],
    previous: Path,
    unchanged: set[str],
    write: bool,
    deflated: zip_writer.Deflated | None = None,
) -> tuple[int, str]:
    try:
        if write:
            formats.write_zip(path, root, names, previous=previous, unchanged=unchanged, deflated=deflated)
        return formats.file_sha256(path)
    except OSError as error:
        raise RuntimeError(f"all.zip could not be written: {error}") from error


def _package(staging: Staging, overview: Overview, bulk: tuple[int, str], entries: int) -> None:
    """``datapackage.json``: the tabular and JSON exports, and the zip."""
    base = API_ROOT
    size, sha = bulk
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
    resources.append({**zipped, "bytes": size, "hash": f"sha256:{sha}", "entries": entries})
    package = formats.datapackage(iso(overview.as_of), sorted(resources, key=lambda r: r["name"]))
    staging.put(f"{base}/{PACKAGE}", formats.json_bytes(package))


__all__ = ["BuildResult", "build", "history_of"]
