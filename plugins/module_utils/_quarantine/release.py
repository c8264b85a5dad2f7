# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The release steps of a quarantine case: put back exactly the recorded pre-state.

A mixin of :class:`.case.Case` (which provides ``cloud``, ``opts``, ``server``,
``record``, ``ports()``, ``group()``, ``refresh()``, ``wait_idle()`` and
``wait_status()``). Each ``<step>_done`` compares the cloud with the case
record, so a release killed half-way is finished by the next one and a
finished release plans nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import evidence as ev
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import volumes as qv
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import artifact_name, find_image


class ReleaseSteps:
    """restore_power, restore_ports, restore_floating_ips, delete_group, restore_lock, delete_evidence, restore_marks."""

    def restore_power_done(self) -> bool:
        return self.server.status == self.record.status or self.server.status not in ("PAUSED", "SHUTOFF", "ACTIVE")

    def do_restore_power(self) -> Dict[str, Any]:
        self.wait_idle()
        nova = self.cloud.nova
        before, want = self.server.status, self.record.status
        if before == "PAUSED":
            nova.unpause(self.server.id)
            self.wait_status("ACTIVE")
        if self.server.status == "SHUTOFF" and want == "ACTIVE":
            nova.start(self.server.id)
        elif self.server.status == "ACTIVE" and want == "SHUTOFF":
            nova.stop(self.server.id)
        elif self.server.status == "ACTIVE" and want == "PAUSED":
            nova.pause(self.server.id)
        self.wait_status(want)
        return {"before": {"status": before}, "after": {"status": self.server.status}}

    def _port_diff(self) -> Dict[str, Dict[str, Any]]:
        current = {p.id: p for p in self.ports()}
        wrong = {}
        for rec in self.record.ports:
            port = current.get(rec.id)
            if port is None:
                continue  # the port is gone: nothing to restore it onto (reported by the step)
            want = {"security_group_ids": rec.security_group_ids, "port_security_enabled": rec.port_security_enabled,
                    "admin_state_up": rec.admin_state_up}
            have = {"security_group_ids": sorted(port.security_group_ids or []),
                    "port_security_enabled": port.is_port_security_enabled, "admin_state_up": port.is_admin_state_up}
            if want != have:
                wrong[rec.id] = {"before": have, "after": want}
        return wrong

    def restore_ports_done(self) -> bool:
        return not self._port_diff()

    def do_restore_ports(self) -> Dict[str, Any]:
        wrong = self._port_diff()
        for port_id, change in wrong.items():
            self.cloud.neutron.update_port(port_id, **change["after"])
        return {"details": {"ports": wrong}}

    def _fip_diff(self) -> List[Any]:
        out = []
        for rec in self.record.floating_ips:
            fip = self.cloud.neutron.get_floating_ip(rec.id)
            if fip.port_id != rec.port_id or fip.fixed_ip_address != rec.fixed_ip_address:
                out.append(rec)
        return out

    def restore_floating_ips_done(self) -> bool:
        return not self._fip_diff()

    def do_restore_floating_ips(self) -> Dict[str, Any]:
        done = []
        for rec in self._fip_diff():
            self.cloud.neutron.update_floating_ip(rec.id, rec.port_id, rec.fixed_ip_address)
            done.append(rec.floating_ip_address)
        return {"after": {"floating_ips": done}}

    def delete_group_done(self) -> bool:
        return self.group() is None

    def do_delete_group(self) -> Dict[str, Any]:
        group = self.group()
        self.cloud.neutron.delete_security_group(group.id)
        return {"before": {"group": group.id}}

    def restore_lock_done(self) -> bool:
        return (bool(self.server.is_locked) == self.record.locked
                and (not self.record.locked or getattr(self.server, "locked_reason", None) == self.record.locked_reason))

    def do_restore_lock(self) -> Dict[str, Any]:
        if self.server.is_locked:
            self.cloud.nova.unlock(self.server.id)
        if self.record.locked:
            self.cloud.nova.lock(self.server.id, self.record.locked_reason)
        return {"after": {"locked": self.record.locked, "locked_reason": self.record.locked_reason}}

    def _evidence_left(self) -> List[Any]:
        """What the case made, volumes first (a snapshot may not go while volumes made from it exist)."""
        case = self.opts.case_id
        left = []
        for vol in self.record.volumes:
            copy = qv.find_volume(self.cloud, qv.copy_name(case, vol["id"]))
            if copy is not None:
                left.append(("volume", copy))
        kinds = ["server_image", "console_log", "actions", "diagnostics", "manifest", "record"]
        for name in [artifact_name(case, k) for k in kinds] + [qv.data_name(case, v["id"]) for v in self.record.volumes]:
            image = find_image(self.cloud, name)
            if image is not None:
                left.append(("image", image))
        for vol in self.record.volumes:
            left += [("snapshot", s) for s in self.cloud.cinder.snapshots_named(ev.snapshot_name(case, vol["id"]))
                     if s.status not in qv.GONE]
        return left

    def delete_evidence_done(self) -> bool:
        return not self.opts.delete_evidence or not self._evidence_left()

    def do_delete_evidence(self) -> Dict[str, Any]:
        """Deletes the evidence volumes too, also once transferred to the investigators: the case is closed."""
        gone = []
        for kind, res in self._evidence_left():
            if kind == "image":
                self.cloud.glance.delete_image(res.id)
            elif kind == "volume":
                if res.status == "in-use":
                    raise ConflictError("evidence volume %s is attached (by the investigators?); detach it "
                                        "before deleting the evidence" % res.id, resource=res.id)
                for transfer in self.cloud.cinder.transfers(res.id):
                    self.cloud.cinder.delete_transfer(transfer.id)
                self.cloud.cinder.delete_volume(res.id)
            else:
                self.cloud.cinder.delete_snapshot(res.id)
            gone.append({"kind": kind, "id": res.id, "name": res.name})
        return {"before": {"evidence": gone}, "after": {"evidence": []}}

    def restore_marks_done(self) -> bool:
        return (dict(self.server.metadata or {}) == self.record.metadata
                and sorted(self.server.tags or []) == sorted(self.record.tags))

    def do_restore_marks(self) -> Dict[str, Any]:
        nova = self.cloud.nova
        before = {"metadata": dict(self.server.metadata or {}), "tags": sorted(self.server.tags or [])}
        extra = [k for k in (self.server.metadata or {}) if k not in self.record.metadata]
        if extra:
            nova.delete_metadata(self.server.id, extra)
        if self.record.metadata:
            nova.set_metadata(self.server.id, self.record.metadata)
        for tag in set(self.server.tags or []) - set(self.record.tags):
            nova.remove_tag(self.server.id, tag)
        for tag in set(self.record.tags) - set(self.server.tags or []):
            nova.add_tag(self.server.id, tag)
        return {"before": before, "after": {"metadata": self.record.metadata, "tags": self.record.tags}}
