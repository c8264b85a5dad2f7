# -*- coding: utf-8 -*-
"""compute_service against the lab's real Nova."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog

HOST = "compute-04"


def nova_service(conn, host=HOST):
    [svc] = [s for s in conn.compute.services(binary="nova-compute") if s.host == host]
    return svc


@pytest.fixture
def enabled_host(admin_conn, run_module):
    run_module("compute_service", host=HOST, status="enabled", forced_down=False)
    yield HOST
    run_module("compute_service", host=HOST, status="enabled", forced_down=False)


def test_disable_with_reason_is_idempotent_and_audited(enabled_host, admin_conn, run_module):
    first = run_module("compute_service", host=HOST, status="disabled", disabled_reason="it: maintenance")
    assert first["changed"] is True, first
    svc = nova_service(admin_conn)
    assert (svc.status, svc.disabled_reason) == ("disabled", "it: maintenance")
    second = run_module("compute_service", host=HOST, status="disabled", disabled_reason="it: maintenance")
    assert second["changed"] is False, second
    log = AuditLog(str(run_module.audit_log))
    assert [e["action"] for e in log.entries()][-1] == "compute_service.disable"
    assert log.verify().ok


def test_check_mode_changes_nothing(enabled_host, admin_conn, run_module):
    out = run_module("compute_service", check=True, host=HOST, status="disabled", disabled_reason="check only")
    assert out["changed"] is True
    # the predicted record (the diff's "after"; the tree callback does not keep "diff" itself)
    assert out["service"]["status"] == "disabled"
    assert out["service"]["disabled_reason"] == "check only"
    assert nova_service(admin_conn).status == "enabled"
    assert not run_module.audit_log.exists()


def test_force_down_and_clear(enabled_host, admin_conn, run_module):
    out = run_module("compute_service", host=HOST, status="disabled", disabled_reason="fenced", forced_down=True)
    assert out["changed"] is True, out
    svc = nova_service(admin_conn)
    assert svc.is_forced_down is True and svc.state == "down"
    out = run_module("compute_service", host=HOST, status="enabled", forced_down=False)
    assert [s["action"] for s in out["steps"]] == ["clear_force_down", "enable"]
    svc = nova_service(admin_conn)
    assert svc.is_forced_down is False and svc.status == "enabled"


def test_unknown_host_fails_cleanly(lab, run_module):
    out = run_module("compute_service", host="no-such-host", status="disabled")
    assert out["failed"] is True
    assert "known hosts: compute-01, compute-02, compute-03, compute-04" in out["msg"]


def test_fleet_info_sees_all_computes_and_servers(admin_conn, run_module):
    out = run_module("fleet_info")
    assert sorted(out["hosts"]) == ["compute-01", "compute-02", "compute-03", "compute-04"]
    direct = {s.id: s.compute_host for s in admin_conn.compute.servers(all_projects=True)}
    assert {i: s["host"] for i, s in out["servers"].items()} == direct
    for name, host in out["hosts"].items():
        assert host["hypervisor"]["state"] in ("up", "down")
        assert host["capacity"]["vcpus"]["total"] > 0
        assert sorted(host["servers"]) == sorted(i for i, h in direct.items() if h == name)
