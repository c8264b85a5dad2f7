# -*- coding: utf-8 -*-
"""Maintenance windows over a Nova in memory: schedule, answers, drain, ready, complete; resume, check mode."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.notify import WebhookSettings, validate_webhooks
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.record import RECORD_PREFIX, ServerRecord
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import Clock, MaintenanceWindows, Pacing
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import (
    FakeClock,
    FakeIdentity,
    FakeNova,
    add_compute_services,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.loopback_receiver import Receiver

HOST = "compute-01"
SECRET_A = "shop-secret-0123456789abcdef"
SECRET_B = "lab-secret-0123456789abcdef"


class Cloud:
    """conftest's fake_conn (compute services) + a FakeNova + Keystone projects, both served over stubbed HTTP to
    the real access layer (``layer``) + a fake clock + an audit list."""

    def __init__(self, conn, nova_cloud):
        add_compute_services(conn.compute, "compute-04", "compute-05")
        self.conn = conn
        self.conn.identity = FakeIdentity()
        self.nova = FakeNova(hosts=("compute-01", "compute-02", "compute-03", "compute-04", "compute-05"),
                             services=conn.compute)
        self.layer = nova_cloud(self.nova, self.conn.identity)
        self.clock = FakeClock()
        self.audit = []

    def service(self, check_mode=False, webhooks=None, **pacing):
        return MaintenanceWindows(self.layer, check_mode=check_mode, audit=lambda *a: self.audit.append(a),
                                  webhooks=WebhookSettings(validate_webhooks(webhooks), timeout=5),
                                  pacing=Pacing(**pacing), clock=Clock(self.clock, self.clock.sleep, self.clock.now))

    def window(self, **kw):
        base = dict(name="w1", hosts=(HOST,), reason="CHG-1 BIOS", start_at=self.clock.now() + timedelta(hours=12),
                    end_at=self.clock.now() + timedelta(hours=16),
                    reply_deadline=self.clock.now() + timedelta(hours=1))
        base.update(kw)
        return mm.Window(**base)

    def svc(self, host=HOST):
        return next(r for r in self.conn.compute._services.values() if r["host"] == host)

    def aggregate(self, name="w1"):
        return next(a for a in self.nova.aggregates() if a["name"] == "osfleet-maint-" + name)

    def states(self):
        return [a[3] for a in self.audit if a[0] == "maintenance.state"]

    def writes(self):
        return len(self.nova.writes), len(self.conn.compute.calls)

    def answer(self, sid, value, key=mm.S_ANSWER):
        self.nova.raw(sid)["metadata"][key] = value  # the owner, with their own credentials

    def pass_deadline(self):
        self.clock.t += 2 * 3600


@pytest.fixture
def cloud(fake_conn, nova_cloud):
    return Cloud(fake_conn, nova_cloud)


def status_of(view):
    return {sid: rec.status for sid, rec in view.records.items()}


# -- scheduled --------------------------------------------------------------------------------------------------

def test_schedule_creates_the_window_record_and_the_notices_then_a_second_run_changes_nothing(cloud):
    cloud.nova.add_server("s1", project="tenant-a", name="web-1")
    cloud.nova.add_server("s2", project="tenant-b", name="db|1")
    service = cloud.service()
    view = service.schedule(cloud.window())
    assert view.window.state == "notified"
    agg = cloud.aggregate()
    assert agg["hosts"] == [HOST]
    md = agg["metadata"]
    assert md[mm.W_STATE] == "notified" and md[mm.W_NAME] == "w1" and md[mm.W_REASON] == "CHG-1 BIOS"
    assert md[mm.W_DEADLINE] == "2026-12-04T11:00:00Z" and md[mm.W_DEFAULT] == "live_migrate"
    assert ServerRecord.decode("s1", md[RECORD_PREFIX + "s1"]) == ServerRecord(
        "s1", "pending", "pending", "tenant-a", HOST, md[RECORD_PREFIX + "s1"].split("|")[4], "web-1")
    assert md[RECORD_PREFIX + "s2"].endswith("|db/1")  # a | in a name cannot break the record line
    for sid in ("s1", "s2"):
        notice = cloud.nova.raw(sid)["metadata"]
        assert notice[mm.S_WINDOW] == "w1" and notice[mm.S_STATUS] == "pending"
        assert notice[mm.S_ACTION] == "pending" and notice[mm.S_KIND] == "temporary"
        assert notice[mm.S_REPLY_BY] == "2026-12-04T11:00:00Z" and notice[mm.S_START] == "2026-12-04T22:00:00Z"
        assert "waiting for the reply deadline" in notice[mm.S_DETAIL]
    assert cloud.states() == ["notified"]
    assert {a[0] for a in cloud.audit} == {"maintenance.schedule", "maintenance.hosts", "maintenance.state"}
    [created] = [a for a in cloud.audit if a[0] == "maintenance.schedule"]
    assert created[2] is None and created[3]["hosts"] == [HOST]  # a new window has no "before"
    assert cloud.svc()["status"] == "enabled"  # scheduling does not touch the host

    before, entries = cloud.writes(), len(cloud.audit)
    again = cloud.service()
    view = again.schedule(cloud.window())
    assert again.changes == [] and cloud.writes() == before and len(cloud.audit) == entries
    assert view.window.state == "notified"


def test_schedule_in_check_mode_plans_everything_and_writes_nothing(cloud):
    cloud.nova.add_server("s1")
    cloud.conn.identity.projects[0].update(osfleet_maintenance_webhook="http://127.0.0.1:9/",
                                           osfleet_maintenance_webhook_secret=SECRET_A)
    service = cloud.service(check_mode=True)
    view = service.schedule(cloud.window())
    assert [c["change"] for c in service.changes] == ["create_aggregate", "add_host", "window_settings",
                                                      "server_notice", "webhook", "state"]
    assert view.window.state == "notified"
    assert cloud.nova.writes == [] and cloud.conn.compute.calls == [] and cloud.audit == []
    assert service.deliveries == [] and cloud.nova.aggregates() == []


def test_schedule_host_order_does_not_matter_for_idempotence(cloud):
    add_compute_services(cloud.conn.compute, "compute-06")
    cloud.service().schedule(cloud.window(hosts=("compute-06", HOST)))
    again = cloud.service()
    again.schedule(cloud.window(hosts=("compute-06", HOST)))
    assert again.changes == []
    cloud.service().start("w1")
    assert cloud.service().schedule(cloud.window(hosts=("compute-06", HOST))).window.state == "ready"


def test_changing_settings_is_allowed_until_the_drain_starts(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window())
    later = cloud.window(reply_deadline=cloud.clock.now() + timedelta(hours=3))
    service = cloud.service()
    service.schedule(later)
    assert [c["change"] for c in service.changes] == ["window_settings", "server_notice"]
    assert cloud.nova.raw("s1")["metadata"][mm.S_REPLY_BY] == "2026-12-04T13:00:00Z"
    changed = [a for a in cloud.audit if a[0] == "maintenance.schedule"][-1]
    assert changed[2]["reply_deadline"] == "2026-12-04T11:00:00Z" and changed[3]["reply_deadline"] == \
        "2026-12-04T13:00:00Z"
    cloud.service().start("w1", wait=False)
    with pytest.raises(ConflictError) as err:
        cloud.service().schedule(cloud.window(default_action="migrate"))
    assert err.value.field == "name"
    assert "can no longer change (differs in default_action" in err.value.message


def test_schedule_refuses_unknown_hosts_and_hosts_of_another_window(cloud):
    with pytest.raises(NotFoundError) as err:
        cloud.service().schedule(cloud.window(hosts=("compute-99",)))
    assert err.value.field == "hosts" and "no nova-compute service on compute-99" in err.value.message
    cloud.service().schedule(cloud.window())
    with pytest.raises(ConflictError) as err:
        cloud.service().schedule(cloud.window(name="w2", hosts=(HOST, "compute-04")))
    assert err.value.field == "hosts"
    assert "compute-01 are already in window 'w1' (notified)" in err.value.message
    cloud.service().cancel("w1")
    assert cloud.service().schedule(cloud.window(name="w2")).window.state == "notified"  # an ended window frees it


def test_an_ended_window_refuses_to_be_scheduled_or_started_again(cloud):
    cloud.service().schedule(cloud.window())
    cloud.service().cancel("w1")
    with pytest.raises(ConflictError) as err:
        cloud.service().schedule(cloud.window())
    assert err.value.field == "name"
    assert "already ended (cancelled); schedule a new window under another name" in err.value.message
    with pytest.raises(ConflictError):
        cloud.service().start("w1")
    assert cloud.service().cancel("w1").window.state == "cancelled"  # cancelling again is a no-op


def test_unknown_window_names_the_field(cloud):
    for call in ("start", "hold", "complete", "cancel"):
        with pytest.raises(NotFoundError) as err:
            getattr(cloud.service(), call)("nope")
        assert err.value.field == "name"


# -- started: answers, deadline, ready, complete ----------------------------------------------------------------

def test_answers_are_honoured_and_the_default_applies_after_the_deadline(cloud):
    nova = cloud.nova
    for sid in ("keep", "own", "mig", "silent", "pol", "off"):
        nova.add_server(sid, status="SHUTOFF" if sid == "off" else "ACTIVE")
    cloud.service().schedule(cloud.window())
    cloud.answer("keep", "keep")
    cloud.answer("own", "own_action")
    cloud.answer("mig", "migrate")
    cloud.answer("pol", "shutdown", key=mm.S_POLICY)  # said in advance, in the server's own metadata

    early = cloud.service().start("w1", wait=False)
    assert early.window.state == "draining"
    assert cloud.svc()["status"] == "disabled" and cloud.svc()["disabled_reason"] == "osfleet-maintenance:w1 CHG-1 BIOS"
    assert status_of(early) == {"keep": "kept", "own": "waiting", "mig": "moved", "silent": "pending",
                                "pol": "shut_down", "off": "pending"}
    assert nova.host_of("mig") != HOST and nova.raw("mig")["status"] == "ACTIVE"  # cold, power kept
    assert ("cold", "mig") in nova.actions
    assert nova.raw("pol")["status"] == "SHUTOFF" and nova.host_of("pol") == HOST
    assert nova.raw("own")["metadata"][mm.S_STATUS] == "waiting"

    nova.delete("own")  # the owner takes care of it
    cloud.pass_deadline()
    done = cloud.service().start("w1")
    assert done.window.state == "ready"
    assert status_of(done) == {"keep": "kept", "own": "gone", "mig": "moved", "silent": "moved", "pol": "shut_down",
                               "off": "moved"}
    assert ("live", "silent") in nova.actions and ("cold", "off") in nova.actions  # stopped: cold
    assert nova.raw("off")["status"] == "SHUTOFF"
    assert sorted(nova.on(HOST)) == ["keep", "pol"]
    assert done.records["silent"].host == nova.host_of("silent") != HOST
    assert nova.raw("silent")["metadata"][mm.S_STATUS] == "moved"
    assert nova.raw("silent")["metadata"][mm.S_DETAIL].startswith("live-migrated to ")
    progress = done.to_dict()["progress"]
    assert progress == {"kept": 1, "gone": 1, "moved": 3, "shut_down": 1}

    assert cloud.service().start("w1").window.state == "ready"  # a second run changes nothing
    assert cloud.service().hold("w1").window.state == "in_maintenance"
    before = cloud.writes()
    idle = cloud.service()
    assert idle.hold("w1").window.state == "in_maintenance" and idle.changes == [] and cloud.writes() == before

    complete = cloud.service().complete("w1")
    assert complete.window.state == "complete"
    assert cloud.svc()["status"] == "enabled"
    assert nova.raw("pol")["status"] == "ACTIVE"  # started again: the window shut it down
    assert nova.raw("off")["status"] == "SHUTOFF"  # it was off before the window: left off
    for sid in ("keep", "mig", "silent", "pol", "off"):
        md = nova.raw(sid)["metadata"]
        assert not [k for k in md if k in mm.NOTICE_KEYS or k == mm.S_ANSWER], md
    assert nova.raw("pol")["metadata"] == {mm.S_POLICY: "shutdown"}  # the owner's standing policy stays
    assert cloud.states() == ["notified", "draining", "ready", "in_maintenance", "complete"]
    before, entries = cloud.writes(), len(cloud.audit)
    again = cloud.service()
    assert again.complete("w1").window.state == "complete"
    assert again.changes == [] and cloud.writes() == before and len(cloud.audit) == entries


def test_own_action_not_done_by_the_deadline_gets_the_default(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window(default_action="migrate"))
    cloud.answer("s1", "own_action")
    assert status_of(cloud.service().start("w1", wait=False)) == {"s1": "waiting"}
    cloud.pass_deadline()
    view = cloud.service().start("w1")
    assert view.window.state == "ready" and status_of(view) == {"s1": "moved"}
    assert ("cold", "s1") in cloud.nova.actions
    assert view.records["s1"].action == "migrate"


def test_waiting_for_the_deadline_sleeps_until_then_and_moves(cloud):
    cloud.nova.add_server("s1")
    window = cloud.window()
    cloud.service().schedule(window)
    view = cloud.service().start("w1", wait=True, wait_timeout=7200)
    assert view.window.state == "ready" and status_of(view) == {"s1": "moved"}
    assert cloud.clock.now() >= window.reply_deadline


def test_wait_timeout_returns_a_draining_window(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window())
    view = cloud.service().start("w1", wait=True, wait_timeout=600)
    assert view.window.state == "draining" and status_of(view) == {"s1": "pending"}


def test_removal_moves_even_shutdown_answers_and_leaves_the_host_disabled(cloud):
    nova = cloud.nova
    for sid in ("down", "keeper", "web"):
        nova.add_server(sid)
    cloud.service().schedule(cloud.window(kind="removal", default_action="live_migrate", reply_deadline=None))
    cloud.answer("down", "shutdown")
    cloud.answer("keeper", "keep")
    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert status_of(view) == {"down": "moved", "keeper": "moved", "web": "moved"}
    assert nova.on(HOST) == []
    assert nova.raw("down")["status"] == "SHUTOFF" and ("stop", "down") in nova.actions  # stopped, then moved
    assert view.records["keeper"].action == "live_migrate"  # keep is not possible: the window default
    assert ("live", "keeper") in nova.actions
    cloud.service().complete("w1")
    assert cloud.svc()["status"] == "disabled"
    assert cloud.svc()["disabled_reason"] == "osfleet-maintenance:w1 host removed for good"
    assert nova.raw("down")["status"] == "SHUTOFF"  # removal: not started again


def test_max_parallel_and_max_impacted_members_hold_across_the_windows_hosts(cloud):
    for i in range(6):
        cloud.nova.add_server("a%d" % i, host=HOST, groups=["g-db"] if i < 3 else [])
    for i in range(6):
        cloud.nova.add_server("b%d" % i, host="compute-04", groups=["g-db"] if i < 2 else [])
    cloud.service().schedule(cloud.window(hosts=(HOST, "compute-04"), max_parallel=3, reply_deadline=None))
    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert set(status_of(view).values()) == {"moved"}
    assert cloud.nova.peak == 3 and cloud.nova.group_peak == {"g-db": 1}
    assert cloud.nova.on(HOST) == [] and cloud.nova.on("compute-04") == []


# -- failure ------------------------------------------------------------------------------------------------------

def test_a_server_that_cannot_move_fails_the_window_with_every_server_accounted_for(cloud):
    nova = cloud.nova
    for sid in ("s1", "s2", "s3", "s4"):
        nova.add_server(sid)
    nova.behaviour["s2"] = "error"
    cloud.service().schedule(cloud.window(reply_deadline=None, max_parallel=1))
    view = cloud.service().start("w1")
    assert view.window.state == "failed"
    assert view.window.failed_reason.startswith("1 server(s) could not be moved: s2 (s2): migration ")
    assert status_of(view) == {"s1": "moved", "s2": "failed", "s3": "pending", "s4": "pending"}
    assert cloud.aggregate()["metadata"][mm.W_STATE] == "failed"
    assert cloud.aggregate()["metadata"][mm.W_FAILED] == view.window.failed_reason[:255]
    assert cloud.svc()["status"] == "disabled"  # the host stays out of service
    assert nova.raw("s2")["metadata"][mm.S_STATUS] == "failed"
    assert cloud.states()[-1] == "failed"
    assert ("live", "s3") not in nova.actions

    del nova.behaviour["s2"]  # the operator fixes the cause; starting again retries
    again = cloud.service().start("w1")
    assert again.window.state == "ready" and set(status_of(again).values()) == {"moved"}
    assert cloud.states()[-3:] == ["failed", "draining", "ready"]
    assert [a for a in nova.actions if a[1] == "s1"] == [("live", "s1")]  # moved once, not again


def test_a_server_may_choose_its_own_on_failure(cloud):
    cloud.nova.add_server("s1", metadata={mm.S_ON_FAILURE: "skip"})
    cloud.nova.add_server("s2", metadata={mm.S_ON_FAILURE: "stop"})
    cloud.nova.add_server("s3")
    for sid in ("s1", "s2"):
        cloud.nova.behaviour[sid] = "error"
    cloud.service().schedule(cloud.window(reply_deadline=None, max_parallel=1))
    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert status_of(view) == {"s1": "skipped", "s2": "stopped", "s3": "moved"}
    assert cloud.nova.raw("s1")["status"] == "ACTIVE" and cloud.nova.raw("s2")["status"] == "SHUTOFF"
    cloud.service().complete("w1")
    assert cloud.nova.raw("s2")["status"] == "ACTIVE"  # stopped by the window: started again


# -- resume ----------------------------------------------------------------------------------------------------------

class Killed(BaseException):
    """The process dies (SIGKILL): nothing after this point runs."""


def test_a_run_killed_mid_drain_is_finished_by_the_next_without_moving_anything_twice(cloud):
    nova = cloud.nova
    ids = ["s%d" % i for i in range(1, 7)]
    for sid in ids:
        nova.add_server(sid)
    nova.looks = 4
    cloud.service().schedule(cloud.window(reply_deadline=None, max_parallel=2))
    sleeps = []

    def dying_sleep(seconds):
        sleeps.append(seconds)
        cloud.clock.sleep(seconds)
        if len(sleeps) == 9:
            raise Killed()

    killed = cloud.service()
    killed.clock = Clock(cloud.clock, dying_sleep, cloud.clock.now)
    with pytest.raises(Killed):
        killed.start("w1")
    assert nova.in_motion(), "the kill should come while moves are under way"
    moved_before = [sid for sid in ids if nova.host_of(sid) != HOST]
    assert 0 < len(moved_before) < len(ids)
    record = cloud.aggregate()["metadata"]
    assert record[mm.W_STATE] == "draining"
    assert any(record[RECORD_PREFIX + sid].startswith("in_progress|") for sid in ids)

    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert status_of(view) == {sid: "moved" for sid in ids}
    for sid in ids:
        assert [a for a in nova.actions if a[1] == sid] == [("live", sid)], "moved twice: %s" % sid
        assert nova.migrations(sid)[0]["status"] == "completed" and len(nova.migrations(sid)) == 1
    assert cloud.states() == ["notified", "draining", "ready"]


def test_a_run_killed_after_a_server_landed_verifies_it_from_the_record(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window(reply_deadline=None))
    service = cloud.service()
    view = service.record.load("w1")[1]
    # what a killed run leaves: the record says in_progress, Nova finished the move meanwhile
    service.record.set_server(view, replace(view.records["s1"], status="in_progress"))
    service.record.flush(view)
    cloud.nova.live_migrate("s1")
    for _round in range(5):
        cloud.nova.server("s1")
    assert cloud.nova.host_of("s1") != HOST
    view = cloud.service().start("w1")
    assert view.window.state == "ready" and status_of(view) == {"s1": "moved"}
    assert view.records["s1"].host == cloud.nova.host_of("s1")
    assert len([a for a in cloud.nova.actions if a[1] == "s1"]) == 1


# -- check mode ----------------------------------------------------------------------------------------------------

def test_start_in_check_mode_plans_the_moves_and_writes_nothing(cloud):
    cloud.nova.add_server("s1")
    cloud.nova.add_server("own")
    cloud.nova.add_server("off", status="SHUTOFF")
    cloud.service().schedule(cloud.window())
    cloud.answer("s1", "live_migrate")
    cloud.answer("own", "own_action")
    cloud.answer("off", "migrate")
    cloud.nova.raw("own")["OS-EXT-SRV-ATTR:host"] = "compute-05"  # its owner moved it away
    before, entries = cloud.writes(), len(cloud.audit)
    record = cloud.aggregate()
    service = cloud.service(check_mode=True)
    view = service.start("w1")
    changes = [(c["change"], c["target"]) for c in service.changes]
    assert ("disable_service", HOST) in changes
    assert ("live_migrate", "s1") in changes and ("migrate", "off") in changes
    assert changes[-1] != ("state", "w1") or view.window.state == "draining"
    assert cloud.writes() == before, cloud.nova.writes[len(cloud.nova.writes) - (cloud.writes()[0] - before[0]):]
    assert len(cloud.audit) == entries and cloud.aggregate() == record
    assert cloud.svc()["status"] == "enabled"


def test_complete_and_cancel_in_check_mode_write_nothing(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window(reply_deadline=None, default_action="shutdown"))
    cloud.service().start("w1")
    before, record = cloud.writes(), cloud.aggregate()
    for call in ("complete", "cancel"):
        service = cloud.service(check_mode=True)
        view = getattr(service, call)("w1")
        assert view.window.state == ("complete" if call == "complete" else "cancelled")
        assert {c["change"] for c in service.changes} >= {"enable_service", "start_server", "clear_notice", "state"}
        assert cloud.writes() == before and cloud.aggregate() == record


# -- cancel, complete ---------------------------------------------------------------------------------------------

def test_cancel_gives_the_hosts_back_and_starts_what_the_window_stopped(cloud):
    cloud.nova.add_server("s1")
    cloud.nova.add_server("s2")
    cloud.service().schedule(cloud.window(reply_deadline=None, default_action="shutdown"))
    cloud.service().start("w1")
    assert cloud.nova.raw("s1")["status"] == "SHUTOFF"
    view = cloud.service().cancel("w1")
    assert view.window.state == "cancelled"
    assert cloud.svc()["status"] == "enabled" and cloud.svc()["disabled_reason"] is None
    assert cloud.nova.raw("s1")["status"] == "ACTIVE" and cloud.nova.raw("s2")["status"] == "ACTIVE"
    assert cloud.states()[-1] == "cancelled"


def test_complete_with_restart_stopped_false_leaves_them_stopped(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window(reply_deadline=None, default_action="shutdown"))
    cloud.service().start("w1")
    cloud.service().complete("w1", restart_stopped=False)
    assert cloud.nova.raw("s1")["status"] == "SHUTOFF"


def test_complete_and_hold_need_an_empty_host(cloud):
    cloud.service().schedule(cloud.window())
    with pytest.raises(ConflictError) as err:
        cloud.service().complete("w1")
    assert err.value.field == "state" and "cancel it instead" in err.value.message
    with pytest.raises(ConflictError) as err:
        cloud.service().hold("w1")
    assert err.value.field == "state" and "only when ready" in err.value.message


def test_a_host_disabled_by_an_operator_for_another_reason_is_left_alone_at_the_end(cloud):
    svc = cloud.svc()
    cloud.service().schedule(cloud.window(reply_deadline=None))
    cloud.service().start("w1")
    svc["disabled_reason"] = "fenced: bad DIMM"  # someone re-disabled it during the window
    cloud.service().complete("w1")
    assert svc["status"] == "disabled" and svc["disabled_reason"] == "fenced: bad DIMM"


def test_views_list_windows_with_per_server_progress(cloud):
    cloud.nova.add_server("s1", name="web-1")
    cloud.service().schedule(cloud.window())
    cloud.service().schedule(cloud.window(name="w2", hosts=("compute-04",)))
    views = cloud.service().windows()
    assert [v.window.name for v in views] == ["w1", "w2"]
    out = views[0].to_dict()
    assert out["state"] == "notified" and out["hosts"] == [HOST] and out["progress"] == {"pending": 1}
    [server] = out["servers"]
    assert (server["id"], server["name"], server["status"], server["action"], server["host"]) == (
        "s1", "web-1", "pending", "pending", HOST)
    assert cloud.service().windows("w2")[0].to_dict()["servers"] == []


# -- webhooks ----------------------------------------------------------------------------------------------------

@pytest.fixture
def receiver():
    rx = Receiver({"shop": SECRET_A, "lab": SECRET_B})
    yield rx
    rx.close()


def test_owners_get_signed_notices_without_host_names_once_each(cloud, receiver):
    nova = cloud.nova
    nova.add_server("a1", project="tenant-a")
    nova.add_server("a2", project="tenant-a")
    nova.add_server("b1", project="tenant-b")
    nova.add_server("c1", project="tenant-c")  # no webhook: told through the server's metadata only
    cloud.conn.identity.projects[1].update(osfleet_maintenance_webhook=receiver.url + "lab",
                                           osfleet_maintenance_webhook_secret=SECRET_B)
    hooks = {"shop": {"url": receiver.url + "shop", "secret": SECRET_A}}  # by project name
    cloud.service(webhooks=hooks).schedule(cloud.window(reply_deadline=None))
    assert sorted((n["project"], n["event"]) for n in receiver.notices) == [
        ("lab", "maintenance.scheduled"), ("shop", "maintenance.scheduled")]
    shop = next(n for n in receiver.notices if n["project"] == "shop")
    assert shop["verified"] and shop["delivery"] == shop["body"]["id"]
    assert shop["body"]["project_id"] == "tenant-a"
    assert sorted(s["id"] for s in shop["body"]["servers"]) == ["a1", "a2"]
    assert shop["body"]["answer_with"]["metadata_key"] == "osfleet_maint_answer"
    assert shop["body"]["window"]["name"] == "w1" and "hosts" not in shop["body"]["window"]

    cloud.service(webhooks=hooks).schedule(cloud.window(reply_deadline=None))
    assert len(receiver.notices) == 2  # nothing new, nothing sent

    cloud.service(webhooks=hooks).start("w1")
    cloud.service(webhooks=hooks).complete("w1")
    assert receiver.events("shop") == ["maintenance.scheduled", "maintenance.server", "maintenance.server",
                                       "maintenance.completed"]
    assert receiver.events("lab") == ["maintenance.scheduled", "maintenance.server", "maintenance.completed"]
    assert all(n["verified"] for n in receiver.notices)
    assert not any(b"compute-" in n["raw"] for n in receiver.notices)  # host names are not sent to owners
    moved = [n["body"]["servers"][0] for n in receiver.notices if n["event"] == "maintenance.server"]
    assert {(s["id"], s["status"]) for s in moved} == {("a1", "moved"), ("a2", "moved"), ("b1", "moved")}
    deliveries = [n["delivery"] for n in receiver.notices]
    assert len(set(deliveries)) == len(deliveries)
    assert "maintenance.webhook" in {a[0] for a in cloud.audit}


def test_a_webhook_that_fails_is_sent_again_with_the_same_delivery_id(cloud, receiver):
    cloud.nova.add_server("a1", project="tenant-a")
    hooks = {"tenant-a": {"url": receiver.url + "shop", "secret": SECRET_A}}  # by project id
    receiver.status = 503
    first = cloud.service(webhooks=hooks)
    first.schedule(cloud.window())
    assert first.deliveries[0]["ok"] is False and first.deliveries[0]["status"] == 503
    assert any("sent again on the next run" in w for w in first.warnings)
    receiver.status = 204
    second = cloud.service(webhooks=hooks)
    second.schedule(cloud.window())
    assert second.deliveries[0]["ok"] is True
    assert receiver.notices[0]["delivery"] == receiver.notices[1]["delivery"]  # the receiver drops a duplicate
    third = cloud.service(webhooks=hooks)
    third.schedule(cloud.window())
    assert third.deliveries == [] and len(receiver.notices) == 2


def test_a_server_noticed_later_gets_its_own_delivery_id(cloud, receiver):
    cloud.nova.add_server("a1", project="tenant-a")
    hooks = {"shop": {"url": receiver.url + "shop", "secret": SECRET_A}}
    cloud.service(webhooks=hooks).schedule(cloud.window())
    cloud.nova.add_server("a2", project="tenant-a")  # booted on the host after the window was scheduled
    cloud.service(webhooks=hooks).schedule(cloud.window())
    assert receiver.events("shop") == ["maintenance.scheduled", "maintenance.scheduled"]
    first, second = receiver.notices
    assert "a2" in [s["id"] for s in second["body"]["servers"]]
    assert first["delivery"] != second["delivery"], "a receiver deduplicating by delivery id would drop a2's notice"


def test_a_project_webhook_property_that_is_not_http_is_ignored_with_a_warning(cloud):
    cloud.nova.add_server("a1", project="tenant-a")
    cloud.conn.identity.projects[0].update(osfleet_maintenance_webhook="file:///etc/passwd",
                                           osfleet_maintenance_webhook_secret=SECRET_A)
    service = cloud.service()
    view = service.schedule(cloud.window())
    assert view.window.state == "notified" and service.deliveries == []
    assert any("tenant-a" in w or "shop" in w for w in service.warnings)


def test_without_keystone_rights_the_window_still_works_and_says_why_no_webhooks(cloud):
    cloud.conn.identity.fail = True
    cloud.nova.add_server("a1")
    service = cloud.service()
    assert service.schedule(cloud.window()).window.state == "notified"
    assert any("cannot list projects" in w for w in service.warnings)


def test_completion_does_not_start_servers_that_were_off_before_the_window(cloud):
    nova = cloud.nova
    nova.add_server("was-off", status="SHUTOFF")
    nova.add_server("stuck-off", status="SHUTOFF", metadata={mm.S_ON_FAILURE: "stop"})
    nova.add_server("running")
    nova.behaviour["stuck-off"] = "error"  # its cold migration fails; it was already off
    cloud.service().schedule(cloud.window(reply_deadline=None, default_action="shutdown"))
    cloud.answer("stuck-off", "migrate")
    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert nova.raw("running")["status"] == "SHUTOFF" and view.records["running"].status == "shut_down"
    cloud.service().complete("w1")
    assert nova.raw("running")["status"] == "ACTIVE"  # the window stopped it: started again
    assert nova.raw("was-off")["status"] == "SHUTOFF"  # off before the window: left off
    assert nova.raw("stuck-off")["status"] == "SHUTOFF"
    assert ("start", "was-off") not in nova.writes and ("start", "stuck-off") not in nova.writes


def test_the_deadline_and_pacing_may_change_while_draining_and_the_notices_follow(cloud):
    cloud.nova.add_server("s1")
    cloud.service().schedule(cloud.window())
    assert cloud.service().start("w1", wait=False).window.state == "draining"
    sooner = cloud.window(reply_deadline=cloud.clock.now(), max_parallel=2)
    service = cloud.service()
    view = service.schedule(sooner)
    assert view.window.state == "draining" and view.window.max_parallel == 2
    assert cloud.aggregate()["metadata"][mm.W_DEADLINE] == mm.format_time(sooner.reply_deadline)
    assert cloud.nova.raw("s1")["metadata"][mm.S_REPLY_BY] == mm.format_time(sooner.reply_deadline)
    assert "webhook" not in {c["change"] for c in service.changes}
    assert status_of(cloud.service().start("w1")) == {"s1": "moved"}


def test_a_run_without_the_webhook_mapping_warns_for_projects_told_by_webhook_before(cloud, receiver):
    cloud.nova.add_server("a1", project="tenant-a")
    hooks = {"shop": {"url": receiver.url + "shop", "secret": SECRET_A}}
    cloud.service(webhooks=hooks).schedule(cloud.window(reply_deadline=None))
    assert cloud.service(webhooks=hooks).windows("w1")[0].to_dict()["servers"][0]["webhook"] is True
    forgetful = cloud.service()
    forgetful.start("w1")
    assert any("pass the same webhooks to every run" in w for w in forgetful.warnings)
    assert receiver.events("shop") == ["maintenance.scheduled"]


# -- quarantined servers -------------------------------------------------------------------------------------

def test_a_quarantined_server_is_held_never_written_on_nor_moved(cloud):
    nova = cloud.nova
    nova.add_server("web")
    evidence = nova.add_server("evidence", metadata={"osfleet_quarantine_case": "CASE-9"})
    cloud.service().schedule(cloud.window(reply_deadline=None))
    assert evidence["metadata"] == {"osfleet_quarantine_case": "CASE-9"}  # no notice on evidence
    view = cloud.service().start("w1")
    assert view.window.state == "ready"
    assert status_of(view) == {"web": "moved", "evidence": "held"}
    assert nova.on(HOST) == ["evidence"]
    assert not [a for a in nova.actions if a[1] == "evidence"]
    assert any(a[0] == "maintenance.server.held" and a[4]["case"] == "CASE-9" for a in cloud.audit)
    cloud.service().complete("w1")
    assert evidence["metadata"] == {"osfleet_quarantine_case": "CASE-9"}


def test_a_removal_window_fails_rather_than_move_evidence(cloud):
    nova = cloud.nova
    nova.add_server("evidence", name="vm-x", metadata={"osfleet_quarantine_case": "CASE-9"})
    cloud.service().schedule(cloud.window(kind="removal", reply_deadline=None))
    view = cloud.service().start("w1")
    assert view.window.state == "failed"
    assert "under quarantine" in view.window.failed_reason and "vm-x (evidence)" in view.window.failed_reason
    assert nova.on(HOST) == ["evidence"] and cloud.svc()["status"] == "disabled"
