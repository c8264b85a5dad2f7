# -*- coding: utf-8 -*-
"""A small cloud behind the StubCloud and BMC settings documents for the FakeRedfish: what gather.py reads."""
from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import load
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import query

SYSTEM = "/redfish/v1/Systems/3883ce81-216d-5391-91b3-ae04fb93b8f7"
MANAGER = "/redfish/v1/Managers/3883ce81-216d-5391-91b3-ae04fb93b8f7"
H1, H2 = "1b9b2a3c-0000-4000-8000-000000000001", "1b9b2a3c-0000-4000-8000-000000000002"


def redfish_docs(http_on=False, password_change_required=False, bmc_clock_ahead=0):
    """The lab's recorded healthy BMC plus the settings documents sushy-tools lacks (DMTF-shaped)."""
    docs = copy.deepcopy(load("redfish_raw_healthy.json"))
    docs["/redfish/v1/"]["AccountService"] = {"@odata.id": "/redfish/v1/AccountService"}
    docs["/redfish/v1/Managers"] = {"Members": [{"@odata.id": MANAGER}]}
    when = datetime.now(timezone.utc) + timedelta(seconds=bmc_clock_ahead)
    docs[MANAGER] = {"@odata.id": MANAGER, "Id": "bmc", "DateTime": when.isoformat(),
                     "NetworkProtocol": {"@odata.id": MANAGER + "/NetworkProtocol"}}
    docs[MANAGER + "/NetworkProtocol"] = {
        "HTTP": {"ProtocolEnabled": http_on, "Port": 80}, "HTTPS": {"ProtocolEnabled": True, "Port": 443},
        "IPMI": {"ProtocolEnabled": False, "Port": 623}, "SSH": {"ProtocolEnabled": True},
        "SNMP": {"ProtocolEnabled": False}, "NTP": {"ProtocolEnabled": True, "NTPServers": ["ntp1.lab", ""]}}
    docs["/redfish/v1/AccountService"] = {"Accounts": {"@odata.id": "/redfish/v1/AccountService/Accounts"}}
    docs["/redfish/v1/AccountService/Accounts"] = {"Members": [
        {"@odata.id": "/redfish/v1/AccountService/Accounts/1"}, {"@odata.id": "/redfish/v1/AccountService/Accounts/2"}]}
    docs["/redfish/v1/AccountService/Accounts/1"] = {"Id": "1", "UserName": "admin", "RoleId": "Administrator",
                                                     "Enabled": True, "Locked": False,
                                                     "PasswordChangeRequired": password_change_required}
    docs["/redfish/v1/AccountService/Accounts/2"] = {"Id": "2", "UserName": "", "Enabled": False}
    docs[SYSTEM]["PowerRestorePolicy"] = "LastState"
    docs[SYSTEM + "/LogServices/SEL"]["MaxNumberOfRecords"] = 100
    return docs


def servers():
    return [{"id": "s-1", "name": "vm-1", "tenant_id": "p1", "status": "SHUTOFF", "OS-EXT-STS:power_state": 4,
             "OS-EXT-STS:vm_state": "stopped", "OS-EXT-STS:task_state": None, "OS-EXT-SRV-ATTR:host": "compute-01",
             "flavor": {"original_name": "m1.tiny"}, "image": {"id": "i-1"}, "metadata": {}, "tags": [],
             "created": "2026-01-01T00:00:00Z", "updated": "2026-01-02T00:00:00Z"},
            {"id": "s-2", "name": "vm-2", "tenant_id": "p1", "status": "ACTIVE", "OS-EXT-STS:power_state": 1,
             "OS-EXT-STS:task_state": None, "OS-EXT-SRV-ATTR:host": "compute-02", "tags": ["osfleet-quarantine"],
             "flavor": {"original_name": "m1.tiny"}, "image": "", "metadata": {"osfleet_quarantine_case": "case-7"},
             "created": "2026-02-01T00:00:00Z", "updated": "2026-02-02T00:00:00Z"}]


def route_cloud(stub, fail=()):
    """Every listing the gatherer reads; the (method, service, path) in ``fail`` answer HTTP 500."""
    def servers_answer(request, context):
        tags = query(request).get("tags")
        found = [s for s in servers() if not tags or set(tags[0].split(",")) <= set(s["tags"])]
        return {"servers": found}

    routes = [
        ("compute", "/os-services", {"services": [
            {"id": "a", "binary": "nova-compute", "host": "compute-01", "zone": "az1", "status": "enabled",
             "state": "up", "updated_at": "2026-03-01T00:00:00Z"},
            {"id": "b", "binary": "nova-compute", "host": "compute-02", "zone": "az1", "status": "enabled",
             "state": "up", "updated_at": "2026-03-01T00:00:00Z"}]}),
        ("compute", "/os-hypervisors/detail", {"hypervisors": [
            {"id": H1, "hypervisor_hostname": "compute-01", "service": {"host": "compute-01"},
             "hypervisor_type": "QEMU", "hypervisor_version": 8002000, "state": "up", "status": "enabled",
             "running_vms": 1, "vcpus": 8, "memory_mb": 16000, "local_gb": 100},
            {"id": H2, "hypervisor_hostname": "compute-02", "service": {"host": "compute-02"},
             "hypervisor_type": "QEMU", "hypervisor_version": 8002000, "state": "up", "status": "enabled",
             "running_vms": 1, "vcpus": 8, "memory_mb": 16000, "local_gb": 100}]}),
        ("compute", "/os-aggregates", {"aggregates": [
            {"id": 1, "name": "az1-hosts", "availability_zone": "az1", "hosts": ["compute-01", "compute-02"],
             "metadata": {"availability_zone": "az1"}}]}),
        ("compute", "/servers/detail", servers_answer),
        ("compute", "/os-server-groups", {"server_groups": []}),
        ("placement", "/resource_providers", {"resource_providers": [
            {"uuid": H1, "name": "compute-01"}, {"uuid": H2, "name": "compute-02"}]}),
        ("placement", "/resource_providers/(%s|%s)/inventories" % (H1, H2), {"inventories": {
            "VCPU": {"total": 8, "reserved": 0, "allocation_ratio": 4.0},
            "MEMORY_MB": {"total": 16000, "reserved": 512, "allocation_ratio": 1.0},
            "DISK_GB": {"total": 100, "reserved": 0, "allocation_ratio": 1.0}}}),
        ("placement", "/resource_providers/%s/traits" % H1, {"traits": ["HW_CPU_X86_AVX2"]}),
        ("placement", "/resource_providers/%s/traits" % H2, {"traits": ["COMPUTE_STATUS_DISABLED"]}),
        ("identity", "/projects", {"projects": [{"id": "p1", "name": "tenant-a", "enabled": True}]}),
        ("network", "/agents", {"agents": [
            {"id": "ag1", "binary": "neutron-openvswitch-agent", "agent_type": "Open vSwitch agent",
             "host": "compute-01", "alive": True, "admin_state_up": True}]}),
        ("network", "/ports", {"ports": [
            {"id": "port-orphan", "device_id": "", "device_owner": "", "network_id": "n1", "status": "DOWN",
             "project_id": "p1", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]}),
        ("network", "/floatingips", {"floatingips": [
            {"id": "fip-1", "floating_ip_address": "203.0.113.9", "port_id": None, "project_id": "p1",
             "status": "DOWN", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]}),
        ("block-storage", "/volumes/detail", {"volumes": [
            {"id": "vol-1", "status": "available", "attachments": [], "size": 1, "os-vol-tenant-attr:tenant_id": "p1",
             "created_at": "2026-01-01T00:00:00.000000", "updated_at": "2026-01-01T00:00:00.000000"}]}),
        ("block-storage", "/snapshots/detail", {"snapshots": []}),
        ("image", "/images", {"images": [{"id": "i-1", "name": "cirros", "visibility": "public", "status": "active",
                                          "created_at": "2025-01-01T00:00:00Z"}]}),
    ]
    for service, path, answer in routes:
        if ("GET", service, path) in fail:
            stub.fail("GET", service, path, 500, {"error": {"message": "boom"}})
        else:
            stub.route("GET", service, path, answer)


def pass_local(stub):
    """Let requests to the FakeRedfish on loopback through requests-mock."""
    stub.mocker.register_uri("GET", re.compile(r"https?://127\.0\.0\.1:\d+/"), real_http=True)
    stub.mocker.register_uri("POST", re.compile(r"https?://127\.0\.0\.1:\d+/"), real_http=True)
    stub.mocker.register_uri("DELETE", re.compile(r"https?://127\.0\.0\.1:\d+/"), real_http=True)
