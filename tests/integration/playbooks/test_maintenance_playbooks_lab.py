# -*- coding: utf-8 -*-
"""The maintenance playbooks end to end against the lab, as an operator (or AWX) runs them:
`ansible-playbook osfleet.day2.maintenance_schedule`, `maintenance_start`, `maintenance_complete` and
`maintenance_cancel` with flat survey variables, checked through openstacksdk.

Two throwaway servers (tenant-a, tenant-b) are brought to compute-04, next to the
lab's own servers there, which are answered `keep`. The window is planned in check
mode (nothing in the cloud), scheduled with a reply deadline half a minute ahead and
the webhook secrets in a vault-encrypted file (signed notices reach a loopback
receiver; the secrets never reach the output), tenant-b answers `migrate`, and the
start playbook waits for the deadline, moves both servers, reports the host ready
and holds it in maintenance. The complete playbook gives the host back and clears
the notices and answers. A second window is started without waiting and cancelled.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openstack
import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import audit_log as audit_log_module
from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.loopback_receiver import Receiver

HOST = "compute-04"  # compute-03 belongs to the module tests, compute-01 to a benchmark
PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
VAULT = Path(sys.executable).parent / "ansible-vault"
# the directory holding ansible_collections/, as this test imports the collection from it
COLLECTIONS = Path(audit_log_module.__file__).parents[5]
SECRETS = {"tenant-a": "tenant-a-playbook-secret-0123456789", "tenant-b": "tenant-b-playbook-secret-9876543210"}


class Playbooks:
    """Runs the collection's playbooks by FQCN with a vault password, as `ansible-playbook` on a jump host would."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.vault_password = workdir / "vault-password"
        self.vault_password.write_text("it-vault-password\n")
        self.outputs = []

    def run(self, name: str, *options: str, **extra_vars):
        env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="playbook_results",
                   ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"),
                   ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS)))
        cmd = [str(PLAYBOOK), "osfleet.day2." + name, "-e", json.dumps(extra_vars), "--vault-password-file",
               str(self.vault_password), "-e", "ansible_python_interpreter=" + sys.executable, *options]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
        print("%s %s: rc %d in %.1f s" % (name, " ".join(options), proc.returncode, time.monotonic() - started))
        self.outputs.append(proc.stdout + proc.stderr)
        log = self.workdir / ("%02d-%s.log" % (len(self.outputs), name))
        log.write_text(proc.stdout + proc.stderr)
        try:
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError("ansible-playbook wrote no results (rc %d):\n%s\n%s"
                                 % (proc.returncode, proc.stdout, proc.stderr))
        if proc.returncode:
            print("  see %s" % log)
        return proc.returncode, out["tasks"], out["stats"]["localhost"]

    def vault_file(self, path: Path, data: dict) -> Path:
        path.write_text(json.dumps(data))
        subprocess.run([str(VAULT), "encrypt", "--vault-password-file", str(self.vault_password), str(path)],
                       check=True, capture_output=True)
        return path


def failures(tasks: dict) -> dict:
    """The failed tasks' messages (and the summary), for an assertion's message."""
    out = {name: result.get("msg") for name, result in tasks.items() if result.get("failed")}
    out["Summary"] = tasks.get("Summary", {}).get("msg")
    return out


def iso(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=timezone.utc)


def on_host(admin, host=HOST):
    return {s.id: s for s in admin.compute.servers(all_projects=True) if s.compute_host == host}


def service(admin, host=HOST):
    [svc] = [s for s in admin.compute.services(binary="nova-compute") if s.host == host]
    return svc


def notice_keys(admin, sid):
    return sorted(k for k in admin.compute.get_server_metadata(sid).metadata if k.startswith("osfleet_maint_"))


def wait_on(admin, ids, host, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        servers = [admin.compute.get_server(s) for s in ids]
        if all(s.compute_host == host and s.status == "ACTIVE" and not s.task_state for s in servers):
            return
        time.sleep(1)
    raise AssertionError("servers did not reach %s: %s" % (host, [(s.name, s.compute_host, s.status)
                                                                  for s in servers]))


def boot_on_host(admin, made, *tenants):
    """One server per tenant cloud, brought to HOST by an admin live migration (tenants cannot pick a host)."""
    ids = []
    for tenant_cloud in tenants:
        tenant = openstack.connect(cloud=tenant_cloud)
        server = tenant.compute.create_server(
            name="mpb-%s-%d" % (tenant_cloud, os.getpid()), flavor_id=tenant.compute.find_flavor("c1.nano").id,
            image_id=tenant.image.find_image("cirros-lab").id, networks="none")
        made["servers"].append(server.id)
        ids.append(server.id)
    for sid in ids:
        admin.compute.wait_for_server(admin.compute.get_server(sid), wait=120)
        if admin.compute.get_server(sid).compute_host != HOST:
            admin.compute.live_migrate_server(sid, host=HOST, block_migration="auto")
    wait_on(admin, ids, HOST)
    return ids


@pytest.fixture(scope="module")
def playbooks(lab, tmp_path_factory):
    return Playbooks(tmp_path_factory.mktemp("maintenance-playbooks"))


@pytest.fixture
def window_lab(admin_conn, run_module, playbooks, delete_servers):
    """The test's servers and windows; afterwards none of them is left, no server carries a notice or an answer
    of the test's, and compute-04 is enabled."""
    admin = admin_conn
    made = {"servers": [], "windows": [], "kept": []}
    yield made
    try:
        for name in made["windows"]:
            agg = admin.compute.find_aggregate("osfleet-maint-" + name)
            if agg is None:
                continue
            if (agg.metadata or {}).get("osfleet_maint_state") not in ("complete", "cancelled"):
                # clears the notices, enables the host
                playbooks.run("maintenance_cancel", osfleet_window=name, osfleet_cloud="lab-admin")
            for host in agg.hosts or []:
                admin.compute.remove_host_from_aggregate(agg, host)
            admin.compute.delete_aggregate(agg)
    finally:
        delete_servers(made["servers"])
        for sid in made["kept"]:
            keys = notice_keys(admin, sid)
            if keys:
                admin.compute.delete_server_metadata(sid, keys)
        run_module("compute_service", host=HOST, status="enabled")


def test_schedule_start_complete_playbooks(lab, admin_conn, playbooks, window_lab, tmp_path):
    admin = admin_conn
    a_silent, b_migrate = boot_on_host(admin, window_lab, "tenant-a", "tenant-b")
    # The lab's own servers on compute-04 are pinned there by their anti-affinity groups: their only other host is
    # compute-03, disabled whenever the module tests run. Their answer (given here for their owners) is keep.
    window_lab["kept"] = kept = sorted(set(on_host(admin)) - {a_silent, b_migrate})
    for sid in kept:
        admin.compute.set_server_metadata(sid, osfleet_maint_answer="keep")
    name = "it-pb-%d" % os.getpid()
    window_lab["windows"].append(name)
    receiver = Receiver(SECRETS)
    hooks = playbooks.vault_file(tmp_path / "webhooks.vault.yml",
                                 {p: {"url": receiver.url + p, "secret": s} for p, s in SECRETS.items()})
    audit_log = str(tmp_path / "audit.jsonl")
    common = dict(osfleet_window=name, osfleet_cloud="lab-admin", osfleet_audit_log=audit_log,
                  osfleet_audit_actor="it-tester", osfleet_webhooks_file=str(hooks))
    try:
        # planned in check mode: the plan is shown, nothing exists in the cloud, nobody is told
        survey = dict(common, osfleet_window_hosts=" %s, " % HOST, osfleet_start_at=iso(60),
                      osfleet_end_at=iso(3600), osfleet_reply_deadline=iso(30), osfleet_kind="temporary",
                      osfleet_default_action="live_migrate", osfleet_max_parallel="2", osfleet_on_failure="fail",
                      osfleet_reason="IT playbook firmware")
        rc, tasks, stats = playbooks.run("maintenance_schedule", "--check", **survey)
        assert rc == 0 and stats["failures"] == 0, failures(tasks)
        summary = tasks["Summary"]["msg"]
        assert summary[0] == "Maintenance window %s: not created yet (check mode)" % name, summary
        assert "  create_aggregate osfleet-maint-%s" % name in summary
        assert admin.compute.find_aggregate("osfleet-maint-" + name) is None
        assert notice_keys(admin, a_silent) == [] and receiver.notices == []

        # scheduled: the owners have their notices and signed webhook notices; the deadline is half a minute ahead
        survey["osfleet_reply_deadline"] = deadline = iso(30)
        rc, tasks, stats = playbooks.run("maintenance_schedule", **survey)
        assert rc == 0 and stats["failures"] == 0, failures(tasks)
        assert tasks["Schedule the window and tell the owners"]["window"]["state"] == "notified"
        summary = tasks["Summary"]["msg"]
        assert summary[0] == "Maintenance window %s: notified" % name, summary
        assert "  host %s: nova-compute enabled and up" % HOST in summary
        for sid in (a_silent, b_migrate):
            md = admin.compute.get_server_metadata(sid).metadata
            assert md["osfleet_maint_window"] == name and md["osfleet_maint_status"] == "pending", md
            assert md["osfleet_maint_reply_by"] == deadline
        assert receiver.events("tenant-a") == ["maintenance.scheduled"]
        assert receiver.events("tenant-b") == ["maintenance.scheduled"]
        assert all(n["verified"] for n in receiver.notices)

        # tenant-b answers with its own credentials; tenant-a stays silent and gets the default at the deadline
        openstack.connect(cloud="tenant-b").compute.set_server_metadata(b_migrate, osfleet_maint_answer="migrate")

        rc, tasks, stats = playbooks.run("maintenance_start", osfleet_wait_timeout="300", **common)
        assert rc == 0 and stats["failures"] == 0, failures(tasks)
        assert tasks["Drain the hosts as the owners answered"]["window"]["state"] == "ready"
        assert "ready for maintenance" in tasks["Report the hosts ready"]["msg"]
        assert tasks["Record that work on the hosts has begun (in_maintenance)"]["window"]["state"] == "in_maintenance"
        window = tasks["Keep the window for the tasks that follow (host_maintenance_window)"]["ansible_facts"][
            "host_maintenance_window"]
        status = {s["id"]: (s["status"], s["action"]) for s in window["servers"]}
        assert status[a_silent] == ("moved", "live_migrate") and status[b_migrate] == ("moved", "migrate"), status
        assert all(status[sid] == ("kept", "keep") for sid in kept), status
        summary = tasks["Summary"]["msg"]
        assert summary[0] == "Maintenance window %s: in_maintenance" % name, summary
        assert any(line.startswith("Servers: %d - " % len(window["servers"])) and "moved" in line for line in summary)
        assert sorted(on_host(admin)) == kept, "compute-04 holds more than the servers kept there"
        assert service(admin).status == "disabled"
        assert service(admin).disabled_reason.startswith("osfleet-maintenance:%s IT playbook firmware" % name)
        for sid in (a_silent, b_migrate):
            server = admin.compute.get_server(sid)
            assert server.status == "ACTIVE" and server.compute_host != HOST and not server.task_state, server
        # the silent server waited for the deadline; the answered one moved cold, as answered
        [last_a] = sorted(admin.compute.migrations(instance_uuid=a_silent), key=lambda m: m.created_at)[-1:]
        assert utc(last_a.created_at) >= utc(deadline) and last_a.migration_type == "live-migration", last_a
        [last_b] = sorted(admin.compute.migrations(instance_uuid=b_migrate), key=lambda m: m.created_at)[-1:]
        assert last_b.migration_type == "migration", last_b
        assert "maintenance.server" in receiver.events("tenant-a") and "maintenance.server" in receiver.events("tenant-b")

        rc, tasks, stats = playbooks.run("maintenance_complete", **common)
        assert rc == 0 and stats["failures"] == 0, failures(tasks)
        assert tasks["Complete the window, give the hosts back and tell the owners"]["window"]["state"] == "complete"
        summary = tasks["Summary"]["msg"]
        assert summary[0] == "Maintenance window %s: complete" % name, summary
        assert "  host %s: nova-compute enabled and up" % HOST in summary
        assert service(admin).status == "enabled"
        for sid in [a_silent, b_migrate] + kept:
            assert notice_keys(admin, sid) == [], sid  # notices and answers
        assert receiver.events("tenant-a")[-1] == receiver.events("tenant-b")[-1] == "maintenance.completed"
        assert all(n["verified"] for n in receiver.notices)

        log = AuditLog(audit_log)
        states = [e["after"] for e in log.entries() if e["action"] == "maintenance.state"]
        assert states == ["notified", "draining", "ready", "in_maintenance", "complete"], states
        assert {e["actor"] for e in log.entries()} == {"it-tester"}
        assert log.verify().ok
        for output in playbooks.outputs:
            assert not [s for s in SECRETS.values() if s in output], "a webhook secret is in the output"
    finally:
        receiver.close()


def test_start_without_waiting_then_cancel(lab, admin_conn, playbooks, window_lab):
    admin = admin_conn
    [sid] = boot_on_host(admin, window_lab, "tenant-a")
    name = "it-pb-cancel-%d" % os.getpid()
    window_lab["windows"].append(name)
    rc, tasks, stats = playbooks.run("maintenance_schedule", osfleet_window=name, osfleet_window_hosts=[HOST],
                                     osfleet_cloud="lab-admin", osfleet_reply_deadline=iso(3600),
                                     osfleet_reason="IT cancelled")
    assert rc == 0 and stats["failures"] == 0, failures(tasks)

    # nobody answered and the deadline is an hour away: the host is disabled, nothing moves, no in_maintenance
    rc, tasks, stats = playbooks.run("maintenance_start", osfleet_window=name, osfleet_cloud="lab-admin",
                                     osfleet_wait="false")
    assert rc == 0 and stats["failures"] == 0, failures(tasks)
    assert tasks["Drain the hosts as the owners answered"]["window"]["state"] == "draining"
    assert tasks["Record that work on the hosts has begun (in_maintenance)"]["skipped"] is True
    assert tasks["Summary"]["msg"][0] == "Maintenance window %s: draining" % name
    assert service(admin).status == "disabled" and sid in on_host(admin)

    rc, tasks, stats = playbooks.run("maintenance_cancel", osfleet_window=name, osfleet_cloud="lab-admin")
    assert rc == 0 and stats["failures"] == 0, failures(tasks)
    assert tasks["Summary"]["msg"][0] == "Maintenance window %s: cancelled" % name
    assert service(admin).status == "enabled"
    assert sid in on_host(admin) and notice_keys(admin, sid) == []
