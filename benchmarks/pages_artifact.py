"""What GitHub Pages would be given: the size of the site ``fmar build`` publishes, measured as deployed.

    python benchmarks/pages_artifact.py [--units 2000 100000] [--work DIR] [--keep DIR] [--no-gzip]

For each size (registries from ``fmar generate``, cached in --work as ``benchmarks/run.py`` does;
``--work /work/main/benchmarks/work`` uses a prepared one, read only) it builds the site from
nothing as ``publish.yml`` does (``--site-url``), into a temporary folder, then packs that folder
exactly as ``actions/upload-pages-artifact`` does::

    tar --dereference --hard-dereference --directory SITE -cvf artifact.tar --exclude=.git --exclude=.github .

and reports the tar's bytes (what Pages unpacks: a published site may be at most 1 GB; this
project aims at 700 MB at 100,000 units), its gzip size at level 6 (about what
``upload-artifact`` stores, for information), the files and folders in it, a breakdown by kind
(record pages, record JSON, filter indexes, search shards, documentation, bulk files...) and by
top-level folder (each with the files' own bytes and their bytes in the tar: every member costs a
512-byte header and is padded to 512 bytes, which at 300,000 small files is a large share), the
largest files, and any internal file of the build (dot files) the tar would publish.
Results go to benchmarks/results/pages-artifact-<units>[-<label>].json and benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from fmar.publish.urls import API_ROOT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: A published GitHub Pages site may be at most this large; this project's aim at 100,000 units.
LIMIT_BYTES = 10**9
AIM_BYTES = 700 * 10**6
#: The site URL the benchmark builds for (``publish.yml`` passes the one GitHub Pages reports), and
#: where the bulk files are published (``publish.yml``: the assets of the build's release).
SITE_URL = "https://owner.github.io/fmar/"
BULK_URL = "https://github.com/owner/fmar/releases/download/{tag}/"
#: The export files at the root of ``api/v2/`` (each is its own line of the breakdown).
_RECORD_FOLDERS = ("units", "applications", "products", "parties")
_LIST_PAGE = ("index.html",)
TOP_FILES = 25


def kind_of(rel: str) -> str:
    """The line of the breakdown a site file (path relative to the site, no ``./``) counts in."""
    parts = rel.split("/")
    name = parts[-1]
    if any(part.startswith(".") for part in parts):
        return "internal (dot files)"
    top = parts[0]
    if top == "api" and len(parts) >= 3:
        if len(parts) == 3:
            return f"export: {name}"
        if parts[2] in _RECORD_FOLDERS:
            return f"record JSON: {parts[2]}"
        if parts[2] == "feeds":
            return "Atom feeds"
        return f"api: {parts[2]}"
    if top in _RECORD_FOLDERS and len(parts) == 2:
        if name in _LIST_PAGE or name.startswith("page-"):
            return "list pages"
        return f"record pages: {top}"
    if top == "filters":
        return "filter indexes"
    if top == "search":
        return "search shards"
    if top == "schemas":
        return "JSON Schemas"
    if top == "assets":
        return "assets (theme, scripts, source maps)" if parts[1] != "fmar" else "assets: fmar's script and style"
    if name.startswith("sitemap") or name == "robots.txt":
        return "sitemaps, robots.txt"
    if name.endswith(".html") or top == "guides":
        return "documentation (mkdocs)"
    return f"other: {name if len(parts) == 1 else top + '/'}"


def _padded(size: int) -> int:
    return -(-size // 512) * 512


def pack(site: Path, tar: Path) -> float:
    """``tar`` the site exactly as ``actions/upload-pages-artifact`` does; seconds taken."""
    started = time.perf_counter()
    subprocess.run(
        [
            "tar",
            "--dereference",
            "--hard-dereference",
            "--directory",
            str(site),
            "-cvf",
            str(tar),
            "--exclude=.git",
            "--exclude=.github",
            ".",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def gzip_size(path: Path, level: int = 6) -> int:
    """Bytes of ``path`` deflated (gzip's and zip's deflate, level 6 as ``upload-artifact`` uses by default)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    total = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            total += len(compressor.compress(chunk))
    return total + len(compressor.flush())


def measure(site: Path, work: Path, *, gzip: bool = True) -> dict[str, Any]:
    """The artifact of ``site``: its tar's bytes (and gzip's), files, breakdowns, largest files."""
    tar = work / "artifact.tar"
    seconds = pack(site, tar)
    tar_bytes = tar.stat().st_size
    kinds: dict[str, Counter[str]] = {}
    tops: dict[str, Counter[str]] = {}
    largest: list[tuple[int, str]] = []
    internal: list[str] = []
    files = folders = 0
    with tarfile.open(tar) as archive:
        for member in archive:
            rel = member.name.removeprefix("./")
            if member.isdir():
                folders += 1
                continue
            files += 1
            in_tar = member.offset_data - member.offset + _padded(member.size)
            kind = kind_of(rel)
            top = rel.split("/")[0] + ("/" if "/" in rel else "")
            for table, key in ((kinds, kind), (tops, top)):
                line = table.setdefault(key, Counter())
                line["files"] += 1
                line["bytes"] += member.size
                line["tar_bytes"] += in_tar
            largest.append((member.size, rel))
            if kind.startswith("internal"):
                internal.append(rel)
    largest.sort(reverse=True)
    result: dict[str, Any] = {
        "artifact_tar_bytes": tar_bytes,
        "artifact_gzip_bytes": gzip_size(tar) if gzip else None,
        "files": files,
        "folders": folders,
        "content_bytes": sum(c["bytes"] for c in kinds.values()),
        "tar_seconds": round(seconds, 1),
        "limit_bytes": LIMIT_BYTES,
        "aim_bytes": AIM_BYTES,
        "share_of_limit": round(tar_bytes / LIMIT_BYTES, 3),
        "within_limit": tar_bytes <= LIMIT_BYTES,
        "within_aim": tar_bytes <= AIM_BYTES,
        "by_kind": _table(kinds),
        "by_top_level": _table(tops),
        "largest_files": [{"path": rel, "bytes": size} for size, rel in largest[:TOP_FILES]],
        "internal_files": sorted(internal),
    }
    tar.unlink()
    return result


def _table(lines: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    ordered = sorted(lines.items(), key=lambda item: -item[1]["tar_bytes"])
    return {key: {"files": c["files"], "bytes": c["bytes"], "tar_bytes": c["tar_bytes"]} for key, c in ordered}


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())


def _fields(doc: dict[str, Any], sizes: Counter[str]) -> None:
    """Add each top-level field's bytes (its key, colon, value and comma) to ``sizes``."""
    for key, value in doc.items():
        sizes[key] += len(key) + 4 + _json_size(value)


def costs(site: Path) -> dict[str, Any]:
    """What the biggest kinds of file spend their bytes on, to choose what to cut: the record pages'
    shared frame (everything outside ``<article>``) against their content, the unit documents'
    top-level fields and their entries' (applications', outcomes' and events') fields, and the
    filter indexes by filter."""
    result: dict[str, Any] = {}
    frame = content = pages = 0
    for path in (site / "units").glob("MU-*.html"):
        html = path.read_bytes()
        start = html.find(b"<article")
        end = html.find(b"</article>")
        inner = end - html.find(b">", start) - 1 if start >= 0 <= end else 0
        frame += len(html) - inner
        content += inner
        pages += 1
    result["unit_pages"] = {"pages": pages, "frame_bytes": frame, "content_bytes": content}
    sizes, applications, answers = Counter[str](), Counter[str](), Counter[str]()
    count = 0
    for path in (site / API_ROOT / "units").glob("*.json"):
        doc = json.loads(path.read_bytes())
        count += 1
        _fields(doc, sizes)
        for application in doc.get("applications", []):
            _fields(application, applications)
            for answer in application.get("answers", []):
                _fields(answer, answers)
    result["units_json"] = {
        "documents": count,
        "fields": dict(sizes.most_common()),
        "application_fields": dict(applications.most_common()),
        "answer_fields": dict(answers.most_common()),
    }
    result["filter_indexes"] = (
        {
            path.name: sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            for path in sorted((site / "filters").iterdir())
            if path.is_dir()
        }
        if (site / "filters").is_dir()
        else {}
    )
    return result


def folder_files(folder: Path) -> dict[str, int]:
    """Name -> bytes of the files in ``folder`` (the bulk files a build leaves out of the site)."""
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


def run(
    units: int,
    work: Path,
    *,
    keep: Path | None = None,
    gzip: bool = True,
    label: str = "",
    with_costs: bool = False,
    site: Path | None = None,
    bulk_on_site: bool = False,
) -> dict[str, Any]:
    """Build ``units`` as ``publish.yml`` does (or take the site built in ``site``) and measure its
    Pages artifact; write and return the results. ``bulk_on_site``: build as a local build does,
    the bulk files kept on the site (no bulk URL)."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fmar-bench-pages-") as tmp:
        bulk = (keep or Path(tmp)) / "bulk"
        options: dict[str, Any] = {"site_url": SITE_URL}
        if not bulk_on_site:
            options.update(bulk_url=BULK_URL, bulk_out=bulk)
        figures: dict[str, Any] = {"units": units, "label": label}
        if site is None:
            out = (keep or Path(tmp)) / "site"
            seconds, built = _build_registry(units, work, out, Path(tmp, "cache"), options)
            print(f"{units:,} units: built in {seconds:.1f} s; packing as upload-pages-artifact does ...", flush=True)
            shown = {key: str(value) for key, value in options.items()}
            figures.update(records=built.records, build_options=shown, full_build_s=round(seconds, 1))
        else:
            out = site
            bulk = site.parent / "bulk"
        figures["bulk_files"] = folder_files(bulk)
        command = ["python", "benchmarks/pages_artifact.py", "--units", str(units)]
        command += ["--site", str(site)] if site else []
        command += ["--bulk-on-site"] if bulk_on_site else []
        command += ["--costs"] if with_costs else []
        command += ["--label", label] if label else []
        figures["command"] = " ".join(command)
        figures.update(measure(out, Path(tmp), gzip=gzip))
        if with_costs:
            figures["costs"] = costs(out)
    sys.path.insert(0, str(Path(__file__).parent))
    from run import machine

    figures["machine"] = machine(load_before)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"pages-artifact-{units}" + (f"-{label}" if label else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    report(figures)
    return figures


def _build_registry(units: int, work: Path, out: Path, cache: Path, options: dict[str, Any]) -> tuple[float, Any]:
    """Build the generated registry of ``units`` into ``out`` with an empty build cache (``cache``)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from run import ensure_registry, timed_build

    registry = ensure_registry(work, units)
    previous_cache = os.environ.get("FMAR_CACHE_DIR")
    os.environ["FMAR_CACHE_DIR"] = str(cache)
    try:
        return timed_build(registry.parent, registry, out, **options)
    finally:
        if previous_cache is None:
            os.environ.pop("FMAR_CACHE_DIR", None)
        else:
            os.environ["FMAR_CACHE_DIR"] = previous_cache


def _mb(value: int) -> str:
    return f"{value / 1e6:,.1f} MB"


def report(r: dict[str, Any]) -> None:
    gz = r["artifact_gzip_bytes"]
    print(
        f"{r['units']:,} units: artifact.tar {_mb(r['artifact_tar_bytes'])} ({r['share_of_limit']:.0%} of the 1 GB "
        f"limit; aim 700 MB: {'met' if r['within_aim'] else 'NOT met'}), gzip {_mb(gz) if gz else '-'}, "
        f"{r['files']:,} files in {r['folders']:,} folders"
    )
    for kind, line in r["by_kind"].items():
        print(f"  {kind:45} {line['files']:>9,} files {_mb(line['bytes']):>12} {_mb(line['tar_bytes']):>12} in the tar")
    print("  largest files:")
    for entry in r["largest_files"][:10]:
        print(f"    {_mb(entry['bytes']):>12} {entry['path']}")
    if r["internal_files"]:
        print(f"  internal files published: {', '.join(r['internal_files'])}")
    if r.get("bulk_files"):
        shown = ", ".join(f"{name} {_mb(size)}" for name, size in r["bulk_files"].items())
        print(f"  bulk files left out (release assets): {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[100_000])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--keep", type=Path, default=None, help="Build into DIR/site and keep it (to look inside).")
    parser.add_argument(
        "--label", default="", help="Keep this run apart (results/pages-artifact-<units>-<label>.json), e.g. 'before'."
    )
    parser.add_argument("--costs", action="store_true", help="Also say what the largest kinds spend their bytes on.")
    parser.add_argument("--site", type=Path, default=None, help="Measure this built site instead of building.")
    parser.add_argument(
        "--bulk-on-site", action="store_true", help="Keep the bulk files on the site, as a build without --bulk-url."
    )
    parser.add_argument("--no-gzip", dest="gzip", action="store_false", help="Skip the gzip size (a minute at 2 GB).")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for units in args.units:
        run(
            units,
            args.work,
            keep=args.keep,
            gzip=args.gzip,
            label=args.label,
            with_costs=args.costs,
            site=args.site,
            bulk_on_site=args.bulk_on_site,
        )
    sys.path.insert(0, str(Path(__file__).parent))
    from run import write_tables

    write_tables()
    print(f"results in {RESULTS}/pages-artifact-<units>.json and benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
