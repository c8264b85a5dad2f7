# -*- coding: utf-8 -*-
"""The Alertmanager API v2 client and the silence plan, over stubbed HTTP."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import silences
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.alertmanager import Alertmanager, AlertmanagerError
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import format_am_time
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.conftest import NOW

URL = "https://alertmanager.example.org:9093"


class FakeAlertmanager:
    """Silences kept as Alertmanager keeps them: POST adds (or replaces by id), DELETE expires."""

    def __init__(self, mocker, alerts=()):
        self.silences = {}
        self.alerts = list(alerts)
        self.n = 0
        mocker.get(URL + "/api/v2/silences", json=lambda req, ctx: list(self.silences.values()))
        mocker.post(URL + "/api/v2/silences", json=self._post)
        mocker.delete(requests_mock.ANY, json=self._delete)
        mocker.get(URL + "/api/v2/alerts", json=lambda req, ctx: self.alerts)

    def _post(self, request, context):
        self.n += 1
        body = request.json()
        sid = "sil-%d" % self.n
        self.silences[sid] = dict(body, id=sid, status={"state": "active"}, updatedAt=body["startsAt"])
        return {"silenceID": sid}

    def _delete(self, request, context):
        sid = request.path.rsplit("/", 1)[-1]
        if sid not in self.silences:
            context.status_code = 404
            return {"error": "not found"}
        self.silences[sid]["status"] = {"state": "expired"}
        return None


def test_calls_send_the_token_verify_tls_and_time_out():
    with requests_mock.Mocker() as m:
        FakeAlertmanager(m, alerts=[{"labels": {"alertname": "X"}}])
        client = Alertmanager(URL + "/", token="s3cret", timeout=3)
        assert client.alerts() == [{"labels": {"alertname": "X"}}]
        req = m.request_history[-1]
        assert req.headers["Authorization"] == "Bearer s3cret" and req.verify not in (False, None) and req.timeout == 3
        assert req.qs == {"active": ["true"], "silenced": ["true"], "inhibited": ["true"], "unprocessed": ["true"]}


def test_errors_name_the_call_and_the_status():
    with requests_mock.Mocker() as m:
        m.get(URL + "/api/v2/silences", status_code=503, text="cluster not ready")
        with pytest.raises(AlertmanagerError) as err:
            Alertmanager(URL).silences()
        assert err.value.status_code == 503 and "HTTP 503: cluster not ready" in err.value.message
        assert err.value.call == "GET /api/v2/silences"
    with pytest.raises(ValidationError):
        Alertmanager("alertmanager:9093")


def test_silences_follow_windows_and_holds(fleet):
    with requests_mock.Mocker() as m:
        am = FakeAlertmanager(m)
        am.silences["theirs"] = {"id": "theirs", "createdBy": "jane", "comment": "x", "status": {"state": "active"},
                                 "matchers": [{"name": "host", "value": "compute-01", "isRegex": False}],
                                 "startsAt": format_am_time(NOW), "endsAt": format_am_time(NOW + timedelta(hours=1))}
        client = Alertmanager(URL)
        window = {"name": "dec-patch", "state": "in_maintenance", "hosts": ["compute-02"],
                  "end_at": format_am_time(NOW + timedelta(hours=3))}
        index = FleetIndex.build(fleet, [window])
        first = silences.plan(index, client.ours(), NOW)
        assert sorted(c["host"] for c in first.create) == ["compute-02", "compute-03"]  # window and hold, not fixing
        assert first.expire == []
        done = silences.apply(client, first, NOW)
        made = {c["host"]: am.silences[c["id"]] for c in done["created"]}
        assert made["compute-02"]["endsAt"] == format_am_time(NOW + timedelta(hours=3))
        assert made["compute-02"]["createdBy"] == "osfleet.day2" and "dec-patch" in made["compute-02"]["comment"]
        assert made["compute-02"]["matchers"] == [{"name": "host", "value": "compute-02", "isRegex": False,
                                                   "isEqual": True}]
        # a second run changes nothing (idempotent)
        assert not silences.plan(index, client.ours(), NOW + timedelta(minutes=5)).changes
        # the window ends and the hold is released: ours are expired, theirs is left alone
        fleet["hosts"]["compute-02"]["service"].update(status="enabled", disabled_reason=None)
        fleet["hosts"]["compute-03"]["service"].update(status="enabled", disabled_reason=None)
        ended = FleetIndex.build(fleet, [dict(window, state="complete")])
        last = silences.plan(ended, client.ours(), NOW + timedelta(hours=1))
        assert last.create == [] and sorted(e["host"] for e in last.expire) == ["compute-02", "compute-03"]
        silences.apply(client, last, NOW + timedelta(hours=1))
        assert [s["id"] for s in am.silences.values() if s["status"]["state"] == "active"] == ["theirs"]


def test_a_hold_silence_is_renewed_before_it_runs_out(fleet):
    with requests_mock.Mocker() as m:
        am = FakeAlertmanager(m)
        client = Alertmanager(URL)
        index = FleetIndex.build(fleet)
        silences.apply(client, silences.plan(index, client.ours(), NOW, hold_hours=2), NOW)
        later = NOW + timedelta(hours=1, minutes=30)
        renew = silences.plan(index, client.ours(), later, hold_hours=2)
        # the hold and the window known only by its mark (no record, so no end) both get a fresh silence
        assert [c["host"] for c in renew.create] == ["compute-02", "compute-03"]
        assert sorted(e["host"] for e in renew.expire) == ["compute-02", "compute-03"]
        silences.apply(client, renew, later)
        assert len([s for s in am.silences.values() if s["status"]["state"] == "active"]) == 2  # 02 and 03
        assert not silences.plan(index, client.ours(), later + timedelta(minutes=1), hold_hours=2).changes


def test_expiring_a_silence_already_gone_is_no_error():
    with requests_mock.Mocker() as m:
        FakeAlertmanager(m)
        Alertmanager(URL).expire_silence("nope")
