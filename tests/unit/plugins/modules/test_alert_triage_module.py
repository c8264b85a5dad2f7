# -*- coding: utf-8 -*-
"""alert_triage: the state file makes a repeated delivery no second incident; fetch_active re-releases what a
window held once it ends; sync_silences creates and expires ours (planned only in check mode); errors name
the option."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import format_am_time
from ansible_collections.osfleet.day2.plugins.modules import alert_triage
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.conftest import load
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.test_discover import (  # noqa: F401  pylint: disable=unused-import
    NODE,
    FakeCompute,
    FakeIronic,
    cloud_with,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.test_alertmanager import (
    URL,
    FakeAlertmanager,
)


@pytest.fixture
def run(module_main, tmp_path):
    def _run(**args):
        args.setdefault("fleet", load("fleet"))
        args.setdefault("audit_log", str(tmp_path / "audit.log"))
        return module_main(alert_triage, args)
    return _run


def test_a_repeated_delivery_is_no_second_incident(run, tmp_path):
    state = str(tmp_path / "triage.json")
    first = run(payload=load("storm"), state_path=state)
    assert "failed" not in first, first
    assert len(first["actionable"]) == 1 and first["actionable"][0]["runbook"] == "compute_down"
    assert first["changed"] is False and oct(os.stat(state).st_mode & 0o777) == "0o600"
    again = run(payload=load("storm"), state_path=state)
    assert again["incidents"] == [] and again["duplicates"] == 15
    # check mode does not write the state: the same run is news again afterwards
    check_state = str(tmp_path / "check.json")
    run(payload=load("chaos"), state_path=check_state, _ansible_check_mode=True)
    assert not os.path.exists(check_state)


def test_fetch_active_re_releases_an_alert_whose_window_ended(run, tmp_path):
    state = str(tmp_path / "triage.json")
    start = datetime.now(timezone.utc) - timedelta(minutes=30)
    payload = load("chaos")
    for alert in payload["alerts"]:
        alert["startsAt"] = format_am_time(start)
    window = {"name": "bios-5", "state": "in_maintenance", "hosts": ["compute-05"], "start_at": None,
              "end_at": format_am_time(start + timedelta(hours=2))}
    during = run(payload=payload, state_path=state, windows=[window])
    assert during["actionable"] == [] and during["incidents"][0]["suppressed"] == "in_maintenance:bios-5"
    active = [dict(a, status={"state": "suppressed", "silencedBy": ["x"], "inhibitedBy": []})
              for a in payload["alerts"]]
    with requests_mock.Mocker() as m:
        FakeAlertmanager(m, alerts=active)
        after = run(state_path=state, windows=[dict(window, state="complete")], fetch_active=True,
                    alertmanager_url=URL, alertmanager_token="t0ken")
    assert "failed" not in after, after
    incident, = after["actionable"]
    assert incident["re_released"] and incident["released_from"] == ["in_maintenance:bios-5"]
    assert "t0ken" not in json.dumps(after)


def test_sync_silences_plans_in_check_mode_and_makes_them_otherwise(run, tmp_path):
    with requests_mock.Mocker() as m:
        am = FakeAlertmanager(m)
        planned = run(alerts=[], sync_silences=True, alertmanager_url=URL, _ansible_check_mode=True)
        assert planned["changed"] is True and am.silences == {}
        assert sorted(c["host"] for c in planned["silences"]["created"]) == ["compute-02", "compute-03"]
        made = run(alerts=[], sync_silences=True, alertmanager_url=URL)
        assert made["changed"] is True and len(am.silences) == 2 and made["audit"]["entries"] == 2
        assert run(alerts=[], sync_silences=True, alertmanager_url=URL)["changed"] is False
        fleet = load("fleet")
        fleet["hosts"]["compute-03"]["service"].update(status="enabled", disabled_reason=None)
        released = run(alerts=[], fleet=fleet, sync_silences=True, alertmanager_url=URL)
        assert [e["host"] for e in released["silences"]["expired"]] == ["compute-03"]
        assert sorted(s["status"]["state"] for s in am.silences.values()) == ["active", "expired"]


def test_errors_name_the_option(run):
    bad = run(payload={"version": "4", "status": "firing", "alerts": [{"labels": {}}]})
    assert bad["failed"] is True and bad["field"] == "payload.alerts[0].labels.alertname"
    missing = run(alerts=[], fetch_active=True)
    assert missing["failed"] is True and "alertmanager_url" in missing["msg"]
    with requests_mock.Mocker() as m:
        m.get(URL + "/api/v2/alerts", status_code=401, text="unauthorized")
        down = run(alerts=[], fetch_active=True, alertmanager_url=URL)
    assert down["failed"] is True and "HTTP 401" in down["msg"]


def test_without_a_fleet_the_cloud_is_read_as_fleet_info_reads_it(module_main, monkeypatch, stub,
                                                                  cloud_with, tmp_path):  # noqa: F811
    from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
    made = cloud_with(FakeCompute(n_servers=3, page=2), FakeIronic([NODE]), name="lab")
    monkeypatch.setattr(module_base.Day2Module, "conn", property(lambda self: made.conn))
    out = module_main(alert_triage, {"cloud": "lab", "audit_log": str(tmp_path / "a.log"),
                                     "alerts": [{"labels": {"alertname": "OsfleetFanFailed", "host": "compute-01"}}]})
    assert "failed" not in out, out
    incident, = out["incidents"]
    assert incident["resource"]["host"] == "compute-01" and incident["runbook"] == "fan_failed"


def test_a_payload_as_text_and_a_state_path_in_no_directory(run, tmp_path):
    text = json.dumps(load("chaos"))
    out = run(payload=text)
    assert len(out["actionable"]) == 1
    bad = run(payload=text, state_path=str(tmp_path / "no" / "such" / "triage.json"))
    assert bad["failed"] is True and bad["field"] == "state_path"
    damaged = tmp_path / "triage.json"
    damaged.write_text("{not json")
    assert len(run(payload=text, state_path=str(damaged))["actionable"]) == 1  # a warning, not a failure
    assert json.loads(damaged.read_text())["version"] == 1


def test_runbook_sources_from_the_action_plugin_are_used(run):
    own = {"source": "/srv/books/first.yml", "shipped": False,
           "text": "name: first\npriority: 99\nmatch:\n  alerts: [{name: OsfleetNovaComputeDown}]\n"
                   "steps:\n  - {type: hold, reason: look first}\n"}
    out = run(payload=load("storm"), runbook_sources=[own])
    assert out["actionable"][0]["runbook"] == "first"
    assert run(payload=load("storm"), runbook_sources=[])["actionable"][0]["runbook"] is None
