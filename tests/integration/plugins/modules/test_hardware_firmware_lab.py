# -*- coding: utf-8 -*-
"""hardware_firmware against a lab Redfish BMC (compute-02): an update that really takes time and changes the
version the BMC reports (Manager FirmwareVersion, FirmwareInventory), the replaced image kept, a rollback to
it, and the faults ``update_fails`` (the task ends in Exception, nothing changes) and ``update_hangs`` (the
module's deadline names the task). Read back through hardware_info, not only the module's own answer.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.tests.integration import lab_tools

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
HOST = "compute-02"
IMAGE = "http://firmware.lab.test/LabServer-R640e/bmc-%s.bin"


def labctl(*args):
    lab_tools.labctl(*args, timeout=120)


@pytest.fixture
def bmc(lab):
    b = yaml.safe_load((LAB_DIR / "bmcs.yml").read_text())[HOST]
    yield dict(address=b["address"], username=b["username"], password=b["password"])
    labctl("clear", HOST)  # the healthy scenario: the lab's own firmware, no kept image, no fault


def bmc_version(run_module, bmc):
    out = run_module("hardware_info", gather=["firmware"], **bmc)
    assert out["failed"] is False, out
    firmware = out["hardware"]["firmware"]
    return [f for f in firmware if f["component"] == "BMC Firmware"][0]["version"], firmware


def test_update_keep_previous_and_roll_back(run_module, bmc, tmp_path):
    audit = tmp_path / "audit.jsonl"
    start = bmc_version(run_module, bmc)[0]
    target = "7.20" if start != "7.20" else "7.30"

    planned = run_module("hardware_firmware", check=True, image_uri=IMAGE % target, **bmc)
    assert planned["changed"] is True and planned["version"] == target and planned["previous_version"] == start
    assert bmc_version(run_module, bmc)[0] == start  # check mode posted nothing

    done = run_module("hardware_firmware", image_uri=IMAGE % target, audit_log=str(audit), **bmc)
    assert done["failed"] is False and done["changed"] is True, done
    assert done["task"]["task_state"] == "Completed" and done["version"] == target, done["task"]
    now, firmware = bmc_version(run_module, bmc)
    assert now == target, firmware
    assert [f["version"] for f in firmware if "previous" in f["component"].lower()] == [start], firmware

    again = run_module("hardware_firmware", image_uri=IMAGE % target, **bmc)
    assert again["changed"] is False and again["version"] == target  # idempotent: nothing posted

    back = run_module("hardware_firmware", state="previous", component="BMC", version=start,
                      audit_log=str(audit), **bmc)
    assert back["failed"] is False and back["changed"] is True and back["version"] == start, back
    assert bmc_version(run_module, bmc)[0] == start
    actions = [(e["action"], e["before"]["version"], e["after"]["version"]) for e in AuditLog(str(audit)).entries()]
    assert actions == [("hardware_firmware.update", start, target), ("hardware_firmware.rollback", target, start)]
    assert bmc["password"] not in json.dumps(done) + audit.read_text()


def test_a_failed_update_changes_nothing_and_a_hung_one_meets_the_deadline(run_module, bmc, tmp_path):
    start = bmc_version(run_module, bmc)[0]
    target = "7.20" if start != "7.20" else "7.30"
    labctl("fault", HOST, "update_fails")
    failed = run_module("hardware_firmware", image_uri=IMAGE % target, audit_log=str(tmp_path / "a.jsonl"), **bmc)
    assert failed["failed"] is True and failed["task"]["task_state"] == "Exception", failed
    assert bmc_version(run_module, bmc)[0] == start
    labctl("clear", HOST)
    labctl("fault", HOST, "update_hangs")
    hung = run_module("hardware_firmware", image_uri=IMAGE % target, timeout=8, **bmc)
    assert hung["failed"] is True and "Running" in hung["msg"], hung["msg"]
    assert bmc_version(run_module, bmc)[0] == start
