# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The fleet snapshot and the access layer's request figures as Prometheus metrics.

Plain data in (a ``_fleet.model.Fleet``, ``_openstack.request_stats``
totals), metric families out; the exporter serves them, the alert rules in
``extensions/prometheus/rules/`` read them (docs/alerts.md lists both). Every
host series carries ``host`` (the Nova host name, as the hardware scan's
``host`` label) and ``zone`` where Nova or an aggregate names one.

Capacity is the scheduler's: (total - reserved) x allocation ratio, as
``_fleet.model.Resource`` computes it, and a zone's free fraction counts only
the hosts a server can land on now (service enabled and up, hypervisor up):
a disabled or dead host's free room is no room.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.exposition import Family
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window, remediation_state
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.model import ComputeHost, Fleet
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.request_stats import ServiceStats

#: the resource classes exported per host and as a zone's free fraction
RESOURCES = ("vcpus", "memory_mb")
MARKERS = ("maintenance", "remediation", "none")
#: the name each is exported under, and its unit suffix (Prometheus' base units: bytes, not MB)
_UNITS = {"vcpus": ("vcpus", ""), "memory_mb": ("memory", "_bytes")}
_FACTOR = {"vcpus": 1, "memory_mb": 1024 * 1024}


def marker_of(disabled_reason: Optional[str]) -> str:
    """Which of our marks a compute service's disabled reason carries: maintenance, remediation or none."""
    if maintenance_window(disabled_reason) is not None:
        return "maintenance"
    if remediation_state(disabled_reason) is not None:
        return "remediation"
    return "none"


def in_pool(host: ComputeHost) -> bool:
    """Whether the scheduler can place a server on the host now."""
    return (host.service.get("status") == "enabled" and host.service.get("state") == "up"
            and host.hypervisor.get("state", "up") == "up")


def fleet_families(fleet: Fleet) -> List[Family]:
    """Per host: service up/enabled/disabled-with-marker, hypervisor up, capacity, servers; per zone and
    for the whole fleet: the free fraction of each resource in the pool."""
    up = Family("osfleet_compute_service_up", "gauge", "1 if Nova reports the host's nova-compute service up")
    enabled = Family("osfleet_compute_service_enabled", "gauge", "1 if the nova-compute service is enabled")
    disabled = Family("osfleet_compute_service_disabled", "gauge",
                      "1 if the nova-compute service is disabled; marker says which osfleet mark its reason "
                      "carries (maintenance, remediation) or none")
    forced = Family("osfleet_compute_service_forced_down", "gauge", "1 if the service is forced down")
    hv_up = Family("osfleet_hypervisor_up", "gauge", "1 if Nova reports the host's hypervisor up")
    servers = Family("osfleet_host_servers", "gauge", "Servers on the host")
    per_resource: Dict[str, Tuple[Family, Family, Family]] = {}
    for res in RESOURCES:
        what, unit = _UNITS[res]
        per_resource[res] = (
            Family("osfleet_host_%s%s" % (what, unit), "gauge", "The host's %s as the hypervisor reports it" % what),
            Family("osfleet_host_%s_used%s" % (what, unit), "gauge", "%s used on the host" % what),
            Family("osfleet_host_%s_capacity%s" % (what, unit), "gauge",
                   "%s the scheduler may place on the host: (total - reserved) x allocation ratio" % what))
    pool: Dict[Optional[str], Dict[str, List[int]]] = {}
    pool_hosts: Dict[Optional[str], int] = {}
    for name, host in sorted(fleet.hosts.items()):
        labels = {"host": name, "zone": host.zone or None}
        svc = host.service
        if svc:
            up.add(1 if svc.get("state") == "up" else 0, **labels)
            is_enabled = svc.get("status") == "enabled"
            enabled.add(1 if is_enabled else 0, **labels)
            disabled.add(0 if is_enabled else 1, marker=marker_of(svc.get("disabled_reason")), **labels)
            forced.add(1 if svc.get("forced_down") else 0, **labels)
        if host.hypervisor:
            hv_up.add(1 if host.hypervisor.get("state") == "up" else 0, **labels)
            count = len(host.servers) if fleet.servers else host.hypervisor.get("running_vms")
            if count is not None:
                servers.add(int(count), **labels)
        for res in RESOURCES:
            r = host.capacity.get(res)
            if r is None:
                continue
            total, used, capacity = per_resource[res]
            factor = _FACTOR[res]
            total.add(r.total * factor, **labels)
            used.add(r.used * factor, **labels)
            capacity.add(r.capacity * factor, **labels)
        if svc and host.hypervisor and in_pool(host):
            pool_hosts[host.zone] = pool_hosts.get(host.zone, 0) + 1
            zone = pool.setdefault(host.zone, {res: [0, 0] for res in RESOURCES})
            for res in RESOURCES:
                r = host.capacity.get(res)
                if r is not None:
                    zone[res][0] += max(0, r.capacity)
                    zone[res][1] += max(0, r.free)
    families = [up, enabled, disabled, forced, hv_up, servers]
    for res in RESOURCES:
        families += list(per_resource[res])
    families += _free_families(fleet, pool, pool_hosts)
    return families


def _free_families(fleet: Fleet, pool: Dict[Optional[str], Dict[str, List[int]]],
                   pool_hosts: Dict[Optional[str], int]) -> List[Family]:
    zone_free = Family("osfleet_zone_capacity_free_ratio", "gauge",
                       "Free fraction of the zone's schedulable capacity, over the hosts in the pool "
                       "(service enabled and up, hypervisor up); 0 when the zone has no host in the pool")
    zone_hosts = Family("osfleet_zone_pool_hosts", "gauge", "Hosts of the zone in the pool, of all its hosts")
    fleet_free = Family("osfleet_fleet_capacity_free_ratio", "gauge",
                        "Free fraction of the region's schedulable capacity over the hosts in the pool")
    zones = sorted({h.zone for h in fleet.hosts.values() if h.zone and h.service})
    for zone in zones:
        for res in RESOURCES:
            capacity, free = pool.get(zone, {}).get(res, [0, 0])
            zone_free.add(free / capacity if capacity > 0 else 0.0, zone=zone, resource=_UNITS[res][0])
        zone_hosts.add(pool_hosts.get(zone, 0), zone=zone, state="in_pool")
        zone_hosts.add(sum(1 for h in fleet.hosts.values() if h.zone == zone and h.service), zone=zone, state="all")
    if any(h.service for h in fleet.hosts.values()):
        for res in RESOURCES:
            capacity = sum(z[res][0] for z in pool.values())
            free = sum(z[res][1] for z in pool.values())
            fleet_free.add(free / capacity if capacity > 0 else 0.0, resource=_UNITS[res][0])
    return [zone_free, zone_hosts, fleet_free]


def request_families(services: Dict[str, ServiceStats]) -> List[Family]:
    """The access layer's requests per OpenStack service type, since the exporter started."""
    duration = Family("osfleet_openstack_request_duration_seconds", "summary",
                      "Time to the answer of the exporter's OpenStack requests (every response, errors too)")
    slowest = Family("osfleet_openstack_request_last_max_seconds", "gauge",
                     "The slowest request to the service in the exporter's last cloud refresh")
    errors = Family("osfleet_openstack_request_errors_total", "counter",
                    "Answers with an HTTP status of 400 or more, by service and status class (4xx, 5xx)")
    for service, stats in sorted(services.items()):
        duration.add(stats.seconds, suffix="_sum", service=service)
        duration.add(stats.requests, suffix="_count", service=service)
        slowest.add(stats.last_max_seconds, service=service)
        for status_class in ("4xx", "5xx"):  # both always: a counter that appears at 1 shows no increase
            errors.add(stats.errors.get(status_class, 0), service=service, status_class=status_class)
    return [duration, slowest, errors]
