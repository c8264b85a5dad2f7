# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Redfish JSON documents -> HardwareState (pure functions, no I/O).

The backend fetches the documents and hands them over keyed by role
(``system``, ``thermal``, ``power``, ``log_entries``, ``firmware``,
``manager``), so recorded responses test the mapping without a BMC.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    BootOverride,
    Fan,
    FirmwareItem,
    HardwareState,
    Identity,
    LogEntry,
    PowerSupply,
    Temperature,
    filter_since,
    worst,
)

HEALTH = {"ok": "ok", "warning": "warning", "critical": "critical"}
POWER = {"on": "on", "off": "off", "poweringon": "powering_on", "poweringoff": "powering_off",
         "paused": "on"}
BOOT_TARGETS = {"None": "none", "Pxe": "pxe", "Hdd": "hdd", "Cd": "cd", "BiosSetup": "bios", "Usb": "usb",
                "Floppy": "floppy", "Diags": "diags", "UefiShell": "uefi_shell"}
BOOT_TARGETS_REVERSE = {v: k for k, v in BOOT_TARGETS.items()}
BOOT_ENABLED = {"Disabled": "disabled", "Once": "once", "Continuous": "continuous"}


def health(status: Optional[Dict[str, Any]], rollup: bool = False) -> str:
    """Redfish ``Status`` -> ok | warning | critical (absent Health counts as ok)."""
    status = status or {}
    value = (status.get("HealthRollup") if rollup else None) or status.get("Health")
    return HEALTH.get(str(value).lower(), "ok") if value else "ok"


def power_state(value: Optional[str]) -> str:
    return POWER.get(str(value or "").lower(), "unknown")


def boot_override(system: Dict[str, Any]) -> BootOverride:
    boot = system.get("Boot") or {}
    target = boot.get("BootSourceOverrideTarget") or "None"
    mode = boot.get("BootSourceOverrideMode")
    return BootOverride(target=BOOT_TARGETS.get(target, "other"),
                        enabled=BOOT_ENABLED.get(boot.get("BootSourceOverrideEnabled") or "Disabled", "disabled"),
                        mode={"UEFI": "uefi", "Legacy": "legacy"}.get(mode) if mode else None)


def identity(system: Dict[str, Any]) -> Identity:
    return Identity(manufacturer=system.get("Manufacturer"), model=system.get("Model"),
                    serial=system.get("SerialNumber"), uuid=system.get("UUID"))


def temperatures(thermal: Dict[str, Any]) -> List[Temperature]:
    out = []
    for t in thermal.get("Temperatures") or []:
        if (t.get("Status") or {}).get("State") == "Absent":
            continue
        out.append(Temperature(name=t.get("Name") or t.get("MemberId") or "?",
                               reading_celsius=t.get("ReadingCelsius"),
                               upper_critical=t.get("UpperThresholdCritical"),
                               upper_fatal=t.get("UpperThresholdFatal"),
                               status=health(t.get("Status"))))
    return out


def fans(thermal: Dict[str, Any]) -> List[Fan]:
    out = []
    for f in thermal.get("Fans") or []:
        if (f.get("Status") or {}).get("State") == "Absent":
            continue
        rpm = f.get("Reading") if f.get("ReadingUnits", "RPM") == "RPM" else None
        out.append(Fan(name=f.get("Name") or f.get("FanName") or f.get("MemberId") or "?", rpm=rpm,
                       status=health(f.get("Status"))))
    return out


def power_supplies(power: Dict[str, Any]) -> List[PowerSupply]:
    out = []
    for p in power.get("PowerSupplies") or []:
        if (p.get("Status") or {}).get("State") == "Absent":
            continue
        out.append(PowerSupply(name=p.get("Name") or p.get("MemberId") or "?", status=health(p.get("Status")),
                               watts=p.get("LastPowerOutputWatts")))
    return out


def power_draw(power: Dict[str, Any]) -> Optional[float]:
    for control in power.get("PowerControl") or []:
        if control.get("PowerConsumedWatts") is not None:
            return control["PowerConsumedWatts"]
    return None


def log_entries(entries: Iterable[Dict[str, Any]], since: Optional[str] = None) -> List[LogEntry]:
    out = [LogEntry(id=str(e.get("Id", "")), time=e.get("Created"), severity=health({"Health": e.get("Severity")}),
                    message=e.get("Message") or e.get("MessageId") or "") for e in entries]
    return filter_since(out, since)


def firmware(items: Iterable[Dict[str, Any]]) -> List[FirmwareItem]:
    return [FirmwareItem(component=i.get("Name") or i.get("Id") or "?", version=i.get("Version")) for i in items]


def to_state(docs: Dict[str, Any], gather: Iterable[str], log_since: Optional[str] = None) -> HardwareState:
    """Map the fetched documents; only the ``gather`` parts are filled in."""
    gather = set(gather)
    system = docs.get("system") or {}
    state = HardwareState(protocol="redfish")
    if "power" in gather:
        state.power_state = power_state(system.get("PowerState"))
    if "identity" in gather:
        state.identity = identity(system)
    if "boot" in gather:
        state.boot = boot_override(system)
    if "firmware" in gather or "identity" in gather:
        state.bios_version = system.get("BiosVersion")
    if "sensors" in gather:
        thermal, power = docs.get("thermal") or {}, docs.get("power") or {}
        state.temperatures = temperatures(thermal)
        state.fans = fans(thermal)
        state.power_supplies = power_supplies(power)
        state.power_draw_watts = power_draw(power)
    if "log" in gather:
        state.log = log_entries(docs.get("log_entries") or [], log_since)
    if "firmware" in gather:
        items = list(docs.get("firmware") or [])
        state.firmware = firmware(items)
        manager = docs.get("manager") or {}
        if not items and manager.get("FirmwareVersion"):
            state.firmware.append(FirmwareItem("BMC", manager["FirmwareVersion"]))
        if not items and system.get("BiosVersion"):
            state.firmware.append(FirmwareItem("BIOS", system["BiosVersion"]))
    # the BMC's own rollup, made no better than the sensors we read say
    state.health = worst([health(system.get("Status"), rollup=True), state.sensor_health()])
    return state
