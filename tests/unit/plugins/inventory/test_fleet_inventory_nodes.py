# -*- coding: utf-8 -*-
"""Network and storage nodes in the fleet inventory: one host per machine, their hostvars and groups."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.inventory.fleet import _place_of
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.nodes import network_nodes, storage_nodes
from ansible_collections.osfleet.day2.tests.unit.plugins.inventory.test_fleet_inventory import (  # noqa: F401  pylint: disable=unused-import
    host,
    ident,
    plan,
    plugin,
    server,
    snapshot,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.node_fixtures import load


def with_nodes(snap, cloud="c1", region="R1", storage_services=None):
    snap["network_nodes"] = [n.to_dict() for n in network_nodes(load("neutron_agents.json")["agents"], cloud, region)]
    services = load("cinder_services.json")["services"] if storage_services is None else storage_services
    snap["storage_nodes"] = [n.to_dict() for n in storage_nodes(services, load("cinder_pools.json")["pools"], cloud,
                                                                region)]
    return snap


def test_a_compute_host_running_agents_stays_one_host_with_its_agents():
    entries = plan([with_nodes(snapshot([host("compute-01"), host("compute-02")]))])
    one = entries["compute-01"]
    assert set(one["groups"]) == {"hypervisors", "az_az1", "aggregate_agg_1", "compute_enabled", "cloud_c1",
                                  "region_R1"}  # its OVS agent adds no group
    assert one["hostvars"]["fleet_kind"] == "hypervisor" and one["hostvars"]["fleet_kinds"] == ["hypervisor", "network"]
    assert one["hostvars"]["fleet"]["name"] == "compute-01" and "capacity" in one["hostvars"]["fleet"]
    assert [a["type"] for a in one["hostvars"]["fleet_network"]["agents"]] == ["Open vSwitch agent"]
    assert "agent_down" in entries["compute-02"]["groups"] and "hypervisors" in entries["compute-02"]["groups"]


def test_network_and_storage_nodes_are_hosts_in_their_groups():
    entries = plan([with_nodes(snapshot([host("compute-01")]))])
    net = entries["lab-network"]
    assert net["hostvars"]["fleet_kind"] == "network" and net["hostvars"]["fleet"]["network_node"] is True
    assert set(net["groups"]) == {"network_nodes", "cloud_c1", "region_R1"}
    assert "ansible_host" not in net["hostvars"]
    assert {"network_nodes", "agent_down"} <= set(entries["lab-network-2"]["groups"])
    storage = entries["lab-storage"]
    assert storage["hostvars"]["fleet_kind"] == "storage" and len(storage["hostvars"]["fleet_storage"]["pools"]) == 2
    assert set(storage["groups"]) == {"storage_nodes", "cloud_c1", "region_R1"}
    assert {"storage_nodes", "storage_down"} <= set(entries["old-storage"]["groups"])
    assert {"storage_nodes", "storage_down"} <= set(entries["flaky-storage"]["groups"])
    assert "lab-controller" not in entries  # the scheduler's host is no storage node
    assert not any(g.startswith("az_") for g in net["groups"] + storage["groups"])  # Nova's zones only


def test_a_network_node_that_is_a_storage_node_is_one_host():
    services = [{"binary": "cinder-volume", "host": "lab-network@lvm", "zone": "nova", "status": "enabled",
                 "state": "up"}]
    entries = plan([with_nodes(snapshot([host("compute-01")]), storage_services=services)])
    node = entries["lab-network"]
    assert node["hostvars"]["fleet_kinds"] == ["network", "storage"] and node["hostvars"]["fleet_kind"] == "network"
    assert {"network_nodes", "storage_nodes"} <= set(node["groups"])
    assert node["hostvars"]["fleet_storage"]["services"][0]["host"] == "lab-network@lvm"


def test_same_node_name_in_two_clouds_is_kept_apart():
    entries = plan([with_nodes(snapshot([host("compute-01")])),
                    with_nodes(snapshot([host("compute-01", cloud="c2", region="R2")]), cloud="c2", region="R2")])
    assert "lab-network" in entries and "c2_R2_lab-network" in entries
    assert "cloud_c2" in entries["c2_R2_lab-network"]["groups"]
    # c2's compute-01 keeps its own agents, not c1's
    assert entries["c2_R2_compute-01"]["hostvars"]["fleet_network"]["cloud"] == "c2"


def test_servers_are_not_named_after_a_node():
    entries = plan([with_nodes(snapshot([host("compute-01")], [server("id-1", "lab-storage")]))])
    assert entries["lab-storage"]["hostvars"]["fleet_kind"] == "storage" and "id-1" in entries


def test_a_snapshot_from_before_the_nodes_still_plans():
    entries = plan([snapshot([host("compute-01")])])  # a cache written without network_nodes/storage_nodes
    assert list(entries) == ["compute-01"]


def test_the_inventory_has_the_node_groups(plugin):  # noqa: F811  pylint: disable=redefined-outer-name
    plugin._populate([with_nodes(snapshot([host("compute-01"), host("compute-02")]))])
    groups = plugin.inventory.groups
    assert sorted(h.name for h in groups["network_nodes"].get_hosts()) == ["lab-network", "lab-network-2"]
    assert sorted(h.name for h in groups["agent_down"].get_hosts()) == ["compute-02", "lab-network-2"]
    assert sorted(h.name for h in groups["storage_nodes"].get_hosts()) == ["flaky-storage", "lab-storage",
                                                                           "old-storage"]
    assert sorted(h.name for h in groups["storage_down"].get_hosts()) == ["flaky-storage", "old-storage"]
    assert sorted(h.name for h in groups["hypervisors"].get_hosts()) == ["compute-01", "compute-02"]
    assert plugin.inventory.get_host("lab-network").get_vars()["fleet_network"]["roles"] == ["dhcp", "l2", "l3",
                                                                                             "metadata"]


def test_clouds_without_compute_hosts_are_ordered_by_their_nodes():
    assert _place_of(with_nodes({"hosts": {}, "servers": {}}, cloud="c2", region="R9")) == ("c2", "R9")
    assert _place_of({"hosts": {}, "servers": {}}) == ("", "")
