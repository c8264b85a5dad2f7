# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The guards: checked before a host leaves the pool and before every disruptive step.

Each guard is a plain function over what was read (the fleet snapshot, the records, the audit)
and returns None (go) or a :class:`Refusal` with a code and the reason in words; the machine
records every refusal and holds the host. Anchors: Medik8s NodeHealthCheck (``minHealthy``,
the flap guard), InstanceHA (a partition is not N failures: act on none), Masakari (duplicates
within a window), StackStorm's missing per-host rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.record import Record, parse_time

RESOURCES = (("vcpus", "VCPU"), ("memory_mb", "MEMORY_MB"))


@dataclass(frozen=True)
class Settings:
    """How much automatic action the fleet tolerates (documented in docs/remediation.md)."""

    max_out_per_zone: int = 1          # hosts out of the pool per availability zone, for any reason
    max_out_percent: float = 25.0      # ... and as a share of the zone's hosts (the smaller wins, at least 1)
    partition_hosts: int = 2           # more hosts than this failing the same rules at once: a partition
    partition_minutes: int = 10        # ... or detected within this many minutes
    cooldown_minutes: int = 30         # a host remediated less than this ago is refused (not held)
    max_per_day: int = 3               # starts per host per 24 h; beyond it: hold
    confirm_seconds: int = 30          # the flap guard: the signal must still be confirmed this long after
    hold_unmatched: str = "critical"   # a failing rule of this severity or above with no runbook: hold
    capacity_check: bool = True        # before a drain: the servers must fit on the other hosts

    @classmethod
    def from_options(cls, options: Optional[Mapping[str, Any]]) -> "Settings":
        options = dict(options or {})
        known = cls.__dataclass_fields__  # pylint: disable=no-member
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ValidationError("guards.%s: unknown setting %r (known: %s)" % (
                unknown[0], unknown[0], ", ".join(sorted(known))), field="guards.%s" % unknown[0])
        # types first: a string or a null where a number belongs is the operator's typo, not a crash, and a
        # boolean is not a number (True would pass as 1)
        for name, value in options.items():
            kind = known[name].type
            if kind == "bool" and not isinstance(value, bool):
                raise ValidationError("guards.%s must be true or false, not %r" % (name, value),
                                      field="guards." + name)
            if kind in ("int", "float") and (isinstance(value, bool) or not isinstance(
                    value, (int, float) if kind == "float" else int)):
                raise ValidationError("guards.%s must be a %s, not %r" % (
                    name, "number" if kind == "float" else "whole number", value), field="guards." + name)
        out = cls(**options)
        for name in ("max_out_per_zone", "partition_hosts", "max_per_day"):
            if getattr(out, name) < 1:
                raise ValidationError("guards.%s must be a whole number of at least 1" % name, field="guards." + name)
        for name in ("partition_minutes", "cooldown_minutes", "confirm_seconds"):
            if getattr(out, name) < 0:
                raise ValidationError("guards.%s must be 0 or more" % name, field="guards." + name)
        if not 0 < float(out.max_out_percent) <= 100:
            raise ValidationError("guards.max_out_percent must be more than 0 and at most 100",
                                  field="guards.max_out_percent")
        if out.hold_unmatched not in ("never", "info", "low", "medium", "high", "critical"):
            raise ValidationError("guards.hold_unmatched must be a severity or never", field="guards.hold_unmatched")
        return out


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str
    hold: bool = True   # False: refused for now, the host is left as it is (cooldown, kill switch)

    def to_dict(self) -> Dict[str, Any]:
        return {"code": self.code, "reason": self.reason, "hold": self.hold}


def _out(host: Mapping[str, Any], rec: Optional[Record]) -> bool:
    """Out of the pool for any reason: disabled (maintenance, quarantine, a hold that took it out, by hand), down,
    or in a remediation under way. A host held in the pool (a guard refused to take it out) still serves: it is
    not counted, or one refusal would make the next look justified."""
    service = host.get("service") or {}
    return service.get("status") == "disabled" or service.get("state") == "down" or \
        bool(service.get("forced_down")) or (rec is not None and rec.open)


def zone_cap(fleet: Mapping[str, Any], records: Mapping[str, Record], host: str, settings: Settings) -> Optional[Refusal]:
    """Taking ``host`` out must not leave its zone with more hosts out than the cap allows."""
    hosts = fleet.get("hosts") or {}
    zone = (hosts.get(host) or {}).get("zone") or ""
    peers = sorted(h for h, v in hosts.items() if (v.get("zone") or "") == zone)
    out = sorted(h for h in peers if h != host and _out(hosts[h], records.get(h)))
    cap = max(1, min(settings.max_out_per_zone, int(len(peers) * settings.max_out_percent / 100.0)))
    if len(out) + 1 > cap:
        return Refusal("zone_cap", "zone %s: %d of %d hosts already out of the pool (%s); the cap is %d"
                       % (zone or "(none)", len(out), len(peers), ", ".join(out), cap))
    return None


def partition(audit_failing: Sequence[str], records: Mapping[str, Record], rules: Sequence[str], host: str,
              at: datetime, settings: Settings) -> Optional[Refusal]:
    """More hosts than ``partition_hosts`` failing the same rules now, or detected recently, is one cause
    (network, power, a bad push), not N failures: act on none."""
    recent = {h for h, r in records.items()
              if r.open and set(r.rules) & set(rules) and (parse_time(r.detected_at) or at) >= at - timedelta(
                  minutes=settings.partition_minutes)}
    hosts = sorted(set(audit_failing) | recent | {host})
    if len(hosts) > settings.partition_hosts:
        return Refusal("partition", "%d hosts fail %s at once (%s): more than %d is a partition, not %d failures; "
                       "all held, none acted on" % (len(hosts), ", ".join(rules), ", ".join(hosts),
                                                    settings.partition_hosts, len(hosts)))
    return None


def rate(rec: Optional[Record], at: datetime, settings: Settings) -> Optional[Refusal]:
    """A per-host cooldown (refused, left as it is) and a maximum per day (held)."""
    if rec is None:
        return None
    day = rec.started_within(at, timedelta(days=1))
    if len(day) >= settings.max_per_day:
        return Refusal("max_per_day", "%d remediations of this host in the last 24 h (the most allowed is %d)"
                       % (len(day), settings.max_per_day))
    recent = rec.started_within(at, timedelta(minutes=settings.cooldown_minutes))
    if recent:
        return Refusal("cooldown", "remediated at %s, less than %d minutes ago"
                       % (recent[-1].strftime("%H:%M:%SZ"), settings.cooldown_minutes), hold=False)
    return None


def quarantine(servers: Sequence[Any]) -> Optional[Refusal]:
    """A quarantined server is evidence: no disruptive step on its host (a restart loses its memory)."""
    cases = sorted({"%s (%s)" % (s.id, quarantine_case(s.tags, s.metadata) or "-") for s in servers
                    if quarantine_case(s.tags, s.metadata) is not None})
    if cases:
        return Refusal("quarantine", "quarantined servers on the host: %s; never touched" % ", ".join(cases))
    return None


def occupied(servers: Sequence[Any]) -> Optional[Refusal]:
    """A disruptive step on a host that still runs servers hurts their users: drain first."""
    live = [s for s in servers if (s.status or "").upper() not in ("SHUTOFF", "SHELVED_OFFLOADED", "DELETED")]
    if live:
        return Refusal("servers_on_host", "%d servers still run on the host (%s); a disruptive step needs a drain "
                       "first" % (len(live), ", ".join(sorted(s.name or s.id for s in live)[:5])))
    return None


def _size(server: Any) -> Dict[str, int]:
    flavor = getattr(server, "flavor", None) or {}
    get = flavor.get if isinstance(flavor, Mapping) else (lambda k, d=None: getattr(flavor, k, d))
    return {"vcpus": int(get("vcpus", 0) or 0), "memory_mb": int(get("ram", 0) or 0)}


def capacity(fleet: Mapping[str, Any], host: str, servers: Sequence[Any],
             records: Mapping[str, Record]) -> Optional[Refusal]:
    """Before a drain: every server of ``host`` must fit on an enabled, up host elsewhere (first fit,
    largest first, over Placement's free capacity). A server whose size is unknown is a refusal."""
    free: Dict[str, Dict[str, int]] = {}
    for name, h in (fleet.get("hosts") or {}).items():
        if name == host or _out(h, records.get(name)):
            continue
        cap = h.get("capacity") or {}
        free[name] = {ours: int((cap.get(ours) or {}).get("free", 0)) for ours, _rc in RESOURCES}
    moving = [s for s in servers if (s.status or "").upper() not in ("SHELVED_OFFLOADED", "DELETED")]
    sizes = [(s, _size(s)) for s in moving]
    unknown = [s.name or s.id for s, size in sizes if not any(size.values())]
    if unknown:
        return Refusal("capacity_unknown", "the size of %s is unknown (no flavor details): cannot tell whether "
                       "they fit elsewhere" % ", ".join(sorted(unknown)))
    misfits: List[str] = []
    for server, size in sorted(sizes, key=lambda item: (-item[1]["memory_mb"], -item[1]["vcpus"])):
        for name in sorted(free, key=lambda n: -free[n]["memory_mb"]):
            if all(free[name][k] >= v for k, v in size.items()):
                for k, v in size.items():
                    free[name][k] -= v
                break
        else:
            misfits.append("%s (%d vCPU, %d MB)" % (server.name or server.id, size["vcpus"], size["memory_mb"]))
    if misfits:
        return Refusal("capacity", "Placement has no room elsewhere for %s (hosts in the pool: %s)"
                       % (", ".join(misfits), ", ".join(sorted(free)) or "none"))
    return None
