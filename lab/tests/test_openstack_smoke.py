"""Smoke test of the lab's OpenStack (real services from PyPI on 127.0.0.1).

Runs against a lab brought up by ``lab/labctl up``; skips when it is not up.
Needs openstacksdk (e.g. ``.lab/venv/bin/python -m pytest lab/tests/test_openstack_smoke.py``).
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
CLOUDS_YAML = LAB_DIR / "clouds.yaml"
KEYSTONE_PORT = 18000
COMPUTES = ["compute-01", "compute-02", "compute-03", "compute-04"]
TENANTS = ["tenant-a", "tenant-b", "investigators"]
CINDER_HOST = "lab-storage@labfake"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


if not _port_open(KEYSTONE_PORT):
    pytest.skip(f"lab OpenStack is not up (nothing on 127.0.0.1:{KEYSTONE_PORT}); "
                "run lab/labctl up", allow_module_level=True)
if not CLOUDS_YAML.exists():
    pytest.skip(f"{CLOUDS_YAML} missing; run lab/labctl up", allow_module_level=True)
openstack = pytest.importorskip("openstack", reason="openstacksdk not installed")
pytestmark = pytest.mark.filterwarnings("ignore::Warning:openstack.*")


def connect(cloud: str, **kw):
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(CLOUDS_YAML)
    return openstack.connect(cloud=cloud, **kw)


@pytest.fixture(scope="module")
def admin():
    return connect("lab-admin", compute_api_version="2.95")


def wait_until(pred, timeout=120.0, interval=1.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def test_four_hypervisors_up(admin):
    hyps = {h.name: h for h in admin.compute.hypervisors(details=True)}
    assert sorted(hyps) == COMPUTES
    # state only: other tests may disable a compute service for a while
    assert all(h.state == "up" for h in hyps.values()), \
        {n: (h.state, h.status) for n, h in hyps.items()}
    svcs = {s.host: s for s in admin.compute.services(binary="nova-compute")}
    assert sorted(svcs) == COMPUTES
    assert all(s.state == "up" for s in svcs.values())


def test_availability_zones(admin):
    aggs = {a.name: a for a in admin.compute.aggregates()}
    assert aggs["agg-az1"].availability_zone == "az1"
    assert sorted(aggs["agg-az1"].hosts) == COMPUTES[:2]
    assert aggs["agg-az2"].availability_zone == "az2"
    assert sorted(aggs["agg-az2"].hosts) == COMPUTES[2:]


@pytest.mark.parametrize("tenant", TENANTS)
def test_tenant_servers_exist(tenant):
    conn = connect(tenant)
    names = {s.name: s for s in conn.compute.servers()}
    for i in (1, 2, 3):
        srv = names.get(f"{tenant}-vm{i:02d}")
        assert srv is not None, f"{tenant}-vm{i:02d} missing; have {sorted(names)}"
        # other tests may stop/evacuate seeded servers (evacuated ones arrive SHUTOFF)
        assert srv.status in ("ACTIVE", "SHUTOFF"), (srv.name, srv.status)
    other = [t for t in TENANTS if t != tenant]
    assert not [n for n in names if any(n.startswith(o + "-") for o in other)], \
        "tenant isolation: sees another tenant's servers"


@pytest.mark.parametrize("host", COMPUTES)
def test_port_binds_on_compute(admin, host):
    net = admin.network.find_network("tenant-a-net", ignore_missing=False)
    port = admin.network.create_port(network_id=net.id, name=f"smoke-bind-{host}",
                                     binding_host_id=host)
    try:
        port = admin.network.get_port(port.id)
        assert port.binding_host_id == host
        assert port.binding_vif_type not in ("binding_failed", "unbound"), port.binding_vif_type
        assert port.binding_vif_type == "ovs"
    finally:
        admin.network.delete_port(port.id)


def test_seeded_server_ports_bound(admin):
    bound = {}
    for srv in admin.compute.servers(all_projects=True):
        if not srv.name.startswith(tuple(f"{t}-vm" for t in TENANTS)):
            continue
        for port in admin.network.ports(device_id=srv.id):
            assert port.binding_host_id == srv.compute_host
            assert port.binding_vif_type != "binding_failed"
            bound[srv.compute_host] = bound.get(srv.compute_host, 0) + 1
    assert bound, "no seeded server port found"


def _active_on(admin, server_id, host=None):
    srv = admin.compute.get_server(server_id)
    if srv.status == "ERROR":
        raise AssertionError(f"server went ERROR: {srv.fault}")
    if srv.status == "ACTIVE" and srv.task_state is None and (host is None or srv.compute_host == host):
        return srv
    return None


def test_live_migration(admin):
    net = admin.network.find_network("provider-net", ignore_missing=False)
    image = admin.image.find_image("cirros-lab", ignore_missing=False)
    flavor = admin.compute.find_flavor("m1.tiny", ignore_missing=False)
    srv = admin.compute.create_server(name=f"smoke-lm-{uuid.uuid4().hex[:6]}", image_id=image.id,
                                      flavor_id=flavor.id, networks=[{"uuid": net.id}])
    try:
        srv = admin.compute.wait_for_server(srv, wait=180, interval=2)
        src = srv.compute_host
        # 1. scheduler-chosen target
        admin.compute.live_migrate_server(srv, host=None, block_migration="auto")
        srv = wait_until(lambda: (lambda s: s if s and s.compute_host != src else None)(
            _active_on(admin, srv.id)), timeout=180, what="live migration (scheduler)")
        first = srv.compute_host
        assert first != src
        # 2. back to the source, explicit target (the source must have dropped the guest)
        admin.compute.live_migrate_server(srv, host=src, block_migration="auto")
        srv = wait_until(lambda: _active_on(admin, srv.id, host=src), timeout=180,
                         what=f"live migration back to {src}")
        assert srv.compute_host == src
        # the migration record turns "completed" just after the server settles
        def _migrations_done():
            migs = [m for m in admin.compute.migrations(instance_uuid=srv.id)
                    if m.migration_type == "live-migration"]
            return len(migs) >= 2 and all(m.status == "completed" for m in migs)
        wait_until(_migrations_done, timeout=60, what="live-migration records completed")
        for port in admin.network.ports(device_id=srv.id):
            assert port.binding_host_id == src
    finally:
        admin.compute.delete_server(srv.id)


def test_manageable_volumes_and_manage_roundtrip():
    conn = connect("lab-admin", block_storage_api_version="3.8")
    vols = list(conn.block_storage.manageable_volumes(host=CINDER_HOST, details=True))
    names = {v.reference["source-name"]: v for v in vols}
    assert "legacy-01-legacy-web-01-disk0" in names, sorted(names)
    safe = sorted(n for n, v in names.items() if v.safe_to_manage)
    assert safe, "no disk safe to manage"
    # manage one disk, see it listed as managed, then give it back
    ref = safe[-1]
    vol = conn.block_storage.manage_volume(
        name=f"smoke-{ref}", ref={"source-name": ref}, host=f"{CINDER_HOST}#labfake")
    try:
        vol = conn.block_storage.wait_for_status(vol, "available", failures=["error"],
                                                 wait=120, interval=1)
        assert vol.size == names[ref].size
        after = {v.reference["source-name"]: v for v in
                 conn.block_storage.manageable_volumes(host=CINDER_HOST, details=True)}
        assert after[ref].safe_to_manage is False
        assert after[ref].cinder_id == vol.id
    finally:
        conn.block_storage.unmanage_volume(vol)
    wait_until(lambda: conn.block_storage.find_volume(vol.id) is None, timeout=60,
               what="unmanage")
    again = {v.reference["source-name"]: v for v in
             conn.block_storage.manageable_volumes(host=CINDER_HOST, details=True)}
    assert again[ref].safe_to_manage is True


def test_baremetal_nodes_of_the_computes_in_maintenance(admin):
    # Ironic: one node per compute, enrolled in maintenance (BMC inventory only, no power sync)
    endpoint = admin.session.get_endpoint(service_type="baremetal", interface="public")
    assert endpoint == "http://127.0.0.1:18006"
    nodes = {n.name: n for n in admin.baremetal.nodes(details=True)}
    assert sorted(nodes) == COMPUTES
    assert all(n.is_maintenance for n in nodes.values()), \
        {name: (n.is_maintenance, n.maintenance_reason) for name, n in nodes.items()}
    assert {name: n.driver for name, n in nodes.items()} == {
        "compute-01": "redfish", "compute-02": "redfish", "compute-03": "ipmi", "compute-04": "ipmi"}


def test_a_network_node_with_a_real_agent_and_two_storage_nodes(admin):
    """lab-network runs a real neutron-metadata-agent (state reports over RabbitMQ to neutron-rpc-server);
    lab-storage and lab-storage-02 each run a cinder-volume, the second with a finite 200 GB pool."""
    agents = wait_until(lambda: [a for a in admin.network.agents() if a.host == "lab-network" and a.is_alive],
                        timeout=60, what="the metadata agent on lab-network alive")
    assert [a.agent_type for a in agents] == ["Metadata agent"]
    volume = {s.host: s.state for s in admin.block_storage.services() if s.binary == "cinder-volume"}
    assert volume == {CINDER_HOST: "up", "lab-storage-02@labpool": "up"}, volume
    pools = {p.name: p.capabilities for p in admin.block_storage.backend_pools(details=True)}
    assert pools["lab-storage-02@labpool#labpool"]["total_capacity_gb"] == 200, pools
    assert pools[CINDER_HOST + "#labfake"]["total_capacity_gb"] == "infinite", pools
