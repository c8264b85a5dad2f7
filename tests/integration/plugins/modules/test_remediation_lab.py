# -*- coding: utf-8 -*-
"""Remediation on the lab, through the playbooks an operator runs: the lab's faults, its service manager (labctl
restarts nova-compute, resets a hung BMC) and its real Nova, BMCs and audit.

Every outcome is read back from the cloud (the compute service, the record aggregate, the servers) and from the
audit log the playbooks write, not only from the playbook's exit status. Each test gives its hosts back at
teardown (faults cleared, records and remediation windows deleted, nova-compute enabled, the kill switch lifted).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openstack
import pytest
import yaml

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.tests.integration import lab_tools

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
VARS = LAB_DIR / "remediation-vars.yml"
PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
RECORD = "osfleet-remed-"
CONTROL = "osfleet-remediation-control"


def labctl(*args):
    lab_tools.labctl(*args, timeout=180)


def service(admin, host):
    [svc] = [s for s in admin.compute.services(binary="nova-compute") if s.host == host]
    return svc


def wait_state(admin, host, state, timeout=90):
    """Until Nova sees ``host``'s nova-compute ``state`` (down takes service_down_time, ~20 s in the lab)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if service(admin, host).state == state:
            return
        time.sleep(1)
    raise AssertionError("nova-compute on %s is not %s after %ds" % (host, state, timeout))


def record(admin, host):
    agg = admin.compute.find_aggregate(RECORD + host)
    return {k[len("osfleet_remed_"):]: v for k, v in (agg.metadata or {}).items()} if agg is not None else None


def boot_on(admin, host, name):
    tenant = openstack.connect(cloud="tenant-a")
    sid = tenant.compute.create_server(name=name, flavor_id=tenant.compute.find_flavor("c1.nano").id,
                                       image_id=tenant.image.find_image("cirros-lab").id, networks="none").id
    admin.compute.wait_for_server(admin.compute.get_server(sid), wait=120)
    if admin.compute.get_server(sid).compute_host != host:
        admin.compute.live_migrate_server(sid, host=host, block_migration="auto")
    deadline = time.time() + 120
    while time.time() < deadline:
        s = admin.compute.get_server(sid)
        if s.compute_host == host and s.status == "ACTIVE" and not s.task_state:
            return sid
        time.sleep(1)
    raise AssertionError("server %s did not reach %s" % (name, host))


@pytest.fixture(scope="module")
def lab_vars(lab):
    if not VARS.exists():
        pytest.skip("no %s: `labctl up` writes it (lab/lablib/audit_params.py)" % VARS)
    return yaml.safe_load(VARS.read_text())


@pytest.fixture
def playbook(lab_vars, tmp_path):
    """playbook(name, host, **vars) -> CompletedProcess of ansible-playbook osfleet.day2.<name> on the lab."""
    log = tmp_path / "audit.jsonl"

    def _run(name, host=None, check=False, popen=False, **extra):
        cmd = [str(PLAYBOOK), "osfleet.day2." + name, "-e", "@%s" % VARS, "-e", "osfleet_audit_log=%s" % log]
        if host:
            cmd += ["-e", "host=%s" % host]
        for key, value in extra.items():
            cmd += ["-e", json.dumps({key: value})]
        if check:
            cmd.append("--check")
        env = dict(os.environ, ANSIBLE_FORCE_COLOR="0")
        if popen:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                    start_new_session=True)
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    _run.log = log
    return _run


def entries(log, since=0):
    if not log.exists():
        return []
    assert AuditLog(str(log)).verify().ok, "the audit log's hash chain does not verify"
    return [(e["action"], e["target"], e.get("after")) for e in AuditLog(str(log)).entries()[since:]]


@pytest.fixture
def give_back(admin_conn, run_module):
    """give_back(host, ...): at teardown, every host touched is cleared and given back as the lab had it."""
    touched, servers = [], []

    def _touch(*hosts):
        touched.extend(hosts)
    _touch.servers = servers
    yield _touch
    ctl = admin_conn.compute.find_aggregate(CONTROL)
    if ctl is not None:
        admin_conn.compute.delete_aggregate(ctl)
    for host in dict.fromkeys(touched):
        labctl("clear", host)
        for agg in list(admin_conn.compute.aggregates()):
            if agg.name == RECORD + host or agg.name.startswith("osfleet-maint-remed-%s-" % host):
                for h in agg.hosts or []:
                    admin_conn.compute.remove_host_from_aggregate(agg, h)
                admin_conn.compute.delete_aggregate(agg)
        run_module("compute_service", host=host, status="enabled")
    for sid in servers:
        try:
            admin_conn.compute.delete_server(sid, force=True)
        except openstack.exceptions.ResourceNotFound:
            pass


def test_compute_down_is_restarted_verified_and_returned(admin_conn, playbook, give_back):
    host = "compute-03"
    give_back(host)
    labctl("fault", host, "compute_down")
    wait_state(admin_conn, host, "down")
    dry = playbook("remediate", host, check=True)
    assert dry.returncode == 0, dry.stdout
    assert "labctl compute restart %s" % host in dry.stdout and record(admin_conn, host) is None, dry.stdout
    out = playbook("remediate", host)
    assert out.returncode == 0, out.stdout
    svc = service(admin_conn, host)
    assert (svc.status, svc.state) == ("enabled", "up"), (svc.status, svc.state, svc.disabled_reason)
    rec = record(admin_conn, host)
    assert rec["state"] == "returned" and rec["runbook"] == "compute_down" and rec["rules"] == "NOVA-16", rec
    states = [a.split(".", 1)[1] for a, _t, _after in entries(playbook.log) if a.startswith("remediation.")]
    assert states == ["detected", "confirmed", "disable_service", "out_of_pool", "fixing", "step", "step",
                      "verifying", "enable_service", "returned"], states


def test_overtemp_drains_and_holds_then_release_returns_the_host(admin_conn, playbook, give_back):
    host = "compute-01"
    give_back(host)
    sid = boot_on(admin_conn, host, "remed-overtemp")
    give_back.servers.append(sid)
    labctl("fault", host, "overtemp")
    out = playbook("remediate", host)
    assert out.returncode == 0, out.stdout
    svc = service(admin_conn, host)
    assert svc.status == "disabled" and svc.disabled_reason.startswith("osfleet-remediation:held overtemp"), \
        svc.disabled_reason
    assert admin_conn.compute.get_server(sid).compute_host != host, "the drain left the server on the host"
    rec = record(admin_conn, host)
    assert rec["state"] == "held" and rec["window"].startswith("remed-%s-" % host), rec
    window = admin_conn.compute.find_aggregate("osfleet-maint-" + rec["window"])
    # held by the runbook's hold step after a drain that finished, not by a failed drain
    assert window.metadata["osfleet_maint_state"] == "ready" and "needs hands" in rec["reason"], \
        (rec, window.metadata, out.stdout)
    # the operator releases too early: the rule still fails, the host stays held, the run says why
    early = playbook("host_release", host, osfleet_verify_timeout=5)
    assert early.returncode != 0 and "HW-14" in early.stdout, early.stdout
    assert record(admin_conn, host)["state"] == "held" and service(admin_conn, host).status == "disabled"
    labctl("clear", host)
    out = playbook("host_release", host)
    assert out.returncode == 0, out.stdout
    assert service(admin_conn, host).status == "enabled" and record(admin_conn, host)["state"] == "returned"
    window = admin_conn.compute.find_aggregate("osfleet-maint-" + rec["window"])
    assert window.metadata["osfleet_maint_state"] == "complete"


def test_a_second_failure_in_the_zone_is_refused_by_the_cap_and_held(admin_conn, playbook, run_module, give_back):
    give_back("compute-01", "compute-02")
    hold = run_module("remediation", host="compute-01", action="hold", reason="burn-in after a fan swap",
                      ticket="OPS-1")
    assert hold["state"] == "held" and service(admin_conn, "compute-01").status == "disabled", hold
    labctl("fault", "compute-02", "compute_down")
    wait_state(admin_conn, "compute-02", "down")
    out = playbook("remediate", "compute-02")
    assert out.returncode == 0 and "zone_cap" in out.stdout, out.stdout
    rec = record(admin_conn, "compute-02")
    assert rec["state"] == "held" and "az1" in rec["reason"] and "compute-01" in rec["reason"], rec
    assert service(admin_conn, "compute-02").status == "enabled", "the cap refused: the host must stay in the pool"


def test_a_partition_holds_every_failing_host_and_acts_on_none(admin_conn, playbook, give_back):
    hosts = ("compute-02", "compute-03", "compute-04")
    give_back(*hosts)
    for host in hosts:
        labctl("fault", host, "compute_down")
    for host in hosts:
        wait_state(admin_conn, host, "down")
    out = playbook("remediate", "compute-03")
    assert out.returncode == 0 and "partition" in out.stdout, out.stdout
    for host in hosts:
        rec = record(admin_conn, host)
        assert rec and rec["state"] == "held" and rec["reason"].startswith("partition"), (host, rec)
        assert service(admin_conn, host).status == "enabled", host
    assert not [e for e in entries(playbook.log) if e[0] == "remediation.step"]


def test_a_killed_run_is_resumed_from_its_step(admin_conn, playbook, give_back):
    host = "compute-04"
    give_back(host)
    labctl("fault", host, "compute_down")
    wait_state(admin_conn, host, "down")
    proc = playbook("remediate", host, popen=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        rec = record(admin_conn, host)
        if rec and rec.get("state") == "fixing" and rec.get("step") == "1":
            break  # nova-compute restarted; the run now waits for Nova to see it up
        time.sleep(0.3)
    else:
        proc.kill()
        raise AssertionError("the run never reached step 1: %s\n%s" % (record(admin_conn, host), proc.stdout.read()))
    # the whole run: ansible-playbook and the module's process (ansible's worker runs it in a session of its own)
    os.killpg(proc.pid, signal.SIGKILL)
    subprocess.run(["pkill", "-KILL", "-f", "AnsiballZ_remediation"], check=False)
    proc.wait(timeout=30)
    seen = len(entries(playbook.log))
    assert record(admin_conn, host)["state"] == "fixing" and service(admin_conn, host).status == "disabled"
    out = playbook("remediate", host)
    assert out.returncode == 0, out.stdout
    assert record(admin_conn, host)["state"] == "returned" and service(admin_conn, host).status == "enabled"
    later = entries(playbook.log, seen)
    steps = [after for action, _t, after in later if action == "remediation.step"]
    assert steps == ["ok"], later  # only the wait: the restart is not run again
    assert not [a for a, _t, _x in later if a in ("remediation.detected", "remediation.confirmed")], later


def test_a_runbook_added_from_a_file_fixes_its_pattern(admin_conn, playbook, give_back, tmp_path):
    host = "compute-01"
    give_back(host)
    labctl("fault", host, "sel_critical")
    before = playbook("remediate", host)
    assert before.returncode == 0, before.stdout
    assert record(admin_conn, host) is None and service(admin_conn, host).status == "enabled", before.stdout
    mine = tmp_path / "runbooks"
    mine.mkdir()
    (mine / "sel_spurious.yml").write_text(
        "name: sel_spurious\n"
        "description: the vendor confirmed these SEL entries are spurious; clear the log and verify\n"
        "match: {rules: [HW-11]}\n"
        "steps:\n  - {type: clear_sel, timeout: 60}\n"
        "verify: {rules: [HW-11], timeout: 60}\n")
    out = playbook("remediate", host, osfleet_runbook_dirs=str(mine))
    assert out.returncode == 0, out.stdout
    rec = record(admin_conn, host)
    assert rec["state"] == "returned" and rec["runbook"] == "sel_spurious", rec
    assert service(admin_conn, host).status == "enabled"


def test_the_kill_switch_stops_everything_and_leaves_hosts_where_they_are(admin_conn, playbook, give_back):
    host = "compute-03"
    give_back(host)
    stop = playbook("remediation_stop", osfleet_reason="INC-1 storage outage")
    assert stop.returncode == 0, stop.stdout
    labctl("fault", host, "compute_down")
    wait_state(admin_conn, host, "down")
    out = playbook("remediate", host)
    assert out.returncode == 0 and "kill_switch" in out.stdout, out.stdout
    assert record(admin_conn, host) is None and service(admin_conn, host).status == "enabled"
    assert playbook("remediation_resume").returncode == 0
    assert admin_conn.compute.find_aggregate(CONTROL).metadata.get("osfleet_remed_stopped") is None
