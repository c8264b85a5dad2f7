# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The style sheet inlined into the site report (no CDN, no fonts to fetch: it works offline).

Badge colours keep white text at a contrast of 4.5:1 or more, and every badge carries a word:
colour alone never says a state.
"""

CSS = """
:root { --fg:#1d2430; --muted:#4f5866; --bg:#ffffff; --panel:#f5f7fa; --line:#dde2ea;
  --good:#2e7d32; --warn:#8a5a00; --bad:#c62828; --info:#1f5fa8; --unknown:#6b3fa0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 12px; background: #1f2a3a; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header .meta { margin: 0; color: #dbe3ee; font-size: 13px; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; }
h4 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
article { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 8px; margin: 0 0 14px;
  padding: 0 0 8px; background: #fff; }
article.ok { border-left-color: var(--good); } article.failed { border-left-color: var(--bad); }
article.differs { border-left-color: var(--warn); } article.unknown { border-left-color: var(--unknown); }
.ah { padding: 8px 12px; background: var(--panel); border-radius: 0 8px 0 0; display: flex; flex-wrap: wrap; gap: 8px;
  align-items: baseline; }
.ab { padding: 0 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff;
  white-space: nowrap; background: var(--unknown); }
.badge.up, .badge.current, .badge.ok, .badge.identical, .badge.exact { background: var(--good); }
.badge.degraded, .badge.n-1, .badge.range, .badge.differs, .badge.uncertain { background: var(--warn); }
.badge.down, .badge.older, .badge.failed { background: var(--bad); }
.badge.newer, .badge.extra { background: var(--info); }
.badge.lacks { background: var(--bad); } .badge.different { background: var(--warn); }
.badge.unknown { background: var(--unknown); }
table { border-collapse: collapse; width: 100%; margin-bottom: 6px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 13px; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); font-size: 13px; }
.error { color: var(--bad); }
.evidence { color: var(--muted); font-size: 12px; display: block; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
ul.eps { margin: 0; padding-left: 16px; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
"""
