# -*- coding: utf-8 -*-
"""Fleet discovery over a stubbed compute API (recorded-shape JSON pages)."""
from __future__ import annotations

import types

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils.fleet import discover


class Response:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body
        self.headers = {"x-openstack-request-id": "req-1"}
        self.text = str(body)

    def json(self):
        return self._body


def server(i, host):
    return {"id": "s-%03d" % i, "name": "vm-%d" % i, "tenant_id": "p1", "status": "ACTIVE",
            "OS-EXT-STS:power_state": 1, "OS-EXT-STS:task_state": None, "OS-EXT-SRV-ATTR:host": host,
            "flavor": {"original_name": "m1.tiny"}, "locked": i == 0}


class FakeCompute:
    def __init__(self, n_servers=5, page=2):
        self.requests = []
        self.servers = [server(i, "compute-0%d" % (1 + i % 2)) for i in range(n_servers)]
        self.page = page

    def get(self, path, params=None, microversion=None, headers=None, raise_exc=True):
        self.requests.append((path, dict(params or {}), microversion))
        if path == "/os-services":
            return Response(200, {"services": [
                {"id": "a", "host": "compute-01", "zone": "az1", "status": "enabled", "state": "up"},
                {"id": "b", "host": "compute-02", "zone": "az1", "status": "disabled", "state": "down",
                 "disabled_reason": "maint", "forced_down": True}]})
        if path == "/os-hypervisors/detail":
            return Response(200, {"hypervisors": [
                {"id": "h1", "hypervisor_hostname": "compute-01", "service": {"host": "compute-01"},
                 "hypervisor_type": "fake", "state": "up", "status": "enabled", "running_vms": 3,
                 "vcpus": 8, "vcpus_used": 3, "memory_mb": 1000, "memory_mb_used": 200, "local_gb": 50,
                 "local_gb_used": 5},
                {"id": "h2", "hypervisor_hostname": "compute-02", "service": {"host": "compute-02"},
                 "hypervisor_type": "fake", "state": "down", "status": "disabled", "running_vms": 2}]})
        if path == "/os-aggregates":
            return Response(200, {"aggregates": [{"name": "agg-az1", "availability_zone": "az1",
                                                  "hosts": ["compute-01", "compute-02", "gone-host"]}]})
        if path == "/servers/detail":
            start = 0
            if params.get("marker"):
                start = [s["id"] for s in self.servers].index(params["marker"]) + 1
            limit = min(params.get("limit", 1000), self.page)
            chunk = self.servers[start:start + limit]
            body = {"servers": chunk}
            if start + limit < len(self.servers):
                body["servers_links"] = [{"rel": "next", "href": "http://x/servers/detail?limit=%d&marker=%s"
                                          % (limit, chunk[-1]["id"])}]
            return Response(200, body)
        return Response(404, {"itemNotFound": {"message": "no such path %s" % path}})


def conn_with(compute):
    return types.SimpleNamespace(compute=compute, config=types.SimpleNamespace(region_name="RegionOne"))


def test_hosts_carry_service_hypervisor_capacity_and_aggregates():
    fleet = discover(conn_with(FakeCompute()), cloud="lab")
    one, two = fleet.hosts["compute-01"], fleet.hosts["compute-02"]
    assert one.zone == "az1" and one.aggregates == ["agg-az1"]
    assert one.capacity["vcpus"].to_dict() == {"total": 8, "used": 3, "free": 5}
    assert one.hypervisor["running_vms"] == 3
    assert two.service["status"] == "disabled" and two.service["forced_down"] is True
    assert two.service["disabled_reason"] == "maint"
    assert "gone-host" not in fleet.hosts
    assert one.cloud == "lab" and one.region == "RegionOne"


def test_servers_follow_pagination_and_land_on_their_host():
    compute = FakeCompute(n_servers=5, page=2)
    fleet = discover(conn_with(compute), cloud="lab")
    assert sorted(fleet.servers) == ["s-000", "s-001", "s-002", "s-003", "s-004"]
    assert fleet.hosts["compute-01"].servers == ["s-000", "s-002", "s-004"]
    assert fleet.servers["s-000"].locked is True
    assert fleet.servers["s-001"].power_state == "running"
    server_calls = [r for r in compute.requests if r[0] == "/servers/detail"]
    assert len(server_calls) == 3  # 2 + 2 + 1
    assert all(r[1]["all_tenants"] == 1 for r in server_calls)
    assert fleet.api_calls == 3 + 3


def test_without_servers_no_server_call():
    compute = FakeCompute()
    fleet = discover(conn_with(compute), vms=False)
    assert fleet.servers == {}
    assert [r[0] for r in compute.requests] == ["/os-services", "/os-hypervisors/detail", "/os-aggregates"]


def test_http_error_names_the_call():
    compute = FakeCompute()
    compute.get = lambda *a, **kw: Response(403, {"forbidden": {"message": "Policy doesn't allow"}})
    with pytest.raises(CloudError) as err:
        discover(conn_with(compute))
    assert "list compute services failed (HTTP 403): Policy doesn't allow" == err.value.message
