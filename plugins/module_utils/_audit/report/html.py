# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""compliance.html: one self-contained page for people (inline CSS and script, nothing fetched).

Top to bottom: the run (when, who, packs and their hashes), the summary by
severity, what changed since the previous report, the findings (failures
first, then errors, waived, not applicable; filter and sort), and a section
per host with every result, then the other resources that have findings.
Every value is HTML-escaped: BMC log messages and resource names are not
ours to trust.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit import results as R
from ansible_collections.osfleet.day2.plugins.module_utils._audit.diff import diff_runs
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import SEVERITIES, SEVERITY_RANK
from ansible_collections.osfleet.day2.plugins.module_utils._audit.report.html_assets import CSS, JS

STATUS_LABEL = {R.FAIL: "fail", R.ERROR: "error", R.WAIVED: "waived", R.NOT_APPLICABLE: "n/a", R.PASS: "pass"}
CHANGE_LABEL = {"new": "New failures", "still_failing": "Still failing", "fixed": "Fixed",
                "now_waived": "Failing before, waived now", "now_error": "Failing before, cannot be checked now",
                "gone": "Failing before, target gone"}


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(status: str) -> str:
    return '<span class="badge %s">%s</span>' % (_e(status), _e(STATUS_LABEL.get(status, status)))


def _sev(severity: str) -> str:
    return '<span class="sev %s">%s</span>' % (_e(severity), _e(severity))


def _target_label(r: Dict[str, Any]) -> str:
    name = r.get("target_name")
    label = _e(r["target"]) if not name or name == r["target"] else "%s <span class=muted>%s</span>" % (
        _e(name), _e(r["target"]))
    return '<span class=muted>%s</span> %s' % (_e(r["kind"]), label)


def _header(doc: Dict[str, Any]) -> str:
    run = doc.get("run", {})
    packs = ", ".join("%s %s (<code title=\"%s\">%s</code>)" % (_e(p["name"]), _e(p.get("version")), _e(p.get("sha256")),
                                                                _e((p.get("sha256") or "")[:12]))
                      for p in doc.get("packs", []))
    who = " by %s" % _e(run["who"]) if run.get("who") else ""
    where = " on %s" % _e(run["controller"]) if run.get("controller") else ""
    targets = ", ".join("%d %s" % (n, _e(k)) for k, n in sorted(doc.get("targets", {}).items()))
    return ("<header><h1>Compliance report</h1><p class=meta>Evaluated <time datetime=\"%s\">%s</time>%s%s &middot; "
            "run <code>%s</code> &middot; packs: %s &middot; targets: %s</p></header>" % (
                _e(run.get("evaluated_at")), _e(run.get("evaluated_at")), who, where, _e(run.get("id")), packs,
                targets or "none"))


def _summary(doc: Dict[str, Any]) -> str:
    s = doc["summary"]
    cards = "".join('<div class="card %s"><span class=n>%d</span><span class=l>%s</span></div>' % (
        st, s["by_status"].get(st, 0), _e(STATUS_LABEL[st])) for st in R.STATUSES)
    head = "".join("<th>%s</th>" % _badge(st) for st in R.STATUSES)
    rows = []
    for sev in reversed(SEVERITIES):
        row = s["by_severity"].get(sev, {})
        rows.append("<tr><td>%s</td>%s</tr>" % (_sev(sev), "".join(
            '<td class=num>%d</td>' % row.get(st, 0) for st in R.STATUSES)))
    waivers = doc.get("waivers") or []
    expired = [w for w in waivers if w.get("status") == "expired"]
    unused = [w for w in waivers if w.get("status") == "active" and not w.get("waived")]
    notes = []
    if expired:
        notes.append("%d waiver(s) expired: %s" % (len(expired), ", ".join(
            "%s on %s (%s, %s)" % (_e(w["rule"]), _e(w["target"]), _e(w["who"]), _e(w["expires"])) for w in expired)))
    if unused:
        notes.append("%d active waiver(s) matched no failure: %s" % (len(unused), ", ".join(
            "%s on %s" % (_e(w["rule"]), _e(w["target"])) for w in unused)))
    note = "".join("<p class=muted>%s</p>" % n for n in notes)
    return ('<section id="summary"><h2>Summary</h2><div class=cards>%s</div>'
            '<table class="matrix" id="by-severity"><thead><tr><th>Severity</th>%s</tr></thead><tbody>%s</tbody></table>'
            '%s</section>' % (cards, head, "".join(rows), note))


def _changes(diff: Optional[Dict[str, Any]]) -> str:
    if diff is None:
        return ""
    if not diff.get("previous_run"):
        return ('<section id="changes"><h2>Since the previous report</h2><p class=muted>No previous report in this '
                'directory: every failure is new.</p></section>')
    cards = "".join('<div class="card %s"><span class=n>%d</span><span class=l>%s</span></div>' % (
        c, diff["counts"][c], _e(CHANGE_LABEL[c])) for c in ("new", "fixed", "still_failing"))
    parts = []
    for category in ("new", "fixed", "still_failing", "now_waived", "now_error", "gone"):
        items = diff[category]
        if not items:
            continue
        lis = "".join("<li>%s <b>%s</b> %s &mdash; %s <span class=muted>%s</span></li>" % (
            _sev(b["severity"]), _e(b["rule"]), _e(b.get("title")), _target_label(b), _e(b.get("message")))
            for b in items[:200])
        more = "<li class=muted>... %d more</li>" % (len(items) - 200) if len(items) > 200 else ""
        parts.append('<details %s id="changes-%s"><summary>%s (%d)</summary><ul class=changes>%s%s</ul></details>' % (
            "open" if category == "new" else "", category, _e(CHANGE_LABEL[category]), len(items), lis, more))
    return ('<section id="changes"><h2>Since the previous report</h2><p class=muted>Compared with run <code>%s</code> '
            'of %s.</p><div class=cards>%s</div>%s</section>' % (
                _e(diff["previous_run"]), _e(diff.get("previous_evaluated_at")), cards, "".join(parts)))


def _evidence(r: Dict[str, Any]) -> str:
    text = json.dumps(r.get("evidence", {}), indent=1, ensure_ascii=False, default=str)
    return "<details><summary>evidence</summary><pre>%s</pre></details>" % _e(text)


def _findings(doc: Dict[str, Any], new_keys: set) -> str:
    rows = []
    findings = sorted((r for r in doc["results"] if r["status"] != R.PASS), key=R.report_order)
    for r in findings:
        new = R.result_key(r) in new_keys
        age = r.get("age_days")
        rows.append(
            '<tr data-status="%s" data-status_rank="%d" data-sev="%d" data-kind="%s" data-rule="%s" data-target="%s" '
            'data-age="%s"%s><td>%s%s</td><td>%s</td><td><b>%s</b><br><span class=muted>%s</span></td><td>%s</td>'
            '<td class=msg>%s%s</td><td class=num>%s</td><td><code>%s</code></td></tr>' % (
                _e(r["status"]), R.STATUS_RANK[r["status"]], SEVERITY_RANK[r["severity"]], _e(r["kind"]),
                _e(r["rule"]), _e(r["target"]), "" if age is None else _e(age), ' data-new="1"' if new else "",
                _badge(r["status"]), " " + _badge("new") if new else "", _sev(r["severity"]),
                _e(r["rule"]), _e(r.get("title")), _target_label(r), _e(r.get("message")), _evidence(r),
                "" if age is None else "%s d" % _e(age), _e(r.get("runbook"))))
    kinds = sorted({r["kind"] for r in doc["results"]})
    kind_options = "".join('<option value="%s">%s</option>' % (_e(k), _e(k)) for k in kinds)
    sev_options = "".join('<option value="%d" data-name="%s">%s and above</option>' % (SEVERITY_RANK[s], s, s)
                          for s in reversed(SEVERITIES[1:]))
    return (
        '<section id="findings"><h2>Findings</h2>'
        '<div class=controls><input id=q type=search placeholder="Filter: rule, target, message" aria-label="filter">'
        '<select id=f-status aria-label="status"><option value="problems">fail, error, waived</option>'
        '<option value="fail">fail</option><option value="error">error</option><option value="waived">waived</option>'
        '<option value="not_applicable">not applicable</option><option value="all">all findings</option></select>'
        '<select id=f-severity aria-label="severity"><option value="0" data-name="any">any severity</option>%s</select>'
        '<select id=f-kind aria-label="kind"><option value="">every kind</option>%s</select>'
        '<span id=shown data-count="%d">%d findings</span></div>'
        '<table id="findings-table"><thead><tr><th data-sort="status_rank" data-numeric>Status</th>'
        '<th data-sort="sev" data-numeric>Severity</th><th data-sort="rule">Rule</th><th data-sort="target">Target</th>'
        '<th>Message</th><th data-sort="age" data-numeric>Age</th><th>Runbook</th></tr></thead>'
        '<tbody>%s</tbody></table>%s</section>' % (
            sev_options, kind_options, len(findings), len(findings), "".join(rows),
            "" if findings else "<p>No findings: every rule passed on every target.</p>"))


def _target_section(kind: str, target: str, results: List[Dict[str, Any]]) -> str:
    results = sorted(results, key=R.report_order)
    counts: Dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    badges = " ".join("%s&nbsp;%d" % (_badge(st), counts[st]) for st in R.STATUSES if counts.get(st))
    rows = "".join("<tr data-status=\"%s\"><td>%s</td><td>%s</td><td><b>%s</b> %s</td><td class=msg>%s</td></tr>" % (
        _e(r["status"]), _badge(r["status"]), _sev(r["severity"]), _e(r["rule"]), _e(r.get("title")),
        _e(r.get("message"))) for r in results)
    name = results[0].get("target_name") or target
    is_open = " open" if counts.get(R.FAIL) or counts.get(R.ERROR) else ""
    return ('<details class="target" id="%s-%s" data-name="%s" data-kind="%s"%s><summary><span class=name>%s</span>'
            '%s</summary><table><thead><tr><th>Status</th><th>Severity</th><th>Rule</th><th>Message</th></tr></thead>'
            '<tbody>%s</tbody></table></details>' % (
                _e(kind), _e(target), _e(name), _e(kind), is_open, _e(name), badges, rows))


def _targets(doc: Dict[str, Any]) -> str:
    by_target: Dict[tuple, List[Dict[str, Any]]] = {}
    for r in doc["results"]:
        by_target.setdefault((r["kind"], r["target"]), []).append(r)
    hosts = [(k, t) for (k, t) in by_target if k == "host"]
    others = [(k, t) for (k, t) in by_target if k != "host"
              and any(r["status"] in (R.FAIL, R.ERROR, R.WAIVED) for r in by_target[(k, t)])]
    out = ['<section id="hosts"><h2>Hosts (%d)</h2><div class=controls><input id=hq type=search '
           'placeholder="Find a host or resource" aria-label="find"></div>' % len(hosts)]
    out += [_target_section(k, t, by_target[(k, t)]) for k, t in sorted(hosts)]
    out.append("</section>")
    if others:
        out.append('<section id="resources"><h2>Other resources with findings (%d)</h2>' % len(others))
        out += [_target_section(k, t, by_target[(k, t)]) for k, t in sorted(others)]
        out.append("</section>")
    return "".join(out)


def to_html(document: Dict[str, Any], previous: Optional[Dict[str, Any]] = None,
            diff: Optional[Dict[str, Any]] = None) -> str:
    """The page; ``previous`` (the last report's document) or a ready ``diff`` adds "since the previous report"."""
    if diff is None and previous is not None:
        diff = diff_runs(previous, document)
    new_keys = {(b["pack"], b["rule"], b["kind"], b["target"]) for b in (diff or {}).get("new", [])} \
        if diff and diff.get("previous_run") else set()
    title = "Compliance report %s" % (document.get("run", {}).get("evaluated_at") or "")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>%s</title><style>%s</style></head><body data-ready=\"0\">%s<main>%s%s%s%s</main>"
            "<footer>osfleet.day2 %s &middot; format %s &middot; this page needs no network: everything is in this file."
            "</footer><script>%s</script></body></html>\n" % (
                _e(title), CSS, _header(document), _summary(document), _changes(diff), _findings(document, new_keys),
                _targets(document), _e(document.get("run", {}).get("tool_version") or ""), _e(document.get("format")),
                JS))
