# -*- coding: utf-8 -*-
"""Acting on unused capacity against the lab: the shipped pack finds a fresh unattached volume, an unbound port
and an unassociated floating IP (ages set to 0 days), the first run notifies (marks on each resource), the second
deletes them; checked through openstacksdk. It also measures what the docs leave open: whether writing the mark
moves the resource's ``updated_at`` (where the pack reads its age from)."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import actions, engine, facts, packs
from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import UNUSED_NOTIFIED
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud

NAME = "unused-it-" + uuid.uuid4().hex[:8]
AGES = {"unused_capacity": {"max_available_days": 0, "max_unbound_days": 0, "max_unassociated_days": 0}}


@pytest.fixture(scope="module")
def made(lab):
    import openstack
    tenant = openstack.connect(cloud="tenant-a")
    admin = openstack.connect(cloud="lab-admin")
    external = [n for n in tenant.network.networks() if n.is_router_external][0]
    things = {}
    try:
        things["net"] = net = tenant.network.create_network(name=NAME + "-net")
        things["port"] = tenant.network.create_port(network_id=net.id, name=NAME + "-port")
        things["fip"] = tenant.network.create_ip(floating_network_id=external.id, description=NAME)
        volume = tenant.block_storage.create_volume(size=1, name=NAME + "-vol")
        things["volume"] = tenant.block_storage.wait_for_status(volume, "available", wait=120)
        yield things
    finally:
        for kind, delete in (("fip", admin.network.delete_ip), ("port", admin.network.delete_port),
                             ("volume", admin.block_storage.delete_volume), ("net", admin.network.delete_network)):
            if kind in things:
                delete(things[kind].id, ignore_missing=True)


def read(admin, made):
    """The three resources as the facts would list them (raw-ish dicts), fresh from the cloud."""
    vol = admin.block_storage.get_volume(made["volume"].id).to_dict(computed=False)
    vol["os-vol-tenant-attr:tenant_id"] = vol.get("project_id")
    port = admin.network.get_port(made["port"].id).to_dict(computed=False)
    fip = admin.network.get_ip(made["fip"].id).to_dict(computed=False)
    return vol, port, fip


def audit(admin, made, now):
    vol, port, fip = read(admin, made)
    projects = [p.to_dict(computed=False) for p in admin.identity.projects()]
    gathered = facts.Gathered(volumes=[vol], ports=[port], floating_ips=[fip], projects=projects)
    targets = facts.build_targets(gathered)
    doc = engine.evaluate(packs.load_packs(["unused_capacity"]), targets, params=AGES, now=now)
    return doc, targets, (vol, port, fip)


def test_notify_then_delete_a_volume_a_port_and_a_floating_ip(lab, admin_conn, made, tmp_path, record_property):
    cloud = Cloud(admin_conn)
    log = AuditLog(str(tmp_path / "audit.jsonl"), actor="lab-test")
    settings = actions.Settings.from_options({"stages": ["notify", "delete"], "grace_delete_days": 0,
                                              "max_resources": 3, "max_percent": 100,
                                              "rules": ["UNUSED-03", "UNUSED-05", "UNUSED-06"]})
    ids = {("volume", made["volume"].id), ("port", made["port"].id), ("floating_ip", made["fip"].id)}
    now = datetime.now(timezone.utc) + timedelta(minutes=1)
    doc, targets, before = audit(admin_conn, made, now)
    failing = {(r["kind"], r["target"]) for r in doc["results"] if r["status"] == "fail"}
    assert ids <= failing, [r["message"] for r in doc["results"] if (r["kind"], r["target"]) in ids]

    first = actions.plan(doc, targets, settings, now)
    assert {(a.kind, a.target) for a in first.actions} == ids and {a.stage for a in first.actions} == {"notify"}
    time.sleep(2)  # so that a moved updated_at shows
    actions.apply(cloud, first, log)
    vol, port, fip = read(admin_conn, made)
    assert UNUSED_NOTIFIED in vol["metadata"]
    assert any(t.startswith(UNUSED_NOTIFIED + ":") for t in port["tags"])
    assert any(t.startswith(UNUSED_NOTIFIED + ":") for t in fip["tags"])
    moved = {kind: before[i].get("updated_at") != now_.get("updated_at")
             for i, (kind, now_) in enumerate((("volume", vol), ("port", port), ("floating_ip", fip)))}
    record_property("updated_at_moved_by_the_mark", moved)
    print("updated_at moved by the mark:", moved)

    later = now + timedelta(minutes=1)
    doc, targets, _read = audit(admin_conn, made, later)
    second = actions.plan(doc, targets, settings, later)
    stages = {(a.kind, a.target): a.stage for a in second.actions}
    # a resource whose age the mark reset passes again, and waits (never sooner than its grace)
    assert set(stages.values()) <= {"delete"}
    actions.apply(cloud, second, log)
    gone = set(stages)
    for kind, rid in gone:
        get = {"volume": admin_conn.block_storage.find_volume, "port": admin_conn.network.find_port,
               "floating_ip": admin_conn.network.find_ip}[kind]
        deadline = time.time() + 60
        while get(rid) is not None and time.time() < deadline:
            time.sleep(2)
        assert get(rid) is None, (kind, rid)
    entries = log.entries()
    assert [e["action"] for e in entries] == ["unused_capacity.notify"] * 3 + ["unused_capacity.delete"] * len(gone)
    assert log.verify().ok
    record_property("deleted_on_the_second_run", sorted(kind for kind, _rid in gone))
