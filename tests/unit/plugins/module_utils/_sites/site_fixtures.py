# -*- coding: utf-8 -*-
"""Site snapshots in the shape control_plane_info returns (docs/sites.md), written inline for the comparison and
the page: production, and a builder for sites that differ from it in the ways a new site does."""
from __future__ import annotations

import copy
from typing import Any, Dict

GENERATED_AT = "2026-12-03T10:00:00Z"


def endpoint(url: str, reachable: bool = True, p50: float = 3.1, p95: float = 5.0, errors: int = 0) -> Dict[str, Any]:
    return {"interface": "public", "url": url, "reachable": reachable,
            "latency_ms": {"p50": p50, "p95": p95} if reachable else None, "probes": 5, "errors": errors,
            "error": None if reachable else "connection refused"}


def service(kind: str, name: str, url: str, series=None, candidates=(), currency="unknown", health="up",
            version: Any = "v1", max_mv=None) -> Dict[str, Any]:
    if series:
        release = {"series": series, "candidates": [series], "confidence": "exact",
                   "evidence": "%s max microversion %s first appeared in %s" % (kind, max_mv, series)}
    elif candidates:
        release = {"series": None, "candidates": list(candidates), "confidence": "range",
                   "evidence": "%s API extensions are those of %s" % (kind, " and ".join(candidates))}
    else:
        release = {"series": None, "candidates": [], "confidence": "unknown", "evidence": "no microversion"}
    return {
        "type": kind, "name": name, "endpoints": [endpoint(url, reachable=health != "down")],
        "version": {"id": version, "status": "CURRENT", "min_microversion": "1.0" if max_mv else None,
                    "max_microversion": max_mv, "exact": None} if version else None,
        "release": release,
        "currency": {"status": currency, "current_series": "2025.1", "slurp_reach": "2025.1"},
        "round_trip": {"ok": health == "up", "call": "GET /", "status": 200 if health == "up" else 500,
                       "ms": 4.2, "error": None if health == "up" else "HTTP 500"},
        "health": health}


def production() -> Dict[str, Any]:
    return {
        "cloud": "prod", "region": "RegionOne", "ok": True, "error": None, "elapsed_seconds": 1.2,
        "services": [
            service("compute", "nova", "https://nova.prod.example:8774/v2.1", series="2025.1", currency="current",
                    version="v2.1", max_mv="2.100"),
            service("network", "neutron", "https://neutron.prod.example:9696", candidates=("2024.2", "2025.1"),
                    version="v2.0"),
            service("image", "glance", "https://glance.prod.example:9292", version="v2.17"),
            service("block-storage", "cinderv3", "https://cinder.prod.example:8776/v3", series="2025.1",
                    currency="current", version="v3.0", max_mv="3.71"),
        ],
        "agents": [
            {"service_type": "compute", "binary": "nova-compute", "host": "compute-01", "zone": "az1", "up": True,
             "enabled": True, "forced_down": False, "state": "up", "disabled_reason": None,
             "updated_at": "2026-12-03T09:59:00Z"}],
        "hypervisors": [{"host": "compute-01", "type": "QEMU", "version": "8.2.0"}],
        "offerings": {
            "flavors": [
                {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 0, "swap": 0, "is_public": True,
                 "extra_specs": {"hw:cpu_policy": "shared"}},
                {"name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80, "ephemeral": 0, "swap": 0, "is_public": True,
                 "extra_specs": {}},
                {"name": "gpu.a100", "vcpus": 16, "ram": 65536, "disk": 100, "ephemeral": 0, "swap": 0,
                 "is_public": False, "extra_specs": {"pci_passthrough:alias": "a100:1"}},
            ],
            "images": [
                {"name": "ubuntu-24.04", "checksum": "md5-u", "os_hash_algo": "sha512", "os_hash_value": "sha-ubuntu",
                 "disk_format": "qcow2", "container_format": "bare", "visibility": "public", "os_distro": "ubuntu",
                 "os_version": "24.04", "min_disk": 10, "min_ram": 0},
                {"name": "cirros", "checksum": "md5-c", "os_hash_algo": "sha512", "os_hash_value": "sha-cirros",
                 "disk_format": "raw", "container_format": "bare", "visibility": "community", "os_distro": None,
                 "os_version": None, "min_disk": 0, "min_ram": 0},
            ],
            "networks": [
                {"name": "public", "external": True, "shared": False, "provider_network_type": "flat", "mtu": 1500,
                 "subnets": [{"name": "public-v4", "cidr": "203.0.113.0/24", "gateway_ip": "203.0.113.1",
                              "enable_dhcp": False, "ip_version": 4}]},
                {"name": "shared-net", "external": False, "shared": True, "provider_network_type": "geneve",
                 "mtu": 1450, "subnets": [{"name": "shared-v4", "cidr": "10.0.0.0/22", "gateway_ip": "10.0.0.1",
                                           "enable_dhcp": True, "ip_version": 4}]},
            ],
            "availability_zones": {"compute": ["az1", "az2"], "volume": ["nova"], "network": ["nova"]},
            "quotas": {"compute": {"cores": 20, "instances": 10, "ram": 51200}, "volume": {"gigabytes": 1000, "volumes": 10},
                       "network": {"floatingip": 50, "port": 500}},
            "service_types": ["block-storage", "compute", "identity", "image", "network"],
            "errors": {},
        },
    }


def new_site() -> Dict[str, Any]:
    """Production copied to a new site, in another cloud with its own URLs, ids and addressing: identical."""
    site = copy.deepcopy(production())
    site["cloud"] = "edge"
    site["elapsed_seconds"] = 3.4
    for svc in site["services"]:
        for ep in svc["endpoints"]:
            ep["url"] = ep["url"].replace("prod", "edge")
            ep["latency_ms"] = {"p50": 40.2, "p95": 61.0}
    site["agents"][0].update(host="edge-compute-07", updated_at="2026-12-03T09:58:30Z")
    site["offerings"]["networks"][0]["subnets"][0].update(cidr="198.51.100.0/24", gateway_ip="198.51.100.1")
    return site


def drifted():
    """A new site that differs from production in one way per category."""
    site = new_site()
    offers = site["offerings"]
    offers["flavors"] = [f for f in offers["flavors"] if f["name"] != "gpu.a100"]          # a flavor lacking
    by_name(offers["flavors"], "m1.large")["ram"] = 4096                                 # different ram
    by_name(offers["flavors"], "m1.small")["extra_specs"]["hw:cpu_policy"] = "dedicated"  # a different extra spec
    by_name(offers["images"], "ubuntu-24.04")["os_hash_value"] = "sha-rebuilt"           # another build of the image
    offers["networks"] = [n for n in offers["networks"] if n["name"] != "shared-net"]      # a network missing
    offers["quotas"]["compute"]["cores"] = 8                                             # a quota different
    offers["availability_zones"]["compute"] = ["az1"]
    site["services"].append(service("load-balancer", "octavia", "https://lb.edge.example:9876", version="v2.0"))
    nova = by_name(site["services"], "compute")                                          # an older series
    nova["release"] = {"series": "2024.1", "candidates": ["2024.1"], "confidence": "exact", "evidence": "2.96"}
    nova["version"]["max_microversion"] = "2.96"
    nova["currency"]["status"] = "older"
    return site


def by_name(items, name):
    return next(i for i in items if i.get("name") == name or i.get("type") == name)
