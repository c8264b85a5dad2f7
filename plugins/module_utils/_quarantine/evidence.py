# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Evidence of a quarantined server: collect, hash, share and verify it.

Each artifact is named after the case (``osfleet-case-<case>-<kind>``) so a
second run finds what a killed first run made instead of taking it again. A
hash is always computed over data downloaded by us: metadata checksums come
from the service that might be compromised, the bytes are what a court sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import artifacts
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.artifacts import ensure
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.volumes import verify_volume
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import (
    artifact_name,
    canonical_json,
    find_image,
    hash_image,
    put_blob,
    read_blob,
)

#: what Glance calls an image that will never become active
FAILED_IMAGE = ("killed", "deleted", "deactivated")


def server_image(cloud: Cloud, server: Any, case_id: str, timeout: int) -> Dict[str, Any]:
    """createImage of the server (or the one an earlier run started), waited for until active (the SDK's wait)."""
    name = artifact_name(case_id, "server_image")
    image = ensure(find=lambda: find_image(cloud, name), failed=lambda found: found.status in FAILED_IMAGE,
                   delete=lambda found: cloud.glance.delete_image(found.id),
                   create=lambda: cloud.nova.create_image(server.id, name, metadata={"osfleet_case": case_id}),
                   # an image found, or the id createImage answered
                   wait=lambda image: cloud.glance.wait_for_active(getattr(image, "id", image), timeout,
                                                                   interval=artifacts.WAIT_STEP)).resource
    return {"kind": "server_image", "store": "glance", "id": image.id, "name": name}


def snapshot_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s" % volume_id)


def volume_snapshots(cloud: Cloud, case_id: str, volumes: List[Dict[str, Any]], timeout: int) -> List[Dict[str, Any]]:
    """A forced snapshot of every attached volume (hashed through the evidence volume made from it)."""
    return [volume_snapshot(cloud, case_id, volume["id"], timeout) for volume in volumes]


def volume_snapshot(cloud: Cloud, case_id: str, volume_id: str, timeout: int) -> Dict[str, Any]:
    """The forced snapshot of one volume (taken while attached), available."""
    name = snapshot_name(case_id, volume_id)
    snap = ensure(find=lambda: next(iter(cloud.cinder.snapshots_named(name)), None),
                  failed=lambda found: found.status == "error",
                  delete=lambda found: cloud.cinder.delete_snapshot(found.id),
                  create=lambda: cloud.cinder.create_snapshot(volume_id, name, "osfleet quarantine case %s" % case_id,
                                                              {"osfleet_case": case_id}),
                  wait=lambda made: cloud.cinder.wait_for_status(made, "available", interval=artifacts.WAIT_STEP,
                                                                 wait=timeout)).resource
    return {"kind": "volume_snapshot", "store": "cinder", "id": snap.id, "name": name, "volume_id": volume_id,
            "size_gb": snap.size, "sha256": None}


def console_log(cloud: Cloud, server: Any) -> bytes:
    return cloud.nova.console_output(server.id).encode("utf-8")


def action_history(cloud: Cloud, server: Any) -> bytes:
    return canonical_json(cloud.nova.actions(server.id))


def diagnostics(cloud: Cloud, server: Any) -> Optional[bytes]:
    """Hypervisor diagnostics, or None where the driver has none (not an error: noted in the manifest)."""
    diag = cloud.nova.diagnostics(server.id)
    return None if diag is None else canonical_json(diag)


def collect_blob(cloud: Cloud, case_id: str, kind: str, data: bytes, evidence_dir: Optional[str]) -> Dict[str, Any]:
    """Upload one small artifact (unless an earlier run did) and keep a local copy of what it holds if asked."""
    entry, stored = put_blob(cloud, case_id, kind, data)
    if evidence_dir:
        entry["file"] = save_file(evidence_dir, case_id, kind, stored)
    return entry


def save_file(evidence_dir: str, case_id: str, kind: str, data: bytes) -> str:
    directory = os.path.join(evidence_dir, case_id)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, kind + (".json" if kind != "console_log" else ".log"))
    with open(path, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o400)
    return path


def build_manifest(cloud: Cloud, case_id: str, server_id: str, entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The manifest names every artifact with a hash of its downloaded data (images re-downloaded here)."""
    listed = []
    for art in entries:
        art = {k: v for k, v in art.items() if k != "file"}
        if art["store"] == "glance" and not art.get("sha256"):
            art["sha256"], art["size"] = hash_image(cloud, art["id"])
        listed.append(art)
    return {"case_id": case_id, "server_id": server_id, "hash": "sha256",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "artifacts": sorted(listed, key=lambda a: (a["kind"], a["name"]))}


def share_image(cloud: Cloud, image_id: str, project_id: str) -> bool:
    """Make ``project_id`` an accepted member of the image; True if anything changed."""
    changed = False
    if cloud.glance.get_image(image_id).visibility == "private":
        cloud.glance.set_visibility(image_id, "shared")
        changed = True
    members = {m.member_id: m for m in cloud.glance.members(image_id)}
    if project_id not in members:
        cloud.glance.add_member(image_id, project_id)
        changed = True
    if members.get(project_id) is None or members[project_id].status != "accepted":
        cloud.glance.accept_member(image_id, project_id)
        changed = True
    return changed


def image_shared(cloud: Cloud, image_id: str, project_id: str) -> bool:
    if cloud.glance.get_image(image_id).visibility != "shared":
        return False  # Glance lists members of shared images only
    return any(m.member_id == project_id and m.status == "accepted" for m in cloud.glance.members(image_id))


def verify_manifest(cloud: Cloud, manifest: Dict[str, Any], evidence_dir: Optional[str] = None) -> List[str]:
    """Re-download and re-hash every artifact; the list of problems (empty: all match)."""
    problems = []
    for art in manifest.get("artifacts", []):
        if art["store"] == "glance":
            try:
                sha, _size = hash_image(cloud, art["id"])
            except Exception as exc:  # a missing artifact is a finding, not a crash
                problems.append("%s %s: cannot be downloaded: %s" % (art["kind"], art["id"], exc))
                continue
            if sha != art["sha256"]:
                problems.append("%s %s: SHA-256 %s, manifest says %s" % (art["kind"], art["id"], sha, art["sha256"]))
        elif art["kind"] == "evidence_volume":
            problems += verify_volume(cloud, art)
        elif art["store"] == "cinder":
            try:
                snap = cloud.cinder.get_snapshot(art["id"])
                if snap.status != "available":
                    problems.append("volume snapshot %s is %s" % (art["id"], snap.status))
            except Exception as exc:
                problems.append("volume snapshot %s: %s" % (art["id"], exc))
        if evidence_dir and art["store"] == "glance" and art["kind"] in ("console_log", "actions", "diagnostics"):
            path = os.path.join(evidence_dir, manifest["case_id"],
                                art["kind"] + (".json" if art["kind"] != "console_log" else ".log"))
            try:
                with open(path, "rb") as fh:
                    local = hashlib.sha256(fh.read()).hexdigest()
            except OSError as exc:
                problems.append("local copy %s: %s" % (path, exc.strerror))
                continue
            if local != art["sha256"]:
                problems.append("local copy %s: SHA-256 %s, manifest says %s" % (path, local, art["sha256"]))
    return problems


def load_manifest(cloud: Cloud, case_id: str) -> Optional[Dict[str, Any]]:
    image = find_image(cloud, artifact_name(case_id, "manifest"))
    if image is None or image.status != "active":
        return None
    data = read_blob(cloud, image.id)
    try:
        manifest = json.loads(data)
    except ValueError:
        raise ConflictError("manifest %s is not JSON" % image.id, resource=image.id)
    manifest["_self"] = {"id": image.id, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return manifest
