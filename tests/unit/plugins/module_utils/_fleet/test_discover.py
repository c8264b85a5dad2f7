# -*- coding: utf-8 -*-
"""Fleet discovery over a stubbed cloud (recorded-shape JSON pages behind requests-mock; the real access layer)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_api_http import serve_adapter
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.json_response import Response


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
        if path == "/resource_providers":
            return Response(200, {"resource_providers": [{"uuid": "h1", "name": "compute-01"},
                                                         {"uuid": "other", "name": "sharing-pool"}]})
        if path == "/resource_providers/h1/inventories":
            return Response(200, {"inventories": {
                "VCPU": {"total": 8, "reserved": 2, "allocation_ratio": 4.0},
                "MEMORY_MB": {"total": 1000, "reserved": 100, "allocation_ratio": 1.0}}})
        if path == "/projects":
            return Response(200, {"projects": [{"id": "p1", "name": "tenant-a"}]})
        if path == "/os-server-groups":
            return Response(200, {"server_groups": [{"id": "g1", "name": "web-aa", "members": ["s-000", "s-001"]}]})
        if path == "/os-aggregates":
            return Response(200, {"aggregates": [{"name": "agg-az1", "availability_zone": "az1",
                                                  "hosts": ["compute-01", "compute-02", "gone-host"]}]})
        if path in ("/servers/detail", "/servers"):
            start = 0
            if params.get("marker"):
                start = [s["id"] for s in self.servers].index(params["marker"]) + 1
            limit = min(params.get("limit", 1000), self.page)
            chunk = self.servers[start:start + limit]
            body = {"servers": chunk if path.endswith("/detail") else [{"id": s["id"]} for s in chunk]}
            if start + limit < len(self.servers):
                body["servers_links"] = [{"rel": "next", "href": "http://x%s?limit=%d&marker=%s"
                                          % (path, limit, chunk[-1]["id"])}]
            return Response(200, body)
        return Response(404, {"itemNotFound": {"message": "no such path %s" % path}})


class FakeIronic:
    def __init__(self, nodes=None, status=200):
        self.nodes = nodes or []
        self.status = status
        self.requests = []

    def get(self, path, params=None, microversion=None, headers=None, raise_exc=True):
        self.requests.append((path, dict(params or {}), microversion))
        if self.status != 200:
            return Response(self.status, {"error_message": '{"faultstring": "Access was denied to this resource."}'})
        return Response(200, {"nodes": self.nodes})


@pytest.fixture
def cloud_with(stub):
    """cloud_with(api, baremetal=None, name=None): the access layer over the stub, ``api`` answering Nova,
    Placement and Keystone, ``baremetal`` Ironic (no Ironic in the catalog without it)."""
    made = []

    def _cloud(api, baremetal=None, name=None):
        serve_adapter(stub, ("compute", "placement", "identity"), api)
        if baremetal is None:
            stub.hidden.add("baremetal")
        else:
            serve_adapter(stub, ("baremetal",), baremetal)
        made.append(Cloud(stub.cloud().conn, name=name))
        return made[-1]

    yield _cloud
    for cloud in made:
        cloud.close()


NODE = {"uuid": "5f3c1c5e-0000-4000-8000-000000000001", "name": "compute-02", "driver": "redfish",
        "driver_info": {"redfish_address": "https://10.0.0.12", "redfish_system_id": "/redfish/v1/Systems/1",
                        "redfish_username": "admin", "redfish_password": "******"},
        "extra": {}, "power_state": "power on", "provision_state": "active", "maintenance": False}


def test_hosts_carry_service_hypervisor_capacity_and_aggregates(cloud_with):
    fleet = discover(cloud_with(FakeCompute(), name="lab"))
    one, two = fleet.hosts["compute-01"], fleet.hosts["compute-02"]
    assert one.zone == "az1" and one.aggregates == ["agg-az1"]
    # Placement's reserved and allocation ratio: (8 - 2) x 4 = 24 schedulable, 3 used
    assert one.capacity["vcpus"].to_dict() == {"total": 8, "used": 3, "reserved": 2, "allocation_ratio": 4.0,
                                               "capacity": 24, "free": 21}
    assert one.capacity["memory_mb"].free == 1000 - 100 - 200
    assert one.capacity["disk_gb"].to_dict()["capacity"] == 50  # not in Placement: Nova's figures
    assert one.hypervisor["running_vms"] == 3
    assert two.service["status"] == "disabled" and two.service["forced_down"] is True
    assert two.service["disabled_reason"] == "maint"
    assert "gone-host" not in fleet.hosts
    assert one.cloud == "lab" and one.region == "RegionOne"


def test_servers_follow_pagination_and_land_on_their_host(stub, cloud_with):
    compute = FakeCompute(n_servers=5, page=2)
    fleet = discover(cloud_with(compute, name="lab"))
    assert sorted(fleet.servers) == ["s-000", "s-001", "s-002", "s-003", "s-004"]
    assert fleet.hosts["compute-01"].servers == ["s-000", "s-002", "s-004"]
    assert fleet.servers["s-000"].locked is True
    assert fleet.servers["s-001"].power_state == "running"
    assert fleet.servers["s-001"].project_name == "tenant-a"
    assert fleet.servers["s-001"].server_groups == ["web-aa"]
    assert fleet.servers["s-004"].server_groups == []
    server_calls = [r for r in compute.requests if r[0] == "/servers/detail"]
    assert len(server_calls) == 3  # 2 + 2 + 1
    assert all(r[1]["all_tenants"] == 1 for r in server_calls)
    # services, hypervisors, aggregates, providers, 1 inventory, 3 server pages, projects, groups
    assert len(stub.calls()) == 3 + 1 + 1 + 3 + 1 + 1
    # the count is every request of the read: those, and the token and version discovery a new connection needs
    assert fleet.api_calls == len(stub.mocker.request_history) > len(stub.calls())


def test_sliced_server_listing_gives_the_same_fleet(stub, cloud_with):
    plain = discover(cloud_with(FakeCompute(n_servers=9, page=100), name="lab"))
    plain_calls = len(stub.calls())
    compute = FakeCompute(n_servers=9, page=100)
    fleet = discover(cloud_with(compute, name="lab"), server_slices=3)
    assert dict(fleet.to_dict(), api_calls=0) == dict(plain.to_dict(), api_calls=0)
    # the index page and three slices for one page
    assert len(stub.calls()) - plain_calls == plain_calls - 1 + 1 + 3
    detail = [r for r in compute.requests if r[0] == "/servers/detail"]
    assert [r[1].get("marker") for r in detail].count(None) == 1 and len(detail) == 3
    assert [r for r in compute.requests if r[0] == "/servers"] == [("/servers", {"all_tenants": 1, "limit": 1000},
                                                                    "2.72")]


def test_without_servers_no_server_call(cloud_with):
    compute = FakeCompute()
    fleet = discover(cloud_with(compute), vms=False, placement=False)
    assert fleet.servers == {}
    # made at the same time: in any order
    assert sorted(r[0] for r in compute.requests) == ["/os-aggregates", "/os-hypervisors/detail", "/os-services"]


def test_addresses_are_normalised_and_marks_are_read(cloud_with):
    compute = FakeCompute(n_servers=1)
    compute.servers[0].update(
        addresses={"net6": [{"addr": "2001:DB8:0:0::5", "version": 6, "OS-EXT-IPS:type": "fixed",
                             "OS-EXT-IPS-MAC:mac_addr": "FA:16:3E:00:00:01"}],
                   "net4": [{"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed"},
                            {"addr": "172.24.4.9", "version": 4, "OS-EXT-IPS:type": "floating"}]},
        metadata={"osfleet_quarantine_case": "CASE-7"}, tags=["osfleet-quarantine"])
    fleet = discover(cloud_with(compute))
    s = fleet.servers["s-000"]
    assert [a["addr"] for a in s.addresses] == ["10.0.0.5", "172.24.4.9", "2001:db8::5"]
    assert s.addresses[2]["mac"] == "fa:16:3e:00:00:01"
    assert s.preferred_ip == "172.24.4.9"
    assert s.quarantine == "CASE-7"


def test_maintenance_mark_on_the_service_reason(cloud_with):
    compute = FakeCompute()
    original = compute.get

    def get(path, **kw):
        response = original(path, **kw)
        if path == "/os-services":
            response._body["services"][1]["disabled_reason"] = "osfleet-maintenance: win-42 (until 2026-12-01)"
        return response
    compute.get = get
    fleet = discover(cloud_with(compute))
    assert fleet.hosts["compute-02"].maintenance == "win-42"
    assert fleet.hosts["compute-01"].maintenance is None


def test_http_error_names_the_call(cloud_with):
    compute = FakeCompute()
    compute.get = lambda *a, **kw: Response(403, {"forbidden": {"message": "Policy doesn't allow"}})
    with pytest.raises(CloudError) as err:
        discover(cloud_with(compute))
    assert "list compute services failed (HTTP 403): Policy doesn't allow" in err.value.message


def test_ironic_gives_each_host_its_bmc_and_counts_its_call(stub, cloud_with):
    ironic = FakeIronic([NODE])
    fleet = discover(cloud_with(FakeCompute(), ironic, name="lab"), ironic="auto")
    bmc = fleet.hosts["compute-02"].bmc
    assert bmc["address"] == "redfish+https://10.0.0.12/redfish/v1/Systems/1" and bmc["type"] == "redfish"
    assert bmc["credentials_ref"] == "ironic:lab/RegionOne/" + NODE["uuid"]
    assert "password" not in bmc and "username" not in bmc
    assert fleet.hosts["compute-01"].bmc is None
    assert len(stub.calls()) == 3 + 1 + 1 + 3 + 1 + 1 + 1 and len(ironic.requests) == 1
    assert fleet.api_calls == len(stub.mocker.request_history)
    assert fleet.warnings == []


def test_ironic_auto_without_a_baremetal_endpoint_reads_nothing(cloud_with):
    fleet = discover(cloud_with(FakeCompute(), name="lab"), ironic="auto")
    assert all(h.bmc is None for h in fleet.hosts.values()) and fleet.warnings == []


def test_ironic_auto_that_is_refused_warns_and_still_returns_the_fleet(cloud_with):
    fleet = discover(cloud_with(FakeCompute(), FakeIronic(status=403), name="lab"), ironic="auto")
    assert len(fleet.servers) == 5
    assert len(fleet.warnings) == 1 and "HTTP 403" in fleet.warnings[0] and "lab/RegionOne" in fleet.warnings[0]


def test_ironic_required_without_a_baremetal_endpoint_says_so(cloud_with):
    with pytest.raises(CloudError) as err:
        discover(cloud_with(FakeCompute(), name="lab"), ironic="required")
    assert "no baremetal (Ironic) endpoint" in err.value.message and "lab/RegionOne" in err.value.message


def test_ironic_required_that_is_refused_fails_the_region(cloud_with):
    with pytest.raises(CloudError) as err:
        discover(cloud_with(FakeCompute(), FakeIronic(status=403), name="lab"), ironic="required")
    assert err.value.status_code == 403


def test_ironic_node_found_by_hypervisor_hostname(stub, cloud_with):
    node = dict(NODE, name="rack4-u12", uuid="h1")  # Nova's ironic driver: hypervisor_hostname is the node UUID
    fleet = discover(cloud_with(FakeCompute(), FakeIronic([node]), name="lab"), ironic="required")
    assert fleet.hosts["compute-01"].bmc is None  # its hypervisor is named compute-01: no match
    hv_fleet = discover(cloud_with(_HypervisorNamed(FakeCompute(), "compute-01", "h1"), FakeIronic([node]),
                                   name="lab"), ironic="required")
    assert hv_fleet.hosts["compute-01"].bmc["node"] == "h1"
    assert hv_fleet.hosts["compute-01"].bmc["matched_by"] == "uuid"


class _HypervisorNamed:
    """FakeCompute whose hypervisor for ``host`` reports ``hostname``."""

    def __init__(self, api, host, hostname):
        self.api, self.host, self.hostname = api, host, hostname

    def get(self, path, **kw):
        response = self.api.get(path, **kw)
        if path == "/os-hypervisors/detail":
            for hv in response.json()["hypervisors"]:
                if hv["service"]["host"] == self.host:
                    hv["hypervisor_hostname"] = self.hostname
        return response
