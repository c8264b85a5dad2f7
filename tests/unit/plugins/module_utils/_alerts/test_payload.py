# -*- coding: utf-8 -*-
"""Payloads: version 4 read and checked naming the field; fingerprints as Alertmanager computes them."""
from __future__ import annotations

import copy

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import payload as p
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.conftest import load


def test_fingerprint_is_prometheus_common_labelset_fingerprint():
    # the vector of prometheus/common model/signature_test.go (TestMetricToFingerprint)
    assert int(p.fingerprint({"name": "garland, briggs", "fear": "love is not enough"}), 16) == 5799056148416392346
    assert int(p.fingerprint({}), 16) == 14695981039346656037
    assert p.fingerprint({"a": "b"}) != p.fingerprint({"a": "c"})


def test_a_v4_payload_is_read_with_nanosecond_times_and_the_zero_end():
    parsed = p.parse_payload(load("storm"))
    assert len(parsed.alerts) == 15 and parsed.receiver == "osfleet-eda"
    first = parsed.alerts[0]
    assert first.name == "OsfleetNovaComputeDown" and first.firing and first.ends_at is None
    assert first.starts_at.microsecond == 123456 and first.key.endswith("|2026-12-02T14:58:10.123456Z")
    assert first.fingerprint_source == "alertmanager" and first.fingerprint == p.fingerprint(first.labels)


def test_an_alert_without_fingerprint_gets_alertmanagers_and_says_so():
    alert = p.parse_alert({"labels": {"alertname": "X", "host": "h"}, "startsAt": "2026-12-02T15:00:00Z"}, "a")
    assert alert.fingerprint == p.fingerprint({"alertname": "X", "host": "h"})
    assert alert.fingerprint_source == "computed" and alert.status == "firing"


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(version="3"), "payload.version"),
    (lambda d: d.update(alerts={}), "payload.alerts"),
    (lambda d: d.update(status="pending"), "payload.status"),
    (lambda d: d["alerts"][2].update(startsAt="yesterday"), "payload.alerts[2].startsAt"),
    (lambda d: d["alerts"][3]["labels"].pop("alertname"), "payload.alerts[3].labels.alertname"),
    (lambda d: d["alerts"][1].update(status="maybe"), "payload.alerts[1].status"),
    (lambda d: d["alerts"][0]["labels"].update(host=["a"]), "payload.alerts[0].labels.host"),
    (lambda d: d["alerts"][0].pop("startsAt"), "payload.alerts[0].startsAt"),
    (lambda d: d.update(truncatedAlerts="many"), "payload.truncatedAlerts"),
])
def test_a_bad_payload_is_refused_naming_the_field(change, field):
    data = copy.deepcopy(load("storm"))
    change(data)
    with pytest.raises(ValidationError) as err:
        p.parse_payload(data)
    assert err.value.field == field, err.value.message


def test_truncated_alerts_warn_and_api_v2_alerts_read_as_firing():
    data = dict(load("chaos"), truncatedAlerts=7)
    assert "left out 7 alert(s)" in p.parse_payload(data).warnings[0]
    api = [{"labels": {"alertname": "X", "host": "compute-01"}, "annotations": {}, "startsAt": "2026-12-02T15:00:00Z",
            "endsAt": "2026-12-02T15:09:00Z", "fingerprint": "0123456789abcdef", "updatedAt": "2026-12-02T15:04:00Z",
            "status": {"state": "suppressed", "silencedBy": ["s1"], "inhibitedBy": []}, "receivers": [{"name": "x"}]}]
    alert = p.parse_alerts(api).alerts[0]
    assert alert.firing and alert.source == "alertmanager" and alert.fingerprint == "0123456789abcdef"


def test_parse_any_takes_a_payload_and_a_list():
    both = p.parse_any(load("chaos"), [{"name": "Plain", "labels": {"host": "compute-01"}}])
    assert [a.name for a in both.alerts][-1] == "Plain" and len(both.alerts) == 6
