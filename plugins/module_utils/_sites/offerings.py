# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What a site offers its users: flavors, images, networks, availability zones, default quotas, services.

This is the half of a site snapshot that the "copy production to the new site" scan
compares (``compare.py``): a user moving a workload needs the same flavor names with
the same sizes, the same images, networks and zones, and quotas no smaller.

Every category is one listing per service (never a call per flavor or network), read
through the access layer. A category the site refuses (a policy, a service missing
from the catalog) is ``None`` with its reason under ``errors``: missing data must not
look like "this site has none", or the comparison would report "nothing lacking".

The shape (``offerings`` of a site snapshot)::

    {"flavors": [{"name", "vcpus", "ram", "disk", "ephemeral", "swap", "is_public",
                  "extra_specs": {key: value}}],
     "images": [{"name", "checksum", "os_hash_algo", "os_hash_value", "disk_format",
                 "container_format", "visibility", "os_distro", "os_version", "min_disk", "min_ram"}],
     "networks": [{"name", "external", "shared", "provider_network_type", "mtu",
                   "subnets": [{"name", "cidr", "gateway_ip", "enable_dhcp", "ip_version"}]}],
     "availability_zones": {"compute": [name], "volume": [name], "network": [name]},
     "quotas": {"compute": {resource: limit}, "volume": {resource: limit}, "network": {resource: limit}},
     "service_types": [type],
     "errors": {"<category>" or "<category>.<service>": "<message>"}}

``flavors``, ``images``, ``networks`` and ``service_types`` are lists sorted by name
(``None`` when unreadable); ``networks`` are the shared and external ones (every
project's own networks are workloads, not offerings, and an admin sees all of them); in ``availability_zones`` and ``quotas`` each service's
entry is ``None`` on its own when that service could not be read or is not in the
catalog. Zones are those the service reports available. Ids, URLs, timestamps,
project ids and counts are left out on purpose: they differ between any two sites.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error

#: image visibilities every project of a site sees (private and shared ones are a project's own)
VISIBILITIES = ("public", "community")
#: the image properties compared between sites (Glance keeps custom properties at the top level)
IMAGE_FIELDS = ("checksum", "os_hash_algo", "os_hash_value", "disk_format", "container_format", "visibility",
                "os_distro", "os_version", "min_disk", "min_ram")
#: quota keys that are not limits (Nova's class set carries its ``id``)
QUOTA_NOT_LIMITS = ("id", "project_id", "tenant_id")
#: the catalog type each zone and quota service needs
SERVICE_TYPES = {"compute": ("compute",), "volume": ("block-storage", "volumev3", "volume"), "network": ("network",)}


def read_offerings(cloud: Any) -> Dict[str, Any]:
    """The offerings of the region ``cloud`` (an access-layer ``Cloud``) is connected to; see the module docstring."""
    errors: Dict[str, str] = {}
    service_types = _read(errors, "service_types", cloud.catalog_service_types)
    present = _present(service_types)
    out: Dict[str, Any] = {
        "flavors": _read(errors, "flavors", lambda: _flavors(cloud), needs="compute", present=present),
        "images": _read(errors, "images", lambda: _images(cloud), needs="image", present=present),
        "networks": _read(errors, "networks", lambda: _networks(cloud), needs="network", present=present),
        "availability_zones": {
            "compute": _read(errors, "availability_zones.compute", lambda: _zones(cloud.nova.list_availability_zones_json()),
                             needs="compute", present=present),
            "volume": _read(errors, "availability_zones.volume", lambda: _zones(cloud.cinder.list_availability_zones_json()),
                            needs="volume", present=present),
            "network": _read(errors, "availability_zones.network", lambda: _network_zones(cloud),
                             needs="network", present=present),
        },
        "quotas": {
            "compute": _read(errors, "quotas.compute", lambda: _limits(cloud.nova.default_quotas_json()),
                             needs="compute", present=present),
            "volume": _read(errors, "quotas.volume", lambda: _limits(cloud.cinder.default_quotas_json()),
                            needs="volume", present=present),
            "network": _read(errors, "quotas.network", lambda: _limits(cloud.neutron.default_quotas_json(cloud.project_id)),
                             needs="network", present=present),
        },
        "service_types": service_types,
        "errors": errors,
    }
    return out


def _present(service_types: Optional[List[str]]) -> Optional[set]:
    return None if service_types is None else set(service_types)


def _read(errors: Dict[str, str], name: str, read: Callable[[], Any], needs: Optional[str] = None,
          present: Optional[set] = None) -> Any:
    """``read()``, or None with the reason in ``errors``: a category not read is unknown, not empty."""
    if needs and present is not None:
        types = SERVICE_TYPES.get(needs, (needs,))
        if not present.intersection(types):
            errors[name] = "the catalog has no %s service" % "/".join(types)
            return None
    try:
        return read()
    except Day2Error as exc:
        errors[name] = exc.message
        return None


def _flavors(cloud: Any) -> List[Dict[str, Any]]:
    found = []
    for raw in cloud.nova.list_flavors_json():
        found.append({
            "name": raw.get("name"), "vcpus": raw.get("vcpus"), "ram": raw.get("ram"), "disk": raw.get("disk"),
            "ephemeral": raw.get("OS-FLV-EXT-DATA:ephemeral", raw.get("ephemeral", 0)),
            # Nova writes "no swap" as the empty string
            "swap": raw.get("swap") or 0,
            "is_public": raw.get("os-flavor-access:is_public", raw.get("is_public")),
            "extra_specs": dict(raw.get("extra_specs") or {}),
        })
    return sorted(found, key=lambda f: str(f["name"]))


def _images(cloud: Any) -> List[Dict[str, Any]]:
    seen = set()
    found = []
    for visibility in VISIBILITIES:
        for raw in cloud.glance.list_images_visible_json(visibility):
            if raw.get("id") in seen:
                continue
            seen.add(raw.get("id"))
            entry = {"name": raw.get("name")}
            entry.update({key: raw.get(key) for key in IMAGE_FIELDS})
            found.append(entry)
    return sorted(found, key=lambda i: (str(i["name"]), str(i.get("os_hash_value") or i.get("checksum") or "")))


def _networks(cloud: Any) -> List[Dict[str, Any]]:
    subnets: Dict[str, List[Dict[str, Any]]] = {}
    for raw in cloud.neutron.list_subnets_json():
        subnets.setdefault(raw.get("network_id"), []).append({
            "name": raw.get("name"), "cidr": raw.get("cidr"), "gateway_ip": raw.get("gateway_ip"),
            "enable_dhcp": raw.get("enable_dhcp"), "ip_version": raw.get("ip_version")})
    found = []
    for raw in cloud.neutron.list_networks_json():
        if not (raw.get("shared") or raw.get("router:external")):
            continue  # a project's own network is a workload, not something the site offers every user
        found.append({
            "name": raw.get("name"), "external": raw.get("router:external"), "shared": raw.get("shared"),
            "provider_network_type": raw.get("provider:network_type"), "mtu": raw.get("mtu"),
            "subnets": sorted(subnets.get(raw.get("id"), []), key=lambda s: (str(s["name"]), str(s["cidr"])))})
    return sorted(found, key=lambda n: str(n["name"]))


def _zones(raw: List[Dict[str, Any]]) -> List[str]:
    """Nova's and Cinder's zones: those their ``zoneState`` says are available."""
    return sorted({str(z.get("zoneName")) for z in raw
                   if z.get("zoneName") and (z.get("zoneState") or {}).get("available", True)})


def _network_zones(cloud: Any) -> List[str]:
    return sorted({str(z.get("name")) for z in cloud.neutron.list_availability_zones_json()
                   if z.get("name") and z.get("state", "available") == "available"})


def _limits(raw: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in sorted(raw.items()) if key not in QUOTA_NOT_LIMITS}
