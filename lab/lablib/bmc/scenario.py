"""Per-BMC scenario: the sensor, log and firmware data a lab BMC serves.

A scenario is a JSON file (``.lab/bmc/<host>/scenario.json``). The Redfish
emulator re-reads it on every request; the IPMI simulator gets it pushed
through its console (see ipmi.py). Faults are edits of the scenario, so the
same fault shows through both protocols. Stdlib only: imported by labctl's
python and by the emulator's virtualenv python alike.
"""
from __future__ import annotations

import copy
import json
import os
import re
import time
import uuid
from pathlib import Path

#: faults of the Redfish UpdateService (an IPMI BMC has none): the next SimpleUpdate's task fails at the end
#: (Exception/Critical, versions unchanged) or stays Running forever
UPDATE_FAULTS = ("update_fails", "update_hangs")
FAULT_KINDS = ("overtemp", "fan_failed", "psu_failed", "psu_warning", "sel_critical",
               "bmc_down", "bmc_badauth", "old_firmware",
               "ipmi_on", "http_on", "password_change_required") + UPDATE_FAULTS
#: faults of the BMC's own settings (Redfish NetworkProtocol, AccountService): an
#: IPMI-managed lab BMC has no such documents, so they are Redfish-only
SETTINGS_FAULTS = ("ipmi_on", "http_on", "password_change_required")
# ipmi_sim's PSU sensor asserts presence/failure only
REDFISH_ONLY_FAULTS = ("psu_warning",) + SETTINGS_FAULTS + UPDATE_FAULTS

# What a Redfish BMC serves (redfish_app.py lays its chassis out from it):
# * default: one chassis "1" with the pre-2020.4 Thermal and Power, plus Sensors;
# * new_resources_only: one chassis "1" with only the 2020.4+ resources:
#   ThermalSubsystem (Fans, ThermalMetrics), PowerSubsystem (PowerSupplies and
#   their Metrics), Sensors, EnvironmentMetrics; no Thermal, no Power;
# * multi_chassis: the System links a blade chassis "1" (no sensors of its own)
#   that Links.Contains "Baseboard" (the scenario's sensors, Thermal/Power/Sensors)
#   and an "Enclosure" whose fans and PSUs repeat the board's Names (Fan1.., PSU1..)
#   and which serves both resource generations.
# ``long_sel`` (any profile): a SEL of LONG_SEL_ENTRIES entries, oldest first,
# paged by ``sel_page_size`` with Members@odata.nextLink, link-only members unless
# $expand is asked for (ServiceRoot advertises ExpandQuery), EventTimestamp spread
# over days while Created is the time the log was loaded, a Critical entry last;
# and the System's own LogService is a short BIOS log, the SEL being the Manager's.
PROFILES = ("default", "new_resources_only", "multi_chassis")
LONG_SEL_ENTRIES = 600
LONG_SEL_PAGE = 50
LONG_SEL_STEP_S = 600          # 10 min between events: 600 entries span ~4.2 days
FAN_MAX_RPM = 10000            # percent = rpm * 100 / FAN_MAX_RPM (new resources)

HEALTHY_BIOS = "2.19.1"
HEALTHY_BMC = "7.10"
OLD_BIOS = "1.0.3"
OLD_BMC = "2.01"

_NS = uuid.UUID("5a0c1f1e-6c1b-4e0f-9d5e-0f1ee7d2a001")


def system_uuid(host: str) -> str:
    """Stable system UUID of a lab host (Redfish system Id, SMBIOS UUID)."""
    return str(uuid.uuid5(_NS, host))


def now_iso(at: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(at))


def healthy(host: str, profile: str = "default", long_sel: bool = False,
            expand_query: bool | None = None) -> dict:
    """The healthy scenario of ``host`` for ``profile`` (see PROFILES)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown BMC profile {profile!r}; one of {', '.join(PROFILES)}")
    d = _healthy_default(host)
    d["profile"] = profile
    d["long_sel"] = bool(long_sel)
    # $expand is what a long SEL is read with; a service may still not offer it
    d["expand_query"] = bool(long_sel) if expand_query is None else bool(expand_query)
    if profile == "multi_chassis":
        d["enclosure"] = {
            "fans": [{"name": f"Fan{i}", "reading": 5200 + 100 * i, "lnc": 2000, "lc": 1000,
                      "lnr": 500} for i in range(1, 5)],
            "psus": [{"name": f"PSU{i}", "health": "OK", "state": "Enabled",
                      "output_watts": 640 + 10 * i, "capacity_watts": 2650,
                      "model": "LAB-ENC-PSU-2650", "serial": f"{d['serial_number']}E{i}"}
                     for i in range(1, 3)],
        }
    if long_sel:
        d["sel"] = long_sel_entries()
        d["sel_page_size"] = LONG_SEL_PAGE
        d["bios_log"] = bios_log_entries()
    return d


_SEL_KINDS = (
    ("OK", "System boot initiated", "Lab.1.0.SystemBoot", "System Boot/Restart Initiated"),
    ("OK", "Chassis intrusion sensor de-asserted", "Lab.1.0.IntrusionDeasserted", "Physical Security"),
    ("OK", "Processor CPU1 presence detected", "Lab.1.0.ProcessorPresent", "Processor"),
    ("OK", "Power supply PSU1 AC input restored", "Lab.1.0.PowerSupplyACRestored", "Power Supply"),
    ("Warning", "Correctable ECC error logging limit reached on DIMM A3",
     "Lab.1.0.MemoryCorrectableECCLimit", "Memory"),
    ("OK", "Watchdog timer expired: hard reset", "Lab.1.0.WatchdogReset", "Watchdog 2"),
)
LONG_SEL_CRITICAL = "Uncorrectable ECC error on DIMM B2 (newest entry of the long SEL)"


def long_sel_entries(n: int = LONG_SEL_ENTRIES, now: float | None = None) -> list:
    """``n`` SEL entries, oldest first, the newest a Critical one a minute old.

    EventTimestamp (when the event happened) steps LONG_SEL_STEP_S apart; Created
    (when the entry was written to this log) is the same for all: the log was
    loaded at BMC start, as after a BMC reboot. A reader that takes Created for
    the event's time cannot tell old from new."""
    now = time.time() if now is None else now
    created = now_iso(now)
    out = []
    for i in range(n):
        at = now - 60 - (n - 1 - i) * LONG_SEL_STEP_S
        if i == n - 1:
            sev, msg, mid, sensor = ("Critical", LONG_SEL_CRITICAL,
                                     "Lab.1.0.MemoryUncorrectableECC", "Memory")
        else:
            sev, msg, mid, sensor = _SEL_KINDS[i % len(_SEL_KINDS)]
        out.append({"Id": str(i + 1), "Created": created, "EventTimestamp": now_iso(at),
                    "Severity": sev, "Message": msg, "MessageId": mid, "SensorType": sensor})
    return out


def bios_log_entries(now: float | None = None) -> list:
    """The System's own short log (AMI's BIOS event log): older than every SEL entry."""
    now = time.time() if now is None else now
    at = now - 60 - LONG_SEL_ENTRIES * LONG_SEL_STEP_S - 3600
    return [{"Id": str(i + 1), "Created": now_iso(at + 60 * i), "EventTimestamp": now_iso(at + 60 * i),
             "Severity": "OK", "Message": msg, "MessageId": mid, "EntryType": "Event"}
            for i, (msg, mid) in enumerate((("POST completed", "Lab.1.0.PostComplete"),
                                            ("Boot device PXE selected", "Lab.1.0.BootDevice"),
                                            ("BIOS settings applied", "Lab.1.0.BiosSettings")))]


def _healthy_default(host: str) -> dict:
    serial = "LAB" + system_uuid(host).replace("-", "")[:9].upper()
    return {
        "host": host,
        "manufacturer": "Osfleet Lab Systems",
        "model": "LabServer R640e",
        "serial_number": serial,
        "uuid": system_uuid(host),
        "bios_version": HEALTHY_BIOS,
        "bmc_firmware": HEALTHY_BMC,
        "faults": [],
        "bmc_settings": healthy_settings(),
        # bmc_down / bmc_badauth are handled by the BMC managers, not served
        "down": False,
        "reject_auth": False,
        "power_consumed_watts": 212,
        "power_capacity_watts": 1100,
        # ProcessorMetrics / MemoryMetrics BandwidthPercent of the system summary: a figure per host
        # (from its UUID), so a reader that mixes hosts up is caught
        "cpu_bandwidth_percent": 10 + int(system_uuid(host)[:4], 16) % 60,
        "memory_bandwidth_percent": 5 + int(system_uuid(host)[4:8], 16) % 30,
        "temperatures": [
            # name, reading, upper thresholds (non-critical, critical, fatal)
            {"name": "Inlet Temp", "reading": 24, "unc": 40, "uc": 45, "unr": 50,
             "context": "Intake"},
            {"name": "CPU1 Temp", "reading": 52, "unc": 80, "uc": 90, "unr": 100,
             "context": "CPU"},
            {"name": "CPU2 Temp", "reading": 50, "unc": 80, "uc": 90, "unr": 100,
             "context": "CPU"},
        ],
        "fans": [
            # RPM; lower thresholds (non-critical, critical, fatal)
            {"name": "Fan1", "reading": 7200, "lnc": 2000, "lc": 1000, "lnr": 500},
            {"name": "Fan2", "reading": 7300, "lnc": 2000, "lc": 1000, "lnr": 500},
            {"name": "Fan3", "reading": 7100, "lnc": 2000, "lc": 1000, "lnr": 500},
        ],
        "psus": [
            {"name": "PSU1", "health": "OK", "state": "Enabled", "output_watts": 110,
             "capacity_watts": 550, "model": "LAB-PSU-550", "serial": serial + "P1"},
            {"name": "PSU2", "health": "OK", "state": "Enabled", "output_watts": 102,
             "capacity_watts": 550, "model": "LAB-PSU-550", "serial": serial + "P2"},
        ],
        "sel": [
            {"Id": "1", "Created": now_iso(), "Severity": "OK",
             "Message": "Event log cleared", "MessageId": "Lab.1.0.LogCleared",
             "SensorType": "Event Logging Disabled"},
            {"Id": "2", "Created": now_iso(), "Severity": "OK",
             "Message": "System boot initiated", "MessageId": "Lab.1.0.SystemBoot",
             "SensorType": "System Boot/Restart Initiated"},
        ],
    }


def healthy_settings() -> dict:
    """The BMC's own settings as a hardened BMC has them (what the compute_hosts pack wants):
    HTTPS only, no IPMI-over-LAN, Telnet or SNMPv1/v2c, NTP with servers, clock on time, no
    enabled account still flagged PasswordChangeRequired (the factory ``root`` is disabled),
    a SEL with room, power restored to the last state. Served by redfish_settings.py."""
    return {
        # ManagerNetworkProtocol <Protocol>.ProtocolEnabled
        "protocols": {"HTTP": False, "HTTPS": True, "IPMI": False, "SSH": True,
                      "Telnet": False, "SNMP": False, "NTP": True, "KVMIP": False,
                      "VirtualMedia": True},
        "snmp": {"EnableSNMPv1": False, "EnableSNMPv2c": False, "EnableSNMPv3": True},
        "ntp_servers": ["192.0.2.123", "192.0.2.124"],
        "clock_offset_seconds": 0,             # Manager DateTime = now + this
        "power_restore_policy": "LastState",   # ComputerSystem.PowerRestorePolicy
        "sel_max_records": 1000, "sel_overwrite_policy": "WrapsWhenFull",
        # AccountService/Accounts (ManagerAccount); empty slots as real BMCs list them
        "accounts": [
            {"Id": "1", "UserName": "admin", "RoleId": "Administrator", "Enabled": True,
             "Locked": False, "PasswordChangeRequired": False},
            {"Id": "2", "UserName": "root", "RoleId": "Administrator", "Enabled": False,
             "Locked": False, "PasswordChangeRequired": True},
            {"Id": "3", "UserName": "monitor", "RoleId": "ReadOnly", "Enabled": True,
             "Locked": False, "PasswordChangeRequired": False},
            {"Id": "4", "UserName": "", "RoleId": "NoAccess", "Enabled": False,
             "Locked": False, "PasswordChangeRequired": False},
        ],
    }


def settings(d: dict) -> dict:
    """The scenario's BMC settings (healthy ones for a scenario written before they existed)."""
    return d.get("bmc_settings") or healthy_settings()


def path(host: str, bmc_dir: Path) -> Path:
    return bmc_dir / host / "scenario.json"


def load(p: Path) -> dict:
    with open(p) as fh:
        return json.load(fh)


def save(p: Path, data: dict) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, p)


def _sel_append(data: dict, severity: str, message: str, message_id: str,
                sensor_type: str) -> None:
    ids = [int(e["Id"]) for e in data["sel"] if str(e.get("Id", "")).isdigit()]
    data["sel"].append({"Id": str(max(ids, default=0) + 1), "Created": now_iso(),
                        "EventTimestamp": now_iso(), "Severity": severity, "Message": message,
                        "MessageId": message_id, "SensorType": sensor_type})


def apply_fault(data: dict, kind: str) -> dict:
    """Return ``data`` with fault ``kind`` applied (a new dict)."""
    d = copy.deepcopy(data)
    if kind not in d["faults"]:
        d["faults"].append(kind)
    if kind == "overtemp":
        t = d["temperatures"][1]            # CPU1 Temp
        t["reading"] = t["uc"] + 6          # above critical, below fatal
        _sel_append(d, "Critical", f"{t['name']} reading {t['reading']} C is above the "
                    f"upper critical threshold {t['uc']} C", "Lab.1.0.TempAboveCritical",
                    "Temperature")
    elif kind == "fan_failed":
        f = d["fans"][1]                    # Fan2
        f["reading"] = 0
        _sel_append(d, "Critical", f"{f['name']} speed 0 RPM is below the lower "
                    f"critical threshold {f['lc']} RPM", "Lab.1.0.FanFailed", "Fan")
    elif kind == "psu_failed":
        p = d["psus"][1]                    # PSU2
        p["health"] = "Critical"
        p["output_watts"] = 0
        d["psus"][0]["output_watts"] = d["power_consumed_watts"]
        _sel_append(d, "Critical", f"{p['name']} failure detected: no output",
                    "Lab.1.0.PowerSupplyFailed", "Power Supply")
    elif kind == "psu_warning":
        p = d["psus"][1]                    # PSU2: still delivering, degraded
        p["health"] = "Warning"
        _sel_append(d, "Warning", f"{p['name']} predictive failure: fan degraded",
                    "Lab.1.0.PowerSupplyPredictiveFailure", "Power Supply")
    elif kind == "sel_critical":
        _sel_append(d, "Critical", "Uncorrectable ECC error on DIMM A1",
                    "Lab.1.0.MemoryUncorrectableECC", "Memory")
    elif kind == "old_firmware":
        d["bios_version"] = OLD_BIOS
        d["bmc_firmware"] = OLD_BMC
    elif kind in UPDATE_FAULTS:
        pass                                # read by start_update() when the next update starts
    elif kind == "bmc_down":
        d["down"] = True
    elif kind == "bmc_badauth":
        d["reject_auth"] = True
    elif kind in SETTINGS_FAULTS:
        st = d["bmc_settings"] = settings(d)
        if kind == "ipmi_on":
            st["protocols"]["IPMI"] = True      # IPMI-over-LAN enabled: BMC-03
        elif kind == "http_on":
            st["protocols"]["HTTP"] = True      # plain HTTP enabled: BMC-04
        else:                                   # the factory root enabled with its label password: BMC-02
            root = next(a for a in st["accounts"] if a["UserName"] == "root")
            root["Enabled"] = True
            root["PasswordChangeRequired"] = True
    else:
        raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
    return d


# ---- health, as both protocols see it -------------------------------------------

def temp_health(t: dict) -> str:
    if t["reading"] >= t["uc"]:
        return "Critical"
    if t["reading"] >= t["unc"]:
        return "Warning"
    return "OK"


def fan_health(f: dict) -> str:
    if f["reading"] <= f["lc"]:
        return "Critical"
    if f["reading"] <= f["lnc"]:
        return "Warning"
    return "OK"


def worst(healths) -> str:
    order = {"OK": 0, "Warning": 1, "Critical": 2}
    w = "OK"
    for h in healths:
        if order.get(h, 0) > order[w]:
            w = h
    return w


def thermal_health(d: dict) -> str:
    return worst([temp_health(t) for t in d.get("temperatures", [])] +
                 [fan_health(f) for f in d.get("fans", [])])


def power_health(d: dict) -> str:
    return worst(p["health"] for p in d.get("psus", []))


def rollup(d: dict) -> str:
    """System Status.HealthRollup: sensors, PSUs and unresolved critical SEL entries.

    On a new_resources_only BMC the System's rollup covers what is subordinate
    to the System only (as on the 2020.4+ services seen): the fans and PSUs live
    under the Chassis (ThermalSubsystem, PowerSubsystem), whose Status says it.
    A reader that trusts the System's rollup alone misses a degraded PSU."""
    sel = "Critical" if "sel_critical" in d["faults"] else "OK"
    if d.get("profile") == "new_resources_only":
        return sel
    return worst([thermal_health(d), power_health(d), sel])


def profile_of(d: dict) -> str:
    return d.get("profile", "default")


# ---- firmware updates (Redfish UpdateService.SimpleUpdate; redfish_app.py serves them) ----------
#
# The lab's firmware catalog: an ImageURI names an image by its last path segment,
# ``<component>-<version>.bin`` (any http/https URL, e.g.
# http://firmware.lab.invalid/LabServer-R640e/bmc-7.20.bin: the emulator fetches nothing),
# or is the @odata.id of a FirmwareInventory ``<Id>-Previous`` member (Dell's rollback: the
# image the BMC kept). An image not in the catalog fails its task. On completion the
# component's scenario key takes the new version and ``firmware_previous`` keeps the one it
# replaced (one per component: a second update drops the older one).

#: component (image name prefix) -> (scenario key, FirmwareInventory Id, the versions the lab has)
FIRMWARE_CATALOG = {
    "bmc": ("bmc_firmware", "BMC", (OLD_BMC, HEALTHY_BMC, "7.20", "7.30")),
    "bios": ("bios_version", "BIOS", (OLD_BIOS, HEALTHY_BIOS, "2.20.0", "2.21.0")),
}
UPDATE_SECONDS = 3.0           # how long an update takes, unless the scenario's update_seconds says
MAX_TASKS = 20                 # tasks kept per BMC, the newest
IMAGE_NAME = re.compile(r"^(?P<component>[a-z]+)-(?P<version>[0-9][0-9A-Za-z._]*)\.bin$")
PREVIOUS_SUFFIX = "-Previous"
INVENTORY = "/redfish/v1/UpdateService/FirmwareInventory"


def clock() -> float:
    """Now, for the update tasks (a test replaces it)."""
    return time.time()


def component_of_id(inventory_id: str) -> str | None:
    return next((c for c, (_k, i, _v) in FIRMWARE_CATALOG.items() if i == inventory_id), None)


def resolve_image(d: dict, image_uri: str) -> tuple:
    """(component, version, None) for an image the lab knows, else (component or None, None, why not)."""
    text = str(image_uri or "")
    if text.rstrip("/").startswith(INVENTORY + "/"):
        member = text.rstrip("/").rsplit("/", 1)[-1]
        if not member.endswith(PREVIOUS_SUFFIX):
            return None, None, f"{text} is the running image, not a kept one (only <Id>{PREVIOUS_SUFFIX} can be rolled back to)"
        comp = component_of_id(member[:-len(PREVIOUS_SUFFIX)])
        prev = (d.get("firmware_previous") or {}).get(comp) if comp else None
        if not prev:
            return comp, None, f"{text}: no previous image is kept for {member[:-len(PREVIOUS_SUFFIX)]}"
        return comp, prev, None
    name = text.rstrip("/").rsplit("/", 1)[-1]
    m = IMAGE_NAME.match(name)
    if not m or m.group("component") not in FIRMWARE_CATALOG:
        return None, None, (f"image {name!r} is not in the lab's firmware catalog: names are "
                            f"<component>-<version>.bin, component one of {', '.join(FIRMWARE_CATALOG)}")
    comp, version = m.group("component"), m.group("version")
    known = FIRMWARE_CATALOG[comp][2]
    if version not in known:
        return comp, None, (f"image {name!r} is not in the lab's firmware catalog "
                            f"({comp} versions: {', '.join(known)})")
    return comp, version, None


def start_update(d: dict, image_uri: str, now: float | None = None) -> str:
    """Add a SimpleUpdate task for ``image_uri`` to ``d`` (edited in place); its Id. What the task does
    is decided now: the faults update_hangs / update_fails, an image the lab does not know."""
    now = clock() if now is None else now
    comp, version, why = resolve_image(d, image_uri)
    faults = d.get("faults", [])
    outcome = ("unknown" if why else "hang" if "update_hangs" in faults else
               "fail" if "update_fails" in faults else "ok")
    tasks = d.setdefault("tasks", {})
    tid = str(max((int(t) for t in tasks), default=0) + 1)
    tasks[tid] = {"image": str(image_uri), "component": comp, "version": version,
                  "from": d.get(FIRMWARE_CATALOG[comp][0]) if comp else None,
                  "created": now, "seconds": float(d.get("update_seconds", UPDATE_SECONDS)),
                  "outcome": outcome, "why": why, "applied": False}
    for old in sorted(tasks, key=int)[:-MAX_TASKS]:
        del tasks[old]
    return tid


def _msg(message_id: str, text: str, severity: str = "OK") -> dict:
    return {"MessageId": message_id, "Message": text, "MessageSeverity": severity}


def task_view(task: dict, now: float | None = None) -> dict:
    """TaskState, TaskStatus, PercentComplete, Messages of ``task`` at ``now``, and whether it is done."""
    now = clock() if now is None else now
    seconds = max(task["seconds"], 0.0)
    elapsed = now - task["created"]
    what = f"{task['component'] or 'firmware'} {task['version'] or '?'} from {task['image']}"
    accepted = [_msg("Update.1.0.UpdateInProgress", f"Update of {what} accepted")]
    if elapsed < seconds * 0.1:
        return {"TaskState": "New", "TaskStatus": "OK", "PercentComplete": 0, "Messages": accepted, "done": False}
    if task["outcome"] == "unknown":
        return {"TaskState": "Exception", "TaskStatus": "Critical", "PercentComplete": 0, "done": True,
                "Messages": accepted + [_msg("Update.1.0.TransferFailed", task["why"], "Critical")]}
    percent = int(100 * elapsed / seconds) if seconds else 100
    if task["outcome"] == "hang":
        return {"TaskState": "Running", "TaskStatus": "OK", "PercentComplete": min(percent, 40),
                "Messages": accepted + [_msg("Update.1.0.ApplyingImage", f"Applying {what}")], "done": False}
    if elapsed < seconds:
        return {"TaskState": "Running", "TaskStatus": "OK", "PercentComplete": min(percent, 99),
                "Messages": accepted + [_msg("Update.1.0.ApplyingImage", f"Applying {what}")], "done": False}
    if task["outcome"] == "fail":
        return {"TaskState": "Exception", "TaskStatus": "Critical", "PercentComplete": 100, "done": True,
                "Messages": accepted + [_msg("Update.1.0.ApplyFailed",
                                             f"Applying {what} failed: image verification failed "
                                             f"(lab fault update_fails); {task['from']} still runs", "Critical")]}
    return {"TaskState": "Completed", "TaskStatus": "OK", "PercentComplete": 100, "done": True,
            "Messages": accepted + [_msg("Update.1.0.UpdateSuccessful",
                                         f"{task['component']} updated from {task['from']} to {task['version']}")]}


def updates_pending(d: dict) -> bool:
    return any(t["outcome"] == "ok" and not t["applied"] for t in (d.get("tasks") or {}).values())


def settle_updates(d: dict, now: float | None = None) -> bool:
    """Apply the updates whose tasks have completed (in ``d``, in place); True when something changed."""
    now = clock() if now is None else now
    changed = False
    for tid in sorted(d.get("tasks") or {}, key=int):
        t = d["tasks"][tid]
        if t["outcome"] != "ok" or t["applied"] or now - t["created"] < t["seconds"]:
            continue
        key = FIRMWARE_CATALOG[t["component"]][0]
        d.setdefault("firmware_previous", {})[t["component"]] = d[key]
        d[key] = t["version"]
        t["applied"] = changed = True
    return changed
