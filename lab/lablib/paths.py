"""Where the lab keeps things and which ports it uses.

Everything the lab writes lives under LAB_DIR (``<repo>/.lab`` unless
``OSFLEET_LAB_DIR`` says otherwise). Every listening socket is on 127.0.0.1 in
the range 18000-18999 (see docs/lab.md).
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB_SRC = REPO / "lab"
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab")).resolve()
LOG_DIR = LAB_DIR / "logs"
RUN_DIR = LAB_DIR / "run"          # PID files
ETC_DIR = LAB_DIR / "etc"          # generated service configuration
DATA_DIR = LAB_DIR / "data"        # service state (glance images, cinder disks, ...)
CLOUDS_YAML = LAB_DIR / "clouds.yaml"
BMCS_YML = LAB_DIR / "bmcs.yml"
INVENTORY_DIR = LAB_DIR / "inventory"

HOST = "127.0.0.1"
PORT_RANGE = (18000, 18999)

# OpenStack API endpoints
PORTS = {
    "keystone": 18000,
    "placement": 18001,
    "glance": 18002,
    "nova": 18003,
    "neutron": 18004,
    "cinder": 18005,
    "ironic": 18006,
}
# Ironic's conductor: JSON-RPC (no RabbitMQ), 127.0.0.1 only
IRONIC_RPC_PORT = 18007
# the second site (region site-b, lablib.openstack.site_b): Ironic one series back, and Barbican (site A has none)
SITE_B_PORTS = {
    "ironic": 18010,
    "barbican": 18012,
}
# 18100-18399: Redfish BMC emulators (TCP); 18400-18699: IPMI BMC simulators (UDP);
# 18900-18999: receivers started by tests (webhooks).
REDFISH_PORT_BASE = 18100
IPMI_PORT_BASE = 18400
TEST_PORT_BASE = 18900

COMPUTES = ["compute-01", "compute-02", "compute-03", "compute-04"]
LEGACY_HOST = "legacy-01"

# Identities on the machine's shared MariaDB / RabbitMQ: the lab's own.
DB_USER = "osfleet_lab"
DB_PASSWORD = "osfleet-lab-db"
DB_PREFIX = "osflab_"
MQ_USER = "osfleet_lab"
MQ_PASSWORD = "osfleet-lab-mq"
MQ_VHOST = "osfleet-lab"


def ensure_dirs() -> None:
    for d in (LAB_DIR, LOG_DIR, RUN_DIR, ETC_DIR, DATA_DIR, INVENTORY_DIR):
        d.mkdir(parents=True, exist_ok=True)
