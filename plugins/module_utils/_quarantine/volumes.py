# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Volume evidence investigators can own and hash.

Cinder shares no snapshot with another project and hands out no snapshot's
data. So each forced snapshot gets an *evidence volume* made from it (in the
operator's project), that volume is uploaded to a raw Glance image whose data
is hashed and shared like every other artifact, and the volume itself is given
to the evidence project with a volume transfer. A transfer is accepted by a
token scoped to the receiving project, so acceptance needs credentials there:
the investigators' own (``evidence_cloud``) or the operator's re-scoped to the
evidence project (as image memberships are accepted by the operator today).

Every piece is found by name first (``osfleet-case-<case>-volume-<id>-copy``
and ``...-data``), so a killed run is finished by the next one.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import artifact_name, find_image

WAIT_STEP = 2
GONE = ("deleting", "deleted")


def copy_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s-copy" % volume_id)


def data_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s-data" % volume_id)


def find_volume(conn: Any, name: str) -> Optional[Any]:
    """The one volume of that name in any project (after the transfer it is the evidence project's)."""
    with api_call("list volumes", resource=name):
        found = [v for v in conn.block_storage.volumes(details=True, all_projects=True, name=name)
                 if v.name == name and v.status not in GONE]
    if len(found) > 1:
        raise ConflictError("%d volumes are named %r; a case artifact must be unique" % (len(found), name),
                            resource=name)
    return found[0] if found else None


def wait_volume(conn: Any, volume: Any, status: str, timeout: int) -> Any:
    with api_call("wait for volume", resource=volume.id):
        return conn.block_storage.wait_for_status(volume, status, failures=["error"], interval=WAIT_STEP,
                                                  wait=timeout)


def evidence_volume(conn: Any, case_id: str, snapshot: Dict[str, Any], timeout: int) -> Any:
    """The volume made from the case's snapshot (or the one an earlier run made), available."""
    name = copy_name(case_id, snapshot["volume_id"])
    volume = find_volume(conn, name)
    if volume is not None and volume.status == "error":
        with api_call("delete failed volume", resource=name):
            conn.block_storage.delete_volume(volume)
        volume = None
    if volume is None:
        with api_call("create volume from snapshot", resource=snapshot["id"]):
            volume = conn.block_storage.create_volume(
                name=name, snapshot_id=snapshot["id"], size=snapshot["size_gb"],
                description="osfleet quarantine case %s: copy of volume %s" % (case_id, snapshot["volume_id"]),
                metadata={"osfleet_case": case_id, "osfleet_source_volume": snapshot["volume_id"]})
    return wait_volume(conn, volume, "available", timeout)


def upload_data(conn: Any, case_id: str, volume: Any, source_volume_id: str, timeout: int) -> Optional[Any]:
    """The raw image of the evidence volume's data, active; None if Cinder could not upload it.

    An upload runs while the volume is ``uploading``: once it is ``available``
    again, an image that is not active is a dead upload and is replaced.
    """
    name = data_name(case_id, source_volume_id)
    image = find_image(conn, name)
    if image is not None and image.status == "active":
        return image
    volume = wait_volume(conn, volume, "available", timeout)
    image = find_image(conn, name)
    if image is not None and image.status == "active":
        return image
    if image is not None:
        with api_call("delete unfinished image", resource=name):
            conn.image.delete_image(image)
    with api_call("upload volume to image", resource=volume.id):
        conn.block_storage.upload_volume_to_image(volume, name, disk_format="raw", container_format="bare",
                                                  visibility="private")
    deadline = time.time() + timeout
    idle = 0
    while True:
        image = find_image(conn, name)
        if image is not None and image.status == "active":
            return image
        with api_call("get volume", resource=volume.id):
            status = conn.block_storage.get_volume(volume.id).status
        idle = idle + 1 if status != "uploading" else 0
        if idle > 2:  # the volume is back and no active image came of it: Cinder gave up
            if image is not None:
                with api_call("delete failed image", resource=name):
                    conn.image.delete_image(image)
            return None
        if time.time() > deadline:
            raise CloudError("upload of volume %s to image %s not done after %ds" % (volume.id, name, timeout),
                             resource=volume.id)
        time.sleep(WAIT_STEP)


def volume_evidence(conn: Any, case_id: str, snapshots: List[Dict[str, Any]], timeout: int) -> List[Dict[str, Any]]:
    """For every snapshot artifact: the evidence volume and, where Cinder can upload it, its data image."""
    out = []
    for snap in snapshots:
        volume = evidence_volume(conn, case_id, snap, timeout)
        image = upload_data(conn, case_id, volume, snap["volume_id"], timeout)
        entry = {"kind": "evidence_volume", "store": "cinder", "id": volume.id, "name": volume.name,
                 "volume_id": snap["volume_id"], "snapshot_id": snap["id"], "size_gb": volume.size,
                 "sha256": None, "data_image": image.name if image is not None else None}
        if image is None:
            entry["note"] = ("not hashed: Cinder could not upload the volume to an image (the backend's "
                             "copy_volume_to_image failed; see cinder-volume's log)")
        out.append(entry)
        if image is not None:
            out.append({"kind": "volume_data", "store": "glance", "id": image.id, "name": image.name,
                        "volume_id": snap["volume_id"], "evidence_volume_id": volume.id})
    return out


# -- the transfer to the evidence project -------------------------------------------
def volume_owner(conn: Any, volume_id: str) -> Optional[str]:
    with api_call("get volume", resource=volume_id):
        return conn.block_storage.get_volume(volume_id).project_id


def transfer_volume(conn: Any, accepting: Callable[[], Any], volume_id: str, name: str, project_id: str) -> bool:
    """Give the volume to ``project_id``; True if it changed hands.

    The transfer's auth key is shown once, at creation: a transfer left by a
    killed run cannot be accepted, so it is deleted and made again.
    """
    if volume_owner(conn, volume_id) == project_id:
        return False
    with api_call("list volume transfers", resource=volume_id):
        stale = [t for t in conn.block_storage.transfers(all_projects=True) if t.volume_id == volume_id]
    for transfer in stale:
        with api_call("delete stale volume transfer", resource=transfer.id):
            conn.block_storage.delete_transfer(transfer)
    try:
        with api_call("connect to the evidence project", resource=project_id):
            receiver = accepting()
            scoped = receiver.current_project_id
    except CloudError as exc:
        raise CloudError("%s; accepting a volume transfer needs credentials scoped to the evidence project: set "
                         "evidence_cloud, or give the operator a role in that project" % exc.message,
                         resource=project_id)
    if scoped != project_id:
        raise ValidationError("the credentials accepting the volume transfer are scoped to project %s, not the "
                              "evidence project %s" % (scoped, project_id),
                              field="evidence_cloud")
    with api_call("create volume transfer", resource=volume_id):
        transfer = conn.block_storage.create_transfer(volume_id=volume_id, name=name)
    try:
        with api_call("accept volume transfer", resource="%s for project %s" % (volume_id, project_id)):
            receiver.block_storage.accept_transfer(transfer.id, auth_key=transfer.auth_key)
    except CloudError:
        with api_call("delete unaccepted volume transfer", resource=transfer.id):
            conn.block_storage.delete_transfer(transfer)
        raise
    return True


def verify_volume(conn: Any, art: Dict[str, Any]) -> List[str]:
    """The evidence volume is still there (investigators may attach it: its hash is the data image's)."""
    try:
        with api_call("get volume", resource=art["id"]):
            volume = conn.block_storage.get_volume(art["id"])
    except Exception as exc:  # a missing artifact is a finding, not a crash
        return ["evidence volume %s: %s" % (art["id"], exc)]
    if volume.status not in ("available", "in-use", "awaiting-transfer"):
        return ["evidence volume %s is %s" % (art["id"], volume.status)]
    return []
