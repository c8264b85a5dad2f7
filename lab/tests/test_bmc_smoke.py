"""Smoke test of the lab's emulated BMCs (Redfish: sushy-tools + lab routes; IPMI: ipmi_sim).

Runs against BMCs brought up by ``lab/labctl up`` (or ``lablib.bmc.up()``) and
skips when they are not up. Run with the BMC virtualenv, which has sushy,
pyghmi and pytest:

    .lab/venv-bmc/bin/python -m pytest lab/tests/test_bmc_smoke.py

Faults are injected and cleared through ``lablib.bmc`` (stdlib, imported from
lab/), exactly as ``labctl fault HOST KIND`` / ``labctl clear HOST`` do.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
BMCS_YML = LAB_DIR / "bmcs.yml"
BMCS_VENDOR_YML = LAB_DIR / "bmcs-vendor.yml"
REDFISH_HOST, REDFISH_POWER_HOST, IPMI_HOST = "compute-01", "compute-02", "compute-03"
FAULTS = ("overtemp", "fan_failed", "psu_failed", "sel_critical",
          "bmc_down", "bmc_badauth", "old_firmware")
NEW_BMC, MULTI_BMC, SEL_BMC = "bmc-new-01", "bmc-multi-01", "bmc-sel-01"

sys.path.insert(0, str(REPO / "lab"))


def load_bmcs(path: Path) -> dict:
    """Parse the lab's hand-written bmcs.yml (host: / two-space 'key: "value"')."""
    out: dict = {}
    host = None
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            host = line.rstrip(":").strip()
            out[host] = {}
        else:
            key, _, val = line.strip().partition(":")
            val = val.strip()
            out[host][key] = json.loads(val) if val.startswith('"') else val
    return out


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


if not BMCS_YML.exists():
    pytest.skip(f"{BMCS_YML} missing: the lab BMCs are not up (run lab/labctl up)",
                allow_module_level=True)
BMCS = load_bmcs(BMCS_YML)
VENDOR = load_bmcs(BMCS_VENDOR_YML) if BMCS_VENDOR_YML.exists() else {}
BMCS_ALL = {**BMCS, **VENDOR}
if not _port_open(18101):
    pytest.skip("lab BMCs are not up (nothing on 127.0.0.1:18101); run lab/labctl up",
                allow_module_level=True)
sushy = pytest.importorskip("sushy", reason="sushy not installed: use .lab/venv-bmc/bin/python")
command = pytest.importorskip("pyghmi.ipmi.command", reason="pyghmi not installed")
from lablib import bmc as labbmc  # noqa: E402
from lablib.bmc import ipmi as labipmi, scenario as labscn  # noqa: E402


# ---- clients ---------------------------------------------------------------------

def redfish_parts(entry: dict):
    """('http://127.0.0.1:18101', system path) from a bmcs.yml redfish address."""
    addr = entry["address"].removeprefix("redfish+")
    base, _, rest = addr.partition("/redfish/v1")
    return base, "/redfish/v1" + rest


def redfish(host: str, password: str | None = None):
    e = BMCS_ALL[host]
    base, _ = redfish_parts(e)
    return sushy.Sushy(base + "/redfish/v1", username=e["username"],
                       password=password or e["password"])


def get(client, path: str) -> dict:
    return client._conn.get(path).json()


def ipmi_port(host: str) -> int:
    return int(BMCS[host]["address"].rsplit(":", 1)[1])


_PYGHMI = r"""
import json, sys
from pyghmi.ipmi import command
host, port, user, pw, op = sys.argv[1:6]
c = command.Command(bmc=host, port=int(port), userid=user, password=pw, keepalive=False)
if op == "power":
    out = c.get_power()
elif op == "sensors":
    out = {r.name: {"value": r.value, "health": int(r.health), "states": list(r.states)}
           for r in c.get_sensor_data()}
elif op == "events":
    out = [{k: v for k, v in e.items() if isinstance(v, (str, int, float, type(None)))}
           for e in c.get_event_log()]
elif op == "devid":
    out = list(c.xraw_command(netfn=6, command=1)["data"])
print(json.dumps(out))
"""


def ipmi_call(host: str, op: str, attempts: int = 2, timeout: float = 60):
    """One pyghmi operation (power|sensors|events|devid) in a fresh process.

    In one long-lived process pyghmi 1.6.19 caches sessions per BMC and can
    hang on one that ipmi_sim dropped (restart by clear()); a process per
    check keeps the test honest and bounded."""
    e = BMCS[host]
    argv = [sys.executable, "-c", _PYGHMI, "127.0.0.1", str(ipmi_port(host)),
            e["username"], e["password"], op]
    for attempt in range(attempts):
        try:
            res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            res = None
        if res is not None and res.returncode == 0:
            return json.loads(res.stdout)
        if attempt == attempts - 1:
            raise RuntimeError(f"pyghmi {op} on {host}: "
                               + ("timed out" if res is None else res.stderr[-500:]))
        time.sleep(1)


def ipmitool(host: str, *args: str, check: bool = True) -> str:
    e = BMCS[host]
    res = subprocess.run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(ipmi_port(host)),
                          "-U", e["username"], "-P", e["password"], "-R", "2", "-N", "2", *args],
                         capture_output=True, text=True, timeout=60)
    if check:
        assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def wait_for(pred, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as exc:  # keep polling while the BMC settles
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def sensors_by_name(host: str) -> dict:
    return ipmi_call(host, "sensors")


# ---- every BMC answers ----------------------------------------------------------------

@pytest.mark.parametrize("host", sorted(BMCS))
def test_power_state(host):
    e = BMCS[host]
    if e["type"] == "redfish":
        client = redfish(host)
        try:
            _, sys_path = redfish_parts(e)
            system = client.get_system(sys_path)
            assert system.power_state in (sushy.PowerState.ON, sushy.PowerState.OFF)
        finally:
            client._auth.close()
    else:
        assert ipmi_call(host, "power")["powerstate"] in ("on", "off")


def test_ipmitool_reads_power_sensors_sel():
    assert "Chassis Power is" in ipmitool(IPMI_HOST, "power", "status")
    sdr = ipmitool(IPMI_HOST, "sdr", "list")
    for name in ("CPU1 Temp", "Fan1 Speed", "PSU1 Status", "Total Power"):
        assert name in sdr
    ipmitool(IPMI_HOST, "sel", "info")


def test_redfish_extensions():
    client = redfish(REDFISH_HOST)
    try:
        system = client.get_system(redfish_parts(BMCS[REDFISH_HOST])[1])
        assert system.bios_version and system.manufacturer and system.serial_number
        chassis = get(client, "/redfish/v1/Chassis/1")
        power = get(client, chassis["Power"]["@odata.id"])
        assert power["PowerControl"][0]["PowerConsumedWatts"] >= 0
        assert all(p["Status"]["Health"] == "OK" for p in power["PowerSupplies"])
        thermal = get(client, chassis["Thermal"]["@odata.id"])
        assert all("ReadingCelsius" in t and "UpperThresholdCritical" in t for t in thermal["Temperatures"])
        assert all(f["ReadingUnits"] == "RPM" for f in thermal["Fans"])
        sensors = get(client, chassis["Sensors"]["@odata.id"])
        assert sensors["Members@odata.count"] >= 5
        mgr = get(client, system.managers[0].path if system.managers else
                  get(client, "/redfish/v1/Managers")["Members"][0]["@odata.id"])
        entries = get(client, get(client, get(client, mgr["LogServices"]["@odata.id"])
                                  ["Members"][0]["@odata.id"])["Entries"]["@odata.id"])
        assert all({"Id", "Created", "Severity", "Message"} <= set(m) for m in entries["Members"])
        inv = get(client, "/redfish/v1/UpdateService/FirmwareInventory")
        ids = [m["@odata.id"].rsplit("/", 1)[1] for m in inv["Members"]]
        assert {"BIOS", "BMC"} <= set(ids)
    finally:
        client._auth.close()


def test_sessions_do_not_leak():
    watcher = redfish(REDFISH_HOST)
    try:
        def count():
            return get(watcher, "/redfish/v1/SessionService/Sessions")["Members@odata.count"]
        before = count()
        reader = redfish(REDFISH_HOST)
        assert count() == before + 1, "sushy did not log in with a session"
        reader.get_system(redfish_parts(BMCS[REDFISH_HOST])[1]).power_state
        reader._auth.close()
        assert count() == before
    finally:
        watcher._auth.close()


def test_redfish_power_off_then_on():
    host = REDFISH_POWER_HOST
    client = redfish(host)
    try:
        system = client.get_system(redfish_parts(BMCS[host])[1])
        if system.power_state != sushy.PowerState.ON:
            system.reset_system(sushy.ResetType.ON)
            wait_for(lambda: (system.refresh(), system.power_state == sushy.PowerState.ON)[1], 30)
        system.reset_system(sushy.ResetType.FORCE_OFF)
        wait_for(lambda: (system.refresh(), system.power_state == sushy.PowerState.OFF)[1], 30,
                 "power off")
        system.reset_system(sushy.ResetType.ON)
        wait_for(lambda: (system.refresh(), system.power_state == sushy.PowerState.ON)[1], 30,
                 "power on")
    finally:
        client._auth.close()
    log = LAB_DIR / "logs" / "bmc-power-hooks.log"
    text = wait_for(lambda: log.exists() and log.read_text(), 10, "hook log")
    assert f"compute stop {host}" in text and f"compute start {host}" in text


# ---- faults, Redfish ---------------------------------------------------------------------

def redfish_visible(host: str, kind: str) -> None:
    e = BMCS[host]
    base, sys_path = redfish_parts(e)
    port = int(base.rsplit(":", 1)[1])
    if kind == "bmc_down":
        assert not _port_open(port)
        return
    if kind == "bmc_badauth":
        with pytest.raises(sushy.exceptions.AccessError):
            redfish(host).get_system(sys_path)
        return
    client = redfish(host)
    try:
        system = get(client, sys_path)
        thermal = get(client, "/redfish/v1/Chassis/1/Thermal")
        power = get(client, "/redfish/v1/Chassis/1/Power")
        if kind == "overtemp":
            hot = [t for t in thermal["Temperatures"] if t["ReadingCelsius"] >= t["UpperThresholdCritical"]]
            assert hot and hot[0]["Status"]["Health"] == "Critical"
            assert system["Status"]["HealthRollup"] == "Critical"
        elif kind == "fan_failed":
            dead = [f for f in thermal["Fans"] if f["Reading"] == 0]
            assert dead and dead[0]["Status"]["Health"] == "Critical"
        elif kind == "psu_failed":
            assert any(p["Status"]["Health"] == "Critical" for p in power["PowerSupplies"])
            assert system["Status"]["HealthRollup"] == "Critical"
        elif kind == "sel_critical":
            entries = get(client, system["LogServices"]["@odata.id"] + "/SEL/Entries")
            assert any(m["Severity"] == "Critical" for m in entries["Members"])
        elif kind == "old_firmware":
            assert system["BiosVersion"] == labscn.OLD_BIOS
            mgr = get(client, system["Links"]["ManagedBy"][0]["@odata.id"])
            assert mgr["FirmwareVersion"] == labscn.OLD_BMC
            assert get(client, "/redfish/v1/UpdateService/FirmwareInventory/BIOS")["Version"] == labscn.OLD_BIOS
    finally:
        client._auth.close()


def redfish_healthy(host: str) -> None:
    client = wait_for(lambda: redfish(host), 20, f"{host} answering")
    try:
        system = get(client, redfish_parts(BMCS[host])[1])
        assert system["Status"]["HealthRollup"] == "OK"
        assert system["BiosVersion"] == labscn.HEALTHY_BIOS
        entries = get(client, system["LogServices"]["@odata.id"] + "/SEL/Entries")
        assert not any(m["Severity"] == "Critical" for m in entries["Members"])
    finally:
        client._auth.close()


@pytest.mark.parametrize("kind", FAULTS)
def test_redfish_fault_visible_then_cleared(kind):
    try:
        labbmc.fault(REDFISH_HOST, kind)
        redfish_visible(REDFISH_HOST, kind)
    finally:
        labbmc.clear(REDFISH_HOST)
    redfish_healthy(REDFISH_HOST)


# ---- faults, IPMI --------------------------------------------------------------------------

def ipmi_visible(host: str, kind: str) -> None:
    if kind == "bmc_down":
        assert not labipmi.rmcp_ping(ipmi_port(host))
        assert ipmitool(host, "power", "status", check=False) == ""
        return
    if kind == "bmc_badauth":
        with pytest.raises(RuntimeError):
            ipmi_call(host, "power", attempts=1)
        return
    if kind == "old_firmware":
        data = ipmi_call(host, "devid")  # Get Device ID
        major, minor = labipmi.fw_bytes(labscn.OLD_BMC)
        assert (data[2] & 0x7F, data[3]) == (major, minor)
        assert f"Product Version       : {labscn.OLD_BIOS}" in ipmitool(host, "fru", "print")
        return
    if kind == "sel_critical":
        events = ipmi_call(host, "events")
        assert any("Uncorrectable" in e.get("event", "") and e.get("severity", 0) >= 2 for e in events)
        return
    s = sensors_by_name(host)
    critical = 2  # pyghmi.constants.Health.Critical (bit)
    if kind == "overtemp":
        r = s["CPU1 Temp"]
        assert r["value"] >= 90 and r["health"] & critical
        assert any("critical" in e.get("event", "").lower() and e.get("component") == "CPU1 Temp"
                   for e in ipmi_call(host, "events"))
    elif kind == "fan_failed":
        r = s["Fan2 Speed"]
        assert r["value"] == 0 and r["health"] >= critical
    elif kind == "psu_failed":
        r = s["PSU2 Status"]
        assert "Failure" in r["states"] and r["health"] & critical


def ipmi_healthy(host: str) -> None:
    wait_for(lambda: labipmi.rmcp_ping(ipmi_port(host)), 20, f"{host} answering")
    s = wait_for(lambda: sensors_by_name(host), 30, f"{host} sensors")
    bad = {n: r["states"] for n, r in s.items() if r["health"]}
    assert not bad, bad
    data = ipmi_call(host, "devid")
    assert (data[2] & 0x7F, data[3]) == labipmi.fw_bytes(labscn.HEALTHY_BMC)


@pytest.mark.parametrize("kind", FAULTS)
def test_ipmi_fault_visible_then_cleared(kind):
    try:
        labbmc.fault(IPMI_HOST, kind)
        ipmi_visible(IPMI_HOST, kind)
    finally:
        labbmc.clear(IPMI_HOST)
    ipmi_healthy(IPMI_HOST)


def test_unknown_host_is_an_error():
    from lablib.procs import LabError
    with pytest.raises(LabError):
        labbmc.fault("no-such-host", "overtemp")


# ---- vendor-shaped BMCs (scenario profiles) ----------------------------------------

needs_vendor = pytest.mark.skipif(not VENDOR, reason=f"{BMCS_VENDOR_YML} missing: lab from before the vendor BMCs")
R = "/redfish/v1"


def sys_path(host: str) -> str:
    return redfish_parts(BMCS_ALL[host])[1]


def not_found(client, path: str) -> bool:
    try:
        client._conn.get(path)
    except sushy.exceptions.ResourceNotFoundError:
        return True
    return False


def test_vendor_bmcs_are_listed_apart_from_the_fleet():
    assert set(VENDOR) == {NEW_BMC, MULTI_BMC, SEL_BMC}
    assert not set(VENDOR) & set(BMCS), "vendor BMCs must not join bmcs.yml (the fleet's hosts)"
    ports = {int(redfish_parts(e)[0].rsplit(":", 1)[1]) for e in VENDOR.values()}
    assert ports == {18105, 18106, 18107}


@needs_vendor
@pytest.mark.parametrize("host", [NEW_BMC, MULTI_BMC, SEL_BMC])
def test_vendor_power_state(host):
    client = redfish(host)
    try:
        assert client.get_system(sys_path(host)).power_state in (sushy.PowerState.ON, sushy.PowerState.OFF)
    finally:
        client._auth.close()


def new_resources(client, chassis: str = f"{R}/Chassis/1") -> dict:
    c = get(client, chassis)
    fans = [get(client, m["@odata.id"]) for m in
            get(client, get(client, c["ThermalSubsystem"]["@odata.id"])["Fans"]["@odata.id"])["Members"]]
    psus = [get(client, m["@odata.id"]) for m in
            get(client, get(client, c["PowerSubsystem"]["@odata.id"])["PowerSupplies"]["@odata.id"])["Members"]]
    return {"chassis": c, "fans": {f["Name"]: f for f in fans}, "psus": {p["Name"]: p for p in psus}}


@needs_vendor
def test_new_resources_only_bmc():
    client = redfish(NEW_BMC)
    try:
        got = new_resources(client)
        c = got["chassis"]
        assert "Thermal" not in c and "Power" not in c
        assert not_found(client, f"{R}/Chassis/1/Thermal") and not_found(client, f"{R}/Chassis/1/Power")
        assert sorted(got["fans"]) == ["Fan1", "Fan2", "Fan3"]
        assert all(f["SpeedPercent"]["Reading"] > 0 for f in got["fans"].values())
        assert sorted(got["psus"]) == ["PSU1", "PSU2"]
        temps = get(client, f"{R}/Chassis/1/ThermalSubsystem/ThermalMetrics")["TemperatureReadingsCelsius"]
        assert [t["DeviceName"] for t in temps] == ["Inlet Temp", "CPU1 Temp", "CPU2 Temp"]
        assert get(client, c["EnvironmentMetrics"]["@odata.id"])["PowerWatts"]["Reading"] >= 0
        assert get(client, c["Sensors"]["@odata.id"])["Members@odata.count"] >= 9
    finally:
        client._auth.close()


@needs_vendor
@pytest.mark.parametrize("kind, health", [("psu_failed", "Critical"), ("psu_warning", "Warning")])
def test_new_resources_psu_fault_visible_then_cleared(kind, health):
    try:
        labbmc.fault(NEW_BMC, kind)
        client = redfish(NEW_BMC)
        try:
            got = new_resources(client)
            assert got["psus"]["PSU2"]["Status"]["Health"] == health
            assert got["chassis"]["Status"]["HealthRollup"] == health
        finally:
            client._auth.close()
    finally:
        labbmc.clear(NEW_BMC)
    client = redfish(NEW_BMC)
    try:
        got = new_resources(client)                  # clear keeps the profile
        assert {p["Status"]["Health"] for p in got["psus"].values()} == {"OK"}
    finally:
        client._auth.close()


@needs_vendor
def test_multi_chassis_bmc():
    client = redfish(MULTI_BMC)
    try:
        system = get(client, sys_path(MULTI_BMC))
        linked = [c["@odata.id"] for c in system["Links"]["Chassis"]]
        assert linked == [f"{R}/Chassis/1", f"{R}/Chassis/Enclosure"]
        blade = get(client, linked[0])
        assert "Thermal" not in blade
        board = get(client, blade["Links"]["Contains"][0]["@odata.id"])
        board_fans = [f["Name"] for f in get(client, board["Thermal"]["@odata.id"])["Fans"]]
        enc = get(client, linked[1])
        assert enc["ChassisType"] == "Enclosure"
        enc_fans = [f["Name"] for f in get(client, enc["Thermal"]["@odata.id"])["Fans"]]
        assert board_fans == ["Fan1", "Fan2", "Fan3"] and enc_fans == ["Fan1", "Fan2", "Fan3", "Fan4"]
        assert sorted(new_resources(client, linked[1])["psus"]) == ["PSU1", "PSU2"]
    finally:
        client._auth.close()


@needs_vendor
def test_long_sel_bmc_pages_600_entries_with_the_critical_last():
    client = redfish(SEL_BMC)
    try:
        root = get(client, f"{R}/")
        assert root["ProtocolFeaturesSupported"]["ExpandQuery"]["NoLinks"] is True
        mgr = get(client, get(client, sys_path(SEL_BMC))["Links"]["ManagedBy"][0]["@odata.id"])
        sel = get(client, get(client, mgr["LogServices"]["@odata.id"])["Members"][0]["@odata.id"])
        url, entries, pages = sel["Entries"]["@odata.id"] + "?$expand=.", [], 0
        t0 = time.monotonic()
        while url:
            page = get(client, url)
            entries += page["Members"]
            url = page.get("Members@odata.nextLink")
            pages += 1
        took = time.monotonic() - t0
        assert len(entries) >= 600 and pages == len(entries) // 50 + (1 if len(entries) % 50 else 0)
        assert entries[-1]["Severity"] == "Critical" and entries[-1]["EventTimestamp"]
        assert [e["EventTimestamp"] for e in entries] == sorted(e["EventTimestamp"] for e in entries)
        assert took < 10, f"600 expanded entries took {took:.1f}s"
    finally:
        client._auth.close()


@needs_vendor
def test_vendor_bmc_down_closes_only_its_port():
    port = int(redfish_parts(VENDOR[SEL_BMC])[0].rsplit(":", 1)[1])
    try:
        labbmc.fault(SEL_BMC, "bmc_down")
        assert not _port_open(port)
        assert _port_open(int(redfish_parts(VENDOR[NEW_BMC])[0].rsplit(":", 1)[1]))
    finally:
        labbmc.clear(SEL_BMC)
    wait_for(lambda: _port_open(port), 10, "port reopened")


def test_profile_switch_on_a_compute_bmc_and_back():
    try:
        labbmc.set_profile(REDFISH_HOST, "new_resources_only")
        client = redfish(REDFISH_HOST)
        try:
            assert sorted(new_resources(client)["fans"]) == ["Fan1", "Fan2", "Fan3"]
            assert not_found(client, f"{R}/Chassis/1/Thermal")
        finally:
            client._auth.close()
    finally:
        labbmc.set_profile(REDFISH_HOST, "default")
    client = redfish(REDFISH_HOST)
    try:
        assert get(client, f"{R}/Chassis/1/Thermal")["Fans"]
    finally:
        client._auth.close()


def test_psu_warning_is_refused_on_ipmi():
    from lablib.procs import LabError
    with pytest.raises(LabError, match="Redfish-only"):
        labbmc.fault(IPMI_HOST, "psu_warning")


# ---- BMC settings (NetworkProtocol, AccountService, certificate) and HTTPS ---------------------------
# (the routes themselves: lab/tests/test_redfish_settings.py, without the lab)

SETTINGS_FAULTS = {"ipmi_on": ("IPMI", "protocol"), "http_on": ("HTTP", "protocol"),
                   "password_change_required": ("root", "account")}
BMCS_HTTPS_YML = LAB_DIR / "bmcs-https.yml"
CA_PEM = LAB_DIR / "bmc" / "tls" / "ca.pem"


def settings_of(client) -> tuple:
    mgr = get(client, get(client, "/redfish/v1/Managers")["Members"][0]["@odata.id"])
    proto = get(client, mgr["NetworkProtocol"]["@odata.id"])
    svc = get(client, get(client, "/redfish/v1/")["AccountService"]["@odata.id"])
    accounts = [get(client, m["@odata.id"]) for m in get(client, svc["Accounts"]["@odata.id"])["Members"]]
    return mgr, proto, accounts


def test_redfish_settings_healthy():
    for host in ("compute-01", "compute-02"):
        client = redfish(host)
        try:
            mgr, proto, accounts = settings_of(client)
            assert mgr["DateTime"] and proto["HTTPS"]["ProtocolEnabled"] is True
            assert not any(proto[p]["ProtocolEnabled"] for p in ("HTTP", "IPMI", "Telnet", "SNMP"))
            assert not [a for a in accounts if a["Enabled"] and a["PasswordChangeRequired"]]
            certs = get(client, proto["HTTPS"]["Certificates"]["@odata.id"])
            cert = get(client, certs["Members"][0]["@odata.id"])
            assert cert["Subject"]["CommonName"] == host and cert["Issuer"]["CommonName"] == "Osfleet Lab BMC CA"
            system = get(client, redfish_parts(BMCS[host])[1])
            assert system["PowerRestorePolicy"] == "LastState"
        finally:
            client._auth.close()


def test_https_map_and_verified_tls():
    assert BMCS_HTTPS_YML.exists() and CA_PEM.exists()
    https = load_bmcs(BMCS_HTTPS_YML)
    assert sorted(https) == ["compute-01", "compute-02", "compute-03", "compute-04"]
    for host in ("compute-01", "compute-02"):
        e = https[host]
        assert e["address"].startswith("redfish+https://127.0.0.1:")
        base, sys_path = redfish_parts(e)
        client = sushy.Sushy(base + "/redfish/v1", username=e["username"], password=e["password"],
                             verify=str(CA_PEM))
        try:
            assert client.get_system(sys_path).power_state in (sushy.PowerState.ON, sushy.PowerState.OFF)
        finally:
            client._auth.close()
        with pytest.raises(sushy.exceptions.ConnectionError):   # not trusted without the lab CA
            sushy.Sushy(base + "/redfish/v1", username=e["username"], password=e["password"], verify=True)
    assert https["compute-03"]["address"] == BMCS["compute-03"]["address"]


@pytest.mark.parametrize("kind", sorted(SETTINGS_FAULTS))
def test_redfish_settings_fault_visible_then_cleared(kind):
    name, what = SETTINGS_FAULTS[kind]
    try:
        labbmc.fault(REDFISH_HOST, kind)
        client = redfish(REDFISH_HOST)
        try:
            _, proto, accounts = settings_of(client)
        finally:
            client._auth.close()
        if what == "protocol":
            assert proto[name]["ProtocolEnabled"] is True
        else:
            assert [a["UserName"] for a in accounts if a["Enabled"] and a["PasswordChangeRequired"]] == [name]
    finally:
        labbmc.clear(REDFISH_HOST)
    client = redfish(REDFISH_HOST)
    try:
        _, proto, accounts = settings_of(client)
        assert proto["HTTP"]["ProtocolEnabled"] is False and proto["IPMI"]["ProtocolEnabled"] is False
        assert not [a for a in accounts if a["Enabled"] and a["PasswordChangeRequired"]]
    finally:
        client._auth.close()


def test_settings_fault_on_an_ipmi_bmc_is_refused():
    from lablib.procs import LabError
    with pytest.raises(LabError, match="IPMI BMC"):
        labbmc.fault(IPMI_HOST, "ipmi_on")
