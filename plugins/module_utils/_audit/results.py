# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Result states of a compliance audit and the counts every report shows.

pass, fail, error, not_applicable, waived: XCCDF's pass/fail/error/
notapplicable, with a waiver as a state of its own (the failure is still
there, and accepted). ``error`` means the facts could not be gathered or
read: never a pass, never a fail.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import SEVERITIES, SEVERITY_RANK

PASS = "pass"
FAIL = "fail"
ERROR = "error"
NOT_APPLICABLE = "not_applicable"
WAIVED = "waived"
STATUSES = (FAIL, ERROR, WAIVED, NOT_APPLICABLE, PASS)
#: how reports order results: failures first, then errors, waived, not applicable, passes
STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
FORMAT = "osfleet.day2.compliance/v1"


def result_key(result: Dict[str, Any]) -> tuple:
    """What identifies a result across runs: (pack, rule, target kind, target id)."""
    return (result["pack"], result["rule"], result["kind"], result["target"])


def report_order(result: Dict[str, Any]) -> tuple:
    """Failures first, the most severe first, then by rule and target."""
    return (STATUS_RANK.get(result["status"], 9), -SEVERITY_RANK.get(result["severity"], 0), result["pack"],
            result["rule"], result["kind"], result["target"])


def summarise(results: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    by_status = {s: 0 for s in STATUSES}
    by_severity: Dict[str, Dict[str, int]] = {sev: {s: 0 for s in STATUSES} for sev in SEVERITIES}
    by_kind: Dict[str, Dict[str, int]] = {}
    total = 0
    for r in results:
        total += 1
        by_status[r["status"]] += 1
        by_severity[r["severity"]][r["status"]] += 1
        by_kind.setdefault(r["kind"], {s: 0 for s in STATUSES})[r["status"]] += 1
    return {"total": total, "by_status": by_status, "by_severity": by_severity, "by_kind": by_kind}


def failing_targets(results: Iterable[Dict[str, Any]]) -> Dict[tuple, List[Dict[str, Any]]]:
    """(kind, target) -> its failing results."""
    out: Dict[tuple, List[Dict[str, Any]]] = {}
    for r in results:
        if r["status"] == FAIL:
            out.setdefault((r["kind"], r["target"]), []).append(r)
    return out
