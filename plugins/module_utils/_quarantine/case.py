# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Quarantine a server for a security case, and release it.

Same shape as compute_service: ``plan()`` asks every step whether it is done
(each step checks the cloud, not a local state file), check mode reports the
plan, ``apply()`` runs the steps that are not done and reports each one for the
audit log. A run killed half-way leaves the case record in Glance (step one)
and the steps already finished; the next run plans only the rest.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import evidence as ev
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import volumes as qv
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import (
    PreState,
    canonical_json,
    capture,
    find_server,
    load_record,
    put_blob,
    server_ports,
    validate_case_id,
)
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.release import ReleaseSteps

QUARANTINE_STEPS = ("record", "lock", "mark", "restore_name", "isolate", "detach_floating_ips", "evidence", "share",
                    "power")
RELEASE_STEPS = ("restore_power", "restore_ports", "restore_floating_ips", "delete_group", "restore_lock",
                 "delete_evidence", "restore_marks")
POWER_STATUS = {"pause": "PAUSED", "stop": "SHUTOFF"}


class StopAfter(Exception):
    """Raised by apply(stop_after=...) to simulate a run killed after a step (tests)."""


@dataclass
class Options:
    case_id: str
    state: str = "quarantined"
    forensic_cidr: Optional[str] = None
    evidence_project: Optional[str] = None
    isolation: str = "security_group"
    power: str = "keep"
    delete_evidence: bool = False
    evidence_dir: Optional[str] = None
    timeout: int = 600

    def validate(self) -> None:
        validate_case_id(self.case_id)
        if self.forensic_cidr:
            try:
                ipaddress.ip_network(self.forensic_cidr, strict=False)
            except ValueError:
                raise ValidationError("forensic_cidr %r is not a CIDR" % self.forensic_cidr, field="forensic_cidr")
        if self.isolation not in ("security_group", "port_down"):
            raise ValidationError("isolation must be security_group or port_down", field="isolation")
        if self.power not in ("keep", "pause", "stop"):
            raise ValidationError("power must be keep, pause or stop", field="power")

    @property
    def lock_reason(self) -> str:
        return "osfleet quarantine case %s" % self.case_id

    @property
    def group_name(self) -> str:
        return "osfleet-quarantine-%s" % self.case_id


class Case(ReleaseSteps):
    """One server under one case; every ``<step>_done`` reads the cloud.

    ``evidence_conn`` makes a connection scoped to the evidence project (the
    investigators' credentials) to accept volume transfers; without it the
    operator's credentials are re-scoped to that project.
    """

    def __init__(self, conn: Any, server_ref: str, options: Options,
                 evidence_conn: Optional[Callable[[], Any]] = None) -> None:
        options.validate()
        self.conn = conn
        self.evidence_conn = evidence_conn
        self.opts = options
        self.server = find_server(conn, server_ref)
        loaded = load_record(conn, options.case_id)
        self.record: Optional[PreState] = loaded[0] if loaded else None
        self.record_artifact: Optional[Dict[str, Any]] = loaded[1] if loaded else None
        if self.record is not None and self.record.server_id != self.server.id:
            raise ValidationError("case %s records server %s, not %s" % (options.case_id, self.record.server_id,
                                                                         self.server.id), field="case_id")
        self.manifest: Optional[Dict[str, Any]] = None
        self._evidence_project_id: Optional[str] = None

    # -- reading ---------------------------------------------------------------
    def refresh(self) -> None:
        with api_call("get server", resource=self.server.id):
            self.server = self.conn.compute.get_server(self.server.id)

    def group(self) -> Optional[Any]:
        with api_call("find security group", resource=self.opts.group_name):
            groups = self.conn.network.security_groups(name=self.opts.group_name, project_id=self.server.project_id)
            found = [g for g in groups if g.name == self.opts.group_name]
        return found[0] if found else None

    def evidence_project_id(self) -> Optional[str]:
        if self.opts.evidence_project and self._evidence_project_id is None:
            with api_call("find project", resource=self.opts.evidence_project):
                project = self.conn.identity.find_project(self.opts.evidence_project, ignore_missing=False)
            self._evidence_project_id = project.id
        return self._evidence_project_id

    def state(self) -> Dict[str, Any]:
        """What diff shows: the server's lock, marks, power and each port's isolation."""
        ports = server_ports(self.conn, self.server.id)
        return {"status": self.server.status, "locked": bool(self.server.is_locked),
                "locked_reason": getattr(self.server, "locked_reason", None),
                "metadata": dict(self.server.metadata or {}), "tags": sorted(self.server.tags or []),
                "ports": {p.id: {"security_group_ids": sorted(p.security_group_ids or []),
                                 "port_security_enabled": p.is_port_security_enabled,
                                 "admin_state_up": p.is_admin_state_up} for p in ports},
                "floating_ips": sorted(f.floating_ip_address for f in self._fips())}

    def _fips(self) -> List[Any]:
        with api_call("list floating IPs", resource=self.server.id):
            ports = {p.id for p in server_ports(self.conn, self.server.id)}
            recorded = {f.id for f in self.record.floating_ips} if self.record else set()
            return [f for f in self.conn.network.ips() if f.port_id in ports or (f.id in recorded and f.port_id)]

    # -- quarantine: done-ness ---------------------------------------------------
    def record_done(self) -> bool:
        return self.record is not None

    def lock_done(self) -> bool:
        return bool(self.server.is_locked) and getattr(self.server, "locked_reason", None) == self.opts.lock_reason

    def mark_done(self) -> bool:
        return ((self.server.metadata or {}).get(QUARANTINE_META_KEY) == self.opts.case_id
                and QUARANTINE_TAG in (self.server.tags or []))

    def restore_name_done(self) -> bool:
        """Nova's lock does not cover a rename (PUT /servers/{id}); a re-run puts the recorded name back."""
        return self.record is None or self.server.name == self.record.server_name

    def isolate_done(self) -> bool:
        ports = server_ports(self.conn, self.server.id)
        if self.opts.isolation == "port_down":
            return all(not p.is_admin_state_up for p in ports)
        group = self.group()
        return group is not None and all(list(p.security_group_ids or []) == [group.id] for p in ports)

    def detach_floating_ips_done(self) -> bool:
        ports = {p.id for p in server_ports(self.conn, self.server.id)}
        with api_call("list floating IPs", resource=self.server.id):
            return not any(f.port_id in ports for f in self.conn.network.ips())

    def evidence_done(self) -> bool:
        self.manifest = ev.load_manifest(self.conn, self.opts.case_id)
        return self.manifest is not None

    def _shared_artifacts(self) -> tuple:
        """The images (evidence, record, manifest) shared by membership and the volumes given by transfer."""
        if self.manifest is None:
            self.evidence_done()
        arts = self.manifest["artifacts"]
        images = [a["id"] for a in arts if a["store"] == "glance"] + [self.manifest["_self"]["id"]]
        return images, [a for a in arts if a["kind"] == "evidence_volume"]

    def share_done(self) -> bool:
        project = self.evidence_project_id()
        if project is None:
            return True
        if self.manifest is None and not self.evidence_done():
            return False
        images, volumes = self._shared_artifacts()
        return (all(ev.image_shared(self.conn, i, project) for i in images)
                and all(qv.volume_owner(self.conn, v["id"]) == project for v in volumes))

    def power_done(self) -> bool:
        return self.opts.power == "keep" or self.server.status == POWER_STATUS[self.opts.power]

    # -- quarantine: doing ----------------------------------------------------------
    def do_record(self) -> Dict[str, Any]:
        self.record = capture(self.conn, self.server, self.opts.case_id)
        self.record_artifact = put_blob(self.conn, self.opts.case_id, "record", canonical_json(self.record.to_dict()))
        return {"after": self.record.to_dict(), "details": {"record": self.record_artifact}}

    def do_lock(self) -> Dict[str, Any]:
        before = {"locked": bool(self.server.is_locked), "locked_reason": getattr(self.server, "locked_reason", None)}
        with api_call("lock server", resource=self.server.id):
            if self.server.is_locked:
                self.conn.compute.unlock_server(self.server)
            self.conn.compute.lock_server(self.server, locked_reason=self.opts.lock_reason)
        return {"before": before, "after": {"locked": True, "locked_reason": self.opts.lock_reason}}

    def do_restore_name(self) -> Dict[str, Any]:
        before = self.server.name
        with api_call("restore server name", resource=self.server.id):
            self.conn.compute.update_server(self.server, name=self.record.server_name)
        return {"before": {"name": before}, "after": {"name": self.record.server_name},
                "details": {"why": "renamed while quarantined (a Nova lock does not stop renames)"}}

    def do_mark(self) -> Dict[str, Any]:
        with api_call("mark server", resource=self.server.id):
            self.conn.compute.set_server_metadata(self.server, **{QUARANTINE_META_KEY: self.opts.case_id})
            self.conn.compute.add_tag_to_server(self.server, QUARANTINE_TAG)
        return {"after": {"metadata": {QUARANTINE_META_KEY: self.opts.case_id}, "tag": QUARANTINE_TAG}}

    def ensure_group(self) -> Any:
        group = self.group()
        if group is None:
            with api_call("create security group", resource=self.opts.group_name):
                group = self.conn.network.create_security_group(
                    name=self.opts.group_name, project_id=self.server.project_id,
                    description="osfleet quarantine case %s: ingress from %s only, no egress"
                                % (self.opts.case_id, self.opts.forensic_cidr or "nowhere"))
        wanted = set()
        if self.opts.forensic_cidr:
            net = ipaddress.ip_network(self.opts.forensic_cidr, strict=False)
            wanted.add(("ingress", "IPv%d" % net.version, str(net)))
        with api_call("list security group rules", resource=group.id):
            rules = list(self.conn.network.security_group_rules(security_group_id=group.id))
        for rule in rules:  # Neutron adds allow-all egress to a new group: quarantine allows none
            key = (rule.direction, rule.ether_type, rule.remote_ip_prefix)
            if key not in wanted or rule.protocol is not None:
                with api_call("delete security group rule", resource=rule.id):
                    self.conn.network.delete_security_group_rule(rule)
            else:
                wanted.discard(key)
        for direction, ether_type, prefix in sorted(wanted):
            with api_call("create security group rule", resource=group.id):
                self.conn.network.create_security_group_rule(
                    security_group_id=group.id, direction=direction, ether_type=ether_type,
                    remote_ip_prefix=prefix, project_id=self.server.project_id)
        return group

    def do_isolate(self) -> Dict[str, Any]:
        changed = {}
        group = self.ensure_group() if self.opts.isolation == "security_group" else None
        for port in server_ports(self.conn, self.server.id):
            if group is not None:
                update = {"security_group_ids": [group.id], "port_security_enabled": True}
            else:
                update = {"admin_state_up": False}
            with api_call("isolate port", resource=port.id):
                self.conn.network.update_port(port, **update)
            changed[port.id] = update
        return {"after": {"ports": changed}, "details": {"isolation": self.opts.isolation,
                                                         "group": group.id if group else None}}

    def do_detach_floating_ips(self) -> Dict[str, Any]:
        ports = {p.id for p in server_ports(self.conn, self.server.id)}
        detached = []
        with api_call("list floating IPs", resource=self.server.id):
            fips = [f for f in self.conn.network.ips() if f.port_id in ports]
        for fip in fips:
            with api_call("disassociate floating IP", resource=fip.floating_ip_address):
                self.conn.network.update_ip(fip, port_id=None)
            detached.append({"id": fip.id, "address": fip.floating_ip_address, "port_id": fip.port_id})
        return {"before": {"floating_ips": detached}, "after": {"floating_ips": []}}

    def do_evidence(self) -> Dict[str, Any]:
        self.wait_idle()  # Nova refuses createImage during another task (a migration by other tooling)
        case, server, timeout = self.opts.case_id, self.server, self.opts.timeout
        artifacts = [ev.server_image(self.conn, server, case, timeout)]
        snapshots = ev.volume_snapshots(self.conn, case, self.record.volumes, timeout)
        artifacts += snapshots + qv.volume_evidence(self.conn, case, snapshots, timeout)
        artifacts.append(ev.collect_blob(self.conn, case, "console_log", ev.console_log(self.conn, server),
                                         self.opts.evidence_dir))
        artifacts.append(ev.collect_blob(self.conn, case, "actions", ev.action_history(self.conn, server),
                                         self.opts.evidence_dir))
        diag = ev.diagnostics(self.conn, server)
        if diag is not None:
            artifacts.append(ev.collect_blob(self.conn, case, "diagnostics", diag, self.opts.evidence_dir))
        manifest = ev.build_manifest(self.conn, case, server.id, artifacts + [self.record_artifact])
        manifest["diagnostics"] = "saved" if diag is not None else "not available from this hypervisor driver"
        data = canonical_json(manifest)
        saved = put_blob(self.conn, case, "manifest", data)
        if self.opts.evidence_dir:
            ev.save_file(self.opts.evidence_dir, case, "manifest", data)
        self.manifest = dict(manifest, _self={"id": saved["id"], "sha256": saved["sha256"], "size": saved["size"]})
        return {"after": {"manifest": saved}, "details": {"artifacts": manifest["artifacts"]}}

    def do_share(self) -> Dict[str, Any]:
        project = self.evidence_project_id()
        images, volumes = self._shared_artifacts()
        for image_id in images:
            ev.share_image(self.conn, image_id, project)
        transferred = [v["id"] for v in volumes
                       if qv.transfer_volume(self.conn, self._accepting_conn, v["id"], v["name"], project)]
        return {"after": {"project": project, "images": images, "volumes": [v["id"] for v in volumes]},
                "details": {"transferred": transferred,
                            "volume_snapshots": "kept in the operator's project (Cinder has no snapshot sharing); "
                                                "the evidence volumes made from them are transferred"}}

    def _accepting_conn(self) -> Any:
        if self.evidence_conn is not None:
            return self.evidence_conn()
        return self.conn.connect_as(project_id=self.evidence_project_id())

    def do_power(self) -> Dict[str, Any]:
        self.wait_idle()
        before = self.server.status
        with api_call(self.opts.power + " server", resource=self.server.id):
            if self.opts.power == "pause":
                self.conn.compute.pause_server(self.server)
            else:
                self.conn.compute.stop_server(self.server)
        self.wait_status(POWER_STATUS[self.opts.power])
        return {"before": {"status": before}, "after": {"status": self.server.status}}

    def wait_idle(self) -> None:
        """Wait out a task Nova is running on the server (a live migration by an admin tool, an image upload)."""
        deadline = time.time() + self.opts.timeout
        self.refresh()
        while getattr(self.server, "task_state", None):
            if time.time() > deadline:
                raise CloudError("server %s still busy (%s) after %ds" % (self.server.id, self.server.task_state,
                                                                          self.opts.timeout), resource=self.server.id)
            time.sleep(ev.WAIT_STEP)
            self.refresh()

    def wait_status(self, status: str) -> None:
        deadline = time.time() + self.opts.timeout
        while True:
            self.refresh()
            if self.server.status == status and not getattr(self.server, "task_state", None):
                return
            if self.server.status == "ERROR" or time.time() > deadline:
                raise CloudError("server %s is %s, waited for %s" % (self.server.id, self.server.status, status),
                                 resource=self.server.id)
            time.sleep(ev.WAIT_STEP)

    # -- plan and apply --------------------------------------------------------------------
    def steps(self) -> tuple:
        return QUARANTINE_STEPS if self.opts.state == "quarantined" else RELEASE_STEPS

    def plan(self) -> List[str]:
        """The steps not yet done, in order. Release without a record has nothing to restore from."""
        if self.opts.state == "released" and self.record is None:
            return []
        return [s for s in self.steps() if not getattr(self, s + "_done")()]

    def apply(self, on_step: Optional[Callable[[str, Dict[str, Any]], None]] = None,
              stop_after: Optional[str] = None) -> List[str]:
        """Run every step that is not done, re-checking each right before (a step may be done by an earlier one)."""
        ran: List[str] = []
        if self.opts.state == "released" and self.record is None:
            return ran
        for name in self.steps():
            self.refresh()
            if getattr(self, name + "_done")():
                continue
            outcome = getattr(self, "do_" + name)()
            ran.append(name)
            if on_step is not None:
                on_step(name, outcome)
            if stop_after == name:
                raise StopAfter(name)
        return ran


def list_cases(conn: Any) -> List[Dict[str, Any]]:
    """Servers carrying the quarantine mark, with their case id."""
    with api_call("list servers", resource="all projects"):
        servers = list(conn.compute.servers(details=True, all_projects=True))
    out = []
    for s in servers:
        case = (s.metadata or {}).get(QUARANTINE_META_KEY)
        if case or QUARANTINE_TAG in (s.tags or []):
            out.append({"case_id": case or "", "server_id": s.id, "server_name": s.name, "project_id": s.project_id,
                        "status": s.status, "locked": bool(s.is_locked),
                        "locked_reason": getattr(s, "locked_reason", None)})
    return sorted(out, key=lambda c: (c["case_id"], c["server_id"]))
