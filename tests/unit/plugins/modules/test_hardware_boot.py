# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import BootOverride
from ansible_collections.osfleet.day2.plugins.modules import hardware_boot

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fakes import FakeBmc, make_runner


@pytest.fixture
def bmc():
    return FakeBmc(boot=BootOverride("hdd", "continuous", "uefi"))


@pytest.fixture
def run(monkeypatch, module_main, bmc, tmp_path):
    r = make_runner(hardware_boot, monkeypatch, module_main, bmc, audit=str(tmp_path / "audit.jsonl"))
    r.audit = str(tmp_path / "audit.jsonl")
    return r


def test_pxe_once_then_idempotent(run, bmc):
    out = run(target="pxe")
    assert out["changed"] is True
    assert out["boot"] == {"target": "pxe", "enabled": "once", "mode": "uefi"}
    assert out["previous_boot"] == {"target": "hdd", "enabled": "continuous", "mode": "uefi"}
    assert run(target="pxe")["changed"] is False
    assert [c for c in bmc.calls if c[0] == "boot"] == [("boot", "pxe", False, None)]
    [entry] = AuditLog(run.audit).entries()
    assert entry["action"] == "hardware_boot.set" and entry["after"]["target"] == "pxe"


def test_check_mode_predicts_and_changes_nothing(run, bmc):
    out = run(target="cd", persistent=True, _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True
    assert out["boot"] == {"target": "cd", "enabled": "continuous", "mode": "uefi"}
    assert out["diff"]["before"]["target"] == "hdd"
    assert bmc.calls == []
    assert AuditLog(run.audit).entries() == []


def test_none_clears_the_override(run, bmc):
    out = run(target="none")
    assert out["changed"] is True and out["boot"]["enabled"] == "disabled"
    assert run(target="none")["changed"] is False
