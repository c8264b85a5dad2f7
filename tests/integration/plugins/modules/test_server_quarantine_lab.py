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
import time
import uuid

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils.fleet_marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils.quarantine import Case, Options, StopAfter
from ansible_collections.osfleet.day2.plugins.module_utils.quarantine_record import artifact_name

CASE = "IT-" + uuid.uuid4().hex[:8]


def _snapshot(conn, server_id):
    """Every attribute quarantine changes and release must put back."""
    server = conn.compute.get_server(server_id)
    ports = sorted(conn.network.ports(device_id=server_id), key=lambda p: p.id)
    return {
        "status": server.status, "locked": server.is_locked, "locked_reason": server.locked_reason,
        "metadata": dict(server.metadata), "tags": sorted(server.tags or []),
        "ports": {p.id: (sorted(p.security_group_ids), p.is_port_security_enabled, p.is_admin_state_up)
                  for p in ports},
        "floating_ips": sorted((f.floating_ip_address, f.port_id, f.fixed_ip_address)
                               for f in conn.network.ips(project_id=server.project_id) if f.port_id in
                               {p.id for p in ports}),
    }


@pytest.fixture(scope="module")
def tenant_server(lab):
    import openstack
    tenant = openstack.connect(cloud="tenant-a")
    admin = openstack.connect(cloud="lab-admin")
    name = "qtest-" + CASE.lower()
    # tenant-a-net may be full (benchmarks fill it): a small network of our own behind tenant-a's router
    external = [n for n in tenant.network.networks() if n.is_router_external][0]
    router = [r for r in tenant.network.routers(project_id=tenant.current_project_id) if r.external_gateway_info][0]
    net = tenant.network.create_network(name=name + "-net")
    made = {"net": net, "router": router}
    try:
        made["subnet"] = subnet = tenant.network.create_subnet(
            network_id=net.id, ip_version=4, cidr="10.251.%d.0/28" % (int(CASE[-2:], 16) % 250))
        tenant.network.add_interface_to_router(router, subnet_id=subnet.id)
        ports = made["ports"] = [tenant.network.create_port(network_id=net.id, name="%s-p%d" % (name, i))
                                 for i in (1, 2)]
    except Exception:
        _cleanup(admin, made)
        raise
    try:
        server = tenant.compute.create_server(
            name=name, image_id=tenant.image.find_image("cirros-lab", ignore_missing=False).id,
            flavor_id=tenant.compute.find_flavor("c1.nano", ignore_missing=False).id,
            networks=[{"port": p.id} for p in ports], metadata={"owner": "alice", "role": "web"})
        made["server"] = server = tenant.compute.wait_for_server(server, wait=300)
        made["volume"] = volume = tenant.block_storage.create_volume(size=1, name=name + "-vol")
        tenant.block_storage.wait_for_status(volume, "available", wait=120)
        tenant.compute.create_volume_attachment(server, volume_id=volume.id)
        tenant.block_storage.wait_for_status(volume, "in-use", wait=120)
        made["fip"] = tenant.network.create_ip(floating_network_id=external.id, port_id=ports[0].id)
        yield tenant.compute.get_server(server.id)
    finally:
        if "server" in made:  # release (idempotent) and drop the evidence, then delete what we made
            Case(admin, made["server"].id, Options(case_id=CASE, state="released", delete_evidence=True)).apply()
            admin.compute.delete_server(made["server"].id)
            admin.compute.wait_for_delete(made["server"], wait=120)
        _cleanup(admin, made)


def _cleanup(admin, made):
    if "fip" in made:
        admin.network.delete_ip(made["fip"].id)
    if "volume" in made:
        admin.block_storage.wait_for_status(made["volume"], "available", wait=120)
        deadline = time.time() + 120  # snapshot deletion is asynchronous; a volume with snapshots cannot go
        while list(admin.block_storage.snapshots(all_projects=True, volume_id=made["volume"].id)) \
                and time.time() < deadline:
            time.sleep(2)
        admin.block_storage.delete_volume(made["volume"].id)
    for port in made.get("ports", []):
        admin.network.delete_port(port.id)
    if "subnet" in made:
        admin.network.remove_interface_from_router(made["router"], subnet_id=made["subnet"].id)
    admin.network.delete_network(made["net"].id)


def test_quarantine_evidence_resume_tamper_and_release(lab, admin_conn, run_module, tenant_server, tmp_path):
    import openstack
    from openstack import exceptions
    sid = tenant_server.id
    before = _snapshot(admin_conn, sid)
    assert len(before["ports"]) == 2 and len(before["floating_ips"]) == 1
    evidence_dir = str(tmp_path / "evidence")
    args = dict(server=sid, case_id=CASE, forensic_cidr="192.0.2.0/24", evidence_project="investigators",
                evidence_cloud="investigators", power="pause", evidence_dir=evidence_dir, timeout=240)

    # check mode plans every step and changes nothing
    planned = run_module("server_quarantine", check=True, diff=True, **args)
    assert planned["changed"] is True and not planned["failed"]
    assert planned["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence", "share",
                                "power"]
    assert _snapshot(admin_conn, sid) == before
    assert not list(admin_conn.image.images(name=artifact_name(CASE, "record")))
    assert not AuditLog(str(run_module.audit_log)).entries()

    # a run killed right after the floating IPs were detached (isolation done) ...
    audit = AuditLog(str(run_module.audit_log))
    opts = Options(case_id=CASE, forensic_cidr="192.0.2.0/24", evidence_project="investigators", power="pause",
                   evidence_dir=evidence_dir)
    with pytest.raises(StopAfter):
        Case(admin_conn, sid, opts).apply(
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
    assert _snapshot(admin_conn, sid) == before
    assert admin_conn.network.find_security_group("osfleet-quarantine-" + CASE) is None
    assert admin_conn.image.get_image(image_entry["id"]).status == "active"
    assert run_module("server_quarantine", server=sid, case_id=CASE, state="released")["changed"] is False
    assert AuditLog(str(run_module.audit_log)).verify().ok
    assert investigators.block_storage.get_volume(copy_["id"]).status == "available"  # evidence kept
    if not volume_hashed:
        pytest.xfail("the lab's cinder-volume cannot upload volumes to images: it runs a driver without "
                     "copy_volume_to_image (restart it to load lab/lablib/openstack/drivers/osflab_cinder_driver.py)")
