# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""HardwareState: what a BMC says about its server, the same shape for Redfish and IPMI.

Both backends map their protocol's answers into these dataclasses, so a
playbook (or a Prometheus rule) never needs to know which protocol a host
speaks. ``docs/hardware.md`` maps every field to its Redfish and IPMI source.
A field the caller did not ask for (``gather``) or the BMC did not offer is
None (or an empty list), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time, parse_time_or_none

GATHER_CHOICES = ("power", "identity", "sensors", "log", "firmware", "boot", "utilization")
HEALTH_ORDER = {"ok": 0, "warning": 1, "critical": 2}
#: what a component's ``status`` may be besides a health: no Status given, not fitted, switched off
COMPONENT_STATES = ("unknown", "absent", "disabled")
POWER_STATES = ("on", "off", "powering_on", "powering_off", "unknown")
BOOT_TARGETS = ("none", "pxe", "hdd", "cd", "bios", "usb", "floppy", "diags", "uefi_shell", "other")
BOOT_ENABLED = ("disabled", "once", "continuous")


def worst(healths: Iterable[Optional[str]]) -> str:
    """The most severe of ``healths`` (None and unknown values count as ok)."""
    out = "ok"
    for h in healths:
        if h in HEALTH_ORDER and HEALTH_ORDER[h] > HEALTH_ORDER[out]:
            out = h
    return out


def _as_float(value: Any) -> Optional[float]:
    """Numbers as float whatever the protocol gave (Redfish ints, IPMI floats); None stays None."""
    return None if value is None else float(value)


@dataclass
class Identity:
    manufacturer: Optional[str] = None
    model: Optional[str] = None
    serial: Optional[str] = None
    uuid: Optional[str] = None


@dataclass
class Temperature:
    name: str
    reading_celsius: Optional[float]
    upper_critical: Optional[float] = None
    upper_fatal: Optional[float] = None
    status: str = "ok"
    chassis: Optional[str] = None  # the Redfish chassis Id the sensor was read from
    id: Optional[str] = None  # the member's MemberId / Id within its chassis

    def __post_init__(self) -> None:
        self.reading_celsius = _as_float(self.reading_celsius)
        self.upper_critical = _as_float(self.upper_critical)
        self.upper_fatal = _as_float(self.upper_fatal)


@dataclass
class Fan:
    name: str
    rpm: Optional[float]
    status: str = "ok"
    percent: Optional[float] = None  # when the BMC reports the speed in percent (iLO, Redfish Fan.SpeedPercent)
    chassis: Optional[str] = None
    id: Optional[str] = None

    def __post_init__(self) -> None:
        self.rpm = _as_float(self.rpm)
        self.percent = _as_float(self.percent)


@dataclass
class PowerSupply:
    name: str
    status: str = "ok"
    watts: Optional[float] = None
    chassis: Optional[str] = None
    id: Optional[str] = None

    def __post_init__(self) -> None:
        self.watts = _as_float(self.watts)


@dataclass
class LogEntry:
    id: str
    time: Optional[str]
    severity: str  # ok | warning | critical
    message: str
    log: Optional[str] = None  # the LogService it came from (its @odata.id on Redfish)


#: a firmware inventory member that is a kept image, not the running one (Dell's ``Previous-...``, the lab's
#: ``BMC-Previous``, an inactive or backup bank)
PREVIOUS_IMAGE = re.compile(r"previous|rollback|inactive|backup", re.I)


@dataclass
class FirmwareItem:
    component: str
    version: Optional[str]
    #: the inventory member's Id (Redfish; IPMI: BMC, BIOS): what hardware_firmware's component takes
    id: Optional[str] = None
    #: a kept image (what a rollback goes back to), not the running firmware
    previous: bool = False


@dataclass
class BootOverride:
    target: str = "none"  # one of BOOT_TARGETS
    enabled: str = "disabled"  # one of BOOT_ENABLED
    mode: Optional[str] = None  # uefi | legacy, when the BMC says


@dataclass
class HardwareState:
    protocol: str  # redfish | ipmi
    power_state: Optional[str] = None
    health: Optional[str] = None
    identity: Optional[Identity] = None
    temperatures: List[Temperature] = field(default_factory=list)
    fans: List[Fan] = field(default_factory=list)
    power_supplies: List[PowerSupply] = field(default_factory=list)
    power_draw_watts: Optional[float] = None
    #: Redfish ProcessorMetrics / MemoryMetrics ``BandwidthPercent`` of the system summary (``utilization``):
    #: how busy the CPUs and the memory bus are as the BMC sees them - not memory *in use*, which only the OS knows
    cpu_bandwidth_percent: Optional[float] = None
    memory_bandwidth_percent: Optional[float] = None
    log: List[LogEntry] = field(default_factory=list)
    firmware: List[FirmwareItem] = field(default_factory=list)
    bios_version: Optional[str] = None
    boot: Optional[BootOverride] = None
    #: what could not be read or was left out (a sub-resource that failed, log entries past log_limit)
    warnings: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def sensor_health(self) -> str:
        """Worst status of the temperatures, fans and power supplies read."""
        return worst([t.status for t in self.temperatures] + [f.status for f in self.fans]
                     + [p.status for p in self.power_supplies])


def unique_names(items: List[Any]) -> None:
    """Give every item of ``items`` a name no other has: where a Name repeats (two PSUs called "Power
    Supply" on HPE and AMI), the chassis and member id are added, so Prometheus series never collide."""
    counts: Dict[str, int] = {}
    for item in items:
        counts[item.name] = counts.get(item.name, 0) + 1
    taken = {item.name for item in items if counts[item.name] == 1}
    for item in items:
        if counts[item.name] == 1:
            continue
        where = "/".join(str(x) for x in (item.chassis, item.id) if x not in (None, ""))
        name = "%s [%s]" % (item.name, where) if where else item.name
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = "%s #%d" % (name, n), n + 1
        taken.add(candidate)
        item.name = candidate


def newest_first(entries: List[LogEntry]) -> List[LogEntry]:
    """Entries by time, newest first; entries with no readable time go last, in the order given."""
    timed = [(parse_time_or_none(e.time), i, e) for i, e in enumerate(entries)]
    dated = sorted((t for t in timed if t[0] is not None), key=lambda t: (t[0], -t[1]), reverse=True)
    return [e for _t, _i, e in dated] + [e for t, _i, e in timed if t is None]


def filter_since(entries: List[LogEntry], since: Any) -> List[LogEntry]:
    """Entries at or after ``since`` (ISO 8601 text or datetime; None or "" keeps all); entries whose
    time the BMC gives unreadably or not at all are kept.

    A ``since`` that is no time is a ValidationError naming ``log_since``, not "no limit": that once
    made ``log_since: "not a date"`` return every entry without a word.
    """
    limit = parse_time(since, "log_since")
    if limit is None:
        return entries
    out = []
    for e in entries:
        when = parse_time_or_none(e.time)
        if when is None or when >= limit:
            out.append(e)
    return out


def limit_log(entries: List[LogEntry], since: Optional[str], limit: Optional[int], warnings: List[str]
              ) -> List[LogEntry]:
    """Newest first, then ``log_since`` and ``log_limit`` on everything read, saying what was left out."""
    entries = newest_first(entries)
    kept = filter_since(entries, since)
    if limit is not None and len(kept) > limit:
        dropped = kept[limit:]
        kept = kept[:limit]
        times = [e.time for e in dropped if e.time]
        warnings.append("log: %d older entr%s left out by log_limit=%d (%s)"
                        % (len(dropped), "y" if len(dropped) == 1 else "ies", limit,
                           "from %s to %s" % (times[-1], times[0]) if times else "no times given"))
    return kept
