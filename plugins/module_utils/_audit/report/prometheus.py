# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""compliance.prom: the run as a Prometheus textfile (node_exporter's textfile collector).

Counts per (pack, rule, severity, result), every result label always present
(0 included) so that an alert on ``> 0`` never meets a missing series; a
per-target gauge of failing rules for every host (0 = compliant) and for
other targets only while they fail (thousands of ports would be series
nobody needs); when the run is compared with the previous one, the new
failures by severity. Passes ``promtool check metrics``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import results as R
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import SEVERITIES

_HELP = {
    "osfleet_compliance_results": "Targets per rule and result in the last compliance audit",
    "osfleet_compliance_target_failing_rules": "Rules failing on a target in the last compliance audit",
    "osfleet_compliance_target_error_rules": "Rules that could not be evaluated on a target in the last compliance audit",
    "osfleet_compliance_new_failures": "Failures in the last compliance audit that were not failing in the previous one",
    "osfleet_compliance_waivers": "Waivers known to the last compliance audit, by status",
    "osfleet_compliance_pack_info": "Rule packs evaluated by the last compliance audit",
    "osfleet_compliance_last_run_timestamp_seconds": "Unix time at which the last compliance audit evaluated its facts",
    "osfleet_compliance_evaluation_duration_seconds": "Seconds the last compliance audit took to evaluate its rules",
}


def _escape(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**kv: Any) -> str:
    return "{%s}" % ",".join('%s="%s"' % (k, _escape(v)) for k, v in kv.items())


def _timestamp(text: Optional[str]) -> Optional[float]:
    try:
        return datetime.fromisoformat(str(text)).timestamp() if text else None
    except ValueError:
        return None


def to_prometheus(document: Dict[str, Any], diff: Optional[Dict[str, Any]] = None) -> str:
    samples: Dict[str, List[str]] = {name: [] for name in _HELP}
    counts: Dict[Tuple[str, str, str], Dict[str, int]] = {}
    failing: Dict[Tuple[str, str], int] = {}
    errors: Dict[Tuple[str, str], int] = {}
    for r in document["results"]:
        row = counts.setdefault((r["pack"], r["rule"], r["severity"]), {s: 0 for s in R.STATUSES})
        row[r["status"]] += 1
        key = (r["kind"], r["target"])
        if r["kind"] == "host":
            failing.setdefault(key, 0)
            errors.setdefault(key, 0)
        if r["status"] == R.FAIL:
            failing[key] = failing.get(key, 0) + 1
        elif r["status"] == R.ERROR and r["kind"] == "host":
            errors[key] += 1
    for (pack, rule, severity), row in sorted(counts.items()):
        for status in R.STATUSES:
            samples["osfleet_compliance_results"].append(
                "%s %d" % (_labels(pack=pack, rule=rule, severity=severity, result=status), row[status]))
    for (kind, target), n in sorted(failing.items()):
        samples["osfleet_compliance_target_failing_rules"].append("%s %d" % (_labels(kind=kind, target=target), n))
    for (kind, target), n in sorted(errors.items()):
        samples["osfleet_compliance_target_error_rules"].append("%s %d" % (_labels(kind=kind, target=target), n))
    if diff is not None:
        for severity in SEVERITIES:
            n = sum(1 for b in diff["new"] if b["severity"] == severity)
            samples["osfleet_compliance_new_failures"].append("%s %d" % (_labels(severity=severity), n))
    waivers = document.get("waivers") or []
    for status in ("active", "expired"):
        samples["osfleet_compliance_waivers"].append(
            "%s %d" % (_labels(status=status), sum(1 for w in waivers if w.get("status") == status)))
    for pack in document.get("packs", []):
        samples["osfleet_compliance_pack_info"].append(
            "%s 1" % _labels(pack=pack["name"], version=pack.get("version"), sha256=pack.get("sha256")))
    run = document.get("run", {})
    when = _timestamp(run.get("evaluated_at"))
    if when is not None:
        samples["osfleet_compliance_last_run_timestamp_seconds"].append(" %.3f" % when)
    samples["osfleet_compliance_evaluation_duration_seconds"].append(" %.3f" % float(run.get("evaluation_seconds", 0)))
    lines: List[str] = []
    for name, help_text in _HELP.items():
        if samples[name]:
            lines += ["# HELP %s %s" % (name, help_text), "# TYPE %s gauge" % name]
            lines += [name + s for s in samples[name]]
    return "\n".join(lines) + "\n"
