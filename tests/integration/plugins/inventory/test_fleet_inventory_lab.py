# -*- coding: utf-8 -*-
"""The osfleet.day2.fleet inventory against the lab's real cloud."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ANSIBLE_INVENTORY = Path(sys.executable).parent / "ansible-inventory"
COMPUTES = ["compute-01", "compute-02", "compute-03", "compute-04"]


def inventory(config: Path, clouds_yaml: Path, **env):
    proc = subprocess.run([str(ANSIBLE_INVENTORY), "-i", str(config), "--list"], capture_output=True, text=True,
                          env=dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds_yaml), **env), timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    data = unwrap(json.loads(proc.stdout))
    data["_stderr"] = proc.stderr
    return data


def unwrap(value):
    """ansible-inventory --list marks inventory strings unsafe as {"__ansible_unsafe": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def members(data, group):
    return sorted(data.get(group, {}).get("hosts", []))


def write_config(path: Path, **options) -> Path:
    config = dict(plugin="osfleet.day2.fleet", clouds=["lab-admin"], vms=True)
    config.update(options)
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def config(lab, tmp_path):
    bmc_map = lab / "bmcs.yml"
    opts = {"bmc_map": str(bmc_map)} if bmc_map.exists() else {}
    return write_config(tmp_path / "lab.fleet.yml", **opts)


def test_every_compute_and_server_with_host_state_and_capacity(lab, config, admin_conn):
    data = inventory(config, lab / "clouds.yaml")
    hostvars = data["_meta"]["hostvars"]
    assert members(data, "hypervisors") == COMPUTES
    for name in COMPUTES:
        fleet = hostvars[name]["fleet"]
        assert fleet["hypervisor"]["state"] == "up"
        assert fleet["capacity"]["vcpus"]["total"] > 0
        assert fleet["capacity"]["vcpus"]["allocation_ratio"] > 0
        assert fleet["zone"] in ("az1", "az2")
    servers = {s.id: s for s in admin_conn.compute.servers(all_projects=True)}
    vms = {hostvars[h]["fleet"]["id"]: hostvars[h]["fleet"] for h in members(data, "vms")}
    assert set(vms) == set(servers)
    for sid, server in servers.items():
        assert vms[sid]["host"] == server.compute_host
        assert vms[sid]["status"] == server.status
    for name in COMPUTES:
        on_host = sorted(i for i, s in servers.items() if s.compute_host == name)
        assert sorted(hostvars[name]["fleet"]["servers"]) == on_host
    assert members(data, "project_tenant_a") and members(data, "project_tenant_b")
    if (lab / "bmcs.yml").exists():
        bmcs = yaml.safe_load((lab / "bmcs.yml").read_text())
        for name in COMPUTES:
            bmc = hostvars[name]["fleet"]["bmc"]
            assert bmc["address"] == bmcs[name]["address"]
            assert "password" not in bmc, "credentials must not be in the inventory unless asked"


def test_disabling_a_compute_moves_it_to_compute_disabled(lab, config, run_module):
    assert "compute-02" in members(inventory(config, lab / "clouds.yaml"), "compute_enabled")
    run_module("compute_service", host="compute-02", status="disabled", disabled_reason="inventory test")
    try:
        data = inventory(config, lab / "clouds.yaml")
        assert "compute-02" in members(data, "compute_disabled")
        assert "compute-02" not in members(data, "compute_enabled")
        assert data["_meta"]["hostvars"]["compute-02"]["fleet"]["service"]["disabled_reason"] == "inventory test"
    finally:
        run_module("compute_service", host="compute-02", status="enabled")


def test_cache_hit_makes_no_api_call(lab, tmp_path):
    config = write_config(tmp_path / "cached.fleet.yml", cache=True, cache_plugin="ansible.builtin.jsonfile",
                          cache_connection=str(tmp_path / "cache"), cache_timeout=3600)
    first = inventory(config, lab / "clouds.yaml")
    assert members(first, "hypervisors") == COMPUTES
    # Same cloud name, but every endpoint unreachable: any API call would fail.
    dead = yaml.safe_load((lab / "clouds.yaml").read_text())
    dead["clouds"]["lab-admin"]["auth"]["auth_url"] = "http://127.0.0.1:9/v3"
    dead_yaml = tmp_path / "dead-clouds.yaml"
    dead_yaml.write_text(yaml.safe_dump(dead))
    second = inventory(config, dead_yaml)
    assert "could not read" not in second["_stderr"]
    assert members(second, "hypervisors") == COMPUTES
    assert members(second, "vms") == members(first, "vms")
    # and without the cache the dead endpoint is reported, not hidden
    uncached = inventory(write_config(tmp_path / "nocache.fleet.yml"), dead_yaml)
    assert "could not read lab-admin" in uncached["_stderr"]
    assert members(uncached, "hypervisors") == []


def test_two_clouds_in_one_config(lab, tmp_path):
    clouds = yaml.safe_load((lab / "clouds.yaml").read_text())
    clouds["clouds"]["lab-second"] = dict(clouds["clouds"]["lab-admin"])
    both = tmp_path / "two-clouds.yaml"
    both.write_text(yaml.safe_dump(clouds))
    data = inventory(write_config(tmp_path / "two.fleet.yml", clouds=["lab-admin", "lab-second"], vms=False), both)
    # each cloud: its four computes, its network node and its two storage nodes
    assert len(members(data, "cloud_lab_admin")) == 7
    assert len(members(data, "cloud_lab_second")) == 7
    assert len(members(data, "hypervisors")) == 8
    assert len(members(data, "storage_nodes")) == 4 and len(members(data, "network_nodes")) == 2


def test_unknown_cloud_is_a_clear_error(lab, tmp_path):
    config = write_config(tmp_path / "bad.fleet.yml", clouds=["no-such-cloud"])
    proc = subprocess.run([str(ANSIBLE_INVENTORY), "-i", str(config), "--list"], capture_output=True, text=True,
                          env=dict(os.environ, OS_CLIENT_CONFIG_FILE=str(lab / "clouds.yaml"),
                                   ANSIBLE_INVENTORY_UNPARSED_FAILED="1"), timeout=120, check=False)
    assert proc.returncode != 0
    assert "clouds not found in clouds.yaml: no-such-cloud" in proc.stderr


def test_sliced_server_listing_returns_the_same_inventory(lab, tmp_path):
    plain = inventory(write_config(tmp_path / "plain.fleet.yml"), lab / "clouds.yaml")
    sliced = inventory(write_config(tmp_path / "sliced.fleet.yml", server_slices=3), lab / "clouds.yaml")
    ids = {h: plain["_meta"]["hostvars"][h]["fleet"]["id"] for h in members(plain, "vms")}
    assert len(ids) >= 6  # the lab's seeded servers at least: enough for 3 slices
    assert {h: sliced["_meta"]["hostvars"][h]["fleet"]["id"] for h in members(sliced, "vms")} == ids
    assert members(sliced, "hypervisors") == COMPUTES


def test_bmc_source_auto_keeps_the_map_files_entries_although_ironic_is_there(lab, tmp_path):
    # The lab's catalog has a baremetal endpoint whose nodes are the computes: in auto the map file still wins.
    bmc_map = lab / "bmcs.yml"
    auto = inventory(write_config(tmp_path / "auto.fleet.yml", bmc_map=str(bmc_map), vms=False), lab / "clouds.yaml")
    for host in COMPUTES:
        bmc = auto["_meta"]["hostvars"][host]["fleet"]["bmc"]
        assert bmc["credentials_ref"].endswith("#" + host), bmc
        assert bmc.get("source") != "ironic", bmc


def test_bmc_source_ironic_reads_the_lab_nodes(lab, tmp_path):
    # Ironic holds one node per compute (lab/lablib/openstack seeds them, in maintenance) pointing at the lab's BMCs.
    expected = yaml.safe_load((lab / "bmcs.yml").read_text())
    data = inventory(write_config(tmp_path / "ironic.fleet.yml", bmc_source="ironic", vms=False), lab / "clouds.yaml")
    for host in COMPUTES:
        bmc = data["_meta"]["hostvars"][host]["fleet"]["bmc"]
        assert bmc["address"] == expected[host]["address"], (host, bmc)
        assert bmc["type"] == expected[host]["type"], (host, bmc)
        assert bmc["source"] == "ironic", (host, bmc)
        assert bmc["credentials_ref"].startswith("ironic:"), (host, bmc)
        assert not {"password", "username"} & set(bmc), (host, bmc)


def test_the_network_node_and_the_storage_nodes_are_in_their_groups(lab, config):
    data = inventory(config, lab / "clouds.yaml")
    assert members(data, "network_nodes") == ["lab-network"]  # the computes run only their (stand-in) OVS agent
    assert members(data, "storage_nodes") == ["lab-storage", "lab-storage-02"]
    assert members(data, "agent_down") == [] and members(data, "storage_down") == []
    hostvars = data["_meta"]["hostvars"]
    assert [a["type"] for a in hostvars["lab-network"]["fleet_network"]["agents"]] == ["Metadata agent"]
    assert hostvars["compute-01"]["fleet_network"]["network_node"] is False
    assert {p["backend"] for p in hostvars["lab-storage-02"]["fleet_storage"]["pools"]} == {"labpool"}
