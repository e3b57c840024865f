"""``fmar build``: the exports and the site from a registry, as of a moment, into one folder.

The story of a build (``build``): plan what to derive (``plan``: the whole registry, or only the
unit groups that changed since the previous build, whose ``BuildState`` is kept in the cache;
``changes``: what Git says changed since then) and refuse a registry with errors; derive (pure
core); write the record documents and pages of the derived groups in worker processes
(``records``, ``fmar.workers``; the other groups' files are kept as they are); write the
registry-wide pages and exports from the facts of every unit (``Overview``, ``exports``); the
documentation, lists, search and filter indexes (``lists``); then swap the new folder in and
remember the state. A partial build that finds the old output incomplete builds in full, once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fmar import workers
from fmar.core.model import REFERENCE_KINDS
from fmar.core.registry import Registry
from fmar.history.index import HistoryIndex
from fmar.publish import changes, docs_site, exports, lists, pages, plan, sitemap, survey
from fmar.publish.background import Background
from fmar.publish.derive import Derived
from fmar.publish.facts import change_row
from fmar.publish.facts import decode as decode_facts
from fmar.publish.inputs import History, git_history, signing_history
from fmar.publish.ledger import ChangeLedger, Row, ledger_row
from fmar.publish.output import Staging, digest
from fmar.publish.overview import Overview
from fmar.publish.records import RecordWriter, write_units
from fmar.publish.site_url import normalise as normalise_site_url
from fmar.publish.site_url import normalise_bulk_url
from fmar.publish.state import (
    BuildState,
    forget_state,
    load_state,
    new_serial,
    save_state,
    seal_state,
    sealed_serial,
    stamps_name,
)
from fmar.publish.urls import FRAME_SCRIPT
from fmar.signing.records import iso
from fmar.validation.cache import Cache
from fmar.validation.memory import collector_paused, frozen
from fmar.validation.pipeline import Pipeline, jobs_default

#: Units per task of a worker process.
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


def history_of(
    root: Path, registry_dir: Path, registry: Registry, *, removed: bool = True, index: HistoryIndex | None = None
) -> History:
    """Recorded times and timelines of the records in ``registry`` (with ``removed``, also of those
    removed from it; a partial build's registry holds only some groups and needs none): from Git
    history when the registry is committed in a repository (``index``: its history index, when
    already loaded), else signing times. (Defined here: its qualified name is part of a build's
    signature.)"""
    head = changes.registry_head(root, registry_dir)
    history = (
        git_history(root, registry_dir, registry, removed=removed, index=index) if head else signing_history(registry)
    )
    if head:
        history.head, history.head_time = head
    return history


@dataclass(frozen=True)
class _Request:
    """What ``build`` was asked for."""

    root: Path
    registry_dir: Path
    out: Path
    as_of: datetime | None
    jobs: int
    history_source: HistorySource
    commit_url: str | None
    site_url: str | None
    page_size: int
    log: Callable[[str], None]
    progress: Callable[[int], None] | None
    start_method: str
    #: Where the bulk files are published when not on the site (``{tag}`` stands for the release
    #: tag), and the folder they are written to.
    bulk_url: str | None = None
    bulk_out: Path | None = None


def build(
    root: Path,
    registry_dir: Path,
    out: Path,
    as_of: datetime | None = None,
    *,
    jobs: int | None = None,
    history_source: HistorySource = history_of,
    commit_url: str | None = None,
    site_url: str | None = None,
    page_size: int = pages.PAGE_SIZE,
    log: Callable[[str], None] = lambda _: None,
    progress: Callable[[int], None] | None = None,
    start_method: str = workers.DEFAULT_START_METHOD,
    bulk_url: str | None = None,
    bulk_out: Path | None = None,
) -> BuildResult:
    """Build into ``out``; raises ``plan.RegistryInvalid`` (building nothing) when the registry has errors.

    ``site_url``: where the site is served (``https://example.github.io/fmar/``; a ValueError
    when it is not an http(s) URL); the feeds' links, the sitemap, ``robots.txt`` and canonical
    links are made absolute from it. Without it there is no sitemap nor ``robots.txt``.
    ``start_method``: how worker and other child processes are started (``multiprocessing``'s
    ``fork``, the default, or ``spawn``). ``bulk_url``: the URL of the folder the bulk files
    (``urls.BULK_FILES``) are published in, instead of the site (``{tag}`` in it stands for the
    build's release tag, ``exports.release_tag``); they are then written to ``bulk_out`` with
    ``SHA256SUMS`` and ``TAG``, and every link to them points there. Without it they stay on the site."""
    if bulk_url is not None:
        bulk_url = normalise_bulk_url(bulk_url)
        if bulk_out is None:
            raise ValueError("a bulk URL needs a folder to write the bulk files to (bulk_out)")
        inner, outer = sorted((bulk_out.resolve(), out.resolve()), key=lambda p: len(p.parts), reverse=True)
        if inner.is_relative_to(outer):
            raise ValueError(f"the bulk files' folder {bulk_out} and the site's {out} must lie apart")
    request = _Request(
        root=root,
        registry_dir=registry_dir,
        out=out,
        as_of=as_of,
        jobs=jobs or jobs_default(),
        history_source=history_source,
        commit_url=commit_url,
        site_url=normalise_site_url(site_url) if site_url is not None else None,
        page_size=page_size,
        log=log,
        progress=progress,
        start_method=start_method,
        bulk_url=bulk_url,
        bulk_out=bulk_out,
    )
    try:
        return _build(request, partial=True)
    except OutputIncomplete as incomplete:
        # A partial build found the old output incomplete (and forgot its state): build in full, once.
        log(f"{incomplete}; building everything")
        return _build(request, partial=False)


def _build(request: _Request, *, partial: bool) -> BuildResult:
    """One build; ``partial``: whether it may derive only what changed since the previous build."""
    planned = _plan(request, partial)  # refuses a registry with errors
    inputs, history, previous, pipeline = planned.inputs, planned.history, planned.previous, planned.pipeline
    moment = request.as_of or history.head_time or _latest(history, previous)
    tag = exports.release_tag(moment, history.head)
    bulk = request.bulk_url.replace("{tag}", tag) if request.bulk_url else None
    derived = Derived.of(inputs.registry, moment, history)
    request.log(f"deriving {len(inputs.units)} Market Units as of {iso(moment)} ({inputs.files_read} files read)")
    overview = _overview(derived, planned)
    staging = Staging(request.out)
    saving: list[Background[set[str]]] = []
    try:
        with frozen():  # the registry, its history and the state: never garbage, shared with the workers
            meta = pages.Meta(
                docs_site.build_shells(request.root), request.commit_url, request.page_size, request.site_url, bulk
            )
            writer = RecordWriter(derived, request.root, staging, meta, lists.templates_digest(), inputs.data)
            encoded = _write_groups(request, writer, overview, inputs)
            # Every unit's facts and changes are known: the state is saved in a child process
            # while the site is finished (sealed once it is published).
            saving.append(_remember(request, pipeline, planned, derived, overview, encoded))
            result = _write_registry_wide(request, writer, overview, inputs, _Bulk(bulk, request.bulk_out, tag))
        staging.publish()
        for saver in saving:
            seal_state(pipeline.cache, request.out, planned.serial, saver.result())
    except OutputIncomplete:
        _cancel(saving)
        staging.abandon()
        forget_state(pipeline.cache, request.out)
        raise
    except BaseException:
        _cancel(saving)
        staging.abandon()
        raise
    return result


@dataclass
class _Planned:
    """What a build derives, from what, and what it knew of the previous build."""

    inputs: plan.Inputs
    history: History
    previous: BuildState | None
    #: Identifies the build's settings: a state saved under another is not used.
    signature: str
    serial: str
    pipeline: Pipeline


def _plan(request: _Request, partial: bool) -> _Planned:
    """Decide what to derive, read it and the history; refuses a registry with errors."""
    root, registry_dir, history_source = request.root, request.registry_dir, request.history_source
    head = changes.registry_head(root, registry_dir) if history_source is history_of else None
    cache, serial = Cache(registry_dir), new_serial()
    before = sealed_serial(cache, request.out) if partial else None
    # A child scans the registry folder and compares its files' stamps with the previous build's
    # while the previous build's state loads here.
    surveying = survey.in_background(
        root,
        registry_dir,
        head[0] if head else None,
        cache,
        stamps_name(request.out, before) if before else None,
        stamps_name(request.out, serial),
        start_method=request.start_method,
    )
    signature = digest(
        str(root.resolve()),
        str(registry_dir.resolve()),
        str(request.commit_url),
        str(request.site_url),
        str(request.page_size),
        f"{history_source.__module__}.{history_source.__qualname__}",
    )
    known: HistoryIndex | None = None
    try:
        with collector_paused():
            previous = load_state(cache, request.out, signature, before)
            if previous is not None and head is not None and history_source is history_of:
                # The cached history index loads on a thread while this process waits for the child.
                with ThreadPoolExecutor(1) as pool:
                    loading = pool.submit(changes.history_index, root, registry_dir)
                    surveyed = surveying.result()
                    known = loading.result()
            else:
                surveyed = surveying.result()
    finally:
        surveying.cancel()
    pipeline = Pipeline(
        root, registry_dir, jobs=request.jobs, start_method=request.start_method, layout=surveyed.layout
    )
    inputs = (
        changes.partial(pipeline, previous, head, request.as_of, surveyed)
        if previous
        else "no previous build to start from"
    )
    index: Background[None] | None = None
    if isinstance(inputs, str):
        request.log(f"full build: {inputs}")
        if not pipeline.layout.stated:  # a light scan: the full build checks every file
            pipeline = Pipeline(root, registry_dir, jobs=request.jobs, start_method=request.start_method)
        if head and known is None:  # Git walks the history into fmar's cache while the records are read
            index = Background(
                "history index", changes.index_history, root, registry_dir, start_method=request.start_method
            )
        try:
            inputs = plan.full(pipeline, inputs, request.progress, start_method=request.start_method)
        except BaseException:
            if index is not None:
                index.cancel()
            raise
    try:
        if index is not None:
            index.result()
        with collector_paused():
            if history_source is history_of:
                history = history_of(root, registry_dir, inputs.registry, removed=inputs.full, index=known)
            else:
                history = history_source(root, registry_dir, inputs.registry)
    finally:
        if index is not None:
            index.cancel()
        inputs.checking()  # the cross-record rules, checked meanwhile: refuses a registry with errors
    plan.refuse_unverified(pipeline, inputs)  # every record read must stand
    return _Planned(inputs, history, previous, signature, serial, pipeline)


def _overview(derived: Derived, planned: _Planned) -> Overview:
    """The registry-wide view the pages and exports are made of; the derived units' facts and
    changes are added as workers derive them."""
    registry, history, previous, inputs = derived.registry, derived.history, planned.previous, planned.inputs
    reference = {kind: registry.table(kind) for kind in sorted(REFERENCE_KINDS)}
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
    return Overview(
        derived.as_of,
        history.head,
        reference["party"],  # type: ignore[arg-type]
        reference["product"],  # type: ignore[arg-type]
        reference["process"],  # type: ignore[arg-type]
        dict(inputs.kept),
        ledger,
        reference["data_object"],  # type: ignore[arg-type]
        reference["import_attestation"],  # type: ignore[arg-type]
        reference["toolkit"],  # type: ignore[arg-type]
        reference["practice"],  # type: ignore[arg-type]
    )


def _write_groups(request: _Request, writer: RecordWriter, overview: Overview, inputs: plan.Inputs) -> dict[str, bytes]:
    """Keep the files of the unit groups not derived again; write those of the derived ones in
    worker processes and add their facts and changes to ``overview``. Returns the derived units'
    encoded facts."""
    staging, registry = writer.staging, writer.derived.registry
    if not inputs.full:  # the kept units' documents and pages (derived ones come from the workers)
        missing = staging.keep_all(rel for facts in overview.facts.values() for rel in facts.files)
        if missing is not None:
            raise OutputIncomplete(f"{staging.out} lacks {missing}")
    # Indexes the workers read, built once here rather than in every worker.
    for index in ("applications_by_unit", "answers"):
        getattr(registry, index)
    units = sorted(inputs.units)
    chunks = [units[i : i + _CHUNK] for i in range(0, len(units), _CHUNK)]
    results = workers.run(write_units, writer, chunks, jobs=request.jobs, start_method=request.start_method)
    encoded: dict[str, bytes] = {}
    rows: list[Row] = []
    with collector_paused():
        for written in results:
            staging.record(*written.share)
            rows.extend(written.rows)
            for blob in written.facts:
                facts = decode_facts(blob)
                overview.facts[facts.unit] = facts
                encoded[facts.unit] = blob
    overview.ledger.replace(units, rows)
    request.log(f"{len(units)} Market Units derived; their documents and pages rendered")
    return encoded


@dataclass(frozen=True)
class _Bulk:
    """Where the bulk files go: ``url`` (``{tag}`` replaced) and ``out`` when not on the site."""

    url: str | None
    out: Path | None
    tag: str


def _write_registry_wide(
    request: _Request, writer: RecordWriter, overview: Overview, inputs: plan.Inputs, elsewhere: _Bulk
) -> BuildResult:
    """Products' and parties' documents and pages, the exports and all.zip, the documentation,
    lists, search and filter indexes, and the data package; the bulk files then leave the site
    when they are published elsewhere."""
    staging, registry, log = writer.staging, writer.derived.registry, request.log
    # A full build's zip is mostly new entries: the units' and applications' documents (all
    # written now) are deflated in a child process while the rest is made.
    ahead = exports.ZipAhead(staging, start_method=request.start_method) if inputs.full else None
    # The exports are joined in another child meanwhile: it writes them into the staging folder
    # and hands back what it wrote.
    exporting = Background(
        "exports",
        staging.apart,
        exports.write_exports,
        staging,
        overview,
        request.site_url,
        elsewhere.url,
        start_method=request.start_method,
    )
    try:
        writer.products_and_parties(overview)
        pages_written = staging.written
        log(f"record documents and pages: {pages_written} files written")
        _, share = exporting.result()
        staging.record(*share)
        log("exports, feeds and schemas written")
        # Every file all.zip holds is written: it is zipped in another process meanwhile.
        bulk = exports.Bulk(
            staging, ahead, start_method=request.start_method, elsewhere=elsewhere.out if elsewhere.url else None
        )
    except BaseException:
        exporting.cancel()
        if ahead is not None:
            ahead.cancel()
        raise
    try:
        docs = docs_site.build_mkdocs(overview, staging, request.root, request.site_url, elsewhere.url)
        static = Path(__file__).parent / "static"
        for path in sorted(static.iterdir()):
            staging.put(f"assets/fmar/{path.name}", path.read_bytes())
        staging.put(FRAME_SCRIPT, writer.meta.shells.script.encode())
        lists.write_lists(staging, overview, writer.meta, docs, elsewhere.url)
        log("documentation, unit table, search and filter indexes written")
        if request.site_url:  # every page is written: the sitemap lists them
            sitemap.write_sitemap(staging, request.site_url)
            log(f"sitemap.xml and robots.txt written for {request.site_url}")
        else:
            log("no site URL (--site-url): no sitemap.xml nor robots.txt; feed links relative to each feed")
        hashes = exports.write_package(staging, overview, bulk.finish(staging), len(bulk.names), elsewhere.url)
    finally:
        bulk.cancel()
    log("all.zip and the data package written")
    if elsewhere.url and elsewhere.out is not None:
        exports.move_bulk(staging, elsewhere.out, hashes, elsewhere.tag)
        log(f"bulk files in {elsewhere.out} for the release {elsewhere.tag}, linked at {elsewhere.url}")
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


def _remember(
    request: _Request,
    pipeline: Pipeline,
    planned: _Planned,
    derived: Derived,
    overview: Overview,
    encoded: dict[str, bytes],
) -> Background[set[str]]:
    """Save the build state in a child process (sealed after publishing)."""
    inputs, previous, registry = planned.inputs, planned.previous, derived.registry
    kept = previous if previous is not None and not inputs.full else None
    application_unit = dict(kept.application_unit) if kept else {}
    application_unit.update({a.id: a.unit for a in registry.applications.values()})
    group_of = dict(kept.group_of) if kept else {}
    group_of.update(plan.groups(registry, application_unit))
    state = BuildState(
        serial=planned.serial,
        signature=planned.signature,
        as_of=derived.as_of,
        head=derived.history.head,
        group_of=group_of,
        application_unit=application_unit,
        reference=plan.reference_files(registry, inputs.seals)
        if inputs.full or previous is None
        else previous.reference,
        facts=overview.facts,
        ledger=overview.ledger,
        latest=_latest(derived.history, previous),
    )
    out, start_method = request.out, request.start_method
    return Background("build state", save_state, pipeline.cache, out, state, kept, encoded, start_method=start_method)


def _cancel(children: list[Background[set[str]]]) -> None:
    for child in children:
        child.cancel()


def _latest(history: History, previous: BuildState | None) -> datetime:
    moments = [t.at for t in history.recorded.values()]
    if previous is not None and previous.latest is not None:
        moments.append(previous.latest)
    return max(moments, default=datetime.fromtimestamp(0).astimezone())


__all__ = ["BuildResult", "build", "history_of"]
