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

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import artifacts
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.artifacts import ensure
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import artifact_name, find_image

GONE = ("deleting", "deleted")
#: looks at a volume back from ``uploading`` with no active image before the upload counts as failed
UPLOAD_GIVEN_UP = 3


def copy_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s-copy" % volume_id)


def data_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s-data" % volume_id)


def find_volume(cloud: Cloud, name: str) -> Optional[Any]:
    """The one volume of that name in any project (after the transfer it is the evidence project's)."""
    found = [v for v in cloud.cinder.volumes_named(name) if v.status not in GONE]
    if len(found) > 1:
        raise ConflictError("%d volumes are named %r; a case artifact must be unique" % (len(found), name),
                            resource=name)
    return found[0] if found else None


def wait_available(cloud: Cloud, volume: Any, timeout: int) -> Any:
    return cloud.cinder.wait_for_status(volume, "available", interval=artifacts.WAIT_STEP, wait=timeout)


def evidence_volume(cloud: Cloud, case_id: str, snapshot: Dict[str, Any], timeout: int) -> Any:
    """The volume made from the case's snapshot (or the one an earlier run made), available.

    Available also means an upload an earlier run started from it is over (the
    volume is ``uploading`` while Cinder copies it into an image).
    """
    name = copy_name(case_id, snapshot["volume_id"])
    return ensure(find=lambda: find_volume(cloud, name), failed=lambda found: found.status == "error",
                  delete=lambda found: cloud.cinder.delete_volume(found.id),
                  create=lambda: cloud.cinder.create_volume(
                      name, snapshot["id"], snapshot["size_gb"],
                      "osfleet quarantine case %s: copy of volume %s" % (case_id, snapshot["volume_id"]),
                      {"osfleet_case": case_id, "osfleet_source_volume": snapshot["volume_id"]}),
                  wait=lambda made: wait_available(cloud, made, timeout)).resource


def upload_data(cloud: Cloud, case_id: str, volume: Any, source_volume_id: str, timeout: int) -> Optional[Any]:
    """The raw image of the evidence volume's data, active; None if Cinder could not upload it.

    ``volume`` is available (:func:`evidence_volume`), so no upload is running
    from it: an image of this name that is not active is a dead upload and is
    replaced.
    """
    name = data_name(case_id, source_volume_id)

    def start_upload() -> None:  # Cinder answers once it has begun; the image is ours to find by name
        cloud.cinder.upload_volume_to_image(volume.id, name)

    return ensure(find=lambda: find_image(cloud, name), failed=lambda found: found.status != "active",
                  delete=lambda found: cloud.glance.delete_image(found.id), create=start_upload,
                  wait=lambda image: image or wait_upload(cloud, volume.id, name, timeout)).resource


def wait_upload(cloud: Cloud, volume_id: str, name: str, timeout: int) -> Optional[Any]:
    """The image Cinder is uploading the volume to, once active; None once Cinder gave up.

    Our own loop, not the SDK's wait: the SDK waits for one resource to reach a
    status, but a failed upload-to-image has none to wait on. Cinder deletes
    the image when the backend's ``copy_volume_to_image`` fails and puts the
    volume back to ``available``, so "done" is an active image of that name,
    and "failed" is the volume back from ``uploading`` for a few looks with
    no active image (Glance may still be settling the image on the first).
    """
    deadline = time.time() + timeout
    idle = 0
    while True:
        image = find_image(cloud, name)
        if image is not None and image.status == "active":
            return image
        idle = idle + 1 if cloud.cinder.get_volume(volume_id).status != "uploading" else 0
        if idle >= UPLOAD_GIVEN_UP:  # the volume is back and no active image came of it: Cinder gave up
            if image is not None:
                cloud.glance.delete_image(image.id)
            return None
        if time.time() > deadline:
            raise CloudError("upload of volume %s to image %s not done after %ds" % (volume_id, name, timeout),
                             resource=volume_id)
        time.sleep(artifacts.WAIT_STEP)


def volume_evidence(cloud: Cloud, case_id: str, snapshots: List[Dict[str, Any]],
                    timeout: int) -> List[Dict[str, Any]]:
    """For every snapshot artifact: the evidence volume and, where Cinder can upload it, its data image."""
    out = []
    for snap in snapshots:
        volume = evidence_volume(cloud, case_id, snap, timeout)
        image = upload_data(cloud, case_id, volume, snap["volume_id"], timeout)
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
def volume_owner(cloud: Cloud, volume_id: str) -> Optional[str]:
    return cloud.cinder.get_volume(volume_id).project_id


def transfer_volume(cloud: Cloud, accepting: Callable[[], Cloud], volume_id: str, name: str, project_id: str) -> bool:
    """Give the volume to ``project_id``; True if it changed hands.

    ``accepting()`` is a Cloud scoped to ``project_id`` (Cinder accepts a
    transfer only from a token of the receiving project). The transfer's auth
    key is shown once, at creation: a transfer left by a killed run cannot be
    accepted, so it is deleted and made again.
    """
    if volume_owner(cloud, volume_id) == project_id:
        return False
    for transfer in cloud.cinder.transfers(volume_id):
        cloud.cinder.delete_transfer(transfer.id)
    try:
        with api_call("connect to the evidence project", resource=project_id):
            receiver = accepting()
            scoped = receiver.project_id  # authenticates: bad credentials fail here, before any transfer
    except CloudError as exc:
        raise CloudError("%s; accepting a volume transfer needs credentials scoped to the evidence project: set "
                         "evidence_cloud, or give the operator a role in that project" % exc.message,
                         resource=project_id)
    if scoped != project_id:
        raise ValidationError("the credentials accepting the volume transfer are scoped to project %s, not the "
                              "evidence project %s" % (scoped, project_id),
                              field="evidence_cloud")
    transfer = cloud.cinder.create_transfer(volume_id, name)
    try:
        receiver.cinder.accept_transfer(transfer.id, transfer.auth_key)
    except CloudError:
        cloud.cinder.delete_transfer(transfer.id)
        raise
    return True


def verify_volume(cloud: Cloud, art: Dict[str, Any]) -> List[str]:
    """The evidence volume is still there (investigators may attach it: its hash is the data image's)."""
    try:
        volume = cloud.cinder.get_volume(art["id"])
    except Exception as exc:  # a missing artifact is a finding, not a crash
        return ["evidence volume %s: %s" % (art["id"], exc)]
    if volume.status not in ("available", "in-use", "awaiting-transfer"):
        return ["evidence volume %s is %s" % (art["id"], volume.status)]
    return []
