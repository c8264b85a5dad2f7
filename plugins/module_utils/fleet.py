# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Discover a cloud's compute fleet: hosts with service, hypervisor, capacity
and aggregates, and (optionally) the servers on them.

A fixed handful of list calls per cloud region, whatever the number of
servers: compute services, hypervisors with details, aggregates, Placement
resource providers, servers with details across all projects (paginated),
projects and server groups. Only allocation ratios need one Placement call per
compute host (made concurrently; ``placement=False`` skips them).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils.api_list import list_json
from ansible_collections.osfleet.day2.plugins.module_utils.cloud import api_call
from ansible_collections.osfleet.day2.plugins.module_utils.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils.fleet_marks import maintenance_window, quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils.fleet_model import (
    ComputeHost,
    Fleet,
    Resource,
    Server,
)

# 2.87 is the last microversion whose hypervisor details carry the resource
# tracker's totals and usage (2.88 moved them to Placement only).
HYPERVISOR_MICROVERSION = "2.87"
SERVICE_MICROVERSION = "2.53"
# 2.96 lists servers with tags, locked_reason, pinned AZ and full flavor
SERVER_MICROVERSION = "2.96"
PLACEMENT_CLASSES = {"VCPU": "vcpus", "MEMORY_MB": "memory_mb", "DISK_GB": "disk_gb"}


def discover(conn: Any, cloud: Optional[str] = None, vms: bool = True, page_size: int = 1000,
             placement: bool = True, workers: int = 8) -> Fleet:
    """Read one cloud region's compute fleet."""
    region = getattr(getattr(conn, "config", None), "region_name", None)
    compute = conn.compute
    fleet = Fleet()
    stats: Dict[str, int] = {}
    services = list_json(compute, "/os-services", "services", "list compute services", SERVICE_MICROVERSION,
                         params={"binary": "nova-compute"}, stats=stats)
    for svc in services:
        fleet.hosts[svc["host"]] = ComputeHost(
            name=svc["host"], cloud=cloud, region=region, zone=svc.get("zone"),
            service={"id": svc.get("id"), "status": svc.get("status"), "state": svc.get("state"),
                     "disabled_reason": svc.get("disabled_reason"), "forced_down": bool(svc.get("forced_down")),
                     "updated_at": svc.get("updated_at")},
            maintenance=maintenance_window(svc.get("disabled_reason")))
    by_node_id = _read_hypervisors(compute, fleet, cloud, region, page_size, stats)
    aggregates = list_json(compute, "/os-aggregates", "aggregates", "list aggregates", stats=stats)
    for agg in aggregates:
        for name in agg.get("hosts") or []:
            if name in fleet.hosts:
                fleet.hosts[name].aggregates.append(agg["name"])
                fleet.hosts[name].zone = fleet.hosts[name].zone or agg.get("availability_zone")
    if placement and by_node_id:
        _read_placement(conn, by_node_id, stats, workers)
    if vms:
        _read_servers(conn, fleet, cloud, region, page_size, stats)
    fleet.api_calls = stats.get("requests", 0)
    return fleet


def _read_hypervisors(compute, fleet, cloud, region, page_size, stats) -> Dict[str, ComputeHost]:
    by_node_id = {}
    for hv in list_json(compute, "/os-hypervisors/detail", "hypervisors", "list hypervisors",
                        HYPERVISOR_MICROVERSION, page_size=page_size, stats=stats):
        name = (hv.get("service") or {}).get("host") or hv.get("hypervisor_hostname")
        host = fleet.hosts.setdefault(name, ComputeHost(name=name, cloud=cloud, region=region))
        host.hypervisor = {"id": hv.get("id"), "hostname": hv.get("hypervisor_hostname"),
                           "type": hv.get("hypervisor_type"), "version": hv.get("hypervisor_version"),
                           "state": hv.get("state"), "status": hv.get("status"),
                           "running_vms": hv.get("running_vms"), "host_ip": hv.get("host_ip")}
        host.capacity = {
            "vcpus": Resource(hv.get("vcpus") or 0, hv.get("vcpus_used") or 0),
            "memory_mb": Resource(hv.get("memory_mb") or 0, hv.get("memory_mb_used") or 0),
            "disk_gb": Resource(hv.get("local_gb") or 0, hv.get("local_gb_used") or 0),
        }
        if hv.get("id"):
            by_node_id[str(hv["id"])] = host
    return by_node_id


def _read_placement(conn, by_node_id: Dict[str, ComputeHost], stats, workers: int) -> None:
    """Totals, reserved and allocation ratios from Placement (the scheduler's truth)."""
    placement = conn.placement
    providers = list_json(placement, "/resource_providers", "resource_providers", "list resource providers",
                          microversion="1.14", stats=stats)
    wanted = [p["uuid"] for p in providers if p["uuid"] in by_node_id]

    def inventories(uuid):
        with api_call("get resource provider inventories", resource=uuid):
            response = placement.get("/resource_providers/%s/inventories" % uuid, microversion="1.14",
                                     headers={"Accept": "application/json"})
        return uuid, response.json().get("inventories", {})

    if not wanted:
        return
    stats["requests"] = stats.get("requests", 0) + len(wanted)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(wanted)))) as pool:
        for uuid, inv in pool.map(inventories, wanted):
            host = by_node_id[uuid]
            for rclass, key in PLACEMENT_CLASSES.items():
                if rclass not in inv:
                    continue
                res = host.capacity.setdefault(key, Resource())
                res.total = int(inv[rclass].get("total", res.total))
                res.reserved = int(inv[rclass].get("reserved", 0))
                res.allocation_ratio = float(inv[rclass].get("allocation_ratio", 1.0))


def _read_servers(conn, fleet: Fleet, cloud, region, page_size, stats) -> None:
    servers = list_json(conn.compute, "/servers/detail", "servers", "list servers", SERVER_MICROVERSION,
                        params={"all_tenants": 1}, page_size=page_size, stats=stats)
    fleet.projects = _project_names(conn, stats)
    groups = _server_groups(conn.compute, stats)
    for raw in servers:
        server = Server.from_json(raw, cloud, region)
        server.project_name = fleet.projects.get(server.project_id or "")
        server.server_groups = groups.get(server.id, [])
        server.quarantine = quarantine_case(server.tags, server.metadata)
        fleet.servers[server.id] = server
        if server.host in fleet.hosts:
            fleet.hosts[server.host].servers.append(server.id)


def _project_names(conn, stats) -> Dict[str, str]:
    try:
        projects = list_json(conn.identity, "/projects", "projects", "list projects", stats=stats)
    except CloudError:  # a reader without identity:list_projects still gets the fleet
        return {}
    return {p["id"]: p["name"] for p in projects}


def _server_groups(compute, stats) -> Dict[str, List[str]]:
    groups = list_json(compute, "/os-server-groups", "server_groups", "list server groups", "2.64",
                       params={"all_projects": 1}, stats=stats)
    members: Dict[str, List[str]] = {}
    for group in groups:
        for member in group.get("members") or []:
            members.setdefault(member, []).append(group.get("name") or group["id"])
    return members
