"""The exports under ``/api/v2/`` a build writes itself: the registry-wide documents (qualifications,
changes and units as JSON and CSV, the index), the feeds, the schemas, the bulk download
``all.zip`` (made in a child process while the build goes on) and the data package describing them.

The record documents (one per unit, application, product and party) are written by
``publish.records``; this module only joins what every unit's facts already hold.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path

from fmar.core.schemas import documents as record_schema_texts
from fmar.core.workflow.portfolio import PORTFOLIO_COLUMNS, portfolio_document
from fmar.core.workflow.reports import COLUMNS as REPORT_COLUMNS
from fmar.core.workflow.reports import csv_row, report_document
from fmar.core.workflow.service_levels import INBOX_COLUMNS, INBOX_FORMAT
from fmar.publish import derive, formats, pages, toolkit_ld, zip_writer
from fmar.publish.background import Background
from fmar.publish.documents import DataResource, schema_texts
from fmar.publish.facts import UnitFacts
from fmar.publish.feeds import feeds
from fmar.publish.openapi import OPENAPI, openapi_doc
from fmar.publish.output import Staging, digest, fresh
from fmar.publish.overview import Overview
from fmar.publish.urls import API_ROOT, BULK_FILES, PORTFOLIOS_ZIP, download_url, export_url, relative
from fmar.signing.records import iso


def _listing(overview: Overview, name: str, items: bytes) -> bytes:
    """A registry-wide JSON document: the as-of time, the format and ``items`` (an encoded array) as ``name``."""
    head = b'{"as_of":' + pages.encode(iso(overview.as_of)) + b',"format":' + pages.encode(derive.FORMAT)
    return head + b',"' + name.encode() + b'":' + items + b"}\n"


def write_exports(staging: Staging, overview: Overview, site_url: str | None = None, bulk: str | None = None) -> None:
    """The registry-wide exports, joined from each unit's encoded facts (see ``pages.encode``),
    the feeds (absolute links from ``site_url`` when given) and the schemas. ``bulk``: the URL of
    the folder the bulk files are published in, when not on the site (``urls.download_url``)."""
    base = API_ROOT
    units = list(overview.units())
    files: dict[str, bytes] = {}
    files["qualifications.json"] = _listing(overview, "qualifications", overview.qualifications_json())
    files["qualifications.csv"] = formats.csv_lines([derive.QUALIFICATION_COLUMNS]) + b"".join(
        f.qualifications_csv for f in units
    )
    files["changes.csv"] = formats.csv_lines([derive.CHANGE_COLUMNS]) + overview.ledger.csv_body()
    files["transitions.csv"] = formats.csv_lines([derive.TRANSITION_COLUMNS]) + b"".join(
        f.transitions_csv for f in units
    )
    transitions = b"[" + b",".join(f.transitions_json for f in units if f.transitions_json) + b"]"
    files["transitions.json"] = _listing(overview, "transitions", transitions)
    files["units.csv"] = formats.csv_lines([derive.UNIT_COLUMNS]) + b"".join(f.unit_csv for f in units)
    files["index.json"] = formats.json_bytes(derive.index_doc(overview.as_of, overview.head, overview.counts, bulk))
    files[OPENAPI] = formats.json_bytes(openapi_doc(bulk, site_url))
    for so in overview.system_operators():
        files[f"inboxes/{so}.json"], files[f"inboxes/{so}.csv"] = inbox_files(overview, so)
    portfolios: dict[str, bytes] = {}
    for fsp, group in overview.portfolios.items():
        portfolios[f"{fsp}.json"], portfolios[f"{fsp}.csv"] = portfolio_files(fsp, group)
    if not bulk:  # else they travel with the bulk files, in the zip alone
        files.update((f"portfolios/{name}", data) for name, data in portfolios.items())
    files[PORTFOLIOS_ZIP] = zip_writer.zip_bytes(portfolios)
    for span, rows in overview.reports.items():
        files[f"reports/{span.name}.json"] = formats.json_bytes(report_document(span, rows, overview.as_of))
        files[f"reports/{span.name}.csv"] = formats.csv_bytes(REPORT_COLUMNS, [csv_row(span, row) for row in rows])
    toolkit = overview.toolkit
    files["toolkit.json"] = formats.json_bytes(
        toolkit_ld.toolkit_json(overview.processes, overview.data_objects, toolkit, overview.practices)
    )
    files["toolkit.jsonld"] = formats.json_bytes(
        toolkit_ld.toolkit_jsonld(overview.processes, overview.data_objects, toolkit)
    )
    files["toolkit.context.jsonld"] = formats.json_bytes({"@context": toolkit_ld.CONTEXT})
    for name, data in files.items():
        staging.put(f"{base}/{name}", data)
    for rel, data in feeds(overview, site_url, bulk).items():
        staging.put(f"{base}/feeds/{rel}", data)
    for name, text in {**schema_texts(), **record_schema_texts()}.items():
        staging.put(f"schemas/{name}", text.encode())


def inbox_files(overview: Overview, so: str) -> tuple[bytes, bytes]:
    """The SO's inbox (``Overview.inbox``) as JSON (``fmar inbox SO --format json``'s document, less
    its ``unverified``: the site is built from verified records alone) and as CSV."""
    entries = overview.inbox(so)
    head = {"format": INBOX_FORMAT, "so": so, "as_of": iso(overview.as_of)}
    document = formats.json_bytes({**head, "applications": entries})
    rows = [["" if entry[column] is None else entry[column] for column in INBOX_COLUMNS] for entry in entries]
    return document, formats.csv_bytes(INBOX_COLUMNS, rows)


def portfolio_files(fsp: str, group: list[UnitFacts]) -> tuple[bytes, bytes]:
    """The FSP's portfolio as JSON (``fmar portfolio FSP --format json``'s document, less its
    ``unverified``) and as CSV, joined from its units' rows (``UnitFacts.portfolio_json``,
    ``portfolio_csv``): by unit, then product."""
    head = formats.json_bytes(portfolio_document(fsp, []))
    rows = b",".join(f.portfolio_json for f in group if f.portfolio_json)
    document = head.replace(b'"rows":[]', b'"rows":[' + rows + b"]", 1)
    return document, formats.csv_lines([PORTFOLIO_COLUMNS]) + b"".join(f.portfolio_csv for f in group)


#: The bulk download, and the data package describing the exports (neither is inside the zip).
BULK, PACKAGE = "all.zip", "datapackage.json"
_TABULAR = {
    "qualifications.csv": derive.QUALIFICATION_COLUMNS,
    "changes.csv": derive.CHANGE_COLUMNS,
    "transitions.csv": derive.TRANSITION_COLUMNS,
    "units.csv": derive.UNIT_COLUMNS,
}
_PACKAGED = ("index.json", "qualifications.json", "transitions.json", "toolkit.json", *_TABULAR, PORTFOLIOS_ZIP)


def bulk_entries(manifest: dict[str, str]) -> list[str]:
    """What ``all.zip`` holds: every file under the API folder and the schemas, but itself and the package."""
    skip = {f"{API_ROOT}/{BULK}", f"{API_ROOT}/{PACKAGE}"}
    return sorted(rel for rel in manifest if rel.startswith((f"{API_ROOT}/", "schemas/")) and rel not in skip)


@dataclass(frozen=True)
class ZipJob:
    """What the child that makes ``all.zip`` is asked to do (sent to it through a pipe by ``ZipAhead``)."""

    #: Where the zip is written (the staging folder's copy), and the folder its entries are read from.
    path: Path
    root: Path
    names: list[str]
    #: The live site's zip, whose entries in ``unchanged`` are copied rather than compressed again.
    previous: Path
    unchanged: set[str]
    #: False when the zip is current: the child only hashes it.
    write: bool
    #: The SHA-256 ``previous`` must have for its entries to be copied (None: not checked, it is
    #: the live site's own zip).
    previous_sha256: str | None = None


class Bulk:
    """``all.zip`` from the files already written, made in a child process while this one goes on.

    Rebuilt only when one of its entries changed: its key is the hash of the entries' own manifest
    keys, so an unchanged export costs a hash of names, not a recompression; entries whose inputs
    did not change since the previous build are copied from its zip, not compressed again. The
    child also hashes the zip for the data package, changed or not. ``ahead``: the child that
    deflated the record documents already, which then writes the zip.
    """

    def __init__(
        self,
        staging: Staging,
        ahead: ZipAhead | None = None,
        *,
        start_method: str = "fork",
        elsewhere: Path | None = None,
    ) -> None:
        self.rel = f"{API_ROOT}/{BULK}"
        self.names = bulk_entries(staging.manifest)
        manifest = staging.manifest
        self.key = digest("bulk", formats.zip_format(), "\n".join([f"{rel}={manifest[rel]}" for rel in self.names]))
        self.write = not staging.is_current(self.rel, self.key)
        path = fresh(staging.root / self.rel) if self.write else staging.root / self.rel
        unchanged = {rel for rel in self.names if staging.previous.get(rel) == staging.manifest[rel]}
        previous, expected = (
            previous_zip(staging, elsewhere) if elsewhere is not None else (staging.out / self.rel, None)
        )
        job = ZipJob(path, staging.root, self.names, previous, unchanged, self.write, expected)
        self.child = (
            ahead.start(job) if ahead is not None else Background("all.zip", write_zip, job, start_method=start_method)
        )

    def finish(self, staging: Staging) -> tuple[int, str]:
        """Wait for the zip; its size and SHA-256."""
        size_and_hash = self.child.result()
        if self.write:
            staging.manifest[self.rel] = self.key
            staging.written += 1
        return size_and_hash

    def cancel(self) -> None:
        self.child.cancel()


class ZipAhead:
    """A child process that deflates the documents written so far, then waits for the zip's job."""

    def __init__(self, staging: Staging, *, start_method: str = "fork") -> None:
        prefix = f"{API_ROOT}/"
        paths = [f"{staging.root}/{rel}" for rel in staging.manifest if rel.startswith(prefix)]
        receiver, self._sender = Pipe(duplex=False)
        self.child: Background[tuple[int, str] | None] = Background(
            "all.zip", _write_zip_when_asked, receiver, paths, start_method=start_method
        )
        receiver.close()

    def start(self, job: ZipJob) -> Background[tuple[int, str]]:
        self._sender.send(job)
        self._sender.close()
        return self.child  # type: ignore[return-value]  # None only when the job was never sent

    def cancel(self) -> None:
        self._sender.close()
        self.child.cancel()


def _write_zip_when_asked(asked: Connection, paths: list[str]) -> tuple[int, str] | None:
    deflated = zip_writer.deflate_ahead(paths)
    try:
        job = asked.recv()
    except EOFError:
        return None  # the build stopped before the zip
    return write_zip(job, deflated)


def write_zip(job: ZipJob, deflated: zip_writer.Deflated | None = None) -> tuple[int, str]:
    """Write ``all.zip`` as ``job`` says (unless it is current); its size and SHA-256."""
    try:
        if job.write:
            previous: Path | None = job.previous
            if job.previous_sha256 is not None and not _has_sha256(job.previous, job.previous_sha256):
                previous = None  # not the zip the live site describes: every entry is deflated
            formats.write_zip(
                job.path, job.root, job.names, previous=previous, unchanged=job.unchanged, deflated=deflated
            )
        return formats.file_sha256(job.path)
    except OSError as error:
        raise RuntimeError(f"all.zip could not be written: {error}") from error


def _has_sha256(path: Path, expected: str) -> bool:
    try:
        return formats.file_sha256(path)[1] == expected
    except OSError:
        return False


def previous_zip(staging: Staging, elsewhere: Path) -> tuple[Path, str | None]:
    """The zip the live site's ``datapackage.json`` describes, when the bulk files are published
    ``elsewhere`` (a folder beside the site): the one there (or, after a build that kept them on the
    site, the site's), with the SHA-256 it must have to be copied from (checked by the child)."""
    package = f"{API_ROOT}/{PACKAGE}"
    if package not in staging.previous:
        return elsewhere / BULK, ""  # no live description: nothing is copied
    try:
        described = json.loads((staging.out / package).read_bytes())
        (resource,) = [r for r in described["resources"] if r.get("name") == "all"]
        size, sha = int(resource["bytes"]), str(resource["hash"]).removeprefix("sha256:")
    except (OSError, ValueError, KeyError, TypeError):
        return elsewhere / BULK, ""
    for path in (elsewhere / BULK, staging.out / API_ROOT / BULK):
        if path.is_file() and path.stat().st_size == size:
            return path, sha
    return elsewhere / BULK, ""


def write_package(
    staging: Staging, overview: Overview, bulk: tuple[int, str], entries: int, elsewhere: str | None = None
) -> dict[str, str]:
    """``datapackage.json``: the tabular and JSON exports, and the zip; their paths absolute under
    ``elsewhere`` when the bulk files are published there. Returns the SHA-256 of each bulk file."""
    base = API_ROOT
    size, sha = bulk
    resources = []
    hashes = {BULK: sha}
    for name in _PACKAGED:
        data = (staging.root / base / name).read_bytes()
        path = relative(download_url(name, elsewhere if name in BULK_FILES else None), f"{base}/{PACKAGE}")
        if name in _TABULAR:
            resources.append(
                derive.data_resource(
                    name.removesuffix(".csv"),
                    path,
                    data,
                    "csv",
                    "text/csv",
                    encoding="utf-8",
                    schema=derive.table_schema(_TABULAR[name]),
                )
            )
        elif name.endswith(".zip"):
            resources.append(derive.data_resource(name.replace(".", "-"), path, data, "zip", "application/zip"))
        else:
            resources.append(derive.data_resource(name.replace(".", "-"), path, data, "json", "application/json"))
        if name in BULK_FILES:
            hashes[name] = resources[-1].hash.removeprefix("sha256:")
    tables: list[tuple[str, str, tuple[str, ...]]] = [
        (f"inbox-{so.lower()}", f"inboxes/{so}.csv", INBOX_COLUMNS) for so in overview.system_operators()
    ]
    tables += [(f"report-{s.name.lower()}", f"reports/{s.name}.csv", REPORT_COLUMNS) for s in overview.reports]
    if not elsewhere:
        tables += [
            (f"portfolio-{fsp.lower()}", f"portfolios/{fsp}.csv", PORTFOLIO_COLUMNS) for fsp in overview.portfolios
        ]
    for resource, name, columns in tables:
        resources.append(
            derive.data_resource(
                resource,
                relative(export_url(name), f"{base}/{PACKAGE}"),
                (staging.root / base / name).read_bytes(),
                "csv",
                "text/csv",
                encoding="utf-8",
                schema=derive.table_schema(columns),
            )
        )
    resources.append(
        DataResource.model_construct(
            name="all",
            path=relative(download_url(BULK, elsewhere), f"{base}/{PACKAGE}"),
            format="zip",
            mediatype="application/zip",
            bytes=size,
            hash=f"sha256:{sha}",
            entries=entries,
        )
    )
    package = derive.data_package(overview.as_of, resources)
    staging.put(f"{base}/{PACKAGE}", formats.json_bytes(package))
    return hashes


#: The files of the bulk folder beside the bulk files: their SHA-256 (as ``sha256sum`` writes and
#: checks them) and the release tag they are published under.
SUMS, TAG = "SHA256SUMS", "TAG"


def release_tag(as_of: datetime, head: str | None) -> str:
    """The tag of the release the bulk files of a build are published under: from the build's
    as-of time and head commit, so the same build always names the same release
    (``data-20261101T000000Z-037e3c299819``)."""
    stamp = as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"data-{stamp}" + (f"-{head[:12]}" if head else "")


def move_bulk(staging: Staging, folder: Path, hashes: dict[str, str], tag: str) -> None:
    """Take the bulk files out of the site into ``folder`` (made if need be), with ``SHA256SUMS``
    and ``TAG``; the site keeps no trace of them (their links point where they are published)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in BULK_FILES:
        rel = f"{API_ROOT}/{name}"
        target = folder / name
        try:
            (staging.root / rel).replace(target)
        except OSError:  # another file system
            shutil.copyfile(staging.root / rel, fresh(target))
            (staging.root / rel).unlink()
        staging.manifest.pop(rel, None)
    sums = "".join(f"{hashes[name]}  {name}\n" for name in sorted(BULK_FILES))
    (folder / SUMS).write_text(sums, encoding="utf-8")
    (folder / TAG).write_text(tag + "\n", encoding="utf-8")


__all__ = [
    "BULK",
    "PACKAGE",
    "SUMS",
    "TAG",
    "Bulk",
    "ZipAhead",
    "ZipJob",
    "bulk_entries",
    "move_bulk",
    "previous_zip",
    "release_tag",
    "write_exports",
    "write_package",
    "write_zip",
]
