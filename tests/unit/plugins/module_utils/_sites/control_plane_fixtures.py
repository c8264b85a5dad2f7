# -*- coding: utf-8 -*-
"""A stubbed cloud whose every service answers its round trip and lists its agents, and whose catalog can grow.

The answers are registered on the stub cloud (requests-mock under a real
openstacksdk connection): the code under test sends real HTTP through
keystoneauth, and a request nobody routed fails the test.
"""
from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    KEYSTONE,
    PROJECT_ID,
    TOKEN,
)

DNS = "http://dns.example.test:9001"
DNS_DOC = {"versions": {"values": [{"id": "v2", "status": "CURRENT",
                                    "links": [{"rel": "self", "href": DNS + "/v2"}]}]}}
NOVA_SERVICES = [
    {"id": "s1", "binary": "nova-compute", "host": "compute-01", "zone": "az1", "status": "enabled", "state": "up",
     "forced_down": False, "disabled_reason": None, "updated_at": "2026-12-03T10:00:00.000000"},
    # enabled but dead, and an operator said so
    {"id": "s2", "binary": "nova-compute", "host": "compute-02", "zone": "az1", "status": "enabled", "state": "down",
     "forced_down": True, "disabled_reason": None, "updated_at": "2026-12-03T09:00:00.000000"},
    # taken out by an operator, alive
    {"id": "s3", "binary": "nova-compute", "host": "compute-03", "zone": "az2", "status": "disabled", "state": "up",
     "forced_down": False, "disabled_reason": "maintenance", "updated_at": "2026-12-03T10:00:00.000000"},
    {"id": "s4", "binary": "nova-scheduler", "host": "ctl-01", "zone": "internal", "status": "enabled", "state": "up",
     "forced_down": False, "disabled_reason": None, "updated_at": "2026-12-03T10:00:00.000000"},
]
NEUTRON_AGENTS = [
    {"id": "a1", "binary": "neutron-openvswitch-agent", "host": "compute-01", "availability_zone": None,
     "alive": True, "admin_state_up": True, "heartbeat_timestamp": "2026-12-03 10:00:00"},
    {"id": "a2", "binary": "neutron-l3-agent", "host": "net-01", "availability_zone": "nova",
     "alive": False, "admin_state_up": True, "heartbeat_timestamp": "2026-12-03 08:00:00"},
]
CINDER_SERVICES = [
    {"binary": "cinder-volume", "host": "storage-01@lvm", "zone": "nova", "status": "enabled", "state": "up",
     "updated_at": "2026-12-03T10:00:00.000000", "disabled_reason": None},
]
CONDUCTORS = [{"hostname": "ctl-01", "conductor_group": "", "alive": True, "drivers": ["ipmi"],
               "created_at": "2026-12-01T00:00:00+00:00", "updated_at": "2026-12-03T10:00:00+00:00"}]
HYPERVISORS = [{"id": "h1", "hypervisor_hostname": "compute-01.example", "hypervisor_type": "QEMU",
                "hypervisor_version": 8002000, "service": {"host": "compute-01", "id": "s1"}, "state": "up"}]


def dns_service() -> Dict[str, Any]:
    """A catalog entry for Designate (a type the collection has no facade or round trip of its own for)."""
    return {"id": "svc-dns", "type": "dns", "name": "designate", "endpoints": [
        {"id": "ep-dns-%s" % i, "interface": i, "region": "RegionOne", "region_id": "RegionOne", "url": DNS}
        for i in ("public", "internal", "admin")]}


def serve_site(stub: Any) -> List[Dict[str, Any]]:
    """Route every round trip and listing; returns the list of extra catalog entries (append to grow the catalog)."""
    extra: List[Dict[str, Any]] = []

    def token(request, context):
        body = stub._token(request, context)  # pylint: disable=protected-access
        body["token"]["catalog"] = body["token"]["catalog"] + list(extra)
        return body

    stub.mocker.post(KEYSTONE + "/v3/auth/tokens", status_code=201, json=token,
                     headers={"X-Subject-Token": TOKEN, "x-openstack-request-id": "req-keystone-auth"})
    stub.route("GET", "compute", "/flavors", {"flavors": []})
    stub.route("GET", "network", "/networks", {"networks": []})
    stub.route("GET", "block-storage", "/types", {"volume_types": []})
    stub.route("GET", "image", "/images", {"images": []})
    stub.route("GET", "identity", "/projects/" + PROJECT_ID, {"project": {"id": PROJECT_ID}})
    stub.route("GET", "placement", "/resource_providers", {"resource_providers": []})
    stub.route("GET", "baremetal", "/nodes", {"nodes": []})
    stub.route("GET", "compute", "/os-services", {"services": NOVA_SERVICES})
    stub.route("GET", "network", "/agents", {"agents": NEUTRON_AGENTS})
    stub.route("GET", "block-storage", "/os-services", {"services": CINDER_SERVICES})
    stub.route("GET", "baremetal", "/conductors", {"conductors": CONDUCTORS})
    stub.route("GET", "compute", "/os-hypervisors/detail", {"hypervisors": HYPERVISORS})
    for url in (DNS, DNS + "/", DNS + "/v2"):
        stub.mocker.get(url, json=DNS_DOC, headers={"Content-Type": "application/json"})
    return extra


SWIFT = "http://swift.example.test:8080"
SWIFT_ACCOUNT = SWIFT + "/v1/AUTH_" + PROJECT_ID


def swift_service(stub: Any) -> Dict[str, Any]:
    """Swift's catalog entry, its account (HEAD), its version root and its unauthenticated /info (release 2.33.0)."""
    stub.mocker.head(SWIFT_ACCOUNT, status_code=204, headers={"X-Account-Container-Count": "0"})
    stub.mocker.get(SWIFT + "/info", json={"swift": {"version": "2.33.0", "max_file_size": 5368709122}})
    stub.mocker.get(SWIFT + "/v1/", status_code=412, text="Precondition Failed")
    return {"id": "svc-swift", "type": "object-store", "name": "swift", "endpoints": [
        {"id": "ep-swift-%s" % i, "interface": i, "region": "RegionOne", "region_id": "RegionOne", "url": SWIFT_ACCOUNT}
        for i in ("public", "internal", "admin")]}
