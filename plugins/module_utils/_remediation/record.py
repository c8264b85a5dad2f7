# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Where a host's remediation stands, kept in the cloud: the host aggregate ``osfleet-remed-<host>``.

Like a maintenance window, the record is a host aggregate holding the host, its metadata the
record (``osfleet_remed_*`` keys, each at most 255 characters as Nova keeps them). It is written
after every step, so a run killed anywhere is resumed by the next one from the step it was in.
Next to it, the compute service's disabled reason says the same in words any tool shows
(``osfleet-remediation:<state> <runbook> ...``, see _common/marks.py).

The kill switch is one more aggregate, ``osfleet-remediation-control``: while its metadata has
``osfleet_remed_stopped``, no run changes anything, and every host stays where it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import REMEDIATION_PREFIX

AGGREGATE_PREFIX = "osfleet-remed-"
CONTROL_AGGREGATE = "osfleet-remediation-control"
K = "osfleet_remed_"
STOPPED_KEY = K + "stopped"
MAX_META = 255

DETECTED, CONFIRMED, OUT_OF_POOL, FIXING, VERIFYING, RETURNED, HELD, DISMISSED = (
    "detected", "confirmed", "out_of_pool", "fixing", "verifying", "returned", "held", "dismissed")
#: a record in one of these is open: the host is ours until it is returned, held or dismissed
OPEN = (DETECTED, CONFIRMED, OUT_OF_POOL, FIXING, VERIFYING)
CLOSED = (RETURNED, DISMISSED)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_time(at: Optional[datetime]) -> str:
    return at.astimezone(timezone.utc).strftime(TIME_FORMAT) if at else ""


def parse_time(text: str) -> Optional[datetime]:
    if not text:
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _joined(items: Tuple[str, ...]) -> str:
    """``a,b,c`` with whole items only, at most MAX_META characters: a cut never makes a shorter rule id
    (``NOVA-16`` cut to ``NOVA-1`` is another rule) or half a timestamp."""
    out = ""
    for item in items:
        more = item if not out else out + "," + item
        if len(more) > MAX_META:
            break
        out = more
    return out


def service_reason(state: str, runbook: str = "", words: str = "") -> str:
    """The compute service's disabled reason for a host we have out of the pool."""
    return ("%s%s %s %s" % (REMEDIATION_PREFIX, state, runbook or "-", words or "")).strip()[:MAX_META]


@dataclass(frozen=True)
class Record:
    """One host's remediation. ``step`` is the index of the next runbook step to run; ``prior`` the compute
    service as it was before we touched it (``enabled``, or ``disabled:<reason>``), so the return is exact."""

    host: str
    state: str = DETECTED
    runbook: str = ""
    rules: Tuple[str, ...] = ()
    alerts: Tuple[str, ...] = ()
    step: int = 0
    attempts: int = 0
    detected_at: str = ""
    confirmed_at: str = ""
    updated_at: str = ""
    reason: str = ""
    ticket: str = ""
    actor: str = ""
    note: str = ""
    window: str = ""
    prior: str = ""
    out_by_us: bool = False
    approved: int = -1
    history: Tuple[str, ...] = ()
    aggregate_id: Optional[str] = None

    @property
    def open(self) -> bool:
        return self.state in OPEN

    def to_metadata(self) -> Dict[str, str]:
        values = {"host": self.host, "state": self.state, "runbook": self.runbook, "rules": _joined(self.rules),
                  "alerts": _joined(self.alerts), "step": str(self.step), "attempts": str(self.attempts),
                  "detected_at": self.detected_at, "confirmed_at": self.confirmed_at,
                  "updated_at": self.updated_at, "reason": self.reason, "ticket": self.ticket,
                  "actor": self.actor, "note": self.note, "window": self.window, "prior": self.prior,
                  "out_by_us": "1" if self.out_by_us else "", "approved": str(self.approved),
                  "history": _joined(self.history[-10:])}
        return {K + key: value[:MAX_META] for key, value in values.items()}

    @classmethod
    def from_aggregate(cls, agg: Dict[str, Any]) -> "Record":
        md = agg.get("metadata") or {}

        def get(key: str) -> str:
            return str(md.get(K + key) or "")

        def number(key: str, default: int) -> int:
            try:
                return int(get(key))
            except ValueError:
                return default

        host = get("host") or str(agg.get("name", ""))[len(AGGREGATE_PREFIX):]
        return cls(host=host, state=get("state") or DETECTED, runbook=get("runbook"),
                   rules=tuple(r for r in get("rules").split(",") if r),
                   alerts=tuple(a for a in get("alerts").split(",") if a),
                   step=number("step", 0), attempts=number("attempts", 0), detected_at=get("detected_at"),
                   confirmed_at=get("confirmed_at"), updated_at=get("updated_at"), reason=get("reason"),
                   ticket=get("ticket"), actor=get("actor"), note=get("note"), window=get("window"),
                   prior=get("prior"), out_by_us=get("out_by_us") == "1", approved=number("approved", -1),
                   history=tuple(h for h in get("history").split(",") if h),
                   aggregate_id=str(agg["id"]) if agg.get("id") is not None else None)

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        out["rules"], out["alerts"], out["history"] = list(self.rules), list(self.alerts), list(self.history)
        return out

    def started_within(self, at: datetime, window: timedelta) -> List[datetime]:
        times = [parse_time(h) for h in self.history]
        return [t for t in times if t is not None and at - t < window]

    def new_cycle(self, at: datetime) -> "Record":
        """A closed (or new) record starting again: the history of starts is kept, a day's worth."""
        kept = [format_time(t) for t in self.started_within(at, timedelta(days=1))]
        return replace(Record(self.host, aggregate_id=self.aggregate_id), history=tuple(kept[-10:]),
                       detected_at=format_time(at), updated_at=format_time(at))


@dataclass
class Store:
    """Reads and writes records (``nova``: the access layer's Nova); ``check_mode`` writes nothing."""

    nova: Any
    check_mode: bool = False
    writes: List[Dict[str, Any]] = field(default_factory=list)
    #: host -> the record's metadata as last read or written: what a save compares with
    stored: Dict[str, Dict[str, str]] = field(default_factory=dict)

    def _aggregates(self) -> List[Dict[str, Any]]:
        return [{"id": a.id, "name": a.name, "hosts": list(a.hosts or []), "metadata": dict(a.metadata or {})}
                for a in self.nova.aggregates()]

    def records(self) -> Dict[str, Record]:
        out = {}
        for agg in self._aggregates():
            if str(agg["name"] or "").startswith(AGGREGATE_PREFIX):
                rec = Record.from_aggregate(agg)
                out[rec.host] = rec
                self.stored[rec.host] = rec.to_metadata()
        return out

    def get(self, host: str) -> Optional[Record]:
        return self.records().get(host)

    def save(self, rec: Record) -> Record:
        """Write what changed of ``rec`` since it was last read or written (creating its aggregate, with the
        host in it, the first time)."""
        new = rec.to_metadata()
        old = self.stored.get(rec.host, {}) if rec.aggregate_id else {}
        changed = {k: v for k, v in new.items() if old.get(k, "") != v}
        self.writes.append({"host": rec.host, "state": rec.state, "keys": sorted(changed)})
        if self.check_mode:
            return rec
        agg_id = rec.aggregate_id
        if agg_id is None:
            agg = self.nova.create_aggregate(AGGREGATE_PREFIX + rec.host)
            agg_id = str(agg.id)
            try:
                self.nova.add_aggregate_host(agg_id, rec.host)
            except Exception:  # pylint: disable=broad-except  # a host Nova does not know: the record still stands
                pass
            rec = replace(rec, aggregate_id=agg_id)
            changed = new
        if changed:
            self.nova.set_aggregate_metadata(agg_id, changed)
        self.stored[rec.host] = new
        return rec

    # -- the kill switch ----------------------------------------------------------------
    def stopped(self) -> Optional[str]:
        """The kill switch's words (``reason | who | when``) while it is set, else None."""
        for agg in self._aggregates():
            if agg["name"] == CONTROL_AGGREGATE:
                return (agg["metadata"] or {}).get(STOPPED_KEY) or None
        return None

    def set_stopped(self, words: Optional[str]) -> bool:
        """Set (``words``) or lift (None) the kill switch; whether anything changed."""
        current = self.stopped()
        if (current or None) == (words or None):
            return False
        if self.check_mode:
            return True
        found = [a for a in self._aggregates() if a["name"] == CONTROL_AGGREGATE]
        agg_id = found[0]["id"] if found else self.nova.create_aggregate(CONTROL_AGGREGATE).id
        self.nova.set_aggregate_metadata(str(agg_id), {STOPPED_KEY: words[:MAX_META] if words else None})
        return True
