# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.modules import hardware_power

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fakes import FakeBmc, make_runner


@pytest.fixture
def bmc():
    return FakeBmc(power="on", settle_polls=2)


@pytest.fixture
def run(monkeypatch, module_main, bmc, tmp_path, nova_fake):
    monkeypatch.setattr(Day2Module, "conn", property(lambda self: nova_fake.cloud.conn))
    r = make_runner(hardware_power, monkeypatch, module_main, bmc, audit=str(tmp_path / "audit.jsonl"))
    r.audit = str(tmp_path / "audit.jsonl")
    return r


def test_off_then_idempotent(run, bmc, monkeypatch):
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, msg: warned.append(msg))
    out = run(state="off")
    assert out["changed"] is True
    assert (out["previous_power_state"], out["power_state"], out["action"]) == ("on", "off", "off")
    assert out["audit"]["entries"] == 1
    assert "no interlock" in " ".join(warned)
    again = run(state="off")
    assert again["changed"] is False and again["action"] is None
    assert [c for c in bmc.calls if c[0] == "power"] == [("power", "off")]
    entry = AuditLog(run.audit).entries()[0]
    assert entry["action"] == "hardware_power.off"
    assert entry["before"] == {"power_state": "on"} and entry["after"] == {"power_state": "off"}
    assert "s3cret" not in open(run.audit).read()


def test_on_when_on_changes_nothing(run, bmc):
    out = run(state="on")
    assert out["changed"] is False
    assert bmc.calls == []


def test_check_mode_changes_nothing(run, bmc):
    out = run(state="graceful_shutdown", _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True and out["power_state"] == "off"
    assert out["diff"] == {"before": {"power_state": "on"}, "after": {"power_state": "off"}}
    assert bmc.calls == []
    assert AuditLog(run.audit).entries() == []


def test_interlock_refuses_while_compute_enabled(run, bmc):
    out = run(state="off", host="compute-01")  # enabled in fake_conn
    assert out["failed"] is True
    assert out["error_type"] == "ConflictError"
    assert "nova-compute service is enabled" in out["msg"] and "force=true" in out["msg"]
    assert bmc.calls == []


def test_interlock_refuses_while_servers_run(run, bmc, nova_fake):
    for number, name in enumerate(("vm-a", "vm-b")):  # Nova in memory, behind stubbed HTTP
        nova_fake.add_server("s-%d" % number, host="compute-02", name=name)
    out = run(state="force_restart", host="compute-02")  # disabled in fake_conn
    assert out["failed"] is True
    assert "2 server(s): vm-a (ACTIVE), vm-b (ACTIVE)" in out["msg"]
    assert bmc.calls == []


def test_interlock_passes_when_disabled_and_empty(run, bmc):
    out = run(state="off", host="compute-02")
    assert out["changed"] is True
    assert out["interlock"] == {"host": "compute-02", "compute_service": "disabled", "servers": 0}
    assert AuditLog(run.audit).entries()[0]["target"] == "compute-02"


def test_force_overrides_the_interlock(run, bmc):
    out = run(state="off", host="compute-01", force=True)
    assert out["changed"] is True
    assert AuditLog(run.audit).entries()[0]["details"]["forced"] is True


def test_power_on_needs_no_interlock(run, bmc):
    bmc._power = "off"
    out = run(state="on", host="compute-01")
    assert out["changed"] is True and out["power_state"] == "on"
    assert "interlock" not in out


def test_deadline_holds(monkeypatch, run, bmc):
    bmc.settle_polls = 10 ** 6  # never gets there
    out = run(state="off", timeout=1.5)
    assert out["failed"] is True
    assert out["error_type"] == "BmcTimeout"
    assert "still on, not off" in out["msg"]
    # the reset was sent and audit-logged: the task changed something even though it failed
    assert out["changed"] is True
    assert out["audit"]["entries"] == 1 and out["action"] == "off"
