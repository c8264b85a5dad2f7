# -*- coding: utf-8 -*-
"""fleet_info: the inventory's placement and bmc_source options, network and storage nodes (node_kinds), and an
api_calls that counts every request."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
from ansible_collections.osfleet.day2.plugins.modules import fleet_info
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.node_fixtures import (
    hide,
    serve_cinder,
    serve_neutron,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.test_discover import (  # noqa: F401  pylint: disable=unused-import
    NODE,
    FakeCompute,
    FakeIronic,
    cloud_with,
)


@pytest.fixture
def cloud(monkeypatch, stub, cloud_with):  # pylint: disable=redefined-outer-name
    """(compute API stub, Ironic stub) behind the stubbed cloud the module connects to, with Neutron's agents and
    Cinder's services and pools."""
    serve_neutron(stub)
    serve_cinder(stub)
    compute, ironic = FakeCompute(n_servers=3, page=2), FakeIronic([NODE])
    made = cloud_with(compute, ironic, name="lab")
    monkeypatch.setattr(module_base.Day2Module, "conn", property(lambda self: made.conn))
    return compute, ironic


def run(module_main, **args):
    return module_main(fleet_info, dict(dict(cloud="lab"), **args))


def test_api_calls_counts_every_request_placement_and_ironic_included(module_main, cloud, stub):
    compute, ironic = cloud
    out = run(module_main)
    assert "failed" not in out, out
    inventories = [r for r in compute.requests if r[0].endswith("/inventories")]
    assert len(inventories) == 1  # one per compute host that has a resource provider
    assert len(ironic.requests) == 1  # bmc_source auto, and the catalog has Ironic
    nodes = len(stub.calls("network")) + len(stub.calls("block-storage"))
    assert nodes == 1 + 3 + 2  # agents, one per L3/DHCP agent; volume services, pools
    assert len(compute.requests) + len(ironic.requests) + nodes == len(stub.calls())
    assert out["api_calls"] == len(stub.mocker.request_history)  # and the token and version discovery
    assert out["hosts"]["compute-02"]["bmc"]["source"] == "ironic"
    assert out["hosts"]["compute-01"]["capacity"]["vcpus"]["allocation_ratio"] == 4.0


def test_placement_false_makes_no_placement_call(module_main, cloud, stub):
    compute, _ironic = cloud
    out = run(module_main, placement=False)
    assert not [r for r in compute.requests if r[0].startswith("/resource_providers")]
    assert not [r for r in stub.mocker.request_history if "placement" in r.url]
    assert out["api_calls"] == len(stub.mocker.request_history)
    assert out["hosts"]["compute-01"]["capacity"]["vcpus"]["allocation_ratio"] == 1.0


def test_bmc_source_map_does_not_read_ironic(module_main, cloud):
    _compute, ironic = cloud
    out = run(module_main, bmc_source="map")
    assert ironic.requests == []
    assert all(h["bmc"] is None for h in out["hosts"].values())  # the action plugin adds the map's


def test_an_unreadable_ironic_fails_bmc_source_ironic_and_warns_with_auto(module_main, cloud, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, warning: warned.append(warning))
    _compute, ironic = cloud
    ironic.status = 403
    out = run(module_main, bmc_source="ironic")
    assert out["failed"] is True and "HTTP 403" in out["msg"]
    auto = run(module_main)
    assert "failed" not in auto and all(h["bmc"] is None for h in auto["hosts"].values())
    assert any("BMCs not read from Ironic" in w for w in warned), warned


def test_network_and_storage_nodes_beside_the_hosts(module_main, cloud):
    out = run(module_main)
    assert {"api_calls", "hosts", "network_nodes", "servers", "storage_nodes"} <= set(out)
    network = {n["name"]: n for n in out["network_nodes"]}
    assert network["lab-network"]["network_node"] is True and network["compute-01"]["network_node"] is False
    assert network["compute-02"]["state"] == "down"
    storage = {n["name"]: n for n in out["storage_nodes"]}
    assert storage["old-storage"]["state"] == "disabled" and storage["lab-storage"]["kind"] == "storage"


def test_node_kinds_compute_makes_no_neutron_or_cinder_call(module_main, cloud, stub):
    out = run(module_main, node_kinds=["compute"])
    assert not stub.calls("network") and not stub.calls("block-storage")
    assert out["network_nodes"] == [] and out["storage_nodes"] == [] and len(out["hosts"]) == 2


def test_node_kinds_without_compute_reads_no_compute_listing(module_main, cloud, stub):
    compute, ironic = cloud
    out = run(module_main, node_kinds=["network", "storage"], servers=False)
    assert compute.requests == [] and ironic.requests == [] and out["hosts"] == {}
    assert len(out["network_nodes"]) == 4 and len(out["storage_nodes"]) == 3


def test_a_cloud_without_neutron_warns_and_returns_the_rest(module_main, cloud, stub, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, warning: warned.append(warning))
    hide(stub, "network")
    out = run(module_main)
    assert "failed" not in out and out["network_nodes"] == [] and len(out["storage_nodes"]) == 3
    assert len(out["hosts"]) == 2 and not stub.calls("network")
    assert warned == ["lab/RegionOne: network nodes not read: the catalog has no network (Neutron) endpoint"]


def test_network_and_storage_nodes_get_their_bmc_from_ironic_in_the_same_listing(module_main, cloud):
    _compute, ironic = cloud

    def node(name, n, address):
        return dict(NODE, uuid="5f3c1c5e-0000-4000-8000-00000000000%d" % n, name=name,
                    driver_info=dict(NODE["driver_info"], redfish_address=address))
    ironic.nodes += [node("lab-network", 2, "https://10.0.0.21"), node("lab-storage", 3, "https://10.0.0.31")]
    out = run(module_main)
    assert len(ironic.requests) == 1  # one node listing for every kind of node
    network = {n["name"]: n for n in out["network_nodes"]}
    storage = {n["name"]: n for n in out["storage_nodes"]}
    assert network["lab-network"]["bmc"]["address"].startswith("redfish+https://10.0.0.21")
    assert storage["lab-storage"]["bmc"]["address"].startswith("redfish+https://10.0.0.31")
    assert network["compute-02"]["bmc"] == out["hosts"]["compute-02"]["bmc"]  # a compute host's node too
    assert network["compute-01"]["bmc"] is None and storage["old-storage"]["bmc"] is None
    assert "password" not in str(out["network_nodes"]) and "******" not in str(out["storage_nodes"])


def test_hardware_results_give_utilization_without_prometheus(module_main, cloud):
    hardware = {"lab-network": {"status": "ok", "read_at": "2026-12-03T10:00:00Z",
                                "state": {"power_draw_watts": 150, "cpu_bandwidth_percent": 22.0}},
                "compute-01": {"status": "unreachable", "state": None}}
    out = run(module_main, hardware=hardware)
    network = {n["name"]: n for n in out["network_nodes"]}
    assert network["lab-network"]["utilization"]["power_watts"]["source"] == "bmc"
    assert network["lab-network"]["utilization"]["cpu_percent"]["value"] == 22.0
    assert out["hosts"]["compute-01"]["utilization"] == {}
    assert out["utilization"]["sources"] == ["bmc"]
