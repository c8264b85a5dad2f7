# -*- coding: utf-8 -*-
"""server_quarantine and quarantine_info end to end, with the cloud in memory."""
from __future__ import annotations

import json

import pytest


from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.modules import quarantine_info, server_quarantine
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.test_quarantine import FakeCloud


@pytest.fixture
def cloud():
    return FakeCloud()


@pytest.fixture
def run(cloud, tmp_path, monkeypatch, module_main):
    monkeypatch.setattr(Day2Module, "conn", property(lambda self: cloud))
    audit = str(tmp_path / "audit.jsonl")

    def _run(module=server_quarantine, **args):
        if module is server_quarantine:
            args.setdefault("audit_log", audit)
        return module_main(module, args)
    _run.audit = audit
    return _run


def test_check_mode_reports_the_plan_and_changes_nothing(run, cloud):
    before = cloud.state()
    out = run(server="web-1", case_id="SEC-1", _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True
    assert out["steps"] == ["record", "lock", "mark", "isolate", "detach_floating_ips", "evidence"]
    assert out["diff"]["before"]["locked"] is False
    assert cloud.state() == before and cloud.calls == [] and AuditLog(run.audit).entries() == []


def test_every_step_is_a_custody_entry_and_info_verifies_the_case(run, cloud):
    out = run(server="web-1", case_id="SEC-1", evidence_project="investigators", power="stop")
    assert out["changed"] is True and out["audit"]["entries"] == 8
    entries = AuditLog(run.audit).entries()
    assert [e["action"] for e in entries] == ["server_quarantine." + s for s in out["steps"]]
    assert AuditLog(run.audit).verify().ok
    assert run(server="web-1", case_id="SEC-1", evidence_project="investigators", power="stop")["changed"] is False
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert info["verification"] == {"ok": True, "evidence": [], "audit": []}
    assert info["cases"][0]["case_id"] == "SEC-1"


def test_info_detects_an_edited_audit_line_and_a_replaced_manifest(run, cloud, tmp_path):
    run(server="web-1", case_id="SEC-1")
    lines = open(run.audit).read().splitlines()
    edited = json.loads(lines[1])
    edited["after"]["locked_reason"] = "nothing happened"
    with open(run.audit, "w") as fh:
        fh.write("\n".join([lines[0], json.dumps(edited)] + lines[2:]) + "\n")
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert info["verification"]["ok"] is False
    assert any("altered" in p for p in info["verification"]["audit"])
    manifest = next(i for i in cloud._images.values() if i.name.endswith("-manifest"))
    manifest.data = json.dumps({"case_id": "SEC-1", "artifacts": []}).encode()
    info = run(quarantine_info, case_id="SEC-1", audit_log=run.audit)
    assert any("manifest replaced" in p for p in info["verification"]["audit"])


def test_release_finds_the_case_on_the_server(run, cloud):
    before = cloud.state()
    run(server="web-1", case_id="SEC-1", power="pause")
    out = run(server="web-1", state="released")
    assert out["changed"] is True and out["case_id"] == "SEC-1"
    assert cloud.state() == before
    assert run(server="web-1", state="released")["changed"] is False


def test_evidence_cloud_accepts_the_volume_transfers_without_the_operators_auth(run, cloud, monkeypatch):
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.test_quarantine import Receiver
    made = []

    def fake_connect(options):
        made.append(options)
        return Receiver(cloud, "proj-investigators")
    monkeypatch.setattr(server_quarantine, "connect", fake_connect)
    out = run(server="web-1", case_id="SEC-1", evidence_project="investigators", evidence_cloud="investigators",
              auth={"username": "operator", "password": "secret"}, region_name="RegionOne")
    assert not out.get("failed") and "share" in out["steps"]
    (options,) = made
    assert options.cloud == "investigators" and options.auth is None and options.region_name == "RegionOne"
    copy_ = next(a for a in out["manifest"]["artifacts"] if a["kind"] == "evidence_volume")
    assert cloud._volumes[copy_["id"]].project_id == "proj-investigators"
    share = [e for e in AuditLog(run.audit).entries() if e["action"] == "server_quarantine.share"][0]
    assert share["after"]["volumes"] == [copy_["id"]] and share["details"]["transferred"] == [copy_["id"]]
