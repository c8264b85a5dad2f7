# -*- coding: utf-8 -*-
"""The scan core: every host gets a result, a bad BMC never stops the others (the files are written by
Day2Module.write_output: tests/unit/plugins/module_utils/_common/test_module_base_write.py)."""
from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hs
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcAuthError, BmcUnreachable
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    Fan,
    HardwareState,
    PowerSupply,
    Temperature,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

BMCS = {
    "good-1": {"address": "redfish://10.0.0.1", "username": "admin", "password": "pw1"},
    "good-2": {"address": "ipmi://10.0.0.2", "username": "admin", "password": "pw2", "type": "ipmi"},
    "down": {"address": "redfish://10.0.0.3", "username": "admin", "password": "pw3"},
    "badpw": {"address": "ipmi://10.0.0.4", "username": "admin", "password": "pw4"},
    "weird": {"address": "redfish://10.0.0.5", "username": "admin", "password": "pw5"},
}


class FakeBmc:
    protocol = "redfish"

    def __init__(self, address, log):
        self.address, self.log = address, log

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.log.append(("closed", self.address))

    def read_state(self, gather):
        self.log.append(("read", self.address, tuple(gather)))
        time.sleep(0.05)
        return HardwareState("redfish", power_state="on", health="warning",
                             temperatures=[Temperature("CPU1 Temp", 84.0, 90, 100, "warning")],
                             fans=[Fan("Fan1", 7200, "ok")], power_supplies=[PowerSupply("PSU1", "ok", 110)],
                             power_draw_watts=212)


@pytest.fixture
def opener():
    log = []
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    def _open(address, username, password, bmc_type=None, validate_certs=True, ca_path=None, timeout=None):
        log.append(("open", address, validate_certs, timeout))
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        try:
            if address.endswith(".3"):
                raise BmcUnreachable("%s: unreachable: connection refused" % address, resource=address)
            if address.endswith(".4"):
                raise BmcAuthError("authentication failed for %s" % address, resource=address)
            if address.endswith(".5"):
                raise KeyError("Members")
            time.sleep(0.1)
            return FakeBmc(address, log)
        finally:
            with lock:
                active["now"] -= 1
    _open.log = log
    _open.active = active
    return _open


def test_every_host_gets_a_status_and_one_bad_bmc_stops_nothing(opener):
    results = hs.scan(hs.targets_from_map(BMCS, "test"), workers=2, timeout=5, opener=opener)
    assert {h: r["status"] for h, r in results.items()} == {
        "badpw": "auth_failed", "down": "unreachable", "good-1": "ok", "good-2": "ok", "weird": "error"}
    assert results["badpw"]["error"] == "authentication failed for ipmi://10.0.0.4"
    assert "unreachable" in results["down"]["error"]
    assert "KeyError" in results["weird"]["error"]
    ok = results["good-1"]
    assert ok["state"]["power_state"] == "on" and ok["state"]["health"] == "warning"
    assert ok["state"]["temperatures"][0] == {"name": "CPU1 Temp", "reading_celsius": 84.0, "upper_critical": 90,
                                              "upper_fatal": 100, "status": "warning",
                                              "chassis": None, "id": None}
    assert all(r["elapsed"] is not None for r in results.values())
    assert ("closed", "redfish://10.0.0.1") in opener.log
    assert opener.active["max"] <= 2  # bounded pool
    assert hs.summary(results) == {"total": 5, "ok": 2, "unreachable": 1, "auth_failed": 1, "error": 1}
    assert "pw1" not in repr(results)


def test_each_bmc_gets_its_own_deadline_and_the_map_verify_flag(opener):
    data = dict(BMCS, lab={"address": "redfish+http://127.0.0.1:1", "username": "u", "password": "p",
                           "verify": False})
    hs.scan(hs.targets_from_map(data, "test"), workers=8, timeout=7, opener=opener)
    opens = {e[1]: e for e in opener.log if e[0] == "open"}
    assert opens["redfish://10.0.0.1"][2:] == (True, 7)
    assert opens["redfish+http://127.0.0.1:1"][2] is False


def test_a_hung_bmc_is_given_up(monkeypatch):
    monkeypatch.setattr(hs, "OVERRUN_GRACE", 0.2)
    release = threading.Event()

    def hang(address, *a, **k):
        release.wait(5)
        raise BmcUnreachable("late", resource=address)
    start = time.monotonic()
    results = hs.scan(hs.targets_from_map({"h": BMCS["good-1"]}, "t"), workers=1, timeout=0.3, opener=hang)
    release.set()
    assert time.monotonic() - start < 2
    assert results["h"]["status"] == "error" and "deadline" in results["h"]["error"]


def test_empty_map_and_bad_workers_are_validation_errors(opener):
    with pytest.raises(ValidationError):
        hs.targets_from_map({}, "empty.yml")
    with pytest.raises(ValidationError) as err:
        hs.scan([], workers=0, opener=opener)
    assert err.value.field == "workers"


def test_prometheus_textfile(opener):
    results = hs.scan(hs.targets_from_map(BMCS, "test"), workers=5, timeout=5, opener=opener)
    text = hs.prometheus_text(results)
    lines = text.splitlines()
    assert 'osfleet_bmc_up{host="good-1",status="ok"} 1' in lines
    assert 'osfleet_bmc_up{host="down",status="unreachable"} 0' in lines
    assert 'osfleet_power_on{host="good-1"} 1' in lines
    assert 'osfleet_health{host="good-1"} 1' in lines
    assert 'osfleet_temperature_celsius{host="good-1",sensor="CPU1 Temp"} 84' in lines
    assert 'osfleet_fan_rpm{host="good-2",fan="Fan1"} 7200' in lines
    assert 'osfleet_psu_ok{host="good-2",psu="PSU1"} 1' in lines
    assert 'osfleet_power_watts{host="good-1"} 212' in lines
    # every sample's metric has HELP and TYPE lines before it
    for name in {ln.split("{")[0] for ln in lines if not ln.startswith("#")}:
        assert "# TYPE %s gauge" % name in lines
    assert text.endswith("\n")


def test_label_values_are_escaped():
    results = {'we"ird\\host': {"status": "ok", "elapsed": 1, "state": None}}
    assert 'host="we\\"ird\\\\host"' in hs.prometheus_text(results)


def _state_result(state):
    return {"h1": {"address": "redfish://10.0.0.1", "status": "ok", "error": None, "elapsed": 0.1,
                   "state": state.to_dict()}}


def test_component_health_thresholds_and_the_log_in_the_textfile():
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import LogEntry
    state = HardwareState("redfish", power_state="on", health="critical",
                          temperatures=[Temperature("CPU1 Temp", 96.0, 90, 100, "critical"),
                                        Temperature("Inlet", 22.0, None, None, "unknown")],
                          fans=[Fan("Fan1", 7200, "ok"), Fan("Fan2", 0, "critical")],
                          power_supplies=[PowerSupply("PSU1", "ok"), PowerSupply("PSU2", "warning"),
                                          PowerSupply("PSU3", "absent")],
                          log=[LogEntry("1", "2026-12-02T10:00:00Z", "critical", "old"),
                               LogEntry("2", "2026-12-02T12:00:00+00:00", "critical", "newest"),
                               LogEntry("3", None, "critical", "no time"),
                               LogEntry("4", "2026-12-02T13:00:00Z", "warning", "later, but a warning")])
    lines = hs.prometheus_text(_state_result(state), with_log=True).splitlines()
    assert 'osfleet_temperature_health{host="h1",sensor="CPU1 Temp"} 2' in lines
    assert 'osfleet_temperature_upper_critical_celsius{host="h1",sensor="CPU1 Temp"} 90' in lines
    # a status that is no health (unknown) and a missing threshold give no sample
    assert not [ln for ln in lines if 'sensor="Inlet"' in ln and not ln.startswith("osfleet_temperature_celsius")]
    assert 'osfleet_fan_health{host="h1",fan="Fan2"} 2' in lines
    assert 'osfleet_fan_health{host="h1",fan="Fan1"} 0' in lines
    assert 'osfleet_psu_health{host="h1",psu="PSU2"} 1' in lines
    assert not [ln for ln in lines if 'psu="PSU3"' in ln]
    assert 'osfleet_sel_entries{host="h1",severity="critical"} 3' in lines
    assert 'osfleet_sel_entries{host="h1",severity="ok"} 0' in lines
    assert 'osfleet_sel_last_critical_timestamp_seconds{host="h1"} 1796212800' in lines  # 2026-12-02T12:00Z


def test_the_log_metrics_only_when_the_log_was_read():
    state = HardwareState("redfish", power_state="on")
    assert "osfleet_sel_" not in hs.prometheus_text(_state_result(state))
    lines = hs.prometheus_text(_state_result(state), with_log=True).splitlines()
    assert 'osfleet_sel_entries{host="h1",severity="critical"} 0' in lines
    assert not [ln for ln in lines if ln.startswith("osfleet_sel_last_critical")]
    down = {"h1": {"address": "x", "status": "unreachable", "error": "no", "elapsed": 1.0, "state": None}}
    assert "osfleet_sel_" not in hs.prometheus_text(down, with_log=True)
