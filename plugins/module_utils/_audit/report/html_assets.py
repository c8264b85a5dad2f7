# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The style sheet and script inlined into compliance.html (no CDN, no fonts to fetch: it works offline).

The page is complete without the script (every table is rendered on the
server side); the script adds filtering, sorting and the filter in the
URL (``#q=compute-02&status=fail&severity=high``) so a link shows a view.
"""

CSS = """
:root { --fg:#1d2430; --muted:#5b6473; --bg:#ffffff; --panel:#f5f7fa; --line:#dde2ea;
  --fail:#c62828; --error:#8e44ad; --waived:#b7791f; --na:#7b8794; --pass:#2e7d32;
  --critical:#8b0000; --high:#c62828; --medium:#d97706; --low:#2563eb; --info:#6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 12px; background: #1f2a3a; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header .meta { margin: 0; color: #c9d3e0; font-size: 13px; }
header .meta code { color: #fff; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 14px; }
.card { min-width: 120px; padding: 10px 14px; border-radius: 8px; background: var(--panel); border-left: 5px solid var(--line); }
.card .n { font-size: 24px; font-weight: 700; display: block; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.fail { border-color: var(--fail); } .card.error { border-color: var(--error); }
.card.waived { border-color: var(--waived); } .card.not_applicable { border-color: var(--na); }
.card.pass { border-color: var(--pass); } .card.new { border-color: var(--fail); }
.card.fixed { border-color: var(--pass); } .card.still_failing { border-color: var(--medium); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; font-size: 13px; position: sticky; top: 0; }
th[data-sort] { cursor: pointer; user-select: none; }
th[data-sort]::after { content: " \\2195"; color: var(--muted); font-size: 11px; }
th.asc::after { content: " \\2191"; } th.desc::after { content: " \\2193"; }
table.matrix { width: auto; } table.matrix td.num { text-align: right; min-width: 64px; font-variant-numeric: tabular-nums; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff;
  white-space: nowrap; }
.badge.fail { background: var(--fail); } .badge.error { background: var(--error); }
.badge.waived { background: var(--waived); } .badge.not_applicable { background: var(--na); }
.badge.pass { background: var(--pass); } .badge.new { background: #111; }
.sev { font-weight: 600; } .sev.critical { color: var(--critical); } .sev.high { color: var(--high); }
.sev.medium { color: var(--medium); } .sev.low { color: var(--low); } .sev.info { color: var(--info); }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
.controls input, .controls select { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
.controls input[type=search] { min-width: 280px; }
#shown, .muted { color: var(--muted); font-size: 13px; }
details > summary { cursor: pointer; }
pre { background: var(--panel); padding: 8px; border-radius: 6px; overflow-x: auto; font-size: 12px; max-height: 340px; }
.target { margin: 6px 0; border: 1px solid var(--line); border-radius: 8px; }
.target > summary { padding: 8px 12px; background: var(--panel); border-radius: 8px; }
.target > summary .name { font-weight: 600; margin-right: 8px; }
.target table { margin: 0; }
.target[open] > summary { border-bottom: 1px solid var(--line); border-radius: 8px 8px 0 0; }
ul.changes { margin: 4px 0 10px; padding-left: 20px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
tr[hidden], .target[hidden] { display: none; }
.msg { max-width: 640px; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
"""

JS = r"""
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var body = table ? table.tBodies[0] : null;
  var rows = body ? Array.prototype.slice.call(body.rows) : [];
  var q = document.getElementById("q"), fs = document.getElementById("f-status"),
      fv = document.getElementById("f-severity"), fk = document.getElementById("f-kind"),
      shown = document.getElementById("shown"), hq = document.getElementById("hq");
  rows.forEach(function (r) { r._text = r.textContent.toLowerCase(); });
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv) { return; }
      var i = kv.indexOf("=");
      if (i > 0) { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); }
    });
    return out;
  }
  function setSelect(sel, value) {
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === value || sel.options[i].getAttribute("data-name") === value) { sel.selectedIndex = i; return; }
    }
  }
  function writeHash() {
    var h = [];
    if (q.value.trim()) { h.push("q=" + encodeURIComponent(q.value.trim())); }
    if (fs.value !== "problems") { h.push("status=" + fs.value); }
    if (fv.value !== "0") { h.push("severity=" + fv.options[fv.selectedIndex].getAttribute("data-name")); }
    if (fk.value) { h.push("kind=" + fk.value); }
    try { history.replaceState(null, "", h.length ? "#" + h.join("&") : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }
  function apply() {
    var text = q.value.trim().toLowerCase(), status = fs.value, sev = +fv.value, kind = fk.value, n = 0;
    rows.forEach(function (r) {
      var st = r.getAttribute("data-status");
      var ok = (status === "all" || (status === "problems" ? st !== "not_applicable" : st === status)) &&
               (+r.getAttribute("data-sev") >= sev) && (!kind || r.getAttribute("data-kind") === kind) &&
               (!text || r._text.indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + rows.length + " findings shown";
    shown.setAttribute("data-count", String(n));
    writeHash();
  }
  function sortBy(th) {
    var key = th.getAttribute("data-sort"), numeric = th.hasAttribute("data-numeric");
    var dir = th.classList.contains("asc") ? -1 : 1;
    Array.prototype.forEach.call(th.parentNode.children, function (o) { o.classList.remove("asc", "desc"); });
    th.classList.add(dir === 1 ? "asc" : "desc");
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key) || "", y = b.getAttribute("data-" + key) || "";
      if (numeric) { x = +x || 0; y = +y || 0; return (x - y) * dir; }
      return x.localeCompare(y) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  if (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute("data-sort")) { th.addEventListener("click", function () { sortBy(th); }); }
    });
    var h = readHash();
    if (h.q) { q.value = h.q; }
    if (h.status) { setSelect(fs, h.status); }
    if (h.severity) { setSelect(fv, h.severity); }
    if (h.kind) { setSelect(fk, h.kind); }
    [q, fs, fv, fk].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
    apply();
  }
  if (hq) {
    var targets = Array.prototype.slice.call(document.querySelectorAll(".target"));
    hq.addEventListener("input", function () {
      var t = hq.value.trim().toLowerCase();
      targets.forEach(function (d) { d.hidden = !!t && d.getAttribute("data-name").toLowerCase().indexOf(t) < 0; });
    });
  }
  document.body.setAttribute("data-ready", "1");
})();
"""
