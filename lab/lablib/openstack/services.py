"""The OpenStack daemons of the lab: how each one starts and how it is checked."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .. import paths, procs
from ..procs import LabError
from .common import DRIVERS, ETC, VBIN, VPY, venv_env


@dataclass
class Service:
    name: str                       # daemon name (pid/log file stem)
    argv: List[str]
    env: Dict[str, str] = field(default_factory=dict)
    port: Optional[int] = None      # API port, None for RPC-only daemons
    compute: Optional[str] = None   # nova-compute host name

    def start(self) -> int:
        return procs.start(self.name, self.argv, env={**venv_env(), **self.env},
                           cwd=paths.LAB_DIR)

    def stop(self) -> bool:
        return procs.stop(self.name)

    def running(self) -> bool:
        return procs.running(self.name)

    def healthy(self) -> bool:
        return self.running() and (self.port is None or procs.port_open(self.port))


def _gunicorn(name: str, port: int, module: str, env: Dict[str, str], threads: int = 4,
              args: str = "", workers: int = 1) -> Service:
    argv = [str(VBIN / "gunicorn"),
            "--bind", f"{paths.HOST}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--no-control-socket",           # else all gunicorns share one control socket
            "--keep-alive", "75",            # 2 s default races pooled client connections
            "--limit-request-line", "0",     # Nova sends very long port-query URLs
            "--timeout", "300", "--graceful-timeout", "5",
            "--name", name,
            "osflab_wsgi:application"]
    return Service(name, argv, env={"OSFLAB_WSGI_MODULE": module, "OSFLAB_WSGI_ARGS": args,
                                    **env}, port=port)


def refuse_foreign_ports(svcs: List[Service]) -> None:
    """LabError when a service's port is taken by a process this lab did not start."""
    for s in svcs:
        if s.port and not s.running() and procs.port_open(s.port):
            raise LabError(s.name, f"{paths.HOST}:{s.port} is already in use by a process this "
                           "lab did not start (another lab checkout? see `ss -ltnp`)")


def nova_api_workers() -> int:
    """nova-api worker processes: OSFLEET_LAB_NOVA_API_WORKERS, else 2.

    A production nova-api runs several WSGI processes (typically one per core); the lab's 2 match
    the 2-core machines it runs on, and are what a client that reads in parallel can use. Every
    other API runs one worker to save memory (~180 MiB each)."""
    value = os.environ.get("OSFLEET_LAB_NOVA_API_WORKERS", "2")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"OSFLEET_LAB_NOVA_API_WORKERS must be a whole number >= 1, not {value!r}")
    return int(value)


def _conf(*rel: str) -> List[str]:
    out: List[str] = []
    for r in rel:
        out += ["--config-file", str(ETC / r)]
    return out


def compute_service(host: str) -> Service:
    return Service(f"nova-compute-{host}",
                   [str(VPY), str(DRIVERS / "osflab_nova_compute.py"),
                    *_conf("nova/nova.conf", f"nova/compute-{host}.conf")],
                   compute=host)


def api_services() -> List[Service]:
    P = paths.PORTS
    return [
        _gunicorn("keystone", P["keystone"], "keystone.wsgi.api",
                  {"OS_KEYSTONE_CONFIG_DIR": str(ETC / "keystone")}),
        _gunicorn("placement", P["placement"], "placement.wsgi.api",
                  {"OS_PLACEMENT_CONFIG_DIR": str(ETC / "placement")}),
        _gunicorn("glance-api", P["glance"], "glance.wsgi.api",
                  {"OS_GLANCE_CONFIG_DIR": str(ETC / "glance")}),
        _gunicorn("neutron-server", P["neutron"], "neutron.wsgi.api",
                  {"OS_NEUTRON_CONFIG_DIR": str(ETC / "neutron"),
                   "OS_NEUTRON_CONFIG_FILES": "neutron.conf;plugins/ml2/ml2_conf.ini"}),
        _gunicorn("nova-api", P["nova"], "nova.wsgi.osapi_compute",
                  {"OS_NOVA_CONFIG_DIR": str(ETC / "nova"),
                   "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"}, threads=8,
                  workers=nova_api_workers()),
        _gunicorn("cinder-api", P["cinder"], "cinder.wsgi.api", {},
                  args=" ".join(_conf("cinder/cinder.conf"))),
        _gunicorn("ironic-api", P["ironic"], "ironic.wsgi", {},
                  args=" ".join(_conf("ironic/ironic.conf"))),
    ]


def rpc_services() -> List[Service]:
    return [
        Service("nova-conductor", [str(VPY), str(DRIVERS / "osflab_nova_service.py"), "conductor",
                                   *_conf("nova/nova.conf")]),
        Service("nova-scheduler", [str(VPY), str(DRIVERS / "osflab_nova_service.py"), "scheduler",
                                   *_conf("nova/nova.conf")]),
        Service("cinder-scheduler", [str(VBIN / "cinder-scheduler"), *_conf("cinder/cinder.conf")]),
        Service("cinder-volume", [str(VPY), str(DRIVERS / "osflab_cinder_volume.py"),
                                  *_conf("cinder/cinder.conf")]),
        # the second storage node (lab-storage-02, backend labpool, a finite pool)
        Service("cinder-volume-02", [str(VPY), str(DRIVERS / "osflab_cinder_volume.py"),
                                     *_conf("cinder/cinder.conf", "cinder/cinder-volume-02.conf")]),
        # the agents' RPC (neutron-server is the API only) and the lab's one real agent: a network node
        Service("neutron-rpc-server", [str(VBIN / "neutron-rpc-server"),
                                       *_conf("neutron/neutron.conf", "neutron/plugins/ml2/ml2_conf.ini",
                                              "neutron/neutron-agents.conf")]),
        Service("neutron-metadata-agent", [str(VBIN / "neutron-metadata-agent"),
                                           *_conf("neutron/neutron.conf", "neutron/neutron-agents.conf")]),
        # one process (drivers/osflab_ironic_conductor.py); JSON-RPC on 127.0.0.1:18007
        Service("ironic-conductor", [str(VPY), str(DRIVERS / "osflab_ironic_conductor.py"),
                                     *_conf("ironic/ironic.conf")]),
    ]


def all_services() -> List[Service]:
    return api_services() + rpc_services() + [compute_service(h) for h in paths.COMPUTES]


def by_name(name: str) -> Service:
    for s in all_services():
        if s.name == name:
            return s
    raise KeyError(name)
