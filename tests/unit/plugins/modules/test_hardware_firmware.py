# -*- coding: utf-8 -*-
"""hardware_firmware end to end against a loopback Redfish server with an UpdateService: only HTTP is stubbed."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.modules import hardware_firmware

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish, load
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fake_update_service import (
    FW,
    FakeUpdateService,
)

IMAGE = "http://fw.example/R640e/bmc-7.20.bin"


@pytest.fixture
def redfish():
    fake = FakeRedfish(load("redfish_raw_healthy.json"))
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def run(redfish, module_main, tmp_path):
    audit = str(tmp_path / "audit.jsonl")

    def _run(**args):
        args = dict(dict(address=redfish.address(), username="admin", password="secret", audit_log=audit), **args)
        out = module_main(hardware_firmware, args)
        assert "secret" not in json.dumps(out)
        return out
    _run.audit = audit
    return _run


def posted(redfish):
    return [r for r in redfish.requests if r[0] == "POST" and r[1].endswith("SimpleUpdate")]


def test_update_then_idempotent_with_audit_and_the_kept_image(run, redfish):
    FakeUpdateService(redfish)
    out = run(image_uri=IMAGE)
    assert out["changed"] is True and not out.get("failed")
    assert (out["component"], out["previous_version"], out["version"]) == ("BMC", "7.10", "7.20")
    assert out["task"]["task_state"] == "Completed" and out["task"]["messages"] == ["BMC updated to 7.20"]
    assert {"id": "BMC-Previous", "name": "BMC Firmware (previous)", "version": "7.10", "previous": True,
            "updateable": False} in out["firmware"]
    [entry] = AuditLog(run.audit).entries()
    assert entry["action"] == "hardware_firmware.update" and entry["before"]["version"] == "7.10"
    assert entry["after"] == {"component": "BMC", "version": "7.20"} and out["audit"]["entries"] == 1
    again = run(image_uri=IMAGE)
    assert again["changed"] is False and again["image_uri"] is None and "task" not in again
    assert len(posted(redfish)) == 1 and len(AuditLog(run.audit).entries()) == 1


def test_check_mode_with_diff_says_what_would_change_and_posts_nothing(run, redfish):
    FakeUpdateService(redfish)
    out = run(image_uri="http://fw.example/bios-2.20.0.bin", _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True and out["image_uri"] == "http://fw.example/bios-2.20.0.bin"
    assert out["diff"] == {"before": {"component": "BIOS", "version": "2.19.1"},
                           "after": {"component": "BIOS", "version": "2.20.0"}}
    assert posted(redfish) == [] and AuditLog(run.audit).entries() == []


def test_rollback_to_the_kept_image_is_idempotent_with_version(run, redfish):
    service = FakeUpdateService(redfish)
    run(image_uri=IMAGE)
    out = run(state="previous", component="bmc", version="7.10", _ansible_diff=True)
    assert out["changed"] is True and out["image_uri"] == FW + "/BMC-Previous"
    assert service.posted[-1] == {"ImageURI": FW + "/BMC-Previous"}
    assert out["diff"]["after"] == {"component": "BMC", "version": "7.10"} and out["version"] == "7.10"
    assert run(state="previous", component="bmc", version="7.10")["changed"] is False
    assert [e["action"] for e in AuditLog(run.audit).entries()] == ["hardware_firmware.update",
                                                                    "hardware_firmware.rollback"]


def test_rollback_without_a_kept_image_is_refused_naming_why(run, redfish):
    FakeUpdateService(redfish)
    out = run(state="previous", component="BMC")
    assert out["failed"] is True and "no previous image of BMC is kept" in out["msg"]
    assert posted(redfish) == []


def test_a_failed_task_fails_with_the_bmcs_message_changed_and_audited(run, redfish):
    FakeUpdateService(redfish, outcome="fail")
    out = run(image_uri=IMAGE)
    assert out["failed"] is True and out["changed"] is True
    assert "flash write failed" in out["msg"] and out["task"]["task_status"] == "Critical"
    assert out["error_type"] == "BmcTaskFailed"
    [entry] = AuditLog(run.audit).entries()
    assert entry["details"]["outcome"] == "failed" and entry["after"]["version"] == "7.10"


def test_a_hung_task_fails_at_the_timeout_naming_the_task(run, redfish):
    FakeUpdateService(redfish, outcome="hang", retry_after="0.2")
    out = run(image_uri=IMAGE, timeout=2)
    assert out["failed"] is True and out["changed"] is True and out["error_type"] == "BmcTimeout"
    assert "/redfish/v1/TaskService/Tasks/1 is still Running (50%) at the deadline (2s)" in out["msg"]


def test_an_image_name_without_a_version_needs_the_version_option(run, redfish):
    FakeUpdateService(redfish)
    out = run(image_uri="http://fw.example/iDRAC_A00.EXE")
    assert out["failed"] is True and "set component and version" in out["msg"]
    out = run(image_uri="http://fw.example/iDRAC_A00.EXE", component="BMC", version="7.10")
    assert out["changed"] is False and posted(redfish) == []
