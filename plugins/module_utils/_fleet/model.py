# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The fleet model: compute hosts, their capacity, and servers (network and storage nodes: ``nodes``)."""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.nodes import NetworkNode, StorageNode

try:
    import netaddr

    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()

POWER_STATES = {0: "nostate", 1: "running", 3: "paused", 4: "shutdown", 6: "crashed", 7: "suspended"}


@dataclass
class Resource:
    """One resource class of a host: what exists, what is used, what can still be placed."""

    total: int = 0
    used: int = 0
    reserved: int = 0
    allocation_ratio: float = 1.0

    @property
    def capacity(self) -> int:
        """What the scheduler may place: (total - reserved) x allocation ratio."""
        return int((self.total - self.reserved) * self.allocation_ratio)

    @property
    def free(self) -> int:
        return self.capacity - self.used

    def to_dict(self) -> Dict[str, Any]:
        return {"total": self.total, "used": self.used, "reserved": self.reserved,
                "allocation_ratio": self.allocation_ratio, "capacity": self.capacity, "free": self.free}


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
    maintenance: Optional[str] = None  # window name, see fleet_marks
    bmc: Optional[Dict[str, Any]] = None

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        out["capacity"] = {k: v.to_dict() for k, v in self.capacity.items()}
        return out


def normalise_addresses(addresses: Optional[Dict[str, List[Dict[str, Any]]]]) -> List[Dict[str, Any]]:
    """Nova's per-network address lists as one flat list of canonical addresses."""
    out = []
    for network, entries in sorted((addresses or {}).items()):
        for entry in entries or []:
            raw = entry.get("addr")
            if not raw:
                continue
            if HAS_NETADDR:
                ip = netaddr.IPAddress(raw)
                addr, version = str(ip), ip.version
            else:  # pragma: no cover
                addr, version = raw, entry.get("version")
            out.append({"network": network, "addr": addr, "version": version,
                        "type": entry.get("OS-EXT-IPS:type", "fixed"),
                        "mac": (entry.get("OS-EXT-IPS-MAC:mac_addr") or "").lower() or None})
    return out


def preferred_ip(addresses: List[Dict[str, Any]]) -> Optional[str]:
    """Floating IPv4, else fixed IPv4, else floating/fixed IPv6 (like openstack.cloud's interface_ip)."""
    for kind, version in (("floating", 4), ("fixed", 4), ("floating", 6), ("fixed", 6)):
        for a in addresses:
            if a.get("type") == kind and a.get("version") == version:
                return a["addr"]
    return None


@dataclass
class Server:
    id: str
    name: str
    project_id: Optional[str]
    status: Optional[str]
    power_state: Optional[str]
    task_state: Optional[str]
    vm_state: Optional[str]
    host: Optional[str]
    zone: Optional[str]
    flavor: Optional[str]
    image: Optional[str]
    locked: bool
    addresses: List[Dict[str, Any]] = field(default_factory=list)
    volumes: List[str] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)
    tags: List[str] = field(default_factory=list)
    server_groups: List[str] = field(default_factory=list)
    project_name: Optional[str] = None
    quarantine: Optional[str] = None  # case id, see fleet_marks
    cloud: Optional[str] = None
    region: Optional[str] = None

    @classmethod
    def from_json(cls, s: Dict[str, Any], cloud: Optional[str], region: Optional[str]) -> "Server":
        flavor = s.get("flavor") or {}
        image = s.get("image") or {}
        power = s.get("OS-EXT-STS:power_state")
        return cls(
            id=s["id"], name=s.get("name"), project_id=s.get("tenant_id"), status=s.get("status"),
            power_state=POWER_STATES.get(power, None if power is None else str(power)),
            task_state=s.get("OS-EXT-STS:task_state"), vm_state=s.get("OS-EXT-STS:vm_state"),
            host=s.get("OS-EXT-SRV-ATTR:host"), zone=s.get("OS-EXT-AZ:availability_zone"),
            flavor=flavor.get("original_name") or flavor.get("id"),
            image=image.get("id") if isinstance(image, dict) else None,
            locked=bool(s.get("locked")),
            addresses=normalise_addresses(s.get("addresses")),
            volumes=[v["id"] for v in s.get("os-extended-volumes:volumes_attached") or []],
            metadata=dict(s.get("metadata") or {}), tags=list(s.get("tags") or []),
            cloud=cloud, region=region)

    @property
    def preferred_ip(self) -> Optional[str]:
        return preferred_ip(self.addresses)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class Fleet:
    hosts: Dict[str, ComputeHost] = field(default_factory=dict)
    servers: Dict[str, Server] = field(default_factory=dict)
    projects: Dict[str, str] = field(default_factory=dict)
    network_nodes: List[NetworkNode] = field(default_factory=list)
    storage_nodes: List[StorageNode] = field(default_factory=list)
    api_calls: int = 0
    warnings: List[str] = field(default_factory=list)  # for the operator: something was not read
    notes: List[str] = field(default_factory=list)  # for -v: something read was left out, and why

    def to_dict(self) -> Dict[str, Any]:
        return {"hosts": {n: h.to_dict() for n, h in sorted(self.hosts.items())},
                "servers": {i: s.to_dict() for i, s in sorted(self.servers.items())},
                "network_nodes": [n.to_dict() for n in self.network_nodes],
                "storage_nodes": [n.to_dict() for n in self.storage_nodes],
                "api_calls": self.api_calls, "warnings": list(self.warnings), "notes": list(self.notes)}
