# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcAuthError, BmcUnreachable
from ansible_collections.osfleet.day2.plugins.modules import hardware_info

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fakes import FakeBmc, make_runner


@pytest.fixture
def bmc():
    return FakeBmc()


@pytest.fixture
def run(monkeypatch, module_main, bmc):
    return make_runner(hardware_info, monkeypatch, module_main, bmc, audit=None)


def test_reads_what_is_asked_and_closes(run, bmc):
    out = run(gather=["power", "sensors"], log_since="2026-11-20T00:00:00Z")
    assert out["changed"] is False
    assert out["protocol"] == "redfish"
    assert out["hardware"]["power_state"] == "on"
    assert out["hardware"]["temperatures"][0]["reading_celsius"] == 52.0
    assert bmc.calls == [("read", ("power", "sensors"), "2026-11-20T00:00:00Z")]
    assert bmc.closed == 1


def test_a_bad_log_since_fails_naming_it_before_any_bmc_request(monkeypatch, module_main):
    opened = []
    monkeypatch.setattr(hardware_info, "open_from_params", lambda *a, **k: opened.append(a) or FakeBmc())
    out = module_main(hardware_info, dict(address="redfish://bmc-02.example", username="admin",
                                          password="s3cret-pw", log_since="not a date"))
    assert out["failed"] is True
    assert out["field"] == "log_since" and out["error_type"] == "ValidationError"
    assert "'not a date' is not an ISO 8601 time" in out["msg"]
    assert opened == []  # the BMC was never asked


def test_gather_defaults_to_everything(run, bmc):
    run()
    assert bmc.calls[0][1] == ("power", "identity", "sensors", "log", "firmware", "boot", "utilization")


@pytest.mark.parametrize("exc, error_type", [
    (BmcAuthError("authentication failed for redfish://bmc-02.example"), "BmcAuthError"),
    (BmcUnreachable("redfish://bmc-02.example: unreachable: connection refused"), "BmcUnreachable"),
])
def test_bmc_errors_fail_cleanly(monkeypatch, module_main, exc, error_type):
    def boom(params):
        raise exc
    monkeypatch.setattr(hardware_info, "open_from_params", boom)
    out = make_runner(hardware_info, monkeypatch, module_main, None, audit=None)
    monkeypatch.setattr(hardware_info, "open_from_params", boom)
    res = out()
    assert res["failed"] is True
    assert res["msg"] == exc.message
    assert res["error_type"] == error_type
