# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The style sheet inlined into fleet.html (no CDN, no fonts to fetch: it works offline).

Badge colours keep white text at a contrast of 4.5:1 or more, and every badge carries a word.
"""

CSS = """
:root { --fg:#1d2430; --muted:#4f5866; --bg:#ffffff; --panel:#f5f7fa; --line:#dde2ea;
  --up:#2e7d32; --down:#c62828; --maint:#8a5a00; --disabled:#5b6473; --unknown:#6b3fa0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 12px; background: #1f2a3a; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header .meta { margin: 0; color: #dbe3ee; font-size: 13px; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h4 { margin: 6px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 14px; }
.card { min-width: 120px; padding: 10px 14px; border-radius: 8px; background: var(--panel); border-left: 5px solid var(--line); }
.card .n { font-size: 24px; font-weight: 700; display: block; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.up { border-color: var(--up); } .card.down { border-color: var(--down); } .card.maintenance { border-color: var(--maint); }
.card.disabled { border-color: var(--disabled); } .card.unknown { border-color: var(--unknown); }
.sources { color: var(--muted); font-size: 13px; max-width: 1100px; }
.warnings { color: var(--down); }
.nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 12px; }
.node { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 8px; background: #fff; }
.node.up { border-left-color: var(--up); } .node.down { border-left-color: var(--down); }
.node.maintenance { border-left-color: var(--maint); } .node.disabled { border-left-color: var(--disabled); }
.node.unknown { border-left-color: var(--unknown); }
.nh { padding: 8px 12px; background: var(--panel); border-radius: 0 8px 0 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.nh .name { font-weight: 700; font-size: 15px; }
.nh .where { color: var(--muted); font-size: 13px; }
.nb { padding: 6px 12px; display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 4px 18px; }
.nb:empty { display: none; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff;
  white-space: nowrap; background: var(--unknown); }
.badge.up, .badge.h-ok { background: var(--up); } .badge.down, .badge.h-critical { background: var(--down); }
.badge.maintenance, .badge.h-warning { background: var(--maint); } .badge.disabled { background: var(--disabled); }
.bar-row { display: grid; grid-template-columns: 90px 1fr; gap: 2px 8px; align-items: center; margin: 3px 0; font-size: 13px; }
.bar-row .bl { overflow-wrap: anywhere; }
.bar-row .bv { grid-column: 2; color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.bar { display: block; height: 10px; background: #e7ebf1; border-radius: 5px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: #2f6fb3; }
.bar.warn > span { background: #b7791f; } .bar.crit > span { background: var(--down); }
.src { color: var(--muted); font-style: italic; }
ul.sensors { margin: 2px 0; padding-left: 18px; font-size: 13px; }
ul.sensors li { white-space: nowrap; margin: 1px 0; }
details { border-top: 1px solid var(--line); }
details > summary { cursor: pointer; padding: 6px 12px; color: #1f4e8c; font-weight: 600; }
details[open] { padding: 0 12px 10px; }
details[open] > summary { padding-left: 0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 13px; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
"""
