"""Names shared by the OpenStack part of the lab: venv, config dirs, URLs, stamps."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .. import paths

PKG_DIR = Path(__file__).resolve().parent
TEMPLATES = PKG_DIR / "templates"
DRIVERS = PKG_DIR / "drivers"          # imported by the services (PYTHONPATH)
TOOLS = PKG_DIR / "tools"              # scripts run with the venv's python
REQUIREMENTS = PKG_DIR / "requirements.txt"

VENV = paths.LAB_DIR / "venv"
VPY = VENV / "bin" / "python"
VBIN = VENV / "bin"
VENV_STAMP = VENV / ".osflab-requirements.sha256"

ETC = paths.ETC_DIR                    # <lab>/etc/<service>/...
DATA = paths.DATA_DIR                  # <lab>/data/<service>/...
STAMPS = paths.LAB_DIR / "stamps"      # "initialised" markers (wiped by reset)

HOST = paths.HOST
REGION = "RegionOne"
ADMIN_PASSWORD = "osfleet-lab-admin"
SERVICE_PASSWORD = "osfleet-lab-service"
USER_PASSWORD = "osfleet-lab-user"
SERVICE_PROJECT = "service"
SERVICE_USERS = ("glance", "placement", "nova", "neutron", "cinder", "ironic")

DATABASES = {
    "keystone": "keystone",
    "placement": "placement",
    "glance": "glance",
    "nova_api": "nova_api",
    "nova_cell0": "nova_cell0",
    "nova": "nova",
    "neutron": "neutron",
    "cinder": "cinder",
    "ironic": "ironic",
    "ironic_b": "ironic_b",        # the second site's (site_b.py)
    "barbican_b": "barbican_b",
    "meta": "labmeta",      # the lab's own: which lab directory initialised these
}

CINDER_BACKEND = "labfake"
CINDER_HOST = "lab-storage"
CONTROLLER_HOST = "lab-controller"
NETWORK_HOST = "lab-network"
#: a second storage node: its own cinder-volume process and backend, with a finite pool (the first one's is
#: "infinite", as Cinder's fake driver reports), so the fleet has more than one storage node to show
CINDER_HOST_2 = "lab-storage-02"
CINDER_BACKEND_2 = "labpool"
CINDER_POOL_2_GB = 200
# the conductor's host name is where the API sends JSON-RPC calls: an address
IRONIC_HOST = HOST
MANAGEABLE_JSON = DATA / "cinder-manageable.json"


def url(service: str) -> str:
    return f"http://{HOST}:{paths.PORTS[service]}"


KEYSTONE_URL = url("keystone") + "/v3"


def db_url(key: str) -> str:
    return (f"mysql+pymysql://{paths.DB_USER}:{paths.DB_PASSWORD}@{HOST}:3306/"
            f"{db_name(key)}?charset=utf8mb4")


def _db_prefix() -> str:
    """``osflab_`` for the repo's own .lab; a lab in another directory
    (OSFLEET_LAB_DIR) gets ``osflab_<hash>_`` so resetting it cannot drop the
    databases of another lab on the same MariaDB (ports are still shared)."""
    if paths.LAB_DIR == (paths.REPO / ".lab").resolve():
        return paths.DB_PREFIX
    return f"{paths.DB_PREFIX}{hashlib.sha1(str(paths.LAB_DIR).encode()).hexdigest()[:6]}_"


def db_name(key: str) -> str:
    return _db_prefix() + DATABASES[key]


def mq_url() -> str:
    return f"rabbit://{paths.MQ_USER}:{paths.MQ_PASSWORD}@{HOST}:5672/{paths.MQ_VHOST}"


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamp(name: str) -> Path:
    return STAMPS / f"{name}.done"


def venv_env() -> dict:
    """Environment for anything run from the lab venv."""
    return {"PATH": f"{VBIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "VIRTUAL_ENV": str(VENV),
            "PYTHONPATH": str(DRIVERS),
            "PYTHONDONTWRITEBYTECODE": "1",
            "OSFLAB_DIR": str(paths.LAB_DIR)}
