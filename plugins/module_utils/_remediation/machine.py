# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The remediation state machine of one host.

::

    detected -> confirmed -> out_of_pool -> fixing -> verifying -> returned
        |            \\-------------\\-----------\\----------\\-> held  (the runbook says so, a step or the
        \\-> dismissed (the audit does not confirm the signal)          verification fails, a guard refuses)

    held -> (operator: notes, investigates) -> release -> verifying -> returned

Every transition is written to the record (record.py) before the next step starts and is one
audit-log entry, so a run killed anywhere is resumed by the next run from where the record
says. ``check_mode`` reads and plans, and writes nothing: it is the dry run that shows the plan.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    maintenance_window,
    remediation_state,
)
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import power as hw_power
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError
from ansible_collections.osfleet.day2.plugins.module_utils._hosts import compute_service as cs
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import Clock as WindowClock
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import MaintenanceWindows, Pacing
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import guards
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import Auditor, HostAudit
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.host_commands import (
    HostCommands,
    run_command,
)
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import Runbook, Step, select

Audit = Callable[[str, str, Any, Any, Optional[Dict[str, Any]]], None]
POLL_SECONDS = 5.0
#: seconds between a failed step's tries
RETRY_PAUSE_SECONDS = 15


@dataclass(frozen=True)
class Clock:
    now: Callable[[], datetime] = rr.now_utc
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


@dataclass
class Outcome:
    """What one run did (or, in check mode, would do): the module's result."""

    host: str
    state_before: Optional[str] = None
    state: Optional[str] = None
    runbook: Optional[str] = None
    rules: List[str] = field(default_factory=list)
    transitions: List[Dict[str, Any]] = field(default_factory=list)
    steps: List[Dict[str, Any]] = field(default_factory=list)
    plan: List[Dict[str, Any]] = field(default_factory=list)
    refusals: List[Dict[str, Any]] = field(default_factory=list)
    held_hosts: List[str] = field(default_factory=list)
    message: str = ""
    awaiting_approval: Optional[Dict[str, Any]] = None
    record: Optional[Dict[str, Any]] = None

    @property
    def changed(self) -> bool:
        return bool(self.transitions) or any(s.get("changed") for s in self.steps)

    def to_dict(self) -> Dict[str, Any]:
        out = dict(self.__dict__)
        out["changed"] = self.changed
        return out


class StepFailed(Exception):
    pass


class Remediation:
    """Remediation of hosts of one cloud (``cloud``: the access layer)."""

    def __init__(self, cloud: Any, auditor: Auditor, runbooks: Sequence[Runbook], settings: guards.Settings,
                 commands: HostCommands, bmcs: Optional[Dict[str, Any]] = None, check_mode: bool = False,
                 audit: Optional[Audit] = None, clock: Optional[Clock] = None, actor: str = "",
                 bmc_tls: Optional[Dict[str, Any]] = None, pacing: Optional[Pacing] = None,
                 playbook_env: Optional[Dict[str, str]] = None) -> None:
        self.cloud = cloud
        self.nova = cloud.nova
        self.auditor = auditor
        self.runbooks = list(runbooks)
        self.settings = settings
        self.commands = commands
        self.bmcs = bmcs or {}
        self.check_mode = check_mode
        self.audit_hook = audit
        self.clock = clock or Clock()
        self.actor = actor
        self.bmc_tls = bmc_tls or {}
        self.pacing = pacing or Pacing()
        self.playbook_env = playbook_env or {}
        self.store = rr.Store(self.nova, check_mode=check_mode)
        self.out: Outcome = Outcome(host="")
        #: the record as last saved (a step that saves, like a drain naming its window, updates it)
        self.current: Optional[rr.Record] = None

    # ------------------------------------------------------------------
    # the record, its audit entries and the compute service's marker
    # ------------------------------------------------------------------
    def _now(self) -> str:
        return rr.format_time(self.clock.now())

    def _audit(self, action: str, target: str, before: Any, after: Any, details: Optional[Dict[str, Any]]) -> None:
        if self.audit_hook is not None and not self.check_mode:
            self.audit_hook(action, target, before, after, details)

    def _save(self, rec: rr.Record, before: Optional[rr.Record], state: Optional[str] = None,
              details: Optional[Dict[str, Any]] = None, **changes: Any) -> rr.Record:
        """``rec`` moved to ``state`` (or just updated), written, one audit-log entry for a transition."""
        new = replace(rec, updated_at=self._now(), **changes)
        if state is not None:
            new = replace(new, state=state)
        saved = self.current = self.store.save(new)
        if state is not None and (before is None or before.state != state or changes.get("reason")):
            entry = {"runbook": new.runbook or None, "rules": list(new.rules), "reason": new.reason or None}
            entry.update(details or {})
            self.out.transitions.append({"host": new.host, "from": before.state if before else None, "to": state,
                                         **{k: v for k, v in entry.items() if v not in (None, [], "")}})
            self._audit("remediation." + state, new.host, before.state if before else None, state,
                        {k: v for k, v in entry.items() if v not in (None, [], "")})
        if state is not None and new.out_by_us:
            self._mark(new)  # on every state save, not only a transition: a second hold rewrites out_of_pool
        self.out.state = saved.state
        self.out.record = saved.to_dict()
        return saved

    def _service(self, host: str) -> cs.ComputeService:
        return cs.find_compute_service(self.nova, host)

    @staticmethod
    def _ours(rec: rr.Record, reason: Optional[str]) -> bool:
        """A disabled reason this remediation wrote: our marker, or that of the window it opened (no record is
        saved while that window drains, so its marker seen afterwards is left over, not someone else's)."""
        return remediation_state(reason) is not None or (
            bool(rec.window) and maintenance_window(reason) == rec.window)

    def _mark(self, rec: rr.Record) -> None:
        """Keep the compute service's disabled reason saying where the record stands (while it is ours)."""
        current = self._service(rec.host)
        if current.status != "disabled" or not self._ours(rec, current.disabled_reason):
            return  # enabled again, or someone else's reason (their window's too): never overwritten
        reason = rr.service_reason(rec.state, rec.runbook, rec.reason)
        if current.disabled_reason != reason and not self.check_mode:
            self.nova.disable_service(current, reason=reason)

    def _take_out(self, rec: rr.Record) -> rr.Record:
        """Disable the host's compute service with our marker; the service as it was is kept for the return."""
        current = self._service(rec.host)
        prior = "enabled" if current.status == "enabled" else "disabled:%s" % (current.disabled_reason or "")
        ours = self._ours(rec, current.disabled_reason)
        if ours and rec.prior:
            prior = rec.prior  # a resumed run, or a hold again: ours already, the first prior stands
        elif ours:
            prior = "enabled"  # ours with no prior recorded: a record from before priors were saved first
        reason = rr.service_reason(rr.OUT_OF_POOL, rec.runbook, rec.reason)
        steps = cs.plan(current, cs.Desired(status="disabled", disabled_reason=reason))
        if steps and rec.prior != prior:
            # the service as it was is in the record before it changes: a run killed right after the disable
            # still returns the host exactly
            rec = self._save(rec, rec, prior=prior, out_by_us=True)
        if steps and not self.check_mode:
            cs.apply(self.nova, current, steps, on_step=lambda step, before, after: self._audit(
                "remediation.disable_service", after.label, before.to_dict(), after.to_dict(),
                {"runbook": rec.runbook}))
        return replace(rec, prior=prior, out_by_us=True)

    def _give_back(self, rec: rr.Record) -> None:
        """The end of a maintenance window we opened, and the compute service exactly as it was."""
        if rec.window:
            windows = MaintenanceWindows(self.cloud, check_mode=self.check_mode, audit=self.audit_hook,
                                         pacing=self.pacing, clock=self._window_clock())
            try:
                view = windows.windows(rec.window)
                if view and view[0].window.state not in mm.ENDED:
                    if view[0].window.state in (mm.READY, mm.IN_MAINTENANCE):
                        windows.complete(rec.window)
                    else:
                        windows.cancel(rec.window)
            except NotFoundError:
                pass
        current = self._service(rec.host)
        if current.status != "disabled" or not rec.out_by_us:
            return
        if not self._ours(rec, current.disabled_reason):
            return  # someone disabled it meanwhile, for a reason of theirs (their window's too): theirs stands
        if rec.prior.startswith("disabled:"):
            desired = cs.Desired(status="disabled", disabled_reason=rec.prior[len("disabled:"):] or None)
        else:
            desired = cs.Desired(status="enabled")
        steps = cs.plan(current, desired)
        if steps and not self.check_mode:
            cs.apply(self.nova, current, steps, on_step=lambda step, before, after: self._audit(
                "remediation.%s_service" % step.action, after.label, before.to_dict(), after.to_dict(),
                {"runbook": rec.runbook}))

    def _window_clock(self) -> WindowClock:
        return WindowClock(self.clock.monotonic, self.clock.sleep, self.clock.now)

    def _refuse(self, refusal: guards.Refusal, host: str) -> None:
        self.out.refusals.append(dict(refusal.to_dict(), host=host))

    # ------------------------------------------------------------------
    # the entry points
    # ------------------------------------------------------------------
    def _begin(self, host: str) -> Optional[rr.Record]:
        self.out = Outcome(host=host)
        self._service(host)  # NotFoundError naming the known hosts
        rec = self.store.get(host)
        self.out.state_before = self.out.state = rec.state if rec else None
        self.out.record = rec.to_dict() if rec else None
        return rec

    def _kill_switch(self, host: str) -> bool:
        words = self.store.stopped()
        if words:
            self._refuse(guards.Refusal("kill_switch", "automatic remediation is stopped: %s" % words, hold=False),
                         host)
            self.out.message = "automatic remediation is stopped (%s); nothing was changed" % words
            return True
        return False

    def run(self, host: str, rules: Sequence[str] = (), alerts: Sequence[Dict[str, Any]] = (),
            approve: bool = False) -> Outcome:
        """Remediate ``host``: what fails on it (``rules``/``alerts`` narrow the signal), or resume its record."""
        rec = self._begin(host)
        if self._kill_switch(host):
            return self.out
        if rec is not None and rec.state == rr.HELD:
            self.out.message = ("%s is held (%s): no runbook touches it until an operator releases it "
                                "(osfleet.day2.host_release)" % (host, rec.reason or "by an operator"))
            self._refuse(guards.Refusal("held", rec.reason or "held", hold=False), host)
            return self.out
        service = self._service(host)
        window = maintenance_window(service.disabled_reason)
        if window is not None and not (rec is not None and rec.open and rec.window == window):
            self._refuse(guards.Refusal("in_maintenance", "in maintenance window %s: not ours to touch" % window,
                                        hold=False), host)
            self.out.message = "%s is in maintenance window %s; nothing was changed" % (host, window)
            return self.out
        if rec is None or not rec.open:
            rec = self._detect(host, rec, list(rules), list(alerts))
            if rec is None or not rec.open:
                return self.out
        elif rec.state == rr.DETECTED:  # a run killed in the flap guard's wait: the guard is not skipped
            rec = self._confirm(rec)
            if not rec.open:
                return self.out
        return self._advance(rec, approve)

    # ------------------------------------------------------------------
    # detected -> confirmed (or dismissed, or held by a guard)
    # ------------------------------------------------------------------
    def _detect(self, host: str, rec: Optional[rr.Record], rules: List[str],
                alerts: List[Dict[str, Any]]) -> Optional[rr.Record]:
        at = self.clock.now()
        audit = self.auditor.run()
        target = audit.targets.get(host)
        if target is None:
            raise NotFoundError("the audit found no host %r" % host, field="host", resource=host)
        failing = audit.failing(host, rules or None)
        book = select(self.runbooks, failing, alerts, target)
        signal = bool(rules or alerts)
        fresh = (rec or rr.Record(host)).new_cycle(at)
        if book is None:
            unmatched = [] if self.settings.hold_unmatched == "never" else \
                audit.failing(host, rules or None, min_severity=self.settings.hold_unmatched)
            # rules the signal named that fail are the operator's to look at; alerts no runbook knows are not a
            # reason to take a host out for whatever else fails on it (triage tells the operator about them)
            named = failing if rules else []
            if unmatched or named:
                why = "no runbook for %s: needs investigation" % ", ".join(unmatched or named)
                return self._hold_new(fresh, rec, unmatched or named, alerts, why, audit, take_out=True)
            if signal:
                self.out.message = "the audit does not confirm the signal on %s (%s pass)" % (
                    host, ", ".join(rules) or "the rules of the alerted runbook")
                self._save(fresh, rec, rr.DISMISSED, rules=tuple(rules),
                           alerts=tuple(a.get("name", "") for a in alerts), reason="not confirmed by the audit",
                           details={"evidence": audit.evidence(host, rules)} if rules else None)
                return None
            self.out.message = "nothing fails on %s that a runbook or an operator must act on" % host
            return None
        matched = book.matches_rules(failing) or [r for r in book.verify if r in failing]
        self.out.runbook, self.out.rules = book.name, list(matched)
        if not matched:  # an alert named the runbook, but its rules pass now
            self.out.message = "%s: runbook %s was named by the alert, but its rules pass (%s)" % (
                host, book.name, ", ".join(book.rules))
            self._save(fresh, rec, rr.DISMISSED, runbook=book.name, rules=tuple(book.verify),
                       alerts=tuple(a.get("name", "") for a in alerts), reason="not confirmed by the audit",
                       details={"evidence": audit.evidence(host, book.verify)})
            return None
        fresh = replace(fresh, runbook=book.name, rules=tuple(matched),
                        alerts=tuple(a.get("name", "") for a in alerts))
        refusal = guards.rate(rec, at, self.settings)
        if refusal is not None:
            self._refuse(refusal, host)
            if not refusal.hold:
                self.out.message = "%s: %s; left as it is" % (host, refusal.reason)
                return None
            return self._hold_new(fresh, rec, matched, alerts, refusal.reason, audit, take_out=False,
                                  code=refusal.code)
        records = self.store.records()
        refusal = guards.partition(audit.hosts_failing(matched), records, matched, host, at, self.settings)
        if refusal is not None:
            self._refuse(refusal, host)
            asked = self._hold_partition(audit.hosts_failing(matched) + [host], records, matched, refusal, at, host)
            if asked is not None:
                self.out.record = asked.to_dict()
            return None
        if self.check_mode:
            self.out.plan.append({"step": "confirm", "detail": "re-run %s after %ds (flap guard)" % (
                ", ".join(matched), self.settings.confirm_seconds)})
            return replace(fresh, state=rr.CONFIRMED)
        rec = self._save(fresh, rec, rr.DETECTED, details={"evidence": audit.evidence(host, matched)})
        return self._confirm(rec)

    def _confirm(self, rec: rr.Record) -> rr.Record:
        """The flap guard: the rules must still fail ``confirm_seconds`` after detection (counted from the
        detection, so a resumed run waits only what is left)."""
        host, matched = rec.host, list(rec.rules)
        detected = rr.parse_time(rec.detected_at) or self.clock.now()
        left = self.settings.confirm_seconds - (self.clock.now() - detected).total_seconds()
        if left > 0:
            self.clock.sleep(left)
        audit = self.auditor.run([host])
        if not audit.failing(host, matched):
            self.out.message = "%s: %s passed again %ds after they failed (flap guard): not confirmed" % (
                host, ", ".join(matched), self.settings.confirm_seconds)
            return self._save(rec, rec, rr.DISMISSED, reason="passed on the re-check (flap guard)",
                              details={"evidence": audit.evidence(host, matched)})
        return self._save(rec, rec, rr.CONFIRMED, confirmed_at=self._now(),
                          history=rec.history + (self._now(),), details={"evidence": audit.evidence(host, matched)})

    def _hold_new(self, fresh: rr.Record, before: Optional[rr.Record], rules: Sequence[str],
                  alerts: Sequence[Dict[str, Any]], why: str, audit: HostAudit, take_out: bool,
                  code: str = "no_runbook") -> rr.Record:
        """Held on detection: the manual path. Taken out of the pool when the zone cap allows it."""
        rec = replace(fresh, rules=tuple(rules), alerts=tuple(a.get("name", "") for a in alerts), reason=why,
                      actor=self.actor)
        if code == "no_runbook":
            self._refuse(guards.Refusal(code, why), fresh.host)
        if take_out:
            refusal = guards.zone_cap(self._fleet(), self.store.records(), fresh.host, self.settings)
            if refusal is None:
                rec = self._take_out(rec)
            else:
                self._refuse(refusal, fresh.host)
                rec = replace(rec, reason="%s; left in the pool: %s" % (why, refusal.reason))
        self.out.message = "%s held: %s" % (fresh.host, rec.reason)
        return self._save(rec, before, rr.HELD, details={"evidence": audit.evidence(fresh.host, rules)})

    def _hold_partition(self, hosts: Sequence[str], records: Dict[str, rr.Record], rules: Sequence[str],
                        refusal: guards.Refusal, at: datetime, asked: str) -> Optional[rr.Record]:
        mine = records.get(asked)
        for host in sorted(set(hosts)):
            before = records.get(host)
            if before is not None and before.state == rr.HELD:
                continue
            base = before.new_cycle(at) if before is not None and not before.open else (before or rr.Record(host))
            if not base.detected_at:
                base = replace(base, detected_at=rr.format_time(at))
            saved = self._save(replace(base, rules=tuple(rules), actor=self.actor), before, rr.HELD,
                               reason="partition: " + refusal.reason[:200], details={"guard": "partition"})
            self.out.held_hosts.append(host)
            if host == asked:
                mine = saved
        self.out.state = rr.HELD
        self.out.message = refusal.reason
        return mine

    def _fleet(self) -> Dict[str, Any]:
        """Zones, service states and Placement capacity of every host (what the guards count)."""
        return discover(self.cloud, vms=False, placement=True).to_dict()

    # ------------------------------------------------------------------
    # confirmed -> out_of_pool -> fixing -> verifying -> returned
    # ------------------------------------------------------------------
    def _book(self, rec: rr.Record) -> Optional[Runbook]:
        for book in self.runbooks:
            if book.name == rec.runbook:
                return book
        return None

    def _advance(self, rec: rr.Record, approve: bool) -> Outcome:
        book = self._book(rec)
        self.out.runbook, self.out.rules = rec.runbook, list(rec.rules)
        if book is None:
            self._hold(rec, "runbook %r is no longer loaded; the operator decides" % rec.runbook)
            return self.out
        if rec.state == rr.CONFIRMED and book.steps[0].type == "hold":
            # nothing to fix by machine and nothing disruptive: held where it is, in the pool (bmc_badauth)
            self._hold(rec, book.steps[0].param("reason"))
            return self.out
        if rec.state in (rr.DETECTED, rr.CONFIRMED):
            refusal = guards.zone_cap(self._fleet(), self.store.records(), rec.host, self.settings)
            if refusal is not None:
                self._refuse(refusal, rec.host)
                self._hold(rec, refusal.reason, code=refusal.code)
                return self.out
            if self.check_mode:
                self.out.plan.append({"step": "out_of_pool", "detail": "disable nova-compute on %s (%s)"
                                      % (rec.host, rr.service_reason(rr.OUT_OF_POOL, rec.runbook))})
            rec = self._take_out(rec)
            rec = self._save(rec, rec, rr.OUT_OF_POOL)
        if rec.state == rr.OUT_OF_POOL:
            rec = self._save(rec, rec, rr.FIXING, step=0, attempts=0)
        if rec.state == rr.FIXING:
            rec = self._fix(rec, book, approve)
            if rec is None:
                return self.out
        if rec.state == rr.VERIFYING:
            if self._kill_switch(rec.host):
                return self.out
            self._verify_and_return(rec, book.verify, book.verify_timeout, book.verify_interval)
        return self.out

    def _hold(self, rec: rr.Record, why: str, code: str = "") -> rr.Record:
        self.out.message = "%s held: %s" % (rec.host, why)
        return self._save(rec, rec, rr.HELD, reason=why[:250], details={"guard": code} if code else None)

    def _fix(self, rec: rr.Record, book: Runbook, approve: bool) -> Optional[rr.Record]:
        for index in range(rec.step, len(book.steps)):
            step = book.steps[index]
            if self._kill_switch(rec.host):
                return None
            if step.approval == "required" and rec.approved != index:
                if not approve:
                    self.out.awaiting_approval = {"step": index, "type": step.type, "name": step.name}
                    self.out.message = ("%s: step %d (%s) of runbook %s waits for an operator's approval "
                                        "(run again with approve=true)" % (rec.host, index, step.name, book.name))
                    self.out.plan.append({"step": step.name, "index": index, "detail": "awaiting approval"})
                    return None
                rec = self._save(rec, rec, approved=index)
                self._audit("remediation.approved", rec.host, None, step.name,
                            {"runbook": book.name, "step": index, "by": self.actor})
            if step.disruptive:
                refusal = self._disruptive_guard(rec, step)
                if refusal is not None:
                    self._refuse(refusal, rec.host)
                    self._hold(rec, "step %s refused: %s" % (step.name, refusal.reason), code=refusal.code)
                    return None
            if step.type == "hold":
                self._hold(rec, step.param("reason"))
                return None
            if self.check_mode:
                self.out.plan.append({"step": step.name, "index": index, "type": step.type,
                                      "disruptive": step.disruptive, "detail": self._describe(rec, step)})
                continue
            ok, detail = self._attempts(rec, step, index)
            rec = self.current or rec
            if not ok and step.on_failure == "hold":
                self._hold(rec, "step %s failed: %s" % (step.name, detail))
                return None
            rec = self._save(rec, rec, step=index + 1, attempts=0)
        if self.check_mode:
            self.out.plan.append({"step": "verify", "detail": "re-run %s until they pass (at most %ds), then "
                                  "give the host back" % (", ".join(book.verify), book.verify_timeout)})
            return None
        return self._save(rec, rec, rr.VERIFYING)

    def _attempts(self, rec: rr.Record, step: Step, index: int) -> "tuple[bool, str]":
        detail = ""
        for attempt in range(step.retries + 1):
            began = self.clock.monotonic()
            try:
                detail = self._execute(self.current or rec, step) or "done"
                ok = True
            except (StepFailed, BmcError, ConflictError) as exc:
                ok, detail = False, getattr(exc, "message", None) or str(exc)
            entry = {"index": index, "name": step.name, "type": step.type, "attempt": attempt + 1, "ok": ok,
                     "detail": detail[:500], "seconds": round(self.clock.monotonic() - began, 1), "changed": True}
            self.out.steps.append(entry)
            self._audit("remediation.step", rec.host, None, "ok" if ok else "failed",
                        {"runbook": rec.runbook, "step": step.name, "type": step.type, "attempt": attempt + 1,
                         "detail": detail[:500]})
            if ok:
                return True, detail
            rec = self._save(self.current or rec, rec, attempts=attempt + 1)
            if attempt < step.retries:
                # a pause before the next try: what failed is often a moment's (Nova's scheduler counts a server
                # on the host it left until that host's nova-compute has said so)
                self.clock.sleep(RETRY_PAUSE_SECONDS)
        return False, detail

    def _disruptive_guard(self, rec: rr.Record, step: Step) -> Optional[guards.Refusal]:
        servers = self.nova.servers_on_host(rec.host)
        refusal = guards.quarantine(servers)
        if refusal is not None:
            return refusal
        if step.type == "drain":
            if self.settings.capacity_check:
                return guards.capacity(self._fleet(), rec.host, servers, self.store.records())
            return None
        return guards.occupied(servers)

    def _describe(self, rec: rr.Record, step: Step) -> str:
        if step.type == "restart_service":
            return "run %s" % " ".join(self.commands.restart_argv(rec.host, step.param("service")))
        if step.type == "bmc_reset":
            return "run %s" % " ".join(self.commands.bmc_reset_argv(rec.host))
        if step.type == "drain":
            return "drain %s through a maintenance window (%s)" % (rec.host, step.param("default_action"))
        if step.type == "wait":
            return "wait until %s (at most %ds)" % (step.param("until"), step.timeout)
        if step.type == "power":
            return "BMC power %s" % step.param("action")
        if step.type == "playbook":
            return "ansible-playbook %s" % step.param("path")
        if step.type == "clear_sel":
            return "clear the BMC's event logs"
        return step.type

    # ------------------------------------------------------------------
    # the step catalogue
    # ------------------------------------------------------------------
    def _execute(self, rec: rr.Record, step: Step) -> str:
        kind = step.type
        if kind == "restart_service":
            return self._command(self.commands.restart_argv(rec.host, step.param("service")), step.timeout)
        if kind == "bmc_reset":
            return self._command(self.commands.bmc_reset_argv(rec.host), step.timeout)
        if kind == "wait":
            return self._wait(rec, step)
        if kind == "drain":
            return self._drain(rec, step)
        if kind == "power":
            return self._power(rec, step)
        if kind == "clear_sel":
            with self._bmc(rec, step) as bmc:
                return "cleared %s" % ", ".join(bmc.clear_log())
        if kind == "playbook":
            return self._playbook(rec, step)
        raise StepFailed("step type %s cannot run here" % kind)  # pragma: no cover - the catalogue is closed

    @staticmethod
    def _command(argv: List[str], timeout: float) -> str:
        result = run_command(argv, timeout)
        if result.rc != 0:
            raise StepFailed("%s exited %d: %s" % (argv[0], result.rc, result.output.strip()[-300:]))
        return "%s exited 0" % " ".join(argv)

    def _wait(self, rec: rr.Record, step: Step) -> str:
        until = step.param("until")
        if until == "seconds":
            self.clock.sleep(step.param("seconds"))
            return "waited %ds" % step.param("seconds")
        deadline = self.clock.monotonic() + step.timeout
        last = ""
        while True:
            if until == "service_up":
                svc = self._service(rec.host)
                if svc.state == "up" and not svc.forced_down:
                    return "nova-compute on %s is up" % rec.host
                last = "nova-compute is %s" % svc.state
            else:
                bad = self.auditor.run([rec.host]).passing(rec.host, step.param("rules"))
                if not bad:
                    return "%s pass" % ", ".join(step.param("rules"))
                last = ", ".join("%s %s" % kv for kv in sorted(bad.items()))
            if self.clock.monotonic() >= deadline:
                raise StepFailed("still not %s after %ds: %s" % (until, step.timeout, last))
            self.clock.sleep(POLL_SECONDS)

    def _drain(self, rec: rr.Record, step: Step) -> str:
        windows = MaintenanceWindows(self.cloud, audit=self.audit_hook, pacing=self.pacing, clock=self._window_clock())
        name = rec.window
        if not name:
            name = "remed-%s-%s" % (rec.host, self.clock.now().strftime("%Y%m%d%H%M%S"))
            rec = self._save(rec, rec, window=name)
        found = windows.windows(name)
        if not found:
            at = self.clock.now()
            reply = step.param("reply_minutes", 0)
            windows.schedule(mm.Window(
                name=name, hosts=(rec.host,), kind="temporary", start_at=at,
                reply_deadline=at + timedelta(minutes=reply) if reply else None,
                default_action=step.param("default_action", "live_migrate"),
                max_parallel=step.param("max_parallel", 4), on_failure="fail",
                reason="remediation %s (%s)" % (rec.runbook, ", ".join(rec.rules))))
        view = windows.start(name, wait=True, wait_timeout=step.timeout)
        state = view.window.state
        if state == mm.FAILED:
            raise StepFailed("maintenance window %s failed: %s" % (name, view.window.failed_reason))
        if state not in (mm.READY, mm.IN_MAINTENANCE):
            raise StepFailed("maintenance window %s is still %s after %ds" % (name, state, step.timeout))
        # the window is ready: the host is empty; our marker again says where the remediation stands
        current = self._service(rec.host)
        reason = rr.service_reason(rr.FIXING, rec.runbook, "drained by window %s" % name)
        if current.status == "disabled" and current.disabled_reason != reason:
            self.nova.disable_service(current, reason=reason)
        progress = view.to_dict().get("progress", {})
        moved = ", ".join("%s %d" % kv for kv in sorted(progress.items())) or "no servers"
        return "drained through window %s: %s" % (name, moved)

    def _bmc(self, rec: rr.Record, step: Step) -> Any:
        entry = self.bmcs.get(rec.host)
        if not entry:
            raise StepFailed("no BMC is known for %s (not in the BMC map)" % rec.host)
        verify = entry.get("verify", self.bmc_tls.get("validate_certs", True))
        return open_bmc(entry["address"], entry.get("username"), entry.get("password"), bmc_type=entry.get("type"),
                        validate_certs=bool(verify), ca_path=self.bmc_tls.get("ca_path"), timeout=float(step.timeout))

    def _power(self, rec: rr.Record, step: Step) -> str:
        with self._bmc(rec, step) as bmc:
            plan = hw_power.plan(bmc.power_state(), step.param("action"))
            final = hw_power.apply(bmc, plan)
        return "power %s: %s -> %s" % (step.param("action"), plan.current, final)

    def _playbook(self, rec: rr.Record, step: Step) -> str:
        exe = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        argv = [exe if os.path.exists(exe) else "ansible-playbook", step.param("path"), "-e",
                json.dumps(dict(step.param("extra_vars") or {}, osfleet_host=rec.host, osfleet_runbook=rec.runbook,
                                osfleet_rules=list(rec.rules)))]
        return self._command(argv, step.timeout)

    # ------------------------------------------------------------------
    # verifying -> returned (or held)
    # ------------------------------------------------------------------
    def _verify_and_return(self, rec: rr.Record, rules: Sequence[str], timeout: int, interval: int) -> None:
        deadline = self.clock.monotonic() + timeout
        while True:
            audit = self.auditor.run([rec.host])
            if rules:
                bad = audit.passing(rec.host, rules)
            else:  # a manual hold named no rules: nothing of high severity or above may fail
                bad = {r: "fail" for r in audit.failing(rec.host, None, min_severity="high")}
            if not bad:
                break
            if self.clock.monotonic() >= deadline:
                self._hold(rec, "verification failed after %ds: %s" % (
                    timeout, ", ".join("%s %s" % kv for kv in sorted(bad.items()))))
                return
            self.clock.sleep(interval)
        self._give_back(rec)
        self.out.message = "%s verified (%s pass) and returned to the pool" % (
            rec.host, ", ".join(rules) or "no rule of high severity fails")
        self._save(rec, rec, rr.RETURNED, reason="", details={"evidence": audit.evidence(rec.host, rules)})

    # ------------------------------------------------------------------
    # the manual path
    # ------------------------------------------------------------------
    def hold(self, host: str, reason: str, ticket: str = "", take_out: bool = True) -> Outcome:
        """An operator takes ``host`` out of automatic management (and, by default, out of the pool)."""
        rec = self._begin(host)
        if rec is not None and rec.state == rr.HELD and rec.reason == reason and rec.ticket == ticket:
            self.out.message = "%s is already held: %s" % (host, reason)
            return self.out
        keep = rec is not None and (rec.open or rec.state == rr.HELD)  # a new reason or ticket: the same hold
        base = rec if keep else (rec or rr.Record(host)).new_cycle(self.clock.now())
        base = replace(base, reason=reason, ticket=ticket, actor=self.actor)
        if take_out:
            base = self._take_out(base)
        self._save(base, rec, rr.HELD, details={"ticket": ticket or None, "by": self.actor or None})
        self.out.message = "%s held: %s" % (host, reason)
        return self.out

    def note(self, host: str, text: str) -> Outcome:
        """An investigating note on a held host: in the record (the last one) and the audit log (every one)."""
        rec = self._begin(host)
        if rec is None or rec.state != rr.HELD:
            raise ConflictError("%s is not held (%s); notes are for hosts an operator investigates"
                                % (host, rec.state if rec else "no remediation record"), field="host")
        self._save(rec, rec, note=text[:250])
        self._audit("remediation.note", host, None, text, {"by": self.actor or None, "ticket": rec.ticket or None})
        self.out.transitions.append({"host": host, "from": rr.HELD, "to": rr.HELD, "note": text})
        self.out.message = "note added to %s" % host
        return self.out

    def release(self, host: str, verify_timeout: int = 300, interval: int = 10) -> Outcome:
        """Back to automatic management: verify (the rules it was held for, or nothing high fails), return."""
        rec = self._begin(host)
        if rec is None or rec.state != rr.HELD:
            self.out.message = "%s is not held (%s): nothing to release" % (host, rec.state if rec else "no record")
            return self.out
        if self._kill_switch(host):
            return self.out
        book = self._book(rec)
        rules = list(book.verify) if book is not None else list(rec.rules)
        if self.check_mode:
            self.out.plan.append({"step": "verify", "detail": "re-run %s, then give the host back" % (
                ", ".join(rules) or "the host's high and critical rules")})
            return self.out
        rec = self._save(rec, rec, rr.VERIFYING, details={"released_by": self.actor or None})
        self._verify_and_return(rec, rules, verify_timeout, interval)
        return self.out


def stop(store: rr.Store, reason: str, actor: str, at: datetime) -> bool:
    """Set the kill switch: no automatic action anywhere until it is lifted; hosts stay where they are."""
    return store.set_stopped("%s | %s | %s" % (reason, actor or "-", rr.format_time(at)))


def resume(store: rr.Store) -> bool:
    return store.set_stopped(None)
