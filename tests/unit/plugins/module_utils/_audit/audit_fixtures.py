# -*- coding: utf-8 -*-
"""Helpers of the audit tests: a small cloud as the gatherers return it (fixtures/cloud.json), at a fixed time.

cloud.json has the shapes of the real answers: Fleet.to_dict() of fleet.discover,
hardware_scan results with HardwareState.to_dict(), Redfish documents (DMTF
schema property names) for the BMC settings, and the Nova, Placement, Neutron,
Cinder, Glance and Keystone JSON listings. Everything in it is compliant except
the unused resources the unused_capacity tests expect; a test breaks one fact
and checks that exactly the rule about it fails.
"""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, facts
from ansible_collections.osfleet.day2.plugins.module_utils._audit.packs import load_packs
from ansible_collections.osfleet.day2.plugins.module_utils._audit.redfish_settings import settings_from_redfish

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
#: the lab's hosts are one model; a baseline for it, as an operator would declare one
BASELINE = {"compute_hosts": {"bmc_firmware_baseline": {"LabServer R640e": "7.10"},
                              "bios_baseline": {"LabServer R640e": "2.19.1"}}}

_CLOUD = json.loads((FIXTURES / "cloud.json").read_text())
_PACKS = {}


def shipped(name):
    if name not in _PACKS:
        _PACKS[name] = load_packs([name])[0]
    return _PACKS[name]


def fresh_cloud():
    """A fresh deep copy of cloud.json to break facts in."""
    return copy.deepcopy(_CLOUD)


def gathered(cloud, **overrides):
    """facts.Gathered from the cloud fixture (Redfish documents mapped to BMC settings)."""
    data = dict(fleet=cloud["fleet"], hardware=cloud["hardware"], bmc_map=cloud["bmc_map"],
                bmc_settings={h: settings_from_redfish(d) for h, d in cloud["redfish"].items()},
                aggregates=cloud["aggregates"], placement=cloud["placement"], network_agents=cloud["network_agents"],
                maintenance_windows=cloud["maintenance_windows"], projects=cloud["projects"],
                server_times=cloud["server_times"], ports=cloud["ports"], volumes=cloud["volumes"],
                floating_ips=cloud["floating_ips"], snapshots=cloud["snapshots"], images=cloud["images"])
    data.update(overrides)
    return facts.Gathered(**data)


def run(cloud, packs=("compute_hosts", "unused_capacity"), params=None, waivers=(), now=NOW, **overrides):
    targets = facts.build_targets(gathered(cloud, **overrides))
    run_params = copy.deepcopy(BASELINE if params is None else params)
    run_params = {k: v for k, v in run_params.items() if k in packs}
    return engine.evaluate([shipped(p) for p in packs], targets, waivers=waivers, params=run_params, now=now,
                           run=engine.RunInfo(who="tester", controller="ctl-1", run_id="run-1"))


def by_status(doc, status):
    return sorted((r["rule"], r["target"]) for r in doc["results"] if r["status"] == status)


def result(doc, rule, target):
    found = [r for r in doc["results"] if r["rule"] == rule and r["target"] == target]
    assert len(found) == 1, (rule, target, found)
    return found[0]


def faulty(cloud):
    """The issue's acceptance scenario: overtemp on compute-02, old firmware on compute-01, plus a dead BMC."""
    h = cloud["hardware"]
    h["compute-02"]["state"]["temperatures"][1].update(reading_celsius=96.0, status="critical")
    h["compute-02"]["state"]["log"].append({"id": "3", "time": "2026-11-22T10:00:00Z", "severity": "critical",
                                            "message": "CPU1 Temp reading 96 C is above the upper critical threshold 90 C"})
    h["compute-01"]["state"]["firmware"] = [{"component": "System BIOS", "version": "1.0.3"},
                                            {"component": "BMC Firmware", "version": "2.01"}]
    h["compute-01"]["state"]["bios_version"] = "1.0.3"
    h["compute-03"].update(status="unreachable", state=None, error="connection refused \x1b[0m")
    return cloud
