# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What changed since the previous run, and the exit status a cron job or AWX schedule can act on.

A compliance job that fails every night for the same known problems gets
ignored; one that never fails is useless. So the gate is on *new* failures:
a (rule, target) failing now that did not fail in the previous report - a
new problem, a waiver that expired, a fact that could not be read last time
and now shows a failure. Known failures are reported, not alarmed on.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit import results as R
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import SEVERITIES, SEVERITY_RANK
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

CATEGORIES = ("new", "still_failing", "fixed", "now_waived", "now_error", "gone")


def _brief(result: Dict[str, Any], before: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    out = {"pack": result["pack"], "rule": result["rule"], "title": result.get("title"),
           "severity": result["severity"], "kind": result["kind"], "target": result["target"],
           "target_name": result.get("target_name"), "status": result["status"], "message": result.get("message")}
    if before is not None:
        out["previous_status"] = before["status"]
    return out


def diff_runs(previous: Optional[Dict[str, Any]], current: Dict[str, Any]) -> Dict[str, Any]:
    """New failures, fixed ones, those still failing, and where a failure went (waived, unknown, target gone).

    Without a previous report every current failure is new: the first run
    tells the operator everything it found.
    """
    before = {R.result_key(r): r for r in (previous or {}).get("results", [])}
    now = {R.result_key(r): r for r in current.get("results", [])}
    out: Dict[str, List[Dict[str, Any]]] = {c: [] for c in CATEGORIES}
    for key, r in now.items():
        was = before.get(key)
        if r["status"] == R.FAIL:
            out["still_failing" if was is not None and was["status"] == R.FAIL else "new"].append(_brief(r, was))
        elif was is not None and was["status"] == R.FAIL:
            category = {R.PASS: "fixed", R.NOT_APPLICABLE: "fixed", R.WAIVED: "now_waived",
                        R.ERROR: "now_error"}[r["status"]]
            out[category].append(_brief(r, was))
    for key, was in before.items():
        if key not in now and was["status"] == R.FAIL:
            out["gone"].append(_brief(was))
    for items in out.values():
        items.sort(key=lambda b: (-SEVERITY_RANK[b["severity"]], b["rule"], b["kind"], b["target"]))
    counts = {c: len(v) for c, v in out.items()}
    return {"previous_run": (previous or {}).get("run", {}).get("id"),
            "previous_evaluated_at": (previous or {}).get("run", {}).get("evaluated_at"),
            "counts": counts, **out}


def gate(diff: Dict[str, Any], fail_on: str = "high") -> Dict[str, Any]:
    """``failed`` when a new failure is at or above ``fail_on`` (info .. critical; ``never`` to not fail)."""
    if fail_on != "never" and fail_on not in SEVERITIES:
        raise ValidationError("fail_on must be one of %s or never, got %r" % (", ".join(SEVERITIES), fail_on),
                              field="fail_on")
    if fail_on == "never":
        blocking: List[Dict[str, Any]] = []
    else:
        floor = SEVERITY_RANK[fail_on]
        blocking = [b for b in diff["new"] if SEVERITY_RANK[b["severity"]] >= floor]
    if blocking:
        names = ", ".join("%s on %s %s" % (b["rule"], b["kind"], b["target"]) for b in blocking[:10])
        more = " and %d more" % (len(blocking) - 10) if len(blocking) > 10 else ""
        msg = "%d new failure(s) at or above %s: %s%s" % (len(blocking), fail_on, names, more)
    elif diff["new"]:
        msg = "no new failures at or above %s (%d new below it)" % (fail_on, len(diff["new"]))
    else:
        msg = "no new failures"
    return {"failed": bool(blocking), "msg": msg, "fail_on": fail_on, "blocking": blocking,
            "counts": diff["counts"]}
