# -*- coding: utf-8 -*-
"""The remediation module through its main(), over Nova in memory behind stubbed HTTP.

The audit is stubbed (``Auditor`` replaced by a FakeAuditor whose answers the test scripts): the module's own
job, validating what the operator wrote and handing one call to the machine, is what is tested here.
"""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr
from ansible_collections.osfleet.day2.plugins.modules import remediation
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._remediation.fake_audit import FakeAuditor
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import FakeIdentity, FakeNova

HOSTS = {"compute-01": "az1", "compute-02": "az1", "compute-03": "az1", "compute-04": "az1"}


class Env:
    def __init__(self, conn, nova_cloud, stub, tmp_path, monkeypatch, module_main):
        conn.compute._services = {"svc-%s" % h: dict(id="svc-%s" % h, host=h, binary="nova-compute", zone=z,
                                                     status="enabled", state="up") for h, z in HOSTS.items()}
        conn.identity = FakeIdentity()
        self.conn = conn
        self.nova = FakeNova(hosts=tuple(HOSTS), services=conn.compute)
        self.layer = nova_cloud(self.nova, conn.identity)
        stub.route("GET", "placement", "/resource_providers", {"resource_providers": []})
        self.auditor = FakeAuditor(HOSTS)
        self.made = []

        def auditor(cloud, packs, bmcs=None, params=None, options=None):
            self.made.append({"packs": [p.name for p in packs], "bmcs": bmcs, "params": params})
            return self.auditor
        monkeypatch.setattr(remediation, "Auditor", auditor)
        monkeypatch.setattr(Day2Module, "conn", property(lambda _self: self.layer.conn))
        self.audit_log = str(tmp_path / "audit.jsonl")
        self.main = module_main

    def run(self, **args):
        args.setdefault("audit_log", self.audit_log)
        return self.main(remediation, args)

    def svc(self, host):
        return self.conn.compute._services["svc-%s" % host]

    def writes(self):
        return len(self.nova.writes), len(self.conn.compute.calls)


@pytest.fixture
def env(fake_conn, nova_cloud, stub, tmp_path, monkeypatch, module_main):
    return Env(fake_conn, nova_cloud, stub, tmp_path, monkeypatch, module_main)


def test_an_unknown_guard_fails_naming_it(env):
    out = env.run(host="compute-01", guards={"max_out_per_zon": 2})
    assert out["failed"] and out["field"] == "guards.max_out_per_zon"
    assert "guards.max_out_per_zon" in out["msg"] and env.writes() == (0, 0)


def test_a_guard_of_the_wrong_type_fails_naming_it(env):
    out = env.run(host="compute-01", guards={"max_out_percent": "a quarter"})
    assert out["failed"] and out["field"] == "guards.max_out_percent"


def test_bad_host_commands_fail_naming_the_key(env):
    commands = {"service_manager": "command", "restart_command": "labctl compute restart {host}"}
    out = env.run(host="compute-01", host_commands=commands)
    assert out["failed"] and out["field"] == "host_commands.restart_command" and "not a shell line" in out["msg"]


def test_a_bad_runbook_source_fails_naming_the_file(env):
    bad = {"source": "/ops/runbooks/broken.yml", "shipped": False,
           "text": "name: broken\nmatch: {rules: [NOVA-16]}\nsteps: [{type: reboot}]\n"}
    out = env.run(host="compute-01", runbook_sources=[bad])
    assert out["failed"] and out["field"] == "steps[0].type"
    assert out["msg"].startswith("/ops/runbooks/broken.yml: steps[0].type: unknown step type 'reboot'")
    assert out["details"]["file"] == "/ops/runbooks/broken.yml"


def test_a_runbook_dir_that_does_not_exist_fails(env, tmp_path):
    out = env.run(host="compute-01", runbook_dirs=[str(tmp_path / "missing")])
    assert out["failed"] and out["field"] == "runbook_dirs"


def test_hold_without_a_reason_fails(env):
    out = env.run(host="compute-01", action="hold")
    assert out["failed"] and "reason" in out["msg"] and env.writes() == (0, 0)


def test_note_without_a_note_fails(env):
    out = env.run(host="compute-01", action="note")
    assert out["failed"] and "note" in out["msg"]


def test_bmc_map_needs_the_action_plugin(env):
    out = env.run(host="compute-01", bmc_map="/etc/osfleet/bmcs.yml")
    assert out["failed"] and out["field"] == "bmc_map"


def test_a_check_mode_run_on_a_healthy_host_is_not_changed(env):
    out = env.run(host="compute-01", _ansible_check_mode=True)
    assert out["changed"] is False and out["state"] is None and out["plan"] == []
    assert out["runbooks"] == ["bmc_badauth", "fan_failed", "overtemp", "psu_failed", "bmc_down", "compute_down"]
    assert env.made[0]["packs"] == ["compute_hosts"]


def test_a_check_mode_run_on_a_failing_host_plans_and_writes_nothing(env):
    env.svc("compute-01")["state"] = "down"
    env.auditor.fail("compute-01", "NOVA-16")
    out = env.run(host="compute-01", _ansible_check_mode=True, _ansible_diff=True,
                  host_commands={"service_manager": "kolla"})
    assert out["changed"] is True  # it would change: the plan says how
    assert out["runbook"] == "compute_down" and out["state"] == "fixing"
    assert [p["step"] for p in out["plan"]] == ["confirm", "out_of_pool", "restart_service", "wait", "verify"]
    assert "docker restart nova_compute" in out["plan"][2]["detail"]
    assert env.writes() == (0, 0) and AuditLog(env.audit_log).entries() == []
    assert out["diff"] == {"before": {"state": None}, "after": {"state": "fixing"}}


def test_hold_note_and_release_through_the_module(env):
    held = env.run(host="compute-01", action="hold", reason="fans replaced", ticket="OPS-1")
    assert held["changed"] and held["state"] == "held"
    assert env.svc("compute-01")["status"] == "disabled"
    again = env.run(host="compute-01", action="hold", reason="fans replaced", ticket="OPS-1")
    assert again["changed"] is False
    noted = env.run(host="compute-01", action="note", note="burn-in running")
    assert noted["changed"] and noted["record"]["note"] == "burn-in running"
    released = env.run(host="compute-01", action="release")
    assert released["changed"] and released["state"] == "returned"
    assert env.svc("compute-01")["status"] == "enabled"
    actions = [e["action"] for e in AuditLog(env.audit_log).entries()]
    assert actions.count("remediation.held") == 1 and "remediation.note" in actions
    assert actions[-1] == "remediation.returned"
    assert AuditLog(env.audit_log).verify().ok


def test_a_release_that_does_not_verify_fails_and_stays_held(env):
    env.run(host="compute-01", action="hold", reason="fans replaced")
    env.auditor.fail("compute-01", "HOST-99")  # critical: the manual release verifies nothing high fails
    out = env.run(host="compute-01", action="release", verify_timeout=0)
    assert out["failed"] and out["msg"].startswith("release of compute-01: compute-01 held: verification failed")
    assert out["state"] == "held" and env.svc("compute-01")["status"] == "disabled"
    assert rr.Store(env.layer.nova).get("compute-01").state == "held"


def test_a_note_on_a_host_that_is_not_held_fails(env):
    out = env.run(host="compute-01", action="note", note="hello")
    assert out["failed"] and out["field"] == "host" and "is not held" in out["msg"]


def test_an_unknown_host_fails(env):
    out = env.run(host="compute-99")
    assert out["failed"] and "compute-99" in out["msg"]


# -- remediation_switch: the kill switch --------------------------------------------------------------------------

def switch(env, **args):
    from ansible_collections.osfleet.day2.plugins.modules import remediation_switch
    args.setdefault("audit_log", env.audit_log)
    args.setdefault("audit_actor", "alice")
    return env.main(remediation_switch, args)


def test_the_switch_stops_and_resumes_idempotently_and_a_stopped_run_changes_nothing(env):
    dry = switch(env, state="stopped", reason="INC-1", _ansible_check_mode=True)
    assert dry["changed"] is True and env.writes() == (0, 0)
    stopped = switch(env, state="stopped", reason="INC-1")
    assert stopped["changed"] is True and stopped["stopped"].startswith("INC-1 | alice | ")
    assert switch(env, state="stopped", reason="INC-1")["changed"] is False
    env.svc("compute-01")["state"] = "down"
    env.auditor.fail("compute-01", "NOVA-16")
    before = env.writes()
    out = env.run(host="compute-01")
    assert out["changed"] is False and [r["code"] for r in out["refusals"]] == ["kill_switch"]
    assert env.writes() == before
    resumed = switch(env, state="running")
    assert resumed["changed"] is True and resumed["stopped"] is None
    assert switch(env, state="running")["changed"] is False
    entries = [e for e in AuditLog(env.audit_log).entries() if e["action"] == "remediation.switch"]
    assert [e["details"]["state"] for e in entries] == ["stopped", "running"]


def test_the_switch_needs_a_reason_to_stop(env):
    out = switch(env, state="stopped")
    assert out["failed"] and "reason" in out["msg"]
