# -*- coding: utf-8 -*-
"""A realistic fleet for fleet.html: 4 compute hosts (one with nova-compute down, one in maintenance),
a network node with a dead agent, two storage nodes (one down), a critical temperature, measured use."""
from __future__ import annotations

import copy

GENERATED_AT = "2026-12-03T11:30:00Z"


def _cap(vcpu_used, mem_used, disk_used):
    return {"vcpus": {"total": 64, "used": vcpu_used, "reserved": 0, "allocation_ratio": 4.0, "capacity": 256,
                      "free": 256 - vcpu_used},
            "memory_mb": {"total": 262144, "used": mem_used, "reserved": 4096, "allocation_ratio": 1.0,
                          "capacity": 258048, "free": 258048 - mem_used},
            "disk_gb": {"total": 2000, "used": disk_used, "reserved": 0, "allocation_ratio": 1.0, "capacity": 2000,
                        "free": 2000 - disk_used}}


def _host(name, zone, state="up", status="enabled", maintenance=None, servers=(), cap=None, aggregates=("general",)):
    return {"name": name, "cloud": "lab", "region": "RegionOne", "zone": zone, "aggregates": list(aggregates),
            "service": {"binary": "nova-compute", "state": state, "status": status},
            "hypervisor": {"state": state, "status": status}, "capacity": cap or _cap(16, 32768, 200),
            "servers": list(servers), "maintenance": maintenance, "bmc": None}


def _server(sid, name, host):
    return {"id": sid, "name": name, "status": "ACTIVE", "host": host, "flavor": "m1.large", "project_id": "p1",
            "project_name": "web"}


def _agent(aid, typ, binary, alive=True, routers=None, networks=None):
    return {"id": aid, "type": typ, "binary": binary, "alive": alive, "admin_state_up": True,
            "heartbeat": "2026-12-03T11:29:40Z" if alive else "2026-12-03T09:02:11Z", "started": "2026-11-30T08:00:00Z",
            "zone": "nova", "routers": routers, "networks": networks}


def fleet():
    hosts = {
        "compute-01": _host("compute-01", "az1", servers=["s1", "s2"], cap=_cap(220, 200000, 1900)),
        "compute-02": _host("compute-02", "az1", state="down", servers=["s3"]),
        "compute-03": _host("compute-03", "az2", status="disabled", maintenance="mw-2026-12-03", servers=[]),
        "<script>alert(1)</script>": _host("<script>alert(1)</script>", "az2", aggregates=["gpu", "<b>x</b>"]),
    }
    hosts["compute-01"]["utilization"] = {
        "cpu_percent": {"value": 71.5, "source": "prometheus", "age_seconds": 30.0},
        "memory_percent": {"value": 64.0, "source": "prometheus", "age_seconds": 30.0},
        "power_watts": {"value": 412.0, "source": "bmc", "age_seconds": 12.0}}
    servers = {"s1": _server("s1", "web-1", "compute-01"), "s2": _server("s2", "web-2 <i>", "compute-01"),
               "s3": _server("s3", "db-1", "compute-02")}
    network_nodes = [
        {"name": "network-01", "cloud": "lab", "region": "RegionOne", "zone": "az1", "kind": "network",
         "network_node": True, "roles": ["dhcp", "l3", "metadata", "l2"], "state": "up",
         "agents": [_agent("a1", "L3 agent", "neutron-l3-agent", routers=["r1", "r2"]),
                    _agent("a2", "DHCP agent", "neutron-dhcp-agent", alive=False, networks=["n1"]),
                    _agent("a3", "Open vSwitch agent", "neutron-openvswitch-agent")],
         "utilization": {"cpu_percent": {"value": 22.0, "source": "nova", "age_seconds": 60.0}}},
        {"name": "compute-01", "cloud": "lab", "region": "RegionOne", "zone": "az1", "kind": "network",
         "network_node": False, "roles": ["l2"], "state": "up",
         "agents": [_agent("a4", "Open vSwitch agent", "neutron-openvswitch-agent")]},
    ]
    storage_nodes = [
        {"name": "storage-01", "cloud": "lab", "region": "RegionOne", "zone": "az1", "kind": "storage", "state": "up",
         "services": [{"binary": "cinder-volume", "host": "storage-01@ceph", "backend": "ceph", "zone": "az1",
                       "state": "up", "status": "enabled", "updated_at": "2026-12-03T11:29:50Z", "disabled_reason": None}],
         "pools": [{"name": "storage-01@ceph#ceph", "backend": "ceph", "total_gb": 10240.0, "free_gb": 3072.0,
                    "capacity_text": None, "allocated_gb": 6000.0, "provisioned_gb": 9000.0, "reserved_percentage": 5,
                    "thin_provisioning": True, "max_over_subscription_ratio": 20.0, "over_subscription": 0.88}]},
        {"name": "storage-02", "cloud": "lab", "region": "RegionOne", "zone": "az2", "kind": "storage", "state": "down",
         "services": [{"binary": "cinder-volume", "host": "storage-02@lvm", "backend": "lvm", "zone": "az2",
                       "state": "down", "status": "enabled", "updated_at": "2026-12-03T07:10:00Z", "disabled_reason": None}],
         "pools": [{"name": "storage-02@lvm#lvm", "backend": "lvm", "total_gb": None, "free_gb": None,
                    "capacity_text": "unknown", "allocated_gb": None, "provisioned_gb": None, "reserved_percentage": 0,
                    "thin_provisioning": False, "max_over_subscription_ratio": 1.0, "over_subscription": None}]},
    ]
    return {"hosts": hosts, "servers": servers, "network_nodes": network_nodes, "storage_nodes": storage_nodes,
            "api_calls": 12, "warnings": []}


def hardware():
    def ok(temp, temp_status="ok", health="ok"):
        return {"status": "ok", "error": None, "address": "redfish+https://10.0.0.1", "protocol": "redfish", "elapsed": 0.2,
                "state": {"protocol": "redfish", "power_state": "on", "health": health, "power_draw_watts": 388.0,
                          "temperatures": [{"name": "CPU1 Temp", "reading_celsius": temp, "status": temp_status},
                                           {"name": "Inlet Temp", "reading_celsius": 24.0, "status": "ok"}],
                          "fans": [{"name": "Fan 1", "rpm": 7200.0, "status": "ok", "percent": None}],
                          "power_supplies": [{"name": "PSU 1", "status": "ok", "watts": 195.0},
                                             {"name": "PSU 2", "status": "ok", "watts": 193.0}]}}
    return {"compute-01": ok(52.0), "compute-02": ok(97.0, "critical", "critical"),
            "compute-03": {"status": "unreachable", "error": "no route to 10.0.0.13", "state": None},
            "network-01": ok(48.0)}


def copy_of(value):
    return copy.deepcopy(value)
