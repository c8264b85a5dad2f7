# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The site report as one self-contained page (inline CSS, no script, nothing fetched).

First each site: its services with endpoint health and latency (p50/p95), the API
version, the release series with its confidence and the currency, and the agents that
are not up; then the comparison against the reference site (``compare.py``): what
each site lacks, has extra, runs differently, or could not be compared, per category.

A release is shown as what is known of it and nothing more: an exact series as the
series, a range as the range of its candidates, nothing known as "unknown", each with
its confidence as a word. States are a word in a coloured badge, never colour alone.
Every value is escaped: names and error messages come from the clouds. The output
depends only on its input and ``generated_at``.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._sites.compare import CATEGORIES, site_label
from ansible_collections.osfleet.day2.plugins.module_utils._sites.report_html_assets import CSS

HEALTH = ("up", "degraded", "down")
CURRENCY = ("current", "n-1", "older", "newer", "unknown")
CONFIDENCE = ("exact", "range", "unknown")
TITLES = {"services": "Services", "versions": "Versions", "flavors": "Flavors", "images": "Images",
          "networks": "Networks", "availability_zones": "Availability zones", "quotas": "Default quotas"}
KINDS = (("lacks", "lacks (in the reference, not here)"), ("extra", "extra (here, not in the reference)"),
         ("different", "runs differently"), ("uncertain", "may differ (release known only as a range)"))


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(word: Any, allowed: tuple, colour: Optional[str] = None) -> str:
    """A coloured badge that says its state in words; a state we do not know is shown as itself, in the unknown colour."""
    text = str(word) if word not in (None, "") else "unknown"
    kind = colour or (text if text in allowed else "unknown")
    return '<span class="badge %s">%s</span>' % (_e(kind), _e(text))


def _ms(value: Any) -> str:
    try:
        return "%.1f ms" % float(value)
    except (TypeError, ValueError):
        return "-"


def release_text(release: Any) -> str:
    """The series as far as it is known: ``2025.1``; a range ``2024.2 to 2025.1`` (``2024.2 or 2025.1`` for two); or unknown."""
    if not isinstance(release, dict):
        return "unknown"
    if release.get("confidence") == "exact" and release.get("series"):
        return str(release["series"])
    candidates = [str(c) for c in release.get("candidates") or []]
    if not candidates:
        return "unknown"
    if len(candidates) == 1:
        return "possibly %s" % candidates[0]
    if len(candidates) == 2:
        return "%s or %s" % (candidates[0], candidates[1])
    return "%s to %s" % (candidates[0], candidates[-1])


def _confidence(release: Any) -> str:
    if not isinstance(release, dict):
        return "unknown"
    confidence = release.get("confidence")
    # a series without confidence "exact" is not presented as exact
    if confidence == "exact" and not release.get("series"):
        return "unknown"
    return confidence if confidence in CONFIDENCE else "unknown"


def _endpoints(service: Dict[str, Any]) -> str:
    items = []
    for ep in service.get("endpoints") or []:
        if not isinstance(ep, dict):
            continue
        latency = ep.get("latency_ms") or {}
        state = "reachable" if ep.get("reachable") else "unreachable"
        detail = "p50 %s &middot; p95 %s" % (_ms(latency.get("p50")), _ms(latency.get("p95"))) if ep.get("reachable") else \
            '<span class=error>%s</span>' % _e(ep.get("error") or "no answer")
        errors = ' &middot; %s of %s probes failed' % (_e(ep.get("errors")), _e(ep.get("probes"))) if ep.get("errors") else ""
        items.append('<li data-interface="%s" data-reachable="%s">%s %s: %s%s <code>%s</code></li>' % (
            _e(ep.get("interface")), "true" if ep.get("reachable") else "false", _e(ep.get("interface")), state,
            detail, errors, _e(ep.get("url"))))
    return '<ul class=eps>%s</ul>' % "".join(items) if items else '<span class=muted>none listed</span>'


def _version(service: Dict[str, Any]) -> str:
    version = service.get("version")
    if not isinstance(version, dict):
        return '<span class=muted>not read</span>'
    mv = ""
    if version.get("max_microversion"):
        mv = ' <span class=muted>microversions %s to %s</span>' % (
            _e(version.get("min_microversion")), _e(version.get("max_microversion")))
    return "%s%s" % (_e(version.get("id")), mv)


def _service_row(service: Dict[str, Any]) -> str:
    release = service.get("release")
    confidence = _confidence(release)
    currency = service.get("currency") or {}
    status = currency.get("status") if currency.get("status") in CURRENCY else "unknown"
    trip = service.get("round_trip") or {}
    trip_text = "%s %s, %s" % (_e(trip.get("call")), _e(trip.get("status")), _ms(trip.get("ms"))) if trip.get("ok") else \
        '<span class=error>%s failed: %s</span>' % (_e(trip.get("call") or "round trip"), _e(trip.get("error")))
    evidence = '<span class=evidence>%s</span>' % _e(release.get("evidence")) if isinstance(release, dict) and \
        release.get("evidence") else ""
    current = ' <span class=muted>(current %s)</span>' % _e(currency.get("current_series")) if currency.get("current_series") \
        else ""
    health = service.get("health") if service.get("health") in HEALTH else "unknown"
    return ('<tr data-service-type="%s" data-health="%s" data-confidence="%s" data-currency="%s">'
            '<td><b>%s</b> <span class=muted>%s</span></td><td>%s</td><td>%s</td><td>%s</td>'
            '<td><span class=series>%s</span> %s%s</td><td>%s%s</td><td>%s</td></tr>' % (
                _e(service.get("type")), _e(health), _e(confidence), _e(status),
                _e(service.get("type")), _e(service.get("name")), _badge(health, HEALTH), _endpoints(service),
                _version(service), _e(release_text(release)), _badge(confidence, CONFIDENCE), evidence,
                _badge(status, CURRENCY), current, trip_text))


def _agents_down(site: Dict[str, Any]) -> str:
    agents = [a for a in site.get("agents") or [] if isinstance(a, dict)]
    down = [a for a in agents if a.get("state") != "up" or not a.get("up", True)]
    if not agents:
        return '<h4>Agents</h4><p class=muted>none reported</p>'
    if not down:
        return '<h4>Agents</h4><p class=muted>all %d up</p>' % len(agents)
    rows = "".join('<tr data-agent="%s@%s" data-state="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                   '<td>%s</td></tr>' % (
                       _e(a.get("binary")), _e(a.get("host")), _e(a.get("state")), _e(a.get("binary")), _e(a.get("host")),
                       _e(a.get("zone")), _badge("down" if a.get("state") == "down" else a.get("state"), HEALTH),
                       "disabled: %s" % _e(a.get("disabled_reason") or "no reason") if a.get("enabled") is False else
                       "enabled", _e(a.get("updated_at"))) for a in down)
    return ('<h4>Agents not up (%d of %d)</h4><table class=agents><tr><th>binary</th><th>host</th><th>zone</th><th>state</th>'
            '<th>enabled</th><th>last seen</th></tr>%s</table>' % (len(down), len(agents), rows))


def _site(site: Dict[str, Any]) -> str:
    label = site_label(site)
    ok = site.get("ok") is not False
    services = [s for s in site.get("services") or [] if isinstance(s, dict)]
    if services:
        table = ('<table class=services><tr><th>service</th><th>health</th><th>endpoints (latency p50 / p95)</th>'
                 '<th>API version</th><th>release series</th><th>currency</th><th>round trip</th></tr>%s</table>' % "".join(
                     _service_row(s) for s in sorted(services, key=lambda s: str(s.get("type")))))
    else:
        table = '<p class=muted>no services read</p>'
    error = ' <span class=error>%s</span>' % _e(site.get("error")) if site.get("error") else ""
    elapsed = ' <span class=muted>read in %s s</span>' % _e(site.get("elapsed_seconds")) if site.get("elapsed_seconds") \
        is not None else ""
    hypervisors = sorted({"%s %s" % (h.get("type"), h.get("version")) for h in site.get("hypervisors") or []
                          if isinstance(h, dict)})
    hyp = '<p class=muted>hypervisors: %s</p>' % _e(", ".join(hypervisors)) if hypervisors else ""
    return ('<article class="site %s" data-site="%s" data-ok="%s"><div class=ah><h3>%s</h3>%s%s%s</div>'
            '<div class=ab>%s%s%s</div></article>' % (
                "ok" if ok else "failed", _e(label), "true" if ok else "false", _e(label),
                _badge("ok" if ok else "failed", ("ok", "failed")), error, elapsed, table, _agents_down(site), hyp))


def value_text(value: Any) -> str:
    """A compared value as a person reads it: a release as far as it is known, a list joined, None as absent."""
    if isinstance(value, dict) and "confidence" in value:
        return "%s (%s)" % (release_text(value), _confidence(value))
    if value is None:
        return "(absent)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _category(name: str, found: Dict[str, Any]) -> str:
    status = found.get("status") or "unknown"
    rows = []
    for kind, _label in KINDS:
        for entry in found.get(kind) or []:
            if isinstance(entry, dict):
                rows.append('<tr data-category="%s" data-kind="%s" data-name="%s"><td>%s</td><td>%s</td><td>%s</td>'
                            '<td>%s</td><td>%s</td></tr>' % (
                                _e(name), _e(kind), _e(entry.get("name")), _badge(kind, ("different", "uncertain")),
                                _e(entry.get("name")), _e(entry.get("field")), _e(value_text(entry.get("reference"))),
                                _e(value_text(entry.get("value")))))
            else:
                rows.append('<tr data-category="%s" data-kind="%s" data-name="%s"><td>%s</td><td>%s</td>'
                            '<td colspan=3 class=muted>%s</td></tr>' % (
                                _e(name), _e(kind), _e(entry), _badge(kind, ("lacks", "extra")), _e(entry),
                                "in the reference, not in this site" if kind == "lacks" else "in this site, not in the reference"))
    for part in found.get("unknown") or []:
        rows.append('<tr data-category="%s" data-kind="unknown" data-name="%s"><td>%s</td><td colspan=4>%s</td></tr>' % (
            _e(name), _e(part), _badge("unknown", ()), "not compared: %s" % _e(part)))
    ignored = found.get("ignored") or []
    note = ' <span class=muted>ignored: %s</span>' % _e(", ".join(ignored)) if ignored else ""
    if not rows:
        body = '<p class=muted>no difference</p>' if status == "compared" else '<p class=muted>not compared</p>'
    else:
        body = ('<table class=findings><tr><th>finding</th><th>name</th><th>field</th><th>reference</th><th>this site</th></tr>'
                '%s</table>' % "".join(rows))
    word = {"compared": "compared", "partial": "partly unknown", "unknown": "unknown"}.get(status, "unknown")
    return '<section class=category data-category="%s" data-status="%s"><h4>%s %s%s</h4>%s</section>' % (
        _e(name), _e(status), _e(TITLES.get(name, name)), _badge(word, (), "ok" if status == "compared" else "unknown"),
        note, body)


def _comparison(comparison: Optional[Dict[str, Any]]) -> str:
    if not isinstance(comparison, dict) or not comparison.get("sites"):
        return '<section id="comparison"><h2>Comparison</h2><p class=muted>no comparison given</p></section>'
    articles = []
    for site in comparison["sites"]:
        summary = site.get("summary") or {}
        if summary.get("identical"):
            state, word = "ok", "identical"
        elif summary.get("lacks") or summary.get("extra") or summary.get("different"):
            state, word = "differs", "differs"
        else:
            state, word = "unknown", "not fully compared" if summary.get("unknown") else "may differ"
        counts = ('<span class=muted>lacks %s &middot; extra %s &middot; different %s &middot; may differ %s%s</span>' % (
            _e(summary.get("lacks", 0)), _e(summary.get("extra", 0)), _e(summary.get("different", 0)),
            _e(summary.get("uncertain", 0)),
            " &middot; not compared: %s" % _e(", ".join(summary.get("unknown") or [])) if summary.get("unknown") else ""))
        cats = site.get("categories") or {}
        if summary.get("identical"):
            body = '<p class=muted>every category compared (%s): no difference</p>' % _e(", ".join(
                TITLES.get(name, name).lower() for name in CATEGORIES))
        else:
            body = "".join(_category(name, cats[name]) for name in CATEGORIES if isinstance(cats.get(name), dict))
        articles.append('<article class="comparison %s" data-site="%s" data-identical="%s"><div class=ah><h3>%s against %s</h3>'
                        '%s %s</div><div class=ab>%s</div></article>' % (
                            _e(state), _e(site.get("site")), "true" if summary.get("identical") else "false",
                            _e(site.get("site")), _e(comparison.get("reference")),
                            _badge(word, (), {"identical": "identical", "differs": "differs", "may differ": "uncertain"}.get(
                                word, "unknown")), counts, body))
    return '<section id="comparison"><h2>Comparison against %s</h2>%s</section>' % (
        _e(comparison.get("reference")), "".join(articles))


def to_html(sites: List[Dict[str, Any]], comparison: Optional[Dict[str, Any]], generated_at: str) -> str:
    """The page for site snapshots and their comparison (``compare_sites``' result, or None) at ``generated_at``."""
    sites = [s for s in sites if isinstance(s, dict)]
    reference = comparison.get("reference") if isinstance(comparison, dict) else None
    header = ('<header><h1>Site report</h1><p class=meta>%d site(s): <b>%s</b>%s &middot; generated '
              '<time datetime="%s">%s</time></p></header>' % (
                  len(sites), _e(", ".join(site_label(s) for s in sites)) or "none",
                  " &middot; reference <b>%s</b>" % _e(reference) if reference else "", _e(generated_at), _e(generated_at)))
    legend = ('<p class=muted>Release series: an exact series is shown as it is; a range lists the releases the API '
              'versions fit, and unknown means the service gave nothing to tell them apart. Currency is judged only '
              'from an exact series, or a range whose every candidate gives the same answer.</p>')
    body = "".join(_site(s) for s in sites) or '<p class=muted>no sites</p>'
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>Site report %s</title><style>%s</style></head><body>%s<main>'
            '<section id="sites"><h2>Sites</h2>%s%s</section>%s</main>'
            '<footer>osfleet.day2 site report &middot; this page needs no network: everything is in this file.</footer>'
            '</body></html>\n' % (_e(generated_at), CSS, header, legend, body, _comparison(comparison)))
