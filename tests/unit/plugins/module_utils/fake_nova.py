# -*- coding: utf-8 -*-
"""A Nova in memory behind the NovaActions interface: the network boundary of the drain and the windows.

The same Nova is served over HTTP by ``fake_nova_http.serve`` (requests-mock routes), so the access
layer's real ``Nova`` facade can drive it: both ways see one simulation.

It moves servers the way Nova does, one step per look at the server: a live
migration keeps the server on its host with task state ``migrating`` for a
few looks, then lands it on another host with a ``completed`` migration
record; a cold migration goes to VERIFY_RESIZE on the new host until it is
confirmed. Failures are set per server in ``behaviour``: ``error`` (the
migration record ends in ``error`` and the server stays on its source),
``stuck`` (the task state never clears), ``refuse`` (HTTP 409 on the action), ``limbo`` (the task state
clears, the server stays and the record stays ``running``),
``race`` (another request for the same move got there first: the move starts, and this
request fails with HTTP 500 UnexpectedTaskStateError, as Nova answers two requests racing),
``lag`` (the record says ``post-migrating`` for a few looks after the server
landed), ``confirm_stuck`` (a confirmed cold migration never leaves
VERIFY_RESIZE). A server in ERROR gets HTTP 409 on every action, as in Nova.

``peak`` is the most servers ever in motion at once (counted when a move or
stop starts), ``group_peak`` the same per server group, ``writes`` every
call that changes something.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError

HOST_KEY = "OS-EXT-SRV-ATTR:host"
TASK_KEY = "OS-EXT-STS:task_state"


class FakeClock:
    """clock() and sleep() for HostDrain and MaintenanceWindows; now() moves with them."""

    def __init__(self, start: float = 1000.0, utc: Optional[datetime] = None) -> None:
        self.t = start
        self.t0 = start
        self.utc0 = utc or datetime(2026, 12, 4, 10, 0, 0, tzinfo=timezone.utc)
        self.sleeps: List[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> datetime:
        return (self.utc0 + timedelta(seconds=self.t - self.t0)).replace(microsecond=0)


@dataclass
class Op:
    kind: str            # live, cold, stop, lag (landed, record not finished yet)
    looks: int           # looks left before it finishes
    dest: Optional[str]
    migration: Optional[Dict[str, Any]]
    outcome: str         # ok, error, stuck
    prev_status: str
    lag: int = 0


class FakeNova:
    def __init__(self, hosts=("compute-01", "compute-02", "compute-04"), services=None, looks: int = 3) -> None:
        self.hosts = list(hosts)
        self.services = services  # a FakeComputeProxy (conftest) to read compute services from, or None
        self.looks = looks
        self.confirm_looks = 2
        self._servers: Dict[str, Dict[str, Any]] = {}
        self._migrations: Dict[str, List[Dict[str, Any]]] = {}
        self._groups: Dict[str, List[str]] = {}
        self._aggregates: Dict[str, Dict[str, Any]] = {}
        self.ops: Dict[str, Op] = {}
        self.behaviour: Dict[str, str] = {}
        self.lag: Dict[str, int] = {}
        self.writes: List[tuple] = []
        self.actions: List[tuple] = []
        self.peak = 0
        self.group_peak: Dict[str, int] = {}
        self.looks_at: Dict[str, int] = {}
        self.max_looks = 10000  # a drain that never ends fails the test instead of hanging it
        self._ids = itertools.count(1)
        self._time = itertools.count(1)

    # -- building the cloud -------------------------------------------------------
    def add_server(self, sid: str, host: str = "compute-01", status: str = "ACTIVE", project: str = "tenant-a",
                   name: Optional[str] = None, metadata: Optional[Dict[str, str]] = None,
                   groups=()) -> Dict[str, Any]:
        self._servers[sid] = {"id": sid, "name": name or sid, "tenant_id": project, "status": status,
                              HOST_KEY: host, TASK_KEY: None, "metadata": dict(metadata or {}),
                              "fault": {"message": "boom"} if status == "ERROR" else None}
        for group in groups:
            self._groups.setdefault(group, []).append(sid)
        return self._servers[sid]

    def raw(self, sid: str) -> Dict[str, Any]:
        return self._servers[sid]

    def host_of(self, sid: str) -> Optional[str]:
        return self._servers[sid][HOST_KEY]

    def on(self, host: str) -> List[str]:
        return sorted(sid for sid, s in self._servers.items() if s[HOST_KEY] == host)

    def delete(self, sid: str) -> None:
        self._servers.pop(sid, None)
        self.ops.pop(sid, None)

    # -- reads ----------------------------------------------------------------------
    def servers_on_host(self, host: str) -> List[Dict[str, Any]]:
        return [copy.deepcopy(s) for s in self._servers.values() if s[HOST_KEY] == host]

    def servers(self, **params: Any) -> List[Dict[str, Any]]:
        return [copy.deepcopy(s) for s in self._servers.values()]

    def server(self, server_id: str) -> Optional[Dict[str, Any]]:
        if server_id not in self._servers:
            return None
        self.looks_at[server_id] = self.looks_at.get(server_id, 0) + 1
        if self.looks_at[server_id] > self.max_looks:
            raise AssertionError("server %s looked at %d times: the drain does not end" % (server_id, self.max_looks))
        self._advance(server_id)
        return copy.deepcopy(self._servers[server_id])

    def migrations(self, server_id: str) -> List[Dict[str, Any]]:
        found = self._migrations.get(server_id, [])
        return copy.deepcopy(sorted(found, key=lambda m: (m["created_at"], m["id"]), reverse=True))

    def server_groups(self) -> Dict[str, List[str]]:
        members: Dict[str, List[str]] = {}
        for gid, sids in self._groups.items():
            for sid in sids:
                members.setdefault(sid, []).append(gid)
        return members

    def aggregates(self) -> List[Dict[str, Any]]:
        return copy.deepcopy(list(self._aggregates.values()))

    def hypervisors(self) -> List[Dict[str, Any]]:
        """GET /os-hypervisors/detail (2.53): one per compute service's host, sized by ``capacity``
        (host -> (vcpus, memory_mb), default 32 vCPU, 64 GB), each server on it using 1 vCPU and 1 GB."""
        capacity = getattr(self, "capacity", {})
        out = []
        for rec in self._service_records().values():
            host = rec["host"]
            vcpus, memory_mb = capacity.get(host, (32, 65536))
            running = len(self.on(host))
            out.append({"id": "hv-%s" % host, "hypervisor_hostname": host, "hypervisor_type": "fake",
                        "hypervisor_version": 1, "service": {"id": rec["id"], "host": host},
                        "state": rec.get("state", "up"), "status": rec["status"], "running_vms": running,
                        "vcpus": vcpus, "vcpus_used": running, "memory_mb": memory_mb,
                        "memory_mb_used": 1024 * running, "local_gb": 500, "local_gb_used": 0,
                        "host_ip": "192.0.2.%d" % (len(out) + 10)})
        return out

    def compute_services(self) -> List[Dict[str, Any]]:
        return [{"id": r["id"], "host": r["host"], "binary": r["binary"], "zone": r.get("zone", "nova"),
                 "status": r["status"], "state": r.get("state", "up"), "disabled_reason": r.get("disabled_reason"),
                 "forced_down": bool(r.get("forced_down")), "updated_at": r.get("updated_at")}
                for r in self._service_records().values()]

    def _service_records(self) -> Dict[str, Dict[str, Any]]:
        """The service records: conftest's FakeComputeProxy's when given, else one enabled nova-compute per host."""
        if self.services is not None:
            return self.services._services
        if not hasattr(self, "_own_services"):
            self._own_services = {"svc-%s" % h: {"id": "svc-%s" % h, "host": h, "binary": "nova-compute",
                                                 "status": "enabled", "state": "up", "disabled_reason": None}
                                  for h in self.hosts}
        return self._own_services

    def update_service(self, service_id: str, changes: Dict[str, Any]) -> Dict[str, Any]:
        """PUT /os-services/{id} (2.53): status (enabling clears the reason), disabled_reason, forced_down."""
        rec = self._service_records().get(service_id)
        if rec is None:
            raise NotFoundError("service %s: not found" % service_id, resource=service_id)
        self.writes.append(("update_service", service_id, dict(changes)))
        if self.services is not None:  # conftest's FakeComputeProxy: its record of writes, as its own calls make
            self.services.calls.append(_proxy_call(service_id, changes))
        if changes.get("status") == "enabled":
            rec["disabled_reason"] = None
        rec.update(changes)
        if changes.get("forced_down"):
            rec["state"] = "down"
        return next(s for s in self.compute_services() if s["id"] == service_id)

    # -- actions ----------------------------------------------------------------------
    def create_aggregate(self, name: str) -> Dict[str, Any]:
        self.writes.append(("create_aggregate", name))
        if any(a["name"] == name for a in self._aggregates.values()):
            raise CloudError("create host aggregate %s failed (HTTP 409): exists" % name, status_code=409)
        agg_id = str(next(self._ids))
        self._aggregates[agg_id] = {"id": agg_id, "name": name, "hosts": [], "metadata": {}}
        return copy.deepcopy(self._aggregates[agg_id])

    def delete_aggregate(self, aggregate_id: str) -> None:
        self.writes.append(("delete_aggregate", str(aggregate_id)))
        agg = self._aggregates.get(str(aggregate_id))
        if agg is None:
            raise NotFoundError("Aggregate %s could not be found." % aggregate_id, resource=str(aggregate_id))
        if agg["hosts"]:
            raise CloudError("delete host aggregate failed (HTTP 400): Cannot remove aggregate %s: it has hosts"
                             % aggregate_id, status_code=400)
        del self._aggregates[str(aggregate_id)]

    def aggregate_action(self, aggregate_id: str, action: str, value: Any, what: str) -> Dict[str, Any]:
        self.writes.append(("aggregate_action", aggregate_id, action, copy.deepcopy(value)))
        agg = self._aggregates.get(str(aggregate_id))
        if agg is None:
            raise NotFoundError("%s %s: not found" % (what, aggregate_id), resource=str(aggregate_id))
        if action == "add_host":
            if value["host"] in agg["hosts"]:
                raise CloudError("%s failed (HTTP 409): host already in the aggregate" % what, status_code=409)
            agg["hosts"].append(value["host"])
        elif action == "remove_host":
            agg["hosts"].remove(value["host"])
        elif action == "set_metadata":
            for key, val in value["metadata"].items():
                if val is None:
                    agg["metadata"].pop(key, None)
                    continue
                if not isinstance(val, str) or len(val) > 255 or len(key) > 255:
                    raise CloudError("%s failed (HTTP 400): bad metadata %s=%r" % (what, key, val), status_code=400)
                agg["metadata"][key] = val
        else:
            raise AssertionError(action)
        return copy.deepcopy(agg)

    def live_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        self._begin(server_id, "live", host, ("ACTIVE", "PAUSED"), "os-migrateLive")

    def cold_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        self._begin(server_id, "cold", host, ("ACTIVE", "SHUTOFF"), "migrate")

    def confirm_resize(self, server_id: str) -> None:
        """As Nova: the record goes 'confirming' and the server stays VERIFY_RESIZE until the compute is done.

        A second confirm meanwhile finds no 'finished' migration: HTTP 400 "Instance has not been resized".
        """
        server = self._get(server_id, "confirmResize")
        self.writes.append(("confirm_resize", server_id))
        if server["status"] != "VERIFY_RESIZE":
            raise self._conflict(server_id, "confirmResize", server)
        migration = self._migrations[server_id][-1]
        if migration["status"] != "finished":
            raise CloudError("confirm migration %s failed (HTTP 400): Instance has not been resized." % server_id,
                             call="confirm migration", resource=server_id, status_code=400)
        migration["status"] = "confirming"
        outcome = "stuck" if self.behaviour.get(server_id) == "confirm_stuck" else "ok"
        self.ops[server_id] = Op("confirm", self.confirm_looks, None, migration, outcome, server["_prev_status"])

    def stop(self, server_id: str) -> None:
        self._begin(server_id, "stop", None, ("ACTIVE",), "os-stop")

    def start(self, server_id: str) -> None:
        server = self._get(server_id, "os-start")
        self.writes.append(("start", server_id))
        if server["status"] != "SHUTOFF" or server[TASK_KEY]:
            raise self._conflict(server_id, "os-start", server)
        server["status"] = "ACTIVE"

    def set_metadata(self, server_id: str, items: Dict[str, str]) -> None:
        server = self._get(server_id, "set server metadata")
        self.writes.append(("set_metadata", server_id, dict(items)))
        for key, val in items.items():
            if not isinstance(val, str) or len(val) > 255 or len(key) > 255:
                raise CloudError("set server metadata %s failed (HTTP 400): bad %s=%r" % (server_id, key, val),
                                 call="set server metadata", resource=server_id, status_code=400)
        server["metadata"].update(items)

    def delete_metadata(self, server_id: str, key: str) -> None:
        self.writes.append(("delete_metadata", server_id, key))
        server = self._servers.get(server_id)
        if server is not None:
            server["metadata"].pop(key, None)

    # -- the simulation -----------------------------------------------------------------
    def in_motion(self) -> List[str]:
        return [sid for sid, op in self.ops.items() if op.kind in ("live", "cold", "stop")]

    def _schedulable(self, host: str) -> bool:
        """The scheduler's view: with compute services given, only hosts whose service is enabled."""
        if self.services is None:
            return True
        return any(r["host"] == host and r["status"] == "enabled" for r in self.services._services.values())

    def _get(self, server_id: str, what: str) -> Dict[str, Any]:
        if server_id not in self._servers:
            raise NotFoundError("%s %s: not found" % (what, server_id), resource=server_id)
        return self._servers[server_id]

    def _conflict(self, server_id: str, what: str, server: Dict[str, Any]) -> CloudError:
        return CloudError("%s %s failed (HTTP 409): Cannot '%s' instance %s while it is in vm_state %s, task_state %s"
                          % (what, server_id, what, server_id, server["status"].lower(), server[TASK_KEY]),
                          call=what, resource=server_id, status_code=409)

    def _begin(self, server_id: str, kind: str, host: Optional[str], allowed, what: str) -> None:
        server = self._get(server_id, what)
        self.actions.append((kind, server_id))
        self.writes.append((kind, server_id, host))
        if (server["status"] not in allowed or server[TASK_KEY] or server_id in self.ops
                or self.behaviour.get(server_id) == "refuse"):
            raise self._conflict(server_id, what, server)
        if self.behaviour.get(server_id) == "race":  # an earlier request got there first: ours fails
            self.behaviour[server_id] = "raced"
            self._begin(server_id, kind, host, allowed, what)
            self.actions.pop()
            raise CloudError("%s %s failed (HTTP 500): Unexpected API Error. <class "
                             "'nova.exception.UnexpectedTaskStateError'>" % (what, server_id), call=what,
                             resource=server_id, status_code=500)
        source = server[HOST_KEY]
        dest = host or next(h for h in self.hosts if h != source and self._schedulable(h))
        outcome = self.behaviour.get(server_id, "ok")
        outcome = "ok" if outcome == "raced" else outcome
        migration = None
        if kind in ("live", "cold"):
            migration = {"id": next(self._ids), "instance_uuid": server_id, "created_at": "2026-12-04T10:%05d" %
                         next(self._time), "source_compute": source, "dest_compute": dest,
                         "migration_type": "live-migration" if kind == "live" else "migration",
                         "status": "running" if kind == "live" else "pre-migrating"}
            self._migrations.setdefault(server_id, []).append(migration)
        self.ops[server_id] = Op(kind, self.looks, dest, migration, outcome if kind != "stop" else "ok",
                                 server["status"], self.lag.get(server_id, 0))
        server[TASK_KEY] = {"live": "migrating", "cold": "resize_prep", "stop": "powering-off"}[kind]
        if kind == "live":
            server["status"] = "MIGRATING"
        elif kind == "cold":
            server["status"] = "RESIZE"
        moving = self.in_motion()
        self.peak = max(self.peak, len(moving))
        for gid, members in self._groups.items():
            self.group_peak[gid] = max(self.group_peak.get(gid, 0), sum(1 for m in members if m in moving))

    def _advance(self, server_id: str) -> None:
        op = self.ops.get(server_id)
        if op is None:
            return
        server = self._servers[server_id]
        op.looks -= 1
        if op.kind == "lag":
            if op.looks <= 0:
                op.migration["status"] = "completed"
                del self.ops[server_id]
            return
        if op.kind == "confirm":
            if op.looks <= 0 and op.outcome != "stuck":
                server["status"] = server.pop("_prev_status")
                op.migration["status"] = "confirmed"
                del self.ops[server_id]
            return
        if op.looks > 0 or op.outcome == "stuck":
            return
        del self.ops[server_id]
        server[TASK_KEY] = None
        if op.kind == "stop":
            server["status"] = "SHUTOFF"
            return
        if op.outcome in ("error", "limbo"):  # limbo: Nova forgot the move but never closed its record
            server["status"] = op.prev_status
            if op.outcome == "error":
                op.migration["status"] = "error"
            return
        server[HOST_KEY] = op.dest
        op.migration["dest_host"] = op.dest
        if op.kind == "cold":
            server["status"] = "VERIFY_RESIZE"
            server["_prev_status"] = op.prev_status
            op.migration["status"] = "finished"
            return
        server["status"] = op.prev_status
        if op.lag:
            op.migration["status"] = "post-migrating"
            self.ops[server_id] = Op("lag", op.lag, op.dest, op.migration, "ok", op.prev_status)
        else:
            op.migration["status"] = "completed"


def _proxy_call(service_id: str, changes: Dict[str, Any]) -> tuple:
    """What FakeComputeProxy records for the same change made through its SDK-shaped methods."""
    if "forced_down" in changes:
        return ("forced_down", service_id, changes["forced_down"])
    if changes.get("status") == "disabled":
        return ("disable", service_id, changes.get("disabled_reason"))
    return ("enable", service_id)


def add_compute_services(proxy, *hosts: str) -> None:
    """More enabled nova-compute services in conftest's FakeComputeProxy (somewhere to move servers to)."""
    for host in hosts:
        sid = "svc-%s" % host
        proxy._services[sid] = dict(id=sid, host=host, binary="nova-compute", zone="az1", status="enabled")


class FakeResponse:
    def __init__(self, body):
        self._body = body

    def json(self):
        return self._body


class FakeIdentity:
    """``conn.identity.get('/projects')``: projects with their extra properties, as Keystone lists them."""

    def __init__(self, projects=None, fail: bool = False):
        self.projects = projects if projects is not None else [
            {"id": "tenant-a", "name": "shop"}, {"id": "tenant-b", "name": "lab"}]
        self.fail = fail
        self.gets = 0

    def get(self, path, headers=None):
        assert path == "/projects"
        self.gets += 1
        if self.fail:
            raise RuntimeError("403 Forbidden")
        return FakeResponse({"projects": copy.deepcopy(self.projects)})
