"""Generate every service's configuration under <lab>/etc from templates/."""
from __future__ import annotations

import shutil
from string import Template

from .. import paths
from .common import (CINDER_BACKEND, CINDER_BACKEND_2, CINDER_HOST, CINDER_HOST_2, CINDER_POOL_2_GB,
                     CONTROLLER_HOST, DATA, ETC, IRONIC_HOST, KEYSTONE_URL,
                     MANAGEABLE_JSON, NETWORK_HOST, REGION, SERVICE_PASSWORD, SERVICE_PROJECT,
                     TEMPLATES, VENV, db_url, mq_url, url)

DB_POOL = "max_pool_size = 5\nmax_overflow = 5\npool_timeout = 60\nconnection_recycle_time = 600"


def _svcauth(user: str) -> str:
    """keystoneauth password options of service user ``user`` (for a client section)."""
    return "\n".join([
        "auth_type = password",
        f"auth_url = {KEYSTONE_URL}",
        f"username = {user}",
        f"password = {SERVICE_PASSWORD}",
        f"project_name = {SERVICE_PROJECT}",
        "user_domain_name = Default",
        "project_domain_name = Default",
    ])


def _authtoken(user: str) -> str:
    return "\n".join([
        "[keystone_authtoken]",
        f"www_authenticate_uri = {KEYSTONE_URL}",
        f"region_name = {REGION}",
        "interface = public",
        "service_token_roles_required = true",
        "service_token_roles = service",
        _svcauth(user),
    ])


def values() -> dict:
    v = {
        "etc": str(ETC), "data": str(DATA), "venv": str(VENV), "region": REGION,
        "mq_url": mq_url(), "db_pool": DB_POOL,
        "controller_host": CONTROLLER_HOST, "network_host": NETWORK_HOST,
        "cinder_host": CINDER_HOST, "cinder_backend": CINDER_BACKEND,
        "manageable_json": str(MANAGEABLE_JSON), "glance_url": url("glance"),
        "ironic_host": IRONIC_HOST, "host_ip": paths.HOST,
        "ironic_rpc_port": paths.IRONIC_RPC_PORT,
        "cinder_host_2": CINDER_HOST_2, "cinder_backend_2": CINDER_BACKEND_2, "cinder_pool_2_gb": CINDER_POOL_2_GB,
        "manageable_json_2": str(DATA / "cinder-manageable-02.json"),
        # nothing asks the lab's metadata agent for metadata: it is there for its state reports
        "nova_metadata_port": paths.PORTS["nova"],
    }
    for key in ("keystone", "placement", "glance", "nova_api", "nova", "nova_cell0",
                "neutron", "cinder", "ironic"):
        v[f"db_{key}"] = db_url(key)
    for svc in ("placement", "glance", "nova", "neutron", "cinder", "ironic"):
        v[f"authtoken_{svc}"] = _authtoken(svc)
        v[f"svcauth_{svc}"] = _svcauth(svc)
    return v


def render(template: str, **extra) -> str:
    return Template((TEMPLATES / template).read_text()).substitute({**values(), **extra})


def _write(rel: str, text: str) -> None:
    dest = ETC / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.read_text() != text:
        dest.write_text(text)


def generate() -> None:
    """(Re)write all configuration files; cheap, done on every up()."""
    for d in ("glance/images", "glance/staging", "glance/tasks", "glance/locks",
              "nova/locks", "neutron/locks", "cinder/locks", "cinder/coordination",
              "ironic/locks"):
        (DATA / d).mkdir(parents=True, exist_ok=True)
    for sub in ("keystone/fernet-keys", "keystone/credential-keys"):
        (ETC / sub).mkdir(parents=True, exist_ok=True)
    _write("keystone/keystone.conf", render("keystone.conf"))
    _write("placement/placement.conf", render("placement.conf"))
    _write("glance/glance-api.conf", render("glance-api.conf"))
    _write("nova/nova.conf", render("nova.conf"))
    for host in paths.COMPUTES:
        (DATA / "nova" / host / "locks").mkdir(parents=True, exist_ok=True)
        _write(f"nova/compute-{host}.conf", render("nova-compute.conf", name=host))
    _write("neutron/neutron.conf", render("neutron.conf"))
    _write("neutron/plugins/ml2/ml2_conf.ini", render("ml2_conf.ini"))
    _write("neutron/neutron-agents.conf", render("neutron-agents.conf"))
    _write("cinder/cinder.conf", render("cinder.conf"))
    _write("cinder/cinder-volume-02.conf", render("cinder-volume-02.conf"))
    _write("ironic/ironic.conf", render("ironic.conf"))
    # paste pipelines ship in the venv
    for svc, name in (("nova", "api-paste.ini"), ("neutron", "api-paste.ini"),
                      ("cinder", "api-paste.ini"), ("glance", "glance-api-paste.ini")):
        src = VENV / "etc" / svc / name
        _write(f"{svc}/{name}", src.read_text())
    cinder_filters = VENV / "etc" / "cinder" / "resource_filters.json"
    if cinder_filters.exists():
        shutil.copyfile(cinder_filters, ETC / "cinder" / "resource_filters.json")
