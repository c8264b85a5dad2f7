# -*- coding: utf-8 -*-
"""Per-service request figures of a real connection to the stubbed cloud: which service, how long, which errors."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.request_stats import (
    RequestStats,
    _root_of,
    service_of,
)


def test_each_response_lands_on_its_service_errors_by_class(stub, cloud):
    stats = RequestStats().attach(cloud.conn)
    stub.route("GET", "compute", "/os-services", {"services": []})
    stub.fail("GET", "placement", "/resource_providers", 503, {"errors": [{"status": 503, "detail": "down"}]})
    stub.fail("GET", "compute", "/os-aggregates", 403, {"forbidden": {"code": 403, "message": "policy"}})
    assert cloud.nova.list_services_json() == []
    with pytest.raises(CloudError):
        cloud.placement.resource_providers_json()
    with pytest.raises(CloudError):
        cloud.nova.list_aggregates_json()
    totals = stats.collect()
    assert set(totals) <= {"compute", "placement", "identity"}
    assert totals["placement"].errors == {"5xx": 1}
    assert totals["compute"].errors == {"4xx": 1}
    assert "identity" not in totals or totals["identity"].errors == {}
    # every response, errors too (keystoneauth's own timings leave out the ones it raised on)
    assert sum(s.requests for s in totals.values()) == len(stub.mocker.request_history)
    assert all(s.seconds >= 0 and s.last_max_seconds <= s.seconds for s in totals.values())
    # collected once: a second collect adds nothing, and resets the last refresh's slowest
    again = stats.collect()
    assert sum(s.requests for s in again.values()) == len(stub.mocker.request_history)
    assert all(s.last_max_seconds == 0 for s in again.values())
    copy = stats.totals()
    copy["compute"].requests += 100
    assert stats.services["compute"].requests != copy["compute"].requests


@pytest.mark.parametrize("url, root", [
    ("http://nova:8774/v2.1", "http://nova:8774"), ("https://c.example/compute/v2.1", "https://c.example/compute"),
    ("http://cinder:8776/v3/abc", "http://cinder:8776"), ("http://placement:8778", None)])
def test_the_root_above_the_version(url, root):
    assert _root_of(url) == root


def test_the_longest_prefix_wins_and_others_are_unknown():
    catalog = [("https://c.example/compute/v2.1", "compute"), ("https://c.example/compute", "compute"),
               ("https://c.example/identity/v3", "identity"), ("https://c.example/identity", "identity")]
    assert service_of("https://c.example/compute/v2.1/os-services?x=1", catalog) == "compute"
    assert service_of("https://c.example/identity/v3/auth/tokens", catalog) == "identity"
    assert service_of("https://c.example/identity/", catalog) == "identity"
    assert service_of("https://c.example/computer/", catalog) == "unknown"
    assert service_of("https://elsewhere/", []) == "unknown"
