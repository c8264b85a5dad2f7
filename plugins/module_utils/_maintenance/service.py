# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Maintenance windows: schedule, tell owners, take their answers, drain, ready, complete.

Every step reads where the window stands from the cloud (the window record,
the servers' metadata, the compute services) and writes its result back
before the next step, so a run killed anywhere and run again continues, and a
run in a state already reached changes nothing. The record is kept by
:mod:`.record`, owners are told by :mod:`.notify`, hosts are drained by
:mod:`.._hosts.drain`; this module is the lifecycle that strings them together.

Transitions::

    scheduled -> notified -> draining -> ready -> in_maintenance -> complete
                                 \\-> failed (start again to retry)   any -> cancelled
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window, quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils._hosts import compute_service as cs
from ansible_collections.osfleet.day2.plugins.module_utils._hosts.drain import (
    DrainItem,
    DrainOptions,
    HostDrain,
    item_from_server,
)
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.notify import (
    OwnerNotices,
    WebhookSettings,
    notice_of,
)
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.record import (
    Audit,
    Run,
    ServerRecord,
    WindowRecord,
    WindowView,
)

# answers -> what the drain does (kind=removal turns shutdown into stop-and-move)
DRAIN_ACTION = {"live_migrate": "live_migrate", "migrate": "migrate", "shutdown": "shutdown", "keep": "keep"}
# what may still change once the window has started: timing and pacing, not hosts or what happens to servers
MUTABLE_WHILE_DRAINING = ("reply_deadline", "end_at", "max_parallel", "max_impacted_members")


@dataclass(frozen=True)
class Pacing:
    """How the drain watches its moves."""

    poll_interval: float = 2.0
    migration_timeout: float = 900.0


@dataclass(frozen=True)
class Clock:
    """Monotonic time and sleep for the drain's loop, wall-clock time for deadlines (tests pass a fake)."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], Any] = mm.now_utc


class MaintenanceWindows:
    """The window lifecycle. ``check_mode`` plans every write instead of making it."""

    def __init__(self, cloud: Any, check_mode: bool = False, audit: Optional[Audit] = None,
                 webhooks: Optional[WebhookSettings] = None, pacing: Optional[Pacing] = None,
                 clock: Optional[Clock] = None) -> None:
        """``cloud`` is the access layer (``_openstack.cloud.Cloud``): Nova for everything, Keystone for the
        projects' own webhooks."""
        self.nova = cloud.nova
        self.run = Run(check_mode=check_mode, audit_hook=audit)
        self.pacing = pacing or Pacing()
        self.clock = clock or Clock()
        self.record = WindowRecord(self.nova, self.run)
        self.notices = OwnerNotices(self.nova, cloud.keystone, self.record, self.run, webhooks, self.clock.now)

    # what one run did, for the module's result
    @property
    def check_mode(self) -> bool:
        return self.run.check_mode

    @property
    def changes(self) -> List[Dict[str, Any]]:
        return self.run.changes

    @property
    def warnings(self) -> List[str]:
        return self.run.warnings

    @property
    def deliveries(self) -> List[Dict[str, Any]]:
        return self.notices.deliveries

    def windows(self, name: Optional[str] = None) -> List[WindowView]:
        return self.record.windows(name)

    # ======================================================================
    # scheduled: create or update the window, then tell owners
    # ======================================================================
    def schedule(self, desired: mm.Window) -> WindowView:
        desired.validate()
        # the record lists hosts sorted (Nova's order); compare like with like, or each run is a "change"
        desired = replace(desired, hosts=tuple(sorted(desired.hosts)))
        agg = self.record.find(desired.name)
        if agg is not None:
            current = self.record.view(agg).window
            if current.state in mm.ENDED:
                raise ConflictError("window %r already ended (%s); schedule a new window under another name"
                                    % (desired.name, current.state), field="name",
                                    resource=mm.aggregate_name(desired.name))
            fixed = [k for k in _differences(current, desired) if k not in MUTABLE_WHILE_DRAINING]
            if current.state not in (mm.SCHEDULED, mm.NOTIFIED) and fixed:
                raise ConflictError("window %r is %s: its settings can no longer change (differs in %s); "
                                    "cancel it and schedule a new one" % (desired.name, current.state,
                                                                          ", ".join(fixed)),
                                    field="name", resource=mm.aggregate_name(desired.name))
        self._check_hosts(desired)
        if agg is None:
            agg = self.record.create(desired)
        view = self.record.view(agg)
        window = replace(desired, state=view.window.state, failed_reason=view.window.failed_reason,
                         updated_at=view.window.updated_at, aggregate_id=view.window.aggregate_id)
        self.record.sync_hosts(agg, window)
        if view.window.settings() != window.settings() or agg.get("_new"):
            self.record.set_settings(window, None if agg.get("_new") else view.window, "maintenance.schedule")
        view = WindowView(window, view.records)
        self._notify(view)
        if window.state == mm.SCHEDULED:
            view = self.record.transition(view, mm.NOTIFIED)
        self.record.flush(view)
        return view

    def _check_hosts(self, window: mm.Window) -> None:
        known = {s.host for s in self.nova.compute_services()}
        missing = [h for h in window.hosts if h not in known]
        if missing:
            raise NotFoundError("hosts: no nova-compute service on %s; known hosts: %s"
                                % (", ".join(missing), ", ".join(sorted(h for h in known if h)) or "none"),
                                field="hosts", resource=", ".join(missing))
        for other in self.record.windows():
            if other.window.name == window.name or other.window.state in mm.ENDED:
                continue
            shared = sorted(set(other.window.hosts) & set(window.hosts))
            if shared:
                raise ConflictError("hosts %s are already in window %r (%s)"
                                    % (", ".join(shared), other.window.name, other.window.state),
                                    field="hosts", resource=mm.aggregate_name(other.window.name))

    def _notify(self, view: WindowView) -> None:
        """A notice on every server of the window's hosts; the 'scheduled' webhook once per project."""
        for server in self._servers_on_hosts(view.window):
            if not self._held(view, server):
                self.notices.write(view, server)
        self.notices.scheduled(view)

    def _held(self, view: WindowView, server: Any) -> bool:
        """A quarantined server is evidence: no window moves it or writes on it; it is only accounted for."""
        case = quarantine_case(server.tags, server.metadata)
        if case is None:
            return False
        rec = view.records.get(server.id) or ServerRecord(server.id, project_id=server.project_id or "",
                                                          name=server.name or "")
        if rec.status != mm.HELD:
            self.run.change("held", server.id, {"case": case})
            self.run.audit("maintenance.server.held", server.id, rec.status, mm.HELD,
                           {"window": view.window.name, "case": case})
        self.record.set_server(view, replace(rec, status=mm.HELD, action="keep", host=server.compute_host or ""))
        return True

    def _servers_on_hosts(self, window: mm.Window) -> List[Any]:
        servers: List[Any] = []
        for host in window.hosts:
            servers.extend(self.nova.servers_on_host(host))
        return servers

    # ======================================================================
    # started: disable, drain per answers, until ready (or failed)
    # ======================================================================
    def start(self, name: str, wait: bool = True, wait_timeout: float = 3600.0) -> WindowView:
        _agg, view = self.record.load(name)
        window = view.window
        if window.state in mm.ENDED:
            raise ConflictError("window %r already ended (%s)" % (name, window.state), field="name")
        if window.state in (mm.READY, mm.IN_MAINTENANCE):
            return view
        if window.state == mm.SCHEDULED:
            self._notify(view)
        self._disable_services(window)
        if window.state != mm.DRAINING:
            view = self.record.transition(view, mm.DRAINING)
        self.record.flush(view)
        deadline = self.clock.monotonic() + wait_timeout
        while True:
            view = self._drain_round(view, deadline if wait else self.clock.monotonic())
            self.record.flush(view)
            if view.window.state == mm.FAILED:
                return view
            waiting = [r for r in view.records.values() if r.status in (mm.PENDING, mm.WAITING, mm.IN_PROGRESS)]
            if not waiting:
                view = self.record.transition(view, mm.READY)
                self.record.flush(view)
                return view
            if self.check_mode or not wait or self.clock.monotonic() >= deadline:
                return view
            self.clock.sleep(max(self.pacing.poll_interval, 1.0))

    def _disable_services(self, window: mm.Window) -> None:
        reason = mm.service_reason(window.name, window.reason)
        for host in window.hosts:
            current = cs.find_compute_service(self.nova, host)
            if current.status == "disabled" and maintenance_window(current.disabled_reason) == window.name:
                continue
            steps = cs.plan(current, cs.Desired(status="disabled", disabled_reason=reason))
            self.run.change("disable_service", host, {"reason": reason})
            if not self.check_mode and steps:
                cs.apply(self.nova, current, steps, on_step=lambda step, before, after: self.run.audit(
                    "maintenance.disable_service", after.label, before.to_dict(), after.to_dict(),
                    {"window": window.name}))

    def _drain_round(self, view: WindowView, deadline: float) -> WindowView:
        """Decide each server's action from the answers now; move what can move; record every outcome."""
        window = view.window
        now = self.clock.now()
        on_hosts = {s.id: s for s in self._servers_on_hosts(window)}
        items: List[DrainItem] = []
        held: List[str] = []
        for sid, server in on_hosts.items():
            if self._held(view, server):
                held.append(sid)
                continue
            item = self._plan_server(view, server, now)
            if item is not None:
                items.append(item)
        items += self._recorded_elsewhere(view, on_hosts)
        if self.check_mode:
            for item in items:
                self.run.change(item.action, item.id, {"server": item.name, "from": item.source_host})
            return view
        if items:
            drain = HostDrain(self.nova, items, DrainOptions(
                max_parallel=window.max_parallel, max_impacted_members=window.max_impacted_members,
                on_failure=window.on_failure, poll_interval=self.pacing.poll_interval,
                migration_timeout=self.pacing.migration_timeout), groups=self.nova.server_group_members(),
                on_change=lambda item: self._on_drain_change(view, item), clock=self.clock.monotonic,
                sleep=self.clock.sleep)
            drain.run(deadline=deadline if deadline > self.clock.monotonic() else None)
            failed = [i for i in items if i.status == mm.SERVER_FAILED]
            if failed:
                names = ", ".join("%s (%s): %s" % (i.name, i.id, i.detail) for i in failed)
                view = self.record.transition(view, mm.FAILED,
                                              "%d server(s) could not be moved: %s" % (len(failed), names))
        if held and window.kind == "removal" and view.window.state != mm.FAILED:
            names = ", ".join("%s (%s)" % (on_hosts[sid].name, sid) for sid in held)
            view = self.record.transition(view, mm.FAILED, "%d server(s) under quarantine cannot leave a host "
                                          "removed for good without the investigators: %s; release the case or "
                                          "move them by hand" % (len(held), names))
        return view

    def _plan_server(self, view: WindowView, server: Any, now: Any) -> Optional[DrainItem]:
        """The drain item for one server on the hosts, or None while it waits or has settled on the host."""
        window = view.window
        notice = notice_of(server)
        action, why = mm.resolve_action(window, notice, now)
        rec = view.records.get(server.id)
        if rec is not None and rec.status in (mm.KEPT, mm.SHUT_DOWN, mm.STOPPED, mm.SKIPPED):
            return None  # settled on the host in an earlier round or run
        if action == mm.PENDING:
            self.notices.write(view, server, status=mm.PENDING, action=mm.PENDING, detail=why)
            return None
        if action == "own_action":
            if not window.deadline_passed(now):
                self.notices.write(view, server, status=mm.WAITING, action="own_action",
                                   detail="the owner moves it before %s" % mm.format_time(window.reply_deadline))
                return None
            action, why = window.default_action, "own_action not done by the reply deadline; window default"
        drain_action = DRAIN_ACTION[action]
        if drain_action == "shutdown" and window.kind == "removal":
            drain_action = "shutdown_move"
        self.notices.write(view, server, status=rec.status if rec and rec.status == mm.IN_PROGRESS else mm.PENDING,
                           action=action, detail=why)
        on_failure = (notice.metadata.get(mm.S_ON_FAILURE) or "").lower()
        # a move an earlier run started is found by the drain itself (task state on the server)
        return item_from_server(server, drain_action, on_failure if on_failure in mm.ON_FAILURE
                                else window.on_failure)

    def _recorded_elsewhere(self, view: WindowView, on_hosts: Dict[str, Any]) -> List[DrainItem]:
        """Servers the record lists that are no longer on the hosts: settle them, or follow a move under way."""
        window = view.window
        items = []
        for sid, rec in list(view.records.items()):
            if sid in on_hosts or rec.status in mm.SETTLED:
                continue
            server = self.nova.get_server(sid)
            if server is None:
                self.record.set_server(view, replace(rec, status=mm.GONE, host=""))
                continue
            if rec.action == "own_action" or rec.status in (mm.PENDING, mm.WAITING):
                status = mm.GONE if rec.action == "own_action" else mm.MOVED
                self._settle(view, rec, server, status, "moved by its owner to another host" if status == mm.GONE
                             else "left the host")
                continue
            items.append(replace(item_from_server(server, DRAIN_ACTION.get(rec.action, "live_migrate")),
                                 source_host=rec.host if rec.host in window.hosts else server.compute_host or "",
                                 status=mm.IN_PROGRESS, started=self.clock.monotonic()))
        return items

    def _on_drain_change(self, view: WindowView, item: DrainItem) -> None:
        rec = view.records.get(item.id) or ServerRecord(item.id, project_id=item.project_id, name=item.name)
        self.run.audit("maintenance.server." + item.status, item.id, rec.status, item.status,
                       {"window": view.window.name, "server": item.name, "action": item.action,
                        "detail": item.detail, "from": item.source_host, "to": item.new_host,
                        "migration": item.migration_id})
        self.notices.set_server_metadata(item.id, {mm.S_STATUS: item.status, mm.S_DETAIL: item.detail[:mm.MAX_META]})
        rec = replace(rec, status=item.status, host=item.new_host or item.source_host)
        self.record.set_server(view, self.notices.server_outcome(view, rec))
        self.record.flush(view)

    def _settle(self, view: WindowView, rec: ServerRecord, server: Any, status: str, detail: str) -> None:
        self.run.audit("maintenance.server." + status, rec.id, rec.status, status,
                       {"window": view.window.name, "detail": detail})
        self.notices.set_server_metadata(rec.id, {mm.S_STATUS: status, mm.S_DETAIL: detail})
        rec = replace(rec, status=status, host=server.compute_host or "")
        self.record.set_server(view, self.notices.server_outcome(view, rec))

    # ======================================================================
    # in_maintenance, completed, cancelled
    # ======================================================================
    def hold(self, name: str) -> WindowView:
        _agg, view = self.record.load(name)
        if view.window.state == mm.IN_MAINTENANCE:
            return view
        if view.window.state != mm.READY:
            raise ConflictError("window %r is %s; it can be put in maintenance only when ready (hosts empty)"
                                % (name, view.window.state), field="state")
        view = self.record.transition(view, mm.IN_MAINTENANCE)
        self.record.flush(view)
        return view

    def complete(self, name: str, restart_stopped: bool = True) -> WindowView:
        _agg, view = self.record.load(name)
        if view.window.state == mm.COMPLETE:
            return view
        if view.window.state not in (mm.READY, mm.IN_MAINTENANCE):
            raise ConflictError("window %r is %s; only a ready or in_maintenance window can complete "
                                "(cancel it instead to give the hosts back as they are)" % (name, view.window.state),
                                field="state")
        return self._end(view, mm.COMPLETE, restart_stopped)

    def cancel(self, name: str, restart_stopped: bool = True) -> WindowView:
        _agg, view = self.record.load(name)
        if view.window.state in mm.ENDED:
            return view
        return self._end(view, mm.CANCELLED, restart_stopped)

    def _end(self, view: WindowView, state: str, restart_stopped: bool) -> WindowView:
        window = view.window
        self._give_back_hosts(window, removed=state == mm.COMPLETE and window.kind == "removal")
        for sid, rec in sorted(view.records.items()):
            server = self.nova.get_server(sid)
            if server is None:
                continue
            if restart_stopped and rec.status in (mm.SHUT_DOWN, mm.STOPPED) and server.status == "SHUTOFF" \
                    and window.kind == "temporary":
                self.run.change("start_server", sid)
                if not self.check_mode:
                    self.nova.start(sid)
                    self.run.audit("maintenance.server.started", sid, "SHUTOFF", "ACTIVE", {"window": window.name})
            self.notices.clear(sid, server.metadata or {})
        self.notices.ended(view, state)
        view = self.record.transition(view, state)
        self.record.flush(view)
        return view

    def _give_back_hosts(self, window: mm.Window, removed: bool) -> None:
        """Enable the hosts this window disabled; a host removed for good stays disabled, saying so."""
        for host in window.hosts:
            current = cs.find_compute_service(self.nova, host)
            if current.status != "disabled" or maintenance_window(current.disabled_reason) != window.name:
                continue
            if removed:
                desired = cs.Desired(status="disabled",
                                     disabled_reason=mm.service_reason(window.name, "host removed for good"))
            else:
                desired = cs.Desired(status="enabled")
            steps = cs.plan(current, desired)
            if steps:
                self.run.change(steps[0].action + "_service", host)
                if not self.check_mode:
                    cs.apply(self.nova, current, steps, on_step=lambda step, before, after: self.run.audit(
                        "maintenance.%s_service" % step.action, after.label, before.to_dict(), after.to_dict(),
                        {"window": window.name}))


def _differences(a: mm.Window, b: mm.Window) -> List[str]:
    sa, sb = a.settings(), b.settings()
    return sorted(k for k in sa if sa[k] != sb.get(k))
