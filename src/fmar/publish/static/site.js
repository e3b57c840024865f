// fmar site: unit search over sharded indexes, and filters over per-value filter indexes
// (filters/<filter>/<key>/<page>.js, written at build time), so a filter finds every unit
// without downloading the registry. Data is only ever inserted as text (textContent), never as HTML.
// Every address is relative to the site's root, found from this script's own address (it lies at
// <root>assets/fmar/site.js), so the site works at any base path; indexes are scripts calling
// fmarData (not JSON read by fetch), so it works from file:// too.
// Tables wider than the page scroll within the theme's wrapper: let the keyboard reach and scroll it.
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      }
    });
  }
  // mkdocs-material wraps the tables once its page is ready (document$, its documented hook).
  if (window.document$) window.document$.subscribe(focusable);
  else document.addEventListener("DOMContentLoaded", focusable);
  window.addEventListener("resize", focusable);
})();

(function () {
  "use strict";
  var script = document.currentScript;
  var root = script ? script.src.replace(/assets\/fmar\/site\.js(\?.*)?$/, "") : "";
  var waiting = {};
  window.fmarData = function (name, data) {
    var done = waiting[name];
    if (done) { delete waiting[name]; done(data); }
  };
  var table = document.getElementById("fmar-table");
  var query = document.getElementById("fmar-q");
  if (!table) return;
  var tbody = table.tBodies[0];
  var staticRows = Array.prototype.slice.call(tbody.rows);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var count = document.getElementById("fmar-count");
  var more = document.getElementById("fmar-more");
  var pageSize = parseInt(table.dataset.pageSize || "500", 10);
  // Index entry positions: id, name, fsp, area, statuses, summary, SOs, products.
  var POSITION = { fsp: 2, area: 3, status: 4, so: 6, product: 7 };
  var LISTED = { status: true, so: true, product: true };
  var cache = {};
  var generation = 0;
  var pending = null;

  function hex(text) {
    var bytes = new TextEncoder().encode(text), out = "";
    for (var i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, "0");
    return out;
  }
  function tokens(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 0; });
  }
  function shardFor(q) {
    var id = /^mu-[a-z0-9]+-([0-9]+)$/i.exec(q.trim());
    if (id) return { file: "search/id-" + id[1].slice(-3), id: q.trim().toUpperCase() };
    var words = tokens(q).filter(function (t) { return t.length >= 3; });
    if (!words.length) return null;
    words.sort(function (a, b) { return b.length - a.length; });
    return { file: "search/n-" + hex(Array.from(words[0]).slice(0, 3).join("")), words: tokens(q) };
  }
  // The data script ``name`` (a site path without .js), once: a promise of its data ({entries: []} if missing).
  function load(name) {
    if (!cache[name]) {
      cache[name] = new Promise(function (resolve) {
        var script = document.createElement("script");
        waiting[name] = resolve;
        script.src = root + name + ".js";
        script.onerror = function () { delete waiting[name]; resolve({ entries: [] }); };
        document.head.appendChild(script);
      });
    }
    return cache[name];
  }
  function matchesQuery(entry, shard) {
    if (shard.id) return entry[0] === shard.id;
    var hay = tokens(entry[0] + " " + entry[1]);
    return shard.words.every(function (w) {
      return hay.some(function (h) { return h.indexOf(w) === 0; });
    });
  }
  function chosen() {
    return selects.filter(function (s) { return s.value; });
  }
  function matchesFilters(entry, active) {
    return active.every(function (s) {
      var name = s.dataset.filter, value = entry[POSITION[name]] || "";
      return LISTED[name] ? value.split(" ").indexOf(s.value) >= 0 : value === s.value;
    });
  }
  function row(entry) {
    var tr = document.createElement("tr");
    Object.keys(POSITION).forEach(function (name) { tr.dataset[name] = entry[POSITION[name]] || ""; });
    var td = document.createElement("td"), a = document.createElement("a");
    a.href = root + "units/" + encodeURIComponent(entry[0]) + ".html";
    a.textContent = entry[0];
    td.appendChild(a); tr.appendChild(td);
    [entry[1], entry[2], entry[3], entry[5]].forEach(function (text) {
      var cell = document.createElement("td"); cell.textContent = text; tr.appendChild(cell);
    });
    return tr;
  }
  function show(rows, text, hasMore) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (r) { tbody.appendChild(r); });
    if (count) count.textContent = text;
    if (more) more.hidden = !hasMore;
  }
  // Reads the pages of the smallest chosen filter value in turn, keeping entries that match
  // every chosen filter, until a page of rows is found or the index ends.
  function filterScan(active, mine) {
    var options = active.map(function (s) { return s.selectedOptions[0]; });
    options.sort(function (a, b) { return parseInt(a.dataset.count, 10) - parseInt(b.dataset.count, 10); });
    var best = options[0], name = best.parentNode.dataset.filter;
    var pages = parseInt(best.dataset.pages, 10);
    var state = { page: 0, found: [] };
    function next(target) {
      if (mine !== generation) return;
      if (state.found.length >= target || state.page >= pages) {
        var rows = state.found.slice(0, target).map(row);
        var partial = state.page < pages || state.found.length > target;
        var text = rows.length + (partial ? " shown; more match" : (rows.length === 1 ? " unit matches" : " units match"));
        show(rows, text, partial);
        pending = partial ? function () { next(target + pageSize); } : null;
        return;
      }
      state.page += 1;
      var file = "filters/" + name + "/" + best.dataset.key + "/" + state.page;
      load(file).then(function (data) {
        data.entries.forEach(function (e) { if (matchesFilters(e, active)) state.found.push(e); });
        next(target);
      });
    }
    next(pageSize);
  }
  var timer = null;
  function refresh() {
    generation += 1;
    var mine = generation;
    pending = null;
    var active = chosen();
    var q = query ? query.value : "";
    var shard = shardFor(q);
    if (shard) {
      load(shard.file).then(function (data) {
        if (mine !== generation) return;
        var found = data.entries.filter(function (e) { return matchesQuery(e, shard) && matchesFilters(e, active); });
        show(found.slice(0, pageSize).map(row), Math.min(found.length, pageSize) + " shown", false);
      });
    } else if (active.length) {
      filterScan(active, mine);
    } else {
      show(staticRows, staticRows.length + " shown", false);
    }
  }
  if (query) {
    query.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    var initial = new URLSearchParams(location.search).get("q");
    if (initial) query.value = initial;
  }
  if (more) more.addEventListener("click", function () { if (pending) pending(); });
  selects.forEach(function (s) { s.addEventListener("change", refresh); });
  refresh();
})();
