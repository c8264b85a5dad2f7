# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The waves of a patch run: a canary wave, then batches spread over the availability zones.

Why this shape: the canary is the one wave whose failure says "the patch is bad", so it is small and
named (the caller may pick it; else the first eligible host of the zone with the most hosts, which is the
zone that best absorbs a host out). The batches after it are sized by a count or a percentage of the
eligible hosts and filled round-robin over the zones, the zone with the most hosts still to do first, so
capacity leaves every zone a little at a time: a batch never takes more than its size (or
``max_per_zone``) from one zone, and never every selected host of a zone that has more than one. The
order is a function of the selection alone (hosts sorted by name, digits as numbers), so a plan made
twice, or made again on resume, is the same plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching.sizes import parse_size

CANARY = "canary"
BATCH = "batch"


@dataclass(frozen=True)
class Target:
    """One selected host: where it is, what it is, and whether it may be patched (``reason`` if not)."""

    host: str
    zone: str = ""
    model: str = ""
    eligible: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Wave:
    """``number`` 0 is the canary wave; batches count from 1."""

    number: int
    kind: str
    hosts: Tuple[str, ...]

    def to_dict(self) -> Dict[str, Any]:
        return {"wave": self.number, "kind": self.kind, "hosts": list(self.hosts)}


@dataclass(frozen=True)
class Plan:
    waves: Tuple[Wave, ...]
    #: (host, reason) of every selected host that is not eligible
    skipped: Tuple[Tuple[str, str], ...] = ()
    batch_size: int = 1
    #: every selected host, eligible or not: what a percentage failure budget is a share of
    selected: int = 0
    targets: Dict[str, Target] = field(default_factory=dict)

    @property
    def canaries(self) -> Tuple[str, ...]:
        return self.waves[0].hosts if self.waves else ()

    def wave_of(self, host: str) -> Optional[int]:
        for wave in self.waves:
            if host in wave.hosts:
                return wave.number
        return None

    def to_dict(self) -> Dict[str, Any]:
        return {"waves": [w.to_dict() for w in self.waves], "batch_size": self.batch_size,
                "selected": self.selected,
                "skipped": [{"host": h, "reason": r} for h, r in self.skipped]}


def natural_key(name: str) -> Tuple[Any, ...]:
    """``compute-2`` before ``compute-10``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name))


def plan_waves(targets: Iterable[Target], batch: Any, canary: Optional[int] = None,
               canary_hosts: Sequence[str] = (), max_per_zone: Any = None) -> Plan:
    """The waves for ``targets``; ValidationError names the option that is wrong.

    ``canary`` is how many hosts the canary wave has (default: one, or as many as ``canary_hosts``
    names); ``canary_hosts`` are canaries the caller picked, the rest are picked here.
    """
    selection = list(targets)
    by_name = _index(selection)
    eligible = sorted((t for t in selection if t.eligible), key=lambda t: natural_key(t.host))
    skipped = tuple((t.host, t.reason or "not eligible")
                    for t in sorted(selection, key=lambda t: natural_key(t.host)) if not t.eligible)
    if not eligible:
        raise ValidationError("hosts: none of the %d selected hosts is eligible for patching%s" % (
            len(selection), (" (%s)" % _reasons(skipped)) if skipped else ""), field="hosts")

    canaries = _canaries(eligible, by_name, canary, canary_hosts)
    rest = [t for t in eligible if t.host not in canaries]
    size = parse_size(batch, "batch").of(len(eligible), round_up=True)
    cap = parse_size(max_per_zone, "max_per_zone") if max_per_zone is not None else None
    zone_total = _zone_sizes(selection)
    waves = [Wave(0, CANARY, tuple(canaries))]
    for number, hosts in enumerate(_batches(rest, size, cap, zone_total), 1):
        waves.append(Wave(number, BATCH, tuple(hosts)))
    return Plan(waves=tuple(waves), skipped=skipped, batch_size=size, selected=len(selection), targets=by_name)


def _index(selection: List[Target]) -> Dict[str, Target]:
    by_name: Dict[str, Target] = {}
    twice = set()
    for target in selection:
        if not target.host:
            raise ValidationError("hosts: a selected host has no name", field="hosts")
        if target.host in by_name:
            twice.add(target.host)
        by_name[target.host] = target
    if twice:
        raise ValidationError("hosts: %s selected twice" % ", ".join(sorted(twice, key=natural_key)),
                              field="hosts")
    return by_name


def _reasons(skipped: Tuple[Tuple[str, str], ...]) -> str:
    return "; ".join("%s: %s" % pair for pair in skipped[:5]) + ("; ..." if len(skipped) > 5 else "")


def _zone_sizes(selection: Iterable[Target]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for target in selection:
        out[target.zone] = out.get(target.zone, 0) + 1
    return out


def _zone_order(hosts: Iterable[Target]) -> List[Tuple[str, List[Target]]]:
    """Zones with the most hosts first (then by name), each zone's hosts in name order."""
    zones: Dict[str, List[Target]] = {}
    for target in hosts:
        zones.setdefault(target.zone, []).append(target)
    return sorted(zones.items(), key=lambda item: (-len(item[1]), natural_key(item[0])))


def _canaries(eligible: List[Target], by_name: Dict[str, Target], canary: Optional[int],
              canary_hosts: Sequence[str]) -> List[str]:
    named = list(canary_hosts or ())
    if len(set(named)) != len(named):
        raise ValidationError("canary_hosts: a host is named twice", field="canary_hosts")
    for host in named:
        if host not in by_name:
            raise ValidationError("canary_hosts: %s is not one of the selected hosts" % host, field="canary_hosts")
        if not by_name[host].eligible:
            why = by_name[host].reason or "no reason given"
            raise ValidationError("canary_hosts: %s is not eligible (%s)" % (host, why), field="canary_hosts")
    if canary is None:
        count = max(1, len(named))
    else:
        if isinstance(canary, bool) or not isinstance(canary, int) or canary < 1:
            raise ValidationError("canary: must be a whole number of at least 1, not %r" % (canary,),
                                  field="canary")
        count = canary
    if len(named) > count:
        raise ValidationError("canary: %d canary hosts named, but canary is %d" % (len(named), count),
                              field="canary")
    if count > len(eligible):
        raise ValidationError("canary: %d canaries, but only %d selected host%s eligible" % (
            count, len(eligible), " is" if len(eligible) == 1 else "s are"), field="canary")
    chosen = list(named)
    taken = set(named)
    # the rest round-robin over the zones, the biggest first: the first canary is the first host of the zone
    # with the most hosts
    for target in _interleave(_zone_order(eligible)):
        if len(chosen) >= count:
            break
        if target.host not in taken:
            chosen.append(target.host)
            taken.add(target.host)
    return chosen


def _interleave(zones: List[Tuple[str, List[Target]]]) -> Iterable[Target]:
    queues = [list(item[1]) for item in zones]
    while any(queues):
        for queue in queues:
            if queue:
                yield queue.pop(0)


def _batches(rest: List[Target], size: int, cap: Any, zone_total: Dict[str, int]) -> List[List[str]]:
    out: List[List[str]] = []
    remaining = list(rest)
    while remaining:
        zones = _zone_order(remaining)
        limits = {}
        for zone in [item[0] for item in zones]:
            total = zone_total.get(zone, 1)
            limit = size
            if cap is not None:
                limit = min(limit, max(1, cap.of(total, round_up=True)))
            if total > 1:
                limit = min(limit, total - 1)  # never every host of a zone at once
            limits[zone] = max(1, limit)
        queues = [(zone, list(hosts)) for zone, hosts in zones]
        batch: List[str] = []
        taken: Dict[str, int] = {}
        progress = True
        while len(batch) < size and progress:
            progress = False
            for zone, queue in queues:
                if len(batch) >= size:
                    break
                if queue and taken.get(zone, 0) < limits[zone]:
                    batch.append(queue.pop(0).host)
                    taken[zone] = taken.get(zone, 0) + 1
                    progress = True
        done = set(batch)
        remaining = [t for t in remaining if t.host not in done]
        out.append(batch)
    return out
