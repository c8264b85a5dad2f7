# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Telling owners: the notice in each server's metadata, and signed webhooks to their projects.

The notice is written on the server itself (``osfleet_maint_*`` keys) so an
owner sees it with ``openstack server show``, and answers there. A project
that registered a webhook (the module's ``webhooks`` mapping, or the project
properties ``osfleet_maintenance_webhook`` and ``..._secret``) also gets a
signed JSON notice when the window is scheduled, when each of its servers is
acted on and when the window ends. Delivery is at least once: the window
record remembers, per server, the last notice its owner got (and whether by
webhook), so a notice that failed is sent again by the next run with the same
delivery id, and one that went through is not sent twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.webhook import Delivery, Target, deliver
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.record import (
    WEBHOOK_MARK,
    Run,
    ServerRecord,
    WindowRecord,
    WindowView,
    last_event,
)

# project properties a project may set to receive notices
PROJECT_WEBHOOK_URL = "osfleet_maintenance_webhook"
PROJECT_WEBHOOK_SECRET = "osfleet_maintenance_webhook_secret"


@dataclass
class WebhookSettings:
    """How notices reach projects: the module's mapping (project name or id -> Target) and the HTTP options."""

    targets: Dict[str, Target] = field(default_factory=dict)
    timeout: float = 10.0
    validate_certs: bool = True
    ca_path: Optional[str] = None


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


def notice_of(server: Any) -> mm.ServerNotice:
    """What the window reads of a server (an SDK Server)."""
    return mm.ServerNotice(id=server.id, name=server.name or "", project_id=server.project_id or "",
                           status=server.status or "", task_state=server.task_state, host=server.compute_host,
                           metadata=dict(server.metadata or {}))


class OwnerNotices:
    """Writes notices on servers and sends them to project webhooks; ``deliveries`` lists every POST."""

    def __init__(self, nova: Any, keystone: Any, record: WindowRecord, run: Run,
                 settings: Optional[WebhookSettings], now: Callable[[], Any]) -> None:
        self.nova = nova
        self.keystone = keystone
        self.record = record
        self.run = run
        self.settings = settings or WebhookSettings()
        self.now = now
        self.deliveries: List[Dict[str, Any]] = []
        self._targets: Optional[Dict[str, Target]] = None

    # -- the notice on the server ------------------------------------------------------
    def write(self, view: WindowView, server: Any, status: Optional[str] = None,
              detail: str = "", action: Optional[str] = None) -> mm.ServerNotice:
        """Bring the server's notice and its line in the window record up to date."""
        notice = notice_of(server)
        if action is None:
            action, why = mm.resolve_action(view.window, notice, self.now())
            detail = detail or why
        rec = view.records.get(notice.id) or ServerRecord(notice.id, project_id=notice.project_id, name=notice.name)
        if status is None:
            status = rec.status if rec.status not in (mm.PENDING, mm.WAITING) else (
                mm.WAITING if action == "own_action" else mm.PENDING)
        wanted = mm.notice_metadata(view.window, notice, action, status, detail)
        current = {k: notice.metadata.get(k) for k in wanted}
        # the detail changes with every look (waiting...); only rewrite it with something else
        if _without_detail(wanted) != _without_detail(current):
            self.run.change("server_notice", notice.id, {"status": status, "action": action})
            self.set_server_metadata(notice.id, wanted)
            notice.metadata.update(wanted)
        self.record.set_server(view, replace(rec, status=status, action=action, host=server.compute_host or "",
                                             project_id=notice.project_id, name=notice.name))
        return notice

    def set_server_metadata(self, server_id: str, items: Dict[str, str]) -> None:
        """Write notice keys; a server Nova refuses to update (ERROR, gone) is a warning, not a stop.

        The window record, not the server, is what accounts for the server, so
        a notice that cannot be written loses nothing.
        """
        if self.run.check_mode:
            return
        try:
            self.nova.set_metadata(server_id, items)
        except CloudError as exc:
            self.run.warnings.append("could not write the notice on server %s: %s" % (server_id, exc.message))

    def clear(self, server_id: str, metadata: Dict[str, Any]) -> None:
        """Remove the notice and the owner's answer once the window has ended."""
        present = [k for k in mm.NOTICE_KEYS + (mm.S_ANSWER,) if k in metadata]
        if not present:
            return
        self.run.change("clear_notice", server_id, {"keys": present})
        if self.run.check_mode:
            return
        try:
            self.nova.delete_metadata(server_id, present)
        except CloudError as exc:
            self.run.warnings.append("could not clear the notice on %s: %s" % (server_id, exc.message))

    # -- telling projects ------------------------------------------------------------------
    def scheduled(self, view: WindowView) -> None:
        """The 'scheduled' webhook, once per project, for the servers its owner has not been told of."""
        for project_id, recs in sorted(view.by_project().items()):
            fresh = [r for r in recs if not r.notified]
            if not fresh:
                continue
            mark = self.send(view.window, project_id, "maintenance.scheduled", recs,
                             _scheduled_id(view.window.name, fresh, recs))
            if mark is not None:
                for rec in fresh:
                    self.record.set_server(view, replace(rec, notified=mark + "scheduled"))

    def server_outcome(self, view: WindowView, rec: ServerRecord) -> ServerRecord:
        """Tell the owner what became of one server (once per outcome); the record with the notice marked."""
        if rec.status == mm.IN_PROGRESS or last_event(rec.notified) == rec.status:
            return rec
        mark = self.send(view.window, rec.project_id, "maintenance.server", [rec],
                         "%s:%s:%s" % (view.window.name, rec.id, rec.status))
        return rec if mark is None else replace(rec, notified=mark + rec.status)

    def ended(self, view: WindowView, state: str) -> None:
        event = "maintenance.completed" if state == mm.COMPLETE else "maintenance.cancelled"
        for project_id, recs in sorted(view.by_project().items()):
            if all(last_event(r.notified) == "ended" for r in recs):
                continue
            mark = self.send(view.window, project_id, event, recs, "%s:%s" % (view.window.name, state))
            if mark is not None:
                for rec in recs:
                    self.record.set_server(view, replace(rec, notified=mark + "ended"))

    def send(self, window: mm.Window, project_id: str, event: str, recs: List[ServerRecord],
             delivery_id: str) -> Optional[str]:
        """The mark to record: ``"w:"`` delivered, ``""`` no webhook; None: retry on the next run."""
        target = self.target(project_id)
        if target is None:
            if any(r.notified.startswith(WEBHOOK_MARK) for r in recs):
                self.run.warnings.append("project %s got earlier notices of window %s by webhook but this run has "
                                         "no webhook for it: pass the same webhooks to every run"
                                         % (project_id, window.name))
            return ""
        self.run.change("webhook", project_id, {"event": event})
        if self.run.check_mode:
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
        result: Delivery = deliver(target, event, payload["id"], payload, timeout=self.settings.timeout,
                                   validate_certs=self.settings.validate_certs, ca_path=self.settings.ca_path)
        self.deliveries.append(dict(result.to_dict(), project_id=project_id, event=event, id=payload["id"]))
        if not result.ok:
            self.run.warnings.append("webhook of project %s did not take %s (%s); it is sent again on the next run"
                                     % (project_id, event, result.error or result.status))
        else:
            self.run.audit("maintenance.webhook", project_id, None, event, {"delivery": payload["id"]})
        return WEBHOOK_MARK if result.ok else None

    def target(self, project_id: str) -> Optional[Target]:
        """The project's webhook: the module's mapping wins over the project's own properties."""
        if self._targets is None:
            self._targets = {}
            names: Dict[str, str] = {}
            try:
                projects = self.keystone.projects_json()
            except Day2Error as exc:  # a cloud without keystone admin rights still drains; say so
                projects = []
                self.run.warnings.append("cannot list projects for their webhook properties: %s" % exc.message)
            for project in projects:
                names[project["name"]] = project["id"]
                url = project.get(PROJECT_WEBHOOK_URL)
                secret = project.get(PROJECT_WEBHOOK_SECRET)
                if url and secret:
                    target = Target(str(url), str(secret))
                    try:  # a project sets these itself: a file:// or ftp:// url must not reach urllib
                        target.validate("project %s" % project["name"])
                    except ValidationError as exc:
                        self.run.warnings.append("%s; its notices are not sent" % exc.message)
                        continue
                    self._targets[project["id"]] = target
            for key, target in self.settings.targets.items():
                self._targets[names.get(key, key)] = target
        return self._targets.get(project_id)


def _without_detail(notice: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in notice.items() if k != mm.S_DETAIL}


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
