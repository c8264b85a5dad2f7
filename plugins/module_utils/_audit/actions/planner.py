# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""From the failing unused_capacity results to the staged actions of this run, capped before anything is done.

A resource moves one stage per run at most: notify, then (servers) stop once
``grace_stop_days`` have passed since the notice, then delete once
``grace_delete_days`` have passed since the stop (other kinds: since the
notice). The stage reached is read from the marks on the resource (kinds.py),
so the plan needs no state of its own. A resource is left alone, and the plan
says why, when it is held (quarantine, maintenance window) or its hold is
unknown, carries the exclusion tag, has an ``error`` result (a fact that could
not be read is not a known state), or is not in this run's targets.

A marked resource that passes the pack again because it changed after our
last mark (its owner started the server, attached the volume) loses its
marks (``clear``), so an old notice never counts for a later finding. One
whose only change is our own mark (Neutron moves ``updated_at`` when a tag is
added) keeps them: :data:`MARK_ECHO` tells the two apart.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions import kinds as K
from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.settings import (
    CLEAR,
    DELETE,
    NOTIFY,
    STOP,
    Settings,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    UNUSED_NOTICE,
    UNUSED_NOTIFIED,
    UNUSED_STOPPED,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time, parse_time_or_none

#: a change this soon after our last mark is taken for the mark itself (the writes of a run come after its plan)
MARK_ECHO = timedelta(hours=1)
#: the order of a run's actions
ORDER = {CLEAR: 0, NOTIFY: 1, STOP: 2, DELETE: 3}


class CapExceededError(Day2Error):
    """The plan acts on more resources than ``max_resources`` or ``max_percent`` allow: nothing is done."""


@dataclass
class Action:
    """One stage on one resource: what, which, whose, and why (the rules and their evidence)."""

    stage: str
    kind: str
    target: str
    name: str
    project_id: Optional[str]
    owner: Optional[str]
    why: List[Dict[str, Any]]
    marks: Dict[str, str] = field(default_factory=dict)     # what the stage writes on the resource
    before: Dict[str, Any] = field(default_factory=dict)    # the resource's stage marks and status now
    status: Optional[str] = None
    remove: List[str] = field(default_factory=list)         # the marks a clear removes

    @property
    def ref(self) -> str:
        return "%s/%s" % (self.kind, self.target)

    @property
    def rules(self) -> List[str]:
        return sorted({w["rule"] for w in self.why})

    def after(self) -> Dict[str, Any]:
        if self.stage == DELETE:
            return {"deleted": True}
        if self.stage == CLEAR:
            return {k: v for k, v in self.before.items() if k not in (UNUSED_NOTIFIED, UNUSED_STOPPED)}
        out = dict(self.before)
        out.update({k: v for k, v in self.marks.items() if k != UNUSED_NOTICE})
        if self.stage == STOP:
            out["status"] = "SHUTOFF"
        return out

    def to_dict(self) -> Dict[str, Any]:
        return {"stage": self.stage, "kind": self.kind, "target": self.target, "name": self.name,
                "project_id": self.project_id, "owner": self.owner, "rules": self.rules, "why": self.why,
                "marks": dict(self.marks), "remove": list(self.remove), "before": dict(self.before),
                "after": self.after()}


@dataclass
class Plan:
    """The actions of one run, in order, and every candidate left alone with the reason."""

    settings: Settings
    now: datetime
    actions: List[Action] = field(default_factory=list)
    waiting: List[Dict[str, Any]] = field(default_factory=list)
    skipped: List[Dict[str, Any]] = field(default_factory=list)
    population: Dict[str, int] = field(default_factory=dict)

    def capped(self) -> List[Action]:
        """The actions the caps count: every stage; removing our own marks is not acting on a resource."""
        return [a for a in self.actions if a.stage != CLEAR]

    def counts(self) -> Dict[str, Any]:
        by_kind: Dict[str, int] = {}
        by_stage: Dict[str, int] = {}
        for a in self.actions:
            by_stage[a.stage] = by_stage.get(a.stage, 0) + 1
        for a in self.capped():
            by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
        return {"actions": len(self.actions), "by_kind": by_kind, "by_stage": by_stage,
                "waiting": len(self.waiting), "skipped": len(self.skipped), "population": dict(self.population)}

    def to_dict(self) -> Dict[str, Any]:
        return {"now": format_time(self.now), "settings": self.settings.to_dict(), "counts": self.counts(),
                "actions": [a.to_dict() for a in self.actions], "waiting": list(self.waiting),
                "skipped": list(self.skipped)}

    def diff(self) -> Dict[str, str]:
        """Ansible's ``diff`` (before/after text, one line per resource acted on)."""
        before, after = [], []
        for a in self.actions:
            label = "%s (%s)" % (a.ref, a.name)
            before.append("%s: %s" % (label, _words(a.before)))
            after.append("%s: %s" % (label, "deleted" if a.stage == DELETE else _words(a.after())))
        return {"before": "".join(line + "\n" for line in before), "after": "".join(line + "\n" for line in after)}


def _words(state: Mapping[str, Any]) -> str:
    return ", ".join("%s=%s" % (k, state[k]) for k in sorted(state)) or "no marks"


Results = Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]


def plan(results: Results, targets: Mapping[str, List[Dict[str, Any]]], settings: Settings,
         now: Optional[datetime] = None) -> Plan:
    """The staged actions for this run; raises CapExceededError before anything is done.

    ``results``: the engine's results document (or its ``results`` list);
    ``targets``: kind -> targets, as given to the engine (the marks, ``held``
    and the tags are read from them). Example, as the compliance_audit module
    calls it::

        from ...._audit import actions
        settings = actions.Settings.from_options(module.params["actions"])
        todo = actions.plan(doc, targets, settings, now)          # may raise CapExceededError
        done = actions.apply(cloud, todo, audit_log, check_mode=module.check_mode)
        result.update(actions=done, actions_plan=todo.to_dict(), diff=todo.diff())
    """
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    out = Plan(settings=settings, now=now,
               population={kind: len(items) for kind, items in targets.items() if kind in K.KINDS})
    rows = list(results.get("results") or []) if isinstance(results, Mapping) else list(results)
    by_id = {(kind, t.get("id")): t for kind, items in targets.items() for t in items}
    failing: Dict[tuple, List[Mapping[str, Any]]] = {}
    errors: Dict[tuple, List[str]] = {}
    passing: set = set()
    unsettled: set = set()  # failing or waived in the pack, of any rule: not a resource to clear
    for r in rows:
        key = (r.get("kind"), r.get("target"))
        if r.get("status") == "error":
            errors.setdefault(key, []).append(r.get("rule"))
        elif r.get("pack") != settings.pack:
            continue
        elif r.get("status") in ("fail", "waived"):
            unsettled.add(key)
            if r.get("status") == "fail" and _wanted(r.get("rule"), settings):
                failing.setdefault(key, []).append(r)
        elif r.get("status") == "pass":
            passing.add(key)
    if not settings.stages:
        for key in sorted(failing):
            _skip(out, key, by_id.get(key), "no action stage is enabled (stages: notify, stop, delete)")
        return out
    for key in sorted(failing):
        _one(out, key, failing[key], by_id.get(key), errors.get(key), settings, now)
    for key in sorted(passing - unsettled - set(errors)):
        _clear(out, key, by_id.get(key), settings)
    # the gentlest first: a delete the cloud refuses (a volume with snapshots) must not hold back the notices
    out.actions.sort(key=lambda a: (ORDER[a.stage], a.kind, a.target))
    check_caps(out)
    return out


def _wanted(rule: Any, settings: Settings) -> bool:
    return not settings.rules or any(fnmatch.fnmatchcase(str(rule), g) for g in settings.rules)


def _skip(out: Plan, key: tuple, target: Optional[Dict[str, Any]], reason: str) -> None:
    out.skipped.append({"kind": key[0], "target": key[1], "name": (target or {}).get("name"), "reason": reason})


def _one(out: Plan, key: tuple, failures: List[Mapping[str, Any]], target: Optional[Dict[str, Any]],
         errors: Optional[List[str]], settings: Settings, now: datetime) -> None:
    kind = K.KINDS.get(key[0])
    if kind is None:
        return _skip(out, key, target, "no action acts on a %s" % key[0])
    if target is None:
        return _skip(out, key, target, "not among this run's targets")
    if errors:
        return _skip(out, key, target, "rule(s) %s could not be evaluated (error): its state is not known"
                     % ", ".join(sorted(set(str(e) for e in errors))))
    if target.get("held") is not False:
        hold = {k: v for k, v in (target.get("hold") or {}).items() if v is not None}
        return _skip(out, key, target, "held (%s)" % ", ".join("%s %s" % kv for kv in sorted(hold.items()))
                     if hold else "held, or its hold is not known")
    if K.carries(target, settings.exclusion_tag):
        return _skip(out, key, target, "carries the exclusion tag %s" % settings.exclusion_tag)
    notified, notified_raw = K.read_mark(kind, target, UNUSED_NOTIFIED)
    stopped, stopped_raw = K.read_mark(kind, target, UNUSED_STOPPED)
    for raw, when in ((notified_raw, notified), (stopped_raw, stopped)):
        if raw is not None and when is None:
            return _skip(out, key, target, "its stage mark %r is not a time: left for a person to look at" % raw)
    before: Dict[str, Any] = {}
    if notified_raw:
        before[UNUSED_NOTIFIED] = format_time(notified)
    if stopped_raw:
        before[UNUSED_STOPPED] = format_time(stopped)
    if kind.can_stop:
        before["status"] = target.get("status")
    why = [_why(r) for r in sorted(failures, key=lambda r: str(r.get("rule")))]

    def act(stage: str, marks: Optional[Dict[str, str]] = None) -> None:
        project = target.get("project") or {}
        out.actions.append(Action(stage=stage, kind=kind.name, target=str(target["id"]),
                                  name=str(target.get("name") or target["id"]), project_id=target.get("project_id"),
                                  owner=project.get("name"), why=why, marks=marks or {}, before=before,
                                  status=target.get("status")))

    def wait(stage: str, due: datetime, since: str) -> None:
        out.waiting.append({"kind": kind.name, "target": target["id"], "name": target.get("name"), "next": stage,
                            "due_at": format_time(due), "since": since, "due": due <= now,
                            "reason": ("grace period until %s" % format_time(due)) if due > now
                            else "stage %s is not enabled" % stage})

    stamp = format_time(now)
    if notified is None:
        if settings.enabled(NOTIFY):
            act(NOTIFY, {UNUSED_NOTIFIED: stamp, UNUSED_NOTICE: _notice(kind, why, now, settings)})
        else:
            _skip(out, key, target, "not notified yet, and the notify stage is not enabled")
        return
    if kind.can_stop and stopped is None:
        due = notified + timedelta(days=settings.grace_stop_days)
        if due <= now and settings.enabled(STOP):
            act(STOP, {UNUSED_STOPPED: stamp})
        else:
            wait(STOP, due, UNUSED_NOTIFIED)
        return
    start = stopped if kind.can_stop else notified
    due = start + timedelta(days=settings.grace_delete_days)
    if due <= now and settings.enabled(DELETE):
        act(DELETE)
    else:
        wait(DELETE, due, UNUSED_STOPPED if kind.can_stop else UNUSED_NOTIFIED)


def _clear(out: Plan, key: tuple, target: Optional[Dict[str, Any]], settings: Settings) -> None:
    """Remove the marks of a resource that passes again because it changed after them."""
    kind = K.KINDS.get(key[0])
    if kind is None or target is None:
        return
    marks = K.marks_on(kind, target)
    if not marks or target.get("held") is not False or K.carries(target, settings.exclusion_tag):
        return
    times = [w for w in (K.read_mark(kind, target, UNUSED_NOTIFIED)[0], K.read_mark(kind, target, UNUSED_STOPPED)[0])
             if w is not None]
    since = parse_time_or_none(target.get("since"))
    if not times or since is None or since <= max(times) + MARK_ECHO:
        out.skipped.append({"kind": kind.name, "target": target["id"], "name": target.get("name"),
                            "reason": "passes now, but has not changed since our mark: its marks are kept"})
        return
    before = {k: v for k, v in ((UNUSED_NOTIFIED, K.read_mark(kind, target, UNUSED_NOTIFIED)[0]),
                                (UNUSED_STOPPED, K.read_mark(kind, target, UNUSED_STOPPED)[0])) if v is not None}
    shown: Dict[str, Any] = {k: format_time(v) for k, v in before.items()}
    if kind.can_stop:
        shown["status"] = target.get("status")
    project = target.get("project") or {}
    out.actions.append(Action(
        stage=CLEAR, kind=kind.name, target=str(target["id"]), name=str(target.get("name") or target["id"]),
        project_id=target.get("project_id"), owner=project.get("name"),
        why=[{"rule": None, "message": "in use again since %s: passes the %s pack"
              % (format_time(since), settings.pack)}],
        before=shown, remove=marks, status=target.get("status")))


def _why(r: Mapping[str, Any]) -> Dict[str, Any]:
    out = {"rule": r.get("rule"), "title": r.get("title"), "message": r.get("message"), "runbook": r.get("runbook")}
    for key in ("age_days", "since"):
        if r.get(key) is not None:
            out[key] = r[key]
    evidence = r.get("evidence") or {}
    if evidence:
        out["evidence"] = {k: evidence[k] for k in ("tests", "facts") if k in evidence}
    return out


def _notice(kind: K.Kind, why: List[Dict[str, Any]], now: datetime, settings: Settings) -> str:
    """The notice in words, on the resource, where ``openstack ... show`` shows it to its owner (255 chars)."""
    rules = ", ".join(w["rule"] for w in why)
    if kind.can_stop:
        nxt = "stopped after %s, deleted %g days later" % (
            format_time(now + timedelta(days=settings.grace_stop_days)), settings.grace_delete_days)
    else:
        nxt = "deleted after %s" % format_time(now + timedelta(days=settings.grace_delete_days))
    text = "unused (%s): will be %s unless used again or tagged %s" % (rules, nxt, settings.exclusion_tag)
    return text[:255]


def check_caps(p: Plan) -> None:
    """Custodian's max-resources / max-resources-percent, over the whole plan, before anything is done."""
    s = p.settings
    total = len(p.capped())
    if total > s.max_resources:
        words = (total, s.max_resources, _by_kind(p.capped()))
        raise CapExceededError(
            "refused: this run would act on %d resources, more than max_resources %d (%s); nothing was done. "
            "Look at the plan, then raise max_resources or narrow the rules" % words,
            field="max_resources", details={"cap": "max_resources", "limit": s.max_resources, "count": total,
                                            "by_kind": p.counts()["by_kind"]})
    for kind, count in sorted(p.counts()["by_kind"].items()):
        population = p.population.get(kind) or 0
        percent = 100.0 * count / population if population else 100.0
        if percent > s.max_percent:
            raise CapExceededError(
                "refused: this run would act on %d of %d %ss (%.1f%%), more than max_percent %g; nothing was done"
                % (count, population, kind, percent, s.max_percent),
                field="max_percent", details={"cap": "max_percent", "limit": s.max_percent, "kind": kind,
                                              "count": count, "population": population,
                                              "percent": round(percent, 1)})


def _by_kind(actions: Iterable[Action]) -> str:
    counts: Dict[str, int] = {}
    for a in actions:
        counts[a.kind] = counts.get(a.kind, 0) + 1
    return ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))
