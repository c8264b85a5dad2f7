# -*- coding: utf-8 -*-
"""alert_triage's action plugin reads the runbooks (shipped and the operator's) on the controller and hands
their texts to the module; a missing directory fails before the module runs."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.action import alert_triage as alert_triage_action
from ansible_collections.osfleet.day2.tests.unit.plugins.action.test_bmc_map_actions import (  # noqa: F401  pylint: disable=unused-import
    make_action,
)

OWN = ("name: compute_down\nmatch:\n  alerts: [{name: OsfleetNovaComputeDown}]\n"
       "steps:\n  - {type: hold, reason: ours}\n")


def test_the_shipped_runbooks_and_the_operators_reach_the_module_as_texts(tmp_path):
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "compute_down.yml").write_text(OWN)
    action, calls = make_action(alert_triage_action, "alert_triage",
                                {"alerts": [], "runbook_dirs": [str(tmp_path / "books")]}, tmp_path)
    result = action.run(task_vars={})
    assert "failed" not in result, result
    (call,) = calls
    sources = call["module_args"]["runbook_sources"]
    shipped = [s for s in sources if s["shipped"]]
    assert {s["source"].rsplit("/", 1)[-1] for s in shipped} >= {"compute_down.yml", "fan_failed.yml"}
    assert sources[-1] == {"source": str(tmp_path / "books" / "compute_down.yml"), "text": OWN, "shipped": False}


def test_a_missing_runbook_directory_fails_before_the_module(tmp_path):
    action, calls = make_action(alert_triage_action, "alert_triage",
                                {"alerts": [], "runbook_dirs": [str(tmp_path / "nope")]}, tmp_path)
    result = action.run(task_vars={})
    assert calls == [] and result["failed"] is True and result["field"] == "runbook_dirs"
