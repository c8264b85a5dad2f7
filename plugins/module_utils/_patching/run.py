# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A patch run's bookkeeping: plan (or resume) under the lock, a host's result against the whole-run
budget, the end. What patches a host (the maintenance window, the package and firmware steps, the checks)
is the caller's; this is what keeps the run honest across hosts, waves and controllers:

- ``plan``: the selection read from the cloud (selection.py), the waves (waves.py), the run lock taken
  (lock.py; a resumed run renews its own), the run recorded as its aggregate (run_state.py) or the
  recorded one resumed with the settings it was started with; a run already over its budget is refused.
- ``host``: a host's step in flight (what a killed run continues from), or its result: ``done``, or
  ``failed`` with the reason, counted against the budget of the whole run; past the budget (or a canary
  failing) the run is ``stopped`` with the reason and no host is offered any more.
- ``finish``: ``complete`` when every wave is through; the lock is released either way.
- baselines (baseline.py): the first pre-state of a host model with no baseline is recorded as its baseline
  (wave -1: what ran in production before the run); when every host of a model in a wave is ``done`` (its
  post-checks passed), the model's baseline moves on by what they patched, the replaced one kept as the
  previous; ``rollback_target`` says what a host goes back to (pinned in a rollback run's record the first time).

Every change of the run is one audit-log entry (``patching.run``, ``patching.host``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching import baseline as bl
from ansible_collections.osfleet.day2.plugins.module_utils._patching import run_state as rs
from ansible_collections.osfleet.day2.plugins.module_utils._patching import selection
from ansible_collections.osfleet.day2.plugins.module_utils._patching.budget import Budget, FailureBudget, parse_budget
from ansible_collections.osfleet.day2.plugins.module_utils._patching.lock import RunLock
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import plan_waves

Audit = Callable[[str, str, Any, Any, Optional[Dict[str, Any]]], None]


@dataclass
class Outcome:
    run: Dict[str, Any]
    changed: bool = False
    new: bool = False
    #: ``[{"host", "step"}]`` of the current wave still to do (empty once stopped or through)
    next_hosts: List[Dict[str, Any]] = field(default_factory=list)
    wave: Optional[int] = None
    decision: Optional[Dict[str, Any]] = None
    lock: Optional[Dict[str, Any]] = None
    writes: List[Dict[str, Any]] = field(default_factory=list)
    message: str = ""
    #: the baseline this call wrote (model, sha256, wave, versions), if any
    baseline: Optional[Dict[str, Any]] = None

    def to_dict(self) -> Dict[str, Any]:
        return {"run": self.run, "changed": self.changed, "new": self.new, "next_hosts": self.next_hosts,
                "wave": self.wave, "decision": self.decision, "lock": self.lock, "writes": self.writes,
                "message": self.message, "baseline": self.baseline}


def run_budget(state: rs.RunState) -> Budget:
    return Budget(allowed=state.budget, spec=state.max_failures, selected=state.selected)


class PatchRuns:
    """Patch runs over the access layer's Nova (``cloud.nova``); ``owner`` names this controller/user."""

    def __init__(self, nova: Any, owner: str, audit: Optional[Audit] = None, check_mode: bool = False,
                 clock: Callable[[], datetime] = rs.now_utc, scope: str = "fleet", placement: Any = None,
                 settle_timeout: float = 120.0, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, probe: Any = None) -> None:
        if not owner:
            raise ValidationError("a patch run needs an owner (who runs it)", field="owner")
        self.nova = nova
        self.placement = placement
        self.settle_timeout = settle_timeout
        self.monotonic = monotonic
        self.sleep = sleep
        #: a probe.Probe: a server booted onto a done host must become ACTIVE there (None: no probe)
        self.probe = probe
        self.owner = owner
        self.audit = audit
        self.check_mode = check_mode
        self.clock = clock
        self.store = rs.RunStore(nova, check_mode=check_mode, clock=clock)
        self.baselines = bl.BaselineStore(nova, audit=self._audit, check_mode=check_mode)
        self.lock = RunLock(nova, scope=scope, clock=clock, check_mode=check_mode)

    def _audit(self, action: str, target: str, before: Any, after: Any, details: Dict[str, Any]) -> None:
        if self.audit is not None and not self.check_mode:
            self.audit(action, target, before, after, details)

    def _outcome(self, state: rs.RunState, **kw: Any) -> Outcome:
        through = state.state in (rs.STOPPED, rs.COMPLETE)
        nxt = [] if through else [{"host": h, "step": step} for h, step in state.next_hosts()]
        return Outcome(run=state.to_dict(), next_hosts=nxt, wave=None if through else state.current_wave(),
                       writes=list(self.store.writes), **kw)

    # ------------------------------------------------------------------
    def plan(self, run: str, hosts: Sequence[str] = (), batch: Any = 1, canary: Optional[int] = None,
             canary_hosts: Sequence[str] = (), max_per_zone: Any = None, max_failures: Any = 0,
             models: Optional[Mapping[str, str]] = None, lock_ttl: timedelta = timedelta(hours=4),
             take_over: bool = False) -> Outcome:
        """Plan ``run`` over the selection, take the lock and record the run, or resume the recorded run."""
        found = self.store.find(run)
        if found is not None and found.state == rs.COMPLETE:
            return self._outcome(found, message="patch run %s is complete; a new run needs a new name" % run)
        targets = selection.targets(selection.read_facts(self.nova), selection=hosts, models=models, run=run)
        planned = None
        if found is None:
            plan = plan_waves(targets, batch=batch, canary=canary, canary_hosts=canary_hosts,
                              max_per_zone=max_per_zone)
            budget = parse_budget(max_failures, plan.selected)
            planned = rs.RunState.from_plan(run, plan, batch=batch, max_failures=max_failures, budget=budget.allowed,
                                            max_per_zone=max_per_zone)
        else:
            # a resumed run keeps the waves it recorded: a host it has patched may no longer look eligible
            # (its window is over, a baseline moved), so the selection is not planned again
            wanted = rs.RunState(name=run, batch=str(batch), canary=found.canary if canary is None else int(canary),
                                 max_per_zone="" if max_per_zone is None else str(max_per_zone),
                                 max_failures=str(max_failures))
            rs.check_same_settings(found, wanted)
            missing = sorted(h for h in found.hosts if h not in {t.host for t in targets})
            if hosts and missing:
                raise ConflictError("patch run %s also holds %s; resume it with the hosts it was started with" % (
                    run, ", ".join(missing)), field="hosts", resource=rs.aggregate_name(run))
        verdict = FailureBudget(run_budget(found or planned), failed=(found or planned).with_status(rs.FAILED)).check()
        if found is not None and (found.state == rs.STOPPED or verdict.stop):
            raise ConflictError("patch run %s stopped: %s; look at its failed hosts (held, with their reasons) "
                                "and start a new run" % (run, found.stop_reason or verdict.reason),
                                field="run", resource=rs.aggregate_name(run))
        lock = self.lock.take(run, self.owner, lock_ttl, take_over=take_over)
        if found is None:
            state, new = self.store.start(planned)
        else:
            state, new = found, False
        if state.state == rs.PLANNED:
            state = self.store.save(state.with_state(rs.RUNNING))
        if new:
            self._audit("patching.run", run, None, rs.RUNNING, {
                "settings": state.settings(), "budget": state.budget, "selected": state.selected,
                "waves": {str(k): v for k, v in state.waves().items()},
                "skipped": {h: s.detail for h, s in state.hosts.items() if s.status == rs.SKIPPED}})
        if not state.waves():
            raise ValidationError("patch run %s has no host to patch: %s" % (run, "; ".join(
                "%s: %s" % (h, s.detail) for h, s in sorted(state.hosts.items()))), field="hosts")
        return self._outcome(state, changed=new, new=new, lock=lock.to_dict(),
                             message="patch run %s %s: %s" % (run, "started" if new else "resumed",
                                                              verdict.reason))

    def host(self, run: str, host: str, result: str, reason: str = "", step: str = "",
             versions: Optional[Mapping[str, Any]] = None, rollback: bool = False,
             patched: Optional[Mapping[str, Any]] = None) -> Outcome:
        """Record ``host``'s step in flight (``result`` ``in_flight``), or its result (``done``/``failed``).

        ``versions``: what the host runs at this point (the pre-state before it is patched, the versions
        after), kept in the audit log entry. A ``done`` is checked first: nova-compute on the host must be up
        (a host whose compute service did not come back is ``failed`` with that reason). A step in flight with
        ``versions`` (the pre-state) records them as the baseline of the host's model when it has none; a
        ``done`` that completes its wave's hosts of that model moves the model's baseline on by ``patched``
        (the components this run patched on the host, at their versions after; default: all of ``versions``),
        the rest of the baseline as it was - a host of the model whose firmware the run could not patch (an IPMI
        BMC) does not pull the baseline back (``rollback``: a rollback run's, which keeps no previous one)."""
        for given in (versions, patched):
            if given:
                bl.normalize(dict(given))  # a bad shape is refused before anything is written
        state = self.store.load(run)
        current = state.hosts.get(host)
        # a stopped run still takes the result of a host that was under way when it stopped (the other hosts
        # of its batch finish what they started); it starts no host any more
        started = current is not None and current.status == rs.IN_FLIGHT
        if state.state == rs.COMPLETE or (state.state == rs.STOPPED and not (started and result != rs.IN_FLIGHT)):
            raise ConflictError("patch run %s is %s%s: %s is not started in it" % (
                run, state.state, " (%s)" % state.stop_reason if state.stop_reason else "", host), field="run")
        before = current.to_dict() if current is not None else None
        if result == rs.DONE and current is not None and current.status != rs.DONE:
            problem = self._post_check(host)
            if not problem and self.probe is not None and not self.check_mode:
                problem = self.probe.check(run, host)
            if problem:
                result, reason = rs.FAILED, "post-check: %s" % problem
        if result == rs.IN_FLIGHT:
            new = state.mark(host, rs.IN_FLIGHT, step)
            decision = None
        elif result in (rs.DONE, rs.FAILED):
            if current is not None and current.status == result and (result == rs.DONE or current.detail == reason):
                return self._outcome(state, message="%s is already %s in patch run %s" % (host, result, run))
            canary = host in state.waves().get(0, [])
            verdict = FailureBudget(run_budget(state), failed=state.with_status(rs.FAILED)).record(
                host, result == rs.DONE, canary=canary, reason=reason)
            new = state.mark(host, result, reason)
            if verdict.stop and new.state != rs.STOPPED:
                new = new.with_state(rs.STOPPED, verdict.reason)
            decision = verdict.to_dict()
        else:
            raise ValidationError("result must be in_flight, done or failed, not %r" % (result,), field="result")
        new = self.store.save(new)
        self._audit("patching.host", host, before, new.hosts[host].to_dict(),
                    {"run": run, "decision": decision, "step": step or None,
                     "versions": dict(versions or {}) or None})
        if new.state == rs.STOPPED and state.state != rs.STOPPED:
            self._audit("patching.run", run, state.state, rs.STOPPED, {"reason": new.stop_reason})
        words = decision["reason"] if decision else "%s: %s" % (host, step)
        out = self._outcome(new, changed=True, decision=decision, message=words)
        out.baseline = self._baseline_after(new, host, result, versions or {}, rollback, patched)
        return out

    def _baseline_after(self, state: rs.RunState, host: str, result: str, versions: Mapping[str, Any],
                        rollback: bool, patched: Optional[Mapping[str, Any]] = None) -> Optional[Dict[str, Any]]:
        """The baseline written after ``host``'s step or result, if any: the pre-state of a model with none,
        or the model's baseline moved on by what a wave verified on every host of the model."""
        rec = state.hosts[host]
        kept = bl.baseline_versions(dict(versions if patched is None or result != rs.DONE else patched))
        if not kept or rec.wave is None:
            return None
        model = rec.model or "unknown"
        stamp = self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
        if result == rs.IN_FLIGHT:
            if rollback or self.baselines.load_both(model)[0] is not None:
                return None
            base = bl.Baseline(model=model, versions=kept, run=state.name, wave=-1, verified_at=stamp)
        elif result == rs.DONE:
            peers = [h for h, s in state.hosts.items() if s.wave == rec.wave and (s.model or "unknown") == model]
            if any(state.hosts[h].status != rs.DONE for h in peers):
                return None
            current = self.baselines.load_both(model)[0]
            merged = {kind: dict(comps) for kind, comps in (current.versions if current else {}).items()}
            for kind, comps in kept.items():
                merged.setdefault(kind, {}).update(comps)
            base = bl.Baseline(model=model, versions=merged, run=state.name, wave=rec.wave, verified_at=stamp)
        else:
            return None
        sha = self.baselines.save(base, keep_previous=not rollback)
        return {"model": model, "sha256": sha, "wave": base.wave, "versions": base.versions}

    def rollback_target(self, run: str, host: str, versions: Mapping[str, Any]) -> Dict[str, Any]:
        """What ``host`` (of ``run``, whose record names its model) rolls back to, given the versions it runs
        (``{"packages": {...}, "firmware": {...}}``): the baseline, its sha256 and what would change.
        ConflictError naming the reason when there is nothing to roll back to."""
        state = self.store.load(run)
        if host not in state.hosts:
            raise ValidationError("%s is not in patch run %s" % (host, run), field="host")
        model = state.hosts[host].model or "unknown"
        current, previous = self.baselines.load_both(model)
        pinned = state.baselines.get(model, "")
        base, comparison = bl.rollback_target(current, previous, host, model, dict(versions), pinned=pinned)
        if not pinned:  # the run's later hosts (and this one, resumed) go back to the same configuration
            baselines = dict(state.baselines)
            baselines[model] = base.versions_sha256()
            self.store.save(replace(state, baselines=baselines))
            self._audit("patching.rollback_target", model, None, base.sha256(), {
                "run": run, "host": host, "versions_sha256": baselines[model], "versions": base.versions})
        return {"model": model, "sha256": base.sha256(), "run": base.run, "wave": base.wave,
                "pinned": not pinned,
                "verified_at": base.verified_at, "versions": base.versions,
                "which": "current" if base is current else "previous", "comparison": comparison.to_dict(),
                "targets": {kind: {c.component: c.baseline for c in comparison.changes if c.kind == kind}
                            for kind in bl.BASELINE_KINDS}}

    def _post_check(self, host: str) -> str:
        """What is wrong with the host, or "" once it is right, waiting up to ``settle_timeout`` for it to settle:
        its nova-compute must report up and, once enabled again, the scheduler must see it - Placement drops the
        provider's ``COMPUTE_STATUS_DISABLED`` trait only when nova-compute has handled the enable (seconds
        later), and until then no server can be scheduled or moved to the host."""
        deadline = self.monotonic() + self.settle_timeout
        while True:
            problem = self._host_problem(host)
            if not problem or self.monotonic() >= deadline:
                return problem + (" after %ds" % self.settle_timeout if problem else "")
            self.sleep(2.0)

    def _host_problem(self, host: str) -> str:
        found = self.nova.compute_services(host=host)
        if not found:
            return "no nova-compute service on %s" % host
        svc = found[0]
        if getattr(svc, "is_forced_down", False) or svc.state != "up":
            return "nova-compute on %s is %s" % (host, "forced down" if getattr(svc, "is_forced_down", False)
                                                 else svc.state)
        if self.placement is not None and svc.status == "enabled":
            providers = self.placement.providers_named(host)
            if not providers:
                return "Placement has no resource provider %s" % host
            if "COMPUTE_STATUS_DISABLED" in self.placement.traits(providers[0]["uuid"]):
                return "Placement still marks %s COMPUTE_STATUS_DISABLED (the scheduler skips it)" % host
        return ""

    def finish(self, run: str) -> Outcome:
        """Complete the run when every wave is through (a stopped run stays stopped); release the lock."""
        state = self.store.load(run)
        before = state.state
        if state.state == rs.RUNNING and state.current_wave() is None:
            state = self.store.save(state.with_state(rs.COMPLETE))
            self._audit("patching.run", run, before, rs.COMPLETE, {"progress": state.progress()})
        released = self.lock.release(run, self.owner)
        return self._outcome(state, changed=before != state.state or released,
                             message="patch run %s %s; lock %s" % (run, state.state,
                                                                   "released" if released else "not held"))

    def status(self, run: str) -> Outcome:
        state = self.store.load(run)
        holder = self.lock.holder()
        return self._outcome(state, lock=holder.to_dict() if holder else None)
