# -*- coding: utf-8 -*-
"""A fleet of N compute hosts as Nova, Placement and Keystone list it (recorded shapes), for the exporter's tests.

Served over the stubbed cloud with ``fake_api_http.serve_adapter``, so the
exporter runs the real access layer, fleet discovery and request stats.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.json_response import Response


def host_name(i: int) -> str:
    return "compute-%04d" % i


class FleetApi:
    """``hosts`` compute hosts in ``zones`` zones; ``services`` overrides per host (status, state, reason)."""

    def __init__(self, hosts: int = 4, zones: int = 2, services: Optional[Dict[str, Dict[str, Any]]] = None,
                 vcpus: int = 32, vcpus_used: int = 8, memory_mb: int = 131072, memory_mb_used: int = 32768) -> None:
        self.names = [host_name(i) for i in range(1, hosts + 1)]
        self.zones = {n: "az%d" % (1 + i % zones) for i, n in enumerate(self.names)}
        self.overrides = services or {}
        self.sizes = dict(vcpus=vcpus, vcpus_used=vcpus_used, memory_mb=memory_mb, memory_mb_used=memory_mb_used)
        self.fail: Dict[str, int] = {}  # path -> HTTP status to answer instead
        self.requests: List[str] = []
        self._bodies = self._build()

    def _build(self) -> Dict[str, Any]:
        services, hypervisors, providers = [], [], []
        for i, name in enumerate(self.names):
            svc = {"id": "svc-%d" % i, "binary": "nova-compute", "host": name, "zone": self.zones[name],
                   "status": "enabled", "state": "up", "disabled_reason": None, "forced_down": False,
                   "updated_at": "2026-12-02T15:00:00.000000"}
            svc.update(self.overrides.get(name, {}))
            services.append(svc)
            state = svc["state"]
            hypervisors.append({
                "id": "rp-%d" % i, "hypervisor_hostname": name + ".lab", "service": {"host": name, "id": svc["id"]},
                "hypervisor_type": "QEMU", "hypervisor_version": 8002000, "state": state, "status": svc["status"],
                "running_vms": i % 5, "host_ip": "10.0.%d.%d" % (i // 250, i % 250 + 1),
                "vcpus": self.sizes["vcpus"], "vcpus_used": self.sizes["vcpus_used"],
                "memory_mb": self.sizes["memory_mb"], "memory_mb_used": self.sizes["memory_mb_used"],
                "local_gb": 1000, "local_gb_used": 100})
            providers.append({"uuid": "rp-%d" % i, "name": name + ".lab", "generation": 1})
        return {"/os-services": {"services": services}, "/os-hypervisors/detail": {"hypervisors": hypervisors},
                "/os-aggregates": {"aggregates": []}, "/resource_providers": {"resource_providers": providers}}

    def get(self, path: str, params: Optional[Dict[str, Any]] = None, microversion: Optional[str] = None,
            headers: Any = None, raise_exc: bool = True) -> Response:
        self.requests.append(path)
        if path in self.fail:
            return Response(self.fail[path], {"computeFault": {"code": self.fail[path], "message": "stub failure"}})
        if path in self._bodies:
            return Response(200, self._bodies[path])
        if path.startswith("/resource_providers/") and path.endswith("/inventories"):
            return Response(200, {"resource_provider_generation": 1, "inventories": {
                "VCPU": {"total": self.sizes["vcpus"], "reserved": 0, "allocation_ratio": 2.0},
                "MEMORY_MB": {"total": self.sizes["memory_mb"], "reserved": 0, "allocation_ratio": 1.0}}})
        return Response(404, {"itemNotFound": {"code": 404, "message": "no such path %s" % path}})
