# -*- coding: utf-8 -*-
"""Network and storage nodes read over a stubbed cloud: one listing each, one call per L3/DHCP agent, and a
missing or refusing service as a warning, never a failed fleet."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import NODE_KINDS, discover
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.node_fixtures import (
    DEAD_DHCP_ID,
    DHCP_ID,
    L3_ID,
    hide,
    serve_cinder,
    serve_neutron,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.test_discover import (  # noqa: F401  pylint: disable=unused-import
    FakeCompute,
    cloud_with,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import path_of


def nodes_only(stub, **kinds):
    stub.hidden.add("baremetal")
    cloud = Cloud(stub.cloud().conn, name="lab")
    return discover(cloud, vms=False, node_kinds=kinds.get("kinds", ("network", "storage")))


def paths(stub, service):
    return sorted(path_of(r) for r in stub.calls(service))


def test_one_listing_each_and_one_call_per_l3_and_dhcp_agent(stub):
    serve_neutron(stub)
    serve_cinder(stub)
    fleet = nodes_only(stub)
    assert paths(stub, "network") == sorted(["/agents", "/agents/%s/l3-routers" % L3_ID,
                                             "/agents/%s/dhcp-networks" % DHCP_ID,
                                             "/agents/%s/dhcp-networks" % DEAD_DHCP_ID])
    assert paths(stub, "block-storage") == ["/os-services", "/scheduler-stats/get_pools"]
    assert not stub.calls("compute") and fleet.hosts == {}
    assert fleet.api_calls == len(stub.mocker.request_history)  # the request counter sees the per-agent calls
    assert fleet.warnings == []
    snap = fleet.to_dict()
    network = {n["name"]: n for n in snap["network_nodes"]}
    agents = {a["id"]: a for a in network["lab-network"]["agents"]}
    assert agents[L3_ID]["routers"] == ["5a1d6c9e-2b3f-4a8d-9c0e-1f2a3b4c5d01", "5a1d6c9e-2b3f-4a8d-9c0e-1f2a3b4c5d02"]
    assert agents[L3_ID]["networks"] is None
    assert agents[DHCP_ID]["networks"] == ["b7e4f0a2-6c1d-4e3f-8a9b-0c1d2e3f4a01"] and agents[DHCP_ID]["routers"] is None
    assert all(a["routers"] is None and a["networks"] is None for a in network["compute-01"]["agents"])
    storage = {n["name"]: n for n in snap["storage_nodes"]}
    assert sorted(storage) == ["flaky-storage", "lab-storage", "old-storage"]
    assert len(storage["lab-storage"]["pools"]) == 2 and storage["lab-storage"]["cloud"] == "lab"


def test_a_cloud_without_neutron_or_cinder_warns_and_makes_no_call(stub):
    hide(stub, "network", "block-storage")
    fleet = nodes_only(stub)
    assert fleet.network_nodes == [] and fleet.storage_nodes == []
    assert not stub.calls()
    assert sorted(fleet.warnings) == [
        "lab/RegionOne: network nodes not read: the catalog has no network (Neutron) endpoint",
        "lab/RegionOne: storage nodes not read: the catalog has no block-storage (Cinder) endpoint"]


def test_a_refused_agent_listing_is_a_warning_naming_the_call(stub):
    serve_neutron(stub, agents_status=403)
    serve_cinder(stub)
    fleet = nodes_only(stub)
    assert fleet.network_nodes == [] and len(fleet.storage_nodes) == 3
    assert len(fleet.warnings) == 1
    assert "list network agents failed (HTTP 403): rule:get_agent is disallowed by policy" in fleet.warnings[0]


def test_refused_bindings_leave_them_null_with_one_warning(stub):
    serve_neutron(stub, bindings_status=403)
    serve_cinder(stub)
    fleet = nodes_only(stub)
    agents = [a for n in fleet.network_nodes for a in n.agents]
    assert all(a.routers is None and a.networks is None for a in agents)
    assert len(fleet.warnings) == 1 and "3 agent(s)" in fleet.warnings[0] and "HTTP 403" in fleet.warnings[0]


def test_refused_pools_keep_the_storage_nodes(stub):
    serve_neutron(stub)
    serve_cinder(stub, pools_status=403)
    fleet = nodes_only(stub)
    assert len(fleet.storage_nodes) == 3 and all(n.pools == [] for n in fleet.storage_nodes)
    assert len(fleet.warnings) == 1 and "list storage pools failed (HTTP 403)" in fleet.warnings[0]


def test_refused_volume_services_is_a_warning(stub):
    serve_neutron(stub)
    serve_cinder(stub, services_status=403)
    fleet = nodes_only(stub)
    assert fleet.storage_nodes == [] and len(fleet.network_nodes) == 4
    assert ["list volume services failed (HTTP 403)" in w for w in fleet.warnings] == [True]


def test_node_kinds_skip_the_listings_they_leave_out(stub, cloud_with):
    serve_neutron(stub)
    serve_cinder(stub)
    compute = FakeCompute()
    fleet = discover(cloud_with(compute, name="lab"), vms=False, placement=False, node_kinds=["compute", "storage"])
    assert not stub.calls("network") and fleet.network_nodes == []
    assert paths(stub, "block-storage") == ["/os-services", "/scheduler-stats/get_pools"]
    assert sorted(fleet.hosts) == ["compute-01", "compute-02"]
    before = len(stub.calls())
    only_network = discover(cloud_with(FakeCompute(), name="lab"), vms=False, node_kinds=["network"])
    new = stub.calls()[before:]
    assert {path_of(r).split("/")[1] for r in new} == {"agents"} and only_network.hosts == {}


def test_every_kind_with_compute_counts_every_request(stub, cloud_with):
    serve_neutron(stub)
    serve_cinder(stub)
    fleet = discover(cloud_with(FakeCompute(), name="lab"), vms=False, node_kinds=NODE_KINDS)
    # compute services, hypervisors, aggregates, providers, 1 inventory; agents + 3 bindings; services, pools
    assert len(stub.calls()) == 5 + 4 + 2
    assert fleet.api_calls == len(stub.mocker.request_history)
    assert len(fleet.hosts) == 2 and len(fleet.network_nodes) == 4 and len(fleet.storage_nodes) == 3
