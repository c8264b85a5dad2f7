# -*- coding: utf-8 -*-
"""server_quarantine and quarantine_info end to end: the modules on a real openstacksdk connection whose
requests reach the case's cloud in memory through stubbed HTTP (fake_cloud_http)."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.modules import quarantine_info, server_quarantine
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.fake_cloud_http import (
    scoped_cloud,
    served,
)

# the SDK's notes to itself (deprecations raised and caught inside openstacksdk) are not ours to fix
pytestmark = [pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:openstack")]


@pytest.fixture
def run(tmp_path, monkeypatch, module_main):
    """run(module, **args): the module on a connection to the stubbed cloud (a new one per run, as Ansible makes
    one per task); ``run.fake`` is the cloud's state, ``run.stub`` the stub, ``run.audit`` the audit log."""
    with served(monkeypatch) as (stub, fake):
        conns = []

        def connection(self):
            if self._conn is None:
                self._conn = stub.cloud().conn
                conns.append(self._conn)
            return self._conn
        monkeypatch.setattr(Day2Module, "conn", property(connection))

        def _run(module=server_quarantine, **args):
            if module is server_quarantine:
                args.setdefault("audit_log", _run.audit)
            return module_main(module, args)
        _run.audit, _run.fake, _run.stub = str(tmp_path / "audit.jsonl"), fake, stub
        yield _run
        for conn in conns:
            conn.close()


def test_check_mode_reports_the_plan_and_changes_nothing(run):
    fake = run.fake
    before = fake.state()
    out = run(server="web-1", case_id="SEC-1", _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True
    assert out["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence"]
    assert out["diff"]["before"]["locked"] is False
    assert fake.state() == before and fake.calls == [] and AuditLog(run.audit).entries() == []
    assert fake.writes == []


def test_every_step_is_a_custody_entry_and_info_verifies_the_case(run):
    out = run(server="web-1", case_id="SEC-1", evidence_project="investigators", power="stop")
    assert out["changed"] is True and out["audit"]["entries"] == 8
    entries = AuditLog(run.audit).entries()
    assert [e["action"] for e in entries] == ["server_quarantine." + s for s in out["steps"]]
    assert AuditLog(run.audit).verify().ok
    assert run(server="web-1", case_id="SEC-1", evidence_project="investigators", power="stop")["changed"] is False
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert info["verification"] == {"ok": True, "evidence": [], "audit": []}
    assert info["cases"][0]["case_id"] == "SEC-1"


def test_the_custody_entries_keep_their_shape(run):
    """What the lab tests and an auditor read from each entry: the target, and each step's before/after keys."""
    out = run(server="web-1", case_id="SEC-1", evidence_project="investigators", power="pause")
    entries = {e["action"].split(".", 1)[1]: e for e in AuditLog(run.audit).entries()}
    assert list(entries) == out["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence",
                                             "share", "power"]
    assert {e["target"] for e in entries.values()} == {"server srv-1 (case SEC-1)"}
    assert entries["lock"]["before"] == {"locked": False, "locked_reason": None}
    assert entries["lock"]["after"] == {"locked": True, "locked_reason": "osfleet quarantine case SEC-1"}
    assert entries["mark"]["after"] == {"metadata": {"osfleet_quarantine_case": "SEC-1"}, "tag": "osfleet-quarantine"}
    assert entries["detach_floating_ips"]["before"] == {"floating_ips": [
        {"id": "fip-1", "address": "203.0.113.7", "port_id": "port-1"}]}
    assert entries["detach_floating_ips"]["after"] == {"floating_ips": []}
    assert set(entries["isolate"]["after"]["ports"]) == {"port-1", "port-2"}
    assert entries["isolate"]["details"]["isolation"] == "security_group"
    record = entries["record"]
    assert record["after"]["server_id"] == "srv-1" and record["after"]["volumes"] == [
        {"id": "vol-1", "device": "/dev/vdb"}]
    assert record["after"]["floating_ips"] == [{"id": "fip-1", "floating_ip_address": "203.0.113.7",
                                                "port_id": "port-1", "fixed_ip_address": "10.0.0.5"}]
    assert set(record["details"]["record"]) == {"kind", "store", "id", "name", "sha256", "size"}
    assert set(entries["evidence"]["after"]["manifest"]) == {"kind", "store", "id", "name", "sha256", "size"}
    assert set(entries["share"]["after"]) == {"project", "images", "volumes"}
    assert set(entries["share"]["details"]) == {"transferred", "volume_snapshots"}
    assert entries["power"]["before"] == {"status": "ACTIVE"} and entries["power"]["after"] == {"status": "PAUSED"}


def test_info_detects_an_edited_audit_line_and_a_replaced_manifest(run):
    run(server="web-1", case_id="SEC-1")
    lines = open(run.audit).read().splitlines()
    edited = json.loads(lines[1])
    edited["after"]["locked_reason"] = "nothing happened"
    with open(run.audit, "w") as fh:
        fh.write("\n".join([lines[0], json.dumps(edited)] + lines[2:]) + "\n")
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert info["verification"]["ok"] is False
    assert any("altered" in p for p in info["verification"]["audit"])
    manifest = next(i for i in run.fake._images.values() if i.name.endswith("-manifest"))
    manifest.data = json.dumps({"case_id": "SEC-1", "artifacts": []}).encode()
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert any("manifest replaced" in p for p in info["verification"]["audit"])


def test_release_finds_the_case_on_the_server(run):
    fake = run.fake
    before = fake.state()
    run(server="web-1", case_id="SEC-1", power="pause")
    out = run(server="web-1", state="released")
    assert out["changed"] is True and out["case_id"] == "SEC-1"
    assert fake.state() == before
    assert run(server="web-1", state="released")["changed"] is False
    assert run(quarantine_info)["cases"] == []  # no longer listed


def test_evidence_cloud_accepts_the_volume_transfers_without_the_operators_auth(run, monkeypatch):
    made = []

    def fake_connect_cloud(options):
        made.append(options)
        return scoped_cloud(run.stub, "proj-investigators")
    monkeypatch.setattr(server_quarantine, "connect_cloud", fake_connect_cloud)
    out = run(server="web-1", case_id="SEC-1", evidence_project="investigators", evidence_cloud="investigators",
              auth={"username": "operator", "password": "secret"}, region_name="RegionOne")
    assert not out.get("failed") and "share" in out["steps"]
    (options,) = made
    assert options.cloud == "investigators" and options.auth is None and options.region_name == "RegionOne"
    copy_ = next(a for a in out["manifest"]["artifacts"] if a["kind"] == "evidence_volume")
    assert run.fake._volumes[copy_["id"]].project_id == "proj-investigators"
    share = [e for e in AuditLog(run.audit).entries() if e["action"] == "server_quarantine.share"][0]
    assert share["after"]["volumes"] == [copy_["id"]] and share["details"]["transferred"] == [copy_["id"]]
