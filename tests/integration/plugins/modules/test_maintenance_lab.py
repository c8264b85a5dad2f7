# -*- coding: utf-8 -*-
"""Maintenance windows and host_drain against the lab's real Nova, Keystone and a loopback webhook receiver."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import openstack
import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.loopback_receiver import Receiver

HOST = "compute-03"
SECRET_A = "tenant-a-webhook-secret-0123456789"
SECRET_B = "tenant-b-webhook-secret-9876543210"
WEBHOOK_PROP = "osfleet_maintenance_webhook"


def iso(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def project_id(conn, name):
    return conn.identity.find_project(name).id


def boot_on(admin, tenant_cloud, name, count=1, host=HOST):
    """Boot tenant servers and bring them to ``host`` (tenants cannot pick a host; admins move them there)."""
    tenant = openstack.connect(cloud=tenant_cloud)
    flavor = tenant.compute.find_flavor("c1.nano")
    image = tenant.image.find_image("cirros-lab")
    ids = [tenant.compute.create_server(name="%s-%d" % (name, i), flavor_id=flavor.id, image_id=image.id,
                                        networks="none").id for i in range(count)]
    for sid in ids:
        admin.compute.wait_for_server(admin.compute.get_server(sid), wait=120)
    for sid in ids:
        if admin.compute.get_server(sid).compute_host != host:
            admin.compute.live_migrate_server(sid, host=host, block_migration="auto")
    deadline = time.time() + 120
    while time.time() < deadline:
        servers = [admin.compute.get_server(s) for s in ids]
        if all(s.compute_host == host and s.status == "ACTIVE" and not s.task_state for s in servers):
            return ids
        time.sleep(1)
    raise AssertionError("servers did not reach %s: %s" % (host, [(s.name, s.compute_host, s.status)
                                                                  for s in servers]))


def on_host(admin, host=HOST):
    return {s.id: s for s in admin.compute.servers(all_projects=True) if s.compute_host == host}


def service(admin, host=HOST):
    [svc] = [s for s in admin.compute.services(binary="nova-compute") if s.host == host]
    return svc


@pytest.fixture
def cleanup(admin_conn, run_module, delete_servers):
    """Delete the test's servers, cancel its windows, give the host back enabled."""
    made = {"servers": [], "windows": []}
    yield made
    for name in made["windows"]:
        run_module("maintenance_window", name=name, state="cancelled")
        agg = admin_conn.compute.find_aggregate("osfleet-maint-" + name)
        if agg is not None:
            for host in agg.hosts or []:
                admin_conn.compute.remove_host_from_aggregate(agg, host)
            admin_conn.compute.delete_aggregate(agg)
    delete_servers(made["servers"])
    run_module("compute_service", host=HOST, status="enabled")


def test_window_with_answers_webhooks_deadline_ready_and_complete(lab, admin_conn, run_module, cleanup, tmp_path):
    admin = admin_conn
    a_keep, a_own = boot_on(admin, "tenant-a", "mw-a", 2)
    b_migrate, b_silent = boot_on(admin, "tenant-b", "mw-b", 2)
    cleanup["servers"] += [a_keep, a_own, b_migrate, b_silent]
    name = "it-window-%d" % os.getpid()
    cleanup["windows"].append(name)
    receiver = Receiver({"tenant-a": SECRET_A, "tenant-b": SECRET_B})
    pid_a, pid_b = project_id(admin, "tenant-a"), project_id(admin, "tenant-b")
    # tenant-b registers its webhook itself, as project properties; tenant-a's comes from the operator's mapping
    admin.identity.patch("/projects/" + pid_b, json={"project": {
        WEBHOOK_PROP: receiver.url + "tenant-b", WEBHOOK_PROP + "_secret": SECRET_B}})
    try:
        args = dict(name=name, hosts=[HOST], reason="IT firmware", start_at=iso(60), end_at=iso(3600),
                    reply_deadline=iso(3600), default_action="live_migrate", max_parallel=3,
                    webhooks={"tenant-a": {"url": receiver.url + "tenant-a", "secret": SECRET_A}})
        before = dict(on_host(admin))
        assert {a_keep, a_own, b_migrate, b_silent} <= set(before)

        # check mode: the plan, and nothing in the cloud
        planned = run_module("maintenance_window", check=True, **args)
        assert planned["changed"] is True and not planned["failed"], planned
        assert {c["change"] for c in planned["changes"]} >= {"create_aggregate", "server_notice", "webhook"}
        assert admin.compute.find_aggregate("osfleet-maint-" + name) is None
        assert receiver.events(window=name) == []

        out = run_module("maintenance_window", **args)
        assert out["window"]["state"] == "notified", out
        notices = {sid: admin.compute.get_server_metadata(sid).metadata for sid in before}
        for sid, md in notices.items():
            assert md["osfleet_maint_window"] == name and md["osfleet_maint_status"] == "pending", md
            assert md["osfleet_maint_reply_by"] == args["reply_deadline"]
        assert sorted(receiver.events(window=name)) == ["maintenance.scheduled", "maintenance.scheduled"]
        assert all(n["verified"] for n in receiver.notices)
        scheduled_a = [n for n in receiver.notices if n["project"] == "tenant-a"
                       and n["body"]["window"]["name"] == name][0]["body"]
        assert {s["id"] for s in scheduled_a["servers"]} >= {a_keep, a_own}
        assert "hosts" not in scheduled_a["window"]  # owners are not told the host names

        again = run_module("maintenance_window", **args)
        assert again["changed"] is False, (again["changes"], again.get("warnings"), again["window"]["servers"])
        assert len(receiver.events(window=name)) == 2

        # owners answer with their own credentials
        tenant_a, tenant_b = openstack.connect(cloud="tenant-a"), openstack.connect(cloud="tenant-b")
        tenant_a.compute.set_server_metadata(a_keep, osfleet_maint_answer="keep")
        tenant_a.compute.set_server_metadata(a_own, osfleet_maint_answer="own_action")
        tenant_b.compute.set_server_metadata(b_migrate, osfleet_maint_answer="migrate")
        info = run_module("maintenance_info", name=name, live=True)
        answers = {s["id"]: s.get("answer") for s in info["windows"][0]["servers"]}
        assert (answers[a_keep], answers[a_own], answers[b_migrate], answers[b_silent]) == (
            "keep", "own_action", "migrate", None)

        # check mode on start: the plan (disable, the answered moves), and nothing done
        plan = run_module("maintenance_window", check=True, name=name, state="started")
        assert not plan["failed"], plan.get("msg")
        planned = {(c["change"], c["target"]) for c in plan["changes"]}
        assert ("disable_service", HOST) in planned and ("migrate", b_migrate) in planned, planned
        assert ("live_migrate", b_silent) not in planned  # unanswered, deadline not reached
        assert service(admin).status == "enabled"
        assert admin.compute.get_server(b_migrate).compute_host == HOST

        # started before the deadline: only the answered servers move; the others wait
        hooks = {"webhooks": args["webhooks"]}  # the operator passes the same mapping to every run
        early = run_module("maintenance_window", name=name, state="started", wait=False, **hooks)
        assert not early["failed"], early.get("msg")
        assert early["window"]["state"] == "draining"
        assert service(admin).status == "disabled"
        assert service(admin).disabled_reason.startswith("osfleet-maintenance:" + name)
        status = {s["id"]: s["status"] for s in early["window"]["servers"]}
        assert status[a_keep] == "kept" and status[b_migrate] == "moved", status
        assert status[a_own] == "waiting" and status[b_silent] == "pending", status
        assert admin.compute.get_server(b_migrate).compute_host != HOST
        assert admin.compute.get_server(b_migrate).status == "ACTIVE"  # cold migration confirmed, power kept
        # own_action: the owner takes care of it (here: deletes it)
        tenant_a.compute.delete_server(a_own)

        # the operator brings the reply deadline forward (allowed while draining); the notices follow
        args["reply_deadline"] = iso(5)
        moved_up = run_module("maintenance_window", **args)
        assert not moved_up["failed"], moved_up.get("msg")
        assert admin.compute.get_server_metadata(b_silent).metadata["osfleet_maint_reply_by"] == args["reply_deadline"]
        refused = run_module("maintenance_window", **dict(args, default_action="keep"))
        assert refused["failed"] and "default_action" in refused["msg"], refused.get("msg")

        # started and waiting: the deadline passes, the silent servers get the default, the host is ready
        done = run_module("maintenance_window", name=name, state="started", wait=True, wait_timeout=300, **hooks)
        assert not done["failed"], done.get("msg")
        assert done["window"]["state"] == "ready", done["window"]
        status = {s["id"]: s["status"] for s in done["window"]["servers"]}
        assert status[a_own] == "gone" and status[b_silent] == "moved", status
        left = on_host(admin)
        assert set(left) == {a_keep}, [(s.name, s.status) for s in left.values()]
        for sid in set(before) - {a_keep, a_own}:
            srv = admin.compute.get_server(sid)
            assert srv.status == "ACTIVE" and srv.compute_host != HOST and not srv.task_state, srv
            migrations = list(admin.compute.migrations(instance_uuid=sid))
            assert migrations and migrations[0].status in ("completed", "confirmed"), migrations
        assert any(n["event"] == "maintenance.server" and n["body"]["servers"][0]["id"] == b_silent
                   for n in receiver.notices)

        assert run_module("maintenance_window", name=name, state="in_maintenance")["window"]["state"] == \
            "in_maintenance"
        complete = run_module("maintenance_window", name=name, state="completed", **hooks)
        assert complete["window"]["state"] == "complete", complete
        assert service(admin).status == "enabled"
        for sid in set(before) - {a_own}:
            md = admin.compute.get_server_metadata(sid).metadata
            assert not [k for k in md if k.startswith("osfleet_maint_")], md
        # (filtered by window: tenant-b's project webhook hears every window of the cloud)
        assert receiver.events("tenant-a", name)[-1] == "maintenance.completed"
        assert receiver.events("tenant-b", name)[-1] == "maintenance.completed"
        assert all(n["verified"] for n in receiver.notices)
        assert run_module("maintenance_window", name=name, state="completed", **hooks)["changed"] is False

        log = AuditLog(str(run_module.audit_log))
        states = [e["after"] for e in log.entries() if e["action"] == "maintenance.state"]
        assert states == ["notified", "draining", "ready", "in_maintenance", "complete"], states
        assert log.verify().ok
    finally:
        admin.identity.patch("/projects/" + pid_b, json={"project": {WEBHOOK_PROP: None,
                                                                     WEBHOOK_PROP + "_secret": None}})
        receiver.close()
        assert pid_a


def test_server_that_cannot_move_fails_the_window_and_a_rerun_recovers(lab, admin_conn, run_module, cleanup):
    admin = admin_conn
    good, stuck = boot_on(admin, "tenant-a", "mw-stuck", 2)
    cleanup["servers"] += [good, stuck]
    name = "it-fail-%d" % os.getpid()
    cleanup["windows"].append(name)
    admin.compute.reset_server_state(stuck, "error")  # a server in ERROR cannot be migrated
    run_module("maintenance_window", name=name, hosts=[HOST], max_parallel=1)
    out = run_module("maintenance_window", name=name, state="started", wait_timeout=300)
    assert out["failed"] is True
    assert "could not be moved" in out["msg"] and stuck in out["msg"], out["msg"]
    assert out["window"]["state"] == "failed"
    assert service(admin).status == "disabled"
    status = {s["id"]: s["status"] for s in out["window"]["servers"]}
    assert status[stuck] == "failed", status
    assert status[good] in ("moved", "pending"), status  # accounted for, never lost
    assert admin.compute.get_server(good).status == "ACTIVE"
    # the operator fixes the server; starting again retries and finishes
    admin.compute.reset_server_state(stuck, "active")
    again = run_module("maintenance_window", name=name, state="started", wait_timeout=300)
    assert not again["failed"], again.get("msg")
    assert again["window"]["state"] == "ready"
    assert not set(on_host(admin)) & {good, stuck}


def test_run_killed_mid_drain_is_finished_by_the_next_run(lab, admin_conn, run_module, cleanup, tmp_path):
    admin = admin_conn
    ids = boot_on(admin, "tenant-b", "mw-kill", 4)
    cleanup["servers"] += ids
    name = "it-kill-%d" % os.getpid()
    cleanup["windows"].append(name)
    run_module("maintenance_window", name=name, hosts=[HOST], max_parallel=1)
    args = dict(name=name, state="started", cloud="lab-admin", audit_log=str(run_module.audit_log),
                poll_interval=1)
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(lab / "clouds.yaml"))
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    proc = subprocess.Popen([ansible, "localhost", "-c", "local", "-m", "osfleet.day2.maintenance_window",
                             "-a", json.dumps(args), "-e", "ansible_python_interpreter=" + sys.executable],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill it once the first server has moved and another is under way
        moved = sum(1 for sid in ids if admin.compute.get_server(sid).compute_host != HOST)
        if moved >= 1:
            break
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert moved < len(ids), "the drain finished before it could be killed"
    out = run_module("maintenance_window", name=name, state="started", wait_timeout=300)
    assert not out["failed"], out.get("msg")
    assert out["window"]["state"] == "ready"
    assert {s["status"] for s in out["window"]["servers"] if s["id"] in ids} == {"moved"}
    for sid in ids:
        srv = admin.compute.get_server(sid)
        assert srv.status == "ACTIVE" and srv.compute_host != HOST, srv


def test_host_drain_alone_check_mode_then_drain(lab, admin_conn, run_module, cleanup):
    admin = admin_conn
    ids = boot_on(admin, "tenant-a", "hd", 3)
    cleanup["servers"] += ids
    admin.compute.stop_server(ids[2])
    for _attempt in range(60):
        if admin.compute.get_server(ids[2]).status == "SHUTOFF":
            break
        time.sleep(1)
    plan = run_module("host_drain", check=True, host=HOST, keep=[ids[1]])
    assert plan["changed"] is True
    actions = {s["id"]: s["action"] for s in plan["servers"]}
    assert (actions[ids[0]], actions[ids[1]], actions[ids[2]]) == ("live_migrate", "keep", "migrate")
    assert service(admin).status == "enabled" and set(ids) <= set(on_host(admin))
    out = run_module("host_drain", host=HOST, keep=[ids[1]], disabled_reason="it drain", max_parallel=4)
    assert not out["failed"], out.get("msg")
    assert out["empty"] is True
    status = {s["id"]: (s["status"], s["new_host"]) for s in out["servers"]}
    assert status[ids[1]][0] == "kept"
    assert status[ids[0]][0] == "moved" and status[ids[0]][1] != HOST
    assert admin.compute.get_server(ids[2]).status == "SHUTOFF"  # moved cold, still stopped
    assert admin.compute.get_server(ids[2]).compute_host != HOST
    again = run_module("host_drain", host=HOST, keep=[ids[1]], disabled_reason="it drain")
    assert again["changed"] is False, again
