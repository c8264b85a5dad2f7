# -*- coding: utf-8 -*-
"""The cloud a quarantine case runs against, in memory: one tenant server and what it touches.

The state only: a server with two ports, a floating IP and an attached volume,
and the security groups, images, snapshots, volumes, transfers and image
members a case makes. ``fake_cloud_http.serve`` answers the Nova, Neutron,
Glance, Cinder and Keystone API over this state behind the stubbed cloud's
endpoints, so the quarantine core runs through the real access layer and
openstacksdk; tests read and change the state directly (``fake.server.name =
...``) to play the owner, an investigator or a failing backend.

Resources are plain objects with the SDK's attribute names (``is_locked``,
``security_group_ids``, ``is_admin_state_up``...), so an assertion reads as it
would against the SDK's objects. ``calls`` names the writes that tests count
(``lock``, ``create_server_image``, ``create_volume``, ``upload_volume_to_image``,
``accept_transfer by <project>``...); ``writes`` is every request that changes
something, as (method, path).
"""
from __future__ import annotations

import copy
import itertools
from typing import Any, Dict, List, Tuple

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import PROJECT_ID

#: the operator's project (the stub's token): what the case makes belongs to it until transferred
OPERATOR_PROJECT = PROJECT_ID


class R:
    """A resource: attributes, as the SDK names them."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    def __repr__(self) -> str:
        return "R(%s)" % ", ".join("%s=%r" % kv for kv in sorted(self.__dict__.items()) if kv[0] != "data")


class QuarantineCloud:
    """One tenant-a server ``web-1`` (two ports, a floating IP, volume vol-1 attached) and an empty case store."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.calls: List[str] = []
        self.writes: List[Tuple[str, str]] = []
        self.servers: Dict[str, R] = {"srv-1": R(
            id="srv-1", name="web-1", project_id="tenant-a", status="ACTIVE", is_locked=False, locked_reason=None,
            metadata={"owner": "alice"}, tags=["web"], compute_host="compute-01", task_state=None)}
        self._ports = {p.id: p for p in (
            R(id="port-1", network_id="net", device_id="srv-1", security_group_ids=["sg-default"],
              is_port_security_enabled=True, is_admin_state_up=True, fixed_ips=[{"ip_address": "10.0.0.5"}]),
            R(id="port-2", network_id="net", device_id="srv-1", security_group_ids=[],
              is_port_security_enabled=False, is_admin_state_up=True, fixed_ips=[{"ip_address": "10.0.0.6"}]))}
        self.fips = {"fip-1": R(id="fip-1", floating_ip_address="203.0.113.7", port_id="port-1",
                                fixed_ip_address="10.0.0.5")}
        self.groups: Dict[str, R] = {}
        self.rules: Dict[str, R] = {}
        self._images: Dict[str, R] = {}
        self._snapshots: Dict[str, R] = {}
        self._members: Dict[str, Dict[str, R]] = {}
        self._volumes = {"vol-1": R(id="vol-1", name="data", status="in-use", size=1, project_id="tenant-a",
                                    data=b"vol-1 blocks", metadata={}, description="")}
        self._transfers: Dict[str, R] = {}
        self.attachments = {"srv-1": [R(volume_id="vol-1", device="/dev/vdb")]}
        self.projects = {"proj-investigators": "investigators", "tenant-b": "tenant-b"}
        self.can_upload = True  # False: the backend's copy_volume_to_image fails (Cinder deletes the image)
        self.busy = 0  # looks at the server before another tool's task on it (task_state migrating) is over
        self.diagnostics = None  # None: the hypervisor driver has none (Nova answers 501)
        self.server_image_status = "active"  # what createImage's image becomes ("killed": Glance gave up)
        self.task_after: Dict[str, int] = {}  # action -> looks another tool's task runs on the server after it

    def new_id(self, prefix: str) -> str:
        return "%s-%d" % (prefix, next(self._ids))

    @property
    def server(self) -> R:
        return self.servers["srv-1"]

    # -- what tests make directly (a killed run's leftovers, another tool's objects) --------------------
    def create_image(self, name: str, data: bytes = b"", status: str = "active", owner: str = OPERATOR_PROJECT,
                     tags: Any = ()) -> R:
        image = R(id=self.new_id("img"), name=name, status=status, visibility="private", data=bytes(data),
                  owner=owner, tags=list(tags))
        self._images[image.id] = image
        return copy.deepcopy(image)

    def create_volume(self, name: str, snapshot_id: str, size: int, description: str, metadata: Dict[str, str],
                      project_id: str = OPERATOR_PROJECT) -> R:
        self.calls.append("create_volume")
        volume = R(id=self.new_id("vol"), name=name, status="available", size=size, project_id=project_id,
                   data=self._snapshots[snapshot_id].data, metadata=dict(metadata), description=description)
        self._volumes[volume.id] = volume
        return copy.deepcopy(volume)

    def create_transfer(self, volume_id: str, name: str, project_id: str = OPERATOR_PROJECT) -> R:
        self.calls.append("create_transfer")
        transfer = R(id=self.new_id("xfer"), volume_id=volume_id, name=name, auth_key=self.new_id("key"),
                     project_id=project_id)
        self._transfers[transfer.id] = transfer
        self._volumes[volume_id].status = "awaiting-transfer"
        return copy.deepcopy(transfer)

    def delete_transfer(self, transfer_id: str) -> None:
        self._volumes[self._transfers.pop(transfer_id).volume_id].status = "available"

    # -- reading the state -----------------------------------------------------------------------
    def members(self, image_id: str) -> List[R]:
        return list(self._members.get(image_id, {}).values())

    def security_group_rules(self, group_id: str) -> List[R]:
        return [r for r in self.rules.values() if r.security_group_id == group_id]

    def ports_of(self, device_id: str) -> List[R]:
        return [p for p in self._ports.values() if p.device_id == device_id]

    def state(self):
        """The server, its ports and the floating IPs: what quarantine changes and release puts back."""
        return copy.deepcopy((self.server.__dict__, {k: p.__dict__ for k, p in self._ports.items()},
                              {k: f.__dict__ for k, f in self.fips.items()}))
