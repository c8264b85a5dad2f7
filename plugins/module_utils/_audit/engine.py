# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Evaluate rule packs over targets: one result per (rule, target), and the run's document.

Targets are plain dicts (facts.py builds them): ``kind -> [target]``, each
with a stable ``id``, an optional ``name``, its facts, and ``_errors``
(dotted fact path -> why it could not be gathered). For each rule and
target, in this order:

1. a fact the rule reads lies under an ``_errors`` entry -> ``error``;
2. a fact ``applies_when`` reads is absent or null -> ``error``;
3. ``applies_when`` false -> ``not_applicable`` (unknown -> ``error``);
4. a required fact is absent or null -> ``error`` (never pass, never fail);
5. the condition: true -> ``pass``, false -> ``fail``, unknown -> ``error``;
6. a failure matching an active waiver -> ``waived``; an expired one is
   named in the result, which stays ``fail``.

Everything is compiled before the first target is looked at, so a run is
one loop of dictionary reads and comparisons.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import nodes
from ansible_collections.osfleet.day2.plugins.module_utils._audit import keys as keys_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import results as R
from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import preview
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import TARGETS, CompiledRule, Pack
from ansible_collections.osfleet.day2.plugins.module_utils._audit.values import Unreadable, parse_time
from ansible_collections.osfleet.day2.plugins.module_utils._audit.waivers import Waiver
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

MAX_MESSAGE = 600


@dataclass
class RunInfo:
    """Who ran the audit, from where, when: the caller knows, the engine records."""

    who: str = ""
    controller: str = ""
    run_id: str = ""
    started_at: Optional[datetime] = None
    tool: str = "osfleet.day2"
    tool_version: str = ""


class _WaiverUse:
    def __init__(self, waivers: Sequence[Waiver]) -> None:
        self.waivers = list(waivers)
        self.used = [0] * len(self.waivers)
        self.expired_hits = [0] * len(self.waivers)

    def apply(self, result: Dict[str, Any], target_name: Optional[str], now: datetime) -> None:
        expired: Optional[Tuple[int, Waiver]] = None
        for i, w in enumerate(self.waivers):
            if not w.matches(result["pack"], result["rule"], result["kind"], result["target"], target_name):
                continue
            if w.active(now):
                self.used[i] += 1
                result["status"] = R.WAIVED
                result["waiver"] = dict(w.to_dict(), active=True)
                result["message"] = "waived by %s until %s (%s): %s" % (
                    w.who, w.expires_text, w.reason, result["message"])
                return
            expired = expired or (i, w)
        if expired is not None:
            i, w = expired
            self.expired_hits[i] += 1
            result["waiver"] = dict(w.to_dict(), active=False, expired=True)
            result["message"] += " (waiver by %s expired %s: %s)" % (w.who, w.expires_text, w.reason)

    def report(self, now: datetime) -> List[Dict[str, Any]]:
        return [dict(w.to_dict(), status="active" if w.active(now) else "expired", waived=self.used[i],
                     expired_matches=self.expired_hits[i]) for i, w in enumerate(self.waivers)]


def check_targets(targets: Mapping[str, Any]) -> None:
    """Refuse targets the engine cannot tell apart or place: unknown kind, no id, an id twice."""
    if not isinstance(targets, Mapping):
        raise ValidationError("targets are a mapping of target kind -> list of targets", field="targets")
    for kind, items in targets.items():
        if kind not in TARGETS:
            raise ValidationError("unknown target kind %r (one of %s)" % (kind, ", ".join(TARGETS)),
                                  field="targets.%s" % kind)
        if not isinstance(items, list):
            raise ValidationError("targets.%s is a list of targets" % kind, field="targets.%s" % kind)
        seen = set()
        for i, t in enumerate(items):
            if not isinstance(t, dict) or not isinstance(t.get("id"), str) or not t["id"]:
                raise ValidationError("targets.%s[%d] has no id (a non-empty string)" % (kind, i),
                                      field="targets.%s[%d].id" % (kind, i))
            if t["id"] in seen:
                raise ValidationError("targets.%s: id %s appears twice" % (kind, t["id"]),
                                      field="targets.%s[%d].id" % (kind, i))
            seen.add(t["id"])


def compile_packs(packs: Sequence[Pack], params: Optional[Mapping[str, Any]] = None) -> List[CompiledRule]:
    """Every rule of every pack compiled with the run's parameters (``params``: pack name -> overrides)."""
    params = params or {}
    names = [p.name for p in packs]
    for name in names:
        if names.count(name) > 1:
            raise ValidationError("pack %s is given twice" % name, field="packs")
    for name in params:
        if name not in names:
            raise ValidationError("parameters given for pack %r, which is not in this run (packs: %s)" % (
                name, ", ".join(names)), field="params.%s" % name)
    return [cr for p in packs for cr in p.compile(params.get(p.name))]


_PARTS: Dict[str, Tuple[str, ...]] = {}


def _missing(target: Dict[str, Any], facts: Iterable[str]) -> Optional[str]:
    for fact in facts:
        parts = _PARTS.get(fact)
        if parts is None:
            parts = _PARTS[fact] = tuple(fact.split("."))
        found, value = keys_mod.lookup_parts(target, parts)
        if not found:
            return "fact %s was not gathered" % fact
        if value is None:
            return "fact %s is null (not reported by its source)" % fact
    return None


def _gathering_error(target: Dict[str, Any], cr: CompiledRule) -> Optional[Tuple[str, str]]:
    errors = target.get("_errors")
    if not errors:
        return None
    for fact in cr.required + cr.optional:
        for path, why in errors.items():
            if keys_mod.overlaps(fact, path):
                return path, str(why)
    return None


def _text(reasons: List[str]) -> str:
    text = "; ".join(reasons)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def evaluate_one(cr: CompiledRule, target: Dict[str, Any], now: datetime) -> Dict[str, Any]:
    """The result of one rule on one target (before waivers)."""
    rule = cr.rule
    result: Dict[str, Any] = {"pack": cr.pack.name, "rule": rule.id, "title": rule.title, "severity": rule.severity,
                              "kind": rule.target, "target": target["id"], "target_name": target.get("name"),
                              "runbook": rule.runbook}
    failed = _gathering_error(target, cr) if "_errors" in target else None
    if failed:
        path, why = failed
        result.update(status=R.ERROR, message="could not gather %s: %s" % (path, why), evidence={"errors": {path: why}})
        return result
    if cr.guard is not None:
        # a fact the guard reads and nobody gathered is unknown: the guard may still decide without it
        # (a machine Nova does not know is not a compute service, whatever its service status)
        missing = None
        if _missing(target, cr.guard_facts):
            missing = {f: m for f, m in ((f, _missing(target, (f,))) for f in cr.guard_facts) if m}
        ctx = nodes.Context(now, [], missing)
        answer, reasons = cr.guard.evaluate(target, ctx)
        if answer is None:
            result.update(status=R.ERROR, message="cannot tell whether the rule applies: " + _text(reasons),
                          evidence={"applies_when": ctx.evidence})
            return result
        if not answer:
            result.update(status=R.NOT_APPLICABLE, message="not applicable: " + _text(reasons),
                          evidence={"applies_when": ctx.evidence})
            return result
    why_missing = _missing(target, cr.required)
    if why_missing:
        result.update(status=R.ERROR, message=why_missing, evidence={})
        return result
    ctx = nodes.Context(now, [])
    answer, reasons = cr.condition.evaluate(target, ctx)
    status = R.PASS if answer else (R.ERROR if answer is None else R.FAIL)
    evidence: Dict[str, Any] = {"tests": ctx.evidence}
    if status != R.PASS:
        evidence["facts"] = {f: preview(keys_mod.lookup(target, f)[1]) for f in cr.required + cr.optional}
    result.update(status=status, message=_text(reasons), evidence=evidence)
    if rule.age_from:
        try:
            since = parse_time(keys_mod.lookup(target, rule.age_from)[1])
            result["age_days"] = round((now - since).total_seconds() / 86400.0, 1)
            result["since"] = since.isoformat()
        except Unreadable:
            result["age_days"] = None
    return result


def evaluate(packs: Sequence[Pack], targets: Mapping[str, List[Dict[str, Any]]], waivers: Sequence[Waiver] = (),
             params: Optional[Mapping[str, Any]] = None, now: Optional[datetime] = None,
             run: Optional[RunInfo] = None) -> Dict[str, Any]:
    """The results document of one audit run (what every report is made from)."""
    started = time.monotonic()
    now = now or datetime.now(timezone.utc)
    run = run or RunInfo()
    check_targets(targets)
    compiled = compile_packs(packs, params)
    use = _WaiverUse(waivers)
    results: List[Dict[str, Any]] = []
    for cr in compiled:
        for target in targets.get(cr.rule.target, ()):
            result = evaluate_one(cr, target, now)
            if result["status"] == R.FAIL and use.waivers:
                use.apply(result, target.get("name"), now)
            results.append(result)
    duration = time.monotonic() - started
    started_at = run.started_at or now
    return {
        "format": R.FORMAT,
        "run": {"id": run.run_id or str(uuid.uuid4()), "started_at": started_at.isoformat(),
                "evaluated_at": now.isoformat(), "evaluation_seconds": round(duration, 3), "who": run.who,
                "controller": run.controller, "tool": run.tool, "tool_version": run.tool_version,
                "params": {k: dict(v) for k, v in (params or {}).items()}},
        "packs": [dict(p.metadata(), rules_detail=[r.summary() for r in p.rules],
                       params=_effective(p, compiled)) for p in packs],
        "waivers": use.report(now),
        "targets": {kind: len(items) for kind, items in sorted(targets.items())},
        "summary": R.summarise(results),
        "results": results,
    }


def _effective(pack: Pack, compiled: List[CompiledRule]) -> Dict[str, Any]:
    """The parameters each rule ran with (only the ones that differ between rules are per rule)."""
    out: Dict[str, Any] = {}
    for cr in compiled:
        if cr.pack is pack:
            for name, value in cr.params.items():
                out.setdefault(name, value)
    return out


def explain(result: Dict[str, Any]) -> str:
    """One line for a log or a task's msg."""
    return "%s %s [%s] %s %s: %s" % (result["status"].upper(), result["rule"], result["severity"], result["kind"],
                                     result["target"], result["message"])
