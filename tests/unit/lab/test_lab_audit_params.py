# -*- coding: utf-8 -*-
"""The lab's audit files (lab/lablib/audit_params.py) against the shipped packs: a pack change that
makes the lab's parameters or waivers refused, or its firmware baseline differ from the lab's healthy
firmware, fails here and not in the first lab run after it."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, packs, waivers

LAB = Path(__file__).resolve().parents[3] / "lab"
sys.path.insert(0, str(LAB))
from lablib import audit_params  # noqa: E402
from lablib.bmc import scenario  # noqa: E402


@pytest.fixture(scope="module")
def compiled():
    return {cr.rule.id: cr for cr in engine.compile_packs(packs.load_packs(["compute_hosts", "unused_capacity"]),
                                                          audit_params.params())}


def _bmc01(compiled, bmc, bios):
    target = {"id": "compute-01", "name": "compute-01", "kind": "host",
              "hardware": {"identity": {"model": audit_params.MODEL},
                           "firmware_versions": {"bmc": bmc, "bios": bios}}}
    return engine.evaluate_one(compiled["BMC-01"], target, datetime.now(timezone.utc))["status"]


def test_healthy_lab_firmware_passes_bmc_01_and_old_firmware_fails_it(compiled):
    assert _bmc01(compiled, scenario.HEALTHY_BMC, scenario.HEALTHY_BIOS) == "pass"
    assert _bmc01(compiled, scenario.OLD_BMC, scenario.OLD_BIOS) == "fail"
    assert scenario.healthy("compute-01")["model"] == audit_params.MODEL


def test_seeded_resources_minutes_old_are_findings(compiled):
    now = datetime.now(timezone.utc).isoformat()
    volume = {"id": "v1", "name": "unused-volume", "kind": "volume", "held": False, "tags": [],
              "status": "available", "attachments": [], "since": now}
    assert engine.evaluate_one(compiled["UNUSED-05"], volume, datetime.now(timezone.utc))["status"] == "fail"


def test_waivers_load_and_are_active():
    loaded = waivers.load_waivers({"waivers": audit_params.waivers()})
    assert sorted(w.target for w in loaded) == ["compute-03", "compute-04"]
    assert all(w.rule == "BMC-03" and w.expires > datetime.now(timezone.utc) for w in loaded)


def test_written_files_are_what_the_module_says(tmp_path, monkeypatch):
    for name in ("AUDIT_PARAMS_YML", "AUDIT_WAIVERS_YML", "AUDIT_VARS_YML", "REMEDIATION_VARS_YML"):
        monkeypatch.setattr(audit_params, name, tmp_path / (name.lower() + ".yml"))
    audit_params.write()

    def body(name):
        return json.loads("".join((tmp_path / (name.lower() + ".yml")).read_text().splitlines(True)[1:]))
    assert body("AUDIT_PARAMS_YML") == audit_params.params()
    assert body("AUDIT_WAIVERS_YML") == {"waivers": audit_params.waivers()}
    variables = body("AUDIT_VARS_YML")
    assert variables["osfleet_bmc_map"].endswith("bmcs-https.yml")
    assert variables["osfleet_bmc_ca_path"].endswith("ca.pem")
    assert variables["osfleet_audit_params"] == audit_params.params()
    remediation = body("REMEDIATION_VARS_YML")
    assert remediation["osfleet_host_commands"]["service_manager"] == "command"
    assert remediation["osfleet_host_commands"]["restart_command"][-3:] == ["compute", "restart", "{host}"]
    assert remediation["osfleet_audit_params"] == {"compute_hosts": audit_params.params()["compute_hosts"]}
