# -*- coding: utf-8 -*-
"""Network and storage nodes from Neutron's and Cinder's listings: the shape, the roles and the states."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.nodes import network_nodes, storage_nodes
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.node_fixtures import load

NETWORK_KEYS = {"name", "cloud", "region", "zone", "kind", "network_node", "roles", "state", "agents", "bmc"}
AGENT_KEYS = {"id", "type", "binary", "alive", "admin_state_up", "heartbeat", "started", "zone", "routers",
              "networks"}
STORAGE_KEYS = {"name", "cloud", "region", "zone", "kind", "state", "services", "pools", "bmc"}
SERVICE_KEYS = {"binary", "host", "backend", "zone", "state", "status", "updated_at", "disabled_reason"}
POOL_KEYS = {"name", "backend", "total_gb", "free_gb", "capacity_text", "allocated_gb", "provisioned_gb",
             "reserved_percentage", "thin_provisioning", "max_over_subscription_ratio", "over_subscription"}


@pytest.fixture
def network():
    return {n.name: n.to_dict() for n in network_nodes(load("neutron_agents.json")["agents"], "lab", "RegionOne")}


@pytest.fixture
def storage():
    notes = []
    nodes = storage_nodes(load("cinder_services.json")["services"], load("cinder_pools.json")["pools"], "lab",
                          "RegionOne", notes)
    return {n.name: n.to_dict() for n in nodes}


def test_network_node_shape(network):
    node = network["lab-network"]
    assert set(node) == NETWORK_KEYS and all(set(a) == AGENT_KEYS for n in network.values() for a in n["agents"])
    assert (node["cloud"], node["region"], node["zone"], node["kind"]) == ("lab", "RegionOne", "nova", "network")
    assert node["roles"] == ["dhcp", "l2", "l3", "metadata"] and node["network_node"] is True
    assert node["state"] == "up"
    l3 = next(a for a in node["agents"] if a["type"] == "L3 agent")
    assert l3 == {"id": "0f9a3c1e-1d2b-4c5a-8e7f-0a1b2c3d4e01", "type": "L3 agent", "binary": "neutron-l3-agent",
                  "alive": True, "admin_state_up": True, "heartbeat": "2026-12-03T10:00:01Z",
                  "started": "2026-12-01T08:00:00Z", "zone": "nova", "routers": None, "networks": None}


def test_a_compute_host_with_only_its_ovs_agent_is_not_a_network_node(network):
    assert network["compute-01"]["network_node"] is False and network["compute-01"]["roles"] == ["l2"]
    assert network["compute-01"]["zone"] is None  # L2 agents carry no availability zone


def test_a_dead_agent_makes_its_host_down(network):
    assert network["compute-02"]["state"] == "down"
    assert network["compute-02"]["agents"][0]["alive"] is False


def test_all_agents_disabled_is_disabled_even_with_one_dead(network):
    node = network["lab-network-2"]
    assert node["state"] == "disabled" and node["roles"] == ["dhcp", "other"] and node["network_node"] is True
    assert node["zone"] == "az2"


def test_storage_nodes_are_volume_and_backup_hosts_not_the_scheduler(storage):
    assert sorted(storage) == ["flaky-storage", "lab-storage", "old-storage"]
    node = storage["lab-storage"]
    assert set(node) == STORAGE_KEYS and node["kind"] == "storage" and node["state"] == "up"
    assert all(set(s) == SERVICE_KEYS for s in node["services"]) and all(set(p) == POOL_KEYS for p in node["pools"])
    assert [(s["binary"], s["host"], s["backend"]) for s in node["services"]] == [
        ("cinder-backup", "lab-storage", None), ("cinder-volume", "lab-storage@ceph", "ceph"),
        ("cinder-volume", "lab-storage@labfake", "labfake")]
    assert node["services"][2]["updated_at"] == "2026-12-03T10:00:02Z"


def test_storage_states(storage):
    assert storage["old-storage"]["state"] == "disabled"
    assert storage["old-storage"]["services"][0]["disabled_reason"] == "decommissioning"
    assert storage["flaky-storage"]["state"] == "down" and storage["flaky-storage"]["pools"] == []


def test_pool_figures_and_over_subscription(storage):
    pools = {p["name"]: p for p in storage["lab-storage"]["pools"]}
    fake = pools["lab-storage@labfake#labfake"]
    assert fake == {"name": "lab-storage@labfake#labfake", "backend": "labfake", "total_gb": 1024.0,
                    "free_gb": 900.5, "capacity_text": None, "allocated_gb": 120.0, "provisioned_gb": 2048.0,
                    "reserved_percentage": 0.0, "thin_provisioning": True, "max_over_subscription_ratio": 20.0,
                    "over_subscription": 2.0}


def test_an_infinite_pool_keeps_cinders_word_and_has_no_ratio(storage):
    ceph = next(p for p in storage["lab-storage"]["pools"] if p["backend"] == "ceph")
    assert (ceph["total_gb"], ceph["free_gb"], ceph["capacity_text"]) == (None, None, "infinite")
    assert ceph["over_subscription"] is None and ceph["max_over_subscription_ratio"] is None  # "auto"
    lvm = storage["old-storage"]["pools"][0]
    assert lvm["thin_provisioning"] is False and lvm["provisioned_gb"] is None and lvm["over_subscription"] is None


def test_a_pool_whose_host_runs_no_volume_service_is_noted():
    notes = []
    nodes = storage_nodes([], [{"name": "ghost@lvm#lvm", "capabilities": {}}], "lab", "R", notes)
    assert nodes == [] and notes == ["storage pool ghost@lvm#lvm left out: its host runs no cinder-volume service"]
