# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Which hosts of a selection a patch run may take, and why not the others.

A patch run takes a host out of the pool, drains it and reboots it; it must not take a host that is
already out for another reason, or one that cannot be drained. What decides it is in the cloud, read in
three fleet-wide listings whatever the number of hosts (the compute services, the aggregates that hold the
remediation records, the servers tagged as quarantined), never one call per host:

- nova-compute ``down`` (or forced down): a host that does not answer cannot be drained or checked;
- disabled by a maintenance window (``osfleet-maintenance:<window>``) - unless the window is this run's
  own (``patch-<run>-...``: a resumed run continues it);
- disabled by a remediation (``osfleet-remediation:<state>``), or a remediation record that is held or
  still open (the manual path: no automation touches a held host);
- disabled by anyone else (their reason is theirs: the run does not enable a host it did not disable);
- a server under quarantine on it (the investigators' servers never move without them).

The zone is the compute service's (``zone`` in Nova's service listing: the host's availability zone).
The host model, which baselines are kept per, comes from the caller (the fleet inventory's hardware facts);
a host without one is ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    QUARANTINE_TAG,
    maintenance_window,
    quarantine_case,
    remediation_state,
)
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import Target
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr

UNKNOWN_MODEL = "unknown"


def window_prefix(run: str) -> str:
    """The names of the maintenance windows a run opens, one per host: ``patch-<run>-<host>``."""
    return "patch-%s-" % run


@dataclass(frozen=True)
class HostFacts:
    """What the cloud says about one compute host, as the selection reads it."""

    host: str
    zone: str = ""
    status: str = "enabled"
    state: str = "up"
    forced_down: bool = False
    disabled_reason: Optional[str] = None
    #: the remediation record's state, when the host has one (``returned`` and ``dismissed`` are history)
    remediation: Optional[str] = None
    remediation_reason: str = ""
    #: ids of the quarantined servers on the host
    quarantined: Sequence[str] = ()


def ineligible_reason(facts: HostFacts, run: str = "") -> str:
    """Why the run may not take this host, or "" when it may."""
    if facts.state != "up" or facts.forced_down:
        return "nova-compute is %s" % ("forced down" if facts.forced_down else facts.state or "not reporting")
    if facts.remediation == "held":
        return "held by remediation: %s" % (facts.remediation_reason or "an operator's hold")
    if facts.remediation is not None and facts.remediation not in ("returned", "dismissed"):
        return "under remediation (%s)" % facts.remediation
    if facts.quarantined:
        return "%d server(s) under quarantine on it: %s" % (len(facts.quarantined), ", ".join(facts.quarantined))
    if facts.status == "disabled":
        reason = facts.disabled_reason or ""
        window = maintenance_window(reason)
        if window is not None:
            if run and window.startswith(window_prefix(run)):
                return ""  # this run's own window: a resumed run continues the host
            return "in maintenance window %s" % window
        state = remediation_state(reason)
        if state is not None:
            return "under remediation (%s)" % state
        return "disabled by someone else: %s" % (reason or "no reason given")
    return ""


def targets(facts: Iterable[HostFacts], selection: Sequence[str] = (), models: Optional[Mapping[str, str]] = None,
            run: str = "") -> List[Target]:
    """The selection as wave-planner targets; ``selection`` empty means every compute host.

    A selected host Nova does not know is refused, naming it and the known hosts: a typo must not shrink
    the run silently (nor the failure budget, a share of the hosts selected)."""
    by_host = {f.host: f for f in facts}
    wanted = list(dict.fromkeys(selection)) if selection else sorted(by_host)
    unknown = [h for h in wanted if h not in by_host]
    if unknown:
        raise ValidationError("hosts: %s %s not a compute host of this cloud (known: %s)" % (
            ", ".join(unknown), "is" if len(unknown) == 1 else "are", ", ".join(sorted(by_host)) or "none"),
            field="hosts")
    models = models or {}
    out = []
    for host in wanted:
        f = by_host[host]
        reason = ineligible_reason(f, run)
        out.append(Target(host=host, zone=f.zone or "", model=str(models.get(host) or UNKNOWN_MODEL),
                          eligible=not reason, reason=reason))
    return out


def read_facts(nova: Any) -> List[HostFacts]:
    """The facts of every compute host, in three listings (services, aggregates, quarantined servers)."""
    quarantined: Dict[str, List[str]] = {}
    for server in nova.servers_tagged(QUARANTINE_TAG):
        if quarantine_case(getattr(server, "tags", None), getattr(server, "metadata", None)) is None:
            continue  # Nova's tags filter is a hint to it; the mark is checked again here
        host = getattr(server, "compute_host", None)
        if host:
            quarantined.setdefault(host, []).append(str(server.id))
    records = rr.Store(nova, check_mode=True).records()
    out = []
    for svc in nova.compute_services():
        rec = records.get(svc.host)
        out.append(HostFacts(
            host=svc.host, zone=getattr(svc, "availability_zone", None) or getattr(svc, "zone", None) or "",
            status=svc.status, state=svc.state, forced_down=bool(getattr(svc, "is_forced_down", False)),
            disabled_reason=svc.disabled_reason, remediation=rec.state if rec else None,
            remediation_reason=rec.reason if rec else "", quarantined=tuple(sorted(quarantined.get(svc.host, ())))))
    return sorted(out, key=lambda f: f.host)
