# -*- coding: utf-8 -*-
"""Recorded lab answers (Redfish documents, IPMI records) map to the same HardwareState."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi import mapping as ipmi_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import mapping as redfish_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import GATHER_CHOICES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MAPPERS = {"redfish": redfish_map, "ipmi": ipmi_map}


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*_*.json") if not p.name.startswith("redfish_raw")))
def test_recorded_answers_map_to_the_recorded_state(name):
    rec = fixture(name)
    protocol = name.split("_")[0]
    state = MAPPERS[protocol].to_state(rec["docs"], GATHER_CHOICES).to_dict()
    assert json.loads(json.dumps(state)) == rec["expected"]


@pytest.mark.parametrize("name", ["redfish_healthy.json", "ipmi_healthy.json"])
def test_healthy_lab_host_every_field(name):
    s = MAPPERS[name.split("_")[0]].to_state(fixture(name)["docs"], GATHER_CHOICES)
    assert s.power_state == "on"
    assert s.health == "ok"
    assert s.identity.manufacturer == "Osfleet Lab Systems"
    assert s.identity.model == "LabServer R640e"
    assert s.identity.serial.startswith("LAB")
    assert s.identity.uuid
    assert [(t.name, t.reading_celsius, t.upper_critical, t.upper_fatal, t.status) for t in s.temperatures] == [
        ("Inlet Temp", 24, 45, 50, "ok"), ("CPU1 Temp", 52, 90, 100, "ok"), ("CPU2 Temp", 50, 90, 100, "ok")]
    assert [(f.name, f.rpm, f.status) for f in s.fans] == [
        ("Fan1", 7200, "ok"), ("Fan2", 7300, "ok"), ("Fan3", 7100, "ok")]
    assert [(p.name, p.status) for p in s.power_supplies] == [("PSU1", "ok"), ("PSU2", "ok")]
    assert 200 <= s.power_draw_watts <= 215  # IPMI reads 208: 8 W steps
    assert s.bios_version == "2.19.1"
    assert sorted(f.version for f in s.firmware) == ["2.19.1", "7.10"]
    assert s.boot.target in ("none", "hdd")
    assert all(e.severity == "ok" for e in s.log)


def test_redfish_faults_show():
    s = redfish_map.to_state(fixture("redfish_faults.json")["docs"], GATHER_CHOICES)
    assert s.health == "critical"
    assert [(f.name, f.rpm, f.status) for f in s.fans][1] == ("Fan2", 0, "critical")
    assert [(p.name, p.status, p.watts) for p in s.power_supplies] == [("PSU1", "ok", 212), ("PSU2", "critical", 0)]
    assert s.bios_version == "1.0.3"
    assert {f.component: f.version for f in s.firmware} == {"System BIOS": "1.0.3", "BMC Firmware": "2.01"}
    critical = [e.message for e in s.log if e.severity == "critical"]
    assert "Uncorrectable ECC error on DIMM A1" in critical
    assert any("PSU2" in m for m in critical) and any("Fan2" in m for m in critical)


def test_ipmi_overtemp_shows():
    s = ipmi_map.to_state(fixture("ipmi_overtemp.json")["docs"], GATHER_CHOICES)
    assert s.health == "critical"
    cpu1 = s.temperatures[1]
    assert (cpu1.name, cpu1.reading_celsius, cpu1.status) == ("CPU1 Temp", 96.0, "critical")
    assert [e.severity for e in s.log] == ["warning", "critical"]
    assert "CPU1 Temp: Upper critical (reading 96, threshold 90)" in s.log[1].message


def test_log_since_filters_entries():
    docs = fixture("redfish_faults.json")["docs"]
    everything = redfish_map.to_state(docs, ["log"]).log
    latest = everything[-1].time
    recent = redfish_map.to_state(docs, ["log"], log_since=latest).log
    assert recent and all(e.time >= latest for e in recent)
    assert redfish_map.to_state(docs, ["log"], log_since="2999-01-01T00:00:00Z").log == []


def test_gather_limits_what_is_filled_in():
    s = ipmi_map.to_state(fixture("ipmi_healthy.json")["docs"], ["power"])
    assert s.power_state == "on"
    assert s.identity is None and s.temperatures == [] and s.firmware == [] and s.boot is None


@pytest.mark.parametrize("bits, health", [(0, "ok"), (1, "warning"), (2, "critical"), (3, "critical"),
                                          (4, "critical"), (None, "ok")])
def test_ipmi_health_bits(bits, health):
    assert ipmi_map.health(bits) == health


@pytest.mark.parametrize("bootdev, target, enabled", [
    ({"bootdev": "default", "persistent": True}, "none", "disabled"),
    ({"bootdev": "network", "persistent": False, "uefimode": True}, "pxe", "once"),
    ({"bootdev": "hd", "persistent": True, "uefimode": False}, "hdd", "continuous"),
    ({"bootdev": "setup", "persistent": False}, "bios", "once"),
    ({"bootdev": 9, "persistent": False}, "other", "once"),
])
def test_ipmi_boot(bootdev, target, enabled):
    b = ipmi_map.boot_override(bootdev)
    assert (b.target, b.enabled) == (target, enabled)
