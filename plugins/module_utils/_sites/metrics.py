# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The site snapshots as Prometheus metrics, for a node exporter's textfile collector.

Written with the collection's one exposition writer (``_alerts/exposition.py``),
so escaping and duplicate checks are the exporter's. One sample per site and
service (per endpoint for reachability and latency); the release and currency
are an info-style metric (value 1, the facts in labels) so an alert can
select ``currency="older"`` and a dashboard can show the series. Latency is
in seconds, as Prometheus names units; a figure not measured is left out
rather than written as 0.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.exposition import Family, render

PREFIX = "osfleet_control_plane_"


def _families() -> Dict[str, Family]:
    specs = [
        ("site_up", "1 when the site's catalog was read and the site answered within the deadline."),
        ("site_read_seconds", "How long reading the site took."),
        ("up", "1 when the endpoint answered a version document GET (any status below 500)."),
        ("latency_p50_seconds", "Median latency of the endpoint's unauthenticated version document GETs."),
        ("latency_p95_seconds", "95th percentile latency of the endpoint's unauthenticated version document GETs."),
        ("probes", "Version document GETs sent to the endpoint in the last run."),
        ("probe_errors", "Version document GETs of the last run that got no answer or a 5xx."),
        ("round_trip_success", "1 when the service's authenticated API read succeeded."),
        ("round_trip_seconds", "How long the service's authenticated API read took."),
        ("service_health", "1 for the service's health (up, degraded, down), 0 for the others."),
        ("agents", "The service's agents by binary and state (up, down, disabled)."),
        ("release_info", "The service's release as read from its API (series, confidence, currency status)."),
        ("last_run_timestamp_seconds", "When the control plane was last probed (Unix time)."),
    ]
    return {name: Family(PREFIX + name, "gauge", text) for name, text in specs}


def _seconds(ms: Optional[float]) -> Optional[float]:
    return None if ms is None else ms / 1000.0


def families(sites: List[Dict[str, Any]], now: Optional[float] = None) -> List[Family]:
    """The metric families of these snapshots (empty ones are dropped by the writer)."""
    fam = _families()
    for site in sites:
        where = {"cloud": site.get("cloud") or "", "region": site.get("region") or ""}
        fam["site_up"].add(1 if site["ok"] else 0, **where)
        if site.get("elapsed_seconds") is not None:
            fam["site_read_seconds"].add(float(site["elapsed_seconds"]), **where)
        for service in site["services"]:
            labels = dict(where, service_type=service["type"], service=service.get("name") or "")
            for endpoint in service["endpoints"]:
                at = dict(labels, interface=endpoint["interface"] or "")
                fam["up"].add(1 if endpoint["reachable"] else 0, **at)
                fam["probes"].add(int(endpoint["probes"]), **at)
                fam["probe_errors"].add(int(endpoint["errors"]), **at)
                for quantile in ("p50", "p95"):
                    value = _seconds(endpoint["latency_ms"].get(quantile))
                    if value is not None:
                        fam["latency_%s_seconds" % quantile].add(value, **at)
            trip = service["round_trip"]
            fam["round_trip_success"].add(1 if trip["ok"] else 0, **labels)
            if trip.get("ms") is not None:
                fam["round_trip_seconds"].add(_seconds(trip["ms"]), **labels)
            for health in ("up", "degraded", "down"):
                fam["service_health"].add(1 if service["health"] == health else 0, health=health, **labels)
            release = service.get("release") or {}
            currency = service.get("currency") or {}
            fam["release_info"].add(1, series=release.get("series") or "",
                                    candidates=",".join(release.get("candidates") or []),
                                    confidence=release.get("confidence") or "unknown",
                                    currency=currency.get("status") or "unknown",
                                    current_series=currency.get("current_series") or "", **labels)
        counts: Dict[tuple, int] = {}
        for agent in site["agents"]:
            key = (agent["service_type"], agent["binary"] or "", agent["state"])
            counts[key] = counts.get(key, 0) + 1
        for service_type, binary in sorted({(k[0], k[1]) for k in counts}):
            for state in ("up", "down", "disabled"):
                fam["agents"].add(counts.get((service_type, binary, state), 0), service_type=service_type,
                                  binary=binary, state=state, **where)
    fam["last_run_timestamp_seconds"].add(float(time.time() if now is None else now))
    return list(fam.values())


def exposition(sites: List[Dict[str, Any]], now: Optional[float] = None) -> str:
    """The Prometheus text of these snapshots."""
    return render(families(sites, now))
