# -*- coding: utf-8 -*-
"""hardware_info / hardware_scan against the lab's vendor-shaped Redfish BMCs (issue 13).

The lab serves three Redfish BMCs that are no compute hosts, listed in
``.lab/bmcs-vendor.yml`` (lab/lablib/bmc, ``VENDOR_HOSTS``):

* bmc-new-01: only the 2020.4+ resources (ThermalSubsystem, PowerSubsystem, Sensors,
  EnvironmentMetrics; no Thermal, no Power); its System's rollup does not cover the PSUs;
* bmc-multi-01: the System links a blade chassis that Links.Contains the "Baseboard"
  carrying the sensors, and an "Enclosure" whose fans and PSUs repeat the board's Names
  and which serves both resource generations;
* bmc-sel-01: a 600-entry SEL on the Manager, oldest first, paged by 50 with
  Members@odata.nextLink, $expand offered, EventTimestamp spread over four days while
  Created is one time for all, a Critical entry last; the System has a short BIOS log.

Every expectation is checked against what the BMC itself serves (read here with plain
requests), not only against the module's answer. Faults and profile changes go
through ``labctl`` and are undone at teardown.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from ansible_collections.osfleet.day2.tests.integration import lab_tools

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
NEW, MULTI, SEL = "bmc-new-01", "bmc-multi-01", "bmc-sel-01"
LONG_SEL = 600
R = "/redfish/v1"


def labctl(*args):
    lab_tools.labctl(*args, timeout=120)


@pytest.fixture(scope="module")
def vendor(lab):
    path = LAB_DIR / "bmcs-vendor.yml"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail("no %s: the lab predates its vendor-shaped BMCs (run `make lab-up`)" % path)
        pytest.skip("no %s: the lab's vendor-shaped BMCs are not up" % path)
    bmcs = yaml.safe_load(path.read_text())
    assert {NEW, MULTI, SEL} <= set(bmcs)
    return bmcs


@pytest.fixture
def fault():
    touched = []

    def _fault(host, kind):
        touched.append(host)
        labctl("fault", host, kind)
        time.sleep(0.5)
    yield _fault
    for host in dict.fromkeys(touched):
        labctl("clear", host)


@pytest.fixture
def run(run_module):
    return run_module


def bmc_args(bmcs, host, **extra):
    b = bmcs[host]
    args = dict(address=b["address"], username=b["username"], password=b["password"], timeout=30)
    args.update(extra)
    return args


def info(run, bmcs, host, **extra):
    out = run("hardware_info", **bmc_args(bmcs, host, **extra))
    assert out["failed"] is False, out
    assert bmcs[host]["password"] not in json.dumps(out)
    return out["hardware"]


class Direct:
    """The BMC read with plain HTTP basic auth: what it serves, to compare the module's answer with."""

    def __init__(self, bmcs, host):
        b = bmcs[host]
        self.base = b["address"].replace("redfish+http://", "http://").split("/redfish/")[0]
        self.system = "/redfish/" + b["address"].split("/redfish/", 1)[1]
        self.auth = (b["username"], b["password"])

    def get(self, path):
        r = requests.get(self.base + path, auth=self.auth, timeout=10)
        r.raise_for_status()
        return r.json()

    def members(self, path):
        out, url = [], path
        while url:
            page = self.get(url)
            out += page["Members"]
            url = page.get("Members@odata.nextLink")
        return out

    def sel(self):
        mgr = self.get(self.get(self.system)["Links"]["ManagedBy"][0]["@odata.id"])
        svc = self.get(self.get(mgr["LogServices"]["@odata.id"])["Members"][0]["@odata.id"])
        return self.members(svc["Entries"]["@odata.id"] + "?$expand=.")


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))


# ---- the long SEL ------------------------------------------------------------------------

def test_long_sel_newest_critical_entry_comes_first(run, vendor):
    sel = Direct(vendor, SEL).sel()
    assert len(sel) >= LONG_SEL and sel[-1]["Severity"] == "Critical"   # the lab is what this test needs
    start = time.monotonic()
    hw = info(run, vendor, SEL, gather=["log"], timeout=15)
    took = time.monotonic() - start
    log = hw["log"]
    assert log[0]["severity"] == "critical" and log[0]["message"] == sel[-1]["Message"], log[:3]
    assert log[0]["time"] == sel[-1]["EventTimestamp"]            # the event's time, not Created
    assert log[0]["log"] and log[0]["log"].endswith("/LogServices/SEL")
    # every SEL entry (all 12 pages), and the System's BIOS log too, each saying where it came from
    sel_entries = [e for e in log if e["log"] and e["log"].endswith("/SEL")]
    assert len(sel_entries) == len(sel)
    assert {e["log"].rsplit("/", 1)[1] for e in log} == {"SEL", "BIOS"}
    times = [parse(e["time"]) for e in log]
    assert times == sorted(times, reverse=True)
    assert hw["warnings"] == []                                    # nothing left out, nothing failed
    assert took < 15, "600 entries, expanded, paged by 50, took %.1fs" % took


def test_long_sel_log_limit_keeps_the_newest_and_says_what_was_left_out(run, vendor):
    hw = info(run, vendor, SEL, gather=["log"], log_limit=10)
    assert len(hw["log"]) == 10
    assert hw["log"][0]["severity"] == "critical"
    left = [w for w in hw["warnings"] if "log_limit=10" in w]
    assert left and "left out" in left[0], hw["warnings"]


def test_long_sel_log_since_is_applied_to_every_entry_by_event_time(run, vendor):
    sel = Direct(vendor, SEL).sel()
    newest = parse(sel[-1]["EventTimestamp"])
    since = newest - datetime.timedelta(days=2)
    expected = [e for e in sel if parse(e["EventTimestamp"]) >= since]
    assert 0 < len(expected) < len(sel) / 2                        # a window that cuts the log
    assert len({e["Created"] for e in sel}) == 1                     # Created cannot tell old from new
    hw = info(run, vendor, SEL, gather=["log"], log_since=since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert len(hw["log"]) == len(expected), (len(hw["log"]), len(expected))
    assert hw["log"][0]["severity"] == "critical"
    assert all(parse(e["time"]) >= since for e in hw["log"])


@pytest.fixture
def sel_without_expand(vendor):
    """bmc-sel-01 with the same long SEL but no $expand offered (link-only pages); restored after."""
    labctl("profile", SEL, "default", "--long-sel", "--no-expand")
    try:
        yield SEL
    finally:
        labctl("profile", SEL, "default", "--long-sel")


def test_long_sel_without_expand_fetches_the_newest_entries_one_by_one(run, vendor, sel_without_expand):
    direct = Direct(vendor, SEL)
    assert "ProtocolFeaturesSupported" not in direct.get(R + "/")
    start = time.monotonic()
    hw = info(run, vendor, SEL, gather=["log"], log_limit=20, timeout=15)
    took = time.monotonic() - start
    assert len(hw["log"]) == 20 and hw["log"][0]["severity"] == "critical", hw["log"][:2]
    newest = direct.sel()[-1]  # link-only here: the entry is its own document
    newest = direct.get(newest["@odata.id"]) if "EventTimestamp" not in newest else newest
    assert hw["log"][0]["time"] == newest["EventTimestamp"]
    assert hw["warnings"], "entries not read must be named"
    assert took < 15


# ---- a board with a contained chassis and an enclosure -------------------------------------

def direct_chassis_sensors(direct):
    """(temperature names, fan names, PSU names) over every chassis the System links and they contain."""
    seen, todo = [], [c["@odata.id"] for c in direct.get(direct.system)["Links"]["Chassis"]]
    temps, fans, psus = [], [], []
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        c = direct.get(path)
        todo += [x["@odata.id"] for x in c.get("Links", {}).get("Contains", [])]
        if "ThermalSubsystem" in c:                      # the new generation where both exist
            sub = direct.get(c["ThermalSubsystem"]["@odata.id"])
            fans += [(c["Id"], direct.get(m["@odata.id"])["Name"]) for m in direct.members(sub["Fans"]["@odata.id"])]
            if "ThermalMetrics" in sub:
                temps += [(c["Id"], t["DeviceName"]) for t in
                          direct.get(sub["ThermalMetrics"]["@odata.id"])["TemperatureReadingsCelsius"]]
            ps = direct.get(c["PowerSubsystem"]["@odata.id"])["PowerSupplies"]["@odata.id"]
            psus += [(c["Id"], direct.get(m["@odata.id"])["Name"]) for m in direct.members(ps)]
        elif "Thermal" in c:
            th = direct.get(c["Thermal"]["@odata.id"])
            temps += [(c["Id"], t["Name"]) for t in th["Temperatures"]]
            fans += [(c["Id"], f["Name"]) for f in th["Fans"]]
            psus += [(c["Id"], p["Name"]) for p in direct.get(c["Power"]["@odata.id"])["PowerSupplies"]]
    return temps, fans, psus


def test_multi_chassis_every_sensor_found_once_with_unique_names(run, vendor):
    temps, fans, psus = direct_chassis_sensors(Direct(vendor, MULTI))
    assert {chassis for chassis, _name in fans} == {"Baseboard", "Enclosure"} and len(fans) == 7
    assert len({name for _chassis, name in fans}) < len(fans)                   # Names repeat across chassis
    hw = info(run, vendor, MULTI, gather=["sensors", "power"])
    for got, want in ((hw["temperatures"], temps), (hw["fans"], fans), (hw["power_supplies"], psus)):
        names = [x["name"] for x in got]
        assert len(names) == len(want), (names, want)              # each unit once: both generations not added
        assert len(set(names)) == len(names), names                # unique within the host
        assert {x["chassis"] for x in got} == {chassis for chassis, _name in want}, got
    assert [t["name"] for t in hw["temperatures"]] == ["Inlet Temp", "CPU1 Temp", "CPU2 Temp"]
    assert hw["health"] == "ok"
    assert 200 <= hw["power_draw_watts"] <= 215                    # the board's draw, once


def test_multi_chassis_fault_on_the_contained_chassis(run, vendor, fault):
    fault(MULTI, "psu_failed")
    hw = info(run, vendor, MULTI, gather=["sensors"])
    bad = [p for p in hw["power_supplies"] if p["status"] != "ok"]
    assert [(p["chassis"], p["status"]) for p in bad] == [("Baseboard", "critical")], hw["power_supplies"]
    assert hw["health"] == "critical"


def test_scan_of_the_vendor_bmcs_gives_prometheus_text_without_duplicate_series(run, vendor, tmp_path):
    prom = tmp_path / "bmc.prom"
    out = run("hardware_scan", bmcs={h: vendor[h] for h in (NEW, MULTI, SEL)}, timeout=30,
              gather=["power", "sensors", "log"], prometheus_path=str(prom))
    assert out["failed"] is False, out
    assert {h: r["status"] for h, r in out["results"].items()} == {NEW: "ok", MULTI: "ok", SEL: "ok"}, out
    assert out["results"][SEL]["state"]["log"][0]["severity"] == "critical"
    series = [line.rsplit(" ", 1)[0] for line in prom.read_text().splitlines() if line and not line.startswith("#")]
    assert len(series) == len(set(series)), sorted(s for s in series if series.count(s) > 1)
    assert sum('host="%s"' % MULTI in s and s.startswith("osfleet_psu_ok") for s in series) == 4
    promtool = shutil.which("promtool")
    if promtool:
        res = subprocess.run([promtool, "check", "metrics"], input=prom.read_text(), capture_output=True, text=True,
                             check=False, timeout=30)
        assert res.returncode == 0, res.stdout + res.stderr


# ---- only the 2020.4+ resources -----------------------------------------------------------

def test_new_resources_only_returns_fans_temperatures_and_psus(run, vendor):
    direct = Direct(vendor, NEW)
    chassis = direct.get(R + "/Chassis/1")
    assert "Thermal" not in chassis and "Power" not in chassis      # the lab is what this test needs
    hw = info(run, vendor, NEW, gather=["sensors", "power"])
    assert [(t["name"], t["reading_celsius"], t["upper_critical"], t["status"]) for t in hw["temperatures"]] == [
        ("Inlet Temp", 24, 45, "ok"), ("CPU1 Temp", 52, 90, "ok"), ("CPU2 Temp", 50, 90, "ok")]
    fans = direct.members(R + "/Chassis/1/ThermalSubsystem/Fans")
    want = {direct.get(f["@odata.id"])["Name"]: direct.get(f["@odata.id"])["SpeedPercent"] for f in fans}
    assert [f["name"] for f in hw["fans"]] == sorted(want)
    for f in hw["fans"]:
        assert f["percent"] == want[f["name"]]["Reading"] and f["status"] == "ok", f
        assert f["rpm"] in (None, want[f["name"]]["SpeedRPM"]), f
    assert [(p["name"], p["status"], p["watts"]) for p in hw["power_supplies"]] == [
        ("PSU1", "ok", 110), ("PSU2", "ok", 102)]
    assert hw["power_draw_watts"] == direct.get(R + "/Chassis/1/EnvironmentMetrics")["PowerWatts"]["Reading"]
    assert hw["health"] == "ok"


def test_new_resources_warning_psu_turns_the_health_warning(run, vendor, fault):
    fault(NEW, "psu_warning")
    direct = Direct(vendor, NEW)
    assert direct.get(direct.system)["Status"]["HealthRollup"] == "OK"  # the System alone says nothing
    hw = info(run, vendor, NEW, gather=["sensors"])
    assert {p["name"]: p["status"] for p in hw["power_supplies"]} == {"PSU1": "ok", "PSU2": "warning"}
    assert hw["health"] == "warning"
    out = run("hardware_scan", bmcs={NEW: vendor[NEW]}, gather=["power", "sensors"], timeout=30)
    assert out["results"][NEW]["state"]["health"] == "warning", out


@pytest.mark.parametrize("kind", ["overtemp", "fan_failed", "psu_failed"])
def test_new_resources_faults_show(run, vendor, fault, kind):
    fault(NEW, kind)
    hw = info(run, vendor, NEW, gather=["sensors"])
    temps = {t["name"]: t for t in hw["temperatures"]}
    fans = {f["name"]: f for f in hw["fans"]}
    psus = {p["name"]: p for p in hw["power_supplies"]}
    if kind == "overtemp":
        assert temps["CPU1 Temp"]["reading_celsius"] == 96 and temps["CPU1 Temp"]["status"] == "critical"
    elif kind == "fan_failed":
        assert fans["Fan2"]["percent"] == 0 and fans["Fan2"]["status"] == "critical"
    else:
        assert psus["PSU2"]["status"] == "critical" and psus["PSU1"]["status"] == "ok"
    assert hw["health"] == "critical"
