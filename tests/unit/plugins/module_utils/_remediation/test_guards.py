# -*- coding: utf-8 -*-
"""The guards over plain data: a fleet snapshot shaped like Fleet.to_dict(), records, server objects."""
from __future__ import annotations

import types
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import guards
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.record import Record, format_time

AT = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
S = guards.Settings()


def host(zone="az1", status="enabled", state="up", forced_down=False, vcpus=16, memory_mb=32768, reason=None):
    """One host as Fleet.to_dict() has it (the keys the guards read)."""
    return {"name": "", "zone": zone, "service": {"status": status, "state": state, "forced_down": forced_down,
                                                  "disabled_reason": reason},
            "capacity": {"vcpus": {"free": vcpus}, "memory_mb": {"free": memory_mb}}}


def fleet(**hosts):
    return {"hosts": {name.replace("_", "-"): h for name, h in hosts.items()}}


def server(sid, status="ACTIVE", vcpus=2, ram=4096, tags=(), metadata=None, name=None, flavor=True):
    return types.SimpleNamespace(id=sid, name=name if name is not None else sid, status=status, tags=list(tags),
                                 metadata=dict(metadata or {}),
                                 flavor={"vcpus": vcpus, "ram": ram} if flavor else None)


def ago(minutes):
    return format_time(AT - timedelta(minutes=minutes))


# -- settings ------------------------------------------------------------------------------------------------

def test_settings_defaults_and_overrides():
    assert guards.Settings.from_options(None) == guards.Settings()
    s = guards.Settings.from_options({"max_out_per_zone": 2, "max_out_percent": 50, "confirm_seconds": 0,
                                      "hold_unmatched": "never", "capacity_check": False})
    assert (s.max_out_per_zone, s.max_out_percent, s.confirm_seconds, s.hold_unmatched, s.capacity_check) == (
        2, 50, 0, "never", False)


@pytest.mark.parametrize("options, field", [
    ({"max_out": 2}, "guards.max_out"),
    ({"max_out_per_zone": 0}, "guards.max_out_per_zone"),
    ({"max_out_per_zone": "2"}, "guards.max_out_per_zone"),
    ({"partition_hosts": 0}, "guards.partition_hosts"),
    ({"max_per_day": -1}, "guards.max_per_day"),
    ({"partition_minutes": -1}, "guards.partition_minutes"),
    ({"cooldown_minutes": 1.5}, "guards.cooldown_minutes"),
    ({"confirm_seconds": "30"}, "guards.confirm_seconds"),
    ({"max_out_percent": 0}, "guards.max_out_percent"),
    ({"max_out_percent": 101}, "guards.max_out_percent"),
    ({"hold_unmatched": "urgent"}, "guards.hold_unmatched"),
])
def test_a_bad_setting_is_refused_naming_it(options, field):
    with pytest.raises(ValidationError) as err:
        guards.Settings.from_options(options)
    assert err.value.field == field
    assert field in err.value.message


def test_an_unknown_setting_lists_the_known_ones():
    with pytest.raises(ValidationError) as err:
        guards.Settings.from_options({"zone_cap": 1})
    assert "unknown setting 'zone_cap'" in err.value.message and "max_out_per_zone" in err.value.message


@pytest.mark.parametrize("options, field", [
    ({"max_out_percent": "lots"}, "guards.max_out_percent"),
    ({"max_out_percent": None}, "guards.max_out_percent"),
    ({"capacity_check": "no"}, "guards.capacity_check"),
    ({"max_out_per_zone": True}, "guards.max_out_per_zone"),
    ({"confirm_seconds": False}, "guards.confirm_seconds"),
])
def test_a_setting_of_the_wrong_type_is_a_validation_error_not_a_crash(options, field):
    with pytest.raises(ValidationError) as err:
        guards.Settings.from_options(options)
    assert err.value.field == field


# -- zone cap ------------------------------------------------------------------------------------------------

def test_zone_cap_lets_the_first_host_out():
    f = fleet(c1=host(), c2=host(), c3=host(), c4=host())
    assert guards.zone_cap(f, {}, "c1", S) is None


@pytest.mark.parametrize("other", [
    host(status="disabled", reason="maintenance by hand"),
    host(state="down"),
    host(forced_down=True),
])
def test_zone_cap_counts_a_host_out_for_any_reason(other):
    f = fleet(c1=host(), c2=other, c3=host(), c4=host())
    refusal = guards.zone_cap(f, {}, "c1", S)
    assert refusal.code == "zone_cap" and refusal.hold
    assert "zone az1: 1 of 4 hosts already out of the pool (c2); the cap is 1" == refusal.reason


@pytest.mark.parametrize("state", ["detected", "confirmed", "out_of_pool", "fixing", "verifying"])
def test_zone_cap_counts_hosts_with_an_open_record(state):
    f = fleet(c1=host(), c2=host(), c3=host(), c4=host())
    assert guards.zone_cap(f, {"c2": Record("c2", state=state)}, "c1", S).code == "zone_cap"


def test_zone_cap_counts_a_held_host_only_when_it_is_out_of_the_pool():
    """Seen on the lab: a host a guard had held in the pool made the next host's remediation refused."""
    f = fleet(c1=host(), c2=host(), c3=host(), c4=host())
    assert guards.zone_cap(f, {"c2": Record("c2", state="held")}, "c1", S) is None
    f = fleet(c1=host(), c2=host(status="disabled"), c3=host(), c4=host())
    assert guards.zone_cap(f, {"c2": Record("c2", state="held")}, "c1", S).code == "zone_cap"


@pytest.mark.parametrize("state", ["returned", "dismissed"])
def test_zone_cap_does_not_count_closed_records(state):
    f = fleet(c1=host(), c2=host(), c3=host(), c4=host())
    assert guards.zone_cap(f, {"c2": Record("c2", state=state)}, "c1", S) is None


def test_zone_cap_does_not_count_another_zone_or_the_host_itself():
    f = fleet(c1=host(status="disabled"), c2=host(zone="az2", state="down"), c3=host(), c4=host())
    assert guards.zone_cap(f, {"c1": Record("c1", state="fixing")}, "c1", S) is None


def test_zone_cap_percent_is_the_smaller_cap_and_at_least_one():
    many = guards.Settings(max_out_per_zone=5, max_out_percent=25.0)
    eight = fleet(**{"c%d" % i: host() for i in range(8)})
    eight["hosts"]["c1"]["service"]["status"] = "disabled"
    assert guards.zone_cap(eight, {}, "c0", many) is None  # 25% of 8: 2
    eight["hosts"]["c2"]["service"]["state"] = "down"
    assert "the cap is 2" in guards.zone_cap(eight, {}, "c0", many).reason
    small = fleet(c1=host(), c2=host())
    assert guards.zone_cap(small, {}, "c1", many) is None  # 25% of 2 is 0: at least 1
    small["hosts"]["c2"]["service"]["status"] = "disabled"
    assert guards.zone_cap(small, {}, "c1", many).code == "zone_cap"
    three = guards.Settings(max_out_per_zone=3, max_out_percent=100.0)
    assert guards.zone_cap(small, {}, "c1", three) is None


# -- partition -----------------------------------------------------------------------------------------------

def test_partition_counts_the_audit_hosts():
    assert guards.partition(["c1", "c2"], {}, ["NOVA-16"], "c1", AT, S) is None
    refusal = guards.partition(["c1", "c2", "c3"], {}, ["NOVA-16"], "c1", AT, S)
    assert refusal.code == "partition" and refusal.hold
    assert refusal.reason.startswith("3 hosts fail NOVA-16 at once (c1, c2, c3): more than 2 is a partition")


def test_partition_counts_recent_open_records_with_the_same_rules():
    records = {"c2": Record("c2", state="fixing", rules=("NOVA-16",), detected_at=ago(5)),
               "c3": Record("c3", state="confirmed", rules=("HW-13", "NOVA-16"), detected_at=ago(9))}
    refusal = guards.partition(["c1"], records, ["NOVA-16"], "c1", AT, S)
    assert refusal is not None and "(c1, c2, c3)" in refusal.reason


@pytest.mark.parametrize("rec", [
    Record("c3", state="fixing", rules=("NOVA-16",), detected_at=ago(11)),    # outside the window
    Record("c3", state="fixing", rules=("HW-13",), detected_at=ago(1)),       # another rule
    Record("c3", state="returned", rules=("NOVA-16",), detected_at=ago(1)),   # closed
    Record("c3", state="dismissed", rules=("NOVA-16",), detected_at=ago(1)),
])
def test_partition_leaves_out_old_other_and_closed_records(rec):
    records = {"c2": Record("c2", state="fixing", rules=("NOVA-16",), detected_at=ago(1)), "c3": rec}
    assert guards.partition(["c1"], records, ["NOVA-16"], "c1", AT, S) is None


def test_partition_window_follows_the_setting():
    records = {"c2": Record("c2", state="fixing", rules=("NOVA-16",), detected_at=ago(30)),
               "c3": Record("c3", state="fixing", rules=("NOVA-16",), detected_at=ago(25))}
    assert guards.partition([], records, ["NOVA-16"], "c1", AT, S) is None
    wide = guards.Settings(partition_minutes=60)
    assert guards.partition([], records, ["NOVA-16"], "c1", AT, wide).code == "partition"
    assert guards.partition(["c1", "c2", "c3"], {}, ["NOVA-16"], "c1", AT, guards.Settings(partition_hosts=3)) \
        is None


# -- rate ----------------------------------------------------------------------------------------------------

def test_rate_without_a_record_or_history_goes():
    assert guards.rate(None, AT, S) is None
    assert guards.rate(Record("c1", history=(ago(60 * 25),)), AT, S) is None


def test_rate_cooldown_refuses_without_a_hold():
    refusal = guards.rate(Record("c1", history=(ago(10),)), AT, S)
    assert refusal.code == "cooldown" and refusal.hold is False
    assert "remediated at 11:50:00Z, less than 30 minutes ago" == refusal.reason
    assert guards.rate(Record("c1", history=(ago(31),)), AT, S) is None


def test_rate_max_per_day_holds():
    rec = Record("c1", history=(ago(600), ago(300), ago(60)))
    refusal = guards.rate(rec, AT, S)
    assert refusal.code == "max_per_day" and refusal.hold is True
    assert "3 remediations of this host in the last 24 h (the most allowed is 3)" == refusal.reason
    assert guards.rate(rec, AT, guards.Settings(max_per_day=4)) is None
    # starts older than a day do not count; a bad timestamp is not a start
    assert guards.rate(Record("c1", history=(ago(60 * 30), "garbage", ago(300), ago(60))), AT, S) is None


# -- quarantine and occupied ---------------------------------------------------------------------------------

def test_quarantine_by_tag_or_metadata():
    assert guards.quarantine([server("a"), server("b")]) is None
    refusal = guards.quarantine([server("a", tags=["osfleet-quarantine"]),
                                 server("b", metadata={"osfleet_quarantine_case": "CASE-7"}), server("c")])
    assert refusal.code == "quarantine" and refusal.hold
    assert refusal.reason == "quarantined servers on the host: a (-), b (CASE-7); never touched"


def test_occupied_counts_running_servers_not_shutoff_ones():
    assert guards.occupied([]) is None
    assert guards.occupied([server("a", "SHUTOFF"), server("b", "SHELVED_OFFLOADED"), server("c", "deleted")]) \
        is None
    refusal = guards.occupied([server("a", "SHUTOFF"), server("b", "ACTIVE", name="web"), server("c", "PAUSED")])
    assert refusal.code == "servers_on_host"
    assert refusal.reason.startswith("2 servers still run on the host (c, web)")


# -- capacity ------------------------------------------------------------------------------------------------

def test_capacity_first_fit_largest_first():
    f = fleet(c1=host(), c2=host(vcpus=8, memory_mb=8192), c3=host(vcpus=4, memory_mb=4096))
    # 8 GB + 4 GB: the 8 GB one goes to c2 (most memory free), the 4 GB one to c3
    assert guards.capacity(f, "c1", [server("small", ram=4096, vcpus=2), server("big", ram=8192, vcpus=4)],
                           {}) is None
    refusal = guards.capacity(f, "c1", [server("a", ram=8192), server("b", ram=4096), server("c", ram=2048)], {})
    assert refusal.code == "capacity" and refusal.hold
    assert refusal.reason == ("Placement has no room elsewhere for c (2 vCPU, 2048 MB) (hosts in the pool: c2, c3)")


def test_capacity_counts_vcpus_too():
    f = fleet(c1=host(), c2=host(vcpus=2, memory_mb=100000))
    assert guards.capacity(f, "c1", [server("a", vcpus=4, ram=1024)], {}).code == "capacity"


def test_capacity_unknown_flavor_size_is_refused():
    f = fleet(c1=host(), c2=host())
    refusal = guards.capacity(f, "c1", [server("a"), server("b", flavor=False), server("c", vcpus=0, ram=0)], {})
    assert refusal.code == "capacity_unknown" and "the size of b, c is unknown" in refusal.reason


def test_capacity_reads_an_sdk_flavor_object_too():
    f = fleet(c1=host(), c2=host(vcpus=2, memory_mb=2048))
    s = server("a")
    s.flavor = types.SimpleNamespace(vcpus=2, ram=4096)
    assert guards.capacity(f, "c1", [s], {}).code == "capacity"


def test_capacity_leaves_out_hosts_out_of_the_pool():
    f = fleet(c1=host(), c2=host(status="disabled"), c3=host(state="down"), c4=host(forced_down=True), c5=host())
    assert guards.capacity(f, "c1", [server("a")], {"c5": Record("c5", state="fixing")}).reason.endswith(
        "(hosts in the pool: none)")
    assert guards.capacity(f, "c1", [server("a")], {}) is None  # c5 takes it


def test_capacity_moves_shutoff_servers_but_not_shelved_ones():
    f = fleet(c1=host(), c2=host(vcpus=2, memory_mb=4096))
    assert guards.capacity(f, "c1", [server("a", "SHUTOFF"), server("b", "SHELVED_OFFLOADED")], {}) is None
    assert guards.capacity(f, "c1", [server("a", "SHUTOFF"), server("b", "SHUTOFF")], {}).code == "capacity"
    assert guards.capacity(f, "c1", [], {}) is None
