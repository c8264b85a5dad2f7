# -*- coding: utf-8 -*-
"""A throwaway tenant-a server for the quarantine tests, and what release must put back.

The server gets ports on a small network of its own behind tenant-a's router
(tenant-a-net may be full: benchmarks fill it), metadata, a floating IP and a
1 GB volume. Everything is deleted afterwards, after a release that also
deletes the case's evidence.
"""
from __future__ import annotations

import contextlib
import time
from typing import Any, Dict, Iterator

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.case import Case, Options

# Not az2: the maintenance tests drain compute-03 on the same shared lab at the same time (they would
# live-migrate the server and mark it with their own metadata while it is quarantined).
ZONE = "az1"


def server_state(conn: Any, server_id: str) -> Dict[str, Any]:
    """Every attribute quarantine changes and release must put back."""
    server = conn.compute.get_server(server_id)
    ports = sorted(conn.network.ports(device_id=server_id), key=lambda p: p.id)
    return {
        "status": server.status, "locked": server.is_locked, "locked_reason": server.locked_reason,
        "metadata": dict(server.metadata), "tags": sorted(server.tags or []),
        "ports": {p.id: (sorted(p.security_group_ids), p.is_port_security_enabled, p.is_admin_state_up)
                  for p in ports},
        "floating_ips": sorted((f.floating_ip_address, f.port_id, f.fixed_ip_address)
                               for f in conn.network.ips(project_id=server.project_id) if f.port_id in
                               {p.id for p in ports}),
    }


@contextlib.contextmanager
def throwaway_server(case_id: str, ports: int = 2) -> Iterator[Any]:
    """A tenant-a server with ``ports`` ports, a floating IP and an attached volume; gone afterwards."""
    import openstack
    tenant = openstack.connect(cloud="tenant-a")
    admin = openstack.connect(cloud="lab-admin")
    name = "qtest-" + case_id.lower()
    external = [n for n in tenant.network.networks() if n.is_router_external][0]
    router = [r for r in tenant.network.routers(project_id=tenant.current_project_id) if r.external_gateway_info][0]
    net = tenant.network.create_network(name=name + "-net")
    made: Dict[str, Any] = {"net": net, "router": router}
    try:
        made["subnet"] = subnet = tenant.network.create_subnet(
            network_id=net.id, ip_version=4, cidr="10.251.%d.0/28" % (int(case_id[-2:], 16) % 250))
        tenant.network.add_interface_to_router(router, subnet_id=subnet.id)
        made["ports"] = [tenant.network.create_port(network_id=net.id, name="%s-p%d" % (name, i))
                         for i in range(1, ports + 1)]
    except Exception:
        _cleanup(admin, made)
        raise
    try:
        server = tenant.compute.create_server(
            name=name, image_id=tenant.image.find_image("cirros-lab", ignore_missing=False).id,
            flavor_id=tenant.compute.find_flavor("c1.nano", ignore_missing=False).id,
            networks=[{"port": p.id} for p in made["ports"]], metadata={"owner": "alice", "role": "web"},
            availability_zone=ZONE)
        made["server"] = server = tenant.compute.wait_for_server(server, wait=300)
        made["volume"] = volume = tenant.block_storage.create_volume(size=1, name=name + "-vol")
        tenant.block_storage.wait_for_status(volume, "available", wait=120)
        tenant.compute.create_volume_attachment(server, volume_id=volume.id)
        tenant.block_storage.wait_for_status(volume, "in-use", wait=120)
        made["fip"] = tenant.network.create_ip(floating_network_id=external.id, port_id=made["ports"][0].id)
        yield tenant.compute.get_server(server.id)
    finally:
        if "server" in made:  # release (idempotent) and drop the evidence, then delete what we made
            Case(Cloud(admin), made["server"].id,
                 Options(case_id=case_id, state="released", delete_evidence=True)).apply()
            admin.compute.delete_server(made["server"].id)
            admin.compute.wait_for_delete(made["server"], wait=120)
        _cleanup(admin, made)


def _cleanup(admin: Any, made: Dict[str, Any]) -> None:
    if "fip" in made:
        admin.network.delete_ip(made["fip"].id)
    if "volume" in made:
        admin.block_storage.wait_for_status(made["volume"], "available", wait=120)
        deadline = time.time() + 120  # snapshot deletion is asynchronous; a volume with snapshots cannot go
        while list(admin.block_storage.snapshots(all_projects=True, volume_id=made["volume"].id)) \
                and time.time() < deadline:
            time.sleep(2)
        admin.block_storage.delete_volume(made["volume"].id)
    for port in made.get("ports", []):
        admin.network.delete_port(port.id)
    if "subnet" in made:
        admin.network.remove_interface_from_router(made["router"], subnet_id=made["subnet"].id)
    admin.network.delete_network(made["net"].id)
