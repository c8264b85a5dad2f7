# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Maintenance windows: schedule, tell owners, take their answers, drain, ready, complete.

Every step reads where the window stands from the cloud (the window's host
aggregate, the servers' metadata, the compute services) and writes its result
back before the next step, so a run killed anywhere and run again continues,
and a run in a state already reached changes nothing. The window's own record
keeps one line per affected server (``osfleet_maint_srv_<id>``): its status,
the action, its project, where it is, and which notice its owner last got -
that is how servers already moved away stay accounted for.

Transitions::

    scheduled -> notified -> draining -> ready -> in_maintenance -> complete
                                 \\-> failed (start again to retry)   any -> cancelled
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._hosts import compute_service as cs
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window, quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils._hosts.drain import (
    DrainItem,
    DrainOptions,
    HostDrain,
    item_from_server,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.nova import NovaActions, server_host
from ansible_collections.osfleet.day2.plugins.module_utils._common.webhook import Delivery, Target, deliver

RECORD_PREFIX = "osfleet_maint_srv_"
# answers -> what the drain does (kind=removal turns shutdown into stop-and-move)
DRAIN_ACTION = {"live_migrate": "live_migrate", "migrate": "migrate", "shutdown": "shutdown", "keep": "keep"}
# project properties a project may set to receive notices
PROJECT_WEBHOOK_URL = "osfleet_maintenance_webhook"
PROJECT_WEBHOOK_SECRET = "osfleet_maintenance_webhook_secret"
# what may still change once the window has started: timing and pacing, not hosts or what happens to servers
MUTABLE_WHILE_DRAINING = ("reply_deadline", "end_at", "max_parallel", "max_impacted_members")
# a record's "notified" starts with this when its owner got the notice by webhook
WEBHOOK_MARK = "w:"

Audit = Callable[[str, str, Any, Any, Optional[Dict[str, Any]]], None]


@dataclass
class ServerRecord:
    """One line of the window record: ``status|action|project|host|notified|name``."""

    id: str
    status: str = mm.PENDING
    action: str = ""
    project_id: str = ""
    host: str = ""
    notified: str = ""
    name: str = ""

    def encode(self) -> str:
        return "|".join([self.status, self.action, self.project_id, self.host, self.notified,
                         self.name.replace("|", "/")])[:mm.MAX_META]

    @classmethod
    def decode(cls, server_id: str, value: str) -> "ServerRecord":
        parts = (value.split("|", 5) + [""] * 6)[:6]
        return cls(server_id, *parts)

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "name": self.name, "project_id": self.project_id, "status": self.status,
                "action": self.action, "host": self.host, "notified": _event(self.notified),
                "webhook": self.notified.startswith(WEBHOOK_MARK)}


@dataclass
class WindowView:
    """A window with its per-server records, as maintenance_info reports it."""

    window: mm.Window
    records: Dict[str, ServerRecord]

    def to_dict(self) -> Dict[str, Any]:
        out = self.window.to_dict()
        out["servers"] = [r.to_dict() for r in sorted(self.records.values(), key=lambda r: (r.project_id, r.name))]
        counts: Dict[str, int] = {}
        for rec in self.records.values():
            counts[rec.status] = counts.get(rec.status, 0) + 1
        out["progress"] = counts
        return out


class MaintenanceWindows:
    """The window service. ``check_mode`` plans every write instead of making it."""

    def __init__(self, conn: Any, check_mode: bool = False, audit: Optional[Audit] = None,
                 webhooks: Optional[Dict[str, Target]] = None, webhook_timeout: float = 10.0,
                 validate_certs: bool = True, ca_path: Optional[str] = None,
                 nova: Optional[NovaActions] = None, poll_interval: float = 2.0,
                 migration_timeout: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], Any] = mm.now_utc) -> None:
        self.conn = conn
        self.nova = nova or NovaActions(conn)
        self.check_mode = check_mode
        self.audit = audit
        self.webhook_map = dict(webhooks or {})
        self.webhook_timeout = webhook_timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.poll_interval = poll_interval
        self.migration_timeout = migration_timeout
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.changes: List[Dict[str, Any]] = []
        self.deliveries: List[Dict[str, Any]] = []
        self.warnings: List[str] = []
        self._targets: Optional[Dict[str, Target]] = None
        self._pending_meta: Dict[str, Optional[str]] = {}

    # ======================================================================
    # reading
    # ======================================================================
    def find(self, name: str) -> Optional[Dict[str, Any]]:
        wanted = mm.aggregate_name(name)
        for agg in self.nova.aggregates():
            if agg.get("name") == wanted:
                return agg
        return None

    def view(self, agg: Dict[str, Any]) -> WindowView:
        records = {}
        for key, value in (agg.get("metadata") or {}).items():
            if key.startswith(RECORD_PREFIX):
                sid = key[len(RECORD_PREFIX):]
                records[sid] = ServerRecord.decode(sid, value or "")
        return WindowView(mm.Window.from_aggregate(agg), records)

    def windows(self, name: Optional[str] = None) -> List[WindowView]:
        out = []
        for agg in self.nova.aggregates():
            if str(agg.get("name", "")).startswith(mm.AGGREGATE_PREFIX):
                view = self.view(agg)
                if name is None or view.window.name == name:
                    out.append(view)
        return sorted(out, key=lambda v: v.window.name)

    def _load(self, name: str) -> Tuple[Dict[str, Any], WindowView]:
        agg = self.find(name)
        if agg is None:
            raise NotFoundError("no maintenance window %r (no host aggregate %s)" % (name, mm.aggregate_name(name)),
                                field="name", resource=mm.aggregate_name(name))
        return agg, self.view(agg)

    # ======================================================================
    # scheduled: create or update the window, then tell owners
    # ======================================================================
    def schedule(self, desired: mm.Window) -> WindowView:
        desired.validate()
        # the record lists hosts sorted (Nova's order); compare like with like, or each run is a "change"
        desired = replace(desired, hosts=tuple(sorted(desired.hosts)))
        agg = self.find(desired.name)
        if agg is not None:
            view = self.view(agg)
            current = view.window
            if current.state in mm.ENDED:
                raise ConflictError("window %r already ended (%s); schedule a new window under another name"
                                    % (desired.name, current.state), field="name", resource=mm.aggregate_name(desired.name))
            fixed = [k for k in _differences(current, desired) if k not in MUTABLE_WHILE_DRAINING]
            if current.state not in (mm.SCHEDULED, mm.NOTIFIED) and fixed:
                differs = ", ".join(fixed)
                raise ConflictError("window %r is %s: its settings can no longer change (differs in %s); "
                                    "cancel it and schedule a new one" % (desired.name, current.state, differs),
                                    field="name", resource=mm.aggregate_name(desired.name))
        self._check_hosts(desired)
        if agg is None:
            agg = self._create_aggregate(desired)
        view = self.view(agg)
        window = replace(desired, state=view.window.state, failed_reason=view.window.failed_reason,
                         updated_at=view.window.updated_at, aggregate_id=view.window.aggregate_id)
        self._sync_hosts(agg, view.window, window)
        if view.window.settings() != window.settings() or agg.get("_new"):
            self._set_window_meta(window, None if agg.get("_new") else view.window, "maintenance.schedule")
        view = WindowView(window, view.records)
        self._notify(view)
        if window.state == mm.SCHEDULED:
            view = self._transition(view, mm.NOTIFIED)
        self._flush(view)
        return view

    def _check_hosts(self, window: mm.Window) -> None:
        known = {s.get("host") for s in self.nova.compute_services()}
        missing = [h for h in window.hosts if h not in known]
        if missing:
            raise NotFoundError("hosts: no nova-compute service on %s; known hosts: %s"
                                % (", ".join(missing), ", ".join(sorted(h for h in known if h)) or "none"),
                                field="hosts", resource=", ".join(missing))
        for other in self.windows():
            if other.window.name == window.name or other.window.state in mm.ENDED:
                continue
            shared = sorted(set(other.window.hosts) & set(window.hosts))
            if shared:
                raise ConflictError("hosts %s are already in window %r (%s)"
                                    % (", ".join(shared), other.window.name, other.window.state),
                                    field="hosts", resource=mm.aggregate_name(other.window.name))

    def _create_aggregate(self, window: mm.Window) -> Dict[str, Any]:
        name = mm.aggregate_name(window.name)
        self._change("create_aggregate", name)
        if self.check_mode:
            return {"id": None, "name": name, "hosts": [], "metadata": {}, "_new": True}
        agg = self.nova.create_aggregate(name)
        agg["_new"] = True
        return agg

    def _sync_hosts(self, agg: Dict[str, Any], current: mm.Window, window: mm.Window) -> None:
        have = set(agg.get("hosts") or [])
        for host in sorted(set(window.hosts) - have):
            self._change("add_host", host)
            if not self.check_mode:
                self.nova.aggregate_action(agg["id"], "add_host", {"host": host}, "add host to maintenance window")
        for host in sorted(have - set(window.hosts)):
            self._change("remove_host", host)
            if not self.check_mode:
                self.nova.aggregate_action(agg["id"], "remove_host", {"host": host},
                                           "remove host from maintenance window")
        if have != set(window.hosts):
            self._audit("maintenance.hosts", window.name, sorted(have), sorted(window.hosts))

    # ======================================================================
    # notices
    # ======================================================================
    def _notify(self, view: WindowView) -> List[Dict[str, Any]]:
        """Notice on every server of the window's hosts; the 'scheduled' webhook once per project."""
        servers = self._servers_on_hosts(view.window)
        for server in servers:
            if self._held(view, server):
                continue
            self._write_notice(view, server)
        by_project: Dict[str, List[ServerRecord]] = {}
        for rec in view.records.values():
            by_project.setdefault(rec.project_id, []).append(rec)
        for project_id, recs in sorted(by_project.items()):
            fresh = [r for r in recs if not r.notified]
            if fresh:
                mark = self._send(view.window, project_id, "maintenance.scheduled", recs,
                                  _scheduled_id(view.window.name, fresh, recs))
                if mark is not None:
                    for rec in fresh:
                        self._set_record(view, replace(rec, notified=mark + "scheduled"))
        return servers

    def _held(self, view: WindowView, server: Dict[str, Any]) -> bool:
        """A quarantined server is evidence: no window moves it or writes on it; it is only accounted for."""
        case = quarantine_case(server.get("tags"), server.get("metadata"))
        if case is None:
            return False
        rec = view.records.get(server["id"]) or ServerRecord(
            server["id"], project_id=server.get("tenant_id") or "", name=server.get("name") or "")
        if rec.status != mm.HELD:
            self._change("held", server["id"], {"case": case})
            self._audit("maintenance.server.held", server["id"], rec.status, mm.HELD,
                        {"window": view.window.name, "case": case})
        self._set_record(view, replace(rec, status=mm.HELD, action="keep", host=server_host(server) or ""))
        return True

    def _servers_on_hosts(self, window: mm.Window) -> List[Dict[str, Any]]:
        servers: List[Dict[str, Any]] = []
        for host in window.hosts:
            servers.extend(self.nova.servers_on_host(host))
        return servers

    def _write_notice(self, view: WindowView, server: Dict[str, Any], status: Optional[str] = None,
                      detail: str = "", action: Optional[str] = None) -> mm.ServerNotice:
        notice = _notice(server)
        if action is None:
            action, why = mm.resolve_action(view.window, notice, self.now())
            detail = detail or why
        rec = view.records.get(notice.id) or ServerRecord(notice.id, project_id=notice.project_id,
                                                          name=notice.name)
        if status is None:
            status = rec.status if rec.status not in (mm.PENDING, mm.WAITING) else (
                mm.WAITING if action == "own_action" else mm.PENDING)
        wanted = mm.notice_metadata(view.window, notice, action, status, detail)
        current = {k: notice.metadata.get(k) for k in wanted}
        # the detail changes with every look (waiting...); only rewrite it with something else
        if _without_detail(wanted) != _without_detail(current):
            self._change("server_notice", notice.id, {"status": status, "action": action})
            if not self.check_mode:
                self._server_metadata(notice.id, wanted)
            notice.metadata.update(wanted)
        self._set_record(view, replace(rec, status=status, action=action, host=server_host(server) or "",
                                       project_id=notice.project_id, name=notice.name))
        return notice

    def _send(self, window: mm.Window, project_id: str, event: str, recs: List[ServerRecord],
              delivery_id: str) -> Optional[str]:
        """The mark to record: ``"w:"`` delivered, ``""`` no webhook; None: retry on the next run."""
        target = self._target(project_id)
        if target is None:
            if any(r.notified.startswith(WEBHOOK_MARK) for r in recs):
                self.warnings.append("project %s got earlier notices of window %s by webhook but this run has no "
                                     "webhook for it: pass the same webhooks to every run" % (project_id, window.name))
            return ""
        self._change("webhook", project_id, {"event": event})
        if self.check_mode:
            return None
        payload = {
            "id": "%s:%s" % (delivery_id, project_id),
            "type": event,
            "time": mm.format_time(self.now()),
            "project_id": project_id,
            "window": {"name": window.name, "kind": window.kind, "state": window.state,
                       "start_at": mm.format_time(window.start_at) or None,
                       "end_at": mm.format_time(window.end_at) or None,
                       "reply_deadline": mm.format_time(window.reply_deadline) or None,
                       "default_action": window.default_action, "reason": window.reason},
            "servers": [{"id": r.id, "name": r.name, "action": r.action, "status": r.status} for r in recs],
            "answer_with": {"metadata_key": mm.S_ANSWER, "values": list(mm.ANSWERS)},
        }
        result: Delivery = deliver(target, event, payload["id"], payload, timeout=self.webhook_timeout,
                                   validate_certs=self.validate_certs, ca_path=self.ca_path)
        self.deliveries.append(dict(result.to_dict(), project_id=project_id, event=event, id=payload["id"]))
        if not result.ok:
            self.warnings.append("webhook of project %s did not take %s (%s); it is sent again on the next run"
                                 % (project_id, event, result.error or result.status))
        else:
            self._audit("maintenance.webhook", project_id, None, event, {"delivery": payload["id"]})
        return WEBHOOK_MARK if result.ok else None

    def _target(self, project_id: str) -> Optional[Target]:
        if self._targets is None:
            self._targets = {}
            names: Dict[str, str] = {}
            try:
                response = self.conn.identity.get("/projects", headers={"Accept": "application/json"})
                projects = response.json().get("projects", [])
            except Exception as exc:  # a cloud without keystone admin rights still drains; say so
                projects = []
                self.warnings.append("cannot list projects for their webhook properties: %s" % exc)
            for project in projects:
                names[project["name"]] = project["id"]
                url = project.get(PROJECT_WEBHOOK_URL)
                secret = project.get(PROJECT_WEBHOOK_SECRET)
                if url and secret:
                    target = Target(str(url), str(secret))
                    try:  # a project sets these itself: a file:// or ftp:// url must not reach urllib
                        target.validate("project %s" % project["name"])
                    except ValidationError as exc:
                        self.warnings.append("%s; its notices are not sent" % exc.message)
                        continue
                    self._targets[project["id"]] = target
            for key, target in self.webhook_map.items():  # the mapping given to the module wins
                self._targets[names.get(key, key)] = target
        return self._targets.get(project_id)

    # ======================================================================
    # started: disable, drain per answers, until ready (or failed)
    # ======================================================================
    def start(self, name: str, wait: bool = True, wait_timeout: float = 3600.0) -> WindowView:
        agg, view = self._load(name)
        window = view.window
        if window.state in mm.ENDED:
            raise ConflictError("window %r already ended (%s)" % (name, window.state), field="name")
        if window.state in (mm.READY, mm.IN_MAINTENANCE):
            return view
        if window.state == mm.SCHEDULED:
            self._notify(view)
        self._disable_services(window)
        if window.state != mm.DRAINING:
            view = self._transition(view, mm.DRAINING)
        self._flush(view)
        deadline = self.clock() + wait_timeout
        while True:
            view = self._drain_round(view, deadline if wait else self.clock())
            self._flush(view)
            if view.window.state == mm.FAILED:
                return view
            waiting = [r for r in view.records.values() if r.status in (mm.PENDING, mm.WAITING, mm.IN_PROGRESS)]
            if not waiting:
                view = self._transition(view, mm.READY)
                self._flush(view)
                return view
            if self.check_mode or not wait or self.clock() >= deadline:
                return view
            self.sleep(max(self.poll_interval, 1.0))

    def _disable_services(self, window: mm.Window) -> None:
        reason = mm.service_reason(window.name, window.reason)
        for host in window.hosts:
            current = cs.find_compute_service(self.conn, host)
            if current.status == "disabled" and maintenance_window(current.disabled_reason) == window.name:
                continue
            steps = cs.plan(current, cs.Desired(status="disabled", disabled_reason=reason))
            self._change("disable_service", host, {"reason": reason})
            if not self.check_mode and steps:
                cs.apply(self.conn, current, steps, on_step=lambda step, before, after: self._audit(
                    "maintenance.disable_service", after.label, before.to_dict(), after.to_dict(),
                    {"window": window.name}))

    def _drain_round(self, view: WindowView, deadline: float) -> WindowView:
        """Decide each server's action from the answers now; move what can move; record every outcome."""
        window = view.window
        now = self.now()
        on_hosts = {s["id"]: s for s in self._servers_on_hosts(window)}
        items: List[DrainItem] = []
        held: List[str] = []
        for sid, server in on_hosts.items():
            if self._held(view, server):
                held.append(sid)
                continue
            notice = _notice(server)
            action, why = mm.resolve_action(window, notice, now)
            rec = view.records.get(sid)
            if rec is not None and rec.status in (mm.KEPT, mm.SHUT_DOWN, mm.STOPPED, mm.SKIPPED):
                continue  # settled on the host in an earlier round or run
            if action == mm.PENDING:
                self._write_notice(view, server, status=mm.PENDING, action=mm.PENDING, detail=why)
                continue
            if action == "own_action":
                if not window.deadline_passed(now):
                    self._write_notice(view, server, status=mm.WAITING, action="own_action",
                                       detail="the owner moves it before %s" % mm.format_time(window.reply_deadline))
                    continue
                action, why = window.default_action, "own_action not done by the reply deadline; window default"
            drain_action = DRAIN_ACTION[action]
            if drain_action == "shutdown" and window.kind == "removal":
                drain_action = "shutdown_move"
            self._write_notice(view, server, status=rec.status if rec and rec.status == mm.IN_PROGRESS
                               else mm.PENDING, action=action, detail=why)
            on_failure = (notice.metadata.get(mm.S_ON_FAILURE) or "").lower()
            item = item_from_server(server, drain_action, on_failure if on_failure in mm.ON_FAILURE
                                    else window.on_failure)
            # a move an earlier run started is found by the drain itself (task state on the server)
            items.append(item)
        # servers recorded earlier that left the hosts
        for sid, rec in list(view.records.items()):
            if sid in on_hosts or rec.status in mm.SETTLED:
                continue
            server = self.nova.server(sid)
            if server is None:
                self._set_record(view, replace(rec, status=mm.GONE, host=""))
                continue
            if rec.action == "own_action" or rec.status in (mm.PENDING, mm.WAITING):
                status = mm.GONE if rec.action == "own_action" else mm.MOVED
                self._settle(view, rec, server, status, "moved by its owner to another host" if status == mm.GONE
                             else "left the host")
                continue
            items.append(replace(item_from_server(server, DRAIN_ACTION.get(rec.action, "live_migrate")),
                                 source_host=rec.host if rec.host in window.hosts else server_host(server) or "",
                                 status=mm.IN_PROGRESS, started=self.clock()))
        if self.check_mode:
            for item in items:
                self._change(item.action, item.id, {"server": item.name, "from": item.source_host})
            return view
        if items:
            groups = self.nova.server_groups()
            drain = HostDrain(self.nova, items, DrainOptions(
                max_parallel=window.max_parallel, max_impacted_members=window.max_impacted_members,
                on_failure=window.on_failure, poll_interval=self.poll_interval,
                migration_timeout=self.migration_timeout), groups=groups,
                on_change=lambda item: self._on_drain_change(view, item), clock=self.clock, sleep=self.sleep)
            drain.run(deadline=deadline if deadline > self.clock() else None)
            failed = [i for i in items if i.status == "failed"]
            if failed:
                names = ", ".join("%s (%s): %s" % (i.name, i.id, i.detail) for i in failed)
                reason = "%d server(s) could not be moved: %s" % (len(failed), names)
                view = self._transition(view, mm.FAILED, reason)
        if held and window.kind == "removal" and view.window.state != mm.FAILED:
            names = ", ".join("%s (%s)" % (on_hosts[sid].get("name"), sid) for sid in held)
            view = self._transition(view, mm.FAILED, "%d server(s) under quarantine cannot leave a host removed for "
                                    "good without the investigators: %s; release the case or move them by hand"
                                    % (len(held), names))
        return view

    def _on_drain_change(self, view: WindowView, item: DrainItem) -> None:
        rec = view.records.get(item.id) or ServerRecord(item.id, project_id=item.project_id, name=item.name)
        status = {"in_progress": mm.IN_PROGRESS, "failed": mm.SERVER_FAILED}.get(item.status, item.status)
        host = item.new_host or item.source_host
        self._audit("maintenance.server." + status, item.id, rec.status, status,
                    {"window": view.window.name, "server": item.name, "action": item.action, "detail": item.detail,
                     "from": item.source_host, "to": item.new_host, "migration": item.migration_id})
        self._server_metadata(item.id, {mm.S_STATUS: status, mm.S_DETAIL: item.detail[:mm.MAX_META]})
        rec = replace(rec, status=status, host=host)
        if status != mm.IN_PROGRESS and _event(rec.notified) != status:
            mark = self._send(view.window, rec.project_id, "maintenance.server", [rec],
                              "%s:%s:%s" % (view.window.name, item.id, status))
            if mark is not None:
                rec = replace(rec, notified=mark + status)
        self._set_record(view, rec)
        self._flush(view)

    def _settle(self, view: WindowView, rec: ServerRecord, server: Dict[str, Any], status: str, detail: str) -> None:
        self._audit("maintenance.server." + status, rec.id, rec.status, status,
                    {"window": view.window.name, "detail": detail})
        self._server_metadata(rec.id, {mm.S_STATUS: status, mm.S_DETAIL: detail})
        rec = replace(rec, status=status, host=server_host(server) or "")
        if _event(rec.notified) != status:
            mark = self._send(view.window, rec.project_id, "maintenance.server", [rec],
                              "%s:%s:%s" % (view.window.name, rec.id, status))
            if mark is not None:
                rec = replace(rec, notified=mark + status)
        self._set_record(view, rec)

    # ======================================================================
    # in_maintenance, completed, cancelled
    # ======================================================================
    def hold(self, name: str) -> WindowView:
        _agg, view = self._load(name)
        if view.window.state == mm.IN_MAINTENANCE:
            return view
        if view.window.state != mm.READY:
            raise ConflictError("window %r is %s; it can be put in maintenance only when ready (hosts empty)"
                                % (name, view.window.state), field="state")
        view = self._transition(view, mm.IN_MAINTENANCE)
        self._flush(view)
        return view

    def complete(self, name: str, restart_stopped: bool = True) -> WindowView:
        _agg, view = self._load(name)
        if view.window.state == mm.COMPLETE:
            return view
        if view.window.state not in (mm.READY, mm.IN_MAINTENANCE):
            raise ConflictError("window %r is %s; only a ready or in_maintenance window can complete "
                                "(cancel it instead to give the hosts back as they are)" % (name, view.window.state),
                                field="state")
        return self._end(view, mm.COMPLETE, restart_stopped)

    def cancel(self, name: str, restart_stopped: bool = True) -> WindowView:
        agg = self.find(name)
        if agg is None:
            raise NotFoundError("no maintenance window %r" % name, field="name", resource=mm.aggregate_name(name))
        view = self.view(agg)
        if view.window.state in mm.ENDED:
            return view
        return self._end(view, mm.CANCELLED, restart_stopped)

    def _end(self, view: WindowView, state: str, restart_stopped: bool) -> WindowView:
        window = view.window
        removal_done = state == mm.COMPLETE and window.kind == "removal"
        for host in window.hosts:
            current = cs.find_compute_service(self.conn, host)
            ours = maintenance_window(current.disabled_reason) == window.name
            if current.status != "disabled" or not ours:
                continue
            if removal_done:
                desired = cs.Desired(status="disabled",
                                     disabled_reason=mm.service_reason(window.name, "host removed for good"))
            else:
                desired = cs.Desired(status="enabled")
            steps = cs.plan(current, desired)
            if steps:
                self._change(steps[0].action + "_service", host)
                if not self.check_mode:
                    cs.apply(self.conn, current, steps, on_step=lambda step, before, after: self._audit(
                        "maintenance.%s_service" % step.action, after.label, before.to_dict(), after.to_dict(),
                        {"window": window.name}))
        event = "maintenance.completed" if state == mm.COMPLETE else "maintenance.cancelled"
        by_project: Dict[str, List[ServerRecord]] = {}
        for rec in view.records.values():
            by_project.setdefault(rec.project_id, []).append(rec)
        for sid, rec in sorted(view.records.items()):
            server = self.nova.server(sid)
            if server is None:
                continue
            if restart_stopped and rec.status in (mm.SHUT_DOWN, mm.STOPPED) and server.get("status") == "SHUTOFF" \
                    and window.kind == "temporary":
                self._change("start_server", sid)
                if not self.check_mode:
                    self.nova.start(sid)
                    self._audit("maintenance.server.started", sid, "SHUTOFF", "ACTIVE", {"window": window.name})
            present = [k for k in mm.NOTICE_KEYS + (mm.S_ANSWER,) if k in (server.get("metadata") or {})]
            if present:
                self._change("clear_notice", sid, {"keys": present})
                if not self.check_mode:
                    for key in present:
                        try:
                            self.nova.delete_metadata(sid, key)
                        except CloudError as exc:
                            self.warnings.append("could not clear the notice on %s: %s" % (sid, exc.message))
                            break
        for project_id, recs in sorted(by_project.items()):
            if all(_event(r.notified) == "ended" for r in recs):
                continue
            mark = self._send(window, project_id, event, recs, "%s:%s" % (window.name, state))
            if mark is not None:
                for rec in recs:
                    self._set_record(view, replace(rec, notified=mark + "ended"))
        view = self._transition(view, state)
        self._flush(view)
        return view

    # ======================================================================
    # writing the window record
    # ======================================================================
    def _transition(self, view: WindowView, state: str, reason: str = "") -> WindowView:
        before = view.window.state
        window = view.window.with_state(state, reason)
        self._change("state", window.name, {"from": before, "to": state})
        self._audit("maintenance.state", window.name, before, state,
                    {"reason": reason} if reason else {"hosts": list(window.hosts)})
        self._pending_meta.update({mm.W_STATE: state, mm.W_FAILED: reason[:mm.MAX_META],
                                   mm.W_UPDATED: window.updated_at})
        return WindowView(window, view.records)

    def _set_window_meta(self, window: mm.Window, before: Optional[mm.Window], action: str) -> None:
        """``before`` is None for a new window (its fresh aggregate holds no settings yet, only defaults)."""
        self._change("window_settings", window.name, window.settings())
        self._audit(action, window.name, before.settings() if before is not None else None, window.settings())
        self._pending_meta.update(window.to_metadata())

    def _set_record(self, view: WindowView, rec: ServerRecord) -> None:
        old = view.records.get(rec.id)
        view.records[rec.id] = rec
        if old is None or old.encode() != rec.encode():
            self._pending_meta[RECORD_PREFIX + rec.id] = rec.encode()

    def _flush(self, view: WindowView) -> None:
        """Write the window record's changed keys in one call."""
        if not self._pending_meta:
            return
        pending, self._pending_meta = self._pending_meta, {}
        if self.check_mode or view.window.aggregate_id is None:
            return
        self.nova.aggregate_action(view.window.aggregate_id, "set_metadata", {"metadata": pending},
                                   "update maintenance window record")

    def _server_metadata(self, server_id: str, items: Dict[str, str]) -> None:
        """Write notice keys; a server Nova refuses to update (ERROR, gone) is a warning, not a stop.

        The window record, not the server, is what accounts for the server, so
        a notice that cannot be written loses nothing.
        """
        if self.check_mode:
            return
        try:
            self.nova.set_metadata(server_id, items)
        except CloudError as exc:
            self.warnings.append("could not write the notice on server %s: %s" % (server_id, exc.message))

    def _change(self, kind: str, target: str, details: Optional[Dict[str, Any]] = None) -> None:
        entry: Dict[str, Any] = {"change": kind, "target": target}
        if details:
            entry.update(details)
        self.changes.append(entry)

    def _audit(self, action: str, target: str, before: Any, after: Any,
               details: Optional[Dict[str, Any]] = None) -> None:
        if self.audit is not None and not self.check_mode:
            self.audit(action, target, before, after, details)


def _notice(server: Dict[str, Any]) -> mm.ServerNotice:
    return mm.ServerNotice(id=server["id"], name=server.get("name") or "", project_id=server.get("tenant_id") or "",
                           status=server.get("status") or "", task_state=server.get("OS-EXT-STS:task_state"),
                           host=server_host(server), metadata=dict(server.get("metadata") or {}))


def _event(notified: str) -> str:
    """The last notice a record's owner got, without the delivered-by-webhook mark."""
    return notified[len(WEBHOOK_MARK):] if notified.startswith(WEBHOOK_MARK) else notified


def _without_detail(notice: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in notice.items() if k != mm.S_DETAIL}


def _differences(a: mm.Window, b: mm.Window) -> List[str]:
    sa, sb = a.settings(), b.settings()
    return sorted(k for k in sa if sa[k] != sb.get(k))


def _scheduled_id(window: str, fresh: List[ServerRecord], recs: List[ServerRecord]) -> str:
    """The delivery id of a project's 'scheduled' notice.

    The same when a notice that failed is sent again (the receiver drops the
    duplicate); a new one when servers came to the hosts after the project was
    told, or the receiver would drop that notice as a duplicate too.
    """
    if len(fresh) == len(recs):
        return window + ":scheduled"
    digest = hashlib.sha256(",".join(sorted(r.id for r in fresh)).encode("utf-8")).hexdigest()[:12]
    return "%s:scheduled:%s" % (window, digest)


def validate_webhooks(raw: Optional[Dict[str, Any]]) -> Dict[str, Target]:
    """The module's ``webhooks`` option: project name or id -> {url, secret}."""
    out: Dict[str, Target] = {}
    for project, spec in (raw or {}).items():
        if not isinstance(spec, dict) or not spec.get("url") or not spec.get("secret"):
            raise ValidationError("webhooks.%s needs url and secret" % project, field="webhooks")
        target = Target(str(spec["url"]), str(spec["secret"]))
        target.validate(project)
        out[str(project)] = target
    return out
