# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Cinder (block storage): the snapshots, volumes and transfers of quarantine evidence.

openstacksdk proxy calls (``conn.block_storage``) returning SDK Volume,
Snapshot and Transfer objects, at the microversion the SDK negotiates (the
newest both sides know: Cinder's answers here do not change shape with it).
Waits are the SDK's ``wait_for_status``. The fleet-wide listings (the
audit's every volume and snapshot of every project; the fleet's volume
services and scheduler pools) are raw JSON pages (``listing``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import get_page, list_json

#: Cinder's default osapi_max_limit
PAGE_SIZE = 1000


class Cinder:
    """Cinder seen through one connection's block-storage proxy."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.block_storage = conn.block_storage

    # -- snapshots -------------------------------------------------------------------------------------
    def snapshots_named(self, name: str) -> List[Any]:
        """The snapshots of exactly this name, with details, in every project."""
        with api_call("list volume snapshots", name):
            return [s for s in self.block_storage.snapshots(details=True, all_projects=True, name=name)
                    if s.name == name]

    def create_snapshot(self, volume_id: str, name: str, description: str, metadata: Dict[str, str],
                        force: bool = True) -> Any:
        """A snapshot of the volume; ``force`` takes it while the volume is attached (in-use)."""
        with api_call("snapshot volume", volume_id):
            return self.block_storage.create_snapshot(volume_id=volume_id, name=name, force=force,
                                                      description=description, metadata=metadata)

    def get_snapshot(self, snapshot_id: str) -> Any:
        with api_call("get volume snapshot", snapshot_id):
            return self.block_storage.get_snapshot(snapshot_id)

    def delete_snapshot(self, snapshot_id: str) -> None:
        with api_call("delete volume snapshot", snapshot_id):
            self.block_storage.delete_snapshot(snapshot_id, ignore_missing=True)

    def set_snapshot_metadata(self, snapshot_id: str, items: Dict[str, str]) -> None:
        """Add or replace these keys (others are left alone)."""
        with api_call("set volume snapshot metadata", snapshot_id):
            self.block_storage.set_snapshot_metadata(snapshot_id, **items)

    def delete_snapshot_metadata(self, snapshot_id: str, keys: Iterable[str]) -> None:
        """Delete these keys, one request each; a key already gone is not an error."""
        for key in sorted(set(keys)):
            try:
                with api_call("delete volume snapshot metadata %s" % key, snapshot_id):
                    self.block_storage.delete_snapshot_metadata(snapshot_id, [key])
            except NotFoundError:
                continue

    # -- volumes ---------------------------------------------------------------------------------------
    def volumes_named(self, name: str) -> List[Any]:
        """The volumes of exactly this name, with details, in every project."""
        with api_call("list volumes", name):
            return [v for v in self.block_storage.volumes(details=True, all_projects=True, name=name)
                    if v.name == name]

    def create_volume(self, name: str, snapshot_id: str, size: int, description: str,
                      metadata: Dict[str, str]) -> Any:
        with api_call("create volume from snapshot", snapshot_id):
            return self.block_storage.create_volume(name=name, snapshot_id=snapshot_id, size=size,
                                                    description=description, metadata=metadata)

    def get_volume(self, volume_id: str) -> Any:
        with api_call("get volume", volume_id):
            return self.block_storage.get_volume(volume_id)

    def delete_volume(self, volume_id: str) -> None:
        with api_call("delete volume", volume_id):
            self.block_storage.delete_volume(volume_id, ignore_missing=True)

    def set_volume_metadata(self, volume_id: str, items: Dict[str, str]) -> None:
        """Add or replace these keys (others are left alone)."""
        with api_call("set volume metadata", volume_id):
            self.block_storage.set_volume_metadata(volume_id, **items)

    def delete_volume_metadata(self, volume_id: str, keys: Iterable[str]) -> None:
        """Delete these keys, one request each; a key already gone is not an error."""
        for key in sorted(set(keys)):
            try:
                with api_call("delete volume metadata %s" % key, volume_id):
                    self.block_storage.delete_volume_metadata(volume_id, [key])
            except NotFoundError:
                continue

    def upload_volume_to_image(self, volume_id: str, image_name: str) -> Dict[str, Any]:
        """Cinder copies the volume's data into a new private raw/bare image (in the background)."""
        with api_call("upload volume to image", volume_id):
            return self.block_storage.upload_volume_to_image(volume_id, image_name, disk_format="raw",
                                                             container_format="bare", visibility="private")

    # -- transfers -------------------------------------------------------------------------------------
    def transfers(self, volume_id: Optional[str] = None) -> List[Any]:
        """The open volume transfers of the connection's project (of one volume, when given).

        Not every project's: the SDK's Transfer has no ``all_projects`` query
        parameter and drops it unsent (openstacksdk 4.22), so the listing is
        the project's own. That is where the transfers we make are: a volume
        is offered by the project that owns it, the operator's.
        """
        with api_call("list volume transfers", volume_id):
            found = list(self.block_storage.transfers())
        return [t for t in found if volume_id is None or t.volume_id == volume_id]

    def create_transfer(self, volume_id: str, name: str) -> Any:
        """A transfer offer; its ``auth_key`` is shown this once."""
        with api_call("create volume transfer", volume_id):
            return self.block_storage.create_transfer(volume_id=volume_id, name=name)

    def delete_transfer(self, transfer_id: str) -> None:
        with api_call("delete volume transfer", transfer_id):
            self.block_storage.delete_transfer(transfer_id, ignore_missing=True)

    def accept_transfer(self, transfer_id: str, auth_key: str) -> Any:
        """Accept the transfer (the connection must be scoped to the receiving project)."""
        with api_call("accept volume transfer", transfer_id):
            return self.block_storage.accept_transfer(transfer_id, auth_key=auth_key)

    def wait_for_status(self, resource: Any, status: str, failures: Iterable[str] = ("error",),
                        interval: float = 2, wait: float = 600) -> Any:
        """``resource`` (a Volume or Snapshot) once it is ``status``; CloudError when it fails or time runs out."""
        with api_call("wait for %s %s" % (type(resource).__name__.lower(), status), getattr(resource, "id", None)):
            return self.block_storage.wait_for_status(resource, status, failures=list(failures), interval=interval,
                                                      wait=wait)

    # -- fleet-wide raw JSON listings (the audit's; dicts) -----------------------------------------------
    def list_volumes_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        """Every volume of every project, with details (attachments, ``volume_image_metadata``)."""
        return list_json(self.block_storage, "/volumes/detail", "volumes", "list volumes",
                         params={"all_tenants": 1}, page_size=page_size)

    def list_snapshots_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        return list_json(self.block_storage, "/snapshots/detail", "snapshots", "list volume snapshots",
                         params={"all_tenants": 1}, page_size=page_size)

    def list_services_json(self) -> List[Dict[str, Any]]:
        """Every Cinder service (scheduler, volume, backup) with ``host``, ``zone``, ``status`` and ``state``."""
        return list_json(self.block_storage, "/os-services", "services", "list volume services")

    def list_pools_json(self) -> List[Dict[str, Any]]:
        """The scheduler's pools with their capabilities (capacity, provisioning, over-subscription)."""
        return list_json(self.block_storage, "/scheduler-stats/get_pools", "pools", "list storage pools",
                         params={"detail": "True"})

    # -- what the site offers its users (the site comparison's; raw JSON) ----------------------------------
    def list_availability_zones_json(self) -> List[Dict[str, Any]]:
        """Cinder's availability zones (``zoneName``, ``zoneState.available``)."""
        return list_json(self.block_storage, "/os-availability-zone", "availabilityZoneInfo",
                         "list volume availability zones")

    def default_quotas_json(self) -> Dict[str, Any]:
        """The default quota class (``os-quota-class-sets/default``): what a new project gets."""
        body = get_page(self.block_storage, "/os-quota-class-sets/default", "show default volume quotas", None, {},
                        "default")
        return dict(body.get("quota_class_set") or {})
