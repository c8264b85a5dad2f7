# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The maintenance window and the per-server notice, and how both live in the cloud.

There is no database of ours. A window is a Nova host aggregate named
``osfleet-maint-<name>`` whose hosts are the window's hosts and whose metadata
holds the window's settings and state; every affected server carries the
notice (and its owner's answer) in its own metadata; a host being drained has
its nova-compute service disabled with a reason starting with
``osfleet-maintenance:<name>``. ``openstack aggregate show`` and
``openstack server show`` are enough to see where a window stands, and a run
killed at any point reads the same records again and continues.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import MAINTENANCE_PREFIX
# the one ISO 8601 parser; parse_time names the option a bad time came from, as every caller here needs
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import (  # noqa: F401
    format_time,
    parse_time,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hosts.drain import (
    FAILED as SERVER_FAILED,
    GONE,
    IN_PROGRESS,
    KEPT,
    MOVED,
    PENDING,
    SHUT_DOWN,
    SKIPPED,
    STOPPED,
)

AGGREGATE_PREFIX = "osfleet-maint-"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")

# window states, in the order a window normally goes through them
SCHEDULED = "scheduled"
NOTIFIED = "notified"
DRAINING = "draining"
READY = "ready"
IN_MAINTENANCE = "in_maintenance"
COMPLETE = "complete"
FAILED = "failed"
CANCELLED = "cancelled"
STATES = (SCHEDULED, NOTIFIED, DRAINING, READY, IN_MAINTENANCE, COMPLETE, FAILED, CANCELLED)
ENDED = (COMPLETE, CANCELLED)

KINDS = ("temporary", "removal")
# what an owner may answer for a server (or declare in advance as its policy)
ANSWERS = ("migrate", "live_migrate", "keep", "shutdown", "own_action")
# what the window does with a server nobody answered for, once the reply deadline passed
DEFAULT_ACTIONS = ("live_migrate", "migrate", "keep", "shutdown")
# what happens to a server that cannot be moved
ON_FAILURE = ("fail", "stop", "skip")

# aggregate metadata keys (the window record)
W_NAME = "osfleet_maint_name"
W_STATE = "osfleet_maint_state"
W_KIND = "osfleet_maint_kind"
W_START = "osfleet_maint_start_at"
W_END = "osfleet_maint_end_at"
W_DEADLINE = "osfleet_maint_reply_deadline"
W_DEFAULT = "osfleet_maint_default_action"
W_PARALLEL = "osfleet_maint_max_parallel"
W_GROUP = "osfleet_maint_max_impacted_members"
W_ON_FAILURE = "osfleet_maint_on_failure"
W_REASON = "osfleet_maint_reason"
W_FAILED = "osfleet_maint_failed_reason"
W_UPDATED = "osfleet_maint_updated_at"

# server metadata keys: the notice (written by the window)...
S_WINDOW = "osfleet_maint_window"
S_START = "osfleet_maint_start_at"
S_END = "osfleet_maint_end_at"
S_KIND = "osfleet_maint_kind"
S_REPLY_BY = "osfleet_maint_reply_by"
S_ACTION = "osfleet_maint_action"
S_STATUS = "osfleet_maint_status"
S_DETAIL = "osfleet_maint_detail"
# (no host name: Nova hides host names from owners, and so do the notices)
NOTICE_KEYS = (S_WINDOW, S_START, S_END, S_KIND, S_REPLY_BY, S_ACTION, S_STATUS, S_DETAIL)
# ...and what the owner writes
S_ANSWER = "osfleet_maint_answer"
S_POLICY = "osfleet_maint_policy"
S_ON_FAILURE = "osfleet_maint_on_failure"

# per-server status in a window
# (PENDING, IN_PROGRESS, MOVED, KEPT, SHUT_DOWN, STOPPED, SKIPPED, GONE and SERVER_FAILED are the drain's
# outcomes of one server, imported above: one set of statuses for the drain and the window record)

WAITING = "waiting"            # own_action: the owner moves it; we wait
HELD = "held"                  # under a quarantine case: never touched (not moved, no notice written)
SETTLED = (MOVED, KEPT, SHUT_DOWN, STOPPED, SKIPPED, GONE, HELD)
SERVER_STATUSES = (PENDING, WAITING, IN_PROGRESS, SERVER_FAILED) + SETTLED

MAX_META = 255


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def aggregate_name(window: str) -> str:
    return AGGREGATE_PREFIX + window


def service_reason(window: str, reason: str = "") -> str:
    """The compute service's disabled reason while a window drains or holds the host."""
    text = "%s%s %s" % (MAINTENANCE_PREFIX, window, reason or "")
    return text.strip()[:MAX_META]


@dataclass(frozen=True)
class Window:
    """A maintenance window: its settings and where it stands."""

    name: str
    hosts: Tuple[str, ...]
    state: str = SCHEDULED
    kind: str = "temporary"
    start_at: Optional[datetime] = None
    end_at: Optional[datetime] = None
    reply_deadline: Optional[datetime] = None
    default_action: str = "live_migrate"
    max_parallel: int = 4
    max_impacted_members: int = 1
    on_failure: str = "fail"
    reason: str = ""
    failed_reason: str = ""
    updated_at: str = ""
    aggregate_id: Optional[str] = None

    def validate(self) -> None:
        if not self.name or not NAME_RE.match(self.name):
            raise ValidationError("name %r: use 1-60 letters, digits, '.', '_' or '-', starting with a letter or digit"
                                  % (self.name,), field="name")
        if not self.hosts:
            raise ValidationError("hosts: a window needs at least one host", field="hosts")
        if len(set(self.hosts)) != len(self.hosts):
            raise ValidationError("hosts: %s listed twice" % ", ".join(sorted(
                h for h in set(self.hosts) if self.hosts.count(h) > 1)), field="hosts")
        _choice(self.state, STATES, "state")
        _choice(self.kind, KINDS, "kind")
        _choice(self.default_action, DEFAULT_ACTIONS, "default_action")
        _choice(self.on_failure, ON_FAILURE, "on_failure")
        if self.kind == "removal" and self.default_action in ("keep", "shutdown"):
            raise ValidationError("default_action %r is not possible when kind=removal: the host is removed for good, "
                                  "its servers must be moved" % self.default_action, field="default_action")
        if not 1 <= self.max_parallel <= 100:
            raise ValidationError("max_parallel must be between 1 and 100, not %d" % self.max_parallel,
                                  field="max_parallel")
        if self.max_impacted_members < 1:
            raise ValidationError("max_impacted_members must be at least 1", field="max_impacted_members")
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError("end_at (%s) must be after start_at (%s)"
                                  % (format_time(self.end_at), format_time(self.start_at)), field="end_at")
        if len(self.reason) > 200:
            raise ValidationError("reason is %d characters; keep it under 200 (it goes into Nova records)"
                                  % len(self.reason), field="reason")

    # -- aggregate metadata -------------------------------------------------
    def to_metadata(self) -> Dict[str, str]:
        return {
            W_NAME: self.name, W_STATE: self.state, W_KIND: self.kind,
            W_START: format_time(self.start_at), W_END: format_time(self.end_at),
            W_DEADLINE: format_time(self.reply_deadline), W_DEFAULT: self.default_action,
            W_PARALLEL: str(self.max_parallel), W_GROUP: str(self.max_impacted_members),
            W_ON_FAILURE: self.on_failure, W_REASON: self.reason[:MAX_META],
            W_FAILED: self.failed_reason[:MAX_META], W_UPDATED: self.updated_at,
        }

    @classmethod
    def from_aggregate(cls, agg: Dict[str, Any]) -> "Window":
        md = agg.get("metadata") or {}
        name = md.get(W_NAME) or str(agg.get("name", ""))[len(AGGREGATE_PREFIX):]
        return cls(
            name=name, hosts=tuple(sorted(agg.get("hosts") or [])), state=md.get(W_STATE) or SCHEDULED,
            kind=md.get(W_KIND) or "temporary",
            start_at=parse_time(md.get(W_START), W_START), end_at=parse_time(md.get(W_END), W_END),
            reply_deadline=parse_time(md.get(W_DEADLINE), W_DEADLINE),
            default_action=md.get(W_DEFAULT) or "live_migrate",
            max_parallel=_int(md.get(W_PARALLEL), 4), max_impacted_members=_int(md.get(W_GROUP), 1),
            on_failure=md.get(W_ON_FAILURE) or "fail", reason=md.get(W_REASON) or "",
            failed_reason=md.get(W_FAILED) or "", updated_at=md.get(W_UPDATED) or "",
            aggregate_id=str(agg.get("id")) if agg.get("id") is not None else None,
        )

    def settings(self) -> Dict[str, Any]:
        """What the user sets (no state): compared to decide whether an update is a change."""
        out = self.to_dict()
        for key in ("state", "failed_reason", "updated_at", "aggregate_id"):
            out.pop(key)
        return out

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        out["hosts"] = list(self.hosts)
        for key in ("start_at", "end_at", "reply_deadline"):
            out[key] = format_time(getattr(self, key)) or None
        return out

    def with_state(self, state: str, failed_reason: str = "") -> "Window":
        return replace(self, state=state, failed_reason=failed_reason, updated_at=format_time(now_utc()))

    def deadline_passed(self, at: Optional[datetime] = None) -> bool:
        """No reply deadline means owners are not waited for."""
        return self.reply_deadline is None or (at or now_utc()) >= self.reply_deadline


@dataclass
class ServerNotice:
    """One affected server as the window sees it (from the server's own record)."""

    id: str
    name: str
    project_id: str
    status: str
    task_state: Optional[str]
    host: Optional[str]
    metadata: Dict[str, str] = field(default_factory=dict)

    @property
    def answer(self) -> Optional[str]:
        value = (self.metadata.get(S_ANSWER) or "").strip().lower()
        return value or None

    @property
    def policy(self) -> Optional[str]:
        value = (self.metadata.get(S_POLICY) or "").strip().lower()
        return value or None

    @property
    def window_status(self) -> Optional[str]:
        return self.metadata.get(S_STATUS) or None


def resolve_action(window: Window, notice: ServerNotice, at: Optional[datetime] = None) -> Tuple[str, str]:
    """``(action, why)`` for one server: its answer, else its policy, else the default once the deadline passed.

    ``action`` is one of ANSWERS or ``pending`` (wait for the owner). An answer
    that is not valid, or ``keep``/``shutdown`` on a host that is removed for
    good, falls back to the window's default with the reason in ``why``.
    """
    for source, value in (("answer", notice.answer), ("policy", notice.policy)):
        if value is None:
            continue
        if value not in ANSWERS:
            return _fallback(window, at, "%s %r is not one of %s" % (source, value, ", ".join(ANSWERS)))
        if window.kind == "removal" and value == "keep":
            return _fallback(window, at, "%s keep is not possible: the host is removed for good" % source)
        return value, "owner's %s" % source
    return _fallback(window, at, "no answer")


def _fallback(window: Window, at: Optional[datetime], why: str) -> Tuple[str, str]:
    if not window.deadline_passed(at):
        return PENDING, why + "; waiting for the reply deadline %s" % format_time(window.reply_deadline)
    return window.default_action, why + "; window default"


def notice_metadata(window: Window, notice: ServerNotice, action: str, status: str, detail: str = "") -> Dict[str, str]:
    """The notice keys for one server (the owner's own keys are never written here)."""
    return {
        S_WINDOW: window.name,
        S_START: format_time(window.start_at),
        S_END: format_time(window.end_at),
        S_KIND: window.kind,
        S_REPLY_BY: format_time(window.reply_deadline),
        S_ACTION: action,
        S_STATUS: status,
        S_DETAIL: detail[:MAX_META],
    }


def _choice(value: str, choices: Tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise ValidationError("%s must be one of %s, not %r" % (name, ", ".join(choices), value), field=name)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def window_names(aggregates: List[Dict[str, Any]]) -> List[str]:
    return sorted(str(a["name"])[len(AGGREGATE_PREFIX):] for a in aggregates
                  if str(a.get("name", "")).startswith(AGGREGATE_PREFIX))
