# -*- coding: utf-8 -*-
"""The remediation state machine over a Nova in memory served through stubbed HTTP (the real access layer runs).

What is stubbed, and why that is acceptable in a unit test: the *audit* is a FakeAuditor whose ``run()``
returns a ``checks.HostAudit`` built from plain data each test scripts (the audit engine and the gathering
have their own tests; here the question is what the machine does with an audit's answer). The cloud is not
stubbed: Nova's compute services, aggregates, servers and hypervisors are conftest's FakeComputeProxy and
fake_nova.FakeNova behind requests-mock, and Placement answers an empty provider list. Time is a fake clock
(no real sleeps, the maintenance window's loop included); host commands are real tiny Python scripts.
"""
from __future__ import annotations

import os
import sys
from datetime import timedelta

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    maintenance_window,
    remediation_state,
)
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import service as maint_service
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import MaintenanceWindows, Pacing
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import guards
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import machine as mc
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.host_commands import HostCommands
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._remediation.fake_audit import FakeAuditor
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import (
    FakeClock,
    FakeIdentity,
    FakeNova,
)

PY = sys.executable
HOSTS = {"compute-01": "az1", "compute-02": "az1", "compute-03": "az1", "compute-04": "az1",
         "compute-05": "az2", "compute-06": "az2"}
# the restart "command": appends a line to a file, so a test sees that (and how often) it ran
RESTART = "import sys; open(sys.argv[1], 'a').write('restarted\\n')"


class Lab:
    """Six compute hosts (four in az1, two in az2), Nova and Keystone in memory over stubbed HTTP, a fake clock
    whose sleeps run hooks (a service coming up, a rule passing), a FakeAuditor, the audit log."""

    def __init__(self, conn, nova_cloud, stub, tmp_path, monkeypatch):
        conn.compute._services = {"svc-%s" % h: dict(id="svc-%s" % h, host=h, binary="nova-compute", zone=z,
                                                     status="enabled", state="up")
                                  for h, z in HOSTS.items()}
        conn.identity = FakeIdentity()
        self.conn = conn
        self.nova = FakeNova(hosts=tuple(HOSTS), services=conn.compute, looks=2)
        self.layer = nova_cloud(self.nova, conn.identity)
        stub.route("GET", "placement", "/resource_providers", {"resource_providers": []})
        self.fc = FakeClock(utc=rr.now_utc())
        self.hooks = []
        self.clock = mc.Clock(now=self.fc.now, sleep=self.sleep, monotonic=self.fc)
        # the maintenance window the drain opens runs on the same fake clock
        real_clock = maint_service.Clock
        monkeypatch.setattr(maint_service, "Clock", lambda: real_clock(self.fc, self.sleep, self.fc.now))
        self.auditor = FakeAuditor(HOSTS)
        self.entries = []
        self.flag = str(tmp_path / "restarts.log")
        self.commands = HostCommands.from_options({"service_manager": "command",
                                                   "restart_command": [PY, "-c", RESTART, self.flag]})
        self.runbooks = rb.load_runbooks()

    def sleep(self, seconds):
        self.fc.sleep(seconds)
        for hook in list(self.hooks):
            hook()

    def machine(self, check_mode=False, runbooks=None, commands=None, **settings):
        settings.setdefault("confirm_seconds", 30)
        return mc.Remediation(self.layer, self.auditor, self.runbooks if runbooks is None else runbooks,
                              guards.Settings(**settings), commands or self.commands, check_mode=check_mode,
                              audit=lambda *entry: self.entries.append(entry), clock=self.clock, actor="tester",
                              pacing=Pacing(poll_interval=1.0))

    # -- what the cloud holds ------------------------------------------------------------------------------------
    def svc(self, host):
        return self.conn.compute._services["svc-%s" % host]

    def down(self, host):
        self.svc(host)["state"] = "down"

    def record(self, host):
        return rr.Store(self.layer.nova).get(host)

    def restarts(self):
        if not os.path.exists(self.flag):
            return 0
        with open(self.flag, encoding="utf-8") as fh:
            return len(fh.read().splitlines())

    def when_restarted_comes_up(self, host):
        """nova-compute comes up (and NOVA-16 passes) at the first look after the restart command ran."""
        def hook():
            if self.restarts():
                self.svc(host)["state"] = "up"
                self.auditor.heal(host, "NOVA-16")
        self.hooks.append(hook)

    def compute_down(self, host):
        self.down(host)
        self.auditor.fail(host, "NOVA-16")
        self.when_restarted_comes_up(host)

    def states(self):
        return [e[3] for e in self.entries if e[0].startswith("remediation.") and e[0][12:] in rr.OPEN + rr.CLOSED +
                (rr.HELD,)]

    def writes(self):
        return len(self.nova.writes), len(self.conn.compute.calls)


@pytest.fixture
def lab(fake_conn, nova_cloud, stub, tmp_path, monkeypatch):
    return Lab(fake_conn, nova_cloud, stub, tmp_path, monkeypatch)


def to_states(out):
    return [t["to"] for t in out.transitions]


# -- compute_down, end to end -----------------------------------------------------------------------------------

def test_compute_down_is_restarted_verified_and_returned(lab):
    lab.compute_down("compute-01")
    out = lab.machine().run("compute-01", rules=["NOVA-16"])
    assert out.state == rr.RETURNED and out.runbook == "compute_down" and out.rules == ["NOVA-16"]
    assert "verified (NOVA-16 pass) and returned" in out.message
    assert to_states(out) == ["detected", "confirmed", "out_of_pool", "fixing", "verifying", "returned"]
    # one audit-log entry per transition, in order; plus the service changes and each step
    assert lab.states() == to_states(out)
    actions = [e[0] for e in lab.entries]
    assert actions.count("remediation.disable_service") == 1 and actions.count("remediation.enable_service") == 1
    assert [e[3] for e in lab.entries if e[0] == "remediation.step"] == ["ok", "ok"]
    assert [(s["name"], s["ok"]) for s in out.steps] == [("restart_service", True), ("wait", True)]
    assert lab.restarts() == 1
    # the host is back in the pool, exactly as it was
    assert lab.svc("compute-01")["status"] == "enabled" and lab.svc("compute-01").get("disabled_reason") is None
    rec = lab.record("compute-01")
    assert rec.state == rr.RETURNED and rec.prior == "enabled" and rec.step == 2 and len(rec.history) == 1
    assert out.changed
    # the flap guard waited, the confirmation re-ran the audit on the host only
    assert 30 in lab.fc.sleeps and lab.auditor.calls[:2] == [None, ["compute-01"]]
    confirmed = next(t for t in out.transitions if t["to"] == "confirmed")
    assert confirmed["evidence"]["NOVA-16"]["status"] == "fail"


def test_while_out_of_the_pool_the_service_reason_says_where_the_record_stands(lab):
    lab.compute_down("compute-01")
    seen = []
    lab.hooks.insert(0, lambda: seen.append(lab.svc("compute-01").get("disabled_reason")))
    lab.machine().run("compute-01")
    fixing = [r for r in seen if r and remediation_state(r) == "fixing"]
    assert fixing and fixing[0].startswith("osfleet-remediation:fixing compute_down")


def test_a_second_run_after_the_return_changes_nothing(lab):
    lab.compute_down("compute-01")
    lab.machine().run("compute-01")
    before = lab.writes()
    out = lab.machine().run("compute-01")
    assert out.state == rr.RETURNED and not out.changed and lab.writes() == before
    assert "nothing fails on compute-01" in out.message


# -- dismissed -------------------------------------------------------------------------------------------------

def test_a_signal_the_audit_does_not_confirm_is_dismissed_with_evidence(lab):
    out = lab.machine().run("compute-01", rules=["NOVA-16"])
    assert out.state == rr.DISMISSED and to_states(out) == ["dismissed"]
    assert out.transitions[0]["evidence"] == {"NOVA-16": {"status": "pass", "message": "NOVA-16 pass on compute-01"}}
    assert "does not confirm the signal" in out.message
    assert lab.conn.compute.calls == [] and lab.svc("compute-01")["status"] == "enabled"
    assert lab.record("compute-01").reason == "not confirmed by the audit"


def test_an_error_is_not_a_fail_nor_a_pass(lab):
    lab.auditor.fail("compute-01", "NOVA-16", status="error")
    out = lab.machine().run("compute-01", rules=["NOVA-16"])
    assert out.state == rr.DISMISSED and lab.conn.compute.calls == []


def test_the_flap_guard_dismisses_a_rule_that_passes_at_the_recheck(lab):
    lab.auditor.fail("compute-01", "NOVA-16")
    lab.hooks.append(lambda: lab.auditor.heal("compute-01", "NOVA-16"))
    out = lab.machine().run("compute-01", rules=["NOVA-16"])
    assert to_states(out) == ["detected", "dismissed"]
    assert out.transitions[-1]["reason"] == "passed on the re-check (flap guard)"
    assert out.transitions[-1]["evidence"]["NOVA-16"]["status"] == "pass"
    assert lab.conn.compute.calls == [] and lab.restarts() == 0


def test_no_confirm_seconds_no_recheck(lab):
    lab.compute_down("compute-01")
    out = lab.machine(confirm_seconds=0).run("compute-01")
    assert out.state == rr.RETURNED and 30 not in lab.fc.sleeps


# -- held on detection -------------------------------------------------------------------------------------------

def test_a_critical_rule_no_runbook_knows_is_held_and_taken_out(lab):
    lab.auditor.fail("compute-01", "HOST-99")
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and to_states(out) == ["held"]
    assert [r["code"] for r in out.refusals] == ["no_runbook"]
    svc = lab.svc("compute-01")
    assert svc["status"] == "disabled" and remediation_state(svc.get("disabled_reason")) == "held"
    assert "no runbook for HOST-99" in svc.get("disabled_reason")
    rec = lab.record("compute-01")
    assert rec.state == rr.HELD and rec.out_by_us and rec.prior == "enabled" and rec.rules == ("HOST-99",)


def test_a_low_rule_no_runbook_knows_is_left_alone(lab):
    lab.auditor.fail("compute-01", "HOST-50")
    out = lab.machine().run("compute-01")
    assert out.state is None and not out.changed and lab.record("compute-01") is None
    assert "nothing fails on compute-01" in out.message


def test_hold_unmatched_never_still_holds_a_named_signal(lab):
    lab.auditor.fail("compute-01", "HOST-99")
    assert lab.machine(hold_unmatched="never").run("compute-01").state is None
    out = lab.machine(hold_unmatched="never").run("compute-01", rules=["HOST-99"])
    assert out.state == rr.HELD


def test_alerts_no_runbook_knows_do_not_hold_a_host_for_another_rule_that_fails(lab):
    """Seen on the lab: a storm of VM alerts (no runbook) handed on by triage held compute-03 "for BMC-03", a
    low rule the alerts were not about; an alert-only signal holds only for rules of hold_unmatched severity."""
    lab.auditor.fail("compute-01", "HOST-50")
    alerts = [{"name": "InstanceUnreachable0", "labels": {"server_id": "s1"}}]
    out = lab.machine().run("compute-01", alerts=alerts)
    assert out.state == rr.DISMISSED and lab.svc("compute-01")["status"] == "enabled", out.message
    lab.auditor.fail("compute-01", "HOST-99")
    assert lab.machine().run("compute-01", alerts=alerts).state == rr.HELD


# -- drain through a maintenance window, hold, release -------------------------------------------------------------

def overtemp(lab, host="compute-01"):
    lab.nova.add_server("s1", host=host)
    lab.nova.add_server("s2", host=host)
    lab.auditor.fail(host, "HW-14")


def window_of(lab, name):
    return MaintenanceWindows(lab.layer).windows(name)[0].window


def test_overtemp_drains_through_a_window_and_holds_then_release_returns_it(lab):
    overtemp(lab)
    out = lab.machine().run("compute-01")
    assert out.runbook == "overtemp" and out.state == rr.HELD
    assert to_states(out) == ["detected", "confirmed", "out_of_pool", "fixing", "held"]
    assert lab.nova.on("compute-01") == [] and sorted(lab.nova.on("compute-02") + lab.nova.on("compute-03")) == [
        "s1", "s2"]
    rec = lab.record("compute-01")
    assert rec.window.startswith("remed-compute-01-") and rec.step == 1
    assert window_of(lab, rec.window).state == "ready"
    svc = lab.svc("compute-01")
    assert svc["status"] == "disabled" and remediation_state(svc.get("disabled_reason")) == "held"
    assert "needs hands on the machine" in rec.reason
    # the operator fixed it: the rule passes; the release verifies and gives everything back
    lab.auditor.heal("compute-01", "HW-14")
    back = lab.machine().release("compute-01", verify_timeout=60)
    assert back.state == rr.RETURNED and to_states(back) == ["verifying", "returned"]
    assert window_of(lab, rec.window).state == "complete"
    svc = lab.svc("compute-01")
    assert svc["status"] == "enabled" and svc.get("disabled_reason") is None


def test_release_while_the_rule_still_fails_stays_held(lab):
    overtemp(lab)
    lab.machine().run("compute-01")
    out = lab.machine().release("compute-01", verify_timeout=60, interval=10)
    assert out.state == rr.HELD and to_states(out) == ["verifying", "held"]
    assert "verification failed after 60s: HW-14 fail" in out.message
    assert lab.svc("compute-01")["status"] == "disabled"
    assert lab.record("compute-01").state == rr.HELD


def test_release_of_a_host_not_held_does_nothing(lab):
    out = lab.machine().release("compute-01")
    assert not out.changed and "is not held" in out.message


def test_a_drain_is_refused_when_the_servers_do_not_fit(lab):
    overtemp(lab)
    lab.nova.capacity = {h: (0, 0) for h in HOSTS}
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["capacity"]
    assert "step drain refused" in lab.record("compute-01").reason
    assert lab.nova.on("compute-01") == ["s1", "s2"]


def test_a_drain_is_refused_on_a_host_with_a_quarantined_server(lab):
    overtemp(lab)
    lab.nova.raw("s1")["metadata"]["osfleet_quarantine_case"] = "CASE-1"
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["quarantine"]
    assert lab.nova.on("compute-01") == ["s1", "s2"]


def test_a_run_killed_during_the_drain_resumes_the_same_window(lab):
    overtemp(lab)
    died = []

    def killed():
        if lab.fc.sleeps[-1] == 1.0 and not died:  # the window's drain loop, between two looks
            died.append(True)
            raise KeyboardInterrupt("the controller died mid-drain")
    lab.hooks.insert(0, killed)
    with pytest.raises(KeyboardInterrupt):
        lab.machine().run("compute-01")
    rec = lab.record("compute-01")
    assert rec.state == rr.FIXING and rec.step == 0 and rec.window
    assert maintenance_window(lab.svc("compute-01").get("disabled_reason")) == rec.window
    out = lab.machine().run("compute-01")
    assert out.state_before == rr.FIXING and out.state == rr.HELD
    assert lab.nova.on("compute-01") == []
    windows = [a["name"] for a in lab.nova.aggregates() if a["name"].startswith("osfleet-maint-")]
    assert windows == ["osfleet-maint-" + rec.window]  # the same window, not a second one


def test_a_host_in_someone_elses_maintenance_window_is_not_touched(lab):
    lab.svc("compute-01").update(status="disabled", disabled_reason="osfleet-maintenance:bios-upgrade CHG-7")
    lab.compute_down("compute-01")
    before = lab.writes()
    out = lab.machine().run("compute-01")
    assert [r["code"] for r in out.refusals] == ["in_maintenance"] and "bios-upgrade" in out.message
    assert lab.writes() == before and lab.restarts() == 0


# -- the guards ------------------------------------------------------------------------------------------------

def test_the_zone_cap_holds_the_second_host_of_a_zone_without_disabling_it(lab):
    lab.auditor.fail("compute-01", "HOST-99")
    lab.machine().run("compute-01")  # held, out of the pool
    lab.compute_down("compute-02")
    out = lab.machine().run("compute-02")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["zone_cap"]
    assert "zone az1: 1 of 4 hosts already out of the pool (compute-01)" in out.message
    svc = lab.svc("compute-02")
    assert svc["status"] == "enabled" and svc.get("disabled_reason") is None  # NOT taken out
    assert lab.restarts() == 0
    rec = lab.record("compute-02")
    assert rec.state == rr.HELD and not rec.out_by_us
    # another zone is not capped by az1
    lab.compute_down("compute-05")
    assert lab.machine().run("compute-05").state == rr.RETURNED


def test_the_zone_cap_counts_a_host_disabled_by_hand(lab):
    lab.svc("compute-03").update(status="disabled", disabled_reason="BIOS update by hand")
    lab.auditor.fail("compute-01", "HOST-99")
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and "zone_cap" in [r["code"] for r in out.refusals]
    assert "left in the pool" in lab.record("compute-01").reason
    assert lab.svc("compute-01")["status"] == "enabled"


def test_a_partition_holds_every_host_and_disables_none(lab):
    for host in ("compute-01", "compute-02", "compute-05"):
        lab.compute_down(host)
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and out.held_hosts == ["compute-01", "compute-02", "compute-05"]
    assert [r["code"] for r in out.refusals] == ["partition"]
    assert "3 hosts fail NOVA-16 at once" in out.message
    for host in ("compute-01", "compute-02", "compute-05"):
        assert lab.record(host).state == rr.HELD and lab.record(host).reason.startswith("partition: ")
        assert lab.svc(host)["status"] == "enabled"
    assert lab.conn.compute.calls == [] and lab.restarts() == 0


def test_a_partition_returns_the_record_of_the_host_asked_about(lab):
    for host in ("compute-01", "compute-02", "compute-05"):
        lab.compute_down(host)
    out = lab.machine().run("compute-01")
    assert out.record["host"] == "compute-01"


def test_max_per_day_holds_without_taking_out(lab):
    at = lab.fc.now()
    starts = tuple(rr.format_time(at - timedelta(hours=h)) for h in (20, 10, 2))
    rr.Store(lab.layer.nova).save(rr.Record("compute-01", state=rr.RETURNED, history=starts))
    lab.compute_down("compute-01")
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["max_per_day"]
    assert lab.svc("compute-01")["status"] == "enabled" and lab.restarts() == 0
    assert "3 remediations of this host in the last 24 h" in lab.record("compute-01").reason


def test_the_cooldown_leaves_the_host_as_it_is(lab):
    at = lab.fc.now()
    rr.Store(lab.layer.nova).save(rr.Record("compute-01", state=rr.RETURNED,
                                            history=(rr.format_time(at - timedelta(minutes=10)),)))
    lab.compute_down("compute-01")
    before = lab.writes()
    out = lab.machine().run("compute-01")
    assert [r["code"] for r in out.refusals] == ["cooldown"] and "left as it is" in out.message
    assert out.state == rr.RETURNED and lab.writes() == before and not out.changed


def test_the_kill_switch_changes_nothing(lab):
    lab.compute_down("compute-01")
    store = rr.Store(lab.layer.nova)
    assert mc.stop(store, "incident 7", "alice", lab.fc.now()) is True
    before = lab.writes()
    out = lab.machine().run("compute-01")
    assert [r["code"] for r in out.refusals] == ["kill_switch"] and "incident 7 | alice" in out.message
    assert lab.writes() == before and not out.changed and lab.restarts() == 0 and lab.auditor.calls == []
    assert mc.resume(store) is True and mc.resume(store) is False
    assert lab.machine().run("compute-01").state == rr.RETURNED


THREE_STEPS = """
name: compute_down_slow
priority: 99
match: {rules: [NOVA-16]}
steps:
  - {type: restart_service, service: nova-compute}
  - {type: wait, until: service_up, timeout: 60}
  - {type: wait, until: seconds, seconds: 5}
"""


def stop_after_restart(lab):
    store = rr.Store(lab.layer.nova)
    flipped = []

    def hook():
        if lab.restarts() and not flipped:
            flipped.append(mc.stop(store, "stop now", "bob", lab.fc.now()))
    lab.hooks.insert(0, hook)


def test_the_kill_switch_stops_a_run_between_steps(lab):
    lab.compute_down("compute-01")
    stop_after_restart(lab)
    books = [rb.load_runbook_text(THREE_STEPS, "/ops/slow.yml")]
    out = lab.machine(runbooks=books).run("compute-01")
    assert out.state == rr.FIXING and "kill_switch" in [r["code"] for r in out.refusals]
    assert lab.record("compute-01").step == 2  # the wait finished; the next step did not start
    assert lab.svc("compute-01")["status"] == "disabled"  # stays where it is


def test_the_kill_switch_set_during_the_last_step_keeps_the_host_out(lab):
    lab.compute_down("compute-01")
    stop_after_restart(lab)
    out = lab.machine().run("compute-01")
    assert "kill_switch" in [r["code"] for r in out.refusals]
    assert out.state != rr.RETURNED
    assert lab.svc("compute-01")["status"] == "disabled"  # stays where it is


def test_a_held_host_is_not_touched_by_run(lab):
    lab.machine().hold("compute-01", "disk replaced, burn-in", ticket="OPS-9")
    lab.compute_down("compute-01")
    before = lab.writes()
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["held"]
    assert "no runbook touches it" in out.message and lab.writes() == before and lab.restarts() == 0


# -- the manual path ----------------------------------------------------------------------------------------------

def test_hold_note_release(lab):
    out = lab.machine().hold("compute-01", "fans replaced", ticket="OPS-1")
    assert out.state == rr.HELD and to_states(out) == ["held"]
    svc = lab.svc("compute-01")
    assert svc["status"] == "disabled" and svc.get("disabled_reason").startswith("osfleet-remediation:held")
    again = lab.machine().hold("compute-01", "fans replaced", ticket="OPS-1")
    assert not again.changed and "already held" in again.message
    note = lab.machine().note("compute-01", "burn-in 2 of 3 passed")
    assert lab.record("compute-01").note == "burn-in 2 of 3 passed" and note.changed
    assert ("remediation.note", "compute-01", None, "burn-in 2 of 3 passed") == lab.entries[-1][:4]
    back = lab.machine().release("compute-01")
    assert back.state == rr.RETURNED and lab.svc("compute-01")["status"] == "enabled"


def test_hold_without_take_out_leaves_the_service(lab):
    out = lab.machine().hold("compute-01", "watching", take_out=False)
    assert out.state == rr.HELD and lab.svc("compute-01")["status"] == "enabled"
    assert lab.machine().release("compute-01").state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "enabled"


def test_a_note_on_a_host_not_held_is_refused(lab):
    with pytest.raises(mc.ConflictError):
        lab.machine().note("compute-01", "hello")


# -- resume ----------------------------------------------------------------------------------------------------

def test_a_killed_run_is_resumed_from_the_recorded_step(lab):
    lab.compute_down("compute-01")

    def killed():
        if lab.restarts() and lab.svc("compute-01")["state"] == "down":
            raise KeyboardInterrupt("the controller died")
    lab.hooks.insert(0, killed)  # before the service comes up: the run dies inside the wait
    with pytest.raises(KeyboardInterrupt):
        lab.machine().run("compute-01")
    rec = lab.record("compute-01")
    assert rec.state == rr.FIXING and rec.step == 1 and lab.svc("compute-01")["status"] == "disabled"
    lab.hooks.remove(killed)
    out = lab.machine().run("compute-01")
    assert out.state_before == rr.FIXING and out.state == rr.RETURNED
    assert [s["name"] for s in out.steps] == ["wait"]  # not the restart again
    assert lab.restarts() == 1 and to_states(out) == ["verifying", "returned"]
    assert lab.svc("compute-01")["status"] == "enabled"


def test_a_failing_step_is_retried_then_holds(lab):
    lab.compute_down("compute-01")
    failing = HostCommands.from_options({"service_manager": "command",
                                         "restart_command": [PY, "-c", "import sys; sys.exit(3)"]})
    out = lab.machine(commands=failing).run("compute-01")
    assert out.state == rr.HELD and [s["attempt"] for s in out.steps] == [1, 2]
    assert "step restart_service failed" in lab.record("compute-01").reason and "exited 3" in out.message
    assert lab.svc("compute-01")["status"] == "disabled"  # out of the pool, held for a person


# -- check mode --------------------------------------------------------------------------------------------------

def test_check_mode_writes_nothing_and_returns_a_plan(lab):
    lab.compute_down("compute-01")
    out = lab.machine(check_mode=True).run("compute-01")
    assert lab.nova.writes == [] and lab.conn.compute.calls == [] and lab.entries == []
    assert lab.nova.aggregates() == [] and lab.restarts() == 0
    assert [p["step"] for p in out.plan] == ["confirm", "out_of_pool", "restart_service", "wait", "verify"]
    assert out.plan[2]["detail"].startswith("run %s -c" % PY)
    assert 30 not in lab.fc.sleeps  # no flap-guard wait in a dry run


def test_check_mode_on_a_healthy_host_is_not_changed(lab):
    out = lab.machine(check_mode=True).run("compute-01")
    assert not out.changed and out.plan == [] and lab.nova.writes == []


def test_check_mode_release_plans_the_verification(lab):
    lab.machine().hold("compute-01", "x")
    before = lab.writes()
    out = lab.machine(check_mode=True).release("compute-01")
    assert [p["step"] for p in out.plan] == ["verify"] and lab.writes() == before


# -- given back exactly as it was -------------------------------------------------------------------------------------

def test_a_host_disabled_with_someone_elses_reason_is_given_back_with_it(lab):
    lab.svc("compute-02").update(status="disabled", disabled_reason="old reason")
    lab.compute_down("compute-02")
    out = lab.machine().run("compute-02")
    assert out.state == rr.RETURNED and lab.record("compute-02").prior == "disabled:old reason"
    svc = lab.svc("compute-02")
    assert svc["status"] == "disabled" and svc.get("disabled_reason") == "old reason"


def test_someone_disabling_the_host_meanwhile_keeps_their_reason(lab):
    lab.compute_down("compute-01")

    def operator():
        if lab.restarts():
            lab.svc("compute-01")["disabled_reason"] = "RAM test by hand"
    lab.hooks.append(operator)
    out = lab.machine().run("compute-01")
    assert out.state == rr.RETURNED
    assert lab.svc("compute-01").get("disabled_reason") == "RAM test by hand"
    assert lab.svc("compute-01")["status"] == "disabled"


def test_someone_elses_window_disabling_the_host_meanwhile_keeps_it_disabled(lab):
    """Any window's marker used to count as ours at the return: a window an operator opened on the host while
    the remediation ran had its host enabled under it."""
    lab.compute_down("compute-01")
    theirs = "osfleet-maintenance:chg-4711 BIOS update"

    def operator():
        if lab.restarts():
            lab.svc("compute-01")["disabled_reason"] = theirs
    lab.hooks.append(operator)
    out = lab.machine().run("compute-01")
    assert out.state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "disabled"
    assert lab.svc("compute-01").get("disabled_reason") == theirs


# -- approval ----------------------------------------------------------------------------------------------------

APPROVED = """
name: compute_down_approved
priority: 99
match: {rules: [NOVA-16]}
steps:
  - {type: restart_service, service: nova-compute, approval: required}
  - {type: wait, until: service_up, timeout: 60}
"""


def test_a_step_that_needs_approval_waits_then_continues(lab):
    lab.compute_down("compute-01")
    books = [rb.load_runbook_text(APPROVED, "/ops/approved.yml")] + lab.runbooks
    out = lab.machine(runbooks=books).run("compute-01")
    assert out.runbook == "compute_down_approved" and out.state == rr.FIXING
    assert out.awaiting_approval == {"step": 0, "type": "restart_service", "name": "restart_service"}
    assert "waits for an operator's approval" in out.message and lab.restarts() == 0
    again = lab.machine(runbooks=books).run("compute-01")  # still not approved
    assert again.awaiting_approval and lab.restarts() == 0
    done = lab.machine(runbooks=books).run("compute-01", approve=True)
    assert done.state == rr.RETURNED and lab.restarts() == 1
    approved = [e for e in lab.entries if e[0] == "remediation.approved"]
    assert len(approved) == 1 and approved[0][4]["by"] == "tester"


CLEAR_SEL = """
name: sel_full
match: {rules: [HOST-25]}
steps:
  - {type: clear_sel}
"""


def test_a_bmc_step_on_a_host_without_a_known_bmc_holds(lab):
    lab.auditor.fail("compute-01", "HOST-25")
    books = [rb.load_runbook_text(CLEAR_SEL, "/ops/sel.yml")]
    out = lab.machine(runbooks=books).run("compute-01")
    assert out.state == rr.HELD and "no BMC is known for compute-01" in out.message
    assert [s["ok"] for s in out.steps] == [False]


def test_check_mode_describes_a_clear_sel(lab):
    lab.auditor.fail("compute-01", "HOST-25")
    books = [rb.load_runbook_text(CLEAR_SEL, "/ops/sel.yml")]
    out = lab.machine(check_mode=True, runbooks=books).run("compute-01")
    assert [p.get("detail") for p in out.plan if p["step"] == "clear_sel"] == ["clear the BMC's event logs"]


CONTINUE = """
name: restart_or_not
priority: 99
match: {rules: [NOVA-16]}
steps:
  - {type: restart_service, service: nova-compute, on_failure: continue}
  - {type: wait, until: seconds, seconds: 5}
"""


def test_a_failed_step_with_on_failure_continue_goes_on(lab):
    lab.down("compute-01")
    lab.auditor.fail("compute-01", "NOVA-16")
    lab.hooks.append(lambda: lab.fc.sleeps[-1] == 5 and lab.auditor.heal("compute-01", "NOVA-16"))
    failing = HostCommands.from_options({"service_manager": "command",
                                         "restart_command": [PY, "-c", "import sys; sys.exit(1)"]})
    books = [rb.load_runbook_text(CONTINUE, "/ops/continue.yml")]
    out = lab.machine(runbooks=books, commands=failing).run("compute-01")
    assert [(s["name"], s["ok"]) for s in out.steps] == [("restart_service", False), ("wait", True)]
    assert out.state == rr.RETURNED


def test_bmc_down_is_selected_by_its_facts_reset_in_band_and_waits_for_the_rule(lab, tmp_path):
    lab.auditor.fail("compute-01", "HOST-25")
    lab.auditor.facts["compute-01"] = {"bmc_access": {"status": "unreachable"}}
    reset_flag = str(tmp_path / "bmc-reset.log")
    commands = HostCommands.from_options({"bmc_reset_command": [PY, "-c", RESTART, reset_flag]})

    def bmc_answers():
        if os.path.exists(reset_flag):
            lab.auditor.heal("compute-01", "HOST-25")
            lab.auditor.facts["compute-01"] = {"bmc_access": {"status": "ok"}}
    lab.hooks.append(bmc_answers)
    out = lab.machine(commands=commands).run("compute-01")
    assert out.runbook == "bmc_down" and out.state == rr.RETURNED
    assert [(s["type"], s["ok"]) for s in out.steps] == [("bmc_reset", True), ("wait", True)]
    assert lab.svc("compute-01")["status"] == "enabled"


def test_bmc_badauth_is_selected_by_its_facts_and_held(lab):
    lab.auditor.fail("compute-01", "HOST-25")
    lab.auditor.facts["compute-01"] = {"bmc_access": {"status": "auth_failed"}}
    out = lab.machine().run("compute-01")
    assert out.runbook == "bmc_badauth" and out.state == rr.HELD
    assert "credentials are a person's job" in out.message


def test_bmc_badauth_leaves_the_host_in_the_pool(lab):
    lab.auditor.fail("compute-01", "HOST-25")
    lab.auditor.facts["compute-01"] = {"bmc_access": {"status": "auth_failed"}}
    lab.machine().run("compute-01")
    assert lab.svc("compute-01")["status"] == "enabled"


PLAYBOOK_BOOK = """
name: by_playbook
priority: 99
match: {rules: [NOVA-16]}
steps:
  - type: playbook
    path: %s
    extra_vars: {marker: %s}
    timeout: 120
"""
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        dest: "{{ marker }}"
        content: "{{ osfleet_host }} {{ osfleet_runbook }} {{ osfleet_rules | join(',') }}"
"""


def test_a_playbook_step_runs_ansible_playbook_with_the_host_as_variables(lab, tmp_path):
    """The one step that starts a real ansible-playbook (a local, two-second one)."""
    playbook, marker = tmp_path / "fix.yml", tmp_path / "ran.txt"
    playbook.write_text(PLAYBOOK)
    lab.down("compute-01")
    lab.auditor.fail("compute-01", "NOVA-16")

    def fixed():
        if marker.exists():
            lab.auditor.heal("compute-01", "NOVA-16")
    lab.hooks.append(fixed)
    books = [rb.load_runbook_text(PLAYBOOK_BOOK % (playbook, marker), "/ops/pb.yml")]
    out = lab.machine(runbooks=books, confirm_seconds=0).run("compute-01")
    assert [(s["type"], s["ok"]) for s in out.steps] == [("playbook", True)], out.steps
    assert marker.read_text() == "compute-01 by_playbook NOVA-16" and out.state == rr.RETURNED


POWER_BOOK = """
name: power_cycle_it
priority: 99
match: {rules: [NOVA-16]}
steps:
  - {type: power, action: power_cycle, timeout: 60}
"""


class FakeBmc:
    """The BMC behind open_bmc (the hardware adapters have their own tests): its power state and the calls."""

    def __init__(self, opened):
        self.address, self.state, self.calls, self.opened = "redfish://10.0.0.1", "on", [], opened

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def power_state(self):
        return self.state

    def power(self, action):
        self.calls.append(action)


def fake_bmc(monkeypatch):
    made = []

    def open_bmc(address, username, password, **kw):
        made.append(FakeBmc(dict(kw, address=address, username=username)))
        return made[-1]
    monkeypatch.setattr(mc, "open_bmc", open_bmc)
    return made


def test_a_disruptive_power_step_is_refused_while_servers_run_and_runs_on_an_empty_host(lab, monkeypatch):
    made = fake_bmc(monkeypatch)
    lab.nova.add_server("s1", host="compute-01")
    lab.compute_down("compute-01")
    lab.when_restarted_comes_up("compute-01")
    books = [rb.load_runbook_text(POWER_BOOK, "/ops/power.yml")]
    bmcs = {"compute-01": {"address": "redfish://10.0.0.1", "username": "u", "password": "p", "verify": False}}
    machine = lab.machine(runbooks=books)
    machine.bmcs = bmcs
    out = machine.run("compute-01")
    assert out.state == rr.HELD and [r["code"] for r in out.refusals] == ["servers_on_host"] and made == []
    # the operator empties the host and releases it; the next detection power-cycles it
    lab.nova.delete("s1")
    lab.auditor.heal("compute-01", "NOVA-16")
    assert lab.machine(runbooks=books).release("compute-01").state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "enabled"
    lab.auditor.fail("compute-01", "NOVA-16")
    lab.fc.t += 3600  # past the cooldown
    machine = lab.machine(runbooks=books)
    machine.bmcs = bmcs
    lab.hooks.append(lambda: made and lab.auditor.heal("compute-01", "NOVA-16"))
    out = machine.run("compute-01")
    assert [(s["type"], s["ok"]) for s in out.steps] == [("power", True)], out.steps
    assert made[0].calls == ["power_cycle"] and made[0].opened["validate_certs"] is False
    assert out.state == rr.RETURNED and lab.svc("compute-01")["status"] == "enabled"


# -- a runbook that went away -------------------------------------------------------------------------------------

def test_an_open_record_whose_runbook_is_no_longer_loaded_is_held(lab):
    rr.Store(lab.layer.nova).save(rr.Record("compute-01", state=rr.FIXING, runbook="gone", rules=("NOVA-16",)))
    out = lab.machine().run("compute-01")
    assert out.state == rr.HELD and "runbook 'gone' is no longer loaded" in out.message


def test_an_unknown_host_is_refused(lab):
    with pytest.raises(mc.NotFoundError):
        lab.machine().run("compute-99")


# -- found while testing: bugs of machine.py, fixed ------------------------------------

def test_a_run_killed_during_the_flap_guard_rechecks_on_resume(lab):
    lab.compute_down("compute-01")

    def killed():
        raise KeyboardInterrupt("the controller died during the confirm wait")
    lab.hooks.insert(0, killed)
    with pytest.raises(KeyboardInterrupt):
        lab.machine().run("compute-01")
    assert lab.record("compute-01").state == rr.DETECTED
    lab.hooks.remove(killed)
    lab.auditor.heal("compute-01", "NOVA-16")  # it was a flap
    lab.svc("compute-01")["state"] = "up"
    out = lab.machine().run("compute-01")
    assert out.state == rr.DISMISSED
    assert lab.conn.compute.calls == [] and lab.restarts() == 0


def test_holding_a_held_host_again_keeps_what_the_release_needs(lab):
    lab.machine().hold("compute-01", "fans replaced")
    lab.machine().hold("compute-01", "fans replaced", ticket="OPS-2")  # the operator adds the ticket
    rec = lab.record("compute-01")
    assert rec.ticket == "OPS-2" and rec.prior == "enabled"
    assert lab.machine().release("compute-01").state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "enabled"


def test_holding_a_drained_host_again_keeps_its_window(lab):
    overtemp(lab)
    lab.machine().run("compute-01")
    name = lab.record("compute-01").window
    lab.machine().hold("compute-01", "waiting for the fan", ticket="OPS-3")
    assert lab.record("compute-01").window == name
    lab.auditor.heal("compute-01", "HW-14")
    lab.machine().release("compute-01")
    assert window_of(lab, name).state == "complete"


ALERT_ONLY = """
name: compute_down_by_alert
match:
  alerts: [{name: OsfleetNovaComputeDown}]
steps:
  - {type: restart_service, service: nova-compute}
  - {type: wait, until: service_up, timeout: 60}
verify:
  rules: [NOVA-16]
"""


def test_an_alert_only_runbook_is_confirmed_by_its_verify_rules(lab):
    lab.compute_down("compute-01")
    books = [rb.load_runbook_text(ALERT_ONLY, "/ops/alert_only.yml")]
    out = lab.machine(runbooks=books).run("compute-01", alerts=[{"name": "OsfleetNovaComputeDown", "labels": {}}])
    assert out.runbook == "compute_down_by_alert"
    assert out.state == rr.RETURNED and lab.restarts() == 1


def test_a_run_killed_right_after_the_disable_still_returns_the_host_enabled(lab):
    lab.compute_down("compute-01")
    machine = lab.machine()
    hook = machine.audit_hook

    def dies_after_disable(action, *rest):
        hook(action, *rest)
        if action == "remediation.disable_service":
            raise KeyboardInterrupt("the controller died after the disable")
    machine.audit_hook = dies_after_disable
    with pytest.raises(KeyboardInterrupt):
        machine.run("compute-01")
    assert lab.record("compute-01").state == rr.CONFIRMED
    assert remediation_state(lab.svc("compute-01").get("disabled_reason")) == "out_of_pool"
    out = lab.machine().run("compute-01")
    assert out.state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "enabled"


def test_the_marker_of_our_own_window_left_on_the_service_gives_way_to_the_record(lab):
    """CI on the lab saw the window's marker on the service after the hold: the hold must say held anyway."""
    overtemp(lab)
    lab.machine().run("compute-01")
    rec = lab.record("compute-01")
    lab.svc("compute-01")["disabled_reason"] = mm.service_reason(rec.window, "remediation overtemp (HW-14)")
    lab.machine().hold("compute-01", "waiting for the fan")
    svc = lab.svc("compute-01")
    assert svc["status"] == "disabled" and remediation_state(svc["disabled_reason"]) == "held"
    lab.auditor.heal("compute-01", "HW-14")
    assert lab.machine().release("compute-01").state == rr.RETURNED
    assert lab.svc("compute-01")["status"] == "enabled" and window_of(lab, rec.window).state == "complete"


def test_a_second_hold_leaves_the_service_saying_held(lab):
    lab.machine().hold("compute-01", "fans replaced")
    lab.machine().hold("compute-01", "fans replaced", ticket="OPS-9")
    assert remediation_state(lab.svc("compute-01")["disabled_reason"]) == "held"
