"""Seed the lab's OpenStack (runs in the lab venv with openstacksdk).

    python seed.py seed          first-run objects (idempotent, by name)
    python seed.py ironic        Ironic nodes of the lab computes (idempotent, by name)
    python seed.py servers N     N more servers by multi-create, wait ACTIVE/ERROR
    python seed.py unused        the unused resources the audit must find (idempotent, by name)

Env OSFLAB_SEED: JSON spec from lablib.openstack.seeddata.spec().
"""
import json
import os
import sys
import tempfile
import time

import openstack

SPEC = json.loads(os.environ["OSFLAB_SEED"])


def log(msg):
    print(f"[seed] {msg}", flush=True)


def connect(project="admin", user="admin", password=None):
    return openstack.connect(
        auth_url=SPEC["auth_url"], username=user,
        password=password or SPEC["admin_password"], project_name=project,
        user_domain_name="Default", project_domain_name="Default",
        region_name=SPEC["region"], interface="public",
        compute_api_version="2.95", block_storage_api_version="3.60")


def tenant_conn(tenant):
    return connect(tenant, f"{tenant}-user", SPEC["user_password"])


# ----------------------------------------------------------------- identity
def seed_identity(adm):
    idn = adm.identity
    roles = {r.name: r for r in idn.roles()}
    admin_user = idn.find_user("admin", domain_id="default")
    for t in SPEC["tenants"]:
        proj = idn.find_project(t, domain_id="default") or idn.create_project(
            name=t, domain_id="default", description=f"lab project {t}")
        user = idn.find_user(f"{t}-user", domain_id="default") or idn.create_user(
            name=f"{t}-user", domain_id="default", password=SPEC["user_password"],
            default_project_id=proj.id, email=f"{t}@lab.invalid")
        idn.assign_project_role_to_user(proj, user, roles["member"])
        idn.assign_project_role_to_user(proj, user, roles["reader"])
        # admin sees every tenant project too (useful for admin-scoped tests)
        idn.assign_project_role_to_user(proj, admin_user, roles["admin"])
    log("identity: projects " + ", ".join(SPEC["tenants"]))


# ------------------------------------------------------------------ compute
def seed_flavors(adm):
    have = {f.name for f in adm.compute.flavors()}
    for name, vcpus, ram, disk in SPEC["flavors"]:
        if name not in have:
            adm.compute.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
    log("flavors: " + ", ".join(f[0] for f in SPEC["flavors"]))


def seed_azs(adm):
    aggs = {a.name: a for a in adm.compute.aggregates()}
    for az, (agg_name, hosts) in SPEC["azs"].items():
        agg = aggs.get(agg_name) or adm.compute.create_aggregate(name=agg_name,
                                                                 availability_zone=az)
        for h in hosts:
            if h not in (agg.hosts or []):
                agg = adm.compute.add_host_to_aggregate(agg, h)
    log("availability zones: " + ", ".join(f"{az}={h}" for az, (_, h) in SPEC["azs"].items()))


def seed_image(adm):
    img = adm.image.find_image(SPEC["image"]["name"])
    if img is None:
        with tempfile.NamedTemporaryFile(suffix=".img") as fh:
            fh.write(b"\0" * SPEC["image"]["size"])
            fh.flush()
            img = adm.image.create_image(name=SPEC["image"]["name"], filename=fh.name,
                                         disk_format="raw", container_format="bare",
                                         visibility="public", wait=True)
    log(f"image {img.name} {img.id}")
    return img


# ------------------------------------------------------------------ network
def seed_provider(adm):
    p = SPEC["provider"]
    net = adm.network.find_network(p["network"]) or adm.network.create_network(
        name=p["network"], is_shared=True, is_router_external=True,
        provider_network_type="flat", provider_physical_network=p["physnet"])
    if not list(adm.network.subnets(network_id=net.id)):
        adm.network.create_subnet(network_id=net.id, name=f"{p['network']}-v4", ip_version=4,
                                  cidr=p["cidr"], gateway_ip=p["gateway"], is_dhcp_enabled=False,
                                  allocation_pools=[{"start": p["pool"][0], "end": p["pool"][1]}])
    log(f"provider network {net.name} (shared, external)")
    return net


def seed_tenant_network(conn, tenant, provider):
    v4, v6 = SPEC["tenant_cidrs"][tenant]
    net_name = f"{tenant}-net"
    net = conn.network.find_network(net_name) or conn.network.create_network(name=net_name)
    subnets = {s.name for s in conn.network.subnets(network_id=net.id)}
    s4_name, s6_name = f"{tenant}-subnet-v4", f"{tenant}-subnet-v6"
    if s4_name not in subnets:
        s4 = conn.network.create_subnet(network_id=net.id, name=s4_name, ip_version=4, cidr=v4,
                                        dns_nameservers=["192.0.2.53"])
    else:
        s4 = conn.network.find_subnet(s4_name)
    if s6_name not in subnets:
        conn.network.create_subnet(network_id=net.id, name=s6_name, ip_version=6, cidr=v6,
                                   ipv6_address_mode="slaac", ipv6_ra_mode="slaac")
    sg_name = f"{tenant}-web"
    sg = conn.network.find_security_group(sg_name) or conn.network.create_security_group(
        name=sg_name, description="ssh, http, icmp")
    if not [r for r in conn.network.security_group_rules(security_group_id=sg.id)
            if r.direction == "ingress"]:
        for proto, port in (("tcp", 22), ("tcp", 80), ("tcp", 443), ("icmp", None)):
            kw = {"port_range_min": port, "port_range_max": port} if port else {}
            conn.network.create_security_group_rule(
                security_group_id=sg.id, direction="ingress", ethertype="IPv4",
                protocol=proto, remote_ip_prefix="0.0.0.0/0", **kw)
    rname = f"{tenant}-router"
    router = conn.network.find_router(rname)
    if router is None:
        router = conn.network.create_router(
            name=rname, external_gateway_info={"network_id": provider.id})
        conn.network.add_interface_to_router(router, subnet_id=s4.id)
    return net, sg


def seed_servers_for(conn, tenant, net, sg, image, provider, count, volume_every=2):
    """A few servers spread over the computes (anti-affinity group), some with a
    volume and a floating IP."""
    group_name = f"{tenant}-anti-affinity"
    group = conn.compute.find_server_group(group_name) or conn.compute.create_server_group(
        name=group_name, policy="anti-affinity")
    flavor = conn.compute.find_flavor("m1.tiny")
    existing = {s.name for s in conn.compute.servers()}
    made = []
    for i in range(1, count + 1):
        name = f"{tenant}-vm{i:02d}"
        if name in existing:
            continue
        srv = conn.compute.create_server(
            name=name, flavor_id=flavor.id, image_id=image.id, networks=[{"uuid": net.id}],
            security_groups=[{"name": sg.name}], scheduler_hints={"group": group.id},
            metadata={"lab": "seed", "tenant": tenant, "role": ("web", "db", "app")[(i - 1) % 3]})
        made.append(srv)
    servers = [conn.compute.wait_for_server(s, wait=300, interval=2) for s in made]
    for i, srv in enumerate(servers, 1):
        if i % volume_every == 1:
            vol = conn.block_storage.create_volume(name=f"{srv.name}-data", size=1)
            conn.block_storage.wait_for_status(vol, "available", wait=120, interval=1)
            conn.compute.create_volume_attachment(srv, volume_id=vol.id)
            conn.block_storage.wait_for_status(vol, "in-use", wait=120, interval=1)
            port = next(iter(conn.network.ports(device_id=srv.id)))
            conn.network.create_ip(floating_network_id=provider.id, port_id=port.id,
                                   description=f"{srv.name} fip")
    return servers


def wait_for_volume_backend(adm, timeout=120):
    """cinder-volume reports its pool to the scheduler a few seconds after it
    starts; a volume created before that fails with NoValidBackend (seen on a
    fresh machine), so wait until the scheduler lists a pool."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(True for _ in adm.block_storage.backend_pools()):
            return
        time.sleep(1)
    raise SystemExit(f"cinder: no backend pool reported to the scheduler in {timeout}s")


def seed():
    t0 = time.monotonic()
    adm = connect()
    wait_for_volume_backend(adm)
    seed_identity(adm)
    seed_flavors(adm)
    seed_azs(adm)
    image = seed_image(adm)
    provider = seed_provider(adm)
    for tenant in SPEC["tenants"]:
        conn = tenant_conn(tenant)
        net, sg = seed_tenant_network(conn, tenant, provider)
        servers = seed_servers_for(conn, tenant, net, sg, image, provider,
                                   SPEC["servers_per_tenant"])
        log(f"{tenant}: network {net.name}, servers " +
            ", ".join(f"{s.name}={s.status}" for s in servers))
    # a spare unattached volume and floating IP per tenant
    for tenant in SPEC["tenants"]:
        conn = tenant_conn(tenant)
        if not conn.block_storage.find_volume(f"{tenant}-spare"):
            conn.block_storage.create_volume(name=f"{tenant}-spare", size=1)
    n = sum(1 for _ in adm.compute.servers(all_projects=True))
    print(f"seed done in {time.monotonic() - t0:.0f}s: {n} servers")


# ------------------------------------------------------------------ unused
def seed_unused():
    """One of each unused resource of the unused_capacity pack, in SPEC["unused_tenant"]:
    a shut-off server, a port with no device, an unattached volume (and one with the
    exclusion tag), an unassociated floating IP. Idempotent by name (the FIP by description)."""
    u, tenant = SPEC["unused"], SPEC["unused_tenant"]
    conn = tenant_conn(tenant)
    srv = conn.compute.find_server(u["server"])
    if srv is None:
        image = conn.image.find_image(SPEC["image"]["name"], ignore_missing=False)
        flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
        srv = conn.compute.create_server(name=u["server"], flavor_id=flavor.id, image_id=image.id,
                                         networks="none", availability_zone=u["server_az"],
                                         metadata={"lab": "unused", "tenant": tenant})
        srv = conn.compute.wait_for_server(srv, wait=300, interval=2)
    srv = conn.compute.get_server(srv.id)
    if srv.status == "ACTIVE":
        conn.compute.stop_server(srv)
        srv = conn.compute.wait_for_server(srv, status="SHUTOFF", wait=120, interval=2)
    net = conn.network.find_network(f"{tenant}-net", ignore_missing=False)
    port = conn.network.find_port(u["port"]) or conn.network.create_port(
        network_id=net.id, name=u["port"], description="lab: a port nothing uses")
    vols = {}
    for key, meta in (("volume", {"lab": "unused"}),
                      ("kept_volume", {"lab": "unused", u["exclusion_tag"]: "lab: kept on purpose"})):
        vols[key] = conn.block_storage.find_volume(u[key]) or conn.block_storage.create_volume(
            name=u[key], size=1, metadata=meta)
    provider = conn.network.find_network(SPEC["provider"]["network"], ignore_missing=False)
    fip = next((f for f in conn.network.ips(project_id=conn.current_project_id)
                if f.description == u["floating_ip"]), None)
    if fip is None:
        fip = conn.network.create_ip(floating_network_id=provider.id, description=u["floating_ip"])
    print(f"unused: server {srv.name}={srv.status}, port {port.name} (no device), volumes "
          f"{', '.join(v.name for v in vols.values())}, floating IP {fip.floating_ip_address} ({tenant})")


# ----------------------------------------------------------------- baremetal
def ironic_nodes():
    """One node per lab compute (by name, idempotent), enrolled and kept in
    maintenance so Ironic never talks to the BMCs (no power sync, no validation)."""
    adm = connect()
    reason = SPEC["ironic_maintenance_reason"]
    have = {n.name: n for n in adm.baremetal.nodes(fields=["uuid", "name", "maintenance",
                                                            "maintenance_reason"])}
    made = []
    for want in SPEC["ironic_nodes"]:
        node = have.get(want["name"])
        if node is None:
            node = adm.baremetal.create_node(name=want["name"], driver=want["driver"],
                                             driver_info=want["driver_info"],
                                             provision_state="enroll")
            made.append(want["name"])
        if not node.is_maintenance or node.maintenance_reason != reason:
            adm.baremetal.set_node_maintenance(node, reason=reason)
    print(f"ironic nodes: {len(SPEC['ironic_nodes'])} in maintenance"
          f" ({'enrolled ' + ', '.join(made) if made else 'none new'})")


def servers(count, batch=100):
    """``count`` more servers by multi-create in batches, over the tenants."""
    t0 = time.monotonic()
    adm = connect()
    image = adm.image.find_image(SPEC["image"]["name"])
    flavor = adm.compute.find_flavor("m1.tiny")
    stamp = time.strftime("%H%M%S")
    tenants = SPEC["tenants"]
    made = 0
    names = []
    i = 0
    while made < count:
        n = min(batch, count - made)
        tenant = tenants[i % len(tenants)]
        conn = tenant_conn(tenant)
        net = conn.network.find_network(f"{tenant}-net")
        # every other batch without networks: cheaper, exercises networks='none'
        networks = [{"uuid": net.id}] if i % 2 == 0 and net else "none"
        name = f"scale-{stamp}-{i:03d}"
        conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                   networks=networks, min_count=n, max_count=n,
                                   metadata={"lab": "scale"})
        names.append(name)
        made += n
        i += 1
        log(f"requested {made}/{count} ({tenant}, networks={'none' if networks == 'none' else 'tenant'})")
    # wait until every scale server of this run is ACTIVE or ERROR. The poll
    # counts through the ID-only listing with a status filter: a detailed
    # listing of 1,000 building servers every few seconds would take Nova's
    # API worker away from the boots it is waiting for.
    deadline = time.monotonic() + max(600, count * 3)
    while True:
        counts = {status: _count(adm, stamp, status) for status in ("BUILD", "ACTIVE", "ERROR")}
        done = counts["ACTIVE"] + counts["ERROR"]
        if done >= count or time.monotonic() > deadline:
            break
        log(f"{time.monotonic() - t0:.0f}s: {counts}")
        time.sleep(20)
    el = time.monotonic() - t0
    print(f"servers: requested {count}, {counts} after {el:.0f}s "
          f"({el / max(count, 1) * 100:.0f}s per 100)")
    if done < count:
        sys.exit(f"timed out: only {done}/{count} ACTIVE or ERROR")


def _count(adm, stamp, status):
    query = {"all_tenants": 1, "name": f"^scale-{stamp}-", "status": status, "limit": 1000}
    total = 0
    while True:
        page = adm.compute.get("/servers", params=query).json()
        total += len(page["servers"])
        nxt = [link for link in page.get("servers_links", []) if link.get("rel") == "next"]
        if not nxt or not page["servers"]:
            return total
        query["marker"] = page["servers"][-1]["id"]


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed()
    elif sys.argv[1] == "ironic":
        ironic_nodes()
    elif sys.argv[1] == "unused":
        seed_unused()
    elif sys.argv[1] == "servers":
        servers(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
