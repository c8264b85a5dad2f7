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
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import evidence as ev
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import volumes as qv
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import (
    PreState,
    canonical_json,
    capture,
    find_server,
    load_record,
    put_blob,
    validate_case_id,
)
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.release import ReleaseSteps
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.server_wait import (
    get_server,
    task_of,
    wait_server,
)

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

    ``cloud`` is the operator's access layer. ``evidence_cloud`` makes a Cloud
    scoped to the evidence project (the investigators' credentials) to accept
    volume transfers; without it the operator's credentials are re-scoped to
    that project (``keystone.connect_as``).
    """

    def __init__(self, cloud: Cloud, server_ref: str, options: Options,
                 evidence_cloud: Optional[Callable[[], Cloud]] = None) -> None:
        options.validate()
        self.cloud = cloud
        self.evidence_cloud = evidence_cloud
        self.opts = options
        self.server = find_server(cloud, server_ref)
        loaded = load_record(cloud, options.case_id)
        self.record: Optional[PreState] = loaded[0] if loaded else None
        self.record_artifact: Optional[Dict[str, Any]] = loaded[1] if loaded else None
        if self.record is not None and self.record.server_id != self.server.id:
            raise ValidationError("case %s records server %s, not %s" % (options.case_id, self.record.server_id,
                                                                         self.server.id), field="case_id")
        self.manifest: Optional[Dict[str, Any]] = None
        self._evidence_project_id: Optional[str] = None

    # -- reading ---------------------------------------------------------------
    def refresh(self) -> None:
        self.server = get_server(self.cloud, self.server.id)

    def ports(self) -> List[Any]:
        return self.cloud.neutron.ports(self.server.id)

    def group(self) -> Optional[Any]:
        found = self.cloud.neutron.security_groups(self.opts.group_name, self.server.project_id)
        return found[0] if found else None

    def evidence_project_id(self) -> Optional[str]:
        if self.opts.evidence_project and self._evidence_project_id is None:
            self._evidence_project_id = self.cloud.keystone.find_project(self.opts.evidence_project).id
        return self._evidence_project_id

    def state(self) -> Dict[str, Any]:
        """What diff shows: the server's lock, marks, power and each port's isolation."""
        ports = self.ports()
        return {"status": self.server.status, "locked": bool(self.server.is_locked),
                "locked_reason": getattr(self.server, "locked_reason", None),
                "metadata": dict(self.server.metadata or {}), "tags": sorted(self.server.tags or []),
                "ports": {p.id: {"security_group_ids": sorted(p.security_group_ids or []),
                                 "port_security_enabled": p.is_port_security_enabled,
                                 "admin_state_up": p.is_admin_state_up} for p in ports},
                "floating_ips": sorted(f.floating_ip_address for f in self._fips(ports))}

    def _fips(self, ports: List[Any]) -> List[Any]:
        """The floating IPs on the server's ports, and the recorded ones now on a port elsewhere.

        One Neutron listing filtered by the ports (never the cloud's every
        floating IP); a recorded one not among them is read by its id.
        """
        found = {f.id: f for f in self.cloud.neutron.floating_ips([p.id for p in ports])}
        for rec in self.record.floating_ips if self.record else []:
            if rec.id in found:
                continue
            try:
                fip = self.cloud.neutron.get_floating_ip(rec.id)
            except NotFoundError:
                continue
            if fip.port_id:
                found[fip.id] = fip
        return list(found.values())

    def _fips_on_ports(self) -> List[Any]:
        return self.cloud.neutron.floating_ips([p.id for p in self.ports()])

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
        ports = self.ports()
        if self.opts.isolation == "port_down":
            return all(not p.is_admin_state_up for p in ports)
        group = self.group()
        return group is not None and all(list(p.security_group_ids or []) == [group.id] for p in ports)

    def detach_floating_ips_done(self) -> bool:
        return not self._fips_on_ports()

    def evidence_done(self) -> bool:
        self.manifest = ev.load_manifest(self.cloud, self.opts.case_id)
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
        return (all(ev.image_shared(self.cloud, i, project) for i in images)
                and all(qv.volume_owner(self.cloud, v["id"]) == project for v in volumes))

    def power_done(self) -> bool:
        return self.opts.power == "keep" or self.server.status == POWER_STATUS[self.opts.power]

    # -- quarantine: doing ----------------------------------------------------------
    def do_record(self) -> Dict[str, Any]:
        record = capture(self.cloud, self.server, self.opts.case_id)
        self.record_artifact, stored = put_blob(self.cloud, self.opts.case_id, "record",
                                                canonical_json(record.to_dict()))
        self.record = PreState.from_dict(json.loads(stored))  # what is stored is what release restores
        return {"after": self.record.to_dict(), "details": {"record": self.record_artifact}}

    def do_lock(self) -> Dict[str, Any]:
        before = {"locked": bool(self.server.is_locked), "locked_reason": getattr(self.server, "locked_reason", None)}
        if self.server.is_locked:
            self.cloud.nova.unlock(self.server.id)
        self.cloud.nova.lock(self.server.id, self.opts.lock_reason)
        return {"before": before, "after": {"locked": True, "locked_reason": self.opts.lock_reason}}

    def do_restore_name(self) -> Dict[str, Any]:
        before = self.server.name
        self.cloud.nova.rename(self.server.id, self.record.server_name)
        return {"before": {"name": before}, "after": {"name": self.record.server_name},
                "details": {"why": "renamed while quarantined (a Nova lock does not stop renames)"}}

    def do_mark(self) -> Dict[str, Any]:
        self.cloud.nova.set_metadata(self.server.id, {QUARANTINE_META_KEY: self.opts.case_id})
        self.cloud.nova.add_tag(self.server.id, QUARANTINE_TAG)
        return {"after": {"metadata": {QUARANTINE_META_KEY: self.opts.case_id}, "tag": QUARANTINE_TAG}}

    def ensure_group(self) -> Any:
        neutron = self.cloud.neutron
        group = self.group()
        if group is None:
            group = neutron.create_security_group(
                self.opts.group_name, self.server.project_id,
                "osfleet quarantine case %s: ingress from %s only, no egress"
                % (self.opts.case_id, self.opts.forensic_cidr or "nowhere"))
        wanted = set()
        if self.opts.forensic_cidr:
            net = ipaddress.ip_network(self.opts.forensic_cidr, strict=False)
            wanted.add(("ingress", "IPv%d" % net.version, str(net)))
        for rule in neutron.security_group_rules(group.id):  # Neutron adds allow-all egress to a new group
            key = (rule.direction, rule.ether_type, rule.remote_ip_prefix)
            if key not in wanted or rule.protocol is not None:
                neutron.delete_security_group_rule(rule.id)
            else:
                wanted.discard(key)
        for direction, ether_type, prefix in sorted(wanted):
            neutron.create_security_group_rule(group.id, direction, ether_type, prefix, self.server.project_id)
        return group

    def do_isolate(self) -> Dict[str, Any]:
        changed = {}
        group = self.ensure_group() if self.opts.isolation == "security_group" else None
        for port in self.ports():
            if group is not None:
                update = {"security_group_ids": [group.id], "port_security_enabled": True}
            else:
                update = {"admin_state_up": False}
            self.cloud.neutron.update_port(port.id, **update)
            changed[port.id] = update
        return {"after": {"ports": changed}, "details": {"isolation": self.opts.isolation,
                                                         "group": group.id if group else None}}

    def do_detach_floating_ips(self) -> Dict[str, Any]:
        detached = []
        for fip in self._fips_on_ports():
            self.cloud.neutron.update_floating_ip(fip.id, None)
            detached.append({"id": fip.id, "address": fip.floating_ip_address, "port_id": fip.port_id})
        return {"before": {"floating_ips": detached}, "after": {"floating_ips": []}}

    def do_evidence(self) -> Dict[str, Any]:
        self.wait_idle()  # Nova refuses createImage during another task (a migration by other tooling)
        cloud, case, server, timeout = self.cloud, self.opts.case_id, self.server, self.opts.timeout
        taken = [ev.server_image(cloud, server, case, timeout)]
        snapshots = ev.volume_snapshots(cloud, case, self.record.volumes, timeout)
        taken += snapshots + qv.volume_evidence(cloud, case, snapshots, timeout)
        taken.append(ev.collect_blob(cloud, case, "console_log", ev.console_log(cloud, server), self.opts.evidence_dir))
        taken.append(ev.collect_blob(cloud, case, "actions", ev.action_history(cloud, server), self.opts.evidence_dir))
        diag = ev.diagnostics(cloud, server)
        if diag is not None:
            taken.append(ev.collect_blob(cloud, case, "diagnostics", diag, self.opts.evidence_dir))
        manifest = ev.build_manifest(cloud, case, server.id, taken + [self.record_artifact])
        manifest["diagnostics"] = "saved" if diag is not None else "not available from this hypervisor driver"
        saved, data = put_blob(cloud, case, "manifest", canonical_json(manifest))
        if self.opts.evidence_dir:
            ev.save_file(self.opts.evidence_dir, case, "manifest", data)
        self.manifest = dict(json.loads(data), _self={"id": saved["id"], "sha256": saved["sha256"],
                                                      "size": saved["size"]})
        return {"after": {"manifest": saved}, "details": {"artifacts": self.manifest["artifacts"]}}

    def do_share(self) -> Dict[str, Any]:
        project = self.evidence_project_id()
        images, volumes = self._shared_artifacts()
        for image_id in images:
            ev.share_image(self.cloud, image_id, project)
        transferred = [v["id"] for v in volumes
                       if qv.transfer_volume(self.cloud, self._accepting_cloud, v["id"], v["name"], project)]
        return {"after": {"project": project, "images": images, "volumes": [v["id"] for v in volumes]},
                "details": {"transferred": transferred,
                            "volume_snapshots": "kept in the operator's project (Cinder has no snapshot sharing); "
                                                "the evidence volumes made from them are transferred"}}

    def _accepting_cloud(self) -> Cloud:
        if self.evidence_cloud is not None:
            return self.evidence_cloud()
        return self.cloud.keystone.connect_as(self.evidence_project_id())

    def do_power(self) -> Dict[str, Any]:
        self.wait_idle()
        before = self.server.status
        if self.opts.power == "pause":
            self.cloud.nova.pause(self.server.id)
        else:
            self.cloud.nova.stop(self.server.id)
        self.wait_status(POWER_STATUS[self.opts.power])
        return {"before": {"status": before}, "after": {"status": self.server.status}}

    # -- waiting for the server (server_wait.py says why the loop is ours) --------------------
    def wait_idle(self) -> None:
        """Wait out a task Nova is running on the server (a live migration by an admin tool, an image upload)."""
        self.server = wait_server(self.cloud, self.server.id, self.opts.timeout, ready=lambda s: not task_of(s),
                                  explain=lambda s: "still busy (%s) after %ds" % (task_of(s), self.opts.timeout))

    def wait_status(self, status: str) -> None:
        """Wait until the server is ``status`` with no task running on it; ERROR fails at once."""
        self.server = wait_server(self.cloud, self.server.id, self.opts.timeout,
                                  ready=lambda s: s.status == status and not task_of(s),
                                  explain=lambda s: "is %s, waited for %s" % (s.status, status),
                                  failed=lambda s: s.status == "ERROR")

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
