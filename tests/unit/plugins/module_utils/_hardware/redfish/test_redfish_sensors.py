# -*- coding: utf-8 -*-
"""Sensors where vendors put them: several chassis, enclosures, and both resource generations."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc


def read(fake, gather=("power", "sensors")):
    with open_bmc(fake.address(), "admin", "secret", timeout=20) as bmc:
        return bmc.read_state(gather=list(gather))


def gets(fake):
    return [p for m, p in fake.requests if m == "GET"]


def test_sensors_on_a_contained_chassis_are_read(vendor):
    fake = vendor("intel_board")
    s = read(fake)
    assert [(t.name, t.chassis) for t in s.temperatures] == [("BB P1 VR Temp", "Baseboard")]
    assert [(f.name, f.rpm) for f in s.fans] == [("System Fan 1", 6860)]
    assert [(p.name, p.status) for p in s.power_supplies] == [("PSU1", "warning")]
    assert s.health == "warning"


def test_blade_enclosure_fans_and_psus_are_ours_the_other_blade_is_not(vendor):
    fake = vendor("dmtf_enclosure")
    s = read(fake)
    assert [t.name for t in s.temperatures] == ["CPU1 Temp"]
    assert len(s.fans) == 3 and all(f.chassis == "Enclosure" for f in s.fans)
    assert [p.status for p in s.power_supplies] == ["ok", "critical"]
    assert s.health == "critical"
    assert "/redfish/v1/Chassis/Blade2/Thermal" not in gets(fake)
    assert len({p.name for p in s.power_supplies}) == 2  # both were called "PSU"


def test_only_the_new_resources(vendor):
    fake = vendor("dmtf_new_only")
    s = read(fake)
    assert [(t.name, t.reading_celsius, t.status) for t in s.temperatures] == [
        ("CPU1", 41, "unknown"), ("Intake", 24.8, "unknown"), ("Coolant", 31, "unknown")]
    assert [(f.name, f.percent, f.rpm) for f in s.fans] == [("Fan Bay 1", 41, 3001), ("Fan Bay 2", 42, 3002)]
    assert [(p.name, p.status, p.watts) for p in s.power_supplies] == [
        ("Power Supply Bay 1", "ok", 151), ("Power Supply Bay 2", "warning", 152)]
    assert s.power_draw_watts == 305
    assert s.health == "warning"  # the PSU in PowerSubsystem, not the system's own rollup (OK)


def test_new_resources_are_preferred_where_both_exist(vendor):
    fake = vendor("openbmc")
    s = read(fake)
    assert [(t.name, t.reading_celsius, t.upper_critical) for t in s.temperatures] == [
        ("CPU0", 48.5, 95), ("DIMM0", 39.0, 95)]
    assert [(f.name, f.rpm) for f in s.fans] == [("fan0", 9120), ("fan1", 9300)]  # through DataSourceUri
    assert [(p.name, p.status) for p in s.power_supplies] == [("powersupply0", "ok"), ("powersupply1", "warning")]
    assert s.power_draw_watts == 310
    assert s.health == "warning"
    requested = gets(fake)
    assert "/redfish/v1/Chassis/chassis/Thermal" not in requested
    assert "/redfish/v1/Chassis/chassis/Power" not in requested
    assert not [p for p in requested if p.startswith("/redfish/v1/Chassis/chassis/Sensors/")]  # expanded


def test_ilo_fans_in_percent_and_same_named_psus(vendor):
    s = read(vendor("ilo5"))
    assert [(f.name, f.rpm, f.percent) for f in s.fans][0] == ("Fan 1", None, 23)
    names = [p.name for p in s.power_supplies]
    assert len(set(names)) == 2 and all(n.startswith("HpeServerPowerSupply") for n in names)
    assert [t.status for t in s.temperatures] == ["ok", "ok", "absent"]
    assert s.health == "ok"


def test_ami_placeholder_psu_is_unknown_and_a_disabled_sensor_is_disabled(vendor):
    s = read(vendor("ami_megarac"))
    assert [(p.name, p.status) for p in s.power_supplies] == [
        ("Power Supply [Self/0]", "ok"), ("Power Supply [Self/1]", "ok"), ("Power Supply [Self/2]", "unknown")]
    assert [(t.name, t.status, t.reading_celsius) for t in s.temperatures] == [
        ("CPU0_Temp", "ok", 45), ("PCH_Temp", "disabled", None)]
    assert s.health == "ok"


@pytest.mark.parametrize("name", ["redfish_raw_healthy.json"])
def test_the_old_resource_path_costs_no_request_more(name):
    """The lab's BMC (one chassis, Thermal and Power only): the same three requests as before."""
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish, load

    fake = FakeRedfish(load(name))
    fake.thread.start()
    try:
        before = len(fake.requests)
        with open_bmc(fake.address(), "admin", "secret", timeout=10) as bmc:
            start = len(fake.requests)
            bmc.read_state(gather=["sensors"])
            sensor_gets = [p for m, p in fake.requests[start:] if m == "GET"]
        assert before == 0
        assert len(sensor_gets) == 4  # the system, its chassis, Thermal, Power
    finally:
        fake.server.shutdown()
        fake.server.server_close()
