"""First-run initialisation: databases, schema syncs, Keystone bootstrap, the
catalog and Neutron's stand-in OVS agents. Each step leaves a stamp under
<lab>/stamps so a restart skips it; reset() wipes stamps and databases."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import List, Tuple

from .. import paths, procs
from ..procs import LabError
from .common import (ADMIN_PASSWORD, DATA, DATABASES, ETC, KEYSTONE_URL, MANAGEABLE_JSON,
                     REGION, SERVICE_PASSWORD,
                     SERVICE_PROJECT, SERVICE_USERS, STAMPS, TOOLS, VBIN, VPY, db_name,
                     db_url, stamp, url, venv_env)
from .installer import lab_mysql


def _conf(rel: str) -> List[str]:
    return ["--config-file", str(ETC / rel)]


#: databases added after labs already existed: a lab initialised before them gets them
#: from their own step (ironic_schema) instead of being wiped and re-initialised
LATER_DATABASES = ("ironic", "ironic_b", "barbican_b")


def create_databases() -> None:
    lab_mysql(";".join(f"CREATE DATABASE IF NOT EXISTS `{db_name(k)}` CHARACTER SET utf8mb4"
                       for k in DATABASES), "mariadb (create databases)")


def owned() -> bool:
    """The databases exist and were initialised by THIS lab directory: the token
    in stamps/dbsync matches the one in the lab's meta database. False after a
    reset, on a fresh checkout, or when another checkout's lab re-initialised
    the shared databases (its node identities and keys would not match ours)."""
    try:
        mine = stamp("dbsync").read_text().split()[0]
    except (OSError, IndexError):
        return False
    try:
        out = lab_mysql("SHOW DATABASES", "mariadb (list databases)").split()
        if not all(db_name(k) in out for k in DATABASES if k not in LATER_DATABASES):
            return False
        theirs = lab_mysql(f"SELECT token FROM `{db_name('meta')}`.owner LIMIT 1",
                           "mariadb (lab token)").strip()
    except LabError:
        return False
    return theirs == mine


def drop_databases() -> None:
    try:
        lab_mysql(";".join(f"DROP DATABASE IF EXISTS `{db_name(k)}`" for k in DATABASES),
                  "mariadb (drop databases)")
    except LabError:
        if procs.port_open(3306):
            raise


def _parallel(jobs: List[Tuple[str, List[List[str]]]]) -> None:
    """Run several chains of commands at once (each chain in order); log to logs/."""
    running = []
    for name, chain in jobs:
        log = paths.LOG_DIR / f"init-{name}.log"
        script = " && ".join(subprocess.list2cmdline(c) for c in chain)
        fh = open(log, "ab")
        p = subprocess.Popen(["/bin/sh", "-c", script], stdout=fh, stderr=subprocess.STDOUT,
                             env={**venv_env()}, cwd=str(paths.LAB_DIR))
        fh.close()
        running.append((name, p, log))
    failed = []
    for name, p, log in running:
        if p.wait(timeout=1800) != 0:
            failed.append(f"{name} (exit {p.returncode}); log tail:\n{procs.tail(log, 20)}")
    if failed:
        raise LabError(f"db sync: {failed[0].split(' ')[0]}", "\n".join(failed))


def sync_schemas() -> None:
    if stamp("dbsync").exists():
        return
    t0 = time.monotonic()
    create_databases()
    nova = _conf("nova/nova.conf")
    ks = _conf("keystone/keystone.conf")
    _parallel([
        ("keystone", [[str(VBIN / "keystone-manage"), *ks, "db_sync"],
                      [str(VBIN / "keystone-manage"), *ks, "fernet_setup",
                       "--keystone-user", "root", "--keystone-group", "root"],
                      [str(VBIN / "keystone-manage"), *ks, "credential_setup",
                       "--keystone-user", "root", "--keystone-group", "root"],
                      [str(VBIN / "keystone-manage"), *ks, "bootstrap",
                       "--bootstrap-password", ADMIN_PASSWORD,
                       "--bootstrap-username", "admin",
                       "--bootstrap-project-name", "admin",
                       "--bootstrap-role-name", "admin",
                       "--bootstrap-service-name", "keystone",
                       "--bootstrap-region-id", REGION,
                       "--bootstrap-admin-url", KEYSTONE_URL,
                       "--bootstrap-internal-url", KEYSTONE_URL,
                       "--bootstrap-public-url", KEYSTONE_URL]]),
        ("placement", [[str(VBIN / "placement-manage"), *_conf("placement/placement.conf"),
                        "db", "sync"]]),
        ("glance", [[str(VBIN / "glance-manage"), *_conf("glance/glance-api.conf"), "db_sync"]]),
        ("nova", [[str(VBIN / "nova-manage"), *nova, "api_db", "sync"],
                  [str(VBIN / "nova-manage"), *nova, "cell_v2", "map_cell0",
                   "--database_connection", db_url("nova_cell0")],
                  [str(VBIN / "nova-manage"), *nova, "cell_v2", "create_cell", "--name", "cell1"],
                  [str(VBIN / "nova-manage"), *nova, "db", "sync"]]),
        ("neutron", [[str(VBIN / "neutron-db-manage"), *_conf("neutron/neutron.conf"),
                      *_conf("neutron/plugins/ml2/ml2_conf.ini"), "upgrade", "heads"]]),
        ("cinder", [[str(VBIN / "cinder-manage"), *_conf("cinder/cinder.conf"), "db", "sync"]]),
        ("ironic", [_ironic_dbsync()]),
    ])
    STAMPS.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    lab_mysql(f"USE `{db_name('meta')}`; CREATE TABLE IF NOT EXISTS owner "
              "(token VARCHAR(64) NOT NULL, lab_dir VARCHAR(1024), created DATETIME); "
              f"DELETE FROM owner; INSERT INTO owner VALUES ('{token}', "
              f"'{str(paths.LAB_DIR).replace(chr(39), '')}', UTC_TIMESTAMP())",
              "mariadb (lab token)")
    stamp("dbsync").write_text(f"{token} {time.monotonic() - t0:.0f}s\n")
    stamp("dbsync-ironic").write_text("ok\n")


def _ironic_dbsync() -> List[str]:
    return [str(VBIN / "ironic-dbsync"), *_conf("ironic/ironic.conf"), "upgrade"]


def ironic_schema() -> None:
    """Ironic's database in a lab initialised before Ironic was part of it."""
    if stamp("dbsync-ironic").exists():
        return
    lab_mysql(f"CREATE DATABASE IF NOT EXISTS `{db_name('ironic')}` CHARACTER SET utf8mb4",
              "mariadb (create ironic database)")
    _parallel([("ironic", [_ironic_dbsync()])])
    stamp("dbsync-ironic").write_text("ok\n")


def catalog_spec() -> dict:
    return {
        "auth_url": KEYSTONE_URL, "admin_password": ADMIN_PASSWORD, "region": REGION,
        "service_project": SERVICE_PROJECT, "service_users": list(SERVICE_USERS),
        "service_password": SERVICE_PASSWORD,
        "services": [
            {"name": "placement", "type": "placement", "url": url("placement")},
            {"name": "glance", "type": "image", "url": url("glance")},
            {"name": "nova", "type": "compute", "url": url("nova") + "/v2.1"},
            {"name": "neutron", "type": "network", "url": url("neutron")},
            {"name": "cinderv3", "type": "block-storage", "url": url("cinder") + "/v3"},
            {"name": "ironic", "type": "baremetal", "url": url("ironic")},
        ],
    }


def _catalog_hash() -> str:
    return hashlib.sha256(json.dumps(catalog_spec(), sort_keys=True).encode()).hexdigest()


def catalog_current() -> bool:
    """The catalog was registered from the current spec (the stamp holds its hash), so a
    lab initialised before a service was added registers the new one on its next up()."""
    try:
        return stamp("catalog").read_text().split()[0] == _catalog_hash()
    except (OSError, IndexError):
        return False


def register_catalog() -> None:
    """Idempotent (tools/catalog.py creates only what is missing)."""
    if catalog_current():
        return
    catalog_tool(catalog_spec(), "keystone (catalog)")
    stamp("catalog").write_text(_catalog_hash() + "\n")


def catalog_tool(spec: dict, what: str) -> None:
    """tools/catalog.py with ``spec``: the region's service users, services and endpoints that are missing."""
    procs.run([str(VPY), str(TOOLS / "catalog.py")], what,
              env={**venv_env(), "OSFLAB_CATALOG": json.dumps(spec)}, timeout=300)


def fake_ovs_agents() -> None:
    """One "Open vSwitch agent" row per compute, heartbeat far in the future, so the
    ML2 openvswitch mechanism driver binds ports on every compute (no agents run)."""
    conf = json.dumps({
        "bridge_mappings": {"physnet1": "br-ex"},
        "tunnel_types": ["vxlan"],
        "tunneling_ip": "127.0.0.1",
        "integration_bridge": "br-int",
        "datapath_type": "system",
        "ovs_hybrid_plug": False,
        "ovs_capabilities": {"datapath_types": ["netdev", "system"],
                             "iface_types": ["geneve", "gre", "internal", "patch", "system",
                                             "tap", "vxlan"]},
        "l2_population": False,
        "enable_distributed_routing": False,
    }).replace("'", "''")
    rows = []
    for i, host in enumerate(paths.COMPUTES, 1):
        aid = f"05f1ab00-0000-4000-8000-{i:012d}"
        rows.append(
            f"('{aid}', 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', '{host}', "
            f"NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP(), '2099-01-01 00:00:00', "
            f"'lab stand-in (no agent runs)', '{conf}', NULL, 0, 1)")
    lab_mysql(
        f"USE `{db_name('neutron')}`; INSERT INTO agents (id, agent_type, `binary`, topic, host, "
        "availability_zone, admin_state_up, created_at, started_at, heartbeat_timestamp, "
        "description, configurations, resource_versions, `load`, resources_synced) VALUES "
        + ", ".join(rows) +
        " ON DUPLICATE KEY UPDATE heartbeat_timestamp = VALUES(heartbeat_timestamp), "
        "configurations = VALUES(configurations), admin_state_up = 1",
        "neutron (stand-in OVS agents)")


def wipe_state() -> None:
    """Databases, stamps, generated config and service data of the OpenStack part
    (other parts' files under <lab>/data and <lab>/etc stay); the venv stays."""
    drop_databases()
    for sub in ("keystone", "placement", "glance", "nova", "neutron", "cinder", "ironic"):
        shutil.rmtree(ETC / sub, ignore_errors=True)
    for sub in ("glance", "nova", "neutron", "cinder", "ironic"):
        shutil.rmtree(DATA / sub, ignore_errors=True)
    shutil.rmtree(STAMPS, ignore_errors=True)
    for f in (MANAGEABLE_JSON, paths.CLOUDS_YAML):
        Path(f).unlink(missing_ok=True)
