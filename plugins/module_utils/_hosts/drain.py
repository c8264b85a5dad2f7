# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Empty a compute host: move (or stop) each server, several at a time, and prove each move.

Operators script ``openstack server migrate --live-migration --wait`` one
server at a time and trust the exit code. Here up to ``max_parallel`` moves are
in flight, no more than ``max_impacted_members`` of one server group at once,
and a move only counts when Nova shows it done: the server is back to its
status with no task, on another host, and its migration record is completed.
A server that cannot move gets its policy (``fail`` stops starting new moves
and reports every server; ``stop`` stops it in place; ``skip`` leaves it) -
never a silent carry-on.

The engine keeps no state of its own: a run killed half-way and run again
finds moves still under way (a task state on the server) and waits for them
instead of starting them again, and finds moved servers gone from the host.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    Day2Error,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils._hosts import compute_service as cs

# what the drain can do with one server
LIVE_MIGRATE = "live_migrate"
MIGRATE = "migrate"
SHUTDOWN = "shutdown"            # stop it and leave it on the host
SHUTDOWN_MOVE = "shutdown_move"  # stop it, then cold-migrate it (host removed for good)
KEEP = "keep"
ACTIONS = (LIVE_MIGRATE, MIGRATE, SHUTDOWN, SHUTDOWN_MOVE, KEEP)
MOVES = (LIVE_MIGRATE, MIGRATE, SHUTDOWN_MOVE)

# outcome of one server
PENDING = "pending"
IN_PROGRESS = "in_progress"
MOVED = "moved"
KEPT = "kept"
SHUT_DOWN = "shut_down"
STOPPED = "stopped"
SKIPPED = "skipped"
GONE = "gone"
FAILED = "failed"
DONE = (MOVED, KEPT, SHUT_DOWN, STOPPED, SKIPPED, GONE)

POLICY_STOP = "policy_stop"
#: a migration record that could not be read, for the timeout message
UNREAD = SimpleNamespace(id="record", status="unread")  # phase: stopping a server that could not move (on_failure=stop)

MIGRATION_OK = ("completed", "confirmed", "finished")
MIGRATION_BAD = ("error", "failed", "cancelled", "aborted")
# statuses a server may be in and still be moved
LIVE_MOVABLE = ("ACTIVE", "PAUSED")
COLD_MOVABLE = ("ACTIVE", "SHUTOFF")


@dataclass
class DrainOptions:
    max_parallel: int = 4
    max_impacted_members: int = 1
    on_failure: str = "fail"
    target_host: Optional[str] = None
    poll_interval: float = 2.0
    migration_timeout: float = 900.0

    def validate(self) -> None:
        if not 1 <= self.max_parallel <= 100:
            raise ValidationError("max_parallel must be between 1 and 100, not %s" % self.max_parallel,
                                  field="max_parallel")
        if self.max_impacted_members < 1:
            raise ValidationError("max_impacted_members must be at least 1", field="max_impacted_members")
        if self.on_failure not in ("fail", "stop", "skip"):
            raise ValidationError("on_failure must be fail, stop or skip, not %r" % self.on_failure,
                                  field="on_failure")
        if self.migration_timeout <= 0:
            raise ValidationError("migration_timeout must be positive", field="migration_timeout")


@dataclass
class DrainItem:
    """One server of the host and what happens to it."""

    id: str
    name: str
    project_id: str
    source_host: str
    action: str
    server_status: str = ""
    on_failure: str = "fail"
    status: str = PENDING
    detail: str = ""
    new_host: Optional[str] = None
    migration_id: Optional[str] = None
    seconds: Optional[float] = None
    phase: str = ""           # the Nova action in flight: live_migrate, migrate, stop
    started: float = 0.0
    confirm_sent: bool = False
    groups: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        for key in ("phase", "started", "groups", "confirm_sent"):
            out.pop(key)
        return out


def item_from_server(server: Any, action: str, on_failure: str = "fail") -> DrainItem:
    if action not in ACTIONS:
        raise ValidationError("action must be one of %s, not %r" % (", ".join(ACTIONS), action), field="action")
    return DrainItem(id=server.id, name=server.name or "", project_id=server.project_id or "",
                     source_host=server.compute_host or "", action=action, server_status=server.status or "",
                     on_failure=on_failure)


def auto_action(server: Any) -> str:
    """Live-migrate what runs, cold-migrate what is stopped."""
    return MIGRATE if server.status == "SHUTOFF" else LIVE_MIGRATE


Callback = Callable[[DrainItem], None]


class HostDrain:
    """Carry out a list of DrainItems against Nova (``nova`` is the access layer's Nova, ``cloud.nova``)."""

    def __init__(self, nova: Any, items: List[DrainItem], options: DrainOptions,
                 groups: Optional[Dict[str, List[str]]] = None, on_change: Optional[Callback] = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        options.validate()
        self.nova = nova
        self.items = items
        self.options = options
        self.on_change = on_change
        self.clock = clock
        self.sleep = sleep
        self.stopped_starting = ""
        for item in items:
            item.groups = list((groups or {}).get(item.id, []))

    # -- the loop -----------------------------------------------------------------
    def run(self, deadline: Optional[float] = None) -> List[DrainItem]:
        """Drive every item to a final status, or until ``deadline`` (a clock() value)."""
        queue = [i for i in self.items if i.status in (PENDING, IN_PROGRESS, FAILED)]
        inflight: List[DrainItem] = []
        for item in list(queue):
            if item.status == IN_PROGRESS or self._adopt_running(item):
                queue.remove(item)
                inflight.append(item)
        while queue or inflight:
            if deadline is not None and self.clock() >= deadline:
                break
            self._start_more(queue, inflight)
            if not inflight:
                break  # nothing can start (failure stop or group limits with nothing moving)
            self.sleep(self.options.poll_interval)
            for item in list(inflight):
                if self._poll(item):
                    inflight.remove(item)
        return self.items

    def _start_more(self, queue: List[DrainItem], inflight: List[DrainItem]) -> None:
        while queue and len(inflight) < self.options.max_parallel and not self.stopped_starting:
            item = self._next_startable(queue, inflight)
            if item is None:
                return
            queue.remove(item)
            if self._start(item):
                inflight.append(item)

    def _next_startable(self, queue: List[DrainItem], inflight: List[DrainItem]) -> Optional[DrainItem]:
        limit = self.options.max_impacted_members
        for item in queue:
            busy = all(sum(1 for f in inflight if g in f.groups) < limit for g in item.groups)
            if busy:
                return item
        return None

    # -- one server -----------------------------------------------------------------
    def _adopt_running(self, item: DrainItem) -> bool:
        """A move a previous run started and Nova still carries out: watch it, don't start another."""
        server = self.nova.get_server(item.id)
        return server is not None and self._under_way(item, server)

    def _under_way(self, item: DrainItem, server: Any) -> bool:
        state = server.task_state or ""
        status = server.status
        # a cold migration's task states are resize_* (resize_migrating too): test them first
        if "resize" in state or status in ("VERIFY_RESIZE", "RESIZE"):
            item.phase = MIGRATE
        elif "migrat" in state or status == "MIGRATING":
            item.phase = LIVE_MIGRATE
        elif state == "powering-off" and item.action in (SHUTDOWN, SHUTDOWN_MOVE):
            item.phase = "stop"  # another stop would be refused (409) while this one runs
        else:
            return False
        item.status = IN_PROGRESS
        item.started = self.clock()
        item.detail = "resuming: a %s started earlier is still under way" % item.phase.replace("_", " ")
        return True

    def _start(self, item: DrainItem) -> bool:
        """Start the item's action; False when it finished at once (kept, gone, failed to start)."""
        server = self.nova.get_server(item.id)
        if server is None:
            self._finish(item, GONE, "the server no longer exists")
            return False
        item.server_status = server.status or ""
        if server.compute_host != item.source_host:
            self._finish(item, MOVED, "already on %s" % server.compute_host, new_host=server.compute_host)
            return False
        if item.action == KEEP:
            self._finish(item, KEPT, item.detail or "kept on the host")
            return False
        if self._under_way(item, server):
            return True
        phase = self._first_phase(item, server)
        if phase is None:
            return False
        return self._issue(item, phase)

    def _first_phase(self, item: DrainItem, server: Any) -> Optional[str]:
        status = server.status
        if item.action in (SHUTDOWN, SHUTDOWN_MOVE):
            if status == "SHUTOFF":
                if item.action == SHUTDOWN:
                    # kept, not shut_down: a window starts again only the servers it stopped itself
                    self._finish(item, KEPT, "already stopped: left as it is")
                    return None
                return MIGRATE
            return "stop"
        if item.action == LIVE_MIGRATE and status == "SHUTOFF":
            item.detail = "stopped server: cold migration instead of live"
            return MIGRATE
        movable = LIVE_MOVABLE if item.action == LIVE_MIGRATE else COLD_MOVABLE
        if status not in movable:
            self._failure(item, "cannot %s a server in status %s" % (item.action.replace("_", " "), status))
            return None
        return LIVE_MIGRATE if item.action == LIVE_MIGRATE else MIGRATE

    def _issue(self, item: DrainItem, phase: str) -> bool:
        target = self.options.target_host
        try:
            if phase == LIVE_MIGRATE:
                self.nova.live_migrate(item.id, target)
            elif phase == MIGRATE:
                self.nova.cold_migrate(item.id, target)
            else:
                self.nova.stop(item.id)
        except NotFoundError:
            self._finish(item, GONE, "the server was deleted before it could be moved")
            return False
        except CloudError as exc:
            if self._taken_by_another(item):
                return True
            self._failure(item, "Nova refused to %s: %s" % (phase.replace("_", " "), exc.message))
            return False
        item.phase = phase
        item.status = IN_PROGRESS
        if not item.started:
            item.started = self.clock()
        self._changed(item)
        return True

    def _taken_by_another(self, item: DrainItem) -> bool:
        """After a refusal: is the server being moved already? Then watch that move instead of failing.

        A run killed just after sending a move leaves that request in flight; the
        next run finds the server still idle, asks again, and Nova refuses the
        second request (HTTP 409, or 500 UnexpectedTaskStateError when both
        raced inside the API). Another tool can do the same. The refusal says
        nothing about the move itself, so look at the server again.
        """
        try:
            server = self.nova.get_server(item.id)
        except CloudError:
            return False
        if server is None or not self._under_way(item, server):
            return False
        item.detail = "Nova was already carrying out a %s of it (an earlier request): watching that one" % (
            item.phase.replace("_", " "))
        self._changed(item)
        return True

    def _poll(self, item: DrainItem) -> bool:
        """True when the item reached a final status."""
        try:
            server = self.nova.get_server(item.id)
        except CloudError as exc:  # a hiccup of the API is not a failed move: look again next round
            item.detail = "could not read the server: %s" % exc.message
            return False
        if server is None:
            return self._finish(item, GONE, "the server was deleted during the drain")
        status = server.status
        if status == "VERIFY_RESIZE":
            # the server shows VERIFY_RESIZE until the confirmation is done: confirm once, then wait
            if not item.confirm_sent:
                try:
                    self.nova.confirm_resize(item.id)
                except CloudError as exc:
                    # 409: not VERIFY_RESIZE any more; 400: Nova is already confirming it (another run asked)
                    if exc.status_code not in (400, 409):
                        return self._fail_now(item, "could not confirm the migration: %s" % exc.message)
                item.confirm_sent = True
            if self.clock() - item.started > self.options.migration_timeout:
                return self._fail_now(item, "still VERIFY_RESIZE after %d s: the confirmation did not finish"
                                      % self.options.migration_timeout)
            return False
        if status == "ERROR":
            fault = (server.fault or {}).get("message") or "no fault recorded"
            return self._fail_now(item, "the server went to ERROR: %s" % fault)
        if server.task_state:
            if self.clock() - item.started > self.options.migration_timeout:
                return self._fail_now(item, "still %s after %d s"
                                      % (server.task_state, self.options.migration_timeout))
            return False
        host = server.compute_host
        if item.phase == POLICY_STOP:
            if status != "SHUTOFF":
                return self._fail_now(item, "%s, but the stop did not take: the server is %s" % (item.detail, status))
            return self._finish(item, STOPPED, item.detail)
        if item.phase == "stop":
            if status != "SHUTOFF":
                return self._fail_now(item, "stop did not take: the server is %s" % status)
            if item.action == SHUTDOWN_MOVE:
                return not self._issue(item, MIGRATE)
            return self._finish(item, SHUT_DOWN, "stopped on the host")
        return self._verify_move(item, host)

    def _verify_move(self, item: DrainItem, host: Optional[str]) -> bool:
        try:
            migration = self._latest_migration(item)
        except CloudError as exc:  # a move counts only with its record seen: look again, not for ever
            item.detail = "could not read the migration records: %s" % exc.message
            return self._record_timeout(item, UNREAD, "")
        mstatus = getattr(migration, "status", None) or ""
        if host and host != item.source_host:
            if migration is not None and mstatus not in MIGRATION_OK:
                if mstatus in MIGRATION_BAD:
                    return self._fail_now(item, "on %s but migration %s is %s" % (host, migration.id, mstatus))
                # Nova finishes the record just after the server: look again, but not for ever
                return self._record_timeout(item, migration, "on %s but " % host)
            item.migration_id = str(migration.id) if migration else None
            verb = "live-migrated" if item.phase == LIVE_MIGRATE else "migrated"
            return self._finish(item, MOVED, "%s to %s" % (verb, host), new_host=host)
        if migration is not None and mstatus in MIGRATION_BAD:
            item.migration_id = str(migration.id)
            return self._fail_now(item, "migration %s %s; the server is still on %s"
                                  % (migration.id, mstatus, item.source_host))
        if migration is None or mstatus in MIGRATION_OK:
            return self._fail_now(item, "the server is still on %s and no migration is under way" % item.source_host)
        return self._record_timeout(item, migration, "still on %s and " % item.source_host)

    def _record_timeout(self, item: DrainItem, migration: Any, where: str) -> bool:
        """False (look again) until migration_timeout; then the move fails, as one with a task state would."""
        if self.clock() - item.started <= self.options.migration_timeout:
            return False
        return self._fail_now(item, "%smigration %s still %s after %d s" % (
            where, migration.id, migration.status, self.options.migration_timeout))

    def _latest_migration(self, item: DrainItem) -> Optional[Any]:
        found = self.nova.migrations(item.id)
        return found[0] if found else None

    # -- outcomes -------------------------------------------------------------------
    def _fail_now(self, item: DrainItem, message: str) -> bool:
        self._failure(item, message)
        return item.status != IN_PROGRESS

    def _failure(self, item: DrainItem, message: str) -> None:
        """A server that cannot move: apply its on_failure policy."""
        policy = item.on_failure
        if policy == "stop" and item.phase != POLICY_STOP:
            item.detail = "could not move (%s); stopping it in place" % message
            try:
                server = self.nova.get_server(item.id)
                if server is not None and server.status == "SHUTOFF":  # not stopped by us: not 'stopped'
                    self._finish(item, SKIPPED, "could not move (%s); already stopped, left on the host" % message)
                    return
                self.nova.stop(item.id)
            except (CloudError, Day2Error) as exc:
                self._finish(item, FAILED, "%s; the stop failed too: %s" % (message, exc.message))
                self._stop_starting(item)
                return
            item.phase = POLICY_STOP
            item.status = IN_PROGRESS
            item.started = self.clock()
            self._changed(item)
            return
        if policy == "skip":
            self._finish(item, SKIPPED, "could not move, left on the host (on_failure=skip): %s" % message)
            return
        self._finish(item, FAILED, message)
        self._stop_starting(item)

    def _stop_starting(self, item: DrainItem) -> None:
        if not self.stopped_starting:
            self.stopped_starting = "%s (%s) could not be moved: %s" % (item.name, item.id, item.detail)

    def _finish(self, item: DrainItem, status: str, detail: str, new_host: Optional[str] = None) -> bool:
        item.status = status
        item.detail = detail
        if new_host:
            item.new_host = new_host
        if item.started:
            item.seconds = round(self.clock() - item.started, 1)
        item.phase = ""
        self._changed(item)
        return True

    def _changed(self, item: DrainItem) -> None:
        if self.on_change is not None:
            self.on_change(item)


def summarize(items: List[DrainItem]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    return counts


@dataclass
class DrainResult:
    host: str
    items: List[DrainItem]
    service_steps: List[Dict[str, Any]]
    remaining: int

    @property
    def empty(self) -> bool:
        return self.remaining == 0

    def to_dict(self) -> Dict[str, Any]:
        return {"host": self.host, "servers": [i.to_dict() for i in self.items], "summary": summarize(self.items),
                "service_steps": self.service_steps, "remaining": self.remaining, "empty": self.empty}


def drain_host(nova: Any, host: str, options: DrainOptions, action: str = "auto",
               keep: Optional[List[str]] = None, disable: bool = True, disabled_reason: Optional[str] = None,
               check_mode: bool = False, wait_timeout: Optional[float] = None,
               audit: Optional[Callable[..., None]] = None,
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> DrainResult:
    """Disable ``host``'s compute service and move its servers away (``keep``: ids or names to leave).

    ``nova`` is the access layer's Nova (``cloud.nova``).
    """
    options.validate()
    if action not in ("auto", LIVE_MIGRATE, MIGRATE):
        raise ValidationError("action must be auto, live_migrate or migrate, not %r" % action, field="action")
    current = cs.find_compute_service(nova, host)
    steps: List[Any] = []
    if disable:
        steps = cs.plan(current, cs.Desired(status="disabled", disabled_reason=disabled_reason))
        if steps and not check_mode:
            cs.apply(nova, current, steps, on_step=lambda step, before, after: audit and audit(
                "host_drain.%s_service" % step.action, after.label, before.to_dict(), after.to_dict(), None))
    keep_set = set(keep or [])
    items = []
    for server in nova.servers_on_host(host):
        held = quarantine_case(server.tags, server.metadata) is not None
        chosen = KEEP if held or server.id in keep_set or server.name in keep_set else (
            auto_action(server) if action == "auto" else action)
        item = item_from_server(server, chosen, options.on_failure)
        if held:  # evidence under a legal or security hold is never moved by a drain
            item.detail = "under quarantine: kept on the host"
            keep_set.add(server.id)
        items.append(item)
    if check_mode or not items:
        return DrainResult(host, items, [s.to_dict() for s in steps],
                           remaining=sum(1 for i in items if i.action != KEEP))

    def on_change(item: DrainItem) -> None:
        if audit is not None and item.status not in (IN_PROGRESS, KEPT):  # keeping a server changes nothing
            audit("host_drain.server." + item.status, item.id, item.source_host, item.new_host,
                  {"server": item.name, "action": item.action, "detail": item.detail, "migration": item.migration_id})

    groups = nova.server_group_members() if any(i.action != KEEP for i in items) else {}
    HostDrain(nova, items, options, groups=groups, on_change=on_change, clock=clock, sleep=sleep).run(
        deadline=None if wait_timeout is None else clock() + wait_timeout)
    left = [s for s in nova.servers_on_host(host) if s.id not in keep_set and s.name not in keep_set]
    return DrainResult(host, items, [s.to_dict() for s in steps], remaining=len(left))
