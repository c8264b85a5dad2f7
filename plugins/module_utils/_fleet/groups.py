# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""From fleet snapshots to inventory entries: names, groups and host variables.

Kept apart from the inventory plugin so that naming and grouping are plain
functions, tested without an Ansible inventory.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, Iterator, List

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.model import preferred_ip


def _hypervisor_groups(host: Dict[str, Any], group: Callable[[str], str]) -> List[str]:
    groups = ["hypervisors"]
    service = host.get("service") or {}
    hypervisor = host.get("hypervisor") or {}
    if host.get("zone"):
        groups.append(group("az_" + host["zone"]))
    groups += [group("aggregate_" + a) for a in host.get("aggregates") or []]
    if service.get("status") == "enabled":
        groups.append("compute_enabled")
    elif service.get("status") == "disabled":
        groups.append("compute_disabled")
    if "down" in (service.get("state"), hypervisor.get("state")) or service.get("forced_down"):
        groups.append("hypervisor_down")
    if host.get("maintenance") is not None:
        groups.append("in_maintenance")
    return groups + _place_groups(host, group)


def _place_groups(item: Dict[str, Any], group: Callable[[str], str]) -> List[str]:
    out = []
    if item.get("cloud"):
        out.append(group("cloud_" + item["cloud"]))
    if item.get("region"):
        out.append(group("region_" + item["region"]))
    return out


def _vm_groups(server: Dict[str, Any], host_names: Dict[Any, str], group: Callable[[str], str]) -> List[str]:
    groups = ["vms"]
    if server.get("zone"):
        groups.append(group("az_" + server["zone"]))
    if server.get("project_name") or server.get("project_id"):
        groups.append(group("project_" + (server.get("project_name") or server["project_id"])))
    if server.get("quarantine") is not None:
        groups.append("quarantined")
    host_name = host_names.get((server.get("cloud"), server.get("region"), server.get("host")))
    if host_name:
        groups.append(group("vms_on_" + host_name))
    return groups + _place_groups(server, group)


def _node_groups(network: Dict[str, Any], storage: Dict[str, Any]) -> List[str]:
    """The groups a host gets from its Neutron agents and Cinder services (no ``az_``: those are Nova's zones)."""
    groups = []
    if network.get("network_node"):
        groups.append("network_nodes")
    if any(not agent.get("alive") for agent in network.get("agents") or []):
        groups.append("agent_down")
    if storage:
        groups.append("storage_nodes")
    if any(service.get("state") == "down" for service in storage.get("services") or []):
        groups.append("storage_down")
    return groups


def _add_nodes(snap: Dict[str, Any], entries: Dict[Any, Dict[str, Any]], taken: set,
               group: Callable[[str], str], bmcs: Dict[str, Dict[str, Any]]) -> None:
    """Put the snapshot's network and storage nodes into ``entries`` ((cloud, region, host) -> entry).

    A host already there (a compute host running agents, a network node that is a storage node too) stays
    one entry and gets ``fleet_network`` / ``fleet_storage``; a new one is named as hypervisors are, and its
    ``fleet.bmc`` is the map's entry (``bmcs``), else Ironic's.
    """
    for kind, nodes in (("network", snap.get("network_nodes") or []), ("storage", snap.get("storage_nodes") or [])):
        for node in nodes:
            key = (node.get("cloud"), node.get("region"), node["name"])
            entry = entries.get(key)
            if entry is None:
                inv_name = node["name"]
                if inv_name in taken:
                    inv_name = "%s_%s_%s" % (node.get("cloud") or "cloud", node.get("region") or "region", node["name"])
                taken.add(inv_name)
                fleet = dict(node)
                fleet["bmc"] = bmcs.get(node["name"]) or node.get("bmc")  # as a hypervisor's: the map first
                entry = entries[key] = {"name": inv_name, "groups": _place_groups(node, group),
                                        "hostvars": {"fleet_kind": kind, "fleet": fleet, "fleet_kinds": []}}
            entry["hostvars"]["fleet_kinds"].append(kind)
            entry["hostvars"]["fleet_" + kind] = node
    for entry in entries.values():
        hostvars = entry["hostvars"]
        extra = _node_groups(hostvars.get("fleet_network") or {}, hostvars.get("fleet_storage") or {})
        entry["groups"] += [g for g in extra if g not in entry["groups"]]


def plan_inventory(results: List[Dict[str, Any]], bmcs: Dict[str, Dict[str, Any]],
                   group: Callable[[str], str]) -> Iterator[Dict[str, Any]]:
    """Yield {name, groups, hostvars} for every hypervisor, network and storage node, then every server.

    ``results`` are ``Fleet.to_dict()`` snapshots, one per cloud region;
    ``group`` sanitises a group name (the plugin's ``_sanitize_group_name``).
    A host is one entry whatever it runs: ``fleet_kinds`` lists its kinds
    (``hypervisor``, ``network``, ``storage``), ``fleet_kind`` and ``fleet``
    are its first, and ``fleet_network`` / ``fleet_storage`` its agents and
    volume services.
    """
    taken = set()
    host_names: Dict[Any, str] = {}
    for snap in results:
        entries: Dict[Any, Dict[str, Any]] = {}
        for name, host in sorted(snap["hosts"].items()):
            inv_name = name
            if inv_name in taken:
                inv_name = "%s_%s_%s" % (host.get("cloud") or "cloud", host.get("region") or "region", name)
            taken.add(inv_name)
            host_names[(host.get("cloud"), host.get("region"), name)] = inv_name
            fleet = dict(host)
            fleet["bmc"] = bmcs.get(name) or host.get("bmc")  # the map file first, then what Ironic said
            hostvars = {"fleet_kind": "hypervisor", "fleet": fleet, "fleet_kinds": ["hypervisor"]}
            ip = (host.get("hypervisor") or {}).get("host_ip")
            if ip:
                hostvars["ansible_host"] = ip
            entries[(host.get("cloud"), host.get("region"), name)] = {
                "name": inv_name, "groups": _hypervisor_groups(host, group), "hostvars": hostvars}
        _add_nodes(snap, entries, taken, group, bmcs)
        yield from entries.values()
    names = Counter(s.get("name") for snap in results for s in snap["servers"].values())
    for snap in results:
        for sid, server in sorted(snap["servers"].items()):
            name = server.get("name")
            inv_name = name if name and names[name] == 1 and name not in taken else sid
            taken.add(inv_name)
            hostvars = {"fleet_kind": "vm", "fleet": server}
            ip = preferred_ip(server.get("addresses") or [])
            if ip:
                hostvars["ansible_host"] = ip
            yield {"name": inv_name, "groups": _vm_groups(server, host_names, group), "hostvars": hostvars}
