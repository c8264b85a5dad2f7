# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""IPMI records -> HardwareState (pure functions, no I/O).

The backend turns pyghmi's answers into plain records (``power``,
``device``, ``guid``, ``fru``, ``sensors`` with thresholds, ``sel``,
``bootdev``) and this module maps them, so recorded records test the
mapping without a BMC.
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
    limit_log,
    worst,
)

# pyghmi.constants.Health is a bit mask: Ok 0, Warning 1, Critical 2, Failed 4
BOOTDEV = {"default": "none", "network": "pxe", "hd": "hdd", "optical": "cd", "setup": "bios",
           "floppy": "usb", "safe": "hdd"}
BOOTDEV_REVERSE = {"none": "default", "pxe": "network", "hdd": "hd", "cd": "optical", "bios": "setup",
                   "usb": "usb", "floppy": "floppy"}


def health(bits: Optional[int]) -> str:
    """pyghmi health bit mask -> ok | warning | critical."""
    bits = int(bits or 0)
    if bits & 6:
        return "critical"
    if bits & 1:
        return "warning"
    return "ok"


def temperatures(sensors: Iterable[Dict[str, Any]]) -> List[Temperature]:
    return [Temperature(name=s["name"], reading_celsius=s.get("value"),
                        upper_critical=(s.get("thresholds") or {}).get("upper_critical"),
                        upper_fatal=(s.get("thresholds") or {}).get("upper_non_recoverable"),
                        status=health(s.get("health")))
            for s in sensors if s.get("type") == "Temperature" and not s.get("unavailable")]


def fans(sensors: Iterable[Dict[str, Any]]) -> List[Fan]:
    return [Fan(name=_strip(s["name"], " Speed"), rpm=s.get("value"), status=health(s.get("health")))
            for s in sensors if s.get("type") == "Fan" and not s.get("unavailable")]


def power_supplies(sensors: Iterable[Dict[str, Any]]) -> List[PowerSupply]:
    out = []
    for s in sensors:
        if s.get("type") != "Power Supply" or s.get("unavailable"):
            continue
        states = s.get("states") or []
        if states and "Present" not in states and not any("ailure" in st for st in states):
            continue  # a slot with no supply in it
        out.append(PowerSupply(name=_strip(s["name"], " Status"), status=health(s.get("health")),
                               watts=None))
    return out


def power_draw(sensors: Iterable[Dict[str, Any]]) -> Optional[float]:
    for s in sensors:
        if s.get("units") == "W" and s.get("value") is not None and s.get("type") in ("Power", "Other"):
            return s["value"]
    return None


def device_id(data: Iterable[int]) -> Dict[str, Any]:
    """Get Device ID (netfn 6, cmd 1) response data -> device record (IPMI 2.0, 20.1).

    What pyghmi's private ``Command._get_device_id`` gives, read through its public ``raw_command``:
    the firmware revision is ``<major>.<minor>`` with the minor revision's two BCD digits.
    """
    data = list(data)
    if len(data) < 11:
        raise ValueError("Get Device ID: %d data bytes, 11 expected" % len(data))
    return {"device_id": data[0], "device_revision": data[1] & 0x0F,
            "firmware_version": "%d.%d%d" % (data[2] & 0x7F, data[3] >> 4 & 0x0F, data[3] & 0x0F),
            "manufacturer_id": data[6] | data[7] << 8 | data[8] << 16,
            "product_id": data[9] | data[10] << 8}


def _strip(name: str, suffix: str) -> str:
    return name[:-len(suffix)] if name.endswith(suffix) else name


def log_entries(sel: Iterable[Dict[str, Any]], since: Optional[str] = None) -> List[LogEntry]:
    out = []
    for e in sel:
        what = e.get("event") or "event"
        if e.get("deassertion"):
            what += " (deasserted)"
        subject = e.get("component") or e.get("component_type") or ""
        message = "%s: %s" % (subject, what) if subject else what
        if e.get("triggered_value") is not None and e.get("threshold_value") is not None:
            message += " (reading %s, threshold %s)" % (e["triggered_value"], e["threshold_value"])
        severity = "ok" if e.get("deassertion") else health(e.get("severity"))
        out.append(LogEntry(id=str(e.get("record_id", "")), time=e.get("timestamp"), severity=severity,
                            message=message))
    return filter_since(out, since)


def boot_override(bootdev: Dict[str, Any]) -> BootOverride:
    dev = bootdev.get("bootdev", "default")
    target = BOOTDEV.get(dev, "other") if isinstance(dev, str) else "other"
    if target == "none":
        return BootOverride("none", "disabled", None)
    mode = None
    if "uefimode" in bootdev:
        mode = "uefi" if bootdev["uefimode"] else "legacy"
    return BootOverride(target, "continuous" if bootdev.get("persistent") else "once", mode)


def identity(fru: Dict[str, Any], guid: Optional[str]) -> Identity:
    return Identity(manufacturer=fru.get("Manufacturer") or fru.get("Board manufacturer"),
                    model=fru.get("Product name") or fru.get("Board product name"),
                    serial=fru.get("Serial Number") or fru.get("Board serial number"),
                    uuid=guid)


def to_state(rec: Dict[str, Any], gather: Iterable[str], log_since: Optional[str] = None,
             log_limit: Optional[int] = None) -> HardwareState:
    """Map the records; only the ``gather`` parts are filled in."""
    gather = set(gather)
    state = HardwareState(protocol="ipmi")
    fru = rec.get("fru") or {}
    sensors = rec.get("sensors") or []
    if "power" in gather:
        state.power_state = rec.get("power") or "unknown"
    if "identity" in gather:
        state.identity = identity(fru, rec.get("guid"))
    if "boot" in gather and rec.get("bootdev") is not None:
        state.boot = boot_override(rec["bootdev"])
    if "identity" in gather or "firmware" in gather:
        # FRU Product Version: where the BIOS version is kept when no OEM command says better
        state.bios_version = fru.get("Hardware Version")
    if "sensors" in gather:
        state.temperatures = temperatures(sensors)
        state.fans = fans(sensors)
        state.power_supplies = power_supplies(sensors)
        state.power_draw_watts = power_draw(sensors)
    if "log" in gather:
        state.log = limit_log(log_entries(rec.get("sel") or []), log_since, log_limit, state.warnings)
    if "firmware" in gather:
        device = rec.get("device") or {}
        if device.get("firmware_version"):
            state.firmware.append(FirmwareItem("BMC", device["firmware_version"], id="BMC"))
        if fru.get("Hardware Version"):
            state.firmware.append(FirmwareItem("BIOS", fru["Hardware Version"], id="BIOS"))
    state.health = worst([health(rec.get("health")) if "health" in rec else None, state.sensor_health()])
    return state
