# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Silences that make Alertmanager agree with triage: one per host in a maintenance window or held.

Triage suppresses alerts about such a host whatever Alertmanager does; the silence is for the people looking at
Alertmanager's UI (and for the other receivers of the route), so that they see the host as silenced, with the
window or the hold named in the comment. A plan is computed from the fleet index and our silences
(``createdBy: osfleet.day2``, not expired): create what is missing, expire ours whose window or hold has ended,
replace ours whose end no longer fits. The same plan is check mode's answer and the real run's work.

A silence matches ``host=<host>``: the label our alert rules put on every host alert. An exporter's raw alert
that names the host only by ``instance`` is not silenced by it, but triage still suppresses it.
A window's silence ends at the window's ``end_at`` (an overrun window, or one without an end, gets
``hold_hours`` from now); a hold's ends ``hold_hours`` from now and is renewed by a later run when less than
``renew_minutes`` is left, so a silence outlives a hold by at most ``hold_hours`` if triage stops running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.alertmanager import CREATED_BY, matcher
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import format_am_time, parse_am_time

SILENCED_KINDS = ("window", "held")
MARK = re.compile(r"\[osfleet-triage (\S+)\]")
#: a window's silence within this of the window's end is the right one
END_SLACK = timedelta(minutes=1)


@dataclass
class SilencePlan:
    create: List[Dict[str, Any]] = field(default_factory=list)
    expire: List[Dict[str, Any]] = field(default_factory=list)
    keep: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.create or self.expire)


def comment_for(host: str, code: str, detail: str) -> str:
    return ("%s: alerts about %s are suppressed by osfleet.day2 triage (%s) [osfleet-triage %s]"
            % (code, host, detail or code, code))[:1000]


def _host_of(silence: Mapping[str, Any]) -> Optional[str]:
    hosts = [m.get("value") for m in silence.get("matchers") or []
             if m.get("name") == "host" and not m.get("isRegex") and m.get("isEqual", True)]
    return hosts[0] if len(hosts) == 1 else None


def plan(index: FleetIndex, ours: Sequence[Mapping[str, Any]], now: datetime, hold_hours: int = 24,
         renew_minutes: int = 60) -> SilencePlan:
    """What to create and expire so that there is exactly one of our silences per suppressed host."""
    wanted: Dict[str, Dict[str, Any]] = {}
    for host, why in sorted(index.suppressed_hosts(now).items()):
        if why.kind not in SILENCED_KINDS:
            continue
        fallback = now + timedelta(hours=hold_hours)
        ends = why.ends_at if (why.kind == "window" and why.ends_at and why.ends_at > now + END_SLACK) else fallback
        wanted[host] = {"host": host, "code": why.code, "starts_at": format_am_time(now),
                        "ends_at": format_am_time(ends), "matchers": [matcher("host", host)],
                        "comment": comment_for(host, why.code, why.detail), "_ends": ends,
                        "_fixed_end": ends is not fallback}
    out = SilencePlan()
    covered = set()
    for silence in sorted(ours, key=lambda s: str(s.get("endsAt", "")), reverse=True):
        if silence.get("createdBy") != CREATED_BY:
            continue
        host = _host_of(silence)
        mark = MARK.search(str(silence.get("comment") or ""))
        entry = {"id": silence.get("id"), "host": host, "code": mark.group(1) if mark else None,
                 "ends_at": silence.get("endsAt")}
        want = wanted.get(host or "")
        ends = parse_am_time(silence.get("endsAt"), "silence.endsAt")
        fits = (want is not None and host not in covered and entry["code"] == want["code"] and ends is not None and (
            abs(ends - want["_ends"]) <= END_SLACK if want["_fixed_end"]
            else ends >= now + timedelta(minutes=renew_minutes)))
        if fits:
            covered.add(host)
            out.keep.append(entry)
        else:
            entry["why"] = ("the host is no longer suppressed" if want is None else
                            "replaced: %s" % want["code"] if entry["code"] != want["code"] else "replaced: new end")
            out.expire.append(entry)
    for host, want in sorted(wanted.items()):
        if host not in covered:
            out.create.append({k: v for k, v in want.items() if not k.startswith("_")})
    return out


def apply(client: Any, silence_plan: SilencePlan, now: datetime) -> Dict[str, List[Dict[str, Any]]]:
    """Create first, then expire: a host is never without a silence between the two."""
    created = []
    for item in silence_plan.create:
        sid = client.create_silence(item["matchers"], now, parse_am_time(item["ends_at"], "ends_at"), item["comment"])
        created.append(dict(item, id=sid))
    for item in silence_plan.expire:
        client.expire_silence(item["id"])
    return {"created": created, "expired": list(silence_plan.expire)}
