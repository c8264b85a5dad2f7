# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Network and storage nodes: the hosts that run Neutron agents and Cinder volume/backup services.

Built from the raw listings (Neutron's agents, Cinder's services and
scheduler pools) by plain functions, so the rules (what makes a network node,
when a node is down) are tested without a cloud.

A node's ``state`` reads ``disabled`` when an operator disabled everything it
runs (all agents ``admin_state_up`` false; all its services disabled), else
``down`` when something it runs is dead (an agent not alive; a
cinder-volume service down), else ``up``: a host taken out on purpose is not
an outage, and what is dead on it still shows in each agent and service.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time, parse_time_or_none

#: Neutron ``agent_type`` -> role; the L2 ones are on every compute host and do not make a network node
ROLES = {
    "Open vSwitch agent": "l2",
    "Linux bridge agent": "l2",
    "NIC Switch agent": "l2",
    "MacVTap agent": "l2",
    "DHCP agent": "dhcp",
    "L3 agent": "l3",
    "Metadata agent": "metadata",
    "OVN Metadata agent": "metadata",
}
L3_AGENT = "L3 agent"
DHCP_AGENT = "DHCP agent"
#: the Cinder services that make a storage node (the scheduler and the API do not)
STORAGE_BINARIES = ("cinder-volume", "cinder-backup")
#: what Cinder reports for a capacity it cannot give as a number
CAPACITY_WORDS = ("infinite", "unknown")


def iso_utc(value: Any) -> Optional[str]:
    """An OpenStack time (``2026-12-03 10:00:01``, naive UTC, or ISO 8601) as ``YYYY-MM-DDTHH:MM:SSZ``; None if none."""
    when = parse_time_or_none(value)
    return format_time(when) if when else None


@dataclass
class Agent:
    id: str
    type: Optional[str]
    binary: Optional[str]
    alive: bool
    admin_state_up: bool
    heartbeat: Optional[str]
    started: Optional[str]
    zone: Optional[str]
    routers: Optional[List[str]] = None  # L3 agents only
    networks: Optional[List[str]] = None  # DHCP agents only

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> "Agent":
        return cls(id=raw.get("id"), type=raw.get("agent_type"), binary=raw.get("binary"),
                   alive=bool(raw.get("alive")), admin_state_up=bool(raw.get("admin_state_up")),
                   heartbeat=iso_utc(raw.get("heartbeat_timestamp")), started=iso_utc(raw.get("started_at")),
                   zone=raw.get("availability_zone") or None)

    @property
    def role(self) -> str:
        return ROLES.get(self.type or "", "other")


def first_zone(items: List[Any]) -> Optional[str]:
    """A node's zone: the first, by name, of its agents' or services' zones (None when none has one)."""
    zones = sorted({i.zone for i in items if i.zone})
    return zones[0] if zones else None


@dataclass
class NetworkNode:
    name: str
    cloud: Optional[str] = None
    region: Optional[str] = None
    agents: List[Agent] = field(default_factory=list)
    #: its BMC (the map's entry or Ironic's, without credentials), as a compute host's
    bmc: Optional[Dict[str, Any]] = None

    @property
    def zone(self) -> Optional[str]:
        return first_zone(self.agents)

    @property
    def roles(self) -> List[str]:
        return sorted({a.role for a in self.agents})

    @property
    def network_node(self) -> bool:
        """True when the host runs more than L2 agents (a compute host with only its OVS agent is not one)."""
        return any(a.role != "l2" for a in self.agents)

    @property
    def state(self) -> str:
        if self.agents and not any(a.admin_state_up for a in self.agents):
            return "disabled"
        if any(not a.alive for a in self.agents):
            return "down"
        return "up"

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "cloud": self.cloud, "region": self.region, "zone": self.zone,
                "kind": "network", "network_node": self.network_node, "roles": self.roles, "state": self.state,
                "agents": [asdict(a) for a in self.agents], "bmc": self.bmc}


def network_nodes(agents: Iterable[Dict[str, Any]], cloud: Optional[str], region: Optional[str]) -> List[NetworkNode]:
    """One node per host of Neutron's agent listing, agents by type then id, nodes by name."""
    nodes: Dict[str, NetworkNode] = {}
    for raw in agents:
        host = raw.get("host")
        if not host:
            continue
        nodes.setdefault(host, NetworkNode(name=host, cloud=cloud, region=region)).agents.append(Agent.from_json(raw))
    for node in nodes.values():
        node.agents.sort(key=lambda a: (a.type or "", a.id or ""))
    return [nodes[name] for name in sorted(nodes)]


@dataclass
class StorageService:
    binary: Optional[str]
    host: Optional[str]
    backend: Optional[str]
    zone: Optional[str]
    state: Optional[str]
    status: Optional[str]
    updated_at: Optional[str]
    disabled_reason: Optional[str]

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> "StorageService":
        host = raw.get("host") or ""
        return cls(binary=raw.get("binary"), host=host or None, backend=host.partition("@")[2] or None,
                   zone=raw.get("zone"), state=raw.get("state"), status=raw.get("status"),
                   updated_at=iso_utc(raw.get("updated_at")), disabled_reason=raw.get("disabled_reason"))


@dataclass
class Pool:
    name: str
    backend: Optional[str]
    total_gb: Optional[float]
    free_gb: Optional[float]
    capacity_text: Optional[str]
    allocated_gb: Optional[float]
    provisioned_gb: Optional[float]
    reserved_percentage: Optional[float]
    thin_provisioning: bool
    max_over_subscription_ratio: Optional[float]
    over_subscription: Optional[float]

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> "Pool":
        """A pool of ``get_pools?detail=True``; its name is Cinder's ``host@backend#pool``, as volumes name it."""
        caps = raw.get("capabilities") or {}
        name = raw.get("name") or ""
        backend = name.partition("@")[2].partition("#")[0] or caps.get("volume_backend_name") or None
        total, free = _number(caps.get("total_capacity_gb")), _number(caps.get("free_capacity_gb"))
        text = next((str(caps[k]) for k in ("total_capacity_gb", "free_capacity_gb")
                     if str(caps.get(k)).strip().lower() in CAPACITY_WORDS), None)
        provisioned = _number(caps.get("provisioned_capacity_gb"))
        return cls(name=name, backend=backend, total_gb=total, free_gb=free, capacity_text=text,
                   allocated_gb=_number(caps.get("allocated_capacity_gb")), provisioned_gb=provisioned,
                   reserved_percentage=_number(caps.get("reserved_percentage")),
                   thin_provisioning=_true(caps.get("thin_provisioning_support")),
                   max_over_subscription_ratio=_number(caps.get("max_over_subscription_ratio")),
                   over_subscription=provisioned / total if provisioned is not None and total else None)


def _number(value: Any) -> Optional[float]:
    """Cinder's figures are numbers or strings ("20.0", "infinite", "unknown", "auto"): a float, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


@dataclass
class StorageNode:
    name: str
    cloud: Optional[str] = None
    region: Optional[str] = None
    services: List[StorageService] = field(default_factory=list)
    pools: List[Pool] = field(default_factory=list)
    bmc: Optional[Dict[str, Any]] = None

    @property
    def zone(self) -> Optional[str]:
        return first_zone(self.services)

    @property
    def state(self) -> str:
        if self.services and all(s.status == "disabled" for s in self.services):
            return "disabled"
        volume = [s for s in self.services if s.binary == "cinder-volume"] or self.services
        return "down" if any(s.state == "down" for s in volume) else "up"

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "cloud": self.cloud, "region": self.region, "zone": self.zone,
                "kind": "storage", "state": self.state, "services": [asdict(s) for s in self.services],
                "pools": [asdict(p) for p in self.pools], "bmc": self.bmc}


def storage_nodes(services: Iterable[Dict[str, Any]], pools: Iterable[Dict[str, Any]], cloud: Optional[str],
                  region: Optional[str], notes: Optional[List[str]] = None) -> List[StorageNode]:
    """One node per host (the part of a service's host before ``@``) of a cinder-volume or cinder-backup service.

    A pool goes to the node of its host; a pool whose host runs no such service
    is left out, with a note.
    """
    nodes: Dict[str, StorageNode] = {}
    for raw in services:
        if raw.get("binary") not in STORAGE_BINARIES or not raw.get("host"):
            continue
        name = raw["host"].partition("@")[0]
        nodes.setdefault(name, StorageNode(name=name, cloud=cloud, region=region)).services.append(
            StorageService.from_json(raw))
    for raw in pools:
        pool = Pool.from_json(raw)
        node = nodes.get(pool.name.partition("@")[0])
        if node is None:
            if notes is not None:
                notes.append("storage pool %s left out: its host runs no cinder-volume service" % pool.name)
            continue
        node.pools.append(pool)
    for node in nodes.values():
        node.services.sort(key=lambda s: (s.binary or "", s.host or ""))
        node.pools.sort(key=lambda p: p.name)
    return [nodes[name] for name in sorted(nodes)]
