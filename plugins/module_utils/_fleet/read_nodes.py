# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Read a region's network and storage nodes through the access layer.

One listing each: Neutron's agents; Cinder's services and its scheduler's
pools. Neutron has no listing of which routers every L3 agent hosts or which
networks every DHCP agent serves, so those are one call per L3 and per DHCP
agent (not per L2 agent), made a few at a time (:data:`BINDING_WORKERS`).

These parts are added to the compute fleet, never in its way: a catalog
without Neutron or Cinder, or a listing the service refuses (HTTP 403, a
Neutron without the agent extension), leaves that part empty with a warning
naming the call, and the rest of the fleet is returned.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.nodes import (
    DHCP_AGENT,
    L3_AGENT,
    NetworkNode,
    StorageNode,
    network_nodes,
    storage_nodes,
)

#: agent binding calls in flight at once: enough to hide latency, few enough not to load Neutron's API
BINDING_WORKERS = 4


def read_network_nodes(cloud: Any, warnings: List[str]) -> List[NetworkNode]:
    """Every host running a Neutron agent, L3 agents with their routers and DHCP agents with their networks."""
    if not _in_catalog(cloud, "network", "Neutron", warnings):
        return []
    try:
        agents = cloud.neutron.list_agents_json()
    except Day2Error as exc:
        warnings.append("%s: network nodes not read: %s" % (cloud.label, exc.message))
        return []
    nodes = network_nodes(agents, cloud.name, cloud.region)
    wanted: List[Tuple[Any, Callable[[str], list], str]] = []
    for node in nodes:
        for agent in node.agents:
            if agent.type == L3_AGENT:
                wanted.append((agent, cloud.neutron.list_agent_routers_json, "routers"))
            elif agent.type == DHCP_AGENT:
                wanted.append((agent, cloud.neutron.list_agent_networks_json, "networks"))
    if wanted:
        with ThreadPoolExecutor(max_workers=min(BINDING_WORKERS, len(wanted))) as pool:
            found = list(pool.map(lambda w: _bound_ids(w[1], w[0].id), wanted))
        failed: List[str] = []
        for (agent, _call, attr), (ids, error) in zip(wanted, found):
            setattr(agent, attr, ids)
            if error:
                failed.append(error)
        if failed:
            warnings.append("%s: what %d agent(s) serve not read (left null): %s"
                            % (cloud.label, len(failed), failed[0]))
    return nodes


def _bound_ids(call: Callable[[str], list], agent_id: str) -> Tuple[Optional[List[str]], Optional[str]]:
    try:
        return sorted(item["id"] for item in call(agent_id) if item.get("id")), None
    except Day2Error as exc:
        return None, exc.message


def read_storage_nodes(cloud: Any, warnings: List[str], notes: List[str]) -> List[StorageNode]:
    """Every host running cinder-volume or cinder-backup, with its services and its backends' pools."""
    if not _in_catalog(cloud, "block-storage", "Cinder", warnings):
        return []
    try:
        services = cloud.cinder.list_services_json()
    except Day2Error as exc:
        warnings.append("%s: storage nodes not read: %s" % (cloud.label, exc.message))
        return []
    try:
        pools = cloud.cinder.list_pools_json()
    except Day2Error as exc:
        warnings.append("%s: storage pools not read: %s" % (cloud.label, exc.message))
        pools = []
    return storage_nodes(services, pools, cloud.name, cloud.region, notes)


def _in_catalog(cloud: Any, service_type: str, name: str, warnings: List[str]) -> bool:
    try:
        if cloud.has_service(service_type):
            return True
        reason = "the catalog has no %s (%s) endpoint" % (service_type, name)
    except Exception as exc:  # pylint: disable=broad-except  # keystoneauth's catalog lookup, authentication
        reason = "the catalog cannot be read: %s" % getattr(exc, "message", exc)
    warnings.append("%s: %s nodes not read: %s" % (cloud.label, "network" if service_type == "network"
                                                   else "storage", reason))
    return False
