"""OpenStack services of the lab (owned by the OpenStack part of the lab).

Real Keystone, Placement, Glance, Nova (api, conductor, scheduler, four fake-driver
computes), Neutron (ML2/openvswitch with stand-in agents), Cinder (file-backed
fake backend) and Ironic (BMC inventory only: nodes in maintenance, no power sync)
from PyPI, in <lab>/venv, served on 127.0.0.1:18000-18006.

    installer.py  venv + MariaDB/RabbitMQ identities     config.py   <lab>/etc from templates/
    initdb.py     schemas, bootstrap, catalog, agents     services.py the daemons
    seeddata.py   seed spec, clouds.yaml, legacy disks     api.py      stdlib health checks
    tools/        scripts run by the venv's python        drivers/    code the services import
"""
from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import time

from .. import paths, procs
from ..procs import LabError
from . import api, config, initdb, installer, seeddata, services
from .common import TOOLS, VPY, stamp, venv_env

HEALTH_TIMEOUT = 240.0


def install() -> None:
    installer.install()


def _utcnow() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _check_alive(svcs) -> None:
    for s in svcs:
        if not s.running():
            raise LabError(s.name, f"exited during start; log tail:\n{procs.tail(procs.logfile(s.name))}")


def _wait_healthy(since: str, timeout: float = HEALTH_TIMEOUT) -> None:
    """Every API answers, 4 nova-computes up (and reported since ``since``), cinder-volume up,
    ironic-conductor serves JSON-RPC."""
    svcs = services.all_services()
    deadline = time.monotonic() + timeout
    last = "starting"
    while time.monotonic() < deadline:
        _check_alive(svcs)
        try:
            state = api.compute_state()
            fresh = [h for h in paths.COMPUTES
                     if h in state and state[h][0] and state[h][1]
                     and (not state[h][2] or state[h][2] >= since)]
            vols = [v for v in api.volume_services()
                    if v["binary"] == "cinder-volume" and v["state"] == "up"
                    and (not v.get("updated_at") or v["updated_at"] >= since)]
            conductor = procs.port_open(paths.IRONIC_RPC_PORT)   # ironic-conductor's JSON-RPC
            last = (f"computes up {len(fresh)}/{len(paths.COMPUTES)}, cinder-volume up {len(vols)}, "
                    f"ironic-conductor {'up' if conductor else 'not listening'}")
            if (len(fresh) == len(paths.COMPUTES) and vols and conductor
                    and all(api.answers(k) for k in paths.PORTS)):
                return
        except Exception as exc:  # APIs still warming up
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(2)
    raise LabError("openstack (health)", f"not healthy after {timeout:.0f}s: {last}\n"
                   f"nova-compute-{paths.COMPUTES[0]} log tail:\n"
                   f"{procs.tail(procs.logfile('nova-compute-' + paths.COMPUTES[0]), 15)}")


def _run_tool(what: str, *args: str, timeout: float = 3600.0) -> str:
    return procs.run([str(VPY), str(TOOLS / "seed.py"), *args], what, timeout=timeout,
                     env={**venv_env(), "OSFLAB_SEED": json.dumps(seeddata.spec())})


def up() -> None:
    paths.ensure_dirs()
    since = _utcnow()
    t0 = time.monotonic()
    if not initdb.owned():
        # first up in this lab directory, its databases are gone, or another
        # checkout's lab re-initialised them: start clean (their node identities,
        # fernet keys and stamps would not match this directory's)
        down()
        initdb.wipe_state()
    config.generate()
    seeddata.ensure_manageable_disks()
    seeddata.write_clouds_yaml()
    initdb.sync_schemas()
    initdb.ironic_schema()
    initdb.fake_ovs_agents()
    svcs = services.all_services()
    services.refuse_foreign_ports(svcs)
    keystone = services.by_name("keystone")
    keystone.start()
    if not initdb.catalog_current():
        procs.wait_port(keystone.name, keystone.port)
        initdb.register_catalog()
    for s in svcs:
        s.start()
    for s in svcs:
        if s.port:
            procs.wait_port(s.name, s.port, timeout=180)
    _wait_healthy(since)
    print(f"[lab] openstack: services healthy ({time.monotonic() - t0:.0f}s)", flush=True)
    if not stamp("seed").exists():
        t1 = time.monotonic()
        out = _run_tool("openstack (seed)", "seed")
        stamp("seed").write_text(out)
        print(f"[lab] openstack: seeded ({time.monotonic() - t1:.0f}s): {out.strip().splitlines()[-1:]}",
              flush=True)
    if not stamp("unused").exists():   # own stamp: labs seeded before the audit get them too
        out = _run_tool("openstack (unused resources)", "unused", timeout=600)
        stamp("unused").write_text(out)
        print(f"[lab] openstack: {out.strip().splitlines()[-1]}", flush=True)
    if not stamp("ironic-nodes").exists():   # own stamp: labs seeded before Ironic get them too
        out = _run_tool("openstack (ironic nodes)", "ironic", timeout=300)
        stamp("ironic-nodes").write_text(out)
        print(f"[lab] openstack: {out.strip().splitlines()[-1]}", flush=True)


def stop_services(svcs, grace: float = 8.0) -> None:
    """SIGTERM every daemon's process group at once, give them ``grace`` seconds
    together, then let procs.stop() finish (SIGKILL) the stragglers."""
    pids = [p for p in (procs.read_pid(s.name) for s in svcs) if p]
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(procs.group_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if procs.group_alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for s in svcs:
        procs.stop(s.name, timeout=5)


def down() -> None:
    from . import site_b
    stop_services(site_b.services() + list(reversed(services.all_services())))


def status() -> list:
    rows = []
    for s in services.all_services():
        pid = procs.read_pid(s.name)
        if not pid:
            rows.append((s.name, False, "stopped"))
            continue
        ok = s.port is None or procs.port_open(s.port)
        where = f", port {s.port}" + ("" if ok else " NOT answering") if s.port else ""
        rows.append((s.name, ok, f"pid {pid}{where}"))
    try:
        state = api.compute_state()
        n = sum(1 for h in paths.COMPUTES if h in state and state[h][0] and state[h][1])
        down_hosts = [h for h in paths.COMPUTES if not (h in state and state[h][0] and state[h][1])]
        rows.append((f"nova hypervisors up: {n}/{len(paths.COMPUTES)}", n == len(paths.COMPUTES),
                     ("down: " + ", ".join(down_hosts)) if down_hosts else "all up"))
    except Exception as exc:
        rows.append((f"nova hypervisors up: ?/{len(paths.COMPUTES)}", False,
                     f"cannot ask Nova: {type(exc).__name__}: {exc}"[:120]))
    return rows


def reset() -> None:
    down()
    initdb.wipe_state()


def _compute(host: str) -> "services.Service":
    if host not in paths.COMPUTES:
        raise LabError("openstack", f"{host!r} is not a lab compute ({', '.join(paths.COMPUTES)})")
    return services.compute_service(host)


def fault(host: str, kind: str) -> None:
    if kind != "compute_down":
        raise LabError("openstack", f"unknown OpenStack fault {kind!r} (compute_down)")
    _compute(host).stop()


def _lab_up() -> bool:
    return procs.running("nova-conductor") and procs.running("keystone")


def clear(host: str) -> None:
    """Undo compute_down: restart the host's nova-compute if the lab is up. Quiet no-op
    for hosts that are not computes or when it already runs."""
    if host in paths.COMPUTES and _lab_up():
        services.compute_service(host).start()


def compute_stop(host: str) -> None:
    _compute(host).stop()


def compute_start(host: str) -> None:
    svc = _compute(host)
    if not _lab_up():
        raise LabError(svc.name, "the lab's OpenStack is not up")
    svc.start()


#: the services a test may stop and start to see a node go down and come back (not the APIs)
STOPPABLE = ("neutron-metadata-agent", "cinder-volume", "cinder-volume-02")


def service_stop(name: str) -> None:
    if name not in STOPPABLE:
        raise LabError("openstack", f"{name!r}: only {', '.join(STOPPABLE)} are stopped this way")
    services.by_name(name).stop()


def service_start(name: str) -> None:
    if name not in STOPPABLE:
        raise LabError("openstack", f"{name!r}: only {', '.join(STOPPABLE)} are started this way")
    if not _lab_up():
        raise LabError(name, "the lab's OpenStack is not up")
    services.by_name(name).start()


def seed_servers(count: int) -> None:
    if not _lab_up():
        raise LabError("openstack (seed)", "the lab's OpenStack is not up")
    t0 = time.monotonic()
    # progress streams to the terminal (a 1,000-server seed takes ~40 min)
    rc = subprocess.run([str(VPY), str(TOOLS / "seed.py"), "servers", str(count)],
                        env={**os.environ, **venv_env(),
                             "OSFLAB_SEED": json.dumps(seeddata.spec())}).returncode
    if rc != 0:
        raise LabError("openstack (seed servers)", f"tools/seed.py servers {count} exited {rc}")
    print(f"[lab] openstack: seeded {count} servers in {time.monotonic() - t0:.0f}s")
