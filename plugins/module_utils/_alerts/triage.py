# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Triage: alerts in, incidents out, and every alert that is not an incident with the reason why.

The order, for each alert (docs/alerts-triage.md has the reason codes):

1. **dedup** on (fingerprint, startsAt): one firing of one alert. Alertmanager delivers at least once (HA
   peers each send), so the same firing arrives more than once; it is an incident once. A key already raised
   is a ``duplicate``; a key that was *suppressed* before is looked at again (a window may have ended since).
2. **resolved** alerts are never incidents (``resolved``); they close the firing in the state.
3. **flapping**: an alert (fingerprint) that began firing more than ``flap_count`` times within
   ``flap_minutes`` is held until its current firing has lasted ``stable_minutes``.
4. **correlate** to a resource (``correlate.FleetIndex``) and group per resource: one host, one incident.
   An alert about something the fleet does not have is its own incident, ``uncorrelated``, never dropped.
5. **suppress** a host out of the pool on purpose (``in_maintenance:<window>``, ``held:<reason>``,
   ``remediation_in_progress:<state>``) and alerts about a quarantined server (``quarantined:<case>``).
6. **inhibit** symptoms by their cause on the same host (``inhibited_by:<alert>``), the rules as data
   (:data:`INHIBIT_RULES`): the host down hides its servers' and its sensors' alerts; a BMC that does not answer
   makes the sensor alerts blind.
7. **re-release**: an alert that was suppressed by a window, a hold, a remediation, a quarantine or the flap
   hold, and is still firing when that ends, is an incident at once (``re_released``), not after Alertmanager's
   ``repeat_interval`` (Alertmanager sends nothing when a silence ends).

The state (dedup keys, firings per fingerprint for the flap hold, open incidents) is a plain JSON-serialisable
dict; the module keeps it in a file. Its entries expire (``state_hours`` after last seen), and it holds at most
``max_entries`` keys, oldest dropped first, so it stays bounded whatever the alert rate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex, Match, Suppression
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import Alert, format_am_time, parse_am_time
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import Runbook, select

STATE_VERSION = 1
SEVERITY_ORDER = {"critical": 5, "page": 5, "error": 4, "major": 4, "warning": 3, "minor": 2, "info": 1, "none": 0}
SENSOR_ALERTS = ("OsfleetHostOvertemperature", "OsfleetFanFailed", "OsfleetPsuFailed", "OsfleetSelCritical")
HOST_DOWN_ALERTS = ("OsfleetNovaComputeDown", "OsfleetHypervisorDown", "OsfleetHostDown")
#: codes whose end makes a still-firing alert an incident again
RELEASABLE = ("in_maintenance", "held", "remediation_in_progress", "quarantined", "flapping")

#: cause -> symptoms on the same host. A symptom is matched by alert name or by kind: ``vm`` (an alert that
#: names a server of the host), ``sensor`` (:data:`SENSOR_ALERTS`, ``component: hardware``, or an alert that
#: names the host by its BMC's address: a BMC exporter's).
INHIBIT_RULES: Tuple[Dict[str, Any], ...] = (
    {"name": "host_down", "causes": list(HOST_DOWN_ALERTS), "symptoms": {"kinds": ["vm", "sensor"], "names": []}},
    {"name": "bmc_blind", "causes": ["OsfleetBmcUnreachable"], "symptoms": {"kinds": ["sensor"], "names": []}},
)

DEFAULTS: Dict[str, Any] = {
    "flap_count": 3,         # more than this many firings ...
    "flap_minutes": 30,      # ... within this many minutes: flapping
    "stable_minutes": 15,    # a flapping alert firing this long without a break is released
    "state_hours": 24,       # a dedup key not seen for this long is forgotten
    "reopen_minutes": 15,    # a resource's incident closed this recently is reopened by its next raised alert
    "max_entries": 50000,    # at most this many dedup keys are kept (the oldest go first)
    "inhibit_rules": INHIBIT_RULES,
}


def settings_of(given: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    out = dict(DEFAULTS)
    for key, value in (given or {}).items():
        if value is None:
            continue
        if key not in DEFAULTS:
            raise ValidationError("triage setting %r is unknown (known: %s)" % (key, ", ".join(sorted(DEFAULTS))),
                                  field=key)
        if key != "inhibit_rules" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValidationError("%s must be a whole number of 1 or more, not %r" % (key, value), field=key)
        out[key] = value
    for i, rule in enumerate(out["inhibit_rules"]):
        if not isinstance(rule, Mapping) or not isinstance(rule.get("causes"), list) or \
                not isinstance(rule.get("symptoms"), Mapping):
            raise ValidationError("inhibit_rules[%d]: {name, causes: [alert names], symptoms: {kinds, names}}" % i,
                                  field="inhibit_rules")
    return out


# ---------------------------------------------------------------------------
# the state
# ---------------------------------------------------------------------------
class State:
    """The persisted memory of triage: what was done with each firing, when each fingerprint fired."""

    def __init__(self, data: Optional[Mapping[str, Any]], now: datetime, settings: Mapping[str, Any]) -> None:
        data = dict(data or {})
        if data and data.get("version") != STATE_VERSION:
            data = {}  # a state of another version is not guessed at: start afresh (at worst, one repeat)
        self.now = now
        self.stamp = format_am_time(now)
        self.settings = settings
        self.flap_horizon = format_am_time(now - timedelta(minutes=settings["flap_minutes"]))
        self.keys: Dict[str, Dict[str, Any]] = dict(data.get("keys") or {})
        self.firings: Dict[str, List[str]] = {k: list(v) for k, v in (data.get("firings") or {}).items()}
        self.open: Dict[str, Dict[str, Any]] = dict(data.get("open") or {})
        self.causes: Dict[str, Dict[str, Dict[str, Any]]] = {k: dict(v) for k, v in (data.get("causes") or {}).items()}
        self.closed: Dict[str, Dict[str, Any]] = dict(data.get("closed") or {})
        self._expire()

    def _expire(self) -> None:
        horizon = format_am_time(self.now - timedelta(hours=self.settings["state_hours"]))
        self.keys = {k: v for k, v in self.keys.items() if v.get("seen", "") >= horizon}
        self.open = {k: v for k, v in self.open.items() if v.get("seen", "") >= horizon}
        self.causes = {k: kept for k, causes in self.causes.items()
                       for kept in [{fp: c for fp, c in causes.items() if c.get("seen", "") >= horizon}] if kept}
        reopen_horizon = format_am_time(self.now - timedelta(minutes=self.settings["reopen_minutes"]))
        self.closed = {k: v for k, v in self.closed.items() if v.get("closed", "") >= reopen_horizon}
        flap_horizon = format_am_time(self.now - timedelta(minutes=self.settings["flap_minutes"]))
        self.firings = {fp: kept for fp, starts in self.firings.items()
                        for kept in [[s for s in starts if s >= flap_horizon]] if kept}

    def outcome(self, key: str) -> Optional[str]:
        entry = self.keys.get(key)
        return entry.get("outcome") if entry else None

    def remember(self, alert: Alert, outcome: str, incident: Optional[str]) -> None:
        self.keys[alert.key] = {"outcome": outcome, "seen": self.stamp, "name": alert.name,
                                "incident": incident}

    def incident_of(self, alert: Alert, key: str) -> Optional[str]:
        """The incident an alert belongs to: its own record's, else the open incident of its resource."""
        return (self.keys.get(alert.key) or {}).get("incident") or (self.open.get(key) or {}).get("id")

    def track(self, key: str, group: Sequence[Any], cause_names: Any) -> None:
        """After a group: which of its fingerprints are firing and raised (the open incident closes when none
        is left), and which causes are firing (they inhibit symptoms that come in a later batch)."""
        stamp = self.stamp
        opened = self.open.get(key)
        causes = self.causes.setdefault(key, {})
        for seen in group:
            fp = seen.alert.fingerprint
            if opened is not None:
                live = set(opened.get("fingerprints") or [])
                if seen.alert.firing and seen.reason is None:
                    live.add(fp)
                    opened["seen"] = stamp
                else:
                    live.discard(fp)
                opened["fingerprints"] = sorted(live)
            if seen.alert.name in cause_names:
                if seen.alert.firing and (seen.reason is None or seen.reason == "flapping"):
                    causes[fp] = {"name": seen.alert.name, "starts_at": seen.alert.starts_text,
                                  "seen": stamp}
                else:
                    causes.pop(fp, None)
        if opened is not None and not opened["fingerprints"]:
            self.open.pop(key, None)
            self.closed[key] = {"id": opened["id"], "opened": opened.get("opened"), "closed": stamp}
        if not causes:
            self.causes.pop(key, None)

    def fired(self, alert: Alert) -> int:
        """Record this firing of the fingerprint; how many firings it had within the flap window."""
        start = alert.starts_text or self.stamp
        starts = self.firings.setdefault(alert.fingerprint, [])
        if start not in starts:
            starts.append(start)
            starts.sort()
        return len([s for s in starts if s >= self.flap_horizon])

    def to_dict(self) -> Dict[str, Any]:
        keys = self.keys
        if len(keys) > self.settings["max_entries"]:
            keep = sorted(keys.items(), key=lambda kv: kv[1].get("seen", ""))[-self.settings["max_entries"]:]
            keys = dict(keep)
        return {"version": STATE_VERSION, "keys": keys, "firings": self.firings, "open": self.open,
                "causes": self.causes, "closed": self.closed}


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------
@dataclass
class Incident:
    id: str
    resource: Dict[str, Any]
    alerts: List[Dict[str, Any]]
    inhibited: List[Dict[str, Any]]
    severity: str
    servers: List[Dict[str, Any]]
    projects: List[Dict[str, Any]]
    runbook: Optional[str]
    actionable: bool
    suppressed: Optional[str]
    cause: Optional[str]
    status: str = "firing"
    re_released: bool = False
    released_from: List[str] = field(default_factory=list)
    new: bool = True
    reopened: bool = False
    upcoming_window: Optional[Dict[str, Any]] = None
    detail: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "resource": self.resource, "alerts": self.alerts, "inhibited": self.inhibited,
                "alert_names": sorted({a["name"] for a in self.alerts}),
                "fingerprints": sorted({a["fingerprint"] for a in self.alerts}),
                "severity": self.severity, "servers": {"count": len(self.servers), "items": self.servers},
                "projects": {"count": len(self.projects), "items": self.projects}, "runbook": self.runbook,
                "actionable": self.actionable, "suppressed": self.suppressed, "cause": self.cause,
                "status": self.status, "re_released": self.re_released, "released_from": self.released_from,
                "new": self.new, "reopened": self.reopened, "upcoming_window": self.upcoming_window, "detail": self.detail}


@dataclass
class TriageResult:
    incidents: List[Incident]
    suppressed: List[Dict[str, Any]]
    duplicates: int
    state: Dict[str, Any]

    @property
    def actionable(self) -> List[Incident]:
        return [i for i in self.incidents if i.actionable]

    def to_dict(self) -> Dict[str, Any]:
        return {"incidents": [i.to_dict() for i in self.incidents],
                "actionable": [i.to_dict() for i in self.actionable],
                "suppressed": self.suppressed, "duplicates": self.duplicates}


# ---------------------------------------------------------------------------
# triage
# ---------------------------------------------------------------------------
@dataclass
class _Seen:
    alert: Alert
    match: Match
    outcome: str = ""  # raised | suppressed:<code> | duplicate
    reason: Optional[str] = None
    cause: Optional[str] = None
    previous: Optional[str] = None


def severity_rank(value: str) -> int:
    return SEVERITY_ORDER.get((value or "").lower(), 0)


def alert_kind(alert: Alert, match: Match) -> str:
    if match.kind == "server" or (alert.labels.get("component") or "") in ("vm", "server", "instance"):
        return "vm"
    if alert.name in SENSOR_ALERTS or (alert.labels.get("component") or "") in ("hardware", "sensor") \
            or match.kind == "bmc":  # what the host's BMC reports is a sensor's reading
        return "sensor"
    return "other"


def _once(alerts: Sequence[Alert]) -> Tuple[List[Alert], int]:
    """One alert per key within one batch (a resolved notice of a key wins over its firing one)."""
    by_key: Dict[str, Alert] = {}
    repeats = 0
    for alert in alerts:
        known = by_key.get(alert.key)
        if known is not None:
            repeats += 1
            if known.firing and not alert.firing:
                by_key[alert.key] = alert
            continue
        by_key[alert.key] = alert
    return list(by_key.values()), repeats


def _code_kind(code: Optional[str]) -> str:
    return (code or "").split(":", 1)[0]


def _incident_id(resource_key: str, alerts: Sequence[Alert]) -> str:
    first = min(a.key for a in alerts)
    return "inc-" + hashlib.sha256(("%s|%s" % (resource_key, first)).encode("utf-8")).hexdigest()[:16]


Cause = Tuple[str, Mapping[str, Any], Optional[datetime]]


def _causes_in(group: List[_Seen], rules: Sequence[Mapping[str, Any]],
               remembered: Mapping[str, Mapping[str, Any]]) -> List[Cause]:
    """(name, rule, began) of every cause firing on the group's resource, in the order they began: those of this
    batch, and those an earlier batch raised and nothing has resolved since (Alertmanager may send a host's
    cause and its symptoms in different groups, minutes apart)."""
    found: Dict[str, Tuple[Mapping[str, Any], Optional[datetime]]] = {}
    in_batch = {s.alert.fingerprint for s in group}
    for seen in group:
        if seen.alert.firing and (seen.reason is None or _code_kind(seen.reason) == "flapping"):
            for rule in rules:
                if seen.alert.name in rule["causes"]:
                    known = found.get(seen.alert.name)
                    if known is None or (seen.alert.starts_at and known[1] and seen.alert.starts_at < known[1]):
                        found[seen.alert.name] = (rule, seen.alert.starts_at)
    for fp, cause in remembered.items():
        if fp in in_batch:
            continue  # this batch says what it is now (resolved, or firing and counted above)
        for rule in rules:
            if cause.get("name") in rule["causes"] and cause["name"] not in found:
                found[cause["name"]] = (rule, parse_am_time(cause.get("starts_at"), "state.causes"))
    never = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(((name, rule, began) for name, (rule, began) in found.items()),
                  key=lambda c: (c[2] or never, c[0]))


def _inhibit(group: List[_Seen], causes: Sequence[Cause], cause_names: Any) -> None:
    """Mark the symptoms of a firing cause in one resource's group; the cause that began first is named
    (nova-compute down, then the hypervisor reported down). An alert that is a cause in any rule is never a
    symptom: the BMC not answering is no symptom of nova-compute being down, whatever labels it has."""
    for seen in group:
        if seen.reason is not None or seen.alert.name in cause_names:
            continue
        kind = alert_kind(seen.alert, seen.match)
        for name, rule, _began in causes:
            symptoms = rule["symptoms"]
            if kind in (symptoms.get("kinds") or []) or seen.alert.name in (symptoms.get("names") or []):
                seen.reason = "inhibited_by:%s" % name
                seen.cause = name
                break


def triage(alerts: Sequence[Alert], index: FleetIndex, runbooks: Sequence[Runbook] = (),
           state: Optional[Mapping[str, Any]] = None, now: Optional[datetime] = None,
           settings: Optional[Mapping[str, Any]] = None) -> TriageResult:
    """Incidents from ``alerts`` (already parsed, ``payload.parse_any``); ``state`` is the previous run's
    ``result.state`` (None: no memory, as the filter runs)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    conf = settings_of(settings)
    memory = State(state, now, conf)
    batch, duplicates = _once(alerts)
    flap_limit = conf["flap_count"]
    stable = timedelta(minutes=conf["stable_minutes"])
    cause_names = {name for rule in conf["inhibit_rules"] for name in rule["causes"]}

    groups: Dict[str, List[_Seen]] = {}
    suppressed: List[Dict[str, Any]] = []
    for alert in sorted(batch, key=lambda a: (a.starts_at or now, a.fingerprint)):
        seen = _Seen(alert, index.resolve(alert.labels), previous=memory.outcome(alert.key))
        if not alert.firing:
            seen.reason = "resolved"
        else:
            firings = memory.fired(alert)
            started = alert.starts_at or now
            if firings > flap_limit and now - started < stable:
                seen.reason = "flapping"
        groups.setdefault(seen.match.key, []).append(seen)

    incidents: List[Incident] = []
    for key, group in sorted(groups.items()):
        match = group[0].match
        host_why: Optional[Suppression] = index.host_suppression(match.host, now) if match.host else None
        for seen in group:
            if seen.reason is not None:
                continue
            why = host_why or index.server_suppression(seen.match.server)
            if why is not None:
                seen.reason = why.code
        _inhibit(group, _causes_in(group, conf["inhibit_rules"], memory.causes.get(key, {})), cause_names)
        incident = _incident(key, group, host_why, index, runbooks, memory, now)
        memory.track(key, group, cause_names)
        for seen in group:
            if seen.outcome == "duplicate":
                duplicates += 1
            elif seen.reason is not None:
                suppressed.append({"name": seen.alert.name, "fingerprint": seen.alert.fingerprint,
                                   "starts_at": seen.alert.starts_text, "resource": key,
                                   "reason": seen.reason, "cause": seen.cause,
                                   "incident": incident.id if incident else memory.incident_of(seen.alert, key)})
        if incident is not None:
            incidents.append(incident)
    incidents.sort(key=lambda i: (not i.actionable, -severity_rank(i.severity), i.resource["key"]))
    return TriageResult(incidents, suppressed, duplicates, memory.to_dict())


def _outcome(seen: _Seen) -> str:
    return "raised" if seen.reason is None else "suppressed:%s" % seen.reason


def _incident(key: str, group: List[_Seen], host_why: Optional[Suppression], index: FleetIndex,
              runbooks: Sequence[Runbook], memory: State, now: datetime) -> Optional[Incident]:
    """The group's incident, or None when nothing in it is news.

    News is a firing alert raised for the first time (or again, after its suppression ended), or - when nothing
    of the group is raised - a firing alert suppressed for a new reason (the operator sees why). A symptom that
    arrives after its cause's incident, or a resolved notice, is no news: recorded, and no incident."""
    firing = [s for s in group if s.alert.firing]
    live = [s for s in firing if s.reason is None]
    released: List[str] = []
    for seen in group:
        outcome = _outcome(seen)
        seen.outcome = "duplicate" if seen.previous == outcome else outcome
        was = (seen.previous or "").replace("suppressed:", "", 1)
        if seen.reason is None and seen.outcome != "duplicate" and _code_kind(was) in RELEASABLE:
            released.append(was)
    new_live = [s for s in live if s.outcome != "duplicate"]
    new_held = [s for s in firing if s.reason and s.outcome != "duplicate" and _code_kind(s.reason) != "inhibited_by"]
    if not (new_live or (not live and new_held)):
        for seen in group:
            memory.remember(seen.alert, _outcome(seen), memory.incident_of(seen.alert, key))
        return None
    match = group[0].match
    shown = live or [s for s in firing if not _code_kind(s.reason) == "inhibited_by"] or firing
    top = max(shown, key=lambda s: (severity_rank(s.alert.severity), -(s.alert.starts_at or now).timestamp()))
    inhibitors = sorted({s.cause for s in group if s.cause})
    in_shown = [s for s in shown if s.alert.name in inhibitors]
    cause = (min(in_shown, key=lambda s: s.alert.starts_at or now).alert.name if in_shown else
             inhibitors[0] if inhibitors else top.alert.name)
    # an open incident of the resource takes the group in, raised or suppressed (a storm's symptoms that come while
    # the host is being remediated are that incident's, not one of their own); a raised alert soon after the
    # resource's incident closed reopens it (a symptom outliving its cause by a moment is the same trouble)
    # (the incident closed that recently takes in a suppressed group too: the storm's symptoms that come while the
    # host is still being remediated, after the cause resolved, are still that incident's)
    opened = memory.open.get(key)
    closed = memory.closed.get(key) if opened is None else None
    reopened = closed if live else None
    incident_id = (opened or closed or {}).get("id") or _incident_id(key, [s.alert for s in shown])
    if match.host and any(s.match.kind in ("host", "bmc") for s in shown):
        servers = [_server(s) for s in index.servers_of(match.host)]  # the host's trouble is all its servers'
    else:  # only alerts about servers: those servers
        named = sorted({s.match.server for s in shown if s.match.server in index.servers})
        servers = [_server(index.servers[sid]) for sid in named]
    projects: Dict[str, Dict[str, Any]] = {}
    for server in servers:
        pid = server.get("project_id") or ""
        projects.setdefault(pid, {"id": pid, "name": server.get("project_name"), "servers": 0})["servers"] += 1
    reason = None if live else (host_why.code if host_why else _common_reason(firing))
    book = select(runbooks, [], alerts=[{"name": s.alert.name, "labels": s.alert.labels} for s in shown])
    resource = {"key": key, "kind": "uncorrelated" if not match.correlated else "host" if match.host else match.kind,
                "name": match.host or key.split(":", 1)[1], "host": match.host, "correlated": match.correlated,
                "via": sorted({s.match.via for s in group}),
                "zone": index.hosts[match.host].zone if match.host in index.hosts else None}
    incident = Incident(
        id=incident_id, resource=resource, alerts=[s.alert.brief() for s in shown],
        inhibited=[dict(s.alert.brief(), by=s.cause) for s in group if _code_kind(s.reason) == "inhibited_by"],
        severity=top.alert.severity, servers=servers, projects=sorted(projects.values(), key=lambda p: p["id"]),
        runbook=book.name if book else None, actionable=bool(live), suppressed=reason, cause=cause,
        re_released=bool(released), released_from=sorted(set(released)), new=opened is None and closed is None,
        reopened=reopened is not None,
        upcoming_window=index.upcoming_window(match.host, now) if match.host else None,
        detail=host_why.detail if (host_why and not live) else "")
    if live:
        memory.open[key] = {"id": incident_id, "seen": format_am_time(now),
                            "fingerprints": list(opened.get("fingerprints") or []) if opened else [],
                            "opened": (opened or reopened or {}).get("opened") or format_am_time(now)}
        memory.closed.pop(key, None)
    for seen in group:  # a resolved notice keeps the incident its firing was in
        memory.remember(seen.alert, _outcome(seen),
                        incident_id if seen.alert.firing else (memory.incident_of(seen.alert, key) or incident_id))
    return incident


def _common_reason(firing: Sequence[_Seen]) -> Optional[str]:
    reasons = sorted({s.reason for s in firing if s.reason})
    return reasons[0] if len(reasons) == 1 else ",".join(reasons) or None


def _server(server: Mapping[str, Any]) -> Dict[str, Any]:
    return {"id": server.get("id"), "name": server.get("name"), "project_id": server.get("project_id"),
            "project_name": server.get("project_name"), "status": server.get("status")}
