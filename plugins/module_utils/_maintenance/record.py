# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The window record: a host aggregate whose metadata is the window.

The aggregate ``osfleet-maint-<name>`` holds the window's hosts, its settings
and state (``osfleet_maint_*`` keys, see :mod:`.model`) and one line per
affected server (``osfleet_maint_srv_<id>``: status, action, project, host,
the last notice its owner got, name). That line is how servers already moved
away stay accounted for. Changed keys are buffered and written in one call
(:meth:`WindowRecord.flush`), after each step, so a killed run loses at most
the step it was in and the next run repeats it.

:class:`Run` is what one module run collects whatever part of the window
service acts: check mode, the planned or made changes, warnings, and the
audit hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm

RECORD_PREFIX = "osfleet_maint_srv_"
#: a record's ``notified`` starts with this when its owner got the notice by webhook
WEBHOOK_MARK = "w:"

Audit = Callable[[str, str, Any, Any, Optional[Dict[str, Any]]], None]


@dataclass
class Run:
    """One run of the window service: check mode, what changed (or would), warnings, the audit hook."""

    check_mode: bool = False
    audit_hook: Optional[Audit] = None
    changes: List[Dict[str, Any]] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def change(self, kind: str, target: str, details: Optional[Dict[str, Any]] = None) -> None:
        entry: Dict[str, Any] = {"change": kind, "target": target}
        if details:
            entry.update(details)
        self.changes.append(entry)

    def audit(self, action: str, target: str, before: Any, after: Any,
              details: Optional[Dict[str, Any]] = None) -> None:
        """One audit entry for a change made (none in check mode)."""
        if self.audit_hook is not None and not self.check_mode:
            self.audit_hook(action, target, before, after, details)


def last_event(notified: str) -> str:
    """The last notice a record's owner got, without the delivered-by-webhook mark."""
    return notified[len(WEBHOOK_MARK):] if notified.startswith(WEBHOOK_MARK) else notified


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
                "action": self.action, "host": self.host, "notified": last_event(self.notified),
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

    def by_project(self) -> Dict[str, List[ServerRecord]]:
        out: Dict[str, List[ServerRecord]] = {}
        for rec in self.records.values():
            out.setdefault(rec.project_id, []).append(rec)
        return out


def aggregate_dict(agg: Any) -> Dict[str, Any]:
    """An SDK Aggregate as the plain record :meth:`.model.Window.from_aggregate` reads."""
    return {"id": agg.id, "name": agg.name, "hosts": list(agg.hosts or []), "metadata": dict(agg.metadata or {})}


class WindowRecord:
    """Reads and writes windows as host aggregates (``nova`` is the access layer's Nova, ``cloud.nova``)."""

    def __init__(self, nova: Any, run: Run) -> None:
        self.nova = nova
        self.run = run
        self._pending: Dict[str, Optional[str]] = {}

    # -- reading ----------------------------------------------------------------
    def find(self, name: str) -> Optional[Dict[str, Any]]:
        wanted = mm.aggregate_name(name)
        for agg in self.nova.aggregates():
            if agg.name == wanted:
                return aggregate_dict(agg)
        return None

    @staticmethod
    def view(agg: Dict[str, Any]) -> WindowView:
        records = {}
        for key, value in (agg.get("metadata") or {}).items():
            if key.startswith(RECORD_PREFIX):
                sid = key[len(RECORD_PREFIX):]
                records[sid] = ServerRecord.decode(sid, value or "")
        return WindowView(mm.Window.from_aggregate(agg), records)

    def windows(self, name: Optional[str] = None) -> List[WindowView]:
        out = []
        for agg in self.nova.aggregates():
            if str(agg.name or "").startswith(mm.AGGREGATE_PREFIX):
                view = self.view(aggregate_dict(agg))
                if name is None or view.window.name == name:
                    out.append(view)
        return sorted(out, key=lambda v: v.window.name)

    def load(self, name: str) -> Tuple[Dict[str, Any], WindowView]:
        agg = self.find(name)
        if agg is None:
            raise NotFoundError("no maintenance window %r (no host aggregate %s)" % (name, mm.aggregate_name(name)),
                                field="name", resource=mm.aggregate_name(name))
        return agg, self.view(agg)

    # -- the aggregate itself ------------------------------------------------------
    def create(self, window: mm.Window) -> Dict[str, Any]:
        """A new, empty aggregate for ``window`` (marked ``_new``: it holds no settings yet)."""
        name = mm.aggregate_name(window.name)
        self.run.change("create_aggregate", name)
        if self.run.check_mode:
            return {"id": None, "name": name, "hosts": [], "metadata": {}, "_new": True}
        agg = aggregate_dict(self.nova.create_aggregate(name))
        agg["_new"] = True
        return agg

    def sync_hosts(self, agg: Dict[str, Any], window: mm.Window) -> None:
        have = set(agg.get("hosts") or [])
        for host in sorted(set(window.hosts) - have):
            self.run.change("add_host", host)
            if not self.run.check_mode:
                self.nova.add_aggregate_host(agg["id"], host)
        for host in sorted(have - set(window.hosts)):
            self.run.change("remove_host", host)
            if not self.run.check_mode:
                self.nova.remove_aggregate_host(agg["id"], host)
        if have != set(window.hosts):
            self.run.audit("maintenance.hosts", window.name, sorted(have), sorted(window.hosts))

    # -- buffered writes -------------------------------------------------------------
    def set_settings(self, window: mm.Window, before: Optional[mm.Window], action: str) -> None:
        """``before`` is None for a new window (its fresh aggregate holds no settings yet, only defaults)."""
        self.run.change("window_settings", window.name, window.settings())
        self.run.audit(action, window.name, before.settings() if before is not None else None, window.settings())
        self._pending.update(window.to_metadata())

    def set_server(self, view: WindowView, rec: ServerRecord) -> None:
        old = view.records.get(rec.id)
        view.records[rec.id] = rec
        if old is None or old.encode() != rec.encode():
            self._pending[RECORD_PREFIX + rec.id] = rec.encode()

    def transition(self, view: WindowView, state: str, reason: str = "") -> WindowView:
        before = view.window.state
        window = view.window.with_state(state, reason)
        self.run.change("state", window.name, {"from": before, "to": state})
        self.run.audit("maintenance.state", window.name, before, state,
                       {"reason": reason} if reason else {"hosts": list(window.hosts)})
        self._pending.update({mm.W_STATE: state, mm.W_FAILED: reason[:mm.MAX_META], mm.W_UPDATED: window.updated_at})
        return WindowView(window, view.records)

    def flush(self, view: WindowView) -> None:
        """Write the window record's changed keys in one call."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        if self.run.check_mode or view.window.aggregate_id is None:
            return
        self.nova.set_aggregate_metadata(view.window.aggregate_id, pending)
