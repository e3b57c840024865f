"""Benchmark of the site's search in real Chromium: Pagefind against the site's own search (issue 15).

    python benchmarks/search_bench.py [--units 2000] [--clone REPO] [--work DIR] [--runs 3]
                                      [--engines pagefind units-table search-page] [--no-pagefind-index]

1. A built site of ``--units`` Market Units: the registry ``benchmarks/run.py`` generates (cached in
   --work), or with ``--clone REPO`` a clone of a registry repository made elsewhere (e.g. the prepared
   100,000-unit one), built once with ``fmar build`` into ``<work>/search-<units>/site`` and reused
   after (delete the folder to build again; the build's seconds are kept in ``build.json`` beside it).
2. Pagefind (the ``pagefind[bin]`` package's binary) indexes the site's HTML into ``site/pagefind/``:
   indexing seconds, bytes and files of the index (skipped, with a message, when the package is not
   installed; ``--no-pagefind-index`` reuses an index already there).
3. The site is served on 127.0.0.1 under ``/fmar/`` (``fmar.publish.serve.in_background``, as GitHub
   Pages serves a project site) and every engine answers the same queries in headless Chromium
   (``/usr/bin/chromium``):
   - ``pagefind``: a test page ``bench/pagefind.html`` imports ``pagefind/pagefind.js``; a query is
     ``await pagefind.search(q)`` and the data of its first 10 results. The first query on a page
     includes loading pagefind.js, its WebAssembly and metadata, and the index chunks it needs.
   - ``units-table``: the site's current search, ``units/index.html``: the query is put in ``#fmar-q``
     (an ``input`` event), and the time runs until the table's rows are rendered. It includes the
     page's debounce (read from the built ``site.js``), reported apart too.
   - ``search-page``: the site-wide search page replacing it, ``search/index.html`` (results in
     ``#fmar-search-results``, one ``li`` with a link per result), measured when the built site has
     it: through its input if it has one (``main input[name=q]``, ``main input[type=search]`` or
     ``#fmar-search-q``: until the list and what is beside it stop changing), else by opening
     ``search/index.html?q=...`` (from the navigation's start, so including the page's load).
   The DOM engines' times include any debounce of their input.
   Each query is timed three ways: ``cold`` (a new browser context, no cache: page loaded, then the
   first query), ``warm`` (the engine already used by another query on the page, this query not
   asked yet) and ``repeat`` (the same query asked again). Bytes are the response bodies the browser
   received during the query, and what they would be gzip-compressed (GitHub Pages compresses text;
   the local server does not).
4. Recall: each query names the record it must find (``0001``: a unit ``MU-<FSP>-000001``; ``NESO-DC``
   its product page...); the result says whether it is among the first 10 results and its rank.
5. Each engine is also opened from ``file://`` (no server): a query either answers or its error is
   reported.

Engines are functions ``(page, query) -> Answer`` in ``ENGINES``: adding or re-pointing one is a function.
The result goes to ``benchmarks/results/search-<units>.json`` and a section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fmar.publish.urls import API_ROOT
from run import BIN, RESULTS, ROOT, ensure_registry, machine

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BASE = "/fmar/"
#: How Pagefind indexes the site: the page's article only (not the theme's navigation), without the
#: list tables (every unit's list page would match every id), timelines and signatures (key
#: fingerprints, event ids and dates: words nobody searches that bloat the index); result links keep
#: index.html, as the site links folders by it (``file://`` has no directory index).
PAGEFIND_ARGS = (
    "--root-selector",
    "article",
    "--exclude-selectors",
    "#fmar-table, .fmar-timeline, .fmar-signature, .fmar-footer",
    "--force-language",
    "en",
    "--keep-index-url",
)
#: Results a user sees, and how far a result list is read to rank the record a query must find.
SHOWN, RANKED = 10, 100
#: Milliseconds without a change to a results element after which its answer is complete.
QUIET_MS = 400
TIMEOUT_MS = 30_000


# --- The site --------------------------------------------------------------------------------------


def ensure_site(units: int, work: Path, clone: Path | None) -> tuple[Path, dict[str, Any]]:
    """The built site of ``units`` Market Units, built once (see the module's docstring)."""
    folder = work / f"search-{units}"
    site, info_path = folder / "site", folder / "build.json"
    if (site / API_ROOT / "index.json").exists() and info_path.exists():
        return site, json.loads(info_path.read_text())
    if clone is not None:
        root = work / "clones" / f"units-{units}"
        if not (root / ".git").exists():
            print(f"cloning {clone} ...", flush=True)
            subprocess.run(["rm", "-rf", str(root)], check=True)
            root.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "clone", "--quiet", str(clone), str(root)], check=True)
        registry, source = root / "registry", f"clone of {clone}"
    else:
        registry, source = ensure_registry(work, units), "fmar generate"
    markets = registry / "market_unit"
    found = sum(1 for _ in markets.rglob("*.yaml"))
    if found != units:
        raise SystemExit(f"{registry} has {found:,} Market Units, not {units:,}")
    print(f"building the site of {units:,} units ...", flush=True)
    subprocess.run(["rm", "-rf", str(site)], check=True)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FMAR_CACHE_DIR": str(folder / "cache")}
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "fmar"), "build", "--registry", str(registry), "--out", str(site)],
        cwd=registry.parent,
        env=env,
        check=True,
    )
    info = {"source": source, "build_s": round(time.perf_counter() - started, 1)}
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    return site, info


def folder_size(folder: Path) -> dict[str, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "disk_bytes": sum(p.stat().st_blocks * 512 for p in files),
    }


def pagefind_available() -> str | None:
    """None when the ``pagefind[bin]`` package (its binary) is installed, else why not."""
    if importlib.util.find_spec("pagefind") is None:
        return "the pagefind package is not installed: pip install 'pagefind[bin]'"
    done = subprocess.run([sys.executable, "-m", "pagefind", "--version"], capture_output=True, text=True)
    if done.returncode != 0:
        return f"python -m pagefind does not run (install 'pagefind[bin]'): {done.stderr.strip()[-300:]}"
    return None


def pagefind_index(site: Path, reuse: bool) -> dict[str, Any]:
    """Index the site's HTML into site/pagefind/: seconds, peak memory, bytes and files."""
    bundle = site / "pagefind"
    version = subprocess.run(
        [sys.executable, "-m", "pagefind", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    figures: dict[str, Any] = {"version": version, "args": list(PAGEFIND_ARGS)}
    if reuse and (bundle / "pagefind.js").exists():
        figures["reused"] = True
    else:
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.rmtree(site / "bench", ignore_errors=True)
        command = [sys.executable, "-m", "pagefind", "--site", str(site), *PAGEFIND_ARGS]
        print(f"indexing with {version} ...", flush=True)
        started = time.perf_counter()
        # (python -m pagefind execs the binary: this process's peak memory is the indexer's.)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if process.returncode:
            raise RuntimeError(f"pagefind failed: {out[-2000:]}")
        figures["index_s"] = round(seconds, 1)
        figures["max_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
        figures["log"] = [line for line in out.splitlines() if line.strip().startswith(("Indexed", "Finished"))]
        print(f"  {seconds:.1f} s: " + "; ".join(figures["log"]), flush=True)
    figures["index"] = folder_size(bundle)
    figures["parts"] = {
        "fragment": folder_size(bundle / "fragment"),
        "index": folder_size(bundle / "index"),
        "pf_meta_bytes": sum(p.stat().st_size for p in bundle.glob("*.pf_meta")),
    }
    return figures


# --- Queries and what each must find ------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One result as a record of the site: its kind (units, products, parties, guides, ...) and id."""

    url: str
    kind: str
    id: str
    title: str


@dataclass
class Query:
    label: str
    text: str
    wants: str
    expected: Callable[[Result], bool]


class Records:
    """What the checks of the expected records read from the built site (the exports)."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.cache: dict[str, dict[str, Any]] = {}

    def unit(self, unit_id: str) -> dict[str, Any]:
        if unit_id not in self.cache:
            path = self.site / API_ROOT / "units" / f"{unit_id}.json"
            self.cache[unit_id] = json.loads(path.read_text())["record"] if path.exists() else {}
        return self.cache[unit_id]

    def technologies(self, unit_id: str) -> set[str]:
        return {a["category"] for a in self.unit(unit_id).get("composition", {}).get("assets", [])}


def queries(site: Path) -> list[Query]:
    """The fixed query set; the unit in the middle of the registry (by id) gives the full id, its FSP's
    name and the first word of its name."""
    records = Records(site)
    # The unit documents, not units.csv: the bulk files may be published beside the site.
    ids = sorted(path.stem for path in (site / API_ROOT / "units").glob("*.json"))
    unit_id = ids[len(ids) // 2]
    name, fsp = records.unit(unit_id)["name"], records.unit(unit_id)["fsp"]
    fsp_name = json.loads((site / API_ROOT / "parties" / f"{fsp}.json").read_text())["record"]["name"]
    word = name.split()[0]

    def unit(test: Callable[[str], bool]) -> Callable[[Result], bool]:
        return lambda r: r.kind == "units" and test(r.id)

    def record(kind: str, wanted: str) -> Callable[[Result], bool]:
        return lambda r: r.kind == kind and r.id == wanted

    battery = unit(lambda i: "BESS" in records.technologies(i) or "batter" in records.unit(i).get("name", "").lower())
    return [
        Query("id fragment", "0001", "a unit MU-<FSP>-000001", unit(lambda i: i.endswith("-000001"))),
        Query("full unit id", unit_id, f"unit {unit_id}", record("units", unit_id)),
        Query("FSP name", fsp_name, f"party {fsp}", record("parties", fsp)),
        Query(
            "word of a unit name",
            word,
            f"a unit named '{word} ...'",
            unit(lambda i: word.lower() in records.unit(i).get("name", "").lower().split()),
        ),
        Query("product id", "NESO-DC", "product NESO-DC", record("products", "NESO-DC")),
        Query("technology", "BESS", "a unit with a BESS asset", unit(lambda i: "BESS" in records.technologies(i))),
        Query("technology word", "battery", "a battery unit (BESS asset or named so)", battery),
        Query("party name", "Northern Powergrid", "party NPG", record("parties", "NPG")),
        Query("guide", "FSP guide", "guides/fsp-guide", record("guides", "fsp-guide")),
    ]


def as_result(url: str, title: str, base_path: str) -> Result:
    """A result link as a record of the site (``/fmar/units/MU-1.html#APP-1`` -> units, MU-1), from the
    site's root path as the page is served (``/fmar/``, or the folder's path under ``file://``)."""
    path = unquote(urlsplit(url).path)
    if path.startswith(base_path):
        path = path[len(base_path) :]
    parts = [p for p in path.split("/") if p]
    if not path.endswith(".html"):  # a folder: its index.html
        parts.append("index.html")
    kind = parts[0] if len(parts) > 1 else ""
    return Result(url=url, kind=kind, id=re.sub(r"\.html$", "", parts[-1]), title=title.strip())


# --- Engines: (page, query) -> Answer ------------------------------------------------------------------


@dataclass
class Answer:
    ms: float
    results: list[Result]
    total: int | None = None
    parts: dict[str, float] = field(default_factory=dict)


#: Puts ``q`` in ``input`` and resolves once ``target``'s parent has not changed for ``quiet`` ms: the time of its
#: first and last change after the input event (or nulls after ``timeout`` ms without a change).
TYPE_AND_WATCH = """([inputSelector, targetSelector, q, quiet, timeout]) => new Promise((resolve) => {
  // The results element's parent: a page may say "no results" beside the list.
  const input = document.querySelector(inputSelector), target = document.querySelector(targetSelector).parentElement;
  let first = null, last = null, timer = null;
  const observer = new MutationObserver(() => {
    last = performance.now();
    if (first === null) first = last;
    clearTimeout(timer);
    timer = setTimeout(done, quiet);
  });
  function done() { observer.disconnect(); resolve({ first: first - t0, last: last - t0 }); }
  observer.observe(target, { childList: true, subtree: true, characterData: true });
  setTimeout(() => { if (first === null) { observer.disconnect(); resolve({ first: null, last: null }); } }, timeout);
  const t0 = performance.now();
  input.value = q;
  input.dispatchEvent(new Event("input", { bubbles: true }));
})"""

PAGEFIND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind benchmark</title></head><body>
<p>A test page of benchmarks/search_bench.py: <code>benchPagefind(q, n)</code> searches and loads the data of
the first n results.</p>
<script>
window.benchPagefind = async function (q, n) {
  const t0 = performance.now();
  const pagefind = await import("../pagefind/pagefind.js");
  await pagefind.init();
  const t1 = performance.now();
  const search = await pagefind.search(q);
  const t2 = performance.now();
  const data = await Promise.all(search.results.slice(0, n).map(function (r) { return r.data(); }));
  const t3 = performance.now();
  return { ms: t3 - t0, init_ms: t1 - t0, search_ms: t2 - t1, data_ms: t3 - t2, total: search.results.length,
           results: data.map(function (d) { return [d.url, d.meta.title || ""]; }) };
};
</script>
</body></html>
"""


def _absolute(page: Any, href: str) -> str:
    return str(page.evaluate("(h) => new URL(h, location.href).href", href))


def _base_path(page: Any) -> str:
    """The site's root path as served (``/fmar/``), from the page's own address."""
    path = urlsplit(page.url).path
    for folder in ("/bench/", "/units/", "/search/"):
        if folder in path:
            return path[: path.rindex(folder) + 1]
    return BASE


def pagefind_open(context: Any, root: str) -> Any:
    page = context.new_page()
    page.goto(root + "bench/pagefind.html")
    page.wait_for_function("typeof window.benchPagefind === 'function'")
    return page


def pagefind_query(page: Any, q: str, n: int = SHOWN) -> Answer:
    got = page.evaluate("([q, n]) => benchPagefind(q, n)", [q, n])
    base = _base_path(page)
    results = [as_result(_absolute(page, url), title, base) for url, title in got["results"]]
    parts = {k: round(got[k], 1) for k in ("init_ms", "search_ms", "data_ms")}
    return Answer(ms=got["ms"], results=results, total=got["total"], parts=parts)


def units_table_open(context: Any, root: str) -> Any:
    page = context.new_page()
    page.goto(root + "units/index.html")
    page.wait_for_function("typeof window.fmarData === 'function' && !!document.querySelector('#fmar-table tbody tr')")
    return page


def _typed(page: Any, input_selector: str, target_selector: str, q: str) -> dict[str, float]:
    """The query typed into the page's input, after the input is emptied (untimed): an answer equal to
    the one shown (no results twice) changes nothing on the page, so each query starts from the page's
    view without a query."""
    page.evaluate(TYPE_AND_WATCH, [input_selector, target_selector, "", QUIET_MS, 2000])
    got: dict[str, float] = page.evaluate(TYPE_AND_WATCH, [input_selector, target_selector, q, QUIET_MS, TIMEOUT_MS])
    return got


def units_table_query(page: Any, q: str) -> Answer:
    got = _typed(page, "#fmar-q", "#fmar-table tbody", q)
    if got["last"] is None:
        raise RuntimeError(f"units table: no rows rendered for {q!r} in {TIMEOUT_MS} ms")
    rows = page.eval_on_selector_all(
        "#fmar-table tbody tr",
        "rows => rows.map(r => { const a = r.querySelector('a'); return [a ? a.href : '', "
        "r.cells[1] ? r.cells[1].innerText : '']; })",
    )
    count = page.inner_text("#fmar-count") if page.query_selector("#fmar-count") else ""
    total = int(count.split()[0]) if count[:1].isdigit() else None
    base = _base_path(page)
    results = [as_result(url, title, base) for url, title in rows if url]
    return Answer(ms=got["last"], results=results, total=total, parts={"first_change_ms": round(got["first"], 1)})


#: The new search page's input, if it has one (the theme's own header search is not it).
SEARCH_INPUT = "main input[name=q], main input[type=search], #fmar-search-q"


def search_page_open(context: Any, root: str) -> Any:
    page = context.new_page()
    page.add_init_script(WATCH_FROM_START)
    page.goto(root + "search/index.html")
    page.wait_for_selector("#fmar-search-results", state="attached")
    return page


def _search_page_results(page: Any) -> list[Result]:
    links = page.eval_on_selector_all(
        "#fmar-search-results li",
        "items => items.map(li => { const a = li.querySelector('a'); return a ? [a.href, a.innerText] : null; })",
    )
    base = _base_path(page)
    return [as_result(url, title, base) for url, title in (x for x in links if x)]


def search_page_query(page: Any, q: str) -> Answer:
    if page.query_selector(SEARCH_INPUT):
        got = _typed(page, SEARCH_INPUT, "#fmar-search-results", q)
        if got["last"] is None:
            raise RuntimeError(f"search page: no results rendered for {q!r} in {TIMEOUT_MS} ms")
        ms, parts = got["last"], {"first_change_ms": round(got["first"], 1), "by": "input"}
    else:
        # No input to type in: open the page's address with the query, and time from the navigation's
        # start to the list's last change (so this includes loading the page).
        page.goto(page.url.split("?")[0] + "?" + urlencode({"q": q}))
        page.wait_for_function(f"window.__fmarQuiet && window.__fmarQuiet({QUIET_MS})", timeout=TIMEOUT_MS)
        ms, parts = page.evaluate("window.__fmarLast"), {"by": "address, from navigation start"}
        if ms is None:
            raise RuntimeError(f"search page: nothing shown for {q!r}")
    results = _search_page_results(page)
    return Answer(ms=ms, results=results, total=len(results), parts=parts)


#: For a page opened with its query in the address: the time (from the navigation's start) of the last
#: change around the results list (its parent, from the parser's first insertion on: an observer set
#: before any of the page's scripts runs); quiet once nothing changed there for ``ms``, or 5 s after
#: the page loaded with no change at all (then ``__fmarLast`` is null).
WATCH_FROM_START = """(() => {
  window.__fmarLast = null;
  let loaded = null;
  new MutationObserver((records) => {
    const list = document.getElementById("fmar-search-results");
    const scope = list && list.parentElement;
    if (scope && records.some((r) => scope.contains(r.target))) window.__fmarLast = performance.now();
  }).observe(document, { childList: true, subtree: true, characterData: true });
  window.addEventListener("load", () => { loaded = performance.now(); });
  window.__fmarQuiet = (ms) => window.__fmarLast !== null
    ? performance.now() - window.__fmarLast > ms
    : loaded !== null && performance.now() - loaded > 5000;
})();"""


@dataclass(frozen=True)
class Engine:
    name: str
    describe: str
    open: Callable[[Any, str], Any]
    query: Callable[[Any, str], Answer]
    present: Callable[[Path], str | None]


def _has(relative: str, why: str) -> Callable[[Path], str | None]:
    return lambda site: None if (site / relative).exists() else why


ENGINES = {
    "pagefind": Engine(
        "pagefind",
        "Pagefind: pagefind.search(q), then the data of the first 10 results",
        pagefind_open,
        pagefind_query,
        _has("pagefind/pagefind.js", "no Pagefind index in the site"),
    ),
    "units-table": Engine(
        "units-table",
        "the site's unit table (units/index.html, #fmar-q): input to rendered rows",
        units_table_open,
        units_table_query,
        _has("units/index.html", "the site has no unit table"),
    ),
    "search-page": Engine(
        "search-page",
        "the site's search page (search/index.html, #fmar-search-results): input to rendered results",
        search_page_open,
        search_page_query,
        _has("search/index.html", "the built site has no search page (search/index.html) yet"),
    ),
}


# --- Measuring ----------------------------------------------------------------------------------------------


class Traffic:
    """Response bodies the browser received (from every page and worker of a context)."""

    def __init__(self, context: Any, site: Path, base: str) -> None:
        self.requests: list[Any] = []
        self.site, self.base = site, base
        self.gzipped: dict[Path, int] = {}
        context.on("requestfinished", lambda request: self.requests.append(request))

    def take(self) -> dict[str, int]:
        taken, self.requests = self.requests, []
        raw = gz = count = 0
        for request in taken:
            # The favicon is asked for again when a page changes its address (the unit table's view):
            # not the search's. A negative size: from the memory cache.
            size = -1 if "/favicon." in request.url else request.sizes()["responseBodySize"]
            if size < 0:
                continue
            count += 1
            raw += size
            path = self._file(request.url)
            gz += self._gzip(path) if path else size
        return {"requests": count, "bytes": raw, "gzip_bytes": gz}

    def _file(self, url: str) -> Path | None:
        path = unquote(urlsplit(url).path)
        if not path.startswith(self.base):
            return None
        file = self.site / path[len(self.base) :]
        return file if file.is_file() else None

    def _gzip(self, path: Path) -> int:
        if path not in self.gzipped:
            self.gzipped[path] = len(gzip.compress(path.read_bytes(), 6))
        return self.gzipped[path]


def settle(page: Any) -> None:
    """Let the requests of the last query be reported (events arrive as Playwright is called)."""
    page.wait_for_timeout(50)


def rank(results: list[Result], query: Query) -> int | None:
    return next((i + 1 for i, r in enumerate(results) if query.expected(r)), None)


def attempt(engine: Engine, page: Any, q: str, errors: list[str]) -> Answer | None:
    """The engine's answer, or None with the error noted (an engine half-built still gets measured)."""
    try:
        return engine.query(page, q)
    except Exception as error:
        errors.append(f"{q!r}: {str(error).splitlines()[0][:300]}")
        return None


NO_TRAFFIC = {"requests": 0, "bytes": 0, "gzip_bytes": 0}


def measure_engine(browser: Any, engine: Engine, site: Path, root: str, qs: list[Query], runs: int) -> dict[str, Any]:
    base = urlsplit(root).path
    per_query: dict[str, dict[str, Any]] = {
        q.text: {
            "label": q.label,
            "wants": q.wants,
            "total": None,
            "found_in_top_10": False,
            "rank": None,
            "errors": [],
            **{f"{mode}_traffic": NO_TRAFFIC for mode in ("cold", "warm", "repeat")},
        }
        for q in qs
    }
    samples: dict[str, dict[str, list[float]]] = {q.text: {"cold": [], "warm": [], "repeat": []} for q in qs}
    page_load: list[dict[str, int]] = []
    for run in range(runs):
        for q in qs:
            entry = per_query[q.text]
            context = browser.new_context()
            traffic = Traffic(context, site, base)
            page = engine.open(context, root)
            settle(page)
            page_load.append(traffic.take())
            answer = attempt(engine, page, q.text, entry["errors"])
            settle(page)
            if answer is not None:
                samples[q.text]["cold"].append(answer.ms)
            if run == 0 and answer is not None:
                entry["cold_traffic"] = traffic.take()
                entry["cold_parts"] = answer.parts
                entry["total"] = answer.total
                entry["top"] = [f"{r.kind}/{r.id}" for r in answer.results[:SHOWN]]
                entry["found_in_top_10"] = rank(answer.results[:SHOWN], q) is not None
                # The DOM engines' answers hold every result they show; Pagefind's the first 10.
                ranked = pagefind_query(page, q.text, RANKED) if engine.name == "pagefind" else answer
                entry["rank"] = rank(ranked.results[:RANKED], q)
                entry["links"] = links(site, base, answer.results[:SHOWN])
            context.close()
        context = browser.new_context()
        traffic = Traffic(context, site, base)
        page = engine.open(context, root)
        attempt(engine, page, "zzzz warm up", [])
        settle(page)
        traffic.take()
        for mode in ("warm", "repeat"):
            for q in qs:
                answer = attempt(engine, page, q.text, per_query[q.text]["errors"])
                settle(page)
                used = traffic.take()
                if answer is not None:
                    samples[q.text][mode].append(answer.ms)
                    if run == 0:
                        per_query[q.text][f"{mode}_traffic"] = used
        context.close()
        print(f"  {engine.name}: run {run + 1} of {runs} done", flush=True)
    for q in qs:
        for mode, values in samples[q.text].items():
            per_query[q.text][f"{mode}_ms"] = [round(v, 1) for v in values]
    summary: dict[str, Any] = {}
    for mode in ("cold", "warm", "repeat"):
        values = [v for s in samples.values() for v in s[mode]]
        summary[mode] = {
            "median_ms": round(statistics.median(values), 1) if values else None,
            "max_ms": round(max(values), 1) if values else None,
        }
    entries = list(per_query.values())
    summary["queries_found_in_top_10"] = sum(1 for e in entries if e["found_in_top_10"])
    summary["queries"] = len(qs)
    summary["queries_failed"] = sum(1 for e in entries if e["errors"])
    summary["page_load"] = page_load[0] if page_load else NO_TRAFFIC
    for key in ("bytes", "gzip_bytes"):
        summary[f"cold_{key}_median"] = int(statistics.median(e["cold_traffic"][key] for e in entries))
        summary[f"cold_{key}_max"] = max(e["cold_traffic"][key] for e in entries)
    summary["warm_bytes_median"] = int(statistics.median(e["warm_traffic"]["bytes"] for e in entries))
    return {"describe": engine.describe, "summary": summary, "queries": per_query}


def links(site: Path, base: str, results: list[Result]) -> dict[str, int]:
    """The result links: to a file of the site, to a folder (works only where a server adds
    index.html, not from file://), outside the site's base path, or to nothing."""
    counts = {"file": 0, "folder": 0, "outside_base": 0, "missing": 0}
    for r in results:
        path = unquote(urlsplit(r.url).path)
        if not path.startswith(base):
            counts["outside_base"] += 1
            continue
        target = site / path[len(base) :]
        counts["file" if target.is_file() else "folder" if target.is_dir() else "missing"] += 1
    return counts


def from_file(browser: Any, engine: Engine, site: Path, query: Query) -> dict[str, Any]:
    """The engine with the site opened from file:// (no server): whether ``query`` finds its record, or
    the error (site paths shortened to ``<site>/``)."""
    context = browser.new_context()
    errors: list[str] = []
    uri = site.resolve().as_uri() + "/"
    context.on("console", lambda m: errors.append(m.text.replace(uri, "<site>/")) if m.type == "error" else None)
    context.on("weberror", lambda e: errors.append(str(e.error).replace(uri, "<site>/")))
    try:
        page = engine.open(context, uri)
        answer = engine.query(page, query.text)
        return {
            "works": True,
            "query": query.text,
            "found": rank(answer.results[:SHOWN], query) is not None,
            "results": len(answer.results),
            "ms": round(answer.ms, 1),
            "errors": errors[:5],
        }
    except Exception as error:
        return {
            "works": False,
            "error": str(error).splitlines()[0][:400].replace(uri, "<site>/"),
            "console": errors[:5],
        }
    finally:
        context.close()


def old_search_index(site: Path) -> dict[str, Any]:
    """The current search's data scripts (search/*.js), and the page's debounce (ms)."""
    script = (site / "assets" / "fmar" / "site.js").read_text(encoding="utf-8")
    debounce = re.search(r"setTimeout\(refresh,\s*(\d+)\)", script)
    shards = list((site / "search").glob("*.js"))
    return {
        "files": len(shards),
        "bytes": sum(p.stat().st_size for p in shards),
        "largest_bytes": max((p.stat().st_size for p in shards), default=0),
        "debounce_ms": int(debounce.group(1)) if debounce else None,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from fmar.publish.serve import in_background

    load_before = os.getloadavg()
    site, build = ensure_site(args.units, args.work, args.clone)
    figures: dict[str, Any] = {
        "units": args.units,
        "command": "python benchmarks/search_bench.py " + " ".join(sys.argv[1:]),
        "build": build,
        "site_html_pages": sum(1 for _ in site.rglob("*.html")),
        "current_search_index": old_search_index(site),
        "runs": args.runs,
    }
    engines = [ENGINES[name] for name in args.engines]
    missing = pagefind_available() if "pagefind" in args.engines else None
    if missing:
        print(f"Pagefind skipped: {missing}", flush=True)
        figures["pagefind"] = {"skipped": missing}
        engines = [e for e in engines if e.name != "pagefind"]
    elif "pagefind" in args.engines:
        figures["pagefind"] = pagefind_index(site, reuse=args.no_pagefind_index)
        (site / "bench").mkdir(exist_ok=True)
        (site / "bench" / "pagefind.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    qs = queries(site)
    figures["queries"] = [{"label": q.label, "query": q.text, "wants": q.wants} for q in qs]
    figures["engines"] = {}
    httpd, root = in_background(site, BASE)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for engine in engines:
                absent = engine.present(site)
                if absent:
                    print(f"{engine.name}: skipped, {absent}", flush=True)
                    figures["engines"][engine.name] = {"skipped": absent}
                    continue
                print(f"{engine.name}: {engine.describe}", flush=True)
                measured = measure_engine(browser, engine, site, root + "/", qs, args.runs)
                measured["file_url"] = from_file(browser, engine, site, qs[1])
                figures["engines"][engine.name] = measured
                report(engine.name, measured)
            browser.close()
    finally:
        httpd.shutdown()
    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    figures["machine"] = machine(load_before, chromium=chromium)
    return figures


def report(name: str, measured: dict[str, Any]) -> None:
    s = measured["summary"]
    print(
        f"  {name}: cold median {s['cold']['median_ms']} ms (max {s['cold']['max_ms']}), warm median "
        f"{s['warm']['median_ms']} ms (max {s['warm']['max_ms']}), repeat {s['repeat']['median_ms']} ms; "
        f"found {s['queries_found_in_top_10']}/{s['queries']} in the top 10; file:// "
        f"{'works' if measured['file_url']['works'] else 'fails: ' + measured['file_url']['error']}",
        flush=True,
    )
    for text, entry in measured["queries"].items():
        print(
            f"    {text!r}: cold {_median(entry['cold_ms'])} ms, warm {_median(entry['warm_ms'])} ms, "
            f"{entry['total']} results, wanted {entry['wants']}: "
            f"{'top 10' if entry['found_in_top_10'] else 'rank ' + str(entry['rank'])}; "
            f"cold {entry['cold_traffic']['bytes']:,} B in {entry['cold_traffic']['requests']} requests"
            + (f"; errors: {entry['errors'][:2]}" if entry["errors"] else ""),
            flush=True,
        )


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--clone", type=Path, help="a registry repository to clone and build instead of generating")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--runs", type=int, default=3, help="times each query is measured in each mode")
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--no-pagefind-index", action="store_true", help="reuse the Pagefind index in the site")
    parser.add_argument("--no-record", action="store_true", help="print, but write no result file")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    args.work.mkdir(parents=True, exist_ok=True)
    figures = run(args)
    if args.no_record:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"search-{args.units}.json"
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    from run import write_tables

    write_tables()
    print(f"written {target.relative_to(ROOT)} and benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
