# -*- coding: utf-8 -*-
"""The compute_service module end to end, over Nova in memory behind stubbed HTTP."""
from __future__ import annotations


import pytest


from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.modules import compute_service


@pytest.fixture
def run(nova_fake, tmp_path, monkeypatch, module_main):
    monkeypatch.setattr(Day2Module, "conn", property(lambda self: nova_fake.cloud.conn))
    audit = str(tmp_path / "audit.jsonl")

    def _run(**args):
        args.setdefault("audit_log", audit)
        return module_main(compute_service, args)
    _run.audit = audit
    return _run


def test_disable_with_reason_then_idempotent(run, fake_conn):
    first = run(host="compute-01", status="disabled", disabled_reason="CHG-1")
    assert first["changed"] is True
    assert first["service"]["status"] == "disabled"
    assert first["service"]["disabled_reason"] == "CHG-1"
    assert first["audit"]["entries"] == 1
    second = run(host="compute-01", status="disabled", disabled_reason="CHG-1")
    assert second["changed"] is False
    assert "audit" not in second
    entries = AuditLog(run.audit).entries()
    assert [(e["action"], e["target"]) for e in entries] == [("compute_service.disable", "nova-compute@compute-01")]
    assert entries[0]["before"]["status"] == "enabled"
    assert entries[0]["after"]["disabled_reason"] == "CHG-1"
    assert AuditLog(run.audit).verify().ok


def test_check_mode_changes_nothing_and_diff_shows_prediction(run, fake_conn):
    out = run(host="compute-03", status="enabled", forced_down=False, _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True
    assert [s["action"] for s in out["steps"]] == ["clear_force_down", "enable"]
    assert out["diff"]["before"]["forced_down"] is True
    assert out["diff"]["after"]["forced_down"] is False
    assert out["diff"]["after"]["status"] == "enabled"
    assert fake_conn.compute.calls == []
    assert AuditLog(run.audit).entries() == []


def test_unknown_host_fails_naming_the_field(run):
    out = run(host="nope", status="disabled")
    assert out["failed"] is True
    assert out["field"] == "host"
    assert "known hosts: compute-01" in out["msg"]


def test_reason_without_disabled_fails(run, fake_conn):
    out = run(host="compute-01", status="enabled", disabled_reason="x")
    assert out["failed"] is True
    assert out["field"] == "disabled_reason"
    assert fake_conn.compute.calls == []


def test_needs_status_or_forced_down(run):
    out = run(host="compute-01")
    assert out["failed"] is True
    assert "status" in out["msg"] and "forced_down" in out["msg"]
