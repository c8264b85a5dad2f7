# -*- coding: utf-8 -*-
"""The fleet index: every name a host goes by lands on the host; the marks say why it is out of the pool."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.conftest import NOW


@pytest.mark.parametrize("labels, kind", [
    ({"host": "compute-01"}, "host"),
    ({"hostname": "COMPUTE-01"}, "host"),
    ({"instance": "compute-01:9100"}, "host"),
    ({"instance": "compute-01.cloud.example.org:9100"}, "host"),
    ({"instance": "10.20.0.11:9100"}, "host"),                      # the hypervisor's host IP
    ({"instance": "10.10.0.11"}, "bmc"),                            # the BMC's address
    ({"instance": "https://10.10.0.11/redfish/v1"}, "bmc"),
    ({"bmc": "redfish+https://10.10.0.11/redfish/v1/Systems/1"}, "bmc"),
    ({"server_id": "00000001-0000-4000-8000-000000000001"}, "server"),
    ({"instance": "192.168.1.2:9100"}, "server"),                   # a server's IP
])
def test_every_name_of_compute_01_lands_on_it(index, labels, kind):
    match = index.resolve(dict(labels, alertname="X"))
    assert (match.key, match.kind) == ("host:compute-01", kind)


def test_a_bmc_known_by_name_and_an_unknown_instance(index):
    assert index.resolve({"instance": "bmc-compute-04.oob.example.org:443"}).host == "compute-04"
    unknown = index.resolve({"alertname": "X", "instance": "compute-99:9100"})
    assert unknown.kind == "unknown" and unknown.key == "unknown:instance=compute-99:9100"
    assert index.resolve({"alertname": "OsfleetCapacityLow", "component": "capacity"}).key == "fleet:capacity"


def test_a_name_two_hosts_share_is_not_guessed(fleet):
    fleet["hosts"]["compute-02"]["hypervisor"]["host_ip"] = fleet["hosts"]["compute-01"]["hypervisor"]["host_ip"]
    index = FleetIndex.build(fleet)
    assert index.resolve({"instance": "10.20.0.11:9100"}).kind == "unknown"
    assert index.resolve({"instance": "compute-01:9100"}).host == "compute-01"  # its own name still works


def test_marks_and_window_records(fleet):
    windows = [{"name": "later", "state": "scheduled", "hosts": ["compute-05"],
                "start_at": (NOW + timedelta(hours=2)).isoformat(), "end_at": None},
               {"name": "begun", "state": "notified", "hosts": ["compute-01"],
                "start_at": (NOW - timedelta(minutes=3)).isoformat(), "end_at": (NOW + timedelta(hours=1)).isoformat()},
               {"name": "old", "state": "complete", "hosts": ["compute-04"], "start_at": None, "end_at": None}]
    index = FleetIndex.build(fleet, windows)
    assert index.host_suppression("compute-02", NOW).code == "in_maintenance:dec-patch"
    assert index.host_suppression("compute-03", NOW).code == "held:fan_failed"
    fleet["hosts"]["compute-04"]["service"]["disabled_reason"] = "osfleet-remediation:held - by hand"
    assert FleetIndex.build(fleet).host_suppression("compute-04", NOW).code == "held:manual"
    assert index.host_suppression("compute-06", NOW).code == "remediation_in_progress:fixing"
    begun = index.host_suppression("compute-01", NOW)
    assert begun.code == "in_maintenance:begun" and begun.ends_at == NOW + timedelta(hours=1)
    assert index.host_suppression("compute-05", NOW) is None
    assert index.upcoming_window("compute-05", NOW)["name"] == "later"
    assert index.host_suppression("compute-04", NOW) is None
    assert index.server_suppression("00000008-0000-4000-8000-000000000008").code == "quarantined:case-2026-0042"
    assert sorted(index.suppressed_hosts(NOW)) == ["compute-01", "compute-02", "compute-03", "compute-06"]
