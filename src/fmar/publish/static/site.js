// fmar site: the site's search page, and the unit table's search and filters, over one index of
// every unit (search/units-N.js: a line a unit, 10,000 units a file, written at build time) and,
// per filter value, the places in it of the units having that value (filters/<filter>/<key>.js),
// so a view finds every unit without repeating a unit's line under each of its values.
// Data is only ever inserted as text (textContent), never as HTML.
// Every address is relative to the site's root, found from this script's own address (it lies at
// <root>assets/fmar/site.js), so the site works at any base path; indexes are scripts calling
// fmarData (not JSON read by fetch), so it works from file:// too.
//
// The view (search, filters, sort) is kept in the page's address (?q=...&product=...&sort=-name,
// by history.replaceState) and read from it on load, so a view can be shared. Column headers sort
// the rows shown; "Download this view as CSV" writes every unit of the view, built here.

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
  var cache = {};

  // Every page fmar renders says the time its statuses hold at, from build.js (not held by the page).
  var asOfNote = document.querySelector("[data-fmar-as-of]");
  if (asOfNote) {
    load("build").then(function (data) {
      if (!data.as_of) return;
      asOfNote.textContent = "Statuses as of " + data.as_of_shown +
        (data.commit ? ", registry commit " + data.commit.slice(0, 10) : "") + ".";
      asOfNote.hidden = false;
    });
  }

  // An SO's page marks the open applications overdue as of the build; the days overdue (which
  // change with every as-of time, so the page does not hold them) come from build.js.
  var dues = Array.prototype.slice.call(document.querySelectorAll("[data-fmar-due]"));
  if (dues.length) {
    load("build").then(function (data) {
      var asOf = Date.parse(data.as_of || "");
      if (isNaN(asOf)) return;
      dues.forEach(function (el) {
        var days = Math.floor((asOf - Date.parse(el.dataset.fmarDue)) / 86400000);
        if (isNaN(days) || days < 0) return;
        var text = days === 0 ? "under a day" : days + (days === 1 ? " day" : " days");
        el.textContent = el.textContent + " (" + text + " as of " + data.as_of_shown + ")";
      });
    });
  }

  // The search page; the header's search box shows the query of the page it opened.
  var searchList = document.getElementById("fmar-search-results");
  if (searchList) {
    var asked = new URLSearchParams(location.search).get("q") || "";
    var headerBox = document.getElementById("fmar-header-q");
    if (headerBox) headerBox.value = asked;
    searchPage(searchList, asked);
  }

  // Every unit (search/units-N), product, party and documentation page (search/pages), loaded on
  // the first query; an entry is found when each word of the query is part of its id, name, FSP,
  // technologies, products or headings. Exact and leading id matches first, then products,
  // parties, guides, pages and units, each by id; the first LIMIT shown.
  function searchPage(list, initial) {
    var box = document.getElementById("fmar-search-q");
    var counter = document.getElementById("fmar-search-count");
    var chunks = parseInt(list.dataset.chunks || "1", 10);
    var KIND = { product: "Product", party: "Party", guide: "Guide", page: "Page", unit: "Market Unit" };
    var ORDER = { product: 0, party: 1, guide: 2, page: 3, unit: 4 };
    var LIMIT = 100;
    var index = null, latest = 0, timer = null;
    function entry(kind, id, title, about, path, hay) {
      return { kind: kind, id: id, title: title, about: about, path: path, hay: hay.toLowerCase() };
    }
    // Units stay as their chunks' text (a line a unit: id, name, FSP, technologies, products, tab
    // separated), lower-cased once; a query scans that text, and only the lines shown become entries.
    function loadIndex() {
      if (!index) {
        var names = ["search/pages"];
        for (var i = 1; i <= chunks; i++) names.push("search/units-" + i);
        index = Promise.all(names.map(load)).then(function (parts) {
          var pages = (parts[0].pages || []).map(function (p) {
            return entry(p[0], p[1], p[2], p[3], p[4], p[1] + " " + p[2] + " " + p[3]);
          });
          var texts = parts.slice(1).map(function (part) {
            var text = part.units || "", lower = text.toLowerCase();
            // Lower-casing keeps every offset but for a few letters (İ): then the lines are split.
            return { text: text, lower: lower, lines: lower.length === text.length ? null : text.split("\n") };
          });
          return { pages: pages, texts: texts };
        });
      }
      return index;
    }
    // The units of a chunk holding every word, ranked (0: the id is the query, 1: the id starts with
    // it, 2: the rest): each rank's first LIMIT kept in ``kept`` (lines come by id), every one
    // counted. The first word's hits are found in the whole text, then the other words on their line.
    function unitsFound(chunk, words, whole, kept, counted) {
      var lower = chunk.lower, first = words[0], number = 0, last = 0;
      for (var at = lower.indexOf(first); at >= 0; ) {
        var start = lower.lastIndexOf("\n", at) + 1, end = lower.indexOf("\n", at);
        if (end < 0) end = lower.length;
        var ok = true;
        for (var w = 1; w < words.length && ok; w++) {
          var hit = lower.indexOf(words[w], start);
          ok = hit >= 0 && hit + words[w].length <= end;
        }
        if (ok) {
          var rank = 2;
          if (lower.startsWith(whole, start)) rank = lower.charAt(start + whole.length) === "\t" ? 0 : 1;
          counted.units++;
          if (kept[rank].length < LIMIT) {
            var line;
            if (chunk.lines) {  // offsets moved: count the lines up to this one
              for (; last < start; last = lower.indexOf("\n", last) + 1) number++;
              line = chunk.lines[number];
            } else {
              line = chunk.text.slice(start, end);
            }
            var u = line.split("\t");
            var about = [u[2], u[3], u[4]].filter(Boolean).join(" · ");
            var e = entry("unit", u[0], u[1], about, "units/" + encodeURIComponent(u[0]) + ".html", "");
            e.rank = rank;
            kept[rank].push(e);
          }
        }
        at = lower.indexOf(first, end + 1);
      }
    }
    function show(found, total, q) {
      while (list.firstChild) list.removeChild(list.firstChild);
      found.forEach(function (e) {
        var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
        a.href = root + e.path;
        a.textContent = e.kind === "unit" || e.kind === "product" || e.kind === "party" ? e.id + " · " + e.title : e.title;
        kind.className = "fmar-search-kind";
        kind.textContent = KIND[e.kind] || e.kind;
        li.appendChild(kind); li.appendChild(document.createTextNode(" ")); li.appendChild(a);
        if (e.about) {
          var about = document.createElement("small");
          about.textContent = " " + (e.about.length > 160 ? e.about.slice(0, 159) + "…" : e.about);
          li.appendChild(about);
        }
        list.appendChild(li);
      });
      if (counter) {
        counter.textContent = !q ? "" : total === 0 ? "Nothing found for " + q + "." :
          total + (total === 1 ? " result" : " results") + (total > found.length ? "; the first " + found.length + " shown: add a word to narrow it." : ".");
      }
      list.dataset.query = q;
    }
    function run(q) {
      var mine = ++latest;
      var words = q.toLowerCase().split(/\s+/).filter(Boolean);
      history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
      if (!words.length) { show([], 0, ""); return; }
      var started = performance.now();
      loadIndex().then(function (loaded) {
        if (mine !== latest) return;
        var whole = q.trim().toLowerCase(), found = [], kept = [[], [], []], counted = { units: 0 };
        words.sort(function (a, b) { return b.length - a.length; });  // the longest first: the fewest hits
        loaded.pages.forEach(function (e) {
          var ok = true;
          for (var w = 0; w < words.length && ok; w++) ok = e.hay.indexOf(words[w]) >= 0;
          if (ok) {
            var id = e.id.toLowerCase();
            e.rank = id === whole ? 0 : id.indexOf(whole) === 0 ? 1 : 2;
            found.push(e);
          }
        });
        var others = found.length;
        loaded.texts.forEach(function (chunk) { unitsFound(chunk, words, whole, kept, counted); });
        found = found.concat(kept[0], kept[1], kept[2]);
        found.sort(function (a, b) {
          return a.rank - b.rank || ORDER[a.kind] - ORDER[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        });
        found.length = Math.min(found.length, LIMIT);
        show(found, others + counted.units, q);
        list.dataset.ms = String(Math.round(performance.now() - started));
      });
    }
    if (box) {
      box.value = initial;
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { run(box.value); }, 30);
      });
    }
    // The page is opened to search: the index loads at once, not on the first query.
    loadIndex();
    run(initial);
  }

  var table = document.getElementById("fmar-table");
  var query = document.getElementById("fmar-q");
  if (!table) return;
  var tbody = table.tBodies[0];
  var staticRows = Array.prototype.slice.call(tbody.rows);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var count = document.getElementById("fmar-count");
  var more = document.getElementById("fmar-more");
  var csvButton = document.getElementById("fmar-csv");
  var csvAll = document.getElementById("fmar-csv-all");
  var pageSize = parseInt(table.dataset.pageSize || "500", 10);
  // Index entry positions (fmar.publish.pages.unit_entry): id, name, fsp, area, and the unit's
  // product|so|status tokens (one per product), from which its statuses, SOs and products are read.
  var POSITION = { fsp: 2, area: 3 };
  var PAIRS = 4;
  // The filters one product's status must meet together (the part of a token each compares with);
  // the others (FSP, licence area) are the unit's own.
  var PAIR_PART = { product: 0, so: 1, status: 2 };
  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  var generation = 0;
  var view = null;
  var sortKey = "", sortDescending = false;
  var shown = [];
  var headers = table.tHead ? Array.prototype.slice.call(table.tHead.rows[0].cells) : [];
  var statusColumn = headers.length - 1;
  var statusButton = null, statusHeader = headers.length ? headers[statusColumn].textContent : "";

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
  function chosen() {
    return selects.filter(function (s) { return s.value; });
  }
  function pairFilters(active) {
    return active.filter(function (s) { return s.dataset.filter in PAIR_PART; });
  }
  // The unit's [product, so, status] that meet every chosen SO, product and status filter.
  function matchingPairs(entry, active) {
    var wanted = pairFilters(active);
    return (entry[PAIRS] || "").split(" ").filter(function (t) { return t; }).map(function (t) {
      return t.split("|");
    }).filter(function (pair) {
      return wanted.every(function (s) { return pair[PAIR_PART[s.dataset.filter]] === s.value; });
    });
  }
  // Unit-level filters on the unit's values; SO, product and status on one and the same product.
  function matchesFilters(entry, active) {
    var own = active.every(function (s) {
      var name = s.dataset.filter;
      return name in PAIR_PART || (entry[POSITION[name]] || "") === s.value;
    });
    return own && (!pairFilters(active).length || matchingPairs(entry, active).length > 0);
  }
  // A status as fmar shows it (fmar.core Status.label: its value in words, capitalised).
  function label(status) {
    var text = status.replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  // The status cell of a unit: with an SO, product or status filter, the statuses that match it;
  // else every product's status (the summary).
  function statusText(entry, active) {
    var pairs = matchingPairs(entry, active);
    if (!pairFilters(active).length && !pairs.length) return "no applications";
    return pairs.map(function (p) { return p[0] + ": " + label(p[2]); }).join("; ");
  }
  // The cells of a unit's row, as shown and as written to a CSV file.
  function cells(entry, active) {
    return [entry[0], entry[1], entry[2], entry[3], statusText(entry, active)];
  }
  function row(entry, active) {
    var tr = document.createElement("tr");
    // What the row was found by, for whoever reads the page's rows (the browser tests do).
    Object.keys(POSITION).forEach(function (name) { tr.dataset[name] = entry[POSITION[name]] || ""; });
    tr.dataset.pairs = entry[PAIRS] || "";
    var values = cells(entry, active);
    var td = document.createElement("td"), a = document.createElement("a");
    a.href = root + "units/" + encodeURIComponent(entry[0]) + ".html";
    a.textContent = values[0];
    td.appendChild(a); tr.appendChild(td);
    values.slice(1).forEach(function (text) {
      var cell = document.createElement("td"); cell.textContent = text; tr.appendChild(cell);
    });
    return tr;
  }

  // Sorting: the rows shown, by the text of a column (numbers in text compared as numbers).
  function sortColumn() {
    for (var i = 0; i < headers.length; i++) if (headers[i].dataset.sort === sortKey) return i;
    return -1;
  }
  function sorted(items, textOf) {
    var column = sortColumn();
    if (column < 0) return items;
    var sign = sortDescending ? -1 : 1;
    return items.slice().sort(function (a, b) { return sign * collator.compare(textOf(a, column), textOf(b, column)); });
  }
  function render() {
    var rows = sorted(shown, function (tr, column) { return tr.cells[column] ? tr.cells[column].textContent : ""; });
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (r) { tbody.appendChild(r); });
    var column = sortColumn();
    headers.forEach(function (th, i) {
      if (i === column) th.setAttribute("aria-sort", sortDescending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }
  function show(rows, text, hasMore) {
    shown = rows;
    render();
    if (count) count.textContent = text;
    if (more) more.hidden = !hasMore;
  }
  headers.forEach(function (th) {
    var key = th.dataset.sort;
    if (!key) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fmar-sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    if (th === headers[statusColumn] && selects.length) statusButton = button;
    button.addEventListener("click", function () {
      if (sortKey === key) sortDescending = !sortDescending;
      else { sortKey = key; sortDescending = false; }
      render();
      writeState();
    });
  });

  // The units as the site's search index holds them (search/units-N, by id: a line a unit of id,
  // name, FSP, technologies, products, licence area and product|so|status tokens), read once, on
  // the first search or filter: each chunk's lines, and an entry as fmar.publish.pages.unit_entry.
  var chunkCount = parseInt(table.dataset.chunks || "1", 10), unitChunks = null;
  // Each chunk as its text, lower-cased once (searched whole), and where each of its lines starts.
  function loadUnits() {
    if (!unitChunks) {
      var names = [];
      for (var i = 1; i <= chunkCount; i++) names.push("search/units-" + i);
      unitChunks = Promise.all(names.map(load)).then(function (parts) {
        return parts.map(function (part) {
          var text = part.units || "", lower = text.toLowerCase(), count = 1;
          for (var at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
          var starts = new Int32Array(count + 1), n = 1;
          for (at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) starts[n++] = at + 1;
          starts[count] = text.length + 1;
          // Lower-casing keeps every offset but for a few letters (İ): then lines are matched one by one.
          return { text: text, lower: lower.length === text.length ? lower : null, starts: starts, count: text ? count : 0 };
        });
      });
    }
    return unitChunks;
  }
  function lineOf(chunk, n) {
    return chunk.text.slice(chunk.starts[n], chunk.starts[n + 1] - 1);
  }
  function entryOf(line) {
    var u = line.split("\t");
    return [u[0], u[1], u[2], u[5] || "", u[6] || ""];
  }
  // A view: the units matching the search (each word part of the unit's line) and the filters.
  // With a filter, only the units listed under its value with the fewest units are read
  // (filters/<filter>/<key>: their places in the index, in id order).
  function unitsView(active, q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    words.sort(function (a, b) { return b.length - a.length; });  // the longest first: the fewest hits
    var v = { found: [], active: active };
    var options = active.map(function (s) { return s.selectedOptions[0]; });
    options.sort(function (a, b) { return parseInt(a.dataset.count, 10) - parseInt(b.dataset.count, 10); });
    var best = options[0];
    var listed = best ? load("filters/" + best.parentNode.dataset.filter + "/" + best.dataset.key) : Promise.resolve(null);
    var loaded = Promise.all([loadUnits(), listed]).then(function (both) {
      var chunks = both[0], numbers = both[1] ? both[1].units || [] : null;
      var size = chunks.length ? chunks[0].count : 0;
      function keep(line) {
        var e = entryOf(line);
        if (matchesFilters(e, active)) v.found.push(e);
      }
      function hasWords(line) {
        var lower = line.toLowerCase();
        for (var w = 0; w < words.length; w++) if (lower.indexOf(words[w]) < 0) return false;
        return true;
      }
      if (numbers && !words.length) {
        numbers.forEach(function (n) {
          var chunk = chunks[Math.floor(n / size)];
          if (chunk) keep(lineOf(chunk, n % size));
        });
        return;
      }
      // The search's words: the first word's hits in each chunk's whole text, then the line of each.
      var allowed = null;
      if (numbers) {
        allowed = new Uint8Array(size * chunks.length);
        numbers.forEach(function (n) { allowed[n] = 1; });
      }
      chunks.forEach(function (chunk, c) {
        if (!chunk.lower) {
          for (var n = 0; n < chunk.count; n++) {
            var line = lineOf(chunk, n);
            if ((!allowed || allowed[c * size + n]) && hasWords(line)) keep(line);
          }
          return;
        }
        var lower = chunk.lower, starts = chunk.starts, line = 0;
        for (var at = lower.indexOf(words[0]); at >= 0; ) {
          while (starts[line + 1] <= at) line++;
          var end = starts[line + 1] - 1, ok = !allowed || allowed[c * size + line];
          for (var w = 1; w < words.length && ok; w++) {
            var hit = lower.indexOf(words[w], starts[line]);
            ok = hit >= 0 && hit + words[w].length <= end;
          }
          if (ok) keep(chunk.text.slice(starts[line], end));
          at = lower.indexOf(words[0], end + 1);
        }
      });
    });
    v.complete = function () { return true; };
    v.until = function () { return loaded; };
    return v;
  }
  function display(v, target, mine) {
    v.until(target).then(function () {
      if (mine !== generation) return;
      var rows = v.found.slice(0, target).map(function (e) { return row(e, v.active); });
      var partial = !v.complete() || v.found.length > target;
      var text = rows.length + (partial ? " shown; more match" : (rows.length === 1 ? " unit matches" : " units match"));
      show(rows, text, partial);
      if (more) more.onclick = partial ? function () { display(v, target + pageSize, mine); } : null;
    });
  }

  // The view's state in the page's address, so it can be shared: ?q=&<filter>=&sort=[-]<column>.
  function writeState() {
    var params = new URLSearchParams();
    if (query && query.value.trim()) params.set("q", query.value.trim());
    selects.forEach(function (s) { if (s.value) params.set(s.dataset.filter, s.value); });
    if (sortKey) params.set("sort", (sortDescending ? "-" : "") + sortKey);
    var search = params.toString() ? "?" + params.toString() : "";
    if (search === location.search) return;
    try {
      history.replaceState(history.state, "", (search || location.pathname) + location.hash);
    } catch (e) { /* an address the browser will not rewrite: the view still works */ }
  }
  function readState() {
    var params = new URLSearchParams(location.search);
    if (query && params.get("q")) query.value = params.get("q");
    selects.forEach(function (s) {
      var value = params.get(s.dataset.filter);
      if (value && Array.prototype.some.call(s.options, function (o) { return o.value === value; })) s.value = value;
    });
    var sort = params.get("sort") || "";
    var key = sort.replace(/^-/, "");
    if (headers.some(function (th) { return th.dataset.sort === key; })) {
      sortKey = key;
      sortDescending = sort.charAt(0) === "-";
    }
  }

  function refresh() {
    generation += 1;
    var mine = generation;
    if (more) more.onclick = null;
    var active = chosen();
    var q = query ? query.value.trim() : "";
    view = q || active.length ? unitsView(active, q) : null;
    if (statusButton) {
      var product = active.filter(function (s) { return s.dataset.filter === "product"; })[0];
      statusButton.textContent = product ? "Status for " + product.value
        : (pairFilters(active).length ? statusHeader + " (matching filters)" : statusHeader);
    }
    if (csvButton) csvButton.hidden = !view;
    if (csvAll) csvAll.hidden = !!view;
    if (view) display(view, pageSize, mine);
    else show(staticRows, staticRows.length + " shown", false);
    writeState();
  }

  // CSV of the whole view (every matching unit, in the order shown), made here: cells a
  // spreadsheet would evaluate get a leading apostrophe, as in the site's CSV exports.
  var FORMULA = /^[=+\-@\t\r]/;
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  function csvCell(value) {
    var text = String(value);
    if (FORMULA.test(text) && !NUMBER.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csvLine(values) {
    return values.map(csvCell).join(",") + "\r\n";
  }
  function fileName(v) {
    var parts = ["fmar-units"];
    v.active.forEach(function (s) { parts.push(s.dataset.filter, s.value); });
    if (query && query.value.trim()) parts.push("q", query.value.trim());
    return parts.join("-").replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 150) + ".csv";
  }
  function download(v) {
    var header = ["id", "name", "fsp", "licence_area", pairFilters(v.active).length ? "matching_status" : "status_by_product"];
    v.until(Infinity).then(function () {
      var rows = sorted(v.found.map(function (e) { return cells(e, v.active); }), function (values, column) {
        return values[column];
      });
      var text = csvLine(header) + rows.map(csvLine).join("");
      var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      var link = document.createElement("a");
      link.href = url;
      link.download = fileName(v);
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    });
  }
  if (csvButton) csvButton.addEventListener("click", function () { if (view) download(view); });

  var timer = null;
  readState();
  if (query) query.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  selects.forEach(function (s) { s.addEventListener("change", refresh); });
  refresh();
})();
