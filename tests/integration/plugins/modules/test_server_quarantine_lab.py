# -*- coding: utf-8 -*-
"""server_quarantine and quarantine_info against the lab, checked through openstacksdk.

One tenant-a server with two ports, a floating IP and a volume is made for the
module and deleted afterwards (after a release that also deletes the evidence).
The volume's evidence (a volume made from its snapshot, uploaded to an image and
hashed) goes to the investigators with a volume transfer accepted by their own
credentials (the `investigators` cloud).
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.case import Case, Options, StopAfter
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import artifact_name
from ansible_collections.osfleet.day2.tests.integration.plugins.modules.quarantine_lab_server import (
    server_state,
    throwaway_server,
)

CASE = "IT-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def tenant_server(lab):
    with throwaway_server(CASE) as server:
        yield server


def test_quarantine_evidence_resume_tamper_and_release(lab, admin_conn, run_module, tenant_server, tmp_path):
    import openstack
    from openstack import exceptions
    sid = tenant_server.id
    before = server_state(admin_conn, sid)
    assert len(before["ports"]) == 2 and len(before["floating_ips"]) == 1
    evidence_dir = str(tmp_path / "evidence")
    args = dict(server=sid, case_id=CASE, forensic_cidr="192.0.2.0/24", evidence_project="investigators",
                evidence_cloud="investigators", power="pause", evidence_dir=evidence_dir, timeout=240)

    # check mode plans every step and changes nothing
    planned = run_module("server_quarantine", check=True, diff=True, **args)
    assert planned["changed"] is True and not planned["failed"]
    assert planned["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence", "share",
                                "power"]
    assert server_state(admin_conn, sid) == before
    assert not list(admin_conn.image.images(name=artifact_name(CASE, "record")))
    assert not AuditLog(str(run_module.audit_log)).entries()

    # a run killed right after the floating IPs were detached (isolation done) ...
    audit = AuditLog(str(run_module.audit_log))
    opts = Options(case_id=CASE, forensic_cidr="192.0.2.0/24", evidence_project="investigators", power="pause",
                   evidence_dir=evidence_dir)
    with pytest.raises(StopAfter):
        Case(Cloud(admin_conn), sid, opts).apply(
            on_step=lambda name, out: audit.append("server_quarantine." + name, "server %s (case %s)" % (sid, CASE),
                                                   out.get("before"), out.get("after"), out.get("details")),
            stop_after="detach_floating_ips")
    # ... is finished by the next run, and a third run changes nothing
    done = run_module("server_quarantine", **args)
    assert not done["failed"], done
    assert done["changed"] is True and done["steps"] == ["evidence", "share", "power"]
    again = run_module("server_quarantine", **args)
    assert again["changed"] is False and again["steps"] == []

    # the owner can no longer delete, rebuild, stop or re-label it
    tenant = openstack.connect(cloud="tenant-a")
    for call in (lambda: tenant.compute.delete_server(sid),
                 lambda: tenant.compute.rebuild_server(sid, image=tenant_server.image["id"]),
                 lambda: tenant.compute.stop_server(sid),
                 lambda: tenant.compute.set_server_metadata(sid, owner="mallory")):
        with pytest.raises(exceptions.ConflictException, match="locked"):
            call()

    # a lock does not stop a rename (Nova does not lock-check PUT /servers); the next run puts the name back
    recorded_name = admin_conn.compute.get_server(sid).name
    tenant.compute.update_server(sid, name="renamed-by-owner")
    healed = run_module("server_quarantine", **args)
    assert healed["changed"] is True and healed["steps"] == ["restore_name"], healed
    assert admin_conn.compute.get_server(sid).name == recorded_name

    server = admin_conn.compute.get_server(sid)
    assert server.is_locked and CASE in server.locked_reason
    assert server.metadata[QUARANTINE_META_KEY] == CASE and QUARANTINE_TAG in server.tags
    assert server.status == "PAUSED"
    group = admin_conn.network.find_security_group("osfleet-quarantine-" + CASE, project_id=server.project_id)
    rules = list(admin_conn.network.security_group_rules(security_group_id=group.id))
    assert [(r.direction, r.remote_ip_prefix) for r in rules] == [("ingress", "192.0.2.0/24")]
    for port in admin_conn.network.ports(device_id=sid):
        assert port.security_group_ids == [group.id]
    assert not [f for f in admin_conn.network.ips() if f.port_id in before["ports"]]

    # the investigators see the server image, active, and its data hashes as the manifest says
    manifest = done["manifest"]
    kinds = sorted(a["kind"] for a in manifest["artifacts"])
    assert {"server_image", "volume_snapshot", "evidence_volume", "console_log", "actions", "record"} <= set(kinds)
    image_entry = next(a for a in manifest["artifacts"] if a["kind"] == "server_image")
    investigators = openstack.connect(cloud="investigators")
    shared = {i.id: i for i in investigators.image.images(member_status="accepted")}
    assert shared[image_entry["id"]].status == "active"
    data = investigators.image.download_image(image_entry["id"]).content
    assert len(data) > 0 and hashlib.sha256(data).hexdigest() == image_entry["sha256"]
    snap = next(a for a in manifest["artifacts"] if a["kind"] == "volume_snapshot")
    assert admin_conn.block_storage.get_snapshot(snap["id"]).status == "available"

    # the volume's evidence: a volume made from the snapshot, now the investigators' own, and its data hashed
    copy_ = next(a for a in manifest["artifacts"] if a["kind"] == "evidence_volume")
    assert copy_["snapshot_id"] == snap["id"] and copy_["volume_id"] == snap["volume_id"]
    mine = {v.id: v for v in investigators.block_storage.volumes()}
    assert mine[copy_["id"]].status == "available"
    assert mine[copy_["id"]].project_id == investigators.current_project_id
    volume_hashed = copy_["data_image"] is not None
    if volume_hashed:
        data_entry = next(a for a in manifest["artifacts"] if a["kind"] == "volume_data")
        assert data_entry["id"] in shared and data_entry["evidence_volume_id"] == copy_["id"]
        blocks = investigators.image.download_image(data_entry["id"]).content
        # the lab backend's bytes of the original volume, carried through snapshot and copy
        assert blocks == ("osflab volume %s\n" % snap["volume_id"]).encode()
        assert hashlib.sha256(blocks).hexdigest() == data_entry["sha256"]
    else:
        assert "copy_volume_to_image" in copy_["note"] and "volume_data" not in kinds

    # quarantine_info lists the case and verifies evidence and custody chain
    info = run_module("quarantine_info", case_id=CASE, evidence_dir=evidence_dir, audit_log=str(run_module.audit_log))
    assert info["verification"] == {"ok": True, "evidence": [], "audit": []}, info
    assert [c["server_id"] for c in info["cases"] if c["case_id"] == CASE] == [sid]

    # tampering with a saved console log, or with an audit line, is detected
    console = os.path.join(evidence_dir, CASE, "console_log.log")
    os.chmod(console, 0o600)
    with open(console, "ab") as fh:
        fh.write(b"nothing to see here\n")
    tampered = run_module("quarantine_info", case_id=CASE, evidence_dir=evidence_dir)
    assert tampered["verification"]["ok"] is False
    assert any("console_log.log" in p for p in tampered["verification"]["evidence"])
    forged = tmp_path / "forged.jsonl"
    lines = run_module.audit_log.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["actor"] = "someone-else"
    forged.write_text("\n".join([json.dumps(entry)] + lines[1:]) + "\n")
    (tmp_path / "forged.jsonl.head").write_text((tmp_path / "audit.jsonl.head").read_text())
    forged_info = run_module("quarantine_info", case_id=CASE, audit_log=str(forged))
    assert forged_info["verification"]["ok"] is False
    assert any("altered" in p for p in forged_info["verification"]["audit"])

    # release restores every recorded attribute; the evidence stays; a second release changes nothing
    released = run_module("server_quarantine", server=sid, case_id=CASE, state="released")
    assert not released["failed"], released
    assert released["changed"] is True
    assert server_state(admin_conn, sid) == before
    assert admin_conn.network.find_security_group("osfleet-quarantine-" + CASE) is None
    assert admin_conn.image.get_image(image_entry["id"]).status == "active"
    assert run_module("server_quarantine", server=sid, case_id=CASE, state="released")["changed"] is False
    assert AuditLog(str(run_module.audit_log)).verify().ok
    assert investigators.block_storage.get_volume(copy_["id"]).status == "available"  # evidence kept
    # the lab's Cinder driver uploads volumes to images, so the volume data must have been hashed
    assert volume_hashed, "the evidence volume's data was not uploaded and hashed"
