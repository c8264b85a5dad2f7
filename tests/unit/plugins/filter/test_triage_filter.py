# -*- coding: utf-8 -*-
"""osfleet.day2.triage: the module's triage as a pure filter (no state, no network)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.osfleet.day2.plugins.filter.triage import FilterModule
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.conftest import load

triage = FilterModule().filters()["triage"]


def test_a_payload_and_a_fleet_give_incidents():
    incidents = triage(load("storm"), inventory=load("fleet"), now="2026-12-02T15:05:00Z")
    assert len(incidents) == 1 and incidents[0]["cause"] == "OsfleetNovaComputeDown"
    assert incidents[0]["servers"]["count"] == 5 and incidents[0]["runbook"] == "compute_down"


def test_runbooks_as_data_and_only_actionable():
    book = {"name": "sel", "match": {"alerts": [{"name": "OsfleetSelCritical"}]},
            "steps": [{"type": "hold", "reason": "look at the SEL"}]}
    incidents = triage(load("chaos")["alerts"] + load("agent_disabled")["alerts"], inventory=load("fleet"),
                       runbooks=[book], only_actionable=True)
    assert [i["resource"]["host"] for i in incidents] == ["compute-05"] and incidents[0]["runbook"] == "sel"
    assert triage(load("chaos"), inventory=load("fleet"), runbooks=[])[0]["runbook"] is None


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="payload.version"):
        triage({"version": "3", "alerts": []}, inventory=load("fleet"))
    with pytest.raises(AnsibleFilterError, match="inventory"):
        triage(load("chaos"))
