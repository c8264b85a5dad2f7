# -*- coding: utf-8 -*-
"""hardware_info / hardware_scan / hardware_power / hardware_boot against the lab's BMCs.

compute-02 is a Redfish BMC (sushy-tools + lab routes), compute-04 an IPMI
one (ipmi_sim). Faults are injected with ``labctl fault`` and always cleared
in the fixture's teardown. The BMCs are also checked directly (Redfish
session count, power state through the other module) rather than only
through the module's own answer.

OSFLEET_LAB_DIR names the lab whose BMCs answer on the lab ports when it
is not OSFLEET_LAB_DIR (two labs on one machine); labctl fault/clear go there.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import pytest
import requests
import yaml

from ansible_collections.osfleet.day2.tests.integration import lab_tools

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
REDFISH = "compute-02"
IPMI = "compute-04"
KINDS = ("overtemp", "fan_failed", "psu_failed", "sel_critical", "old_firmware")


def labctl(*args):
    lab_tools.labctl(*args, timeout=120)


@pytest.fixture(scope="module")
def bmcs(lab):
    path = LAB_DIR / "bmcs.yml"
    if not path.exists():
        pytest.skip("no %s: the lab's BMCs are not up" % path)
    return yaml.safe_load(path.read_text())


@pytest.fixture
def fault():
    """fault(host, kind): inject; every host touched is cleared at teardown, pass or fail."""
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
    """The shared module runner (it adds cloud/audit defaults only to modules that take them)."""
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


def redfish_sessions(bmcs, host=REDFISH):
    b = bmcs[host]
    base = b["address"].replace("redfish+http://", "http://").split("/redfish/")[0]
    r = requests.get(base + "/redfish/v1/SessionService/Sessions", auth=(b["username"], b["password"]), timeout=10)
    r.raise_for_status()
    return r.json()["Members@odata.count"]


# ---- reads ----------------------------------------------------------------------------------

@pytest.mark.parametrize("host", [REDFISH, IPMI])
def test_info_reads_every_field(run, bmcs, host):
    hw = info(run, bmcs, host)
    assert hw["protocol"] == bmcs[host]["type"]
    assert hw["power_state"] == "on" and hw["health"] == "ok"
    ident = hw["identity"]
    assert ident["manufacturer"] == "Osfleet Lab Systems" and ident["model"] == "LabServer R640e"
    assert ident["serial"].startswith("LAB") and ident["uuid"]
    assert [(t["name"], t["reading_celsius"], t["upper_critical"], t["upper_fatal"], t["status"])
            for t in hw["temperatures"]] == [("Inlet Temp", 24, 45, 50, "ok"), ("CPU1 Temp", 52, 90, 100, "ok"),
                                             ("CPU2 Temp", 50, 90, 100, "ok")]
    assert [(f["name"], f["rpm"], f["status"]) for f in hw["fans"]] == [
        ("Fan1", 7200, "ok"), ("Fan2", 7300, "ok"), ("Fan3", 7100, "ok")]
    assert [(p["name"], p["status"]) for p in hw["power_supplies"]] == [("PSU1", "ok"), ("PSU2", "ok")]
    assert 200 <= hw["power_draw_watts"] <= 215
    assert hw["bios_version"] == "2.19.1"
    assert sorted(f["version"] for f in hw["firmware"]) == ["2.19.1", "7.10"]
    assert hw["boot"]["target"] in ("none", "hdd", "pxe")
    assert hw["boot"]["enabled"] in ("disabled", "once", "continuous")
    assert all(e["severity"] == "ok" for e in hw["log"])


def test_gather_and_log_since(run, bmcs):
    hw = info(run, bmcs, REDFISH, gather=["power", "log"], log_since="2999-01-01T00:00:00Z")
    assert hw["power_state"] == "on" and hw["log"] == []
    assert hw["identity"] is None and hw["temperatures"] == []


def expect_fault(hw, kind):
    temps = {t["name"]: t for t in hw["temperatures"]}
    fans = {f["name"]: f for f in hw["fans"]}
    psus = {p["name"]: p for p in hw["power_supplies"]}
    if kind == "overtemp":
        assert temps["CPU1 Temp"]["reading_celsius"] == 96 and temps["CPU1 Temp"]["status"] == "critical"
        assert hw["health"] == "critical"
    elif kind == "fan_failed":
        assert fans["Fan2"]["rpm"] == 0 and fans["Fan2"]["status"] == "critical"
        assert hw["health"] == "critical"
    elif kind == "psu_failed":
        assert psus["PSU2"]["status"] == "critical" and psus["PSU1"]["status"] == "ok"
        assert hw["health"] == "critical"
    elif kind == "sel_critical":
        assert any(e["severity"] == "critical" for e in hw["log"]), hw["log"]
    elif kind == "old_firmware":
        assert hw["bios_version"] == "1.0.3"
        assert sorted(f["version"] for f in hw["firmware"]) == ["1.0.3", "2.01"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host", [REDFISH, IPMI])
def test_fault_shows_in_info_and_scan(run, bmcs, fault, host, kind):
    fault(host, kind)
    expect_fault(info(run, bmcs, host), kind)
    gather = ["power", "sensors", "log", "firmware", "identity"]
    out = run("hardware_scan", bmcs={host: bmcs[host]}, gather=gather, timeout=30)
    assert out["failed"] is False, out
    assert out["results"][host]["status"] == "ok", out
    expect_fault(out["results"][host]["state"], kind)


def test_scan_reports_down_and_bad_auth_without_failing(run, bmcs, fault, tmp_path):
    fault(REDFISH, "bmc_down")
    fault(IPMI, "bmc_badauth")
    prom, js = tmp_path / "bmc.prom", tmp_path / "scan.json"
    out = run("hardware_scan", bmcs={h: bmcs[h] for h in (REDFISH, IPMI, "compute-01")}, timeout=15,
              prometheus_path=str(prom), json_path=str(js))
    assert out["failed"] is False, out
    res = out["results"]
    assert res[REDFISH]["status"] == "unreachable" and "unreachable" in res[REDFISH]["error"]
    assert res[IPMI]["status"] == "auth_failed"
    assert res[IPMI]["error"].startswith("authentication failed for %s" % bmcs[IPMI]["address"])
    assert res["compute-01"]["status"] == "ok"
    assert res["compute-01"]["state"]["temperatures"][0]["name"] == "Inlet Temp"
    text = prom.read_text()
    assert 'osfleet_bmc_up{host="%s",status="unreachable"} 0' % REDFISH in text
    assert 'osfleet_bmc_up{host="compute-01",status="ok"} 1' in text
    assert json.loads(js.read_text())["summary"]["ok"] == 1
    for h in (REDFISH, IPMI):
        assert bmcs[h]["password"] not in json.dumps(out) + text


def test_info_bad_auth_message(run, bmcs, fault):
    fault(REDFISH, "bmc_badauth")
    out = run("hardware_info", **bmc_args(bmcs, REDFISH))
    assert out["failed"] is True
    assert out["msg"] == "authentication failed for %s" % bmcs[REDFISH]["address"]
    assert out["error_type"] == "BmcAuthError"


def test_scan_whole_lab_map_in_one_task(run, bmcs):
    out = run("hardware_scan", bmc_map=str(LAB_DIR / "bmcs.yml"), workers=8, timeout=20)
    assert out["failed"] is False
    assert set(out["results"]) >= {"compute-01", "compute-02", "compute-03", "compute-04"}
    for host in (REDFISH, IPMI):
        st = out["results"][host]
        assert st["status"] == "ok" and st["state"]["power_state"] == "on" and st["elapsed"] < 20


def test_fleet_info_gives_each_host_its_bmc_from_the_map_without_credentials(run, bmcs):
    path = LAB_DIR / "bmcs.yml"
    out = run("fleet_info", bmc_map=str(path), bmc_source="map", placement=False, servers=False)
    assert out["failed"] is False, out
    for host in ("compute-01", "compute-02", "compute-03", "compute-04"):
        bmc = out["hosts"][host]["bmc"]
        assert bmc["address"] == bmcs[host]["address"] and bmc["type"] == bmcs[host]["type"]
        assert bmc["credentials_ref"] == "%s#%s" % (path, host)
        assert "password" not in bmc and "username" not in bmc
    assert not any(b["password"] in json.dumps(out) for b in bmcs.values())
    auto = run("fleet_info", bmc_map=str(path), servers=False)  # auto: the map first, Ironic for the rest
    assert auto["failed"] is False, auto
    assert auto["hosts"][REDFISH]["bmc"]["credentials_ref"] == "%s#%s" % (path, REDFISH)
    assert auto["api_calls"] > out["api_calls"]  # Placement inventories (one per host) and Ironic's listing


def test_no_redfish_session_leaks(run, bmcs, fault):
    before = redfish_sessions(bmcs)
    info(run, bmcs, REDFISH)
    run("hardware_scan", bmcs={REDFISH: bmcs[REDFISH]})
    run("hardware_boot", check=True, target="pxe", **bmc_args(bmcs, REDFISH))
    bad = run("hardware_info", **bmc_args(bmcs, REDFISH, gather=["log"], log_since="not a date"))
    assert bad["failed"] is True, bad  # not "every entry": the bad time is named, before the BMC is asked
    assert bad["field"] == "log_since" and bad["error_type"] == "ValidationError"
    assert "'not a date' is not an ISO 8601 time" in bad["msg"]
    assert redfish_sessions(bmcs) == before


# ---- changes -----------------------------------------------------------------------------------

def power_of(run, bmcs, host):
    return info(run, bmcs, host, gather=["power"])["power_state"]


@pytest.fixture
def compute_restored(run_module, run, bmcs):
    """Leave compute-02 powered on and its nova-compute enabled, whatever the test did."""
    yield REDFISH
    with contextlib.suppress(Exception):
        run("hardware_power", state="on", **bmc_args(bmcs, REDFISH, timeout=60))
    run_module("compute_service", host=REDFISH, status="enabled")


def test_power_round_trip_with_interlock(run_module, run, bmcs, admin_conn, compute_restored):
    args = bmc_args(bmcs, REDFISH, timeout=60)
    assert run_module("compute_service", host=REDFISH, status="enabled")["failed"] is False
    assert power_of(run, bmcs, REDFISH) == "on"

    refused = run_module("hardware_power", state="off", host=REDFISH, **args)
    assert refused["failed"] is True and refused["error_type"] == "ConflictError"
    assert "nova-compute service is enabled" in refused["msg"]
    assert power_of(run, bmcs, REDFISH) == "on"

    out = run_module("compute_service", host=REDFISH, status="disabled", disabled_reason="it: hardware_power")
    assert out["failed"] is False, out
    # the SDK filter is compute_host: with host= it also drops every server whose (never listed) host field differs
    servers = list(admin_conn.compute.servers(all_projects=True, compute_host=REDFISH))
    checked = run_module("hardware_power", check=True, diff=True, state="off", host=REDFISH, **args)
    if servers:  # the interlock still refuses: servers run there
        assert checked["failed"] is True and "server(s)" in checked["msg"]
        force = True
    else:
        assert checked["failed"] is False and checked["changed"] is True, checked
        assert checked["interlock"]["compute_service"] == "disabled"
        force = False
    assert power_of(run, bmcs, REDFISH) == "on"  # check mode changed nothing

    start = time.monotonic()
    off = run_module("hardware_power", state="off", host=REDFISH, force=force, **args)
    assert off["failed"] is False and off["changed"] is True, off
    assert off["power_state"] == "off" and time.monotonic() - start < 60
    assert power_of(run, bmcs, REDFISH) == "off"
    again = run_module("hardware_power", state="off", host=REDFISH, **args)
    assert again["failed"] is False and again["changed"] is False, again

    on = run_module("hardware_power", state="on", host=REDFISH, **args)
    assert on["changed"] is True and on["power_state"] == "on", on
    assert power_of(run, bmcs, REDFISH) == "on"
    assert run_module("hardware_power", state="on", host=REDFISH, **args)["changed"] is False
    actions = [e["action"] for e in json.loads("[%s]" % ",".join(
        run_module.audit_log.read_text().splitlines()))]
    assert "hardware_power.off" in actions and "hardware_power.on" in actions


def test_ipmi_power_check_mode_changes_nothing(run, bmcs, tmp_path):
    args = bmc_args(bmcs, IPMI, timeout=30, audit_log=str(tmp_path / "audit.jsonl"))
    checked = run("hardware_power", check=True, state="force_restart", **args)
    assert checked["changed"] is True and checked["failed"] is False, checked
    assert power_of(run, bmcs, IPMI) == "on"
    assert not (tmp_path / "audit.jsonl").exists() or (tmp_path / "audit.jsonl").read_text() == ""


# sushy-emulator reports every override as Continuous, so the Redfish round trip is persistent;
# the lab's IPMI chassis_control answers "boot:default" whatever was set (lablib/bmc/ipmi_chassis.py).
@pytest.mark.parametrize("host, persistent", [(REDFISH, True), (IPMI, False)])
def test_boot_override_set_idempotent_and_cleared(run, bmcs, tmp_path, host, persistent):
    audit = tmp_path / "audit.jsonl"
    args = bmc_args(bmcs, host, audit_log=str(audit))
    before = info(run, bmcs, host, gather=["boot"])["boot"]
    checked = run("hardware_boot", check=True, target="pxe", persistent=persistent, **args)
    assert checked["changed"] is True and checked["boot"]["target"] == "pxe", checked
    assert info(run, bmcs, host, gather=["boot"])["boot"] == before
    try:
        out = run("hardware_boot", target="pxe", persistent=persistent, **args)
        assert out["failed"] is False and out["changed"] is True, out
        assert "hardware_boot.set" in audit.read_text()
        if host == IPMI and out["boot"]["target"] == "none":
            pytest.xfail("the lab's IPMI BMC does not keep the boot device (ipmi_chassis.py get boot)")
        assert out["boot"] == {"target": "pxe", "enabled": "continuous" if persistent else "once",
                               "mode": out["boot"]["mode"]}, out
        assert info(run, bmcs, host, gather=["boot"])["boot"]["target"] == "pxe"
        again = run("hardware_boot", target="pxe", persistent=persistent, **args)
        assert again["changed"] is False, again
    finally:
        if before["enabled"] == "disabled":
            run("hardware_boot", target="none", **args)
        else:
            run("hardware_boot", target=before["target"], persistent=before["enabled"] == "continuous", **args)
    assert info(run, bmcs, host, gather=["boot"])["boot"]["target"] == before["target"]
