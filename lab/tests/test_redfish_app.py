"""The lab's Redfish emulator (lablib/bmc/redfish_app.py) through Flask's test client: no lab, no port.

Each scenario profile is served as its documents should be (DMTF schemas) and the
faults show in the resources the profile has. Run with the BMC virtualenv, which has
sushy-tools (the emulator's base):

    .lab/venv-bmc/bin/python -m pytest lab/tests/test_redfish_app.py
"""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("sushy_tools", reason="sushy-tools not installed: use .lab/venv-bmc/bin/python")
bcrypt = pytest.importorskip("bcrypt")
from werkzeug.test import Client  # noqa: E402

HERE = Path(__file__).resolve().parent
BMC_SRC = HERE.parent / "lablib" / "bmc"
sys.path.insert(0, str(BMC_SRC))
import scenario as scn  # noqa: E402

R = "/redfish/v1"
PROFILES = {"compute-01": ("default", False), "bmc-new-01": ("new_resources_only", False),
            "bmc-multi-01": ("multi_chassis", False), "bmc-sel-01": ("default", True)}
AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:lab-pw").decode()}


@pytest.fixture(scope="module")
def app_module(tmp_path_factory):
    d = tmp_path_factory.mktemp("redfish-app")
    hashed = bcrypt.hashpw(b"lab-pw", bcrypt.gensalt(rounds=4)).decode()
    bmcs = []
    for i, host in enumerate(PROFILES):
        (d / host).mkdir()
        (d / host / "htpasswd").write_text(f"admin:{hashed}\n")
        bmcs.append({"host": host, "port": 1 + i, "uuid": scn.system_uuid(host), "hook": False,
                     "scenario": str(d / host / "scenario.json"), "htpasswd": str(d / host / "htpasswd")})
    cfg = d / "config.json"
    cfg.write_text(json.dumps({"state_dir": str(d / "state"), "labctl": "/bin/false",
                               "hook_log": str(d / "hooks.log"), "bmcs": bmcs}))
    # the emulator reads its config at import; the variable must not outlive the import: a BMC process that
    # the smoke tests start later from this same pytest process (labctl clear) would inherit it and serve
    # this test's config instead of its own (seen: "not listening on 18101 after 60s")
    os.environ["OSFLEET_REDFISH_APP_CONFIG"] = str(cfg)
    try:
        spec = importlib.util.spec_from_file_location("lab_redfish_app", BMC_SRC / "redfish_app.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        del os.environ["OSFLEET_REDFISH_APP_CONFIG"]
    return mod


@pytest.fixture
def bmc(app_module):
    """bmc(host, *faults) -> a GET function on that BMC's port, its scenario healthy plus ``faults``."""
    def _bmc(host, *faults):
        profile, long_sel = PROFILES[host]
        data = scn.healthy(host, profile, long_sel)
        for kind in faults:
            data = scn.apply_fault(data, kind)
        gate = app_module.GATES[host]
        scn.save(Path(gate.bmc["scenario"]), data)
        client = Client(gate)

        def get(path, status=200):
            resp = client.get(path, headers=AUTH)
            assert resp.status_code == status, (path, resp.status_code, resp.get_data(as_text=True)[:300])
            return resp.get_json()
        get.uuid = scn.system_uuid(host)
        return get
    return _bmc


def members(get, path):
    return [m["@odata.id"] for m in get(path)["Members"]]


# ---- default: what every compute and bench BMC serves, unchanged -------------------

def test_default_profile_is_todays_layout(bmc):
    get = bmc("compute-01")
    root = get(f"{R}/")
    assert "ProtocolFeaturesSupported" not in root
    assert members(get, f"{R}/Chassis") == [f"{R}/Chassis/1"]
    chassis = get(f"{R}/Chassis/1")
    assert {"Thermal", "Power", "Sensors"} <= set(chassis)
    assert not {"ThermalSubsystem", "PowerSubsystem", "EnvironmentMetrics"} & set(chassis)
    get(f"{R}/Chassis/1/ThermalSubsystem", status=404)
    get(f"{R}/Chassis/Enclosure", status=404)
    assert [f["Name"] for f in get(f"{R}/Chassis/1/Thermal")["Fans"]] == ["Fan1", "Fan2", "Fan3"]
    system = get(f"{R}/Systems/{get.uuid}")
    assert system["Links"]["Chassis"] == [{"@odata.id": f"{R}/Chassis/1"}]
    entries = get(f"{R}/Managers/{get.uuid}/LogServices/SEL/Entries")
    assert "Members@odata.nextLink" not in entries
    assert [m["Id"] for m in entries["Members"]] == ["1", "2"] and entries["Members"][0]["Message"]
    assert members(get, f"{R}/Systems/{get.uuid}/LogServices") == [f"{R}/Systems/{get.uuid}/LogServices/SEL"]


# ---- new_resources_only -----------------------------------------------------------

def test_new_resources_only_serves_the_2020_4_resources_and_nothing_older(bmc):
    get = bmc("bmc-new-01")
    c = f"{R}/Chassis/1"
    chassis = get(c)
    assert chassis["ThermalSubsystem"]["@odata.id"] == f"{c}/ThermalSubsystem"
    assert {"PowerSubsystem", "Sensors", "EnvironmentMetrics"} <= set(chassis)
    assert "Thermal" not in chassis and "Power" not in chassis
    get(f"{c}/Thermal", status=404)
    get(f"{c}/Power", status=404)

    thermal = get(chassis["ThermalSubsystem"]["@odata.id"])
    assert thermal["@odata.type"].startswith("#ThermalSubsystem.")
    fans = [get(u) for u in members(get, thermal["Fans"]["@odata.id"])]
    assert [(f["Name"], f["SpeedPercent"]["Reading"], f["SpeedPercent"]["SpeedRPM"]) for f in fans] == [
        ("Fan1", 72, 7200), ("Fan2", 73, 7300), ("Fan3", 71, 7100)]
    assert all(f["@odata.type"].startswith("#Fan.") and f["Status"]["Health"] == "OK" for f in fans)
    # every excerpt points at a Sensor that exists and says the same
    for f in fans:
        s = get(f["SpeedPercent"]["DataSourceUri"])
        assert (s["ReadingType"], s["ReadingUnits"], s["Reading"]) == ("Percent", "%", f["SpeedPercent"]["Reading"])
    metrics = get(thermal["ThermalMetrics"]["@odata.id"])
    temps = metrics["TemperatureReadingsCelsius"]
    assert [(t["DeviceName"], t["Reading"]) for t in temps] == [("Inlet Temp", 24), ("CPU1 Temp", 52),
                                                                ("CPU2 Temp", 50)]
    assert metrics["TemperatureReadingsCelsius@odata.count"] == 3
    cpu1 = get(temps[1]["DataSourceUri"])
    assert cpu1["Thresholds"]["UpperCritical"]["Reading"] == 90 and cpu1["ReadingUnits"] == "Cel"

    power = get(chassis["PowerSubsystem"]["@odata.id"])
    psus = [get(u) for u in members(get, power["PowerSupplies"]["@odata.id"])]
    assert [(p["Name"], p["Status"]["Health"]) for p in psus] == [("PSU1", "OK"), ("PSU2", "OK")]
    assert [get(p["Metrics"]["@odata.id"])["OutputPowerWatts"]["Reading"] for p in psus] == [110, 102]
    env = get(chassis["EnvironmentMetrics"]["@odata.id"])
    assert env["PowerWatts"]["Reading"] == 212


@pytest.mark.parametrize("kind, psu2", [("psu_warning", "Warning"), ("psu_failed", "Critical")])
def test_psu_faults_show_in_power_subsystem(bmc, kind, psu2):
    get = bmc("bmc-new-01", kind)
    base = f"{R}/Chassis/1/PowerSubsystem"
    assert get(f"{base}/PowerSupplies/PSU2")["Status"]["Health"] == psu2
    assert get(f"{base}/PowerSupplies/PSU1")["Status"]["Health"] == "OK"
    assert get(base)["Status"]["Health"] == psu2
    assert get(f"{R}/Chassis/1")["Status"]["HealthRollup"] == psu2
    # the System's rollup covers only what is subordinate to it (as on the services seen):
    # the PSU's state is found in the Chassis, not there
    assert get(f"{R}/Systems/{get.uuid}")["Status"]["HealthRollup"] == "OK"


def test_fan_and_temperature_faults_show_in_the_new_resources(bmc):
    get = bmc("bmc-new-01", "fan_failed", "overtemp")
    fan2 = get(f"{R}/Chassis/1/ThermalSubsystem/Fans/Fan2")
    assert fan2["SpeedPercent"]["Reading"] == 0 and fan2["Status"]["Health"] == "Critical"
    assert get(f"{R}/Chassis/1/Sensors/CPU1Temp")["Status"]["Health"] == "Critical"
    assert get(f"{R}/Chassis/1/ThermalSubsystem")["Status"]["Health"] == "Critical"


# ---- multi_chassis ----------------------------------------------------------------

def test_multi_chassis_board_contains_the_sensor_chassis_and_an_enclosure(bmc):
    get = bmc("bmc-multi-01")
    system = get(f"{R}/Systems/{get.uuid}")
    linked = [c["@odata.id"] for c in system["Links"]["Chassis"]]
    assert linked == [f"{R}/Chassis/1", f"{R}/Chassis/Enclosure"]
    blade = get(linked[0])
    assert blade["ChassisType"] == "Blade"
    assert not {"Thermal", "Power", "ThermalSubsystem", "PowerSubsystem", "Sensors"} & set(blade)
    assert blade["Links"]["Contains"] == [{"@odata.id": f"{R}/Chassis/Baseboard"}]
    assert blade["Links"]["ContainedBy"] == {"@odata.id": f"{R}/Chassis/Enclosure"}
    board = get(f"{R}/Chassis/Baseboard")
    thermal = get(board["Thermal"]["@odata.id"])
    assert [t["Name"] for t in thermal["Temperatures"]] == ["Inlet Temp", "CPU1 Temp", "CPU2 Temp"]
    board_fans = [f["Name"] for f in thermal["Fans"]]
    board_psus = [p["Name"] for p in get(board["Power"]["@odata.id"])["PowerSupplies"]]
    assert get(board["Power"]["@odata.id"])["PowerControl"][0]["PowerConsumedWatts"] == 212

    enc = get(linked[1])
    assert enc["ChassisType"] == "Enclosure"
    assert enc["Links"]["Contains"] == [{"@odata.id": f"{R}/Chassis/1"}]
    # the enclosure serves both generations; the same units in each
    old_fans = [f["Name"] for f in get(enc["Thermal"]["@odata.id"])["Fans"]]
    new_fans = [get(u)["Name"] for u in members(get, get(enc["ThermalSubsystem"]["@odata.id"])["Fans"]["@odata.id"])]
    assert old_fans == new_fans == ["Fan1", "Fan2", "Fan3", "Fan4"]
    psu_coll = get(enc["PowerSubsystem"]["@odata.id"])["PowerSupplies"]["@odata.id"]
    enc_psus = [get(u)["Name"] for u in members(get, psu_coll)]
    assert enc_psus == [p["Name"] for p in get(enc["Power"]["@odata.id"])["PowerSupplies"]]
    assert get(enc["Power"]["@odata.id"])["PowerControl"] == []   # no second draw to add up
    assert set(board_fans) < set(old_fans) and set(board_psus) == set(enc_psus)   # Names repeat
    assert sorted(members(get, f"{R}/Chassis")) == sorted(f"{R}/Chassis/{i}" for i in ("1", "Baseboard", "Enclosure"))


def test_multi_chassis_faults_show_on_the_contained_chassis(bmc):
    get = bmc("bmc-multi-01", "psu_failed", "fan_failed")
    psus = {p["Name"]: p["Status"]["Health"] for p in get(f"{R}/Chassis/Baseboard/Power")["PowerSupplies"]}
    assert psus == {"PSU1": "OK", "PSU2": "Critical"}
    fans = {f["Name"]: f["Status"]["Health"] for f in get(f"{R}/Chassis/Baseboard/Thermal")["Fans"]}
    assert fans["Fan2"] == "Critical"
    enc = {f["Name"]: f["Status"]["Health"] for f in get(f"{R}/Chassis/Enclosure/Thermal")["Fans"]}
    assert set(enc.values()) == {"OK"}
    assert get(f"{R}/Systems/{get.uuid}")["Status"]["HealthRollup"] == "Critical"


# ---- long SEL --------------------------------------------------------------------

def walk(get, first):
    pages, out, url = 0, [], first
    while url:
        page = get(url)
        pages += 1
        out += page["Members"]
        url = page.get("Members@odata.nextLink")
        assert pages <= 100, "nextLink never ends"
    return pages, out


def test_long_sel_is_paged_oldest_first_with_nextlink_and_expand(bmc):
    get = bmc("bmc-sel-01")
    expand = get(f"{R}/")["ProtocolFeaturesSupported"]["ExpandQuery"]
    assert expand["NoLinks"] is True and expand["MaxLevels"] >= 1
    sel = f"{R}/Managers/{get.uuid}/LogServices/SEL"
    assert get(sel)["Entries"]["@odata.id"] == f"{sel}/Entries"
    first = get(f"{sel}/Entries")
    assert first["Members@odata.count"] == scn.LONG_SEL_ENTRIES >= 600
    assert len(first["Members"]) == scn.LONG_SEL_PAGE
    assert set(first["Members"][0]) == {"@odata.id"}                # link-only without $expand
    pages, links = walk(get, f"{sel}/Entries")
    assert pages == scn.LONG_SEL_ENTRIES // scn.LONG_SEL_PAGE and len(links) == scn.LONG_SEL_ENTRIES
    assert [m["@odata.id"].rsplit("/", 1)[1] for m in links] == [str(i) for i in range(1, 601)]

    pages, entries = walk(get, f"{sel}/Entries?$expand=.")
    assert pages == 12 and len(entries) == 600
    assert all(e["@odata.type"].startswith("#LogEntry.") for e in entries)
    times = [e["EventTimestamp"] for e in entries]
    assert times == sorted(times) and len(set(times)) == 600        # oldest first, all distinct
    assert len({e["Created"] for e in entries}) == 1                # Created: when the log was loaded
    assert entries[-1]["Severity"] == "Critical" and entries[-1]["Message"] == scn.LONG_SEL_CRITICAL
    assert all(e["Severity"] != "Critical" for e in entries[:-1])
    assert get(entries[-1]["@odata.id"]) == entries[-1]
    assert walk(get, f"{sel}/Entries?$expand=*($levels=1)")[1] == entries


def test_long_sel_skip_top_and_bad_values(bmc):
    get = bmc("bmc-sel-01")
    entries = f"{R}/Managers/{get.uuid}/LogServices/SEL/Entries"
    page = get(f"{entries}?$skip=590")
    assert [m["@odata.id"].rsplit("/", 1)[1] for m in page["Members"]] == [str(i) for i in range(591, 601)]
    assert "Members@odata.nextLink" not in page
    page = get(f"{entries}?$top=20&$skip=40")
    assert len(page["Members"]) == 20 and page["Members@odata.nextLink"].endswith("$skip=60&$top=20")
    get(f"{entries}?$skip=-1", status=400)


def test_long_sel_system_log_is_a_short_bios_log_and_faults_append_to_the_sel(bmc):
    get = bmc("bmc-sel-01", "psu_warning")
    logs = f"{R}/Systems/{get.uuid}/LogServices"
    assert members(get, logs) == [f"{logs}/BIOS"]
    assert get(f"{logs}/BIOS")["LogEntryType"] == "Event"
    bios = get(f"{logs}/BIOS/Entries?$expand=.")["Members"]
    assert len(bios) == 3 and all(e["EntryType"] == "Event" for e in bios)
    get(f"{logs}/SEL/Entries", status=404)
    entries = walk(get, f"{R}/Managers/{get.uuid}/LogServices/SEL/Entries?$expand=.")[1]
    assert len(entries) == 601 and entries[-1]["Severity"] == "Warning" and entries[-1]["EventTimestamp"]
    assert max(e["EventTimestamp"] for e in bios) < min(e["EventTimestamp"] for e in entries)


def test_expand_is_only_offered_where_the_scenario_says(bmc):
    new = bmc("bmc-new-01")
    assert "ProtocolFeaturesSupported" not in new(f"{R}/")
    assert set(new(f"{R}/Chassis/1/ThermalSubsystem/Fans?$expand=.")["Members"][0]) == {"@odata.id"}
    sel = bmc("bmc-sel-01")
    fans = sel(f"{R}/Chassis/1/Sensors?$expand=.")["Members"]
    assert fans[0]["@odata.type"].startswith("#Sensor.") and fans[0]["Reading"] == 24


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown BMC profile"):
        scn.healthy("h", "hpe_ilo")


# ---- lablib.bmc: which BMCs exist and where they are listed (stdlib, no lab) ---------

_REGISTRY = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from lablib import bmc, paths
from lablib.procs import LabError
paths.ensure_dirs()
bmc.write_bmcs_yml()
refused = []
for call in (lambda: bmc.fault("compute-03", "psu_warning"),
             lambda: bmc.set_profile("compute-04", "new_resources_only"),
             lambda: bmc.set_profile("bmc-new-01", "hpe_ilo"),
             lambda: bmc.fault("compute-03", "update_hangs")):
    try:
        call()
    except LabError as exc:
        refused.append(exc.detail)
print(json.dumps({"fleet": paths.BMCS_YML.read_text(), "vendor": bmc.BMCS_VENDOR_YML.read_text(),
                  "kinds": {h: bmc.kind(h) for h in bmc.hosts()}, "refused": refused}))
"""


def test_vendor_bmcs_are_listed_apart_and_ipmi_refuses_redfish_only_changes(tmp_path):
    import subprocess
    env = dict(os.environ, OSFLEET_LAB_DIR=str(tmp_path))
    res = subprocess.run([sys.executable, "-c", _REGISTRY, str(HERE.parent)], capture_output=True, text=True,
                         env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    fleet_hosts = [ln[:-1] for ln in out["fleet"].splitlines() if ln and not ln.startswith((" ", "#"))]
    vendor_hosts = [ln[:-1] for ln in out["vendor"].splitlines() if ln and not ln.startswith((" ", "#"))]
    assert fleet_hosts == ["compute-01", "compute-02", "compute-03", "compute-04"]
    assert vendor_hosts == ["bmc-new-01", "bmc-multi-01", "bmc-sel-01"]
    for port in (18105, 18106, 18107):
        assert f"127.0.0.1:{port}/redfish/v1/Systems/" in out["vendor"]
    assert {h: k for h, k in out["kinds"].items() if k == "vendor"} == dict.fromkeys(vendor_hosts, "vendor")
    assert out["refused"][0].startswith("fault psu_warning is Redfish-only")
    assert "profiles are Redfish-only" in out["refused"][1] and "unknown BMC profile" in out["refused"][2]
    assert "IPMI has no UpdateService" in out["refused"][3]


# ---- firmware updates: UpdateService.SimpleUpdate, tasks, the kept previous image ------------

FW = f"{R}/UpdateService/FirmwareInventory"
SIMPLE_UPDATE = f"{R}/UpdateService/Actions/UpdateService.SimpleUpdate"


@pytest.fixture
def updater(app_module, monkeypatch):
    """updater(*faults) -> a client of compute-01 (healthy plus ``faults``, updates taking 10 s) with a clock
    the test moves (``client.now``: seconds since the start), so no test sleeps."""
    now = {"t": 1_000_000.0}
    monkeypatch.setattr(scn, "clock", lambda: now["t"])

    def _make(*faults):
        data = scn.healthy("compute-01")
        for kind in faults:
            data = scn.apply_fault(data, kind)
        data["update_seconds"] = 10
        gate = app_module.GATES["compute-01"]
        scn.save(Path(gate.bmc["scenario"]), data)
        client = Client(gate)

        def get(path, status=200):
            resp = client.get(path, headers=AUTH)
            assert resp.status_code == status, (path, resp.status_code, resp.get_data(as_text=True)[:300])
            return resp

        def post(body, status=202):
            resp = client.post(SIMPLE_UPDATE, json=body, headers=AUTH)
            assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
            return resp

        def advance(seconds):
            now["t"] += seconds
        return type("C", (), dict(get=staticmethod(get), post=staticmethod(post), advance=staticmethod(advance),
                                  uuid=scn.system_uuid("compute-01"),
                                  scenario=staticmethod(lambda: scn.load(Path(gate.bmc["scenario"])))))
    return _make


def inventory(c):
    return {m["@odata.id"].rsplit("/", 1)[-1]: c.get(m["@odata.id"]).get_json()
            for m in c.get(FW).get_json()["Members"]}


def test_simple_update_runs_a_task_then_changes_the_version_and_keeps_the_previous(updater):
    c = updater()
    update_service = c.get(f"{R}/UpdateService").get_json()
    assert update_service["Actions"]["#UpdateService.SimpleUpdate"]["target"] == SIMPLE_UPDATE
    resp = c.post({"ImageURI": "http://firmware.lab.invalid/LabServer-R640e/bmc-7.20.bin",
                   "TransferProtocol": "HTTP", "Targets": [f"{R}/Managers/{c.uuid}"]})
    location = resp.headers["Location"]
    assert location.startswith(f"{R}/TaskService/Tasks/")
    assert resp.get_json()["TaskState"] == "New" and resp.headers["Retry-After"] == "1"
    c.advance(5)
    task = c.get(location).get_json()
    assert task["TaskState"] == "Running" and task["TaskStatus"] == "OK" and 40 <= task["PercentComplete"] <= 60
    assert c.get(task["TaskMonitor"], status=202).headers["Retry-After"]
    assert inventory(c)["BMC"]["Version"] == scn.HEALTHY_BMC           # not before the task ends
    c.advance(6)
    task = c.get(location).get_json()
    assert (task["TaskState"], task["TaskStatus"], task["PercentComplete"]) == ("Completed", "OK", 100)
    assert "7.20" in task["Messages"][-1]["Message"] and "Retry-After" not in c.get(location).headers
    c.get(task["TaskMonitor"], status=200)
    inv = inventory(c)
    assert inv["BMC"]["Version"] == "7.20" and inv["BMC"]["Updateable"] is True
    assert inv["BMC-Previous"]["Version"] == scn.HEALTHY_BMC and inv["BMC-Previous"]["Updateable"] is False
    assert inv["BMC-Previous"]["Status"]["State"] == "StandbyOffline"
    assert list(inv)[-1] == "BMC-Previous"                             # the running images come first
    assert c.get(f"{R}/Managers/{c.uuid}").get_json()["FirmwareVersion"] == "7.20"
    assert "BIOS-Previous" not in inv and inv["BIOS"]["Version"] == scn.HEALTHY_BIOS
    assert [m["@odata.id"] for m in c.get(f"{R}/TaskService/Tasks").get_json()["Members"]] == [location]


def test_second_update_keeps_one_previous_and_rollback_swaps_back(updater):
    c = updater()
    for version in ("2.20.0", "2.21.0"):
        c.post({"ImageURI": f"https://fw.example/bios-{version}.bin"})
        c.advance(11)
        assert inventory(c)["BIOS"]["Version"] == version
    inv = inventory(c)
    assert inv["BIOS-Previous"]["Version"] == "2.20.0" and [k for k in inv if k.endswith("-Previous")] == ["BIOS-Previous"]
    assert c.get(f"{R}/Systems/{c.uuid}").get_json()["BiosVersion"] == "2.21.0"
    loc = c.post({"ImageURI": f"{FW}/BIOS-Previous"}).headers["Location"]
    c.advance(11)
    assert c.get(loc).get_json()["TaskState"] == "Completed"
    inv = inventory(c)
    assert (inv["BIOS"]["Version"], inv["BIOS-Previous"]["Version"]) == ("2.20.0", "2.21.0")


def test_unknown_image_and_no_previous_fail_the_task_with_the_reason(updater):
    c = updater()
    loc = c.post({"ImageURI": "http://fw.example/bmc-9.99.bin"}).headers["Location"]
    c.advance(2)
    task = c.get(loc).get_json()
    assert (task["TaskState"], task["TaskStatus"]) == ("Exception", "Critical")
    assert "not in the lab's firmware catalog" in task["Messages"][-1]["Message"] and "7.20" in task["Messages"][-1]["Message"]
    loc = c.post({"ImageURI": f"{FW}/BMC-Previous"}).headers["Location"]
    c.advance(11)
    assert "no previous image is kept for BMC" in c.get(loc).get_json()["Messages"][-1]["Message"]
    assert inventory(c)["BMC"]["Version"] == scn.HEALTHY_BMC


def test_simple_update_refuses_bad_requests(updater):
    c = updater()
    assert "ImageURI" in c.post({}, status=400).get_json()["error"]["message"]
    assert "TransferProtocol" in c.post({"ImageURI": "x/bmc-7.20.bin", "TransferProtocol": "TFTP"},
                                        status=400).get_json()["error"]["message"]
    msg = c.post({"ImageURI": "x/bmc-7.20.bin", "Targets": [f"{R}/Systems/{c.uuid}"]}, status=400).get_json()
    assert "do not name the BMC" in msg["error"]["message"]
    assert c.scenario().get("tasks") is None
    c.get(f"{R}/TaskService/Tasks/7", status=404)


def test_update_fails_fault_ends_critical_and_changes_nothing(updater):
    c = updater("update_fails")
    loc = c.post({"ImageURI": "http://fw.example/bmc-7.20.bin"}).headers["Location"]
    c.advance(5)
    assert c.get(loc).get_json()["TaskState"] == "Running"
    c.advance(6)
    task = c.get(loc).get_json()
    assert (task["TaskState"], task["TaskStatus"]) == ("Exception", "Critical")
    assert "update_fails" in task["Messages"][-1]["Message"]
    inv = inventory(c)
    assert inv["BMC"]["Version"] == scn.HEALTHY_BMC and "BMC-Previous" not in inv


def test_update_hangs_fault_stays_running_and_clear_heals(updater):
    c = updater("update_hangs")
    loc = c.post({"ImageURI": "http://fw.example/bmc-7.20.bin"}).headers["Location"]
    c.advance(3600)
    task = c.get(loc).get_json()
    assert task["TaskState"] == "Running" and task["PercentComplete"] < 100 and "EndTime" not in task
    assert inventory(c)["BMC"]["Version"] == scn.HEALTHY_BMC
    c = updater()                                   # what labctl clear writes: the healthy scenario
    c.get(loc, status=404)
    c.post({"ImageURI": "http://fw.example/bmc-7.20.bin"})
    c.advance(11)
    assert inventory(c)["BMC"]["Version"] == "7.20"


def test_update_faults_are_redfish_only_and_in_labctl():
    assert set(scn.UPDATE_FAULTS) <= set(scn.REDFISH_ONLY_FAULTS) and set(scn.UPDATE_FAULTS) <= set(scn.FAULT_KINDS)
    labctl = (HERE.parent / "labctl").read_text()
    for kind in scn.UPDATE_FAULTS:
        assert f'"{kind}"' in labctl.split("BMC_FAULTS = ", 1)[1].split("OS_FAULTS", 1)[0]
