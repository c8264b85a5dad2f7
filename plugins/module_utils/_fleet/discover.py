# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Discover a cloud's compute fleet: hosts with service, hypervisor, capacity
and aggregates, and (optionally) the servers on them.

A fixed handful of list calls per cloud region, whatever the number of
servers: compute services, hypervisors with details, aggregates, Placement
resource providers, servers with details across all projects (paginated),
projects and server groups. Only allocation ratios need one Placement call per
compute host. The calls do not depend on each other, so they are made at the
same time: a region takes as long as its slowest call (the server listing),
not the sum of them all.

With ``node_kinds`` naming ``network`` and ``storage``, the network and
storage nodes are read beside them (``read_nodes``): Neutron's agent listing
and one call per L3 or DHCP agent, Cinder's service and pool listings.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window, quarantine_case
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.model import (
    ComputeHost,
    Fleet,
    Resource,
    Server,
)
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.read_nodes import read_network_nodes, read_storage_nodes
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ironic_bmcs import read_ironic_bmcs

PLACEMENT_CLASSES = {"VCPU": "vcpus", "MEMORY_MB": "memory_mb", "DISK_GB": "disk_gb"}
NODE_KINDS = ("compute", "network", "storage")


def discover(cloud: Any, vms: bool = True, page_size: int = 1000, placement: bool = True, workers: int = 8,
             server_slices: int = 1, ironic: Optional[str] = None,
             node_kinds: Iterable[str] = ("compute",)) -> Fleet:
    """Read one cloud region's compute fleet (``cloud``: the access layer, ``_openstack.cloud.Cloud``).

    The listings are the access layer's raw JSON ones (the microversion of each,
    and why, is in ``_openstack/nova.py``). ``server_slices`` > 1 reads the
    server listing as that many concurrent slices, for a Nova with several API
    workers. ``ironic`` reads each host's BMC from Ironic's node listing:
    V(auto) when the catalog has a baremetal endpoint, a failure becoming a
    warning in ``fleet.warnings``; V(required) always, a failure raising.
    ``fleet.api_calls`` is every HTTP request the read made (authentication
    and version discovery on a fresh connection included), from the
    connection's own request counter.

    ``node_kinds`` (``compute``, ``network``, ``storage``) says which nodes to
    read; without ``compute`` no compute listing, Placement or Ironic call is
    made (``vms`` still reads the servers). A network or storage part that
    cannot be read is empty with a warning in ``fleet.warnings``.
    """
    kinds = set(node_kinds)
    compute = "compute" in kinds
    first = cloud.requests()  # before the first facade: making one may authenticate
    fleet = Fleet()
    with ThreadPoolExecutor(max_workers=max(4, workers)) as pool:
        # the slowest call first, so it is never queued behind the others
        if vms:
            servers = pool.submit(cloud.nova.list_servers_json, page_size, server_slices)
            projects = pool.submit(cloud.keystone.project_names)
            groups = pool.submit(_server_groups, cloud.nova)
        if "network" in kinds:
            network = pool.submit(read_network_nodes, cloud, fleet.warnings)
        if "storage" in kinds:
            storage = pool.submit(read_storage_nodes, cloud, fleet.warnings, fleet.notes)
        if compute:
            node_lists = ([network] if "network" in kinds else []) + ([storage] if "storage" in kinds else [])
            _read_compute(cloud, fleet, pool, page_size, placement, ironic, node_lists)
        if vms:
            _add_servers(fleet, servers.result(), projects.result(), groups.result(), cloud.name, cloud.region)
        if "network" in kinds:
            fleet.network_nodes = network.result()
        if "storage" in kinds:
            fleet.storage_nodes = storage.result()
    fleet.api_calls = cloud.requests() - first
    return fleet


def _read_compute(cloud: Any, fleet: Fleet, pool: Any, page_size: int, placement: bool,
                  ironic: Optional[str], node_lists: Iterable[Any] = ()) -> None:
    """The compute hosts: services, hypervisors, aggregates, Placement and (with ``ironic``) BMCs - of the
    compute hosts and of the network and storage nodes the ``node_lists`` futures will hold."""
    nova = cloud.nova
    services = pool.submit(nova.list_services_json)
    hypervisors = pool.submit(nova.list_hypervisors_json, page_size)
    aggregates = pool.submit(nova.list_aggregates_json)
    if placement:
        providers = pool.submit(cloud.placement.resource_providers_json)
    _add_services(fleet, services.result(), cloud.name, cloud.region)
    by_node_id = _add_hypervisors(fleet, hypervisors.result(), cloud.name, cloud.region)
    if ironic:
        bmcs = pool.submit(_read_ironic, cloud, fleet, ironic, list(node_lists))
    _add_aggregates(fleet, aggregates.result())
    if placement and by_node_id:
        _read_placement(cloud.placement, providers.result(), by_node_id, pool)
    if ironic:
        bmcs.result()


def _read_ironic(cloud: Any, fleet: Fleet, mode: str, node_lists: Iterable[Any] = ()) -> None:
    """Each host's BMC from Ironic (see ironic_bmcs): matched by host name, or by
    hypervisor hostname (a node UUID under Nova's ironic driver); then each network and storage
    node's that is no compute host, by its name (``node_lists``: futures of their lists, submitted
    before this, so waiting on them here cannot wait on this)."""
    label = cloud.label
    try:
        if not cloud.has_service("baremetal"):
            if mode == "auto":
                return
            raise CloudError("%s: bmc_source is ironic, but the catalog has no baremetal (Ironic) endpoint" % label,
                             call="find the baremetal endpoint", resource=label)
        by_name = {name: name for name in fleet.hosts}
        for name, host in fleet.hosts.items():
            hv_name = host.hypervisor.get("hostname")
            if hv_name and hv_name not in by_name:
                by_name[hv_name] = name
        nodes: Dict[str, List[Any]] = {}
        for future in node_lists:
            for node in future.result() or []:
                nodes.setdefault(node.name, []).append(node)
        for name in nodes:
            by_name.setdefault(name, name)
        skipped: List[Dict[str, Any]] = []
        found = read_ironic_bmcs(cloud.ironic, list(by_name), label, skipped=skipped)
    except Exception as exc:  # pylint: disable=broad-except  # the catalog lookup (keystoneauth) or the listing
        if mode != "auto":
            raise
        fleet.warnings.append("%s: BMCs not read from Ironic: %s" % (label, getattr(exc, "message", exc)))
        return
    for key, bmc in found.items():
        if by_name[key] in fleet.hosts:
            fleet.hosts[by_name[key]].bmc = bmc
        for node in nodes.get(by_name[key], []):
            node.bmc = dict(bmc)
    for note in skipped:
        fleet.notes.append("%s: Ironic node %s (%s) skipped: %s" % (label, note.get("node_name") or note.get("node"),
                                                                    note.get("node"), note.get("reason")))


def _add_services(fleet, services, cloud, region) -> None:
    for svc in services:
        fleet.hosts[svc["host"]] = ComputeHost(
            name=svc["host"], cloud=cloud, region=region, zone=svc.get("zone"),
            service={"id": svc.get("id"), "status": svc.get("status"), "state": svc.get("state"),
                     "disabled_reason": svc.get("disabled_reason"), "forced_down": bool(svc.get("forced_down")),
                     "updated_at": svc.get("updated_at")},
            maintenance=maintenance_window(svc.get("disabled_reason")))


def _add_aggregates(fleet, aggregates) -> None:
    for agg in aggregates:
        for name in agg.get("hosts") or []:
            if name in fleet.hosts:
                fleet.hosts[name].aggregates.append(agg["name"])
                fleet.hosts[name].zone = fleet.hosts[name].zone or agg.get("availability_zone")


def _add_hypervisors(fleet, hypervisors, cloud, region) -> Dict[str, ComputeHost]:
    by_node_id = {}
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
        if hv.get("id"):
            by_node_id[str(hv["id"])] = host
    return by_node_id


def _read_placement(placement: Any, providers, by_node_id: Dict[str, ComputeHost], pool) -> None:
    """Totals, reserved and allocation ratios from Placement (the scheduler's truth): one call per host,
    made at the same time (Placement has no listing of every provider's inventories)."""
    wanted = [p["uuid"] for p in providers if p["uuid"] in by_node_id]
    for uuid, inv in zip(wanted, pool.map(placement.inventories, wanted)):
        host = by_node_id[uuid]
        for rclass, key in PLACEMENT_CLASSES.items():
            if rclass not in inv:
                continue
            res = host.capacity.setdefault(key, Resource())
            res.total = int(inv[rclass].get("total", res.total))
            res.reserved = int(inv[rclass].get("reserved", 0))
            res.allocation_ratio = float(inv[rclass].get("allocation_ratio", 1.0))


def _add_servers(fleet: Fleet, servers, projects, groups, cloud, region) -> None:
    fleet.projects = projects
    for raw in servers:
        server = Server.from_json(raw, cloud, region)
        server.project_name = projects.get(server.project_id or "")
        server.server_groups = groups.get(server.id, [])
        server.quarantine = quarantine_case(server.tags, server.metadata)
        fleet.servers[server.id] = server
        if server.host in fleet.hosts:
            fleet.hosts[server.host].servers.append(server.id)


def _server_groups(nova: Any) -> Dict[str, List[str]]:
    members: Dict[str, List[str]] = {}
    for group in nova.list_server_groups_json():
        for member in group.get("members") or []:
            members.setdefault(member, []).append(group.get("name") or group["id"])
    return members
