# -*- coding: utf-8 -*-
"""The quarantine playbooks end to end against the lab: `ansible-playbook osfleet.day2.quarantine` and
`osfleet.day2.quarantine_release` with flat (AWX survey) variables, checked through openstacksdk.

A throwaway tenant-a server (two ports, floating IP, volume) is quarantined, the
playbook is re-run (nothing changes), a tampered local evidence copy makes it
fail with the problem named, the release restores the recorded state with the
evidence kept and verified, and a second release deletes the evidence.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import artifact_name
from ansible_collections.osfleet.day2.tests.integration.plugins.modules.quarantine_lab_server import (
    server_state,
    throwaway_server,
)

CASE = "PB-" + uuid.uuid4().hex[:8]
PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


@pytest.fixture(scope="module")
def tenant_server(lab):
    with throwaway_server(CASE) as server:
        yield server


def playbook(name: str, **extra_vars):
    """Run a playbook of the collection by FQCN; its task results by name, its stats and its exit code."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="playbook_results",
               ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"))
    cmd = [str(PLAYBOOK), "osfleet.day2." + name, "-e", json.dumps(extra_vars),
           "-e", "ansible_python_interpreter=" + sys.executable]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError("ansible-playbook wrote no results (rc %d):\n%s\n%s"
                             % (proc.returncode, proc.stdout, proc.stderr))
    return proc.returncode, out["tasks"], out["stats"]["localhost"]


def test_quarantine_and_release_playbooks(lab, admin_conn, tenant_server, tmp_path):
    import openstack
    sid = tenant_server.id
    before = server_state(admin_conn, sid)
    audit_log, evidence_dir = str(tmp_path / "audit.jsonl"), str(tmp_path / "evidence")
    survey = dict(osfleet_server=tenant_server.name, osfleet_case_id=CASE, osfleet_cloud="lab-admin",
                  osfleet_forensic_cidr="192.0.2.0/24", osfleet_evidence_project="investigators",
                  osfleet_evidence_cloud="investigators", osfleet_isolation="security_group", osfleet_power="pause",
                  osfleet_audit_log=audit_log, osfleet_evidence_dir=evidence_dir, osfleet_wait_timeout="240",
                  osfleet_audit_actor="it-tester")

    # quarantine: every step, then the evidence and custody chain verified by the playbook itself
    rc, tasks, stats = playbook("quarantine", **survey)
    assert rc == 0 and stats["failures"] == 0, tasks
    run = tasks["Quarantine the server and take the evidence"]
    assert run["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence", "share", "power"]
    assert tasks["Fail unless the case is complete and its evidence and custody chain verify"]["msg"] == \
        "Case %s: evidence and custody chain verified" % CASE
    assert tasks["Re-hash the evidence and verify the custody chain"]["verification"]["ok"] is True
    report = tasks["Report the case (keep the audit head outside this machine)"]["msg"]
    assert report["audit_head"]["seq"] == 8 and report["manifest"]["sha256"]
    server = admin_conn.compute.get_server(sid)
    assert server.status == "PAUSED" and server.is_locked and server.metadata[QUARANTINE_META_KEY] == CASE
    entries = AuditLog(audit_log).entries()
    assert [e["actor"] for e in entries] == ["it-tester"] * 8
    copy_ = next(a for a in run["manifest"]["artifacts"] if a["kind"] == "evidence_volume")
    investigators = openstack.connect(cloud="investigators")
    assert investigators.block_storage.get_volume(copy_["id"]).project_id == investigators.current_project_id

    # a second run changes nothing and still verifies
    rc, tasks, stats = playbook("quarantine", **survey)
    assert rc == 0 and stats["changed"] == 0 and stats["failures"] == 0, tasks
    assert tasks["Quarantine the server and take the evidence"]["steps"] == []

    # a tampered local copy: the playbook fails and names it
    console = Path(evidence_dir) / CASE / "console_log.log"
    original = console.read_bytes()
    console.chmod(0o600)
    console.write_bytes(original + b"nothing to see here\n")
    rc, tasks, stats = playbook("quarantine", **survey)
    failed = tasks["Fail unless the case is complete and its evidence and custody chain verify"]
    assert rc != 0 and stats["failures"] == 1 and failed["failed"] is True
    assert "does not verify" in failed["msg"] and str(console) in failed["msg"]
    console.write_bytes(original)

    # release with the evidence kept: the recorded state is back, the evidence and the chain still verify
    release = dict(osfleet_server=sid, osfleet_cloud="lab-admin", osfleet_audit_log=audit_log,
                   osfleet_evidence_dir=evidence_dir, osfleet_wait_timeout=240, osfleet_audit_actor="it-tester")
    rc, tasks, stats = playbook("quarantine_release", **release)
    assert rc == 0 and stats["failures"] == 0, tasks
    assert tasks["Release the server to its recorded state"]["case_id"] == CASE
    assert tasks["Fail unless the server is restored and no longer carries the quarantine"]["msg"] == \
        "%s restored to its recorded state" % sid
    assert tasks["Read the cases and, with the evidence kept, verify it and the custody chain"]["verification"] == \
        {"ok": True, "evidence": [], "audit": []}
    assert server_state(admin_conn, sid) == before
    assert investigators.block_storage.get_volume(copy_["id"]).status == "available"

    # release again, deleting the evidence: nothing to restore, every artifact gone, the chain intact
    rc, tasks, stats = playbook("quarantine_release", osfleet_delete_evidence="true", osfleet_case_id=CASE, **release)
    assert rc == 0 and stats["failures"] == 0, tasks
    assert tasks["Release the server to its recorded state"]["steps"] == ["delete_evidence"]
    assert tasks["Report the release"]["msg"]["evidence"] == "deleted"
    assert not list(admin_conn.image.images(name=artifact_name(CASE, "manifest")))
    assert admin_conn.block_storage.find_volume(copy_["id"], all_projects=True) is None or \
        admin_conn.block_storage.get_volume(copy_["id"]).status == "deleting"
    assert server_state(admin_conn, sid) == before
    assert AuditLog(audit_log).verify().ok
