# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Discover a cloud's compute fleet: hosts with service, hypervisor, capacity
and aggregates, and (optionally) the servers on them.

A handful of list calls per cloud, none per host or per server: compute
services, hypervisors with details, aggregates, and servers with details
across all projects, paginated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils.api_list import list_json

# 2.87 is the last microversion whose hypervisor details carry the resource
# tracker's totals and usage (2.88 moved them to Placement only).
HYPERVISOR_MICROVERSION = "2.87"
SERVICE_MICROVERSION = "2.53"
SERVER_MICROVERSION = "2.96"
POWER_STATES = {0: "nostate", 1: "running", 3: "paused", 4: "shutdown", 6: "crashed", 7: "suspended"}


@dataclass
class Resource:
    total: int = 0
    used: int = 0

    @property
    def free(self) -> int:
        return self.total - self.used

    def to_dict(self) -> Dict[str, int]:
        return {"total": self.total, "used": self.used, "free": self.free}


@dataclass
class ComputeHost:
    name: str
    cloud: Optional[str] = None
    region: Optional[str] = None
    zone: Optional[str] = None
    aggregates: List[str] = field(default_factory=list)
    service: Dict[str, Any] = field(default_factory=dict)
    hypervisor: Dict[str, Any] = field(default_factory=dict)
    capacity: Dict[str, Resource] = field(default_factory=dict)
    servers: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        out["capacity"] = {k: v.to_dict() for k, v in self.capacity.items()}
        return out


@dataclass
class ServerSummary:
    id: str
    name: str
    project_id: Optional[str]
    status: Optional[str]
    power_state: Optional[str]
    task_state: Optional[str]
    host: Optional[str]
    flavor: Optional[str]
    locked: bool
    cloud: Optional[str] = None
    region: Optional[str] = None

    @classmethod
    def from_json(cls, s: Dict[str, Any], cloud: Optional[str], region: Optional[str]) -> "ServerSummary":
        flavor = s.get("flavor") or {}
        return cls(
            id=s["id"], name=s.get("name"), project_id=s.get("tenant_id"), status=s.get("status"),
            power_state=POWER_STATES.get(s.get("OS-EXT-STS:power_state"), str(s.get("OS-EXT-STS:power_state"))),
            task_state=s.get("OS-EXT-STS:task_state"), host=s.get("OS-EXT-SRV-ATTR:host"),
            flavor=flavor.get("original_name") or flavor.get("id"), locked=bool(s.get("locked")),
            cloud=cloud, region=region)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class Fleet:
    hosts: Dict[str, ComputeHost] = field(default_factory=dict)
    servers: Dict[str, ServerSummary] = field(default_factory=dict)
    api_calls: int = 0

    def to_dict(self) -> Dict[str, Any]:
        return {"hosts": {n: h.to_dict() for n, h in sorted(self.hosts.items())},
                "servers": {i: s.to_dict() for i, s in sorted(self.servers.items())}}


def discover(conn: Any, cloud: Optional[str] = None, vms: bool = True, page_size: int = 1000) -> Fleet:
    """Read one cloud region's compute fleet."""
    region = getattr(conn.config, "region_name", None) if hasattr(conn, "config") else None
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
                     "updated_at": svc.get("updated_at")})
    hypervisors = list_json(compute, "/os-hypervisors/detail", "hypervisors", "list hypervisors",
                            HYPERVISOR_MICROVERSION, page_size=page_size, stats=stats)
    for hv in hypervisors:
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
    aggregates = list_json(compute, "/os-aggregates", "aggregates", "list aggregates", stats=stats)
    for agg in aggregates:
        for name in agg.get("hosts") or []:
            if name in fleet.hosts:
                fleet.hosts[name].aggregates.append(agg["name"])
                fleet.hosts[name].zone = fleet.hosts[name].zone or agg.get("availability_zone")
    if vms:
        servers = list_json(compute, "/servers/detail", "servers", "list servers", SERVER_MICROVERSION,
                            params={"all_tenants": 1}, page_size=page_size, stats=stats)
        for raw in servers:
            server = ServerSummary.from_json(raw, cloud, region)
            fleet.servers[server.id] = server
            if server.host in fleet.hosts:
                fleet.hosts[server.host].servers.append(server.id)
    fleet.api_calls = stats.get("requests", 0)
    return fleet
