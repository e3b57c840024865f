// fmar site: unit search over sharded JSON indexes, and table filters. Data is only ever
// inserted as text (textContent), never as HTML.
(function () {
  "use strict";
  var table = document.getElementById("fmar-table");
  var query = document.getElementById("fmar-q");
  if (!table) return;
  var tbody = table.tBodies[0];
  var staticRows = Array.prototype.slice.call(tbody.rows);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var count = document.getElementById("fmar-count");
  var cache = {};

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
    if (id) return { file: "/search/id-" + id[1].slice(-3) + ".json", id: q.trim().toUpperCase() };
    var words = tokens(q).filter(function (t) { return t.length >= 3; });
    if (!words.length) return null;
    words.sort(function (a, b) { return b.length - a.length; });
    return { file: "/search/n-" + hex(Array.from(words[0]).slice(0, 3).join("")) + ".json", words: tokens(q) };
  }
  function load(file) {
    if (!cache[file]) {
      cache[file] = fetch(file).then(function (r) { return r.ok ? r.json() : { entries: [] }; })
        .catch(function () { return { entries: [] }; });
    }
    return cache[file];
  }
  function matches(entry, shard) {
    if (shard.id) return entry[0] === shard.id;
    var hay = tokens(entry[0] + " " + entry[1]);
    return shard.words.every(function (w) {
      return hay.some(function (h) { return h.indexOf(w) === 0; });
    });
  }
  function row(entry) {
    var tr = document.createElement("tr");
    tr.dataset.fsp = entry[2]; tr.dataset.area = entry[3]; tr.dataset.status = entry[4];
    var td = document.createElement("td"), a = document.createElement("a");
    a.href = "/units/" + encodeURIComponent(entry[0]) + ".html";
    a.textContent = entry[0];
    td.appendChild(a); tr.appendChild(td);
    [entry[1], entry[2], entry[3], entry[5]].forEach(function (text) {
      var cell = document.createElement("td"); cell.textContent = text; tr.appendChild(cell);
    });
    return tr;
  }
  function filter() {
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      var ok = selects.every(function (s) {
        if (!s.value) return true;
        var value = tr.dataset[s.dataset.filter] || "";
        return s.dataset.filter === "status" ? value.split(" ").indexOf(s.value) >= 0 : value === s.value;
      });
      tr.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + " shown";
  }
  function replace(rows) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (r) { tbody.appendChild(r); });
    filter();
  }
  var timer = null;
  function search() {
    var q = query.value;
    var shard = shardFor(q);
    if (!shard) { replace(staticRows); return; }
    load(shard.file).then(function (data) {
      if (query.value !== q) return;
      replace(data.entries.filter(function (e) { return matches(e, shard); }).slice(0, 500).map(row));
    });
  }
  if (query) {
    query.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
    var initial = new URLSearchParams(location.search).get("q");
    if (initial) { query.value = initial; search(); }
  }
  selects.forEach(function (s) { s.addEventListener("change", filter); });
  filter();
})();
