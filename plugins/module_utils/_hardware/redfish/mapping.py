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
    PREVIOUS_IMAGE,
    PowerSupply,
    Temperature,
    filter_since,
    limit_log,
    unique_names,
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


def component_status(status: Any) -> str:
    """A sensor's or PSU's ``Status`` -> ok | warning | critical | unknown | absent | disabled.

    Only a Health the BMC gives is a health: no Status (an HPE/AMI placeholder PSU) is ``unknown``, a slot
    with nothing in it ``absent``, a sensor switched off ``disabled``; none of these counts as ``ok``.
    """
    if not isinstance(status, dict) or not status:
        return "unknown"
    state = status.get("State")
    if state == "Absent":
        return "absent"
    if state in ("Disabled", "StandbyOffline", "UnavailableOffline"):
        return "disabled"
    value = status.get("Health")
    return HEALTH.get(str(value).lower(), "unknown") if value else "unknown"


def _reading(value: Any) -> Optional[float]:
    """A Redfish excerpt ``{"Reading": n}`` or a bare number -> the number."""
    if isinstance(value, dict):
        value = value.get("Reading")
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _member_id(doc: Dict[str, Any]) -> Optional[str]:
    value = doc.get("MemberId") if doc.get("MemberId") not in (None, "") else doc.get("Id")
    return None if value is None else str(value)


def temperatures(thermal: Dict[str, Any], chassis: Optional[str] = None) -> List[Temperature]:
    """Thermal.Temperatures (the resource deprecated in Redfish 2020.4)."""
    out = []
    for t in thermal.get("Temperatures") or []:
        if not isinstance(t, dict):
            continue
        out.append(Temperature(name=t.get("Name") or t.get("MemberId") or "?",
                               reading_celsius=_reading(t.get("ReadingCelsius")),
                               upper_critical=_reading(t.get("UpperThresholdCritical")),
                               upper_fatal=_reading(t.get("UpperThresholdFatal")),
                               status=component_status(t.get("Status")), chassis=chassis, id=_member_id(t)))
    return out


def fans(thermal: Dict[str, Any], chassis: Optional[str] = None) -> List[Fan]:
    """Thermal.Fans: ``Reading`` in ``ReadingUnits`` (RPM when not said, Percent on iLO)."""
    out = []
    for f in thermal.get("Fans") or []:
        if not isinstance(f, dict):
            continue
        units = str(f.get("ReadingUnits") or "RPM").lower()
        value = _reading(f.get("Reading"))
        out.append(Fan(name=f.get("Name") or f.get("FanName") or f.get("MemberId") or "?",
                       rpm=value if units == "rpm" else None, percent=value if units == "percent" else None,
                       status=component_status(f.get("Status")), chassis=chassis, id=_member_id(f)))
    return out


def power_supplies(power: Dict[str, Any], chassis: Optional[str] = None) -> List[PowerSupply]:
    out = []
    for p in power.get("PowerSupplies") or []:
        if not isinstance(p, dict):
            continue
        out.append(PowerSupply(name=p.get("Name") or p.get("MemberId") or "?", status=component_status(p.get("Status")),
                               watts=_reading(p.get("LastPowerOutputWatts")), chassis=chassis, id=_member_id(p)))
    return out


def power_draw(power: Dict[str, Any]) -> Optional[float]:
    for control in power.get("PowerControl") or []:
        if isinstance(control, dict) and _reading(control.get("PowerConsumedWatts")) is not None:
            return control["PowerConsumedWatts"]
    return None


# ---- the 2020.4+ resources: ThermalSubsystem, PowerSubsystem, Sensors, EnvironmentMetrics ----------------
def sensor_temperatures(sensors: Iterable[Dict[str, Any]], chassis: Optional[str] = None) -> List[Temperature]:
    """Sensor resources of ReadingType Temperature (Reading in Cel, Thresholds.UpperCritical/UpperFatal)."""
    out = []
    for s in sensors:
        if not isinstance(s, dict) or s.get("ReadingType") != "Temperature":
            continue
        thresholds = s.get("Thresholds") if isinstance(s.get("Thresholds"), dict) else {}
        out.append(Temperature(name=s.get("Name") or s.get("Id") or "?", reading_celsius=_reading(s.get("Reading")),
                               upper_critical=_reading(thresholds.get("UpperCritical")),
                               upper_fatal=_reading(thresholds.get("UpperFatal")),
                               status=component_status(s.get("Status")), chassis=chassis, id=_member_id(s)))
    return out


def metric_temperatures(metrics: Dict[str, Any], chassis: Optional[str] = None) -> List[Temperature]:
    """ThermalMetrics.TemperatureReadingsCelsius: readings without a status (so ``unknown``)."""
    out = []
    for i, r in enumerate(metrics.get("TemperatureReadingsCelsius") or []):
        if not isinstance(r, dict):
            continue
        uri = str(r.get("DataSourceUri") or "")
        name = r.get("DeviceName") or uri.rstrip("/").rsplit("/", 1)[-1] or str(i)
        out.append(Temperature(name=name, reading_celsius=_reading(r.get("Reading")), status="unknown",
                               chassis=chassis, id=uri.rstrip("/").rsplit("/", 1)[-1] or str(i)))
    return out


def subsystem_fans(members: Iterable[Dict[str, Any]], sensors: Dict[str, Dict[str, Any]],
                   chassis: Optional[str] = None) -> List[Fan]:
    """ThermalSubsystem/Fans members: SpeedPercent.Reading (percent) and SpeedPercent.SpeedRPM, or the
    Sensor its DataSourceUri names when the Fan carries no reading (bmcweb)."""
    out = []
    for f in members:
        if not isinstance(f, dict):
            continue
        speed = f.get("SpeedPercent") if isinstance(f.get("SpeedPercent"), dict) else {}
        percent, rpm = _reading(speed.get("Reading")), _reading(speed.get("SpeedRPM"))
        source = sensors.get(str(speed.get("DataSourceUri") or "").rstrip("/"))
        if source and percent is None and rpm is None:
            value = _reading(source.get("Reading"))
            if source.get("ReadingUnits") == "RPM" or source.get("ReadingType") == "Rotational":
                rpm = value
            else:
                percent = value
        out.append(Fan(name=f.get("Name") or f.get("Id") or "?", rpm=rpm, percent=percent,
                       status=component_status(f.get("Status")), chassis=chassis, id=_member_id(f)))
    return out


def subsystem_power_supplies(members: Iterable[Dict[str, Any]], metrics: Dict[str, Dict[str, Any]],
                             chassis: Optional[str] = None) -> List[PowerSupply]:
    """PowerSubsystem/PowerSupplies members; watts from each one's Metrics (PowerSupplyMetrics.OutputPowerWatts)."""
    out = []
    for p in members:
        if not isinstance(p, dict):
            continue
        link = p.get("Metrics") if isinstance(p.get("Metrics"), dict) else {}
        m = metrics.get(str(link.get("@odata.id") or "").rstrip("/")) or {}
        out.append(PowerSupply(name=p.get("Name") or p.get("Id") or "?", status=component_status(p.get("Status")),
                               watts=_reading(m.get("OutputPowerWatts")), chassis=chassis, id=_member_id(p)))
    return out


def chassis_sensors(c: Dict[str, Any]) -> Dict[str, Any]:
    """One chassis' read documents (see RedfishBmc._chassis) -> its temperatures, fans, PSUs, draw, healths.

    Where a chassis offers both generations the new one is used (the client reads only that one).
    """
    cid = _member_id(c.get("chassis") or {}) or None
    sensors = [s for s in c.get("sensors") or [] if isinstance(s, dict)]
    by_uri = {str(s.get("@odata.id") or "").rstrip("/"): s for s in sensors}
    out: Dict[str, Any] = {"healths": []}
    if sensors:
        out["temperatures"] = sensor_temperatures(sensors, cid)
    elif c.get("thermal_metrics"):
        out["temperatures"] = metric_temperatures(c["thermal_metrics"], cid)
    else:
        out["temperatures"] = temperatures(c.get("thermal") or {}, cid)
    if c.get("fans") is not None:
        out["fans"] = subsystem_fans(c["fans"], by_uri, cid)
    else:
        out["fans"] = fans(c.get("thermal") or {}, cid)
    if c.get("power_supplies") is not None:
        out["power_supplies"] = subsystem_power_supplies(c["power_supplies"], c.get("psu_metrics") or {}, cid)
    else:
        out["power_supplies"] = power_supplies(c.get("power") or {}, cid)
    env = c.get("environment") or {}
    out["draw"] = _reading(env.get("PowerWatts")) if env else None
    if out["draw"] is None:
        out["draw"] = power_draw(c.get("power") or {})
    for key in ("chassis", "thermal_subsystem", "power_subsystem"):
        if isinstance(c.get(key), dict) and isinstance(c[key].get("Status"), dict):
            out["healths"].append(health(c[key]["Status"]))
    return out


def log_entries(entries: Iterable[Dict[str, Any]], since: Optional[str] = None, log: Optional[str] = None
                ) -> List[LogEntry]:
    """LogEntry resources; the time is EventTimestamp (when it happened) before Created (when it was logged)."""
    out = [LogEntry(id=str(e.get("Id", "")), time=e.get("EventTimestamp") or e.get("Created"),
                    severity=health({"Health": e.get("Severity")}),
                    message=e.get("Message") or e.get("MessageId") or "", log=log)
           for e in entries if isinstance(e, dict)]
    return filter_since(out, since)


def firmware(items: Iterable[Dict[str, Any]]) -> List[FirmwareItem]:
    out = []
    for i in items:
        ident = i.get("Id") or str(i.get("@odata.id") or "").rstrip("/").rsplit("/", 1)[-1] or None
        name = i.get("Name") or ident or "?"
        status = i.get("Status") if isinstance(i.get("Status"), dict) else {}
        previous = bool(PREVIOUS_IMAGE.search(ident or "") or PREVIOUS_IMAGE.search(name) or (
            i.get("Updateable") is False and status.get("State") in ("StandbyOffline", "Disabled")))
        out.append(FirmwareItem(component=name, version=i.get("Version"), id=ident, previous=previous))
    return out


def _percent(value: Any) -> Optional[float]:
    """A percentage as the BMC gave it; anything but a number from 0 to 100 is no reading."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= 100 else None


def _chassis_list(docs: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "chassis" in docs:
        return [c for c in docs.get("chassis") or [] if isinstance(c, dict)]
    # recorded before multi-chassis reads: one chassis' Thermal and Power
    return [{"thermal": docs.get("thermal") or {}, "power": docs.get("power") or {}}]


def _logs(docs: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "logs" in docs:
        return [lg for lg in docs.get("logs") or [] if isinstance(lg, dict)]
    return [{"service": None, "entries": docs.get("log_entries") or []}]


def to_state(docs: Dict[str, Any], gather: Iterable[str], log_since: Optional[str] = None,
             log_limit: Optional[int] = None) -> HardwareState:
    """Map the fetched documents; only the ``gather`` parts are filled in."""
    gather = set(gather)
    system = docs.get("system") or {}
    state = HardwareState(protocol="redfish")
    state.warnings = [str(w) for w in docs.get("warnings") or []]
    healths = [health(system.get("Status"), rollup=True)]
    if "power" in gather:
        state.power_state = power_state(system.get("PowerState"))
    if "identity" in gather:
        state.identity = identity(system)
    if "boot" in gather:
        state.boot = boot_override(system)
    if "firmware" in gather or "identity" in gather:
        state.bios_version = system.get("BiosVersion")
    if "sensors" in gather:
        for c in _chassis_list(docs):
            read = chassis_sensors(c)
            state.temperatures += read["temperatures"]
            state.fans += read["fans"]
            state.power_supplies += read["power_supplies"]
            if state.power_draw_watts is None and read["draw"] is not None:
                state.power_draw_watts = float(read["draw"])
            healths += read["healths"]
        for items in (state.temperatures, state.fans, state.power_supplies):
            unique_names(items)
    if "utilization" in gather:
        metrics = docs.get("metrics") or {}
        state.cpu_bandwidth_percent = _percent((metrics.get("processor") or {}).get("BandwidthPercent"))
        state.memory_bandwidth_percent = _percent((metrics.get("memory") or {}).get("BandwidthPercent"))
    if "log" in gather:
        entries: List[LogEntry] = []
        for lg in _logs(docs):
            entries += log_entries(lg.get("entries") or [], None, lg.get("service"))
        state.log = limit_log(entries, log_since, log_limit, state.warnings)
    if "firmware" in gather:
        items = [i for i in docs.get("firmware") or [] if isinstance(i, dict)]
        state.firmware = firmware(items)
        manager = docs.get("manager") or {}
        if not items and manager.get("FirmwareVersion"):
            state.firmware.append(FirmwareItem("BMC", manager["FirmwareVersion"], id="BMC"))
        if not items and system.get("BiosVersion"):
            state.firmware.append(FirmwareItem("BIOS", system["BiosVersion"], id="BIOS"))
    # the BMC's own rollup, made no better than any component read says
    state.health = worst(healths + [state.sensor_health()])
    return state
